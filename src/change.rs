//! Change and removal tickets: what a new revision of a request opens, closes
//! and turns on the firewall, compared by meaning.
//!
//! This is the one place flows are compared. Both revisions become
//! `policy::Flow`s (normal forms: punycode names, canonical addresses, port and
//! source sets), are cut into what each source may reach on each protocol and
//! destination, and set arithmetic on ports and on networks says what changed:
//! a range that grows from 8000-8100 to 8000-8200 opens 8101-8200 and nothing
//! else; a source widened from a /25 to a /24 opens the other /25 alone (every
//! network of both revisions is cut into disjoint blocks first, "any source"
//! being the whole address space); a name written in another case is no change
//! at all. The checks of each changed flow come from `flows`, so they test
//! exactly the changed ports and destinations, and a check that should fail
//! says which sources lose access (run it from one of them).

use crate::flows::{self, DestinationChecks};
use crate::policy::{self, PortSet};
use crate::request::{Destination, Network, Request, Target};
use crate::spec::{Action, Protocol};
use crate::zones::{Judgement, Zones};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One flow of a change or removal ticket, with what proves it.
#[derive(Debug, Clone, Serialize)]
pub struct TicketFlow {
    pub protocol: Protocol,
    pub action: Action,
    /// The ports this entry is about (only the changed ones), lowest first;
    /// empty for icmp.
    pub ports: PortSet,
    /// The sources, `any` where a rule names none; empty when that is all.
    pub sources: Vec<String>,
    /// Where a check of this entry must run: `any host`, or `a host in
    /// 10.0.0.128/25` (the sources it is about, and only those).
    pub from: String,
    /// The destination as the request writes it (the new revision's
    /// spelling), and the checks of these ports with their capture line.
    #[serde(flatten)]
    pub test: DestinationChecks,
    /// Its zones and the team's verdict on these ports (empty without zones).
    pub zones: Vec<Judgement>,
}

/// A destination written differently in the two revisions, meaning the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Respelling {
    pub before: String,
    pub after: String,
}

/// The difference between two revisions, section by section.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Change {
    /// Allowed after and not before: these should connect afterwards.
    pub opened: Vec<TicketFlow>,
    /// Allowed before and not after: these should fail afterwards.
    pub closed: Vec<TicketFlow>,
    /// Allowed before, denied after.
    pub to_deny: Vec<TicketFlow>,
    /// Denied before, allowed after.
    pub to_allow: Vec<TicketFlow>,
    /// New deny rules: these should fail afterwards.
    pub deny_added: Vec<TicketFlow>,
    /// Deny rules taken out: what they blocked follows the firewall's other rules.
    pub deny_removed: Vec<TicketFlow>,
    /// Destinations whose spelling alone changed.
    pub respelled: Vec<Respelling>,
    /// Flows in both revisions with the same action, in words.
    pub unchanged: Vec<String>,
    /// Opened flows whose verdict differs from that of the same destination,
    /// protocol and sources before (`444-450 needs review, 443 was pre-approved`).
    pub verdicts_moved: Vec<String>,
}

/// One protocol from one block of sources to one destination (a block of
/// addresses, or a name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Path {
    protocol: Protocol,
    target: Target,
    source: Network,
}

/// The ports each path is allowed (or denied) on. icmp, which has no ports,
/// counts as the one pseudo-port 0 so that set arithmetic treats it alike.
type Reach = BTreeMap<Path, PortSet>;

/// Every IPv4 and every IPv6 address: "any source" as networks.
const ANY: [Network; 2] = [
    Network {
        addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        prefix: 0,
    },
    Network {
        addr: IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        prefix: 0,
    },
];

/// The networks of the compared revisions cut into disjoint blocks, so that
/// each network is a union of blocks and set arithmetic on blocks is set
/// arithmetic on addresses.
struct Blocks {
    of: BTreeMap<Network, Vec<Network>>,
}

impl Blocks {
    fn new<'a>(flows: impl Iterator<Item = &'a policy::Flow> + Clone) -> Self {
        let mut all: BTreeSet<Network> = ANY.into_iter().collect();
        for flow in flows {
            all.extend(flow.sources.iter().copied());
            all.extend(flow.target.network());
        }
        let of = all.iter().map(|n| (*n, split(*n, &all))).collect();
        Blocks { of }
    }

    fn of(&self, network: &Network) -> &[Network] {
        self.of.get(network).map_or(&[], Vec::as_slice)
    }
}

/// `network` cut at every network of `all` strictly inside it.
fn split(network: Network, all: &BTreeSet<Network>) -> Vec<Network> {
    let inside = all
        .iter()
        .any(|m| *m != network && network.contains_network(m));
    match halves(network) {
        Some((low, high)) if inside => {
            let mut out = split(low, all);
            out.extend(split(high, all));
            out
        }
        _ => vec![network],
    }
}

/// The two halves of a network one bit longer, or `None` for one address.
fn halves(n: Network) -> Option<(Network, Network)> {
    if n.prefix >= Network::max_prefix(n.addr) {
        return None;
    }
    let prefix = n.prefix + 1;
    let high = match n.addr {
        IpAddr::V4(a) => IpAddr::V4((u32::from(a) | 1 << (32 - u32::from(prefix))).into()),
        IpAddr::V6(a) => IpAddr::V6((u128::from(a) | 1 << (128 - u32::from(prefix))).into()),
    };
    Some((
        Network {
            addr: n.addr,
            prefix,
        },
        Network { addr: high, prefix },
    ))
}

/// The other half of the network one bit shorter, or `None` for all addresses.
fn sibling(n: Network) -> Option<Network> {
    let parent = parent(n)?;
    let (low, high) = halves(parent)?;
    Some(if low == n { high } else { low })
}

fn parent(n: Network) -> Option<Network> {
    let prefix = n.prefix.checked_sub(1)?;
    Some(Network {
        addr: crate::request::mask(n.addr, prefix),
        prefix,
    })
}

/// Disjoint blocks merged back into the fewest networks.
fn merged(blocks: impl IntoIterator<Item = Network>) -> Vec<Network> {
    let mut set: BTreeSet<Network> = blocks.into_iter().collect();
    loop {
        let pair = set.iter().find_map(|n| {
            let other = sibling(*n)?;
            set.contains(&other).then_some((*n, other))
        });
        let Some((a, b)) = pair else { break };
        set.remove(&a);
        set.remove(&b);
        set.extend(parent(a));
    }
    set.into_iter().collect()
}

/// A block of addresses as a destination.
fn target_of(n: Network) -> Target {
    if n.prefix == Network::max_prefix(n.addr) {
        Target::Address { address: n.addr }
    } else {
        Target::Range { network: n }
    }
}

fn reach(flows: &[policy::Flow], action: Action, blocks: &Blocks) -> Reach {
    let mut out = Reach::new();
    for flow in flows.iter().filter(|f| f.action == action) {
        let ports = match flow.protocol {
            Protocol::Icmp => PortSet::new([(0, 0)]),
            Protocol::Tcp | Protocol::Udp => flow.ports.clone(),
        };
        let sources: &[Network] = if flow.sources.is_empty() {
            &ANY
        } else {
            &flow.sources
        };
        let targets: Vec<Target> = match flow.target.network() {
            Some(n) => blocks.of(&n).iter().map(|b| target_of(*b)).collect(),
            None => vec![flow.target.clone()],
        };
        for source in sources.iter().flat_map(|s| blocks.of(s)) {
            for target in &targets {
                // No packet goes from one family to the other.
                if target
                    .network()
                    .is_some_and(|n| n.addr.is_ipv4() != source.addr.is_ipv4())
                {
                    continue;
                }
                let path = Path {
                    protocol: flow.protocol,
                    target: target.clone(),
                    source: *source,
                };
                let entry = out.entry(path).or_default();
                *entry = entry.union(&ports);
            }
        }
    }
    out
}

/// What `a` reaches that `b` does not.
fn minus(a: &Reach, b: &Reach) -> Reach {
    a.iter()
        .filter_map(|(path, ports)| {
            let left = match b.get(path) {
                Some(other) => ports.difference(other),
                None => ports.clone(),
            };
            (!left.is_empty()).then(|| (path.clone(), left))
        })
        .collect()
}

/// Whether the deny flows of `flows` together deny every packet its allow
/// flows allow: the arithmetic `compare` does, on these flows' networks.
/// Names are compared as written, so a deny on a wildcard that covers an
/// allowed name counts only when given that name as its target.
pub(crate) fn all_denied(flows: &[policy::Flow]) -> bool {
    let blocks = Blocks::new(flows.iter());
    minus(
        &reach(flows, Action::Allow, &blocks),
        &reach(flows, Action::Deny, &blocks),
    )
    .is_empty()
}

/// What both reach.
fn both(a: &Reach, b: &Reach) -> Reach {
    a.iter()
        .filter_map(|(path, ports)| {
            let common = ports.intersection(b.get(path)?);
            (!common.is_empty()).then(|| (path.clone(), common))
        })
        .collect()
}

/// The written form, probe and order of each destination, the new revision's
/// first; and the zones each entry is judged against.
struct Destinations<'a> {
    by_target: BTreeMap<&'a Target, (usize, &'a Destination)>,
    zones: &'a Zones,
}

impl<'a> Destinations<'a> {
    fn of(requests: &[&'a Request], zones: &'a Zones) -> Self {
        let mut by_target = BTreeMap::new();
        let all = requests
            .iter()
            .flat_map(|r| &r.rules)
            .flat_map(|rule| &rule.destinations);
        for (i, dest) in all.enumerate() {
            by_target.entry(&dest.target).or_insert((i, dest));
        }
        Destinations { by_target, zones }
    }

    /// The written destination a path's target belongs to: itself, or the
    /// narrowest written range around a block of it.
    fn home(&self, target: &Target) -> Option<(usize, &'a Destination)> {
        if let Some(found) = self.by_target.get(target) {
            return Some(*found);
        }
        self.by_target
            .iter()
            .filter(|(written, _)| written.network().is_some() && written.covers(target))
            .max_by_key(|(written, _)| written.network().map(|n| n.prefix))
            .map(|(_, found)| *found)
    }

    /// The reach as ticket entries: blocks with the same ports and sources in
    /// one written destination are merged back (the written destination
    /// itself when they make it whole), sources likewise, in the request's
    /// order.
    fn entries(&self, reach: &Reach, action: Action) -> Vec<TicketFlow> {
        let mut by_target: BTreeMap<(&Target, Protocol, &PortSet), BTreeSet<Network>> =
            BTreeMap::new();
        for (path, ports) in reach {
            by_target
                .entry((&path.target, path.protocol, ports))
                .or_default()
                .insert(path.source);
        }
        type Key<'k> = (usize, Protocol, &'k PortSet, Vec<Network>);
        let mut grouped: BTreeMap<Key, Vec<&Target>> = BTreeMap::new();
        for ((target, protocol, ports), sources) in by_target {
            let Some((order, _)) = self.home(target) else {
                continue;
            };
            grouped
                .entry((order, protocol, ports, merged(sources)))
                .or_default()
                .push(target);
        }
        let by_order: BTreeMap<usize, &Destination> =
            self.by_target.values().map(|(i, d)| (*i, *d)).collect();
        let mut out = Vec::new();
        for ((order, protocol, ports, sources), targets) in grouped {
            let Some(home) = by_order.get(&order) else {
                continue;
            };
            let ports = match protocol {
                Protocol::Icmp => PortSet::default(),
                Protocol::Tcp | Protocol::Udp => ports.clone(),
            };
            let networks: Vec<Network> = targets.iter().filter_map(|t| t.network()).collect();
            let dests: Vec<Destination> = if networks.is_empty() {
                vec![(*home).clone()]
            } else {
                merged(networks)
                    .into_iter()
                    .map(|block| part(home, block))
                    .collect()
            };
            for dest in dests {
                let family = dest.target.network().map(|n| n.addr.is_ipv6());
                let any =
                    sources == ANY || family.is_some_and(|v6| sources == [ANY[usize::from(v6)]]);
                let judged = policy::Flow {
                    rule: 0,
                    action,
                    protocol,
                    sources: if any { Vec::new() } else { sources.clone() },
                    target: dest.target.clone(),
                    ports: ports.clone(),
                };
                let shown = if any {
                    Vec::new()
                } else {
                    shown_sources(&sources)
                };
                out.push(TicketFlow {
                    protocol,
                    action,
                    ports: ports.clone(),
                    from: if any {
                        "any host".to_string()
                    } else {
                        format!("a host in {}", shown.join(", "))
                    },
                    sources: shown,
                    test: flows::destination_checks(protocol, &ports.ends(), &dest),
                    zones: self.zones.judge_if_any(&judged),
                });
            }
        }
        out
    }
}

/// A block of a written range, as a destination of its own: the written one
/// when it is all of it; else the block, tested at the written probe when
/// that lies inside, else at its first host.
fn part(home: &Destination, block: Network) -> Destination {
    if home.target.network() == Some(block) {
        return home.clone();
    }
    let target = target_of(block);
    let probe = match &target {
        Target::Address { .. } => None,
        _ => Some(match &home.probe {
            Some(crate::request::TestHost::Address(a)) if block.contains(*a) => {
                crate::request::TestHost::Address(*a)
            }
            _ => crate::request::TestHost::Address(first_host(block)),
        }),
    };
    Destination {
        written: target.to_string(),
        target,
        probe,
        punycode: None,
        span: home.span.clone(),
    }
}

/// The first address of a block that is not its network address (a /31 or
/// /127 has no network address to avoid).
fn first_host(block: Network) -> IpAddr {
    let wide = Network::max_prefix(block.addr) - block.prefix >= 2;
    match block.addr {
        IpAddr::V4(a) => IpAddr::V4((u32::from(a) + u32::from(wide)).into()),
        IpAddr::V6(a) => IpAddr::V6((u128::from(a) + u128::from(wide)).into()),
    }
}

/// Sources as a reader writes them: `any IPv4` for all of a family, and a
/// family's blocks as `any IPv4 except ...` when that is shorter.
fn shown_sources(sources: &[Network]) -> Vec<String> {
    let mut out = Vec::new();
    for whole in ANY {
        let of: Vec<Network> = sources
            .iter()
            .copied()
            .filter(|n| n.addr.is_ipv4() == whole.addr.is_ipv4())
            .collect();
        let family = if whole.addr.is_ipv4() { "IPv4" } else { "IPv6" };
        if of == [whole] {
            out.push(format!("any {family}"));
            continue;
        }
        if of.len() > 2 {
            let all: BTreeSet<Network> = of.iter().copied().chain([whole]).collect();
            let held: BTreeSet<Network> = of.iter().flat_map(|n| split(*n, &all)).collect();
            let rest = merged(split(whole, &all).into_iter().filter(|b| !held.contains(b)));
            if rest.len() < of.len() {
                let rest: Vec<String> = rest.iter().map(ToString::to_string).collect();
                out.push(format!("any {family} except {}", rest.join(", ")));
                continue;
            }
        }
        out.extend(of.iter().map(ToString::to_string));
    }
    out
}

/// Compares two revisions of one request by meaning; each changed flow is
/// judged against the team's `zones`.
pub fn compare(old: &Request, new: &Request, zones: &Zones) -> Change {
    let (old_flows, new_flows) = (policy::flows(old), policy::flows(new));
    let blocks = Blocks::new(old_flows.iter().chain(&new_flows));
    let (allowed_before, allowed_after) = (
        reach(&old_flows, Action::Allow, &blocks),
        reach(&new_flows, Action::Allow, &blocks),
    );
    let (denied_before, denied_after) = (
        reach(&old_flows, Action::Deny, &blocks),
        reach(&new_flows, Action::Deny, &blocks),
    );
    let (newly_allowed, no_longer_allowed) = (
        minus(&allowed_after, &allowed_before),
        minus(&allowed_before, &allowed_after),
    );
    let (newly_denied, no_longer_denied) = (
        minus(&denied_after, &denied_before),
        minus(&denied_before, &denied_after),
    );
    let to_deny = both(&no_longer_allowed, &newly_denied);
    let to_allow = both(&no_longer_denied, &newly_allowed);
    let destinations = Destinations::of(&[new, old], zones);
    let section = |reach: &Reach, action| once_each(destinations.entries(reach, action));
    let mut unchanged = destinations.entries(&both(&allowed_before, &allowed_after), Action::Allow);
    unchanged.extend(destinations.entries(&both(&denied_before, &denied_after), Action::Deny));
    let opened = section(&minus(&newly_allowed, &to_allow), Action::Allow);
    Change {
        verdicts_moved: verdicts_moved(&opened, &unchanged),
        opened,
        closed: unprovable(
            section(&minus(&no_longer_allowed, &to_deny), Action::Allow),
            &allowed_after,
        ),
        to_deny: section(&to_deny, Action::Deny),
        to_allow: section(&to_allow, Action::Allow),
        deny_added: section(&minus(&newly_denied, &to_deny), Action::Deny),
        deny_removed: section(&minus(&no_longer_denied, &to_allow), Action::Deny),
        respelled: respelled(old, new),
        unchanged: unchanged.iter().map(describe).collect(),
    }
}

/// Closed flows to a name whose sources the new revision still lets reach
/// an address on one of those ports: the name may resolve to that address
/// (a name replaced by its address), so a check would connect and prove
/// nothing. Such a flow keeps no check, and says why.
fn unprovable(mut closed: Vec<TicketFlow>, allowed_after: &Reach) -> Vec<TicketFlow> {
    for flow in &mut closed {
        if !matches!(flow.test.host, Some(flows::TestHost::Name(_))) {
            continue;
        }
        let ports = match flow.protocol {
            Protocol::Icmp => PortSet::new([(0, 0)]),
            Protocol::Tcp | Protocol::Udp => flow.ports.clone(),
        };
        let still: BTreeSet<String> = allowed_after
            .iter()
            .filter(|(path, open)| {
                path.protocol == flow.protocol
                    && path.target.network().is_some()
                    && !open.intersection(&ports).is_empty()
            })
            .map(|(path, _)| path.target.to_string())
            .collect();
        if !still.is_empty() {
            let still: Vec<String> = still.into_iter().collect();
            flow.test.note = Some(format!(
                "no check: {} may resolve to an address the new revision allows ({}), so a connection proves nothing; check that no firewall object holds the name instead",
                flow.test.destination,
                still.join(", ")
            ));
            flow.test.checks.clear();
        }
    }
    closed
}

/// A section's flows with each check run once: an entry per source can repeat
/// the same host and port, and the engineer runs the line once.
fn once_each(mut flows: Vec<TicketFlow>) -> Vec<TicketFlow> {
    let mut seen = BTreeSet::new();
    for flow in &mut flows {
        flow.test.checks.retain(|c| seen.insert(c.command.clone()));
    }
    flows
}

/// For each opened flow, a line when the same destination, protocol and
/// sources already had flows with another verdict.
fn verdicts_moved(opened: &[TicketFlow], unchanged: &[TicketFlow]) -> Vec<String> {
    let verdicts = |flow: &TicketFlow| -> Vec<String> {
        flow.zones
            .iter()
            .map(|j| j.verdict.words().to_string())
            .collect()
    };
    let mut out = Vec::new();
    for new in opened.iter().filter(|f| !f.zones.is_empty()) {
        let before = unchanged.iter().find(|old| {
            old.test.destination == new.test.destination
                && old.protocol == new.protocol
                && old.sources == new.sources
                && verdicts(old) != verdicts(new)
        });
        if let Some(old) = before {
            out.push(format!(
                "{} {} to {}: {}, where {} was {}",
                new.protocol.as_str().to_uppercase(),
                new.ports,
                new.test.destination,
                verdicts(new).join(" and "),
                old.ports,
                verdicts(old).join(" and "),
            ));
        }
    }
    out
}

/// `TCP 443 to a.example.com` (`, denied` for a deny flow).
fn describe(flow: &TicketFlow) -> String {
    let mut text = policy::service(flow.protocol, &flow.ports).to_uppercase();
    text.push_str(&format!(" to {}", flow.test.destination));
    if !flow.sources.is_empty() {
        text.push_str(&format!(" from {}", flow.sources.join(", ")));
    }
    if flow.action == Action::Deny {
        text.push_str(" (denied)");
    }
    text
}

/// Destinations that mean the same in both revisions but are written
/// otherwise, in the new revision's order.
fn respelled(old: &Request, new: &Request) -> Vec<Respelling> {
    let spellings = |request: &Request| {
        let mut order: Vec<Target> = Vec::new();
        let mut out: BTreeMap<Target, BTreeSet<String>> = BTreeMap::new();
        for dest in request.rules.iter().flat_map(|r| &r.destinations) {
            if !out.contains_key(&dest.target) {
                order.push(dest.target.clone());
            }
            out.entry(dest.target.clone())
                .or_default()
                .insert(dest.written.clone());
        }
        (order, out)
    };
    let ((_, before), (order, after)) = (spellings(old), spellings(new));
    order
        .iter()
        .filter_map(|target| {
            let (was, written) = (before.get(target)?, after.get(target)?);
            (was != written).then(|| Respelling {
                before: was.iter().cloned().collect::<Vec<_>>().join(", "),
                after: written.iter().cloned().collect::<Vec<_>>().join(", "),
            })
        })
        .collect()
}

/// Every flow of a request, allowed and denied apart (what a removal ticket removes).
pub(crate) fn all_flows(request: &Request, zones: &Zones) -> (Vec<TicketFlow>, Vec<TicketFlow>) {
    let flows = policy::flows(request);
    let blocks = Blocks::new(flows.iter());
    let destinations = Destinations::of(&[request], zones);
    (
        once_each(destinations.entries(&reach(&flows, Action::Allow, &blocks), Action::Allow)),
        once_each(destinations.entries(&reach(&flows, Action::Deny, &blocks), Action::Deny)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::validate::test_request as request;

    fn names(flows: &[TicketFlow]) -> Vec<String> {
        flows.iter().map(describe).collect()
    }

    fn commands(flow: &TicketFlow) -> Vec<&str> {
        flow.test
            .checks
            .iter()
            .map(|c| c.command.as_str())
            .collect()
    }

    #[test]
    fn a_verdict_moves_only_for_the_same_destination_protocol_and_sources() {
        let team = "[zones]\nk8s = [\"10.1.0.0/16\"]\n[[zone_policy]]\nfrom = \"k8s\"\nto = \"internet\"\nports = [443]\nverdict = \"allowed\"\n";
        let source = crate::diagnostic::Source::new("fwreq.toml", team.to_string());
        #[derive(serde::Deserialize)]
        struct File {
            zones: crate::zones::RawZones,
            zone_policy: Vec<toml::Spanned<crate::zones::RawEntry>>,
        }
        let file: File = toml::from_str(team).expect("shape");
        let zones = Zones::parse(&source, file.zones, file.zone_policy).expect("valid");
        let rule = |proto: &str, ports: &str, source: &str, dest: &str| {
            format!(
                "[[rules]]\nprotocol = \"{proto}\"\nports = [{ports}]\nsources = [\"{source}\"]\ndestinations = [\"{dest}\"]\n"
            )
        };
        let old = rule("tcp", "443", "10.1.2.0/24", "a.example.com");
        let moved = |new: &str| compare(&request(&old), &request(new), &zones).verdicts_moved;
        assert_eq!(
            moved(&rule("tcp", "443, 8443", "10.1.2.0/24", "a.example.com")),
            ["TCP 8443 to a.example.com: needs review, where 443 was pre-approved"]
        );
        // Another destination, protocol or source is a new flow, not a moved verdict.
        let two = |extra: &str| format!("{old}{extra}");
        assert!(moved(&two(&rule("tcp", "8443", "10.1.2.0/24", "b.example.com"))).is_empty());
        assert!(moved(&two(&rule("udp", "8443", "10.1.2.0/24", "a.example.com"))).is_empty());
        assert!(moved(&two(&rule("tcp", "8443", "10.1.9.0/24", "a.example.com"))).is_empty());
    }

    #[test]
    fn added_removed_turned_and_unchanged_flows() {
        let old = request(
            "[[rules]]\nports = [443, 80]\ndestinations = [\"a.example.com\", \"b.example.com\"]\n",
        );
        let new = request(
            "[[rules]]\nports = [443]\ndestinations = [\"a.example.com\", \"c.example.com\"]\n[[rules]]\naction = \"deny\"\nports = [80]\ndestinations = [\"a.example.com\"]\n",
        );
        let change = compare(&old, &new, &Zones::default());
        assert_eq!(names(&change.opened), ["TCP 443 to c.example.com"]);
        assert_eq!(names(&change.closed), ["TCP 80, 443 to b.example.com"]);
        assert_eq!(names(&change.to_deny), ["TCP 80 to a.example.com (denied)"]);
        assert!(change.to_allow.is_empty() && change.deny_added.is_empty());
        assert_eq!(change.unchanged, ["TCP 443 to a.example.com"]);
        assert_eq!(
            commands(&change.opened[0]),
            ["curl -vv telnet://c.example.com:443"]
        );
        assert_eq!(
            commands(&change.closed[0]),
            [
                "curl -vv telnet://b.example.com:80",
                "curl -vv telnet://b.example.com:443"
            ]
        );
    }

    #[test]
    fn a_widened_range_opens_only_the_new_ports() {
        let old =
            request("[[rules]]\nports = [\"8000-8100\"]\ndestinations = [\"a.example.com\"]\n");
        let new =
            request("[[rules]]\nports = [\"8000-8200\"]\ndestinations = [\"a.example.com\"]\n");
        let change = compare(&old, &new, &Zones::default());
        assert_eq!(names(&change.opened), ["TCP 8101-8200 to a.example.com"]);
        assert!(change.closed.is_empty());
        assert_eq!(
            commands(&change.opened[0]),
            [
                "curl -vv telnet://a.example.com:8101",
                "curl -vv telnet://a.example.com:8200"
            ]
        );
        assert_eq!(change.unchanged, ["TCP 8000-8100 to a.example.com"]);
    }

    #[test]
    fn icmp_flows_compare_without_ports() {
        let old = request("[[rules]]\nprotocol = \"icmp\"\ndestinations = [\"gw.example.com\"]\n");
        let new = request(
            "[[rules]]\nprotocol = \"icmp\"\naction = \"deny\"\ndestinations = [\"gw.example.com\"]\n",
        );
        let change = compare(&old, &new, &Zones::default());
        assert_eq!(names(&change.to_deny), ["ICMP to gw.example.com (denied)"]);
        assert_eq!(
            change.to_deny[0].test.checks[0].command,
            "ping -c 3 gw.example.com"
        );
    }

    #[test]
    fn a_removal_lists_allowed_and_denied_flows_apart() {
        let r = request(
            "[[rules]]\nports = [443, 9, \"1000-2000\", 80]\ndestinations = [\"a.example.com\"]\n[[rules]]\naction = \"deny\"\nports = [21]\ndestinations = [\"a.example.com\"]\n",
        );
        let (allowed, denied) = all_flows(&r, &Zones::default());
        assert_eq!(
            names(&allowed),
            ["TCP 9, 80, 443, 1000-2000 to a.example.com"]
        );
        assert_eq!(names(&denied), ["TCP 21 to a.example.com (denied)"]);
    }
}
