//! The request as data about traffic: which protocol, ports and sources each
//! rule allows or denies to each destination, in normal form.
//!
//! Built once from a validated `Request`, so two spellings of one thing are one
//! value here: names are lower-case punycode (validation makes them so),
//! addresses canonical, a `/32` or `/128` is the address, ports and sources are
//! sets. Change tickets compare these (`change`), lints look for conflicts in
//! them, and the test plan (`flows`) is built beside them. A `Flow` holds no
//! spans and no text meant for a reader or a shell: never add any.

use crate::request::{Network, PortRange, Request, Target, TestHost};
use crate::spec::{Action, Protocol};
use serde::Serialize;
use std::fmt;
use std::net::IpAddr;

/// A set of ports as sorted, disjoint, non-adjacent inclusive ranges, so that
/// `[443, 80]`, `[80, 443, 443]` and `["80", "443"]` are one value.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortSet {
    ranges: Vec<(u16, u16)>,
}

impl PortSet {
    /// The set of every port in `ranges` (each `(low, high)`, inclusive).
    pub fn new(ranges: impl IntoIterator<Item = (u16, u16)>) -> Self {
        let mut ranges: Vec<(u16, u16)> = ranges
            .into_iter()
            .map(|(a, b)| (a.min(b), a.max(b)))
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::with_capacity(ranges.len());
        for (low, high) in ranges {
            match merged.last_mut() {
                Some(last) if u32::from(low) <= u32::from(last.1) + 1 => {
                    last.1 = last.1.max(high);
                }
                _ => merged.push((low, high)),
            }
        }
        PortSet { ranges: merged }
    }

    /// The ports a rule lists.
    pub fn of(ports: &[PortRange]) -> Self {
        PortSet::new(ports.iter().map(|p| (p.low, p.high)))
    }

    /// The ranges, lowest first.
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The ports in either set.
    pub fn union(&self, other: &PortSet) -> PortSet {
        PortSet::new(self.ranges.iter().chain(&other.ranges).copied())
    }

    /// The ports in both sets.
    pub fn intersection(&self, other: &PortSet) -> PortSet {
        let mut out = Vec::new();
        for &(a, b) in &self.ranges {
            for &(c, d) in &other.ranges {
                let (low, high) = (a.max(c), b.min(d));
                if low <= high {
                    out.push((low, high));
                }
            }
        }
        PortSet::new(out)
    }

    /// The ports of this set that are not in `other`.
    pub fn difference(&self, other: &PortSet) -> PortSet {
        let mut out = Vec::new();
        for &(low, high) in &self.ranges {
            let mut from = u32::from(low);
            let high = u32::from(high);
            for &(c, d) in &other.ranges {
                let (c, d) = (u32::from(c), u32::from(d));
                if d < from || c > high {
                    continue;
                }
                if c > from {
                    out.push((from, c - 1));
                }
                from = d + 1;
            }
            if from <= high {
                out.push((from, high));
            }
        }
        PortSet::new(
            out.into_iter()
                .filter_map(|(a, b)| Some((u16::try_from(a).ok()?, u16::try_from(b).ok()?))),
        )
    }

    /// Whether `port` is in this set.
    pub fn contains(&self, port: u16) -> bool {
        self.ranges
            .iter()
            .any(|&(low, high)| low <= port && port <= high)
    }

    /// Whether every port of `other` is in this set.
    pub fn contains_all(&self, other: &PortSet) -> bool {
        other.difference(self).is_empty()
    }

    /// The ports a check tests: each single port, and both ends of each range.
    pub fn ends(&self) -> Vec<u16> {
        self.ranges
            .iter()
            .flat_map(|&(low, high)| {
                if low == high {
                    vec![low]
                } else {
                    vec![low, high]
                }
            })
            .collect()
    }
}

/// `80, 443, 8000-8100`: by number, each range once.
impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for (i, &(low, high)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if low == high {
                write!(f, "{low}")?;
            } else {
                write!(f, "{low}-{high}")?;
            }
        }
        Ok(())
    }
}

/// JSON and templates get `[{low, high, text}]`, lowest first.
impl Serialize for PortSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Range {
            low: u16,
            high: u16,
            text: String,
        }
        s.collect_seq(self.ranges.iter().map(|&(low, high)| Range {
            low,
            high,
            text: if low == high {
                low.to_string()
            } else {
                format!("{low}-{high}")
            },
        }))
    }
}

/// `tcp 80, 443`, `udp 123`, or `icmp` (which has no ports): the service a
/// rule names, as messages and comments show it.
pub(crate) fn service(protocol: Protocol, ports: &PortSet) -> String {
    if ports.is_empty() {
        protocol.as_str().to_string()
    } else {
        format!("{} {ports}", protocol.as_str())
    }
}

/// What one rule says about one destination.
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    /// The rule's number in the request, from 1 (not part of the flow's meaning).
    pub rule: usize,
    pub action: Action,
    pub protocol: Protocol,
    /// Sorted, each once; empty means any source.
    pub sources: Vec<Network>,
    pub target: Target,
    /// Empty for icmp, which has no ports.
    pub ports: PortSet,
}

impl Flow {
    /// What the flow means, without where it was written.
    fn meaning(&self) -> (Action, Protocol, &[Network], &Target, &PortSet) {
        (
            self.action,
            self.protocol,
            &self.sources,
            &self.target,
            &self.ports,
        )
    }
}

impl Flow {
    /// Whether this flow speaks of `packet`: its protocol and port, a source
    /// in its sources (any when there are none) and a destination it covers.
    /// A packet whose source and destination address differ in family is
    /// not a packet, and no flow speaks of it.
    pub fn matches(&self, packet: &Packet) -> bool {
        let port = match (self.protocol, packet.port) {
            (Protocol::Icmp, None) => true,
            (Protocol::Tcp | Protocol::Udp, Some(port)) => self.ports.contains(port),
            _ => false,
        };
        let family = match &packet.destination {
            TestHost::Address(address) => address.is_ipv4() == packet.source.is_ipv4(),
            TestHost::Name(_) => true,
        };
        self.protocol == packet.protocol
            && port
            && family
            && (self.sources.is_empty() || self.sources.iter().any(|n| n.contains(packet.source)))
            && self.target.covers(&packet.destination.target())
    }
}

/// One packet as a firewall sees it: from an address, to an address or to a
/// name (which a firewall that holds names resolves), on a protocol and port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Packet {
    pub source: IpAddr,
    pub destination: TestHost,
    pub protocol: Protocol,
    /// `None` for icmp (an echo request), which has no port.
    pub port: Option<u16>,
}

/// What a request says of one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Meaning {
    /// A rule allows it and no rule denies it: the first such rule.
    Allowed { rule: usize },
    /// A rule denies it, whatever else allows it: the first such rule.
    Denied { rule: usize },
    /// No rule speaks of it: the firewall's other rules decide.
    NotThisRequest,
}

/// The one meaning of a request for a packet: a deny wins over an allow,
/// otherwise a packet a rule allows is allowed, otherwise the request says
/// nothing of it. The ticket, change tickets, zones and every `implement`
/// target say this; each target writes its deny rules before its allow
/// rules so that a firewall's first match gives the same verdict.
pub fn meaning(flows: &[Flow], packet: &Packet) -> Meaning {
    let first = |action: Action| {
        flows
            .iter()
            .find(|f| f.action == action && f.matches(packet))
            .map(|f| f.rule)
    };
    if let Some(rule) = first(Action::Deny) {
        Meaning::Denied { rule }
    } else if let Some(rule) = first(Action::Allow) {
        Meaning::Allowed { rule }
    } else {
        Meaning::NotThisRequest
    }
}

/// Two flows are equal when they let through (or stop) the same traffic.
impl PartialEq for Flow {
    fn eq(&self, other: &Self) -> bool {
        self.meaning() == other.meaning()
    }
}

impl Eq for Flow {}

impl std::hash::Hash for Flow {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.meaning().hash(state);
    }
}

/// The flows of a request: one per rule and destination, in the request's order.
pub fn flows(request: &Request) -> Vec<Flow> {
    let mut out = Vec::new();
    for (i, rule) in request.rules.iter().enumerate() {
        let mut sources: Vec<Network> = rule.sources.iter().map(|s| s.value).collect();
        sources.sort_unstable();
        sources.dedup();
        let ports = match rule.protocol {
            Protocol::Icmp => PortSet::default(),
            Protocol::Tcp | Protocol::Udp => PortSet::of(&rule.ports),
        };
        for dest in &rule.destinations {
            out.push(Flow {
                rule: i + 1,
                action: rule.action,
                protocol: rule.protocol,
                sources: sources.clone(),
                target: dest.target.clone(),
                ports: ports.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ranges: &[(u16, u16)]) -> PortSet {
        PortSet::new(ranges.iter().copied())
    }

    use crate::validate::test_request as request;

    #[test]
    fn port_sets_merge_overlapping_and_adjacent_ranges_and_sort_by_number() {
        let ports = set(&[
            (1000, 2000),
            (443, 443),
            (80, 80),
            (9, 9),
            (444, 500),
            (2001, 2001),
        ]);
        assert_eq!(ports.ranges(), [(9, 9), (80, 80), (443, 500), (1000, 2001)]);
        assert_eq!(ports.to_string(), "9, 80, 443-500, 1000-2001");
        assert_eq!(set(&[(5, 3)]).ranges(), [(3, 5)]);
        assert_eq!(set(&[(1, 1), (3, 3)]).ranges(), [(1, 1), (3, 3)]);
    }

    #[test]
    fn port_set_arithmetic() {
        let old = set(&[(8000, 8100)]);
        let new = set(&[(8000, 8200)]);
        assert_eq!(new.difference(&old).to_string(), "8101-8200");
        assert!(old.difference(&new).is_empty());
        assert_eq!(
            set(&[(1, 10)])
                .difference(&set(&[(3, 4), (6, 6)]))
                .to_string(),
            "1-2, 5, 7-10"
        );
        assert_eq!(
            set(&[(0, 65535)])
                .difference(&set(&[(0, 0), (65535, 65535)]))
                .to_string(),
            "1-65534"
        );
        assert_eq!(
            set(&[(1, 10), (20, 30)])
                .intersection(&set(&[(5, 25)]))
                .to_string(),
            "5-10, 20-25"
        );
        assert_eq!(
            set(&[(80, 80)]).union(&set(&[(81, 90)])).to_string(),
            "80-90"
        );
        assert!(new.contains_all(&old));
        assert!(!old.contains_all(&new));
        assert_eq!(set(&[(80, 80), (8000, 8100)]).ends(), [80, 8000, 8100]);
    }

    #[test]
    fn respelled_requests_have_equal_flows() {
        let a = flows(&request(
            "[[rules]]\nports = [443, 80]\nsources = [\"10.0.0.0/24\", \"10.0.1.5\", \"2001:db8:1::/64\"]\ndestinations = [\"A.Example.COM\", \"192.0.2.7/32\", \"bücher.example\", \"2001:DB8::10\"]\n",
        ));
        let b = flows(&request(
            "[[rules]]\nports = [80, 443, 443]\nsources = [\"2001:DB8:1::/64\", \"10.0.1.5/32\", \"10.0.0.0/24\"]\ndestinations = [\"a.example.com\", \"192.0.2.7\", \"xn--bcher-kva.example\", \"2001:db8::10\"]\n",
        ));
        assert_eq!(a, b);
        // Hashing agrees with equality, and tells different flows apart.
        let hash = |f: &Flow| {
            use std::hash::{BuildHasher as _, BuildHasherDefault};
            BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(f)
        };
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(hash(x), hash(y));
        }
        assert_ne!(hash(&a[0]), hash(&a[1]));
    }

    #[test]
    fn action_protocol_ports_and_sources_are_meaning() {
        let base = "ports = [443]\ndestinations = [\"a.example.com\"]";
        let one = |extra: &str| flows(&request(&format!("[[rules]]\n{base}\n{extra}\n")));
        let plain = one("");
        assert_ne!(plain, one("action = \"deny\""));
        assert_ne!(plain, one("protocol = \"udp\""));
        assert_ne!(plain, one("sources = [\"10.0.0.1\"]"));
        assert_eq!(plain[0].rule, 1);
        assert!(plain[0].sources.is_empty());
    }

    /// Deny wins over allow whatever the order; sources, ports, families
    /// and wildcards decide which rules speak of a packet at all.
    #[test]
    fn a_packet_means_deny_over_allow_else_allow_else_nothing() {
        let f = flows(&request(
            "[[rules]]\nports = [443]\nsources = [\"10.20.0.0/24\"]\ndestinations = [\"198.51.100.0/24\", \"*.example.com\"]\n[[rules]]\naction = \"deny\"\nports = [443, 8443]\ndestinations = [\"198.51.100.10\", \"bad.example.com\"]\n[[rules]]\nprotocol = \"icmp\"\ndestinations = [\"2001:db8::/64\"]\n",
        ));
        let packet = |source: &str, to: &str, protocol, port| Packet {
            source: source.parse().expect("address"),
            destination: match to.parse() {
                Ok(address) => TestHost::Address(address),
                Err(_) => TestHost::Name(to.parse().expect("name")),
            },
            protocol,
            port,
        };
        let tcp = |source, to, port| meaning(&f, &packet(source, to, Protocol::Tcp, Some(port)));
        let (allowed, denied) = (Meaning::Allowed { rule: 1 }, Meaning::Denied { rule: 2 });
        for (source, to, port, want) in [
            ("10.20.0.9", "198.51.100.9", 443, allowed),
            ("10.20.0.9", "198.51.100.10", 443, denied),
            // The deny holds for every source, the allow for its own.
            ("10.99.0.1", "198.51.100.10", 443, denied),
            ("10.99.0.1", "198.51.100.9", 443, Meaning::NotThisRequest),
            ("10.20.0.9", "198.51.100.9", 8443, Meaning::NotThisRequest),
            ("10.20.0.9", "198.51.101.9", 443, Meaning::NotThisRequest),
            ("10.20.0.9", "www.example.com", 443, allowed),
            ("10.20.0.9", "bad.example.com", 443, denied),
            // The apex is not under its wildcard.
            ("10.20.0.9", "example.com", 443, Meaning::NotThisRequest),
        ] {
            assert_eq!(tcp(source, to, port), want, "{source} -> {to}:{port}");
        }
        let icmp = |source, to| meaning(&f, &packet(source, to, Protocol::Icmp, None));
        assert_eq!(
            icmp("2001:db8:9::1", "2001:db8::7"),
            Meaning::Allowed { rule: 3 }
        );
        // No packet goes from an IPv4 source to an IPv6 address.
        assert_eq!(icmp("10.20.0.9", "2001:db8::7"), Meaning::NotThisRequest);
        assert_eq!(
            meaning(
                &f,
                &packet("10.20.0.9", "198.51.100.9", Protocol::Udp, Some(443))
            ),
            Meaning::NotThisRequest
        );
    }

    #[test]
    fn icmp_has_no_ports() {
        let f = flows(&request(
            "[[rules]]\nprotocol = \"icmp\"\ndestinations = [\"gw.example.com\"]\n",
        ));
        assert!(f[0].ports.is_empty());
    }
}
