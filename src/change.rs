//! Change and removal tickets: what a new revision of a request opens, closes
//! and turns on the firewall, compared by meaning.
//!
//! This is the one place flows are compared. Both revisions become
//! `policy::Flow`s (normal forms: punycode names, canonical addresses, port and
//! source sets), are cut into what each source may reach on each protocol and
//! destination, and set arithmetic on those ports says what changed: a range
//! that grows from 8000-8100 to 8000-8200 opens 8101-8200 and nothing else; a
//! name written in another case is no change at all. The checks of each
//! changed flow come from `flows`, so they test exactly the changed ports.

use crate::flows::{self, DestinationChecks};
use crate::policy::{self, PortSet};
use crate::request::{Destination, Network, Request, Target};
use crate::spec::{Action, Protocol};
use crate::zones::{Judgement, Zones};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One flow of a change or removal ticket, with what proves it.
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    pub protocol: Protocol,
    pub action: Action,
    /// The ports this entry is about (only the changed ones), lowest first;
    /// empty for icmp.
    pub ports: PortSet,
    /// The sources, `any` where a rule names none; empty when that is all.
    pub sources: Vec<String>,
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
    pub opened: Vec<Flow>,
    /// Allowed before and not after: these should fail afterwards.
    pub closed: Vec<Flow>,
    /// Allowed before, denied after.
    pub to_deny: Vec<Flow>,
    /// Denied before, allowed after.
    pub to_allow: Vec<Flow>,
    /// New deny rules: these should fail afterwards.
    pub deny_added: Vec<Flow>,
    /// Deny rules taken out: what they blocked follows the firewall's other rules.
    pub deny_removed: Vec<Flow>,
    /// Destinations whose spelling alone changed.
    pub respelled: Vec<Respelling>,
    /// Flows in both revisions with the same action, in words.
    pub unchanged: Vec<String>,
    /// Opened flows whose verdict differs from that of the same destination,
    /// protocol and sources before (`444-450 needs review, 443 was pre-approved`).
    pub verdicts_moved: Vec<String>,
}

/// One protocol from one source (`None`: any) to one destination.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Path {
    protocol: Protocol,
    target: Target,
    source: Option<Network>,
}

/// The ports each path is allowed (or denied) on. icmp, which has no ports,
/// counts as the one pseudo-port 0 so that set arithmetic treats it alike.
type Reach = BTreeMap<Path, PortSet>;

fn reach(flows: &[policy::Flow], action: Action) -> Reach {
    let mut out = Reach::new();
    for flow in flows.iter().filter(|f| f.action == action) {
        let ports = match flow.protocol {
            Protocol::Icmp => PortSet::new([(0, 0)]),
            Protocol::Tcp | Protocol::Udp => flow.ports.clone(),
        };
        let sources: Vec<Option<Network>> = if flow.sources.is_empty() {
            vec![None]
        } else {
            flow.sources.iter().copied().map(Some).collect()
        };
        for source in sources {
            let path = Path {
                protocol: flow.protocol,
                target: flow.target.clone(),
                source,
            };
            let entry = out.entry(path).or_default();
            *entry = entry.union(&ports);
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

    /// The reach as ticket entries: paths with the same ports to the same
    /// destination are one entry with their sources, in the request's order.
    fn entries(&self, reach: &Reach, action: Action) -> Vec<Flow> {
        let mut grouped: BTreeMap<(usize, Protocol, &PortSet), Vec<Option<Network>>> =
            BTreeMap::new();
        for (path, ports) in reach {
            let Some((order, _)) = self.by_target.get(&path.target) else {
                continue;
            };
            grouped
                .entry((*order, path.protocol, ports))
                .or_default()
                .push(path.source);
        }
        let by_order: BTreeMap<usize, &Destination> =
            self.by_target.values().map(|(i, d)| (*i, *d)).collect();
        grouped
            .into_iter()
            .filter_map(|((order, protocol, ports), sources)| {
                let dest = by_order.get(&order)?;
                let ports = match protocol {
                    Protocol::Icmp => PortSet::default(),
                    Protocol::Tcp | Protocol::Udp => ports.clone(),
                };
                let test = flows::destination_checks(protocol, &ports.ends(), dest);
                let judged = policy::Flow {
                    rule: 0,
                    action,
                    protocol,
                    // Any source among them makes the entry one from anywhere.
                    sources: sources
                        .iter()
                        .copied()
                        .collect::<Option<_>>()
                        .unwrap_or_default(),
                    target: dest.target.clone(),
                    ports: ports.clone(),
                };
                let zones = self.zones.judge_if_any(&judged);
                let sources = match sources.as_slice() {
                    [None] => Vec::new(),
                    _ => sources
                        .iter()
                        .map(|s| s.map_or_else(|| "any".to_string(), |n| n.to_string()))
                        .collect(),
                };
                Some(Flow {
                    protocol,
                    action,
                    ports,
                    sources,
                    test,
                    zones,
                })
            })
            .collect()
    }
}

/// Compares two revisions of one request by meaning; each changed flow is
/// judged against the team's `zones`.
pub fn compare(old: &Request, new: &Request, zones: &Zones) -> Change {
    let (old_flows, new_flows) = (policy::flows(old), policy::flows(new));
    let (allowed_before, allowed_after) = (
        reach(&old_flows, Action::Allow),
        reach(&new_flows, Action::Allow),
    );
    let (denied_before, denied_after) = (
        reach(&old_flows, Action::Deny),
        reach(&new_flows, Action::Deny),
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
        closed: section(&minus(&no_longer_allowed, &to_deny), Action::Allow),
        to_deny: section(&to_deny, Action::Deny),
        to_allow: section(&to_allow, Action::Allow),
        deny_added: section(&minus(&newly_denied, &to_deny), Action::Deny),
        deny_removed: section(&minus(&no_longer_denied, &to_allow), Action::Deny),
        respelled: respelled(old, new),
        unchanged: unchanged.iter().map(describe).collect(),
    }
}

/// A section's flows with each check run once: an entry per source can repeat
/// the same host and port, and the engineer runs the line once.
fn once_each(mut flows: Vec<Flow>) -> Vec<Flow> {
    let mut seen = BTreeSet::new();
    for flow in &mut flows {
        flow.test.checks.retain(|c| seen.insert(c.command.clone()));
    }
    flows
}

/// For each opened flow, a line when the same destination, protocol and
/// sources already had flows with another verdict.
fn verdicts_moved(opened: &[Flow], unchanged: &[Flow]) -> Vec<String> {
    let verdicts = |flow: &Flow| -> Vec<String> {
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
fn describe(flow: &Flow) -> String {
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
pub fn all_flows(request: &Request, zones: &Zones) -> (Vec<Flow>, Vec<Flow>) {
    let flows = policy::flows(request);
    let destinations = Destinations::of(&[request], zones);
    (
        once_each(destinations.entries(&reach(&flows, Action::Allow), Action::Allow)),
        once_each(destinations.entries(&reach(&flows, Action::Deny), Action::Deny)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::validate::test_request as request;

    fn names(flows: &[Flow]) -> Vec<String> {
        flows.iter().map(describe).collect()
    }

    fn commands(flow: &Flow) -> Vec<&str> {
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
