//! fwreq: firewall change requests as code.
//!
//! Data flows one way: **read** (`spec`: TOML with spans) -> **validate**
//! (`validate`: a trusted `request::Request`, or `diagnostic::Diagnostic`s) ->
//! **plan** (`flows`: what to test, and how) -> **render** (`render`: Jinja
//! templates to Markdown) or **probe** (`probe`: run the checks from this
//! host); `lints` warns about risky but valid requests; `implement` writes the
//! rules in a firewall platform's own syntax. `commands` wires the stages to the CLI; `main.rs`
//! only maps the outcome to an exit code.

// The crate's docs are for its developers, built with its private items
// (`cargo doc --document-private-items`), so a link to one resolves.
#![allow(rustdoc::private_intra_doc_links)]

// The library face: the stages the integration tests, fuzz targets and
// benches drive (`grep -rhn 'fwreq::' tests fuzz/fuzz_targets benches`),
// and `cli` for `main.rs`. Inside them an item is `pub` only when outside
// code names it or a public signature does; the rest is `pub(crate)`, so
// rustc's dead-code lint sees it. Everything else is the crate's own.
pub mod change;
pub mod cli;
pub mod diagnostic;
pub mod edit;
pub mod flows;
pub mod formats;
pub mod implement;
pub mod lints;
pub mod names;
pub mod output;
pub mod policy;
pub mod probe;
pub mod render;
pub mod request;
pub mod servicenow;
pub mod spec;
pub mod team;
pub mod validate;
pub mod zones;

mod clipboard;
mod commands;
mod evidence;
mod field_values;
mod fields;
mod input;
mod kind;
mod listing;
mod session;
mod text;
mod verify;

use std::process::ExitCode;

/// How a command that ran to the end went. An `Err` from `run` is the third
/// outcome: a usage, template or I/O problem (exit 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: nothing wrong.
    Clean,
    /// Exit 1: a request has errors (or warnings under `--deny warnings`),
    /// a probed flow is not as expected, or `implement` left a destination out.
    Findings,
    /// Exit 130: stopped by Ctrl-C (the shell's code for SIGINT).
    Interrupted,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Findings => ExitCode::from(1),
            Outcome::Interrupted => ExitCode::from(130),
        }
    }
}

/// Every exit code and what gives it: the one text `--help`, the man page
/// and the README show.
pub const EXIT_CODES: &[(u8, &str)] = &[
    (
        0,
        "fine: every request valid (warnings alone, unless denied) and every probed flow as expected",
    ),
    (
        1,
        "findings: a request has errors (check, render, preview, diff, site, submit; with --deny, also warnings); an invalid file (list, expiring); a request past its expiry (expiring); a flow not as expected (probe); a destination left out (implement, without --allow-partial)",
    ),
    (
        2,
        "usage, template or I/O problem; a value record refuses; a request submit refuses or a ServiceNow call that failed (submit, sync, --post); a file fwreq will not read or write; a probe that proves nothing (an error row of this host, nothing testable, a request with errors)",
    ),
    (
        130,
        "interrupted by Ctrl-C (probe prints what it measured so far)",
    ),
];

/// [`EXIT_CODES`] as plain text, wrapped at 80 columns under a heading.
pub fn exit_codes_text() -> String {
    let mut out = String::from("Exit codes:\n");
    for (code, meaning) in EXIT_CODES {
        out.push_str(&exit_code_lines(*code, meaning));
    }
    out
}

/// One exit code and its meaning, wrapped at 80 columns with the meaning's
/// later lines under its first word.
fn exit_code_lines(code: u8, meaning: &str) -> String {
    const WIDTH: usize = 80;
    let mut out = String::new();
    let mut line = format!("  {code:<5}");
    let mut words = meaning.split(' ');
    line.push_str(words.next().unwrap_or_default());
    for word in words {
        if line.len() + 1 + word.len() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(7);
        } else {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The exit code for usage, template and I/O problems.
pub fn usage_exit_code() -> ExitCode {
    ExitCode::from(2)
}

/// Runs one command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        cli::Command::Render(args) => commands::render(args),
        cli::Command::Check(args) => commands::check(args),
        cli::Command::Probe(args) => commands::probe(args),
        cli::Command::Preview(args) => commands::preview(args),
        cli::Command::Site(args) => commands::site(args),
        cli::Command::Init(args) => commands::init(args),
        cli::Command::New(args) => commands::new(args),
        cli::Command::Record(args) => commands::record(args),
        cli::Command::List(args) => commands::list(args),
        cli::Command::Expiring(args) => commands::expiring(args),
        cli::Command::Diff(args) => commands::diff(args),
        cli::Command::Renew(args) => commands::renew(args),
        cli::Command::Submit(args) => commands::submit(args),
        cli::Command::Sync(args) => commands::sync(args),
        cli::Command::Schema => commands::schema(),
        cli::Command::Completions(args) => commands::completions(args),
        cli::Command::Man(args) => commands::man(args),
        cli::Command::Implement(args) => commands::implement(args),
        cli::Command::Verify(args) => commands::verify(args),
        cli::Command::VerifyNamespace { role } => {
            verify::namespace::inside(&role)?;
            Ok(Outcome::Clean)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exit_code_lines;

    /// A word that ends at column 80 stays on its line ("  2    " is 7
    /// columns and 71 more make 78: " b" ends at column 80); a long first
    /// word is not left alone above an empty line.
    #[test]
    fn exit_code_lines_wrap_after_column_80() {
        let (first, word) = ("a".repeat(71), "a".repeat(90));
        for (code, text, want) in [
            (
                2,
                format!("{first} b c"),
                format!("  2    {first} b\n       c\n"),
            ),
            (1, format!("{word} b"), format!("  1    {word}\n       b\n")),
        ] {
            assert_eq!(exit_code_lines(code, &text), want);
        }
    }
}
