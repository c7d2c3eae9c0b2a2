//! Verify's evidence: aligned text for a terminal, a Markdown table for the
//! ticket (from `verify.md.j2`), the `[code]` work note made from it, JSON for
//! scripts. Every form carries the same header, rows and summary line.

use super::{Did, Row, Wants};
use crate::evidence::{About, Page, json, text_head};
use crate::render::{Renderer, TemplateError};
use crate::text::plural;
use serde::Serialize;
use std::fmt::Write as _;

/// What the evidence is about.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    #[serde(flatten)]
    pub about: About,
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
    let verb = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let packets = plural(verified, "packet", "packets");
    let mut text = if before {
        format!("{} of {packets} already as the request wants", s.agree)
    } else {
        let agree = verb(s.agree, "agrees", "agree");
        format!("{} of {packets} {agree} with the request", s.agree)
    };
    let _ = match (before, s.differ) {
        (true, 0) => write!(text, ": no firewall change needed"),
        (true, n) => write!(
            text,
            ", {n} {} the firewall change",
            verb(n, "needs", "need")
        ),
        (false, 0) => Ok(()),
        (false, n) => write!(text, ", {n} {}", verb(n, "differs", "differ")),
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
    let destination = if row.tested.host == row.tested.destination {
        row.tested.destination.clone()
    } else {
        format!("{} ({})", row.tested.destination, row.tested.host)
    };
    [
        row.tested.rule.to_string(),
        row.tested.protocol.as_str().into(),
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
    let mut lines: Vec<_> = header.about.request_line().into_iter().collect();
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
        Format::Markdown => markdown(header, rows, &summary).markdown(renderer, false)?,
        Format::Servicenow => markdown(header, rows, &summary).markdown(renderer, true)?,
        Format::Text => text(header, rows, &summary),
        Format::Json => json(
            header,
            rows,
            &summary,
            Some(summary_line(&summary, header.before)),
        ),
    })
}

/// The Markdown evidence through `verify.md.j2` (a team may override it).
fn markdown<'a>(header: &'a Header, rows: &[Row], summary: &Summary) -> Page<'a, 10> {
    Page {
        template: "verify.md.j2",
        title: &header.about.title,
        header: header_lines(header, rows),
        columns: COLUMNS,
        rows: rows.iter().map(|row| cells(row, header)).collect(),
        code_columns: &CODE_COLUMNS,
        summary: summary_line(summary, header.before),
    }
}

fn text(header: &Header, rows: &[Row], summary: &Summary) -> String {
    let mut table = vec![COLUMNS.map(|c| c.to_uppercase()).to_vec()];
    table.extend(rows.iter().map(|r| cells(r, header).to_vec()));
    let mut out = text_head("Verify", &header.about.title, &header_lines(header, rows));
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
            tested: crate::evidence::Tested {
                rule: 1,
                action: Action::Allow,
                protocol: Protocol::Tcp,
                destination: "192.0.2.1".into(),
                host: "192.0.2.1".into(),
            },
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
        let none = Summary {
            packets: 2,
            not_verified: 2,
            ..Summary::default()
        };
        let all = Summary {
            packets: 1,
            agree: 1,
            ..Summary::default()
        };
        for (summary, before, want) in [
            (
                &s,
                false,
                "3 of 4 packets agree with the request, 1 differs; 2 not verified",
            ),
            (
                &s,
                true,
                "3 of 4 packets already as the request wants, 1 needs the firewall change; 2 not verified",
            ),
            (
                &none,
                false,
                "nothing could be verified: 2 packets not verified",
            ),
            (&all, false, "1 of 1 packet agrees with the request"),
            (
                &all,
                true,
                "1 of 1 packet already as the request wants: no firewall change needed",
            ),
        ] {
            assert_eq!(summary_line(summary, before), want);
        }
    }
}
