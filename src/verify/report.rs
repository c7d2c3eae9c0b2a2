//! Verify's evidence: aligned text for a terminal, a Markdown table for the
//! ticket (from `verify.md.j2`), the `[code]` work note made from it, JSON for
//! scripts. Every form carries the same header, rows and summary line.

use super::{Did, Row, Wants};
use crate::render::{Renderer, TemplateError};
use crate::request::{Req, Ritm};
use crate::text::{markdown_cells, plural};
use serde::Serialize;
use std::fmt::Write as _;

/// What the evidence is about.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub title: String,
    pub ritm: Option<Ritm>,
    pub req: Option<Req>,
    /// The ruleset's file as given (`-`: stdin).
    pub ruleset: String,
    /// The ruleset's base chains, `family table chain (hook)`.
    pub chains: Vec<String>,
    pub fwreq: &'static str,
    pub timeout_ms: u64,
    /// `--before`: a draft's flows against the ruleset as it is.
    pub before: bool,
}

/// Output format of `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal
    Text,
    /// A Markdown table to paste into the ticket
    Markdown,
    /// The same table as HTML in `[code]...[/code]`, for ServiceNow work notes
    Servicenow,
    /// One object: header, rows, summary
    Json,
}

/// The counts behind the closing line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub packets: usize,
    pub agree: usize,
    pub differ: usize,
    /// Flows no packet could be made for, packets not judged or failed.
    pub not_verified: usize,
}

pub fn summarize(rows: &[Row]) -> Summary {
    Summary {
        packets: rows.len(),
        agree: rows.iter().filter(|r| r.agrees == Some(true)).count(),
        differ: rows.iter().filter(|r| r.agrees == Some(false)).count(),
        not_verified: rows.iter().filter(|r| r.agrees.is_none()).count(),
    }
}

/// `4 of 5 packets agree with the request, 1 differs; 2 not verified`.
pub fn summary_line(s: &Summary, before: bool) -> String {
    let verified = s.agree + s.differ;
    if verified == 0 {
        return format!(
            "nothing could be verified: {} not verified",
            plural(s.not_verified, "packet", "packets")
        );
    }
    let mut text = if before {
        let mut t = format!(
            "{} of {} already as the request wants",
            s.agree,
            plural(verified, "packet", "packets")
        );
        if s.differ > 0 {
            let need = if s.differ == 1 { "needs" } else { "need" };
            let _ = write!(t, ", {} {need} the firewall change", s.differ);
        } else {
            t.push_str(": no firewall change needed");
        }
        t
    } else {
        let agree = if s.agree == 1 { "agrees" } else { "agree" };
        let mut t = format!(
            "{} of {} {agree} with the request",
            s.agree,
            plural(verified, "packet", "packets")
        );
        if s.differ > 0 {
            let differ = if s.differ == 1 { "differs" } else { "differ" };
            let _ = write!(t, ", {} {differ}", s.differ);
        }
        t
    };
    if s.not_verified > 0 {
        let _ = write!(text, "; {} not verified", s.not_verified);
    }
    text
}

const COLUMNS: [&str; 10] = [
    "Rule",
    "Protocol",
    "Destination",
    "Source",
    "Address",
    "Port",
    "Request",
    "Ruleset",
    "Verdict",
    "Passed",
];

/// Columns shown as code in Markdown: names and addresses.
const CODE_COLUMNS: [usize; 3] = [2, 3, 4];

fn wants(w: Wants) -> String {
    match w {
        Wants::Allowed(rule) => format!("allowed (rule {rule})"),
        Wants::Denied(rule) => format!("denied (rule {rule})"),
        Wants::NotThisRequest => "not this request's".into(),
    }
}

fn did(d: &Did, timeout_ms: u64) -> String {
    match d {
        Did::Answered => "answered".into(),
        Did::Rejected(how) => format!("rejected ({how})"),
        Did::Dropped => format!("dropped (no answer in {timeout_ms} ms)"),
        Did::NotVerifiable(why) => format!("not verifiable: {why}"),
        Did::NotJudged(_) => "not judged".into(),
        Did::Failed(why) => format!("failed in the namespace: {why}"),
    }
}

fn verdict(row: &Row, before: bool) -> String {
    let allowed = matches!(row.wants, Wants::Allowed(_));
    match (row.agrees, before) {
        (None, _) => "-".into(),
        (Some(true), false) => "agrees".into(),
        (Some(false), false) if allowed => "DIFFERS: blocked".into(),
        (Some(false), false) => "DIFFERS: open".into(),
        (Some(true), true) if allowed => "already allowed: no firewall change needed".into(),
        (Some(true), true) => "already denied: no firewall change needed".into(),
        (Some(false), true) if allowed => "not yet allowed: needs the change".into(),
        (Some(false), true) => "not yet denied: needs the change".into(),
    }
}

fn cells(row: &Row, header: &Header) -> [String; 10] {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let destination = if row.host == row.destination {
        row.destination.clone()
    } else {
        format!("{} ({})", row.destination, row.host)
    };
    [
        row.rule.to_string(),
        row.protocol.as_str().into(),
        destination,
        opt(row.source.map(|a| a.to_string())),
        opt(row.address.map(|a| a.to_string())),
        opt(row.port.map(|p| p.to_string())),
        wants(row.wants),
        did(&row.did, header.timeout_ms),
        verdict(row, header.before),
        opt(row.passed.clone()),
    ]
}

/// The header as `label: value` lines, shared by every format.
fn header_lines(header: &Header, rows: &[Row]) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    match (&header.ritm, &header.req) {
        (Some(ritm), Some(req)) => lines.push(("Request".into(), format!("{ritm} ({req})"))),
        (Some(ritm), None) => lines.push(("Request".into(), ritm.to_string())),
        (None, Some(req)) => lines.push(("Request".into(), req.to_string())),
        (None, None) => {}
    }
    lines.push(("Ruleset".into(), header.ruleset.clone()));
    if !header.chains.is_empty() {
        lines.push(("Base chains".into(), header.chains.join(", ")));
    }
    lines.push((
        "How".into(),
        format!(
            "real packets through the ruleset in namespaces of their own (fwreq {}, {} ms per packet)",
            header.fwreq, header.timeout_ms
        ),
    ));
    let mut why: Vec<&str> = rows
        .iter()
        .filter_map(|r| match &r.did {
            Did::NotJudged(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    why.dedup();
    for reason in why {
        lines.push(("Not judged".into(), reason.to_string()));
    }
    lines
}

/// The evidence in `format`.
pub fn render(
    renderer: &Renderer,
    format: Format,
    header: &Header,
    rows: &[Row],
) -> Result<String, TemplateError> {
    let summary = summarize(rows);
    Ok(match format {
        Format::Markdown => markdown(renderer, header, rows, &summary)?,
        Format::Servicenow => {
            crate::formats::servicenow::work_notes(&markdown(renderer, header, rows, &summary)?)
                + "\n"
        }
        Format::Text => text(header, rows, &summary),
        Format::Json => {
            #[derive(Serialize)]
            struct Evidence<'a> {
                header: &'a Header,
                rows: &'a [Row],
                summary: &'a Summary,
                summary_line: String,
            }
            let evidence = Evidence {
                header,
                rows,
                summary: &summary,
                summary_line: summary_line(&summary, header.before),
            };
            serde_json::to_string_pretty(&evidence).map_or_else(|e| format!("{e}\n"), |j| j + "\n")
        }
    })
}

fn markdown(
    renderer: &Renderer,
    header: &Header,
    rows: &[Row],
    summary: &Summary,
) -> Result<String, TemplateError> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| markdown_cells(cells(row, header), &CODE_COLUMNS))
        .collect();
    renderer.page(
        "verify.md.j2",
        minijinja::context! {
            title => &header.title,
            header => header_lines(header, rows),
            columns => COLUMNS,
            rows => cells,
            summary => summary_line(summary, header.before),
        },
    )
}

fn text(header: &Header, rows: &[Row], summary: &Summary) -> String {
    let mut table = vec![COLUMNS.map(|c| c.to_uppercase()).to_vec()];
    table.extend(rows.iter().map(|r| cells(r, header).to_vec()));
    let mut out = format!("Verify: {}\n", crate::diagnostic::escape(&header.title));
    for (label, value) in header_lines(header, rows) {
        let _ = writeln!(out, "{label}: {}", crate::diagnostic::escape(&value));
    }
    out.push('\n');
    out.push_str(&crate::text::aligned(&table));
    let _ = writeln!(out, "\n{}", summary_line(summary, header.before));
    out
}

#[cfg(test)]
mod tests {
    use super::{Summary, summary_line, verdict};
    use crate::spec::{Action, Protocol};
    use crate::verify::{Did, Row, Wants};

    /// Each verdict's words, after the change and before it (`--before`),
    /// for allowed and denied packets alike.
    #[test]
    fn a_verdict_says_what_the_firewall_must_still_do() {
        let row = |wants, agrees| Row {
            rule: 1,
            action: Action::Allow,
            protocol: Protocol::Tcp,
            destination: "192.0.2.1".into(),
            host: "192.0.2.1".into(),
            source: None,
            address: None,
            port: None,
            wants,
            did: Did::Answered,
            agrees,
            passed: None,
        };
        let (allowed, denied) = (Wants::Allowed(1), Wants::Denied(2));
        let cases = [
            (
                allowed,
                Some(true),
                "agrees",
                "already allowed: no firewall change needed",
            ),
            (
                allowed,
                Some(false),
                "DIFFERS: blocked",
                "not yet allowed: needs the change",
            ),
            (
                denied,
                Some(true),
                "agrees",
                "already denied: no firewall change needed",
            ),
            (
                denied,
                Some(false),
                "DIFFERS: open",
                "not yet denied: needs the change",
            ),
            (allowed, None, "-", "-"),
        ];
        for (wants, agrees, after, before) in cases {
            assert_eq!(verdict(&row(wants, agrees), false), after);
            assert_eq!(verdict(&row(wants, agrees), true), before);
        }
    }

    #[test]
    fn the_summary_line_counts_agreeing_differing_and_unverified_packets() {
        let s = Summary {
            packets: 6,
            agree: 3,
            differ: 1,
            not_verified: 2,
        };
        assert_eq!(
            summary_line(&s, false),
            "3 of 4 packets agree with the request, 1 differs; 2 not verified"
        );
        assert_eq!(
            summary_line(&s, true),
            "3 of 4 packets already as the request wants, 1 needs the firewall change; 2 not verified"
        );
        let none = Summary {
            packets: 2,
            not_verified: 2,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&none, false),
            "nothing could be verified: 2 packets not verified"
        );
        let all = Summary {
            packets: 1,
            agree: 1,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&all, false),
            "1 of 1 packet agrees with the request"
        );
        assert_eq!(
            summary_line(&all, true),
            "1 of 1 packet already as the request wants: no firewall change needed"
        );
    }
}
