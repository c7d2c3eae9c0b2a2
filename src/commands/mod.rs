//! The subcommands: each wires the stages (read -> validate -> lint/plan ->
//! render/probe) for the CLI and decides what goes to stdout (results) and
//! stderr (diagnostics). Shared output helpers live here.

mod check;
mod diff;
mod implement;
mod list;
mod new;
mod preview;
mod probe;
mod record;
mod render;
mod renew;
mod shell;
mod site;
mod submit;
mod sync;

pub use check::check;
pub use diff::diff;
pub use implement::implement;
pub use list::{expiring, list};
pub use new::new;
pub use preview::preview;
pub use probe::probe;
pub use record::record;
pub use render::render;
pub use renew::renew;
pub use shell::{completions, man, schema};
pub use site::site;
pub use submit::submit;
pub use sync::sync;

use crate::cli::OutputArgs;
use crate::diagnostic::{self, Diagnostic, Source, Style};
use crate::formats::{self, Format, Ticket, json};
use crate::render::Renderer;
use anyhow::bail;
use clap::ValueEnum as _;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Below this many files, starting threads costs more than it saves.
const PARALLEL_FROM: usize = 32;

/// `f` over every file, on every core when there are enough of them; the
/// results keep the files' order, so output stays deterministic.
fn map_files<I: Sync, T: Send>(files: &[I], f: impl Fn(&I) -> T + Sync + Send) -> Vec<T> {
    use rayon::prelude::*;
    if files.len() < PARALLEL_FROM {
        files.iter().map(f).collect()
    } else {
        files.par_iter().map(f).collect()
    }
}

/// A request that must be valid for the command to go on: its errors are
/// reported, then the command stops with `why` (exit 2).
fn load_valid(path: &std::path::Path, why: &str) -> anyhow::Result<crate::request::Request> {
    let crate::input::Loaded { source, request } = crate::input::load(path)?;
    request.map_err(|diags| {
        report(&source, &diags, stderr_style());
        anyhow::anyhow!("{} has errors; {why}", path.display())
    })
}

/// The body `body-too-long` measures: already rendered, or to render with
/// the request's own team templates when (and only when) the lint needs it.
enum Body<'a> {
    Rendered(&'a str),
    With(&'a Renderer),
}

/// The one lint entry point of every command that shows warnings (`check`,
/// `site`, `preview`): every lint at its level, `body-too-long` included.
fn lint(
    source: &Source,
    request: &crate::request::Request,
    settings: &crate::lints::Settings,
    body: Body,
) -> anyhow::Result<Vec<Diagnostic>> {
    use crate::{lints, names::Level, names::Lint};
    let mut diags = lints::check(source, request, settings);
    if lints::level(request, settings, Lint::BodyTooLong) != Level::Allow {
        let found = match body {
            Body::Rendered(text) => lints::body_length(request, text, settings),
            Body::With(renderer) => {
                let kind = formats::Kind::request(request, &settings.zones);
                // Under the built-in templates (and no zone lines nor team
                // fields, which the bound does not count), a body whose
                // bound is within the limit is not rendered to count.
                let fields = !request.fields.is_empty()
                    || request.rules.iter().any(|rule| !rule.fields.is_empty());
                let within = matches!(&kind, formats::Kind::Request { checks, .. }
                    if renderer.built_in()
                        && settings.zones.is_empty()
                        && !fields
                        && lints::default_body_bound(request, checks) <= lints::BODY_LIMIT);
                if within {
                    Vec::new()
                } else {
                    lints::body_length(request, &renderer.ticket(request, &kind)?, settings)
                }
            }
        };
        diags.extend(found);
        diags.sort_by_key(|d| (d.span.start, d.code.map(Lint::name)));
    }
    Ok(diags)
}

/// A spec opened for a format-preserving edit (locked until written), and the
/// request it holds, which must be valid for the command `doing` to go on.
fn open_valid(
    path: &Path,
    existing: crate::output::Existing,
    doing: &str,
) -> anyhow::Result<(crate::edit::Edit, crate::request::Request)> {
    let edit = crate::edit::Edit::open(path, existing)?;
    let why = format!("{} has errors; fix them before {doing}", path.display());
    let request = valid_text(path, edit.original().to_string(), &why)?;
    Ok((edit, request))
}

/// How long one call to ServiceNow may take for `--post` (probe, render).
const POST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The client for a team's instance, with its `[servicenow]` settings.
/// A missing table or instance is an error naming the team file.
fn servicenow(
    team: &crate::team::Team,
    timeout: std::time::Duration,
    sending: bool,
) -> anyhow::Result<(
    crate::servicenow::Client,
    std::sync::Arc<crate::servicenow::config::Config>,
)> {
    use crate::servicenow;
    let Some(config) = team.servicenow.clone() else {
        match &team.file {
            Some(file) => bail!(
                "{} has no [servicenow] table; add instance and catalog-item (see the README's \"Submitting from git\")",
                file.display()
            ),
            None => bail!(
                "no fwreq.toml with a [servicenow] table governs this request; add one (see the README's \"Submitting from git\")"
            ),
        }
    };
    let team_file = team
        .file
        .as_deref()
        .map_or_else(|| "fwreq.toml".to_string(), |f| f.display().to_string());
    let instance = servicenow::instance(config.instance.as_deref(), &team_file, sending)?;
    let auth = servicenow::Auth::from_env()?;
    Ok((servicenow::Client::new(instance, auth, timeout), config))
}

/// Changes a spec through the one format-preserving writer, as `record`,
/// `submit` and `sync` do: opened and locked, its request valid, `change`
/// applied (it says what it did, or refuses), the new text valid, then
/// written. Another program's save between read and rename costs one more
/// try. `None` when the file already said it all.
fn edit_spec(
    path: &Path,
    existing: crate::output::Existing,
    doing: &str,
    mut change: impl FnMut(
        &mut crate::edit::Edit,
        &crate::request::Request,
    ) -> anyhow::Result<Vec<String>>,
) -> anyhow::Result<Option<Vec<String>>> {
    let mut once = || -> anyhow::Result<Option<Vec<String>>> {
        let (mut edit, request) = open_valid(path, existing, doing)?;
        let said = change(&mut edit, &request)?;
        valid_text(
            path,
            edit.text(),
            "the new values would make the spec invalid",
        )?;
        if !edit.changed() {
            return Ok(None);
        }
        edit.write()?;
        Ok(Some(said))
    };
    match once() {
        Err(err) if err.is::<crate::output::Changed>() => once(),
        done => done,
    }
}

/// A time for `submitted`: `now` (local time, to the second) or
/// `YYYY-MM-DDTHH:MM[:SS]` (a space for the `T`), with its offset if given.
/// Seconds are always written: TOML 1.0 parsers (Python's tomllib) refuse a
/// time without them.
fn submitted(when: &str) -> Result<toml_edit::Datetime, crate::diagnostic::Invalid> {
    let text = if when == "now" {
        chrono::Local::now()
            .naive_local()
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    } else {
        when.trim().replacen(' ', "T", 1)
    };
    let mut datetime: toml_edit::Datetime = text.parse().map_err(|_| {
        crate::diagnostic::Invalid::new(format!("`{when}` is not a date and time"))
            .help("write e.g. 2025-03-14T16:28:49, or --submitted alone for now")
    })?;
    // The same toml_datetime type `check` reads: one parse, the same rules.
    crate::validate::submitted(datetime)?;
    if let Some(time) = &mut datetime.time {
        time.second.get_or_insert(0);
    }
    Ok(datetime)
}

/// `text` (a spec as it is or as an edit would write it) validated; its
/// errors reported and the command stopped with `why` (the file stays as it was).
fn valid_text(path: &Path, text: String, why: &str) -> anyhow::Result<crate::request::Request> {
    let source = Source::new(path, text);
    crate::validate::load(&source).map_err(|diags| {
        report(&source, &diags, stderr_style());
        anyhow::anyhow!("{why}; {} is unchanged", path.display())
    })
}

/// [`valid_text`], completed by its team (signature and fields).
fn completed(
    path: &Path,
    text: String,
    team: &crate::team::Team,
    why: &str,
) -> anyhow::Result<crate::request::Request> {
    let source = Source::new(path, text);
    crate::validate::load(&source)
        .and_then(|request| team.complete(request))
        .map_err(|diags| {
            report(&source, &diags, stderr_style());
            anyhow::anyhow!("{why}; {} is unchanged", path.display())
        })
}

/// `--deny` as `check` and `submit` take it: `warnings` (every warning is an
/// error), and lint names.
fn deny_levels(deny: &[String]) -> anyhow::Result<(bool, Vec<crate::names::Lint>)> {
    let lints = deny
        .iter()
        .filter(|d| *d != "warnings")
        .map(|name| {
            name.parse()
                .map_err(|e| anyhow::anyhow!("--deny {e}; or `warnings` for every lint"))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok((deny.iter().any(|d| d == "warnings"), lints))
}

/// A path as stderr shows it: escaped, so no byte of a file name reaches the
/// terminal raw.
fn shown(path: &Path) -> String {
    diagnostic::escape(&path.display().to_string()).into_owned()
}

/// The team files found, after saying on stderr which were not trusted
/// (escaped, like every path), so a command never applies one silently
/// nor ignores one silently.
fn teams(found: crate::team::Teams) -> crate::team::Teams {
    for ignored in &found.ignored {
        match ignored.what {
            crate::team::Passed::TeamFile => eprintln!(
                "fwreq: warning: ignoring the team file {}: {} (if you trust it, set {}={})",
                shown(&ignored.shown),
                diagnostic::escape(&ignored.why),
                crate::team::TRUST_VAR,
                shown(&ignored.file)
            ),
            crate::team::Passed::NotARepository => eprintln!(
                "fwreq: warning: {} does not end the search for the team file: {}; fwreq.toml is looked for above it too",
                shown(&ignored.shown),
                diagnostic::escape(&ignored.why)
            ),
        }
    }
    found
}

/// The paths that could not be read, one error line each (escaped).
fn report_unreadable(errors: &[anyhow::Error]) {
    for err in errors {
        eprintln!(
            "fwreq: error: {}",
            diagnostic::escape_lines(&format!("{err:#}"))
        );
    }
}

/// Newest first by submission; undated (and broken) ones after, by path.
fn newest_first<T: Ord>(a: (&Option<T>, &str), b: (&Option<T>, &str)) -> std::cmp::Ordering {
    b.0.is_some()
        .cmp(&a.0.is_some())
        .then_with(|| b.0.cmp(a.0))
        .then_with(|| a.1.cmp(b.1))
}

fn report(source: &Source, diags: &[Diagnostic], style: Style) {
    let mut err = std::io::stderr().lock();
    for diag in diags {
        let _ = err.write_all(diagnostic::render(source, diag, style).as_bytes());
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set.
fn stderr_style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Style {
        color: !no_color && std::io::stderr().is_terminal(),
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
///
/// On a terminal, every control, bidi and invisible character but the line
/// feed and tab is shown escaped (`\u{1b}`): a template or a server can put
/// ESC, OSC 52 or a lone CR into what is printed. Into a pipe or a file the
/// text goes byte for byte, as the format needs it.
fn print_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal as _;
    let mut out = std::io::stdout().lock();
    let escaped;
    let text = if out.is_terminal() {
        escaped = crate::diagnostic::escape_lines(text);
        escaped.as_str()
    } else {
        text
    };
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

impl OutputArgs {
    /// Refuses what cannot work before anything is read or rendered: one
    /// `--output` for several files, an output that is a request (one of the
    /// inputs, any `.toml`), an existing file without `--force`, several HTML pages.
    fn check<P: AsRef<Path>>(&self, inputs: &[P]) -> anyhow::Result<()> {
        if self.output.is_some() && inputs.len() > 1 {
            bail!("--output takes one request file, got {}", inputs.len());
        }
        if let Some(path) = &self.output {
            crate::output::refuse_request_path(path, inputs)?;
            if !self.force {
                crate::output::refuse_existing(path)?;
            }
        }
        if self.format == Format::Html && inputs.len() > 1 {
            bail!(
                "--format html makes one page per request; give one file, or use `fwreq site` for many"
            );
        }
        Ok(())
    }
}

/// The one output stage for every kind of ticket: each in `--format`, then
/// into `--output`, onto the clipboard (`--copy`) or to stdout. Several
/// tickets are one JSON array, or Markdown and `[code]` texts between `---` lines.
fn emit(tickets: &[Ticket], out: &OutputArgs, renderer: &Renderer) -> anyhow::Result<()> {
    let text = match (out.format, tickets) {
        (Format::Json, [_, _, ..]) => {
            let all: Vec<json::TableApi> = tickets.iter().map(json::table_api).collect();
            json::to_string(&all)?
        }
        _ => tickets
            .iter()
            .map(|ticket| formats::convert(out.format, ticket, renderer))
            .collect::<anyhow::Result<Vec<String>>>()?
            .join("---\n"),
    };
    if let Some(path) = &out.output {
        crate::output::write_whole(path, &text, out.force)?;
    }
    if out.copy {
        crate::clipboard::copy(&text)?;
        eprintln!(
            "copied {} characters ({}) to the clipboard through the terminal",
            text.chars().count(),
            out.format
                .to_possible_value()
                .map_or_else(String::new, |v| v.get_name().to_string())
        );
    } else if out.output.is_none() {
        print_stdout(&text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::edit_spec;
    use crate::output::Existing;
    use std::fs;

    const SPEC: &str = include_str!("../../requests/avilla-calico-registry.toml");

    /// Runs `edit_spec` on a copy of an example whose text another program
    /// replaces during the first `saves` tries; returns the outcome and the
    /// file's text after it.
    fn edited_while_saved(saves: usize) -> (anyhow::Result<Option<Vec<String>>>, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("req.toml");
        fs::write(&path, SPEC).unwrap();
        let mut tries = 0;
        let done = edit_spec(
            &path,
            Existing::Replace { forceable: true },
            "testing",
            |edit, _| {
                tries += 1;
                if tries <= saves {
                    fs::write(&path, format!("# save {tries}\n{SPEC}")).unwrap();
                }
                edit.set("ritm", "RITM0000042");
                Ok(vec![format!("try {tries}")])
            },
        );
        (done, fs::read_to_string(&path).unwrap())
    }

    #[test]
    fn another_save_between_read_and_write_costs_one_more_try() {
        let (done, text) = edited_while_saved(1);
        assert_eq!(done.unwrap(), Some(vec!["try 2".to_string()]));
        assert!(text.starts_with("# save 1\n"), "{text}");
        assert!(text.contains("ritm = \"RITM0000042\"\n"), "{text}");
    }

    #[test]
    fn a_file_saved_on_every_try_is_left_as_the_other_program_wrote_it() {
        let (done, text) = edited_while_saved(2);
        let err = done.unwrap_err();
        assert!(err.is::<crate::output::Changed>(), "{err:#}");
        assert_eq!(text, format!("# save 2\n{SPEC}"));
    }
}
