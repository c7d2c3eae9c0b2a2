//! Probe results as evidence: a Markdown table for the ticket, a `[code]`
//! fragment for ServiceNow work notes, aligned text for a terminal, JSON for
//! scripts. Every form carries the same header and the same rows.

use super::{Expect, Row, Verdict};
use crate::diagnostic::{Style, escape};
use crate::evidence::{About, Page, json, text_head};
use crate::render::{Renderer, TemplateError};
use crate::spec::Action;
use crate::text::{Give, plural};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// What the evidence is about, printed above the table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Header {
    #[serde(flatten)]
    pub about: About,
    /// The probing host's name.
    pub from: String,
    /// When the probe started, `YYYY-MM-DD HH:MM:SS UTC`.
    pub at: String,
    /// The fwreq version that made the evidence.
    pub fwreq: &'static str,
    pub expect: Expect,
    #[serde(rename = "timeout_ms", serialize_with = "as_millis")]
    pub timeout: Duration,
    #[serde(rename = "dns_timeout_ms", serialize_with = "as_millis")]
    pub dns_timeout: Duration,
    /// Connection attempts at once.
    pub concurrency: usize,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

use crate::evidence::Format;

/// The counts behind the closing line, by flow (rule, destination, port).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub(crate) struct Summary {
    pub flows: usize,
    /// Flows with at least one row tested.
    pub tested: usize,
    /// Tested flows whose every address was as expected.
    pub as_expected: usize,
    pub skipped: usize,
    /// Flows with a failure of this host: no verdict about the firewall.
    pub errors: usize,
    pub interrupted: usize,
    /// Rows sent from an address outside the rule's `sources`.
    pub outside_sources: usize,
}

pub(crate) fn summarize(expect: Expect, rows: &[Row]) -> Summary {
    let mut flows: BTreeMap<usize, Vec<&Row>> = BTreeMap::new();
    for row in rows {
        flows.entry(row.flow).or_default().push(row);
    }
    let mut s = Summary {
        flows: flows.len(),
        outside_sources: rows
            .iter()
            .filter(|r| r.source_in_rule == Some(false))
            .count(),
        ..Summary::default()
    };
    for rows in flows.values() {
        if rows.iter().all(|r| r.result == Verdict::Skipped) {
            s.skipped += 1;
            continue;
        }
        s.tested += 1;
        if rows.iter().any(|r| r.result == Verdict::Error) {
            s.errors += 1;
        }
        if rows.iter().any(|r| r.result == Verdict::Interrupted) {
            s.interrupted += 1;
        }
        if rows.iter().all(|r| r.as_expected(expect) != Some(false)) {
            s.as_expected += 1;
        }
    }
    s
}

/// `n of m flows as expected`, and what was skipped, failed or interrupted.
pub(crate) fn summary_line(s: &Summary) -> String {
    if s.tested == 0 {
        return format!(
            "nothing could be tested: {} skipped",
            plural(s.skipped, "flow", "flows")
        );
    }
    let mut text = format!(
        "{} of {} as expected",
        s.as_expected,
        plural(s.tested, "flow", "flows")
    );
    if s.as_expected < s.tested {
        let _ = write!(text, ", {} not", s.tested - s.as_expected);
    }
    if s.skipped > 0 {
        let _ = write!(text, "; {} skipped", s.skipped);
    }
    if s.errors > 0 {
        let _ = write!(
            text,
            "; {} failed on this host (no verdict about the firewall)",
            plural(s.errors, "flow", "flows")
        );
    }
    if s.interrupted > 0 {
        let _ = write!(text, "; interrupted, {} unfinished", s.interrupted);
    }
    text
}

/// How the text form meets a terminal: the width its table must fit (none:
/// rows whole, as into a pipe) and whether results are coloured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terminal {
    pub width: Option<usize>,
    pub style: Style,
}

impl Terminal {
    /// Whole rows, no colour: for a pipe, a file or a work note.
    pub const PLAIN: Terminal = Terminal {
        width: None,
        style: Style { color: false },
    };
}

/// The evidence in `format`; Markdown (and the `[code]` made from it) come
/// from a template, so only they can fail. `terminal` shapes the text form.
pub fn render(
    renderer: &Renderer,
    format: Format,
    header: &Header,
    rows: &[Row],
    terminal: Terminal,
) -> Result<String, TemplateError> {
    let summary = summarize(header.expect, rows);
    Ok(match format {
        Format::Markdown => markdown(header, rows, &summary).markdown(renderer, false)?,
        Format::Servicenow => markdown(header, rows, &summary).markdown(renderer, true)?,
        Format::Text => text(header, rows, &summary, terminal),
        Format::Json => json(header, rows, &summary, None),
    })
}

/// What was expected, in words: `open`, or `open (deny rules: blocked)`.
fn expectation(header: &Header, rows: &[Row]) -> String {
    let word = |e: Expect| match e {
        Expect::Open => "open",
        Expect::Blocked => "blocked",
    };
    let mut text = word(header.expect).to_string();
    if rows.iter().any(|r| r.tested.action == Action::Deny) {
        let _ = write!(
            text,
            " (deny rules: {})",
            word(header.expect.for_action(Action::Deny))
        );
    }
    text
}

/// The header as `label: value` lines, shared by every format.
fn header_lines(header: &Header, rows: &[Row], summary: &Summary) -> Vec<(String, String)> {
    let mut lines: Vec<_> = header.about.request_line().into_iter().collect();
    lines.push(("From".into(), header.from.clone()));
    lines.push(("At".into(), header.at.clone()));
    lines.push(("By".into(), format!("fwreq {}", header.fwreq)));
    lines.push((
        "Expected".into(),
        format!(
            "{} (timeout {} ms per connection, {} ms per DNS lookup)",
            expectation(header, rows),
            header.timeout.as_millis(),
            header.dns_timeout.as_millis()
        ),
    ));
    if summary.outside_sources > 0 {
        let mut sources: Vec<String> = rows
            .iter()
            .filter(|r| r.source_in_rule == Some(false))
            .filter_map(|r| r.source.map(|s| s.to_string()))
            .collect();
        sources.sort();
        sources.dedup();
        lines.push((
            "Warning".into(),
            format!(
                "{} left from {}, outside the rule's sources: they show this host's path, not the path from the rule's sources",
                plural(summary.outside_sources, "connection", "connections"),
                match sources.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                    _ => sources.join(""),
                }
            ),
        ));
    }
    lines
}

const COLUMNS: [&str; 10] = [
    "Rule",
    "Action",
    "Protocol",
    "Destination",
    "Tested host",
    "Address",
    "Port",
    "Source",
    "Result",
    "Time",
];

fn cells(row: &Row) -> [String; 10] {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let source = match (row.source, row.source_in_rule) {
        (Some(s), Some(false)) => format!("{s} (outside sources)"),
        (Some(s), _) => s.to_string(),
        (None, _) => "-".into(),
    };
    let result = match &row.detail {
        Some(detail) => format!("{} ({detail})", row.result.as_str()),
        None => row.result.as_str().to_string(),
    };
    let time = match row.millis {
        Some(0) => "<1 ms".to_string(),
        Some(m) => format!("{m} ms"),
        None => "-".into(),
    };
    let action = match row.tested.action {
        Action::Allow => "allow",
        Action::Deny => "deny",
    };
    [
        row.tested.rule.to_string(),
        action.into(),
        row.tested.protocol.as_str().into(),
        row.tested.destination.clone(),
        row.tested.host.clone(),
        opt(row.address.map(|a| a.to_string())),
        opt(row.port.map(|p| p.to_string())),
        source,
        result,
        time,
    ]
}

/// Columns shown as code in Markdown: names and addresses.
const CODE_COLUMNS: [usize; 4] = [3, 4, 5, 7];

/// The Markdown evidence through `probe.md.j2` (a team may override it).
fn markdown<'a>(header: &'a Header, rows: &[Row], summary: &Summary) -> Page<'a, 10> {
    Page {
        template: "probe.md.j2",
        title: &header.about.title,
        header: header_lines(header, rows, summary),
        columns: COLUMNS,
        rows: rows.iter().map(cells).collect(),
        code_columns: &CODE_COLUMNS,
        summary: summary_line(summary),
    }
}

/// How a column of the text table gives way in a narrow terminal: first the
/// source's note (the header's warning says it too) and a result's detail,
/// then the names (the destination and the tested host, the wider first);
/// the rule, action, protocol, address, port and time are never cut.
fn give(column: usize, _roomy: bool) -> Option<Give> {
    let (rank, min) = match column {
        3 | 4 => (1, 12),
        7 => (0, 15),
        8 => (0, 12),
        _ => return None,
    };
    Some(Give {
        rank,
        min,
        keep_end: false,
    })
}

/// Left out, in this order, when the table cannot fit otherwise: the time,
/// the action (the rule's number says it), the protocol (only TCP is
/// probed; the rest are skipped rows).
const LEFT_OUT: [usize; 3] = [9, 1, 2];

/// The column of the result, which is coloured on a terminal.
const RESULT: usize = 8;

/// The SGR colour of a result: green as expected, red not, yellow for what
/// says nothing about the firewall (skipped, this host's error, interrupted).
fn colour(row: &Row, expect: Expect) -> &'static str {
    match (row.result, row.as_expected(expect)) {
        (Verdict::Skipped | Verdict::Error | Verdict::Interrupted, _) => "33",
        (_, Some(true)) => "32",
        _ => "31",
    }
}

fn text(header: &Header, rows: &[Row], summary: &Summary, terminal: Terminal) -> String {
    // Everything from a file, DNS or this host is escaped for the terminal.
    let mut table = vec![COLUMNS.map(|c| c.to_uppercase()).to_vec()];
    table.extend(
        rows.iter()
            .map(|r| cells(r).iter().map(|c| escape(c).into_owned()).collect()),
    );
    let mut out = text_head(
        "Probe",
        &header.about.title,
        &header_lines(header, rows, summary),
    );
    let (shown, table) = crate::text::fit_table(&table, &give, &LEFT_OUT, terminal.width);
    let paint = |r: usize, c: usize, cell: &str| match r.checked_sub(1).and_then(|r| rows.get(r)) {
        Some(row) if shown.get(c) == Some(&RESULT) => {
            terminal.style.paint(colour(row, header.expect), cell)
        }
        _ => cell.to_string(),
    };
    out.push_str(&crate::text::painted(&table, &paint));
    let _ = writeln!(out, "\n{}", summary_line(summary));
    out
}

#[cfg(test)]
mod tests {
    use super::{Summary, summary_line};

    #[test]
    fn the_summary_line_names_every_kind_of_flow() {
        let all = Summary {
            flows: 5,
            tested: 4,
            as_expected: 1,
            skipped: 1,
            errors: 1,
            interrupted: 1,
            outside_sources: 0,
        };
        assert_eq!(
            summary_line(&all),
            "1 of 4 flows as expected, 3 not; 1 skipped; 1 flow failed on this host (no verdict about the firewall); interrupted, 1 unfinished"
        );
        let fine = Summary {
            flows: 2,
            tested: 2,
            as_expected: 2,
            ..Summary::default()
        };
        assert_eq!(summary_line(&fine), "2 of 2 flows as expected");
        let none = Summary {
            flows: 2,
            skipped: 2,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&none),
            "nothing could be tested: 2 flows skipped"
        );
    }
}
