//! The Table-API object: what `POST /api/now/table/{table}` takes, plus the
//! validated request and what the ticket asks (checks, or the flows a change
//! or removal touches) as data for other automation.

use super::{Kind, Ticket, servicenow};
use crate::request::Request;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(crate) struct TableApi<'a> {
    /// The title: ServiceNow's short description.
    pub short_description: &'a str,
    /// Exactly the Markdown body (a plain multi-line field).
    pub description: &'a str,
    /// The `[code]` fragment, for the Work notes journal field.
    pub work_notes: String,
    pub request: &'a Request,
    /// What the ticket asks, as data: `checks` for a new request; `since`,
    /// `old` and `change` for a change; `allowed` and `denied` for a removal.
    #[serde(flatten)]
    pub kind: &'a Kind,
}

pub(crate) fn table_api(ticket: &Ticket) -> TableApi<'_> {
    TableApi {
        short_description: &ticket.title,
        description: &ticket.markdown,
        work_notes: servicenow::work_notes(&ticket.markdown),
        request: &ticket.request,
        kind: &ticket.kind,
    }
}

pub(crate) fn to_string<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}
