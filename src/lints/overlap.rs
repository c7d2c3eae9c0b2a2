//! Allow and deny rules that overlap: `allow-deny-overlap` (traffic one
//! rule allows and another denies) and `allow-covered-by-denies` (an allowed
//! destination that several deny rules deny all of between them).

use super::{Context, Found};
use crate::names::Lint;
use crate::policy::{Flow, service};
use crate::request::{Destination, Network, Span};
use crate::spec::{Action, Protocol};

declare_lints! {
    /// one rule allows and another denies overlapping traffic (the same or a covering destination, a shared port, protocol and source): the deny wins only while the firewall keeps it first
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = ["203.0.113.0/24"]
    ///
    /// [[rules]]
    /// action = "deny"
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = ["203.0.113.7"]
    /// ```
    AllowDenyOverlap = "allow-deny-overlap", Warn, Some(allow_deny_overlap);

    /// an allowed destination whose every packet two or more deny rules deny between them (no one of them alone): the allow never takes effect
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = ["registry.example.com"]
    ///
    /// [[rules]]
    /// action = "deny"
    /// sources = ["10.20.0.0/25"]
    /// ports = [443]
    /// destinations = ["registry.example.com"]
    ///
    /// [[rules]]
    /// action = "deny"
    /// sources = ["10.20.0.128/25"]
    /// ports = [443]
    /// destinations = ["registry.example.com"]
    /// ```
    AllowCoveredByDenies = "allow-covered-by-denies", Warn, Some(allow_covered_by_denies);
}

/// A flow with the destination it comes from.
type Paired<'a> = (&'a Flow, &'a Destination);

/// Traffic one rule allows and another denies: the same destination, a
/// deny inside an allowed range or wildcard, or an allow inside a denied
/// one, for a shared protocol, port and source. The deny wins
/// (`policy::meaning`), and `implement` writes deny rules first; the
/// reviewer learns that the firewall must keep that order, or that an
/// allow never takes effect.
fn allow_deny_overlap(cx: &Context, found: &mut Found) {
    for (deny, allow) in overlapping(&cx.flows) {
        let (span, message) = said(cx, deny, allow);
        found.warn(
            Lint::AllowDenyOverlap,
            span,
            message,
            "fwreq implement writes deny rules first; narrow the rules so they do not overlap, or keep that order on the firewall".into(),
        );
    }
}

/// Whether some traffic of `allow` is also `deny`'s.
fn overlap(allow: &Flow, deny: &Flow) -> bool {
    allow.protocol == deny.protocol
        && sources_overlap(&allow.sources, &deny.sources)
        && (allow.protocol == Protocol::Icmp || !allow.ports.intersection(&deny.ports).is_empty())
        && (allow.target.covers(&deny.target) || deny.target.covers(&allow.target))
}

/// The (deny, allow) pairs to name: each deny inside (or equal to) an
/// allow, then each allow inside a wider deny unless that pair is named
/// already. Allows times denies, and most requests have no deny.
fn overlapping<'a>(flows: &[Paired<'a>]) -> Vec<(Paired<'a>, Paired<'a>)> {
    let (denies, allows): (Vec<Paired>, Vec<Paired>) =
        flows.iter().partition(|(f, _)| f.action == Action::Deny);
    let mut found: Vec<(Paired, Paired)> = Vec::new();
    if denies.is_empty() {
        return found;
    }
    for &deny in &denies {
        let allow = allows
            .iter()
            .find(|(f, _)| overlap(f, deny.0) && f.target.covers(&deny.0.target));
        if let Some(&allow) = allow {
            found.push((deny, allow));
        }
    }
    for &allow in &allows {
        let named = |deny: &Flow| {
            found
                .iter()
                .any(|(d, a)| std::ptr::eq(d.0, deny) && std::ptr::eq(a.0, allow.0))
        };
        let deny = denies
            .iter()
            .find(|(f, _)| overlap(allow.0, f) && f.target.covers(&allow.0.target) && !named(f));
        if let Some(&deny) = deny {
            found.push((deny, allow));
        }
    }
    found
}

/// Where to warn about a pair, and what to say: at the deny when it is the
/// same destination or inside the allow, else at the allow inside the deny.
fn said(cx: &Context, (deny, dest): Paired, (allow, allowed_dest): Paired) -> (Span, String) {
    let what = service(deny.protocol, &allow.ports.intersection(&deny.ports));
    let (allowed_line, denied_line) = (cx.line(&allowed_dest.span), cx.line(&dest.span));
    if allow.target == deny.target {
        (
            dest.span.clone(),
            format!(
                "`{}` {what} is allowed by rule {} (line {allowed_line}) and denied by rule {} (line {denied_line}): the deny wins, so the firewall must keep the deny rule first",
                dest.written, allow.rule, deny.rule,
            ),
        )
    } else if allow.target.covers(&deny.target) {
        (
            dest.span.clone(),
            format!(
                "`{}` {what} is denied by rule {} (line {denied_line}) inside `{}`, which rule {} allows (line {allowed_line}): the deny wins, so the firewall must keep the deny rule first",
                dest.written, deny.rule, allowed_dest.written, allow.rule,
            ),
        )
    } else {
        let effect = if wholly_denied(allow, deny) {
            "this allow never takes effect"
        } else {
            "this allow takes effect only outside it"
        };
        (
            allowed_dest.span.clone(),
            format!(
                "`{}` {what} is allowed by rule {} (line {allowed_line}) inside `{}`, which rule {} denies (line {denied_line}): the deny wins, so {effect}",
                allowed_dest.written, allow.rule, dest.written, deny.rule,
            ),
        )
    }
}

/// Whether `deny` holds all of `allow`'s sources and ports (its target
/// already covers the allow's).
fn wholly_denied(allow: &Flow, deny: &Flow) -> bool {
    (deny.sources.is_empty()
        || allow
            .sources
            .iter()
            .all(|a| deny.sources.iter().any(|d| d.contains_network(a)))
            && !allow.sources.is_empty())
        && (deny.protocol == Protocol::Icmp || deny.ports.contains_all(&allow.ports))
}

/// Each allowed destination that the deny flows overlapping it deny all of
/// between them, when no one of them does alone (that one is
/// `allow-deny-overlap`'s "never takes effect"). The arithmetic is
/// `change::all_denied`'s, on the allow and those denies only.
fn allow_covered_by_denies(cx: &Context, found: &mut Found) {
    let denies: Vec<&Flow> = cx
        .flows
        .iter()
        .filter(|(f, _)| f.action == Action::Deny)
        .map(|(f, _)| *f)
        .collect();
    if denies.len() < 2 {
        return;
    }
    for &(allow, dest) in cx.flows.iter().filter(|(f, _)| f.action == Action::Allow) {
        let against: Vec<Flow> = denies.iter().filter_map(|d| against(allow, d)).collect();
        let denied = |denies: &[Flow]| {
            let flows: Vec<Flow> = std::iter::once(allow.clone())
                .chain(denies.iter().cloned())
                .collect();
            crate::change::all_denied(&flows)
        };
        if against.len() < 2
            || !denied(&against)
            || against.iter().any(|d| denied(std::slice::from_ref(d)))
        {
            continue;
        }
        let rules: Vec<String> = against
            .iter()
            .map(|d| d.rule)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|rule| rule.to_string())
            .collect();
        found.warn(
            Lint::AllowCoveredByDenies,
            dest.span.clone(),
            format!(
                "`{}` {} is allowed by rule {}, but rules {} deny all of it between them: the deny wins, so this allow never takes effect",
                dest.written,
                service(allow.protocol, &allow.ports),
                allow.rule,
                and_list(&rules),
            ),
            "remove this destination from the allow rule, or narrow the deny rules if some of it should get through".into(),
        );
    }
}

/// `deny` as it bears on `allow`, if it does: the same protocol, some
/// source in common, and a destination that covers the allow's (given the
/// allow's name as its target, since names are compared as written) or,
/// for addresses, lies inside it.
fn against(allow: &Flow, deny: &Flow) -> Option<Flow> {
    if deny.protocol != allow.protocol || !sources_overlap(&allow.sources, &deny.sources) {
        return None;
    }
    if deny.target.covers(&allow.target) {
        let mut deny = deny.clone();
        deny.target = allow.target.clone();
        Some(deny)
    } else {
        (allow.target.network().is_some() && allow.target.covers(&deny.target))
            .then(|| deny.clone())
    }
}

/// `2 and 3`, `2, 3 and 5`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Whether some traffic comes from both source lists (empty: any source).
fn sources_overlap(a: &[Network], b: &[Network]) -> bool {
    a.is_empty()
        || b.is_empty()
        || a.iter().any(|x| {
            b.iter()
                .any(|y| x.contains_network(y) || y.contains_network(x))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lints::test_support::network as net;

    /// No sources is any source; otherwise one list's network must hold or
    /// be held by one of the other's.
    #[test]
    fn sources_overlap_when_one_holds_the_other() {
        let a = [net("10.1.0.0/16")];
        assert!(sources_overlap(&[], &a));
        assert!(sources_overlap(&a, &[]));
        assert!(sources_overlap(&a, &[net("10.1.2.0/24")]));
        assert!(sources_overlap(&[net("10.1.2.0/24")], &a));
        assert!(!sources_overlap(&a, &[net("10.2.0.0/16")]));
        assert!(sources_overlap(
            &a,
            &[net("10.2.0.0/16"), net("10.0.0.0/8")]
        ));
    }
}
