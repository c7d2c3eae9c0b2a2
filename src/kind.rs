//! What a ticket asks of the firewall team, as data: a new request, a
//! change, a removal or a renewal. `render` fills a template from it and
//! `formats` carries it beside the Markdown; it lives apart from both so
//! that neither imports the other's stage backwards.

use crate::change::{Change, TicketFlow};
use crate::flows::RuleChecks;
use crate::request::Request;
use crate::zones::{Judgement, Zones};
use serde::Serialize;

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
        allowed: Vec<TicketFlow>,
        denied: Vec<TicketFlow>,
    },
    /// Every flow of a request, to take out (or recertify), judged as of `today`.
    Removal {
        today: chrono::NaiveDate,
        expired: bool,
        allowed: Vec<TicketFlow>,
        denied: Vec<TicketFlow>,
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
