//! Output formats after Markdown: the rendered Markdown body is the one source
//! of truth, and every other form (an HTML page, a `[code]` fragment for
//! ServiceNow journal fields, Table-API JSON) is derived from it through
//! pulldown-cmark, so no second set of templates can drift from it.
//!
//! Text from a spec never becomes markup here: raw HTML is shown as text, and
//! links other than http, https and mailto lose their target (see `html`).

pub mod html;
pub(crate) mod json;
pub mod servicenow;

pub use crate::kind::Kind;

use crate::flows::RuleChecks;
use crate::render::{Renderer, TemplateError};
use crate::request::Request;
use crate::zones::Zones;

/// What `fwreq render --format` prints (its names and help are in `cli`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The Markdown body, for the description field (the default)
    Markdown,
    /// One self-contained HTML page: offline, light and dark, print, copy buttons
    Html,
    /// An HTML fragment in `[code]...[/code]`, for Work notes or Additional comments
    Servicenow,
    /// One object for the Table API: short_description, description, work_notes, and the request as data
    Json,
}

/// One ticket of any kind, rendered to Markdown, ready for any format.
pub struct Ticket {
    pub request: Request,
    pub kind: Kind,
    /// The short description: the request's title, with `Change: ` or
    /// `Remove: ` before it for those kinds.
    pub title: String,
    pub markdown: String,
}

impl Ticket {
    /// A new request's ticket: its checks planned, its flows judged against
    /// the team's zones, and its body rendered.
    pub fn new(
        request: Request,
        zones: &Zones,
        renderer: &Renderer,
    ) -> Result<Self, TemplateError> {
        let kind = Kind::request(&request, zones);
        Ticket::of(request, kind, renderer)
    }

    /// Renders the body of a ticket of `kind` for `request`.
    pub fn of(request: Request, kind: Kind, renderer: &Renderer) -> Result<Self, TemplateError> {
        let markdown = renderer.ticket(&request, &kind)?;
        let title = match &kind {
            Kind::Request { .. } => request.title.clone(),
            Kind::Change { .. } => format!("Change: {}", request.title),
            Kind::Removal { .. } => format!("Remove: {}", request.title),
            Kind::Renewal { .. } => format!("Renew: {}", request.title),
        };
        Ok(Ticket {
            request,
            kind,
            title,
            markdown,
        })
    }

    /// The checks of a new request's ticket (none for other kinds).
    pub fn checks(&self) -> &[RuleChecks] {
        match &self.kind {
            Kind::Request { checks, .. } => checks,
            Kind::Change { .. } | Kind::Removal { .. } | Kind::Renewal { .. } => &[],
        }
    }
}

/// The ticket in `format`.
pub(crate) fn convert(
    format: Format,
    ticket: &Ticket,
    renderer: &Renderer,
) -> anyhow::Result<String> {
    Ok(match format {
        Format::Markdown => ticket.markdown.clone(),
        Format::Html => html::page(renderer, html::Page::of(ticket))?,
        Format::Servicenow => servicenow::work_notes(&ticket.markdown) + "\n",
        Format::Json => json::to_string(&json::table_api(ticket))?,
    })
}
