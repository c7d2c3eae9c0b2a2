//! `fwreq list` and `fwreq expiring`: one row per request below the given
//! folders, newest first; invalid files are listed with their first error.

use super::{newest_first, print_stdout};
use crate::cli::{ExpiringArgs, ListArgs, ListFormat};
use crate::diagnostic::Source;
use crate::flows::RuleChecks;
use crate::input::{self, Loaded};
use crate::request::Request;
use crate::spec::Status;
use crate::team::Teams;
use crate::text::days_away;
use crate::zones::{self, Judgement};
use crate::{Outcome, flows};
use anyhow::bail;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One request as `list` shows it (read back from `site`'s manifest too).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Row {
    pub path: String,
    pub title: String,
    pub ritm: Option<String>,
    pub req: Option<String>,
    pub status: Option<Status>,
    /// As written: local time, or with its offset (`2026-11-26 10:00:00-05:00`).
    pub submitted: Option<String>,
    /// The instant it stands for, to sort by (local time is this machine's).
    #[serde(skip)]
    pub instant: Option<DateTime<Utc>>,
    pub expires: Option<NaiveDate>,
    pub rules: usize,
    pub flows: usize,
    /// Each distinct zone pair and verdict of its flows (empty without team zones).
    pub zones: Vec<String>,
    /// The first error of an invalid file (`PATH:LINE:COL: message`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The team's request fields, as the request's JSON has them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldCell>,
}

/// A team field of a request: its name, label, value and the value as a
/// reader sees it (`text`), as `render --format json` has it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FieldCell {
    pub name: String,
    pub label: String,
    pub value: serde_json::Value,
    pub text: Option<String>,
}

/// A column a team's `list-columns` adds: the field's name and label.
pub type FieldColumn = (String, String);

/// The columns a team's `list-columns` adds (name, label), across the teams
/// of the requests listed, each once, in the order the team files give.
pub fn columns(teams: &Teams) -> Vec<FieldColumn> {
    let mut columns: Vec<FieldColumn> = Vec::new();
    for team in teams.all() {
        for name in &team.list_columns {
            if let Some(d) = team.fields.get(name)
                && !columns.iter().any(|(n, _)| n == name)
            {
                columns.push((name.clone(), d.label.clone()));
            }
        }
    }
    columns
}

impl Row {
    /// The text of field `name`, or `-`.
    fn field_text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.text.clone())
            .unwrap_or_else(|| "-".into())
    }
}

impl Row {
    pub fn of(
        source: &Source,
        request: &Request,
        plan: &[RuleChecks],
        judged: &[Vec<Judgement>],
    ) -> Self {
        let mut zones: Vec<String> = Vec::new();
        for text in judged.iter().flatten().map(Judgement::describe) {
            if !zones.contains(&text) {
                zones.push(text);
            }
        }
        Row {
            path: source.path().display().to_string(),
            title: request.title.clone(),
            ritm: request.ritm.as_ref().map(ToString::to_string),
            req: request.req.as_ref().map(ToString::to_string),
            status: Some(request.status),
            submitted: request.submitted.map(|s| s.to_string()),
            instant: request.submitted.and_then(|s| s.instant()),
            expires: request.expires,
            rules: request.rules.len(),
            flows: flows::count(plan),
            zones,
            error: None,
            fields: request
                .fields
                .iter()
                .map(|f| FieldCell {
                    name: f.name.clone(),
                    label: f.label.clone(),
                    value: serde_json::to_value(&f.value).unwrap_or_default(),
                    text: f.value.as_ref().map(ToString::to_string),
                })
                .collect(),
        }
    }

    /// A file that could not be read or is not a valid request.
    pub fn invalid(file: &Path, error: Option<String>) -> Self {
        Row {
            path: file.display().to_string(),
            title: String::new(),
            ritm: None,
            req: None,
            status: None,
            submitted: None,
            instant: None,
            expires: None,
            rules: 0,
            flows: 0,
            zones: Vec::new(),
            error,
            fields: Vec::new(),
        }
    }
}

/// Every request below `paths`, newest first (by submitted; undated after,
/// by path), with the columns their teams add.
fn rows(paths: &[PathBuf]) -> anyhow::Result<(Vec<Row>, Vec<FieldColumn>)> {
    let (files, errors) = input::request_files(paths);
    if let Some(err) = errors.into_iter().next() {
        return Err(err);
    }
    let teams = super::teams(Teams::find(&files)?).valid()?;
    // Every file on every core; the order is settled by the sort below.
    let mut rows = super::map_files(&files, |file| {
        // An unreadable file is a row with its error, like an invalid one.
        let team = teams.of(file);
        match input::load(file) {
            Ok(Loaded { request, source }) => match request.and_then(|r| team.complete(r)) {
                Ok(request) => {
                    let judged = zones::of_rules(&team.zones, &request);
                    Row::of(&source, &request, &flows::plan(&request), &judged)
                }
                Err(diags) => Row::invalid(file, diags.first().map(|d| first_line(&source, d))),
            },
            Err(err) => Row::invalid(file, Some(format!("{err:#}"))),
        }
    });
    rows.sort_by(|a, b| newest_first((&a.instant, &a.path), (&b.instant, &b.path)));
    Ok((rows, columns(&teams)))
}

/// A path as one shell word: as it is when plain, else in single quotes.
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-+:@".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn first_line(source: &Source, diag: &crate::diagnostic::Diagnostic) -> String {
    let text = crate::diagnostic::render(source, diag, crate::diagnostic::Style { color: false });
    text.lines().next().unwrap_or("").to_string()
}

/// An extra column: its heading and how to fill it.
type Column<'a> = (&'a str, &'a dyn Fn(&Row) -> String);

/// Aligned columns, then the team's `list-columns`; an invalid file shows
/// its first error in place of the title.
fn table(rows: &[Row], columns: &[FieldColumn], extra: Option<Column>) -> String {
    let mut lines: Vec<Vec<String>> = vec![
        [
            "PATH",
            "TITLE",
            "RITM",
            "REQ",
            "STATUS",
            "SUBMITTED",
            "EXPIRES",
            "RULES",
            "FLOWS",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    lines[0].extend(columns.iter().map(|(_, label)| label.to_uppercase()));
    if let Some((name, _)) = extra {
        lines[0].push(name.to_string());
    }
    for r in rows {
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let mut line = vec![
            r.path.clone(),
            match &r.error {
                Some(e) => format!("(invalid) {e}"),
                None => r.title.clone(),
            },
            opt(&r.ritm),
            opt(&r.req),
            r.status.map_or("-", Status::as_str).to_string(),
            opt(&r.submitted),
            r.expires.map_or_else(|| "-".into(), |d| d.to_string()),
            r.rules.to_string(),
            r.flows.to_string(),
        ];
        line.extend(columns.iter().map(|(name, _)| r.field_text(name)));
        if let Some((_, cell)) = extra {
            line.push(cell(r));
        }
        // Paths, titles and errors come from users' files and names.
        lines.push(
            line.iter()
                .map(|cell| crate::diagnostic::escape(cell).into_owned())
                .collect(),
        );
    }
    crate::text::aligned(&lines)
}

pub fn list(args: ListArgs) -> anyhow::Result<Outcome> {
    let (mut rows, columns) = rows(&args.paths)?;
    if let Some(status) = args.status {
        // An invalid file has no status to match: it may be one of them.
        rows.retain(|r| r.status == Some(status) || r.error.is_some());
    }
    match args.format {
        ListFormat::Table => print_stdout(&table(&rows, &columns, None))?,
        ListFormat::Json => print_stdout(&(serde_json::to_string_pretty(&rows)? + "\n"))?,
    }
    Ok(if rows.iter().any(|r| r.error.is_some()) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

pub fn expiring(args: ExpiringArgs) -> anyhow::Result<Outcome> {
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let Some(horizon) = today.checked_add_days(chrono::Days::new(u64::from(args.within))) else {
        bail!("--within {} days is too far", args.within);
    };
    let (mut rows, columns) = rows(&args.paths)?;
    // Rejected and withdrawn requests were never opened: nothing to remove.
    // An invalid file stays: its `expires` may be past.
    rows.retain(|r| {
        r.error.is_some()
            || (r.expires.is_some_and(|e| e <= horizon)
                && !matches!(r.status, Some(Status::Rejected | Status::Withdrawn)))
    });
    rows.sort_by(|a, b| {
        (a.error.is_some(), a.expires, &a.path).cmp(&(b.error.is_some(), b.expires, &b.path))
    });
    let invalid = rows.iter().filter(|r| r.error.is_some()).count();
    let when = |r: &Row| match r.expires {
        Some(e) if e < today => format!("expired {}", days_away((e - today).num_days())),
        Some(e) => days_away((e - today).num_days()),
        None => String::new(),
    };
    let past = rows
        .iter()
        .filter(|r| r.expires.is_some_and(|e| e < today))
        .count();
    match args.format {
        ListFormat::Table => {
            print_stdout(&table(&rows, &columns, Some(("WHEN", &when))))?;
            // What to do with each: keep it open longer, or take it out.
            for r in rows.iter().filter(|r| r.error.is_none()) {
                // Escaped like every cell of the table: a path reaches no terminal raw.
                let file = crate::diagnostic::escape(&shell_word(&r.path)).into_owned();
                eprintln!(
                    "{}: fwreq renew {file} --until YYYY-MM-DD --reason \"...\", or fwreq render {file} --removal",
                    crate::diagnostic::escape(&r.path)
                );
            }
            eprintln!(
                "{} expired, {} expiring within {} days{} (as of {today})",
                crate::text::plural(past, "request", "requests"),
                rows.len() - past - invalid,
                args.within,
                if invalid > 0 {
                    format!(
                        ", {}",
                        crate::text::plural(invalid, "invalid file", "invalid files")
                    )
                } else {
                    String::new()
                }
            );
        }
        ListFormat::Json => print_stdout(&(serde_json::to_string_pretty(&rows)? + "\n"))?,
    }
    Ok(if past > 0 || invalid > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
