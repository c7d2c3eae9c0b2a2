//! The Table-API object: what `POST /api/now/table/{table}` takes, plus the
//! validated request and its checks as data for other automation.

use super::{Ticket, servicenow};
use crate::flows::RuleChecks;
use crate::request::Request;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct TableApi<'a> {
    /// The title: ServiceNow's short description.
    pub short_description: &'a str,
    /// Exactly the Markdown body (a plain multi-line field).
    pub description: &'a str,
    /// The `[code]` fragment, for the Work notes journal field.
    pub work_notes: String,
    pub request: &'a Request,
    pub checks: &'a [RuleChecks],
}

pub fn table_api(ticket: &Ticket) -> TableApi<'_> {
    TableApi {
        short_description: &ticket.request.title,
        description: &ticket.markdown,
        work_notes: servicenow::work_notes(&ticket.markdown),
        request: &ticket.request,
        checks: &ticket.checks,
    }
}

pub fn to_string<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}
