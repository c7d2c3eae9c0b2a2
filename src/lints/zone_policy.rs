//! Each flow against the team's zones and `[[zone_policy]]` (`zones::Zones::judge`),
//! and sources in no zone. Silent where the team has no zones.

use super::{Context, Found};
use crate::names::Lint;
use crate::policy::service;
use crate::spec::Action;
use crate::zones::{Judgement, Verdict};

declare_lint! {
    ZoneForbidden,
    name: "zone-forbidden",
    level: Deny,
    description: "a flow the team's [[zone_policy]] forbids between its zones",
    example: r#"
# fwreq.toml: [zones] plant-ot = ["10.40.12.0/24"], and a [[zone_policy]]
# from = "plant-ot", to = "internet", verdict = "forbidden"
[[rules]]
sources = ["10.40.12.0/24"]
ports = [443]
destinations = ["updates.example.com"]
"#,
    find: Some(zone_forbidden),
}

declare_lint! {
    ZoneReview,
    name: "zone-review",
    level: Allow,
    description: "a flow no [[zone_policy]] entry pre-approves: needs a security review",
    example: r#"
# fwreq.toml: [zones] plant-k8s = ["10.188.50.0/24"], warn = ["zone-review"],
# and no [[zone_policy]] entry from plant-k8s to internet on tcp 22
[[rules]]
sources = ["10.188.50.0/24"]
ports = [22]
destinations = ["git.example.com"]
"#,
    find: Some(zone_review),
}

declare_lint! {
    UnknownZone,
    name: "unknown-zone",
    level: Warn,
    description: "a source in none of the team's [zones], judged as internet",
    example: r#"
# fwreq.toml: [zones] with no zone holding 192.0.2.0/24
[[rules]]
sources = ["192.0.2.0/24"]
ports = [443]
destinations = ["portal.example.com"]
"#,
    find: Some(unknown_zone),
}

fn zone_forbidden(cx: &Context, found: &mut Found) {
    judged(cx, Verdict::Forbidden, |judged, dest, what| {
        found.warn(
            Lint::ZoneForbidden,
            dest.span.clone(),
            format!(
                "`{}` {what} goes {} -> {}, which {} forbids",
                dest.written,
                judged.from,
                judged.to,
                judged.by.as_deref().unwrap_or("the zone policy")
            ),
            "this flow needs another way (a proxy, a DMZ host), or an exception approved and allowed here with the reason".into(),
        );
    });
}

fn zone_review(cx: &Context, found: &mut Found) {
    judged(cx, Verdict::Review, |judged, dest, what| {
        found.warn(
            Lint::ZoneReview,
            dest.span.clone(),
            format!(
                "`{}` {what} goes {} -> {}, which needs a security review ({})",
                dest.written,
                judged.from,
                judged.to,
                judged
                    .by
                    .as_deref()
                    .unwrap_or("no [[zone_policy]] entry pre-approves it")
            ),
            "attach the review to the ticket, or ask for a [[zone_policy]] entry".into(),
        );
    });
}

/// Each judgement of an allowed flow with `verdict`, with its destination
/// and its service (`tcp/443`). A deny rule closes a path: blocking a
/// forbidden flow is what the policy wants, and closing one needs no review.
fn judged(
    cx: &Context,
    verdict: Verdict,
    mut each: impl FnMut(&Judgement, &crate::request::Destination, &str),
) {
    let zones = &cx.settings.zones;
    if zones.is_empty() {
        return;
    }
    for &(flow, dest) in cx.flows.iter().filter(|(f, _)| f.action == Action::Allow) {
        let what = service(flow.protocol, &flow.ports);
        for judged in zones.judge(flow).iter().filter(|j| j.verdict == verdict) {
            each(judged, dest, &what);
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
