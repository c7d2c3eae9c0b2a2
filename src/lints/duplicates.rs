//! `duplicate-destination`: a flow the request already has. Two destinations
//! are the same flow only when everything a firewall matches on agrees:
//! protocol, action, every port and every source of one lies within the
//! other's, and its target is covered (equal, under a wildcard, inside a
//! range). Different sources, or a deny carved out of an allowed range, are
//! different flows.
//!
//! Coverers are found through hash maps (exact targets, wildcard domains by
//! each parent of a name, ranges by each shorter prefix of an address), so a
//! rule with 40,000 destinations is checked in milliseconds, not pairwise.

use crate::request::{Destination, Network, PortRange, Request, Rule, Target, mask};
use crate::spec::{Action, Protocol};
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

/// One redundant destination and the one that already covers it.
pub struct Duplicate<'a> {
    pub redundant: &'a Destination,
    pub by: &'a Destination,
    /// Whether `by` comes earlier in the file.
    pub by_is_earlier: bool,
    pub protocol: Protocol,
}

struct Entry<'a> {
    rule: &'a Rule,
    dest: &'a Destination,
}

type Group = (Protocol, Action);

/// Every destination that another in the request already covers, at most once each.
pub fn destinations(request: &Request) -> Vec<Duplicate<'_>> {
    let entries: Vec<Entry> = request
        .rules
        .iter()
        .flat_map(|rule| {
            rule.destinations
                .iter()
                .map(move |dest| Entry { rule, dest })
        })
        .collect();
    let mut exact: HashMap<(Group, &Target), Vec<usize>> = HashMap::new();
    let mut dotted: HashMap<(Group, &str), Vec<usize>> = HashMap::new();
    let mut undotted: HashMap<(Group, &str), Vec<usize>> = HashMap::new();
    let mut undotted_lengths = BTreeSet::new();
    let mut ranges: HashMap<(Group, Network), Vec<usize>> = HashMap::new();
    let mut prefixes = BTreeSet::new();
    for (i, e) in entries.iter().enumerate() {
        let group = (e.rule.protocol, e.rule.action);
        exact.entry((group, &e.dest.target)).or_default().push(i);
        match &e.dest.target {
            Target::Wildcard {
                domain,
                dotted: true,
            } => {
                dotted.entry((group, domain)).or_default().push(i);
            }
            Target::Wildcard {
                domain,
                dotted: false,
            } => {
                undotted.entry((group, domain)).or_default().push(i);
                undotted_lengths.insert(domain.len());
            }
            Target::Range { network } => {
                ranges.entry((group, *network)).or_default().push(i);
                prefixes.insert((network.addr.is_ipv4(), network.prefix));
            }
            Target::Host { .. } | Target::Address { .. } => {}
        }
    }
    let mut found = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let group = (e.rule.protocol, e.rule.action);
        let mut candidates: Vec<usize> = exact
            .get(&(group, &e.dest.target))
            .cloned()
            .unwrap_or_default();
        let name = match &e.dest.target {
            Target::Host { name } => Some(name.as_str()),
            Target::Wildcard { domain, .. } => Some(domain.as_str()),
            _ => None,
        };
        if let Some(name) = name {
            // `*.b.c` covers `a.b.c` and `*.a.b.c`: look up every parent.
            for (at, _) in name.match_indices('.') {
                if let Some(list) = dotted.get(&(group, &name[at + 1..])) {
                    candidates.extend(list);
                }
            }
            // `*b.c` covers any name ending in `b.c`, other than `b.c` itself.
            for &len in undotted_lengths.range(..name.len()) {
                if let Some(tail) = name.get(name.len() - len..)
                    && let Some(list) = undotted.get(&(group, tail))
                {
                    candidates.extend(list);
                }
            }
        }
        if let Some(network) = e.dest.target.network() {
            let v4 = network.addr.is_ipv4();
            for &(_, prefix) in prefixes.range((v4, 0)..=(v4, network.prefix)) {
                let outer = Network {
                    addr: mask(network.addr, prefix),
                    prefix,
                };
                if let Some(list) = ranges.get(&(group, outer)) {
                    candidates.extend(list);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let by = candidates.into_iter().find_map(|j| {
            let other = &entries[j];
            let covered = same_flows_within(e.rule, other.rule);
            match j.cmp(&i) {
                Ordering::Less if covered => Some((other, true)),
                // Two equal flows: only the later one is reported.
                Ordering::Greater
                    if covered
                        && !(e.dest.target == other.dest.target
                            && same_flows_within(other.rule, e.rule)) =>
                {
                    Some((other, false))
                }
                _ => None,
            }
        });
        if let Some((other, by_is_earlier)) = by {
            found.push(Duplicate {
                redundant: e.dest,
                by: other.dest,
                by_is_earlier,
                protocol: e.rule.protocol,
            });
        }
    }
    found
}

/// Whether every port and source of `inner` lies within `outer`'s (no
/// sources means any source).
fn same_flows_within(inner: &Rule, outer: &Rule) -> bool {
    let ports = inner
        .ports
        .iter()
        .all(|p| outer.ports.iter().any(|o| contains_ports(o, p)));
    let sources = outer.sources.is_empty()
        || (!inner.sources.is_empty()
            && inner.sources.iter().all(|s| {
                outer
                    .sources
                    .iter()
                    .any(|o| o.value.contains_network(&s.value))
            }));
    ports && sources
}

pub fn contains_ports(outer: &PortRange, inner: &PortRange) -> bool {
    outer.low <= inner.low && inner.high <= outer.high
}

/// Each port of a rule that overlaps one listed before it: (later, earlier).
/// Pairwise, but over one rule's ports, which are few.
pub fn ports(rule: &Rule) -> Vec<(&PortRange, &PortRange)> {
    rule.ports
        .iter()
        .enumerate()
        .filter_map(|(i, port)| {
            rule.ports[..i]
                .iter()
                .find(|e| e.low <= port.high && port.low <= e.high)
                .map(|earlier| (port, earlier))
        })
        .collect()
}
