//! `fwreq check`: validate and lint every request below the given paths.

use super::{print_stdout, report, stderr_style};
use crate::cli::{CheckArgs, Format};
use crate::diagnostic::{self, Severity};
use crate::input;
use crate::names::Lint;
use crate::session::{Options, Session, map_files};
use crate::team;
use crate::text::plural;
use crate::{Outcome, lints};
use anyhow::bail;
use std::path::{Path, PathBuf};

/// A diagnostic in `--format json`, with the team file that applied to its
/// request (the key is left out when none did).
#[derive(serde::Serialize)]
struct WithTeam {
    #[serde(flatten)]
    diagnostic: diagnostic::JsonDiagnostic,
    #[serde(skip_serializing_if = "Option::is_none")]
    team_file: Option<String>,
}

/// What `check` found: problems by severity, paths it could not read, and
/// valid drafts whose team file names the firewall's ruleset.
#[derive(Default)]
struct Counts {
    errors: usize,
    warnings: usize,
    unreadable: usize,
    drafts: Vec<(PathBuf, PathBuf)>,
}

/// `fwreq check`: validates and lints every file, reports every problem, then a summary.
pub fn check(args: CheckArgs) -> anyhow::Result<Outcome> {
    if args.list_lints {
        return list_lints(args.today);
    }
    let options = options(&args)?;
    let style = stderr_style();
    let (files, io_errors) = input::request_files(&args.paths);
    let mut counts = Counts {
        unreadable: io_errors.len(),
        ..Counts::default()
    };
    super::report_unreadable(&io_errors);
    // A team file named on the command line is checked as one.
    let (team_files, files): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|f| f.file_name().is_some_and(|n| n == team::FILE));
    for path in &team_files {
        let (source, loaded) = team::load(path)?;
        if let Err(diags) = loaded {
            counts.errors += diags.len();
            report(&source, &diags, style);
        }
    }
    // Each request's team file (fwreq.toml), read once each; a broken one is
    // reported with its own located errors and its requests get the defaults.
    let session = super::session(files, &options)?;
    for (source, diags) in session.team_errors() {
        counts.errors += diags.len();
        report(source, diags, style);
    }
    let json = check_files(&session, args.format, &mut counts)?;
    if args.format == Format::Json {
        print_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
    }
    let files = session.files();
    summarize(&session, &counts);
    if counts.unreadable > 0 {
        bail!(
            "{} could not be read",
            plural(counts.unreadable, "path", "paths")
        );
    }
    if files.is_empty() && team_files.is_empty() {
        bail!("no request files (*.toml) found");
    }
    Ok(if counts.errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// `--list-lints`: every lint, its default level and what it catches, and
/// the age of the Public Suffix List.
fn list_lints(today: Option<chrono::NaiveDate>) -> anyhow::Result<Outcome> {
    let rows: Vec<Vec<String>> =
        std::iter::once(["LINT", "DEFAULT", "CATCHES"].map(String::from).to_vec())
            .chain(Lint::ALL.iter().map(|lint| {
                vec![
                    lint.name().to_string(),
                    lint.default_level().name().to_string(),
                    lint.description().to_string(),
                ]
            }))
            .collect();
    let list = crate::text::aligned(&rows);
    let today = today.unwrap_or_else(|| chrono::Local::now().date_naive());
    let list = format!("{list}\n{}\n", lints::psl_age(today));
    print_stdout(&list)?;
    Ok(Outcome::Clean)
}

/// The session options of `check`'s flags.
fn options(args: &CheckArgs) -> anyhow::Result<Options> {
    let lints = |flag: &str, names: &[String]| -> anyhow::Result<Vec<Lint>> {
        names
            .iter()
            .map(|name| name.parse().map_err(|e| anyhow::anyhow!("--{flag} {e}")))
            .collect()
    };
    let allow = lints("allow", &args.allow)?;
    let warn = lints("warn", &args.warn)?;
    let (deny_warnings, deny) = super::deny_levels(&args.deny)?;
    Ok(Options {
        today: args.today,
        levels: lints::Levels { allow, warn, deny },
        deny_warnings,
        max_port_range: args.max_port_range,
        templates: None,
    })
}

/// Checks every file of the session (on every core, reported in the files'
/// order): text on stderr as it goes, or the JSON diagnostics handed back.
fn check_files(
    session: &Session,
    format: Format,
    counts: &mut Counts,
) -> anyhow::Result<Vec<WithTeam>> {
    let style = stderr_style();
    let mut json = Vec::new();
    let files = session.files();
    let checked = map_files(files, |path| session.check(path));
    for (path, result) in files.iter().zip(checked) {
        let (source, diags, draft) = match result {
            Ok(checked) => checked,
            Err(err) => {
                counts.unreadable += 1;
                eprintln!(
                    "fwreq: error: {}",
                    diagnostic::escape_lines(&format!("{err:#}"))
                );
                continue;
            }
        };
        if let Some(ruleset) = session.team(path).ruleset.as_deref()
            && draft
            && !diags.iter().any(|d| d.severity == Severity::Error)
        {
            counts.drafts.push((path.clone(), ruleset.to_path_buf()));
        }
        for d in &diags {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
            }
        }
        match format {
            Format::Text => report(&source, &diags, style),
            Format::Json => {
                let team_file = session
                    .team(path)
                    .file
                    .as_deref()
                    .map(|f| f.display().to_string());
                json.extend(diags.iter().map(|d| WithTeam {
                    diagnostic: diagnostic::to_json(&source, d),
                    team_file: team_file.clone(),
                }));
            }
        }
    }
    Ok(json)
}

/// The closing lines: the counts, then which team files applied, so a
/// setting's origin is never a guess.
fn summarize(session: &Session, counts: &Counts) {
    let files = session.files();
    eprintln!(
        "checked {}: {}, {}",
        plural(files.len(), "request", "requests"),
        plural(counts.errors, "error", "errors"),
        plural(counts.warnings, "warning", "warnings")
    );
    let mut applied: Vec<&std::path::Path> = Vec::new();
    for file in files.iter().filter_map(|f| session.team(f).file.as_deref()) {
        if !applied.contains(&file) {
            applied.push(file);
            eprintln!("team file: {}", super::escaped_path(file));
        }
    }
    verify_hint(&counts.drafts);
}

/// Points valid drafts to `fwreq verify --before` when their team file names
/// the firewall's ruleset: the firewall may carry them already, and then no
/// ticket is needed. Only a hint: check sends no packets (it runs anywhere,
/// on thousands of files, in no time), so it cannot know.
fn verify_hint(drafts: &[(PathBuf, PathBuf)]) {
    let mut rulesets: Vec<&Path> = drafts.iter().map(|(_, r)| r.as_path()).collect();
    rulesets.sort();
    rulesets.dedup();
    for ruleset in rulesets {
        let files: Vec<&Path> = drafts
            .iter()
            .filter(|(_, r)| r.as_path() == ruleset)
            .map(|(f, _)| f.as_path())
            .collect();
        let command = match files.as_slice() {
            [one] => format!("fwreq verify --before {}", super::escaped_path(one)),
            _ => "fwreq verify --before FILE...".to_string(),
        };
        eprintln!(
            "hint: {} may already be allowed by the firewall's ruleset {}; `{command}` tells (then no firewall change is needed)",
            plural(files.len(), "draft", "drafts"),
            super::escaped_path(ruleset)
        );
    }
}
