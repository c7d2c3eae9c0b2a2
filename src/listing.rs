//! One request as a row: what `list`, `expiring` and `site`'s index show of
//! it (path, title, numbers, dates, counts, zones), and the order they
//! share. Plain data, made from a validated request or a file's first error.

use crate::diagnostic::Source;
use crate::request::Request;
use crate::spec::Status;
use crate::team::Team;
use crate::zones::Judgement;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::path::Path;

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

/// The columns the teams' `list-columns` add (name, label), each once, in
/// the order the team files give.
pub fn columns(teams: &[Team]) -> Vec<FieldColumn> {
    let mut columns: Vec<FieldColumn> = Vec::new();
    for team in teams {
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
    /// A valid request's row; `flows` as [`crate::flows::count`] gives them.
    pub fn of(source: &Source, request: &Request, flows: usize, judged: &[Vec<Judgement>]) -> Self {
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
            flows,
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

    /// A RITM but still a draft (no status, or `draft`): the request was
    /// filed and its status never recorded.
    pub fn filed_as_draft(&self) -> bool {
        self.ritm.is_some() && self.status == Some(Status::Draft)
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

    /// The text of field `name`, or `-`.
    pub fn field_text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.text.clone())
            .unwrap_or_else(|| "-".into())
    }
}

/// Newest first by submission; undated (and broken) ones after, by path.
pub fn newest_first<T: Ord>(a: (&Option<T>, &str), b: (&Option<T>, &str)) -> std::cmp::Ordering {
    b.0.is_some()
        .cmp(&a.0.is_some())
        .then_with(|| b.0.cmp(a.0))
        .then_with(|| a.1.cmp(b.1))
}
