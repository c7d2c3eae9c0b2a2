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

use super::{Context, Found};
use crate::names::Lint;
use crate::request::{Destination, Network, PortRange, Request, Rule, Target, mask};
use crate::spec::{Action, Protocol};
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

declare_lints! {
    /// the same flow twice, or one already covered by a wildcard or range in the request
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = ["203.0.113.0/24", "203.0.113.7"]
    /// ```
    DuplicateDestination = "duplicate-destination", Warn, Some(duplicate_destination);
}

/// Ports listed twice in a rule, then destinations another already covers.
fn duplicate_destination(cx: &Context, found: &mut Found) {
    for rule in &cx.request.rules {
        for (later, earlier) in ports(rule) {
            found.warn(
                Lint::DuplicateDestination,
                later.span.clone(),
                port_message(later, earlier),
                "list each port once".into(),
            );
        }
    }
    for dup in destinations(cx.request) {
        let line = cx.line(&dup.by.span);
        let verb = if dup.by_is_earlier {
            "is already covered by"
        } else {
            "is also covered by"
        };
        found.warn(
            Lint::DuplicateDestination,
            dup.redundant.span.clone(),
            format!(
                "`{}` {verb} `{}` (line {line}) for the same sources and {} ports",
                dup.redundant.written,
                dup.by.written,
                dup.protocol.as_str()
            ),
            "remove one of them, or say in a comment why both are listed".into(),
        );
    }
}

/// How port `later` repeats `earlier` of its rule.
fn port_message(later: &PortRange, earlier: &PortRange) -> String {
    if contains_ports(earlier, later) {
        let what = if later.low == later.high {
            "port"
        } else {
            "port range"
        };
        let same = (later.low, later.high) == (earlier.low, earlier.high);
        let how = if same { "as" } else { "inside" };
        format!("{what} {later} is already in this rule ({how} {earlier})")
    } else if contains_ports(later, earlier) {
        format!("port range {later} also holds {earlier}, listed before it")
    } else {
        format!("port range {later} overlaps {earlier} in this rule")
    }
}

/// One redundant destination and the one that already covers it.
struct Duplicate<'a> {
    redundant: &'a Destination,
    by: &'a Destination,
    /// Whether `by` comes earlier in the file.
    by_is_earlier: bool,
    protocol: Protocol,
}

struct Entry<'a> {
    rule: &'a Rule,
    dest: &'a Destination,
}

type Group = (Protocol, Action);

fn group(entry: &Entry) -> Group {
    (entry.rule.protocol, entry.rule.action)
}

/// The request's destinations by what could cover another: exact targets,
/// dotted and undotted wildcards by domain, ranges by network (with the
/// lengths and prefixes in use, so a lookup tries only those).
#[derive(Default)]
struct Coverers<'a> {
    exact: HashMap<(Group, &'a Target), Vec<usize>>,
    dotted: HashMap<(Group, &'a str), Vec<usize>>,
    undotted: HashMap<(Group, &'a str), Vec<usize>>,
    undotted_lengths: BTreeSet<usize>,
    ranges: HashMap<(Group, Network), Vec<usize>>,
    prefixes: BTreeSet<(bool, u8)>,
}

impl<'a> Coverers<'a> {
    fn new(entries: &[Entry<'a>]) -> Self {
        let mut index = Coverers::default();
        for (i, e) in entries.iter().enumerate() {
            let group = group(e);
            index
                .exact
                .entry((group, &e.dest.target))
                .or_default()
                .push(i);
            match &e.dest.target {
                Target::Wildcard {
                    domain,
                    dotted: true,
                } => index.dotted.entry((group, domain)).or_default().push(i),
                Target::Wildcard {
                    domain,
                    dotted: false,
                } => {
                    index.undotted.entry((group, domain)).or_default().push(i);
                    index.undotted_lengths.insert(domain.len());
                }
                Target::Range { network } => {
                    index.ranges.entry((group, *network)).or_default().push(i);
                    index
                        .prefixes
                        .insert((network.addr.is_ipv4(), network.prefix));
                }
                Target::Host { .. } | Target::Address { .. } => {}
            }
        }
        index
    }

    /// Every entry whose target equals or may cover `target`, in order, once each.
    fn of(&self, group: Group, target: &Target) -> Vec<usize> {
        let mut candidates: Vec<usize> = self
            .exact
            .get(&(group, target))
            .cloned()
            .unwrap_or_default();
        let name = match target {
            Target::Host { name } => Some(name.as_str()),
            Target::Wildcard { domain, .. } => Some(domain.as_str()),
            _ => None,
        };
        if let Some(name) = name {
            // `*.b.c` covers `a.b.c` and `*.a.b.c`: look up every parent.
            for (at, _) in name.match_indices('.') {
                if let Some(list) = self.dotted.get(&(group, &name[at + 1..])) {
                    candidates.extend(list);
                }
            }
            // `*b.c` covers any name ending in `b.c`, other than `b.c` itself.
            for &len in self.undotted_lengths.range(..name.len()) {
                if let Some(tail) = name.get(name.len() - len..)
                    && let Some(list) = self.undotted.get(&(group, tail))
                {
                    candidates.extend(list);
                }
            }
        }
        if let Some(network) = target.network() {
            let v4 = network.addr.is_ipv4();
            for &(_, prefix) in self.prefixes.range((v4, 0)..=(v4, network.prefix)) {
                let outer = Network {
                    addr: mask(network.addr, prefix),
                    prefix,
                };
                if let Some(list) = self.ranges.get(&(group, outer)) {
                    candidates.extend(list);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }
}

/// Every destination that another in the request already covers, at most once each.
fn destinations(request: &Request) -> Vec<Duplicate<'_>> {
    let entries: Vec<Entry> = request
        .rules
        .iter()
        .flat_map(|rule| {
            rule.destinations
                .iter()
                .map(move |dest| Entry { rule, dest })
        })
        .collect();
    let coverers = Coverers::new(&entries);
    let mut found = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let by = coverers
            .of(group(e), &e.dest.target)
            .into_iter()
            .find_map(|j| {
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

fn contains_ports(outer: &PortRange, inner: &PortRange) -> bool {
    outer.low <= inner.low && inner.high <= outer.high
}

/// Each port of a rule that overlaps one listed before it: (later, earlier).
/// Pairwise, but over one rule's ports, which are few.
fn ports(rule: &Rule) -> Vec<(&PortRange, &PortRange)> {
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
