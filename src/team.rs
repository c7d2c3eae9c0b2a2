//! `fwreq.toml`: a team's defaults, found by walking up from a request's
//! folder (so one file serves a whole repository or one plant's folder).
//! Precedence: the command line, then the request itself, then `fwreq.toml`,
//! then the built-in defaults. Its paths are relative to the file itself.

use crate::diagnostic::{Diagnostic, Source};
use crate::names;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The team file's name.
pub const FILE: &str = "fwreq.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    templates: Option<Spanned<String>>,
    // The request spec writes `requested_by`; either spelling is accepted here.
    #[serde(alias = "requested_by")]
    requested_by: Option<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
    #[serde(alias = "max_port_range")]
    max_port_range: Option<Spanned<i64>>,
}

/// A validated team file.
#[derive(Debug, Clone, Default)]
pub struct Team {
    /// Where it was found.
    pub path: Option<PathBuf>,
    /// The templates folder, resolved against the file's folder.
    pub templates: Option<PathBuf>,
    pub requested_by: Option<String>,
    pub allow: Vec<String>,
    pub deny_warnings: bool,
    pub max_port_range: Option<u32>,
}

/// The `fwreq.toml` that governs `dir`: the nearest one in it or above it.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let start = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let absolute = std::fs::canonicalize(start).ok()?;
    let found = absolute
        .ancestors()
        .map(|d| d.join(FILE))
        .find(|p| p.is_file())?;
    // Shown relative to the working folder where it lies below it.
    let here = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok());
    Some(
        match here.and_then(|h| found.strip_prefix(h).ok().map(Path::to_path_buf)) {
            Some(relative) => relative,
            None => found,
        },
    )
}

/// Reads and validates a team file; errors point at the offending value.
pub fn load(path: &Path) -> anyhow::Result<(Source, Result<Team, Vec<Diagnostic>>)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let source = Source::new(path, text);
    let team = parse(&source, path);
    Ok((source, team))
}

fn parse(source: &Source, path: &Path) -> Result<Team, Vec<Diagnostic>> {
    let raw: Raw =
        toml::from_str(&source.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim_end().to_string();
            vec![Diagnostic::error(span, message).with_help(
                "fwreq.toml takes templates, requested-by, allow, deny and max-port-range",
            )]
        })?;
    let mut diags = Vec::new();
    let base = path.parent().unwrap_or(Path::new("."));
    let templates = raw.templates.and_then(|t| {
        let dir = base.join(t.get_ref());
        if dir.is_dir() {
            Some(dir)
        } else {
            diags.push(
                Diagnostic::error(
                    t.span(),
                    format!("templates folder `{}` does not exist", t.get_ref()),
                )
                .with_help("the path is relative to fwreq.toml's own folder"),
            );
            None
        }
    });
    let mut allow = Vec::new();
    for name in raw.allow {
        match names::check_lint_name(name.get_ref()) {
            Ok(()) => allow.push(name.into_inner()),
            Err(unknown) => {
                diags.push(Diagnostic::error(name.span(), unknown.message).with_help(unknown.help));
            }
        }
    }
    let mut deny_warnings = false;
    for d in raw.deny {
        if d.get_ref() == "warnings" {
            deny_warnings = true;
        } else {
            diags.push(
                Diagnostic::error(d.span(), format!("`{}` cannot be denied", d.get_ref()))
                    .with_help("write deny = [\"warnings\"]: warnings then fail check, as --deny warnings does"),
            );
        }
    }
    let max_port_range = raw.max_port_range.and_then(|m| {
        match u32::try_from(*m.get_ref())
            .ok()
            .filter(|v| (1..=65535).contains(v))
        {
            Some(v) => Some(v),
            None => {
                diags.push(
                    Diagnostic::error(
                        m.span(),
                        format!("max-port-range {} is out of range", m.get_ref()),
                    )
                    .with_help("give a number of ports from 1 to 65535"),
                );
                None
            }
        }
    });
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Team {
        path: Some(path.to_path_buf()),
        templates,
        requested_by: raw.requested_by.map(Spanned::into_inner),
        allow,
        deny_warnings,
        max_port_range,
    })
}

/// The team settings for every folder of `files`, each folder's found once:
/// (folder, team). An invalid team file stops the command: `check` shows why.
pub fn for_files(files: &[PathBuf]) -> anyhow::Result<Vec<(PathBuf, Team)>> {
    let mut out: Vec<(PathBuf, Team)> = Vec::new();
    let mut loaded: Vec<(PathBuf, Team)> = Vec::new();
    for file in files {
        let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
        if out.iter().any(|(d, _)| *d == dir) {
            continue;
        }
        let team = match find(&dir) {
            None => Team::default(),
            Some(path) => match loaded.iter().find(|(p, _)| *p == path) {
                Some((_, team)) => team.clone(),
                None => {
                    let (_, team) = load(&path)?;
                    let team = team.map_err(|_| {
                        anyhow::anyhow!("{} has errors; `fwreq check` shows them", path.display())
                    })?;
                    loaded.push((path, team.clone()));
                    team
                }
            },
        };
        out.push((dir, team));
    }
    Ok(out)
}

/// The team of `file` among those `for_files` found.
pub fn of<'a>(teams: &'a [(PathBuf, Team)], file: &Path) -> Option<&'a Team> {
    let dir = file.parent().unwrap_or(Path::new(""));
    teams.iter().find(|(d, _)| d == dir).map(|(_, t)| t)
}

/// The templates folder for a command: `--templates`, else the `fwreq.toml`
/// that governs `near` (a request file or folder), else none (the built-ins).
pub fn templates(given: Option<PathBuf>, near: &Path) -> anyhow::Result<Option<PathBuf>> {
    if given.is_some() {
        return Ok(given);
    }
    let dir = if near.is_dir() {
        near
    } else {
        near.parent().unwrap_or(Path::new(""))
    };
    let Some(path) = find(dir) else {
        return Ok(None);
    };
    let (_, team) = load(&path)?;
    let team = team
        .map_err(|_| anyhow::anyhow!("{} has errors; `fwreq check` shows them", path.display()))?;
    Ok(team.templates)
}
