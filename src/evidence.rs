//! What `probe`'s and `verify`'s evidence share: the header's request line,
//! the Markdown page from a team's template (and the `[code]` work note made
//! from it), the text page around a table, and the JSON document. Each
//! report keeps its own columns, cells and summary.

use crate::diagnostic::escape;
use crate::render::{Renderer, TemplateError};
use crate::request::{Req, Request, Ritm};
use crate::spec::{Action, Protocol};
use serde::Serialize;
use std::fmt::Write as _;

/// What every piece of evidence is about: the request's title and tickets.
#[derive(Debug, Clone, Serialize)]
pub struct About {
    pub title: String,
    pub ritm: Option<Ritm>,
    pub req: Option<Req>,
}

impl About {
    pub fn of(request: &Request) -> About {
        About {
            title: request.title.clone(),
            ritm: request.ritm.clone(),
            req: request.req.clone(),
        }
    }

    /// The header's `Request` line, `RITM (REQ)`, when the request has a ticket.
    pub fn request_line(&self) -> Option<(String, String)> {
        let value = match (&self.ritm, &self.req) {
            (Some(ritm), Some(req)) => format!("{ritm} ({req})"),
            (Some(ritm), None) => ritm.to_string(),
            (None, Some(req)) => req.to_string(),
            (None, None) => return None,
        };
        Some(("Request".into(), value))
    }
}

/// What one row of evidence tested: the rule, its action and protocol, the
/// destination as written and the host tested for it (a wildcard's probe or
/// apex, a range's address, or the destination itself).
#[derive(Debug, Clone, Serialize)]
pub struct Tested {
    /// The rule's number in the request, from 1.
    pub rule: usize,
    pub action: Action,
    pub protocol: Protocol,
    pub destination: String,
    pub host: String,
}

/// One piece of evidence as its Markdown template reads it.
pub struct Page<'a, const N: usize> {
    /// The template (`probe.md.j2`, `verify.md.j2`; a team may override it).
    pub template: &'static str,
    pub title: &'a str,
    /// `label: value` lines above the table.
    pub header: Vec<(String, String)>,
    pub columns: [&'static str; N],
    /// Each row's cells; those of `code_columns` (names, addresses) are
    /// shown as code.
    pub rows: Vec<[String; N]>,
    pub code_columns: &'a [usize],
    /// The closing line.
    pub summary: String,
}

impl<const N: usize> Page<'_, N> {
    /// The Markdown page, or (`work_notes`) the `[code]` work note made from
    /// it by the one converter every ticket uses.
    pub fn markdown(self, renderer: &Renderer, work_notes: bool) -> Result<String, TemplateError> {
        let rows: Vec<Vec<String>> = self
            .rows
            .into_iter()
            .map(|row| markdown_cells(row, self.code_columns))
            .collect();
        let page = renderer.page(
            self.template,
            minijinja::context! {
                title => self.title,
                header => self.header,
                columns => self.columns,
                rows => rows,
                summary => self.summary,
            },
        )?;
        Ok(if work_notes {
            crate::formats::servicenow::work_notes(&page) + "\n"
        } else {
            page
        })
    }
}

/// The text page's head: `Kind: title` and the header's `label: value`
/// lines, escaped for the terminal, then a blank line before the table.
pub fn text_head(kind: &str, title: &str, header: &[(String, String)]) -> String {
    let mut out = format!("{kind}: {}\n", escape(title));
    for (label, value) in header {
        let _ = writeln!(out, "{label}: {}", escape(value));
    }
    out.push('\n');
    out
}

/// The evidence as one pretty JSON document and a newline: the header, the
/// rows, the summary's counts and, where the report has one for scripts,
/// its summary line.
pub fn json(
    header: &impl Serialize,
    rows: &[impl Serialize],
    summary: &impl Serialize,
    summary_line: Option<String>,
) -> String {
    #[derive(Serialize)]
    struct Evidence<'a, H, R, S> {
        header: &'a H,
        rows: &'a [R],
        summary: &'a S,
        #[serde(skip_serializing_if = "Option::is_none")]
        summary_line: Option<String>,
    }
    let evidence = Evidence {
        header,
        rows,
        summary,
        summary_line,
    };
    serde_json::to_string_pretty(&evidence).map_or_else(|e| format!("{e}\n"), |j| j + "\n")
}

/// One row of cells as a Markdown table's: `|` escaped, and the first word
/// of each cell in `code` (addresses, ports, hosts) as code; `-` stays plain.
fn markdown_cells(cells: impl IntoIterator<Item = String>, code: &[usize]) -> Vec<String> {
    cells
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let c = c.replace('|', "\\|");
            if code.contains(&i) && c != "-" {
                match c.split_once(' ') {
                    Some((word, rest)) => format!("`{word}` {rest}"),
                    None => format!("`{c}`"),
                }
            } else {
                c
            }
        })
        .collect()
}
