//! Each flow against the team's zones and `[[zone_policy]]` (`zones::Zones::judge`),
//! and sources in no zone. Silent where the team has no zones.

use super::{Context, Found};
use crate::names::Lint;
use crate::policy::service;
use crate::spec::Action;
use crate::zones::Verdict;

declare_lints! {
    /// a flow the team's [[zone_policy]] forbids between its zones
    ///
    /// ```toml
    /// # fwreq.toml: [zones] plant-ot = ["10.40.12.0/24"], and a [[zone_policy]]
    /// # from = "plant-ot", to = "internet", verdict = "forbidden"
    /// [[rules]]
    /// sources = ["10.40.12.0/24"]
    /// ports = [443]
    /// destinations = ["updates.example.com"]
    /// ```
    ZoneForbidden = "zone-forbidden", Deny, Some(zone_forbidden);

    /// a flow no [[zone_policy]] entry pre-approves: needs a security review
    ///
    /// ```toml
    /// # fwreq.toml: [zones] plant-k8s = ["10.188.50.0/24"], warn = ["zone-review"],
    /// # and no [[zone_policy]] entry from plant-k8s to internet on tcp 22
    /// [[rules]]
    /// sources = ["10.188.50.0/24"]
    /// ports = [22]
    /// destinations = ["git.example.com"]
    /// ```
    ZoneReview = "zone-review", Allow, Some(zone_review);

    /// a source in none of the team's [zones], judged as internet
    ///
    /// ```toml
    /// # fwreq.toml: [zones] with no zone holding 192.0.2.0/24
    /// [[rules]]
    /// sources = ["192.0.2.0/24"]
    /// ports = [443]
    /// destinations = ["portal.example.com"]
    /// ```
    UnknownZone = "unknown-zone", Warn, Some(unknown_zone);
}

fn zone_forbidden(cx: &Context, found: &mut Found) {
    judged(cx, Lint::ZoneForbidden, found);
}

fn zone_review(cx: &Context, found: &mut Found) {
    judged(cx, Lint::ZoneReview, found);
}

/// Warns `zone-forbidden` or `zone-review` (`lint`) for each judgement of an
/// allowed flow with that verdict, naming the destination and its service
/// (`tcp/443`). A deny rule closes a path: blocking a forbidden flow is what
/// the policy wants, and closing one needs no review.
fn judged(cx: &Context, lint: Lint, found: &mut Found) {
    let zones = &cx.settings.zones;
    if zones.is_empty() {
        return;
    }
    for &(flow, dest) in cx.flows.iter().filter(|(f, _)| f.action == Action::Allow) {
        let what = service(flow.protocol, &flow.ports);
        for judged in zones.judge(flow) {
            let by = judged.by.as_ref().map(ToString::to_string);
            let (said, help) = match (lint, judged.verdict) {
                (Lint::ZoneForbidden, Verdict::Forbidden) => (
                    format!(
                        "which {} forbids",
                        by.as_deref().unwrap_or("the zone policy")
                    ),
                    "this flow needs another way (a proxy, a DMZ host), or an exception approved and allowed here with the reason",
                ),
                (Lint::ZoneReview, Verdict::Review) => (
                    format!(
                        "which needs a security review ({})",
                        by.as_deref()
                            .unwrap_or("no [[zone_policy]] entry pre-approves it")
                    ),
                    "attach the review to the ticket, or ask for a [[zone_policy]] entry",
                ),
                _ => continue,
            };
            let (from, to) = (&judged.from, &judged.to);
            found.warn(
                lint,
                dest.span.clone(),
                format!("`{}` {what} goes {from} -> {to}, {said}", dest.written),
                help.into(),
            );
        }
    }
}

fn unknown_zone(cx: &Context, found: &mut Found) {
    let zones = &cx.settings.zones;
    if zones.is_empty() {
        return;
    }
    for source in cx.request.rules.iter().flat_map(|rule| &rule.sources) {
        if zones.of_network(&source.value).is_none() {
            found.warn(
                Lint::UnknownZone,
                source.span.clone(),
                format!(
                    "source `{}` is in none of the team's zones: judged as `{}`",
                    source.value,
                    crate::zones::INTERNET
                ),
                "add its network to a zone in fwreq.toml, or correct the source".into(),
            );
        }
    }
}
