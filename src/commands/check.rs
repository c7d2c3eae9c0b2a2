//! `fwreq check`: validate and lint every request below the given paths.

use super::{Body, map_files, print_stdout, report, stderr_style};
use crate::cli::{CheckArgs, Format};
use crate::diagnostic::{self, Diagnostic, Severity, Source};
use crate::input::{self, Loaded};
use crate::names::Lint;
use crate::render::Renderer;
use crate::team::{self, Teams};
use crate::text::plural;
use crate::{Outcome, lints};
use anyhow::bail;

/// A diagnostic in `--format json`, with the team file that applied to its
/// request (the key is left out when none did).
#[derive(serde::Serialize)]
struct WithTeam {
    #[serde(flatten)]
    diagnostic: diagnostic::JsonDiagnostic,
    #[serde(skip_serializing_if = "Option::is_none")]
    team_file: Option<String>,
}

/// `fwreq check`: validates and lints every file, reports every problem, then a summary.
pub fn check(args: CheckArgs) -> anyhow::Result<Outcome> {
    if args.list_lints {
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
        let today = args
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let list = format!("{list}\n{}\n", lints::psl_age(today));
        print_stdout(&list)?;
        return Ok(Outcome::Clean);
    }
    let lints = |flag: &str, names: &[String]| -> anyhow::Result<Vec<Lint>> {
        names
            .iter()
            .map(|name| name.parse().map_err(|e| anyhow::anyhow!("--{flag} {e}")))
            .collect()
    };
    let allow = lints("allow", &args.allow)?;
    let warn = lints("warn", &args.warn)?;
    let (deny_warnings, deny) = super::deny_levels(&args.deny)?;
    let command_line = lints::Levels { allow, warn, deny };
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let style = stderr_style();
    let (files, io_errors) = input::request_files(&args.paths);
    let mut unreadable = io_errors.len();
    super::report_unreadable(&io_errors);
    let (mut errors, mut warnings) = (0, 0);
    // A team file named on the command line is checked as one.
    let (team_files, files): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|f| f.file_name().is_some_and(|n| n == team::FILE));
    for path in &team_files {
        let (source, loaded) = team::load(path)?;
        if let Err(diags) = loaded {
            errors += diags.len();
            report(&source, &diags, style);
        }
    }
    // Each request's team file (fwreq.toml), read once each; a broken one is
    // reported with its own located errors and its requests get the defaults.
    let teams = super::teams(Teams::find(&files)?);
    for (source, diags) in &teams.invalid {
        errors += diags.len();
        report(source, diags, style);
    }
    // Per team: the lint settings, whether warnings fail, and the renderer
    // for `body-too-long` (bodies as they will be pasted, with its templates).
    let per_team: Vec<(lints::Settings, bool, Renderer)> = teams
        .all()
        .iter()
        .map(|team| {
            Ok((
                team.settings(today, command_line.clone(), args.max_port_range),
                deny_warnings || team.deny_warnings,
                Renderer::new(team.templates.clone())?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut json = Vec::new();
    // Every file on every core; the results keep the files' order.
    let checked: Vec<anyhow::Result<(Source, Vec<Diagnostic>, bool)>> = map_files(&files, |path| {
        let (settings, deny, renderer) = &per_team[teams.index(path)];
        let Loaded { source, request } = input::load(path)?;
        // Measured as render prints it: with the team's signature and fields.
        let diags = match request.and_then(|request| teams.of(path).complete(request)) {
            Ok(request) => super::lint(&source, &request, settings, Body::With(renderer))?,
            Err(diags) => diags,
        };
        Ok((source, diags, *deny))
    });
    for (path, result) in files.iter().zip(checked) {
        let (source, mut diags, deny) = match result {
            Ok(checked) => checked,
            Err(err) => {
                unreadable += 1;
                eprintln!(
                    "fwreq: error: {}",
                    diagnostic::escape_lines(&format!("{err:#}"))
                );
                continue;
            }
        };
        if deny {
            for d in &mut diags {
                d.severity = Severity::Error;
            }
        }
        for d in &diags {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
        }
        match args.format {
            Format::Text => report(&source, &diags, style),
            Format::Json => {
                let team_file = teams
                    .of(path)
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
    if args.format == Format::Json {
        print_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
    }
    eprintln!(
        "checked {}: {}, {}",
        plural(files.len(), "request", "requests"),
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    );
    // Which team files applied, so a setting's origin is never a guess.
    let mut applied: Vec<&std::path::Path> = Vec::new();
    for file in files.iter().filter_map(|f| teams.of(f).file.as_deref()) {
        if !applied.contains(&file) {
            applied.push(file);
            eprintln!("team file: {}", super::shown(file));
        }
    }
    if unreadable > 0 {
        bail!("{} could not be read", plural(unreadable, "path", "paths"));
    }
    if files.is_empty() && team_files.is_empty() {
        bail!("no request files (*.toml) found");
    }
    Ok(if errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
