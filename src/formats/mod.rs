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

use crate::change::{Change, Flow};
use crate::flows::RuleChecks;
use crate::render::{Renderer, TemplateError};
use crate::request::Request;
use crate::zones::{Judgement, Zones};
use serde::Serialize;

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

/// What a ticket asks of the firewall team, as data: templates render it,
/// and the JSON format carries it beside the Markdown.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Kind {
    /// A new request: the checks that prove each rule, and each rule's zones
    /// and verdicts when the team has zones (else empty).
    Request {
        checks: Vec<RuleChecks>,
        zones: Vec<Vec<Judgement>>,
    },
    /// What a new revision changes against an old one (`since`: a git revision or a file).
    Change {
        since: String,
        old: Box<Request>,
        change: Change,
        /// The team's fields whose value differs from the old revision's.
        fields_changed: Vec<crate::fields::FieldChange>,
    },
    /// A temporary request kept open longer: its `expires` moved from
    /// `previous` to `until`, for `reason`; the flows that stay open.
    Renewal {
        previous: Option<chrono::NaiveDate>,
        until: chrono::NaiveDate,
        reason: String,
        allowed: Vec<Flow>,
        denied: Vec<Flow>,
    },
    /// Every flow of a request, to take out (or recertify), judged as of `today`.
    Removal {
        today: chrono::NaiveDate,
        expired: bool,
        allowed: Vec<Flow>,
        denied: Vec<Flow>,
    },
}

impl Kind {
    /// A new request's ticket, judged against the team's zones.
    pub fn request(request: &Request, zones: &Zones) -> Self {
        Kind::Request {
            checks: crate::flows::plan(request),
            zones: crate::zones::of_rules(zones, request),
        }
    }

    /// The change ticket from `old` (as it stood at `since`) to `new`.
    pub fn change(old: Request, new: &Request, since: String, zones: &Zones) -> Self {
        Kind::Change {
            change: crate::change::compare(&old, new, zones),
            fields_changed: crate::fields::changes(&old, new),
            since,
            old: Box::new(old),
        }
    }

    /// The renewal ticket of a request whose `expires` moved from `previous`.
    pub fn renewal(
        request: &Request,
        previous: Option<chrono::NaiveDate>,
        reason: String,
        zones: &Zones,
    ) -> Option<Self> {
        let (allowed, denied) = crate::change::all_flows(request, zones);
        Some(Kind::Renewal {
            previous,
            until: request.expires?,
            reason,
            allowed,
            denied,
        })
    }

    /// The removal ticket of a request, as of `today`.
    pub fn removal(request: &Request, today: chrono::NaiveDate, zones: &Zones) -> Self {
        let (allowed, denied) = crate::change::all_flows(request, zones);
        Kind::Removal {
            today,
            expired: request.expires.is_some_and(|e| e < today),
            allowed,
            denied,
        }
    }
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
pub fn convert(format: Format, ticket: &Ticket, renderer: &Renderer) -> anyhow::Result<String> {
    Ok(match format {
        Format::Markdown => ticket.markdown.clone(),
        Format::Html => html::page(renderer, html::Page::of(ticket))?,
        Format::Servicenow => servicenow::work_notes(&ticket.markdown) + "\n",
        Format::Json => json::to_string(&json::table_api(ticket))?,
    })
}
