//! Editor and shell support: the spec's JSON Schema (from the Rust types, so
//! it cannot drift), completion scripts and the man pages (from the clap types
//! and the same schema).

use super::print_stdout;
use crate::Outcome;
use crate::cli::{Cli, CompletionsArgs, ManArgs};
use clap::CommandFactory as _;

/// Draft 7, the newest draft that Taplo-based editors read fully. Inside a
/// repository whose team file defines fields, they are part of it.
pub fn schema() -> anyhow::Result<Outcome> {
    let here = std::path::Path::new(".");
    let session = crate::session::Session::of_folder(here, &Default::default())?;
    super::report_ignored(session.ignored());
    let session = session.valid()?;
    let mut schema = spec_schema();
    with_fields(
        &mut schema,
        &session.team(&here.join(crate::team::FILE)).fields,
    );
    print_stdout(&(serde_json::to_string_pretty(&schema)? + "\n"))?;
    Ok(Outcome::Clean)
}

/// The team's fields in the schema: `[fields]` of the request and `fields`
/// of each rule, required where the team requires one.
fn with_fields(schema: &mut schemars::Schema, fields: &crate::fields::Fields) {
    use crate::fields::Scope;
    if fields.is_empty() {
        return;
    }
    for (scope, at) in [
        (Scope::Request, "/properties"),
        (Scope::Rule, "/definitions/RawRule/properties"),
    ] {
        if let Some(properties) = schema.pointer_mut(at) {
            properties["fields"] = fields.schema(scope);
        }
        let required_at = at.trim_end_matches("/properties").to_string() + "/required";
        if fields.any_required(scope)
            && let Some(serde_json::Value::Array(required)) = schema.pointer_mut(&required_at)
        {
            required.push("fields".into());
        }
    }
}

/// The spec's JSON Schema: `schema` prints it, `fwreq-spec(5)` is written from it.
fn spec_schema() -> schemars::Schema {
    schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<crate::spec::RawSpec>()
}

pub fn completions(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "fwreq", &mut out);
    let mut script = String::from_utf8_lossy(&out).into_owned();
    if args.shell == clap_complete::Shell::Bash {
        script.push_str(&bash_files(&Cli::command()));
    }
    print_stdout(&script)?;
    Ok(Outcome::Clean)
}

/// Bash only: clap's script offers the options on an empty word (bash then
/// inserts their common `-`) and never files. This wrapper completes folders
/// and `*.toml` files where a subcommand takes requests, unless the word is
/// an option or the value of one; everything else goes to clap's function.
fn bash_files(cmd: &clap::Command) -> String {
    // Subcommands whose positional arguments are requests (or folders of them).
    const REQUESTS: &[&str] = &[
        "render",
        "check",
        "probe",
        "preview",
        "site",
        "record",
        "list",
        "expiring",
        "diff",
        "renew",
        "implement",
        "submit",
        "sync",
    ];
    let mut valued = Vec::new();
    for sub in cmd
        .get_subcommands()
        .filter(|s| REQUESTS.contains(&s.get_name()))
    {
        let options: Vec<String> = sub
            .get_arguments()
            .filter(|a| !a.is_positional() && a.get_action().takes_values())
            .flat_map(|a| {
                a.get_long()
                    .map(|l| format!("--{l}"))
                    .into_iter()
                    .chain(a.get_short().map(|s| format!("-{s}")))
            })
            .collect();
        valued.push(format!(
            "        {}) valued=\"{}\" ;;\n",
            sub.get_name(),
            options.join(" ")
        ));
    }
    format!(
        r#"
# fwreq: folders and *.toml files for request arguments, even on an empty word.
_fwreq_requests() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}" valued=""
    case "${{COMP_WORDS[1]}}" in
{}        *) _fwreq "$@"; return ;;
    esac
    if [[ ${{COMP_CWORD}} -lt 2 || ${{cur}} == -* || " ${{valued}} " == *" ${{prev}} "* ]]; then
        _fwreq "$@"
        return
    fi
    compopt -o filenames 2>/dev/null
    COMPREPLY=( $(compgen -d -- "${{cur}}") $(compgen -f -X '!*.toml' -- "${{cur}}") )
}}
complete -F _fwreq_requests -o bashdefault -o default fwreq
"#,
        valued.concat()
    )
}

/// `fwreq man`: fwreq(1) on stdout, or every page into `--dir`.
pub fn man(args: ManArgs) -> anyhow::Result<Outcome> {
    // Built, so subcommands carry their page names (fwreq-render); no `help`
    // subcommand, which would name a page that does not exist.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = args.dir else {
        print_stdout(&page(&cmd)?)?;
        return Ok(Outcome::Clean);
    };
    let mut pages = vec![("fwreq.1".to_string(), page(&cmd)?)];
    for sub in cmd.get_subcommands() {
        let name = clap_mangen::Man::new(sub.clone()).get_filename();
        pages.push((name, page(sub)?));
    }
    pages.push(("fwreq-spec.5".to_string(), spec_page(&spec_schema())));
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    for (name, text) in &pages {
        crate::output::write_whole(&dir.join(name), text, true)?;
    }
    eprintln!("wrote {} man pages to {}", pages.len(), dir.display());
    Ok(Outcome::Clean)
}

/// One command's page: clap's sections, then the exit codes and the other pages.
fn page(cmd: &clap::Command) -> anyhow::Result<String> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    out.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for (code, meaning) in crate::EXIT_CODES {
        out.extend_from_slice(format!(".TP\n\\fB{code}\\fR\n{}\n", roff_text(meaning)).as_bytes());
    }
    let see_also = if cmd.has_subcommands() {
        "fwreq\\-spec(5)"
    } else {
        "fwreq(1), fwreq\\-spec(5)"
    };
    out.extend_from_slice(format!(".SH \"SEE ALSO\"\n{see_also}\n").as_bytes());
    man.render_version_section(&mut out)?;
    Ok(String::from_utf8(out)?)
}

/// fwreq-spec(5): every key of a request, `[[rules]]` and `[test]`, with its
/// type and description as the JSON Schema has them.
fn spec_page(schema: &schemars::Schema) -> String {
    let root = schema.as_value();
    let definitions = &root["definitions"];
    let mut text = format!(
        ".TH fwreq-spec 5 \"\" \"fwreq {}\"\n.SH NAME\nfwreq\\-spec \\- the request file format of fwreq (TOML)\n.SH DESCRIPTION\n{}\n",
        env!("CARGO_PKG_VERSION"),
        roff_text(root["description"].as_str().unwrap_or(""))
    );
    let sections = [
        ("TOP-LEVEL KEYS", root),
        ("[[rules]] KEYS", &definitions["RawRule"]),
        ("[test] KEYS", &definitions["RawTest"]),
    ];
    for (heading, table) in sections {
        text.push_str(&format!(".SH \"{heading}\"\n"));
        let required: Vec<&str> = table["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|k| k.as_str()).collect())
            .unwrap_or_default();
        for (key, value) in table["properties"].as_object().into_iter().flatten() {
            let need = if required.contains(&key.as_str()) {
                ", required"
            } else {
                ""
            };
            text.push_str(&format!(
                ".TP\n\\fB{}\\fR ({}{need})\n{}\n",
                roff_text(key),
                roff_text(&type_of(value, definitions)),
                roff_text(value["description"].as_str().unwrap_or(""))
            ));
        }
    }
    text.push_str(".SH \"SEE ALSO\"\nfwreq(1), fwreq\\-check(1), fwreq\\-schema(1)\n");
    text
}

/// A schema's type in words: `string`, `array of port`, `one of: tcp, udp, icmp`.
fn type_of(value: &serde_json::Value, definitions: &serde_json::Value) -> String {
    if let Some(any) = value["anyOf"].as_array() {
        let kinds: Vec<String> = any
            .iter()
            .filter(|v| v["type"] != "null")
            .map(|v| type_of(v, definitions))
            .collect();
        return kinds.join(" or ");
    }
    if let Some(name) = value["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        let target = &definitions[name];
        let words: Vec<&str> = target["enum"]
            .as_array()
            .or_else(|| target["oneOf"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|w| w.as_str().or_else(|| w["const"].as_str()))
            .collect();
        if !words.is_empty() {
            return format!("one of: {}", words.join(", "));
        }
        return match name {
            "RawRule" | "RawTest" => "table".to_string(),
            _ => name.to_lowercase(),
        };
    }
    match value["format"].as_str() {
        Some("date") => return "TOML local date".to_string(),
        Some("date-time") => return "TOML offset date-time".to_string(),
        Some("partial-date-time") => return "TOML local date-time".to_string(),
        _ => {}
    }
    let kind = match &value["type"] {
        serde_json::Value::Array(kinds) => kinds
            .iter()
            .filter_map(|k| k.as_str())
            .find(|k| *k != "null")
            .unwrap_or("value")
            .to_string(),
        serde_json::Value::String(kind) => kind.clone(),
        _ => "value".to_string(),
    };
    match kind.as_str() {
        "array" => format!("array of {}", type_of(&value["items"], definitions)),
        _ => kind,
    }
}

/// Text safe in a roff paragraph: backslashes and hyphens escaped, no line
/// starting with a control character.
fn roff_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            if line.starts_with(['.', '\'']) {
                format!("\\&{line}")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
