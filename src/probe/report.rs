//! Probe results as evidence: a Markdown table for the ticket's work notes,
//! plain text for a terminal, JSON for scripts.

use super::{Expect, Probe, Verdict};
use crate::spec::Action;
use std::fmt::Write as _;
use std::time::Duration;

/// What the evidence is about, printed above the table.
#[derive(Debug, Clone)]
pub struct Header {
    pub title: String,
    pub ritm: Option<String>,
    pub req: Option<String>,
    /// The probing host's name.
    pub from: String,
    /// When the probe started, `YYYY-MM-DD HH:MM:SS UTC`.
    pub at: String,
    pub expect: Expect,
    pub timeout: Duration,
}

/// Output format of `probe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Markdown table to paste into the ticket
    Md,
    /// Aligned columns for a terminal
    Text,
    /// An array of objects: destination, host, port, protocol, address, result, millis
    Json,
}

pub fn render(format: Format, header: &Header, rows: &[Probe]) -> String {
    match format {
        Format::Md => markdown(header, rows),
        Format::Text => text(header, rows),
        Format::Json => {
            serde_json::to_string_pretty(rows).map_or_else(|e| format!("{e}\n"), |j| j + "\n")
        }
    }
}

/// `n of m flows as expected`, and what was skipped.
pub fn summary(header: &Header, rows: &[Probe]) -> String {
    let judged: Vec<bool> = rows
        .iter()
        .filter_map(|r| r.as_expected(header.expect))
        .collect();
    let ok = judged.iter().filter(|m| **m).count();
    let skipped = rows.len() - judged.len();
    let mut s = format!("{ok} of {} flows as expected", judged.len());
    if ok < judged.len() {
        let _ = write!(s, ", {} not", judged.len() - ok);
    }
    if skipped > 0 {
        let _ = write!(s, "; {skipped} skipped");
    }
    s
}

/// What was expected, in words: `open`, or `open (deny rules: blocked)`.
fn expectation(header: &Header, rows: &[Probe]) -> String {
    let word = |e: Expect| match e {
        Expect::Open => "open",
        Expect::Blocked => "blocked",
    };
    let mut text = word(header.expect).to_string();
    if rows.iter().any(|r| r.action == Action::Deny) {
        let _ = write!(
            text,
            " (deny rules: {})",
            word(header.expect.for_action(Action::Deny))
        );
    }
    text
}

fn ticket(header: &Header) -> Option<String> {
    match (&header.ritm, &header.req) {
        (Some(ritm), Some(req)) => Some(format!("{ritm} ({req})")),
        (Some(one), None) | (None, Some(one)) => Some(one.clone()),
        (None, None) => None,
    }
}

fn destination(row: &Probe) -> String {
    if row.host == row.destination {
        row.destination.clone()
    } else {
        format!("{} via {}", row.destination, row.host)
    }
}

fn cells(row: &Probe) -> [String; 5] {
    let port = row
        .port
        .map(|p| p.to_string())
        .unwrap_or_else(|| "-".into());
    let address = row
        .address
        .map(|a| a.to_string())
        .unwrap_or_else(|| "-".into());
    let result = match (&row.result, &row.detail) {
        (Verdict::Skipped, Some(why)) => format!("skipped ({why})"),
        (v, _) => v.as_str().to_string(),
    };
    let time = match row.millis {
        Some(0) => "<1 ms".to_string(),
        Some(m) => format!("{m} ms"),
        None => "-".into(),
    };
    [destination(row), port, address, result, time]
}

fn markdown(header: &Header, rows: &[Probe]) -> String {
    let mut out = format!("### Probe: {}\n\n", header.title);
    if let Some(t) = ticket(header) {
        let _ = writeln!(out, "- Request: {t}");
    }
    let _ = writeln!(out, "- From: {}", header.from);
    let _ = writeln!(out, "- At: {}", header.at);
    let _ = writeln!(
        out,
        "- Expected: {} (timeout {} ms per flow)",
        expectation(header, rows),
        header.timeout.as_millis()
    );
    out.push_str("\n| Destination | Port | Address | Result | Time |\n|---|---|---|---|---|\n");
    for row in rows {
        let [dest, port, address, result, time] = cells(row);
        let code = |s: &str| {
            if s == "-" {
                s.to_string()
            } else {
                format!("`{s}`")
            }
        };
        let _ = writeln!(
            out,
            "| {} | {port} | {} | {result} | {time} |",
            code(&dest),
            code(&address)
        );
    }
    let _ = writeln!(out, "\n{}.", summary(header, rows));
    out
}

fn text(header: &Header, rows: &[Probe]) -> String {
    let mut table = vec![[
        "DESTINATION".to_string(),
        "PORT".into(),
        "ADDRESS".into(),
        "RESULT".into(),
        "TIME".into(),
    ]];
    table.extend(rows.iter().map(cells));
    let widths: Vec<usize> = (0..5)
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!(
        "{} (from {}, {}; expected {})\n",
        header.title,
        header.from,
        header.at,
        expectation(header, rows)
    );
    for row in &table {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    let _ = writeln!(out, "{}", summary(header, rows));
    out
}
