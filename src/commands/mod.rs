//! The subcommands: each wires the stages (read -> validate -> lint/plan ->
//! render/probe) for the CLI and decides what goes to stdout (results) and
//! stderr (diagnostics). Shared output helpers live here.

mod check;
mod diff;
mod implement;
mod init;
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
mod verify;

pub use check::check;
pub use diff::diff;
pub use implement::implement;
pub use init::init;
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
pub use verify::verify;

use crate::cli::OutputArgs;
use crate::clipboard::Unsent;
use crate::diagnostic::{self, Diagnostic, Source, Style};
use crate::formats::{self, Format, Ticket, json};
use crate::render::Renderer;
use anyhow::bail;
use clap::ValueEnum as _;
use std::io::{IsTerminal, Write};
use std::path::Path;

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
                "{} has no [servicenow] table; add instance and catalog-item (see docs/servicenow.md)",
                file.display()
            ),
            None => bail!(
                "no fwreq.toml with a [servicenow] table governs this request; add one (see docs/servicenow.md)"
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

/// Refuses an `--output` that is a request file, or (without `--force`) one
/// that is already there, before any work is done for it.
fn refuse_output<P: AsRef<Path>>(path: &Path, inputs: &[P], force: bool) -> anyhow::Result<()> {
    crate::output::refuse_request_path(path, inputs)
        .and_then(|()| match force {
            true => Ok(()),
            false => crate::output::refuse_existing(path),
        })
        .map_err(|e| refused(e, force))
}

/// A refusal of `output` as a command with `--force` (`forced`: given) and
/// `--output` says it: what `--force` would do, or that it would not help.
/// Other errors stay as they are.
fn refused(err: anyhow::Error, forced: bool) -> anyhow::Error {
    use crate::output::Refusal;
    let Some(refusal) = err.downcast_ref::<Refusal>() else {
        return err;
    };
    let said = match refusal {
        Refusal::Exists(_) => format!("{refusal}; add --force to replace it"),
        Refusal::Link { target, .. } => format!(
            "{refusal}: add --force to replace the link itself ({} is left as it is)",
            target.display()
        ),
        Refusal::NotWritable { .. } if !forced => {
            format!("{refusal} (add --force to write it anyway)")
        }
        Refusal::NotWritable { .. } => return err,
        Refusal::IsRequest { .. } => format!("--output {refusal} (--force or not)"),
        Refusal::Toml(_) => {
            format!("--output {refusal} (--force or not): name the ticket .md, .html or .json")
        }
    };
    anyhow::Error::msg(said)
}

/// A ServiceNow error as a command whose `--timeout` sets the client's
/// timeout (`submit`, `sync`) says it: a call that timed out names the flag,
/// an order fwreq cannot record says how to record it by hand.
fn servicenow_said(err: crate::servicenow::Error) -> anyhow::Error {
    match servicenow_words(&err) {
        Some(said) => anyhow::Error::msg(said),
        None => err.into(),
    }
}

/// [`servicenow_said`]'s text, where it differs from the error's own.
fn servicenow_words(err: &crate::servicenow::Error) -> Option<String> {
    use crate::servicenow::Error;
    match err {
        Error::TimedOut { .. } => Some(format!("{err} (--timeout)")),
        Error::Unrecordable { .. } => Some(format!(
            "{err}; record it by hand with fwreq record --req and --ritm"
        )),
        Error::Unanswered { error, advice } => {
            servicenow_words(error).map(|said| format!("{said}; {advice}"))
        }
        _ => None,
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

/// [`valid_text`], completed by its team through the session (signature
/// and fields), as every command's requests are.
fn completed(
    session: &crate::session::Session,
    path: &Path,
    text: String,
    why: &str,
) -> anyhow::Result<crate::request::Request> {
    let crate::input::Loaded { source, request } = session.load_bytes(path, text.into_bytes());
    request.map_err(|diags| {
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
fn escaped_path(path: &Path) -> String {
    diagnostic::escape(&path.display().to_string()).into_owned()
}

/// The session of `files`, after saying on stderr which team files were
/// not trusted (escaped, like every path), so a command never applies one
/// silently nor ignores one silently.
fn session(
    files: Vec<std::path::PathBuf>,
    options: &crate::session::Options,
) -> anyhow::Result<crate::session::Session> {
    refuse_missing_templates(options)?;
    let session = crate::session::Session::open(files, options)?;
    report_ignored(session.ignored());
    Ok(session)
}

/// `--templates DIR` must name a folder (the flag is the command's to name).
fn refuse_missing_templates(options: &crate::session::Options) -> anyhow::Result<()> {
    match &options.templates {
        Some(dir) if !dir.is_dir() => bail!("--templates {}: no such directory", dir.display()),
        _ => Ok(()),
    }
}

/// Says on stderr which team files the search passed over, and why.
fn report_ignored(ignored: &[crate::team::Ignored]) {
    for ignored in ignored {
        match ignored.what {
            crate::team::Passed::TeamFile => eprintln!(
                "fwreq: warning: ignoring the team file {}: {} (if you trust it, set {}={})",
                escaped_path(&ignored.shown),
                diagnostic::escape(&ignored.why),
                crate::team::TRUST_VAR,
                escaped_path(&ignored.file)
            ),
            crate::team::Passed::NotARepository => eprintln!(
                "fwreq: warning: {} does not end the search for the team file: {}; fwreq.toml is looked for above it too",
                escaped_path(&ignored.shown),
                diagnostic::escape(&ignored.why)
            ),
        }
    }
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

/// Colour on stdout: only on a terminal, and never when NO_COLOR is set.
fn stdout_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}

/// The width tables on stdout must fit, in terminal cells: COLUMNS when it
/// holds a number, else the terminal's own width, else 80 on a terminal that
/// does not say. Into a pipe or a file without COLUMNS, none: rows stay
/// whole there, as the scripts that read them expect.
fn stdout_width() -> Option<usize> {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    columns.or_else(|| {
        let out = std::io::stdout();
        out.is_terminal()
            .then(|| terminal_width(&out).unwrap_or(80))
    })
}

#[cfg(unix)]
fn terminal_width(out: &std::io::Stdout) -> Option<usize> {
    rustix::termios::tcgetwinsize(out)
        .ok()
        .map(|size| usize::from(size.ws_col))
        .filter(|&c| c > 0)
}

#[cfg(not(unix))]
#[mutants::skip]
fn terminal_width(_: &std::io::Stdout) -> Option<usize> {
    None
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
///
/// On a terminal, every control, bidi and invisible character but the line
/// feed and tab is shown escaped (`\u{1b}`): a template or a server can put
/// ESC, OSC 52 or a lone CR into what is printed. Into a pipe or a file the
/// text goes byte for byte, as the format needs it.
fn print_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal as _;
    let escaped;
    let text = if std::io::stdout().is_terminal() {
        escaped = crate::diagnostic::escape_lines(text);
        escaped.as_str()
    } else {
        text
    };
    write_stdout(text)
}

/// Writes coloured text to stdout as it is: the caller escaped every part
/// of it that came from a file or another system (`diagnostic::escape`), so
/// its only escapes are its own colours.
fn print_painted(text: &str) -> anyhow::Result<()> {
    write_stdout(text)
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
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
            refuse_output(path, inputs, self.force)?;
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
        crate::output::write_whole(path, &text, out.force).map_err(|e| refused(e, out.force))?;
    }
    if out.copy {
        crate::clipboard::copy(&text).map_err(|unsent| match unsent {
            Unsent::NoTerminal(e) => anyhow::Error::new(e).context(
                "--copy needs a terminal to send the text through (OSC 52), and this process has none; write to a file with -o instead",
            ),
            Unsent::Write(e) => anyhow::Error::new(e).context("cannot write to the terminal"),
        })?;
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
        let done = edit_spec(&path, Existing::Replace, "testing", |edit, _| {
            tries += 1;
            if tries <= saves {
                fs::write(&path, format!("# save {tries}\n{SPEC}")).unwrap();
            }
            edit.set("ritm", "RITM0000042");
            Ok(vec![format!("try {tries}")])
        });
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
