//! Output formats after Markdown: the rendered Markdown body is the one source
//! of truth, and every other form (an HTML page, a `[code]` fragment for
//! ServiceNow journal fields, Table-API JSON) is derived from it through
//! pulldown-cmark, so no second set of templates can drift from it.
//!
//! Text from a spec never becomes markup here: raw HTML is shown as text, and
//! links other than http, https and mailto lose their target (see `html`).

pub mod html;
pub mod json;
pub mod servicenow;

use crate::flows::RuleChecks;
use crate::render::Renderer;
use crate::request::Request;

/// What `fwreq render --format` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The Markdown body, for the description field (the default)
    Markdown,
    /// One self-contained HTML page: offline, light and dark, print, copy buttons
    Html,
    /// An HTML fragment in [code]...[/code], for Work notes or Additional comments
    Servicenow,
    /// One object for the Table API: short_description, description, work_notes, and the request as data
    Json,
}

/// One request, rendered to Markdown, ready for any format.
pub struct Ticket {
    pub request: Request,
    pub checks: Vec<RuleChecks>,
    pub markdown: String,
}

impl Ticket {
    /// Plans a valid request's checks and renders its Markdown body.
    pub fn new(request: Request, renderer: &Renderer) -> anyhow::Result<Self> {
        let checks = crate::flows::plan(&request);
        let markdown = renderer
            .ticket(&request, &checks)
            .map_err(|e| anyhow::anyhow!("{}", crate::render::explain(&e)))?;
        Ok(Ticket {
            request,
            checks,
            markdown,
        })
    }
}

/// The ticket in `format`.
pub fn convert(format: Format, ticket: &Ticket, renderer: &Renderer) -> anyhow::Result<String> {
    Ok(match format {
        Format::Markdown => ticket.markdown.clone(),
        Format::Html => html::page(renderer, html::Page::of(ticket))?,
        Format::Servicenow => servicenow::work_notes(&ticket.markdown) + "\n",
        Format::Json => json::to_string(&json::table_api(ticket))?,
    })
}
