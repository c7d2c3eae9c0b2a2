//! Zones: the team's network policy as data, read from `fwreq.toml`, and the
//! judgement of every flow against it.
//!
//! `[zones]` names networks and name patterns; a source or destination
//! belongs to the zone of its most specific matching network (or the zone
//! of its most specific matching name pattern), and to the built-in zone
//! `internet` otherwise. `[[zone_policy]]` entries give a verdict for a pair
//! of zones (`allowed`, `review` or `forbidden`), optionally for a protocol and
//! ports; the most specific entry wins and a pair no entry names needs review.
//! Lints, tickets, JSON and change tickets all ask [`Zones::judge`]; nothing
//! else decides which zone a flow is in.

use crate::diagnostic::{Diagnostic, Invalid, Source};
use crate::policy::{self, PortSet};
use crate::request::{Network, Request, Target};
use crate::spec::{Protocol, RawPort};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;
use toml::Spanned;

/// The zone of everything no zone names.
pub(crate) const INTERNET: &str = "internet";
/// In a policy entry: any zone.
const ANY: &str = "*";

/// A zone's name: one of the team's `[zones]`, or the built-in `internet`.
/// Made only from a checked team file, so it always names a zone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ZoneName(String);

impl ZoneName {
    fn internet() -> ZoneName {
        ZoneName(INTERNET.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ZoneName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One side of a `[[zone_policy]]` entry: a zone, or `*`, any zone.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Side {
    Any,
    Zone(ZoneName),
}

impl Side {
    fn of(text: String) -> Side {
        if text == ANY {
            Side::Any
        } else {
            Side::Zone(ZoneName(text))
        }
    }

    fn holds(&self, zone: &ZoneName) -> bool {
        match self {
            Side::Any => true,
            Side::Zone(name) => name == zone,
        }
    }
}

/// Where a policy entry is written, shown as `fwreq.toml:16`: a ticket or
/// a warning names the entry that decided.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What the team's policy says of a flow between two zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allowed,
    Review,
    Forbidden,
}

impl Verdict {
    /// As a ticket says it.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Allowed => "pre-approved",
            Verdict::Review => "needs review",
            Verdict::Forbidden => "forbidden",
        }
    }
}

/// One zone: its networks and name patterns (`host.corp.example`, `*.corp.example`).
#[derive(Debug, Clone)]
struct Zone {
    name: ZoneName,
    networks: Vec<Network>,
    patterns: Vec<Target>,
}

/// One `[[zone_policy]]` entry.
#[derive(Debug, Clone)]
struct Entry {
    from: Side,
    to: Side,
    protocol: Option<Protocol>,
    ports: Option<PortSet>,
    verdict: Verdict,
    at: Origin,
}

/// A team's zones and policy; empty when its file has none.
#[derive(Debug, Clone, Default)]
pub struct Zones {
    zones: Vec<Zone>,
    policy: Vec<Entry>,
}

/// A flow's zones and what the policy says of it. Templates and JSON also
/// get `text` (`plant-k8s -> internet, pre-approved`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Judgement {
    pub from: ZoneName,
    pub to: ZoneName,
    pub verdict: Verdict,
    /// The entry that decided; none when no entry names the pair.
    pub by: Option<Origin>,
}

impl Serialize for Judgement {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut st = s.serialize_struct("Judgement", 5)?;
        st.serialize_field("from", &self.from)?;
        st.serialize_field("to", &self.to)?;
        st.serialize_field("verdict", &self.verdict)?;
        st.serialize_field("by", &self.by)?;
        st.serialize_field("text", &self.describe())?;
        st.end()
    }
}

impl Judgement {
    /// `plant-k8s -> internet, pre-approved`.
    pub fn describe(&self) -> String {
        format!("{} -> {}, {}", self.from, self.to, self.verdict.words())
    }
}

/// How `fwreq.toml` writes zones, before they are checked.
pub(crate) type RawZones = BTreeMap<String, Vec<Spanned<String>>>;

/// How `fwreq.toml` writes one policy entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    from: Spanned<String>,
    to: Spanned<String>,
    protocol: Option<Spanned<Protocol>>,
    ports: Option<Vec<Spanned<RawPort>>>,
    verdict: Spanned<Verdict>,
}

impl Zones {
    /// Whether the team defines any zone (else nothing is judged).
    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }

    /// Checks the team file's zones and policy; every problem is located.
    pub fn parse(
        source: &Source,
        zones: RawZones,
        policy: Vec<Spanned<RawEntry>>,
    ) -> Result<Zones, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut out = Zones::default();
        let mut seen = Seen::default();
        for (name, values) in zones {
            let zone = seen.zone(name, values, &mut diags);
            out.zones.push(zone);
        }
        for entry in policy {
            let entry = out.policy_entry(source, entry, &mut diags);
            out.policy.push(entry);
        }
        if diags.is_empty() {
            Ok(out)
        } else {
            Err(diags)
        }
    }

    /// One `[[zone_policy]]` entry, its zone names checked against the
    /// zones (with the nearest name as help) and its ports parsed.
    fn policy_entry(
        &self,
        source: &Source,
        entry: Spanned<RawEntry>,
        diags: &mut Vec<Diagnostic>,
    ) -> Entry {
        let span = entry.span();
        let raw = entry.into_inner();
        let mut zone_name = |name: &Spanned<String>| {
            let text = name.get_ref();
            if text == INTERNET || text == ANY || self.zones.iter().any(|z| z.name.0 == *text) {
                return;
            }
            let names = self.zones.iter().map(|z| z.name.as_str()).chain([INTERNET]);
            let help = match crate::names::nearest(text, names) {
                Some(n) => format!("did you mean `{n}`?"),
                None => "name a zone of [zones], `internet`, or `*` for any zone".into(),
            };
            diags.push(Diagnostic::error(name.span(), format!("no zone `{text}`")).with_help(help));
        };
        zone_name(&raw.from);
        zone_name(&raw.to);
        let ports = raw.ports.map(|ports| {
            PortSet::new(ports.iter().filter_map(|p| {
                match crate::validate::port::port(p.get_ref(), p.span()) {
                    Ok(range) => Some((range.low, range.high)),
                    Err(e) => {
                        diags.push(e.at(p.span()));
                        None
                    }
                }
            }))
        });
        Entry {
            from: Side::of(raw.from.into_inner()),
            to: Side::of(raw.to.into_inner()),
            protocol: raw.protocol.map(Spanned::into_inner),
            ports,
            verdict: raw.verdict.into_inner(),
            at: Origin {
                file: source.path().display().to_string(),
                line: source.position(span.start).line,
            },
        }
    }

    /// The zone of a network: the one whose most specific network holds it
    /// all. An IPv6 form of an IPv4 address is judged as that address.
    pub fn of_network(&self, network: &Network) -> Option<&ZoneName> {
        let network = &embedded_ipv4(*network);
        self.zones
            .iter()
            .flat_map(|z| z.networks.iter().map(move |n| (n, z)))
            .filter(|(n, _)| n.contains_network(network))
            .max_by_key(|(n, _)| n.prefix)
            .map(|(_, z)| &z.name)
    }

    /// The zone of a destination: by network for addresses and ranges, by
    /// the most specific covering name pattern for names and wildcards.
    pub fn of_target(&self, target: &Target) -> Option<&ZoneName> {
        if let Some(network) = target.network() {
            return self.of_network(&network);
        }
        self.zones
            .iter()
            .flat_map(|z| z.patterns.iter().map(move |p| (p, z)))
            .filter(|(p, _)| p.covers(target))
            // Every covering pattern ends the name: the longest is the most specific.
            .max_by_key(|(p, _)| match p {
                Target::Host { name } => name.len(),
                Target::Wildcard { domain, .. } => domain.len(),
                Target::Address { .. } | Target::Range { .. } => 0,
            })
            .map(|(_, z)| &z.name)
    }

    /// Every zone a destination reaches: the zone that holds it all (or
    /// `internet`), and, for a range or wildcard wider than some of the
    /// team's networks or patterns, the zones of those too. A range around a
    /// zone reaches that zone: judging it as `internet` alone would let a
    /// wider rule pass a verdict the narrower one fails.
    fn reached(&self, target: &Target) -> Vec<ZoneName> {
        let mut zones = vec![
            self.of_target(target)
                .cloned()
                .unwrap_or_else(ZoneName::internet),
        ];
        for zone in &self.zones {
            let inside = match target.network().map(embedded_ipv4) {
                Some(wide) => zone
                    .networks
                    .iter()
                    .any(|n| wide.contains_network(n) && *n != wide),
                None => zone
                    .patterns
                    .iter()
                    .any(|p| target.covers(p) && p != target),
            };
            if inside {
                zones.push(zone.name.clone());
            }
        }
        zones.sort();
        zones.dedup();
        zones
    }

    /// The zones of a flow's sources: each source's zones (as [`Zones::reached`]
    /// says of a destination). A flow without sources comes from any
    /// source, so from every zone of the team and from `internet`.
    fn source_zones(&self, flow: &policy::Flow) -> Vec<ZoneName> {
        let of = |n: Network| self.reached(&Target::Range { network: n });
        let mut zones: Vec<ZoneName> = if flow.sources.is_empty() {
            self.zones
                .iter()
                .map(|z| z.name.clone())
                .chain([ZoneName::internet()])
                .collect()
        } else {
            flow.sources.iter().flat_map(|n| of(*n)).collect()
        };
        zones.sort();
        zones.dedup();
        zones
    }

    /// [`Zones::judge`], or nothing when the team has no zones.
    pub fn judge_if_any(&self, flow: &policy::Flow) -> Vec<Judgement> {
        if self.is_empty() {
            Vec::new()
        } else {
            self.judge(flow)
        }
    }

    /// What the policy says of one flow: one judgement per pair of a source
    /// zone and a destination zone it reaches.
    pub fn judge(&self, flow: &policy::Flow) -> Vec<Judgement> {
        let targets = self.reached(&flow.target);
        let mut out = Vec::new();
        for from in self.source_zones(flow) {
            for to in &targets {
                let entry = self.entry(&from, to, flow);
                out.push(Judgement {
                    verdict: entry.map_or(Verdict::Review, |e| e.verdict),
                    by: entry.map(|e| e.at.clone()),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        }
        out
    }

    /// The entry that decides a pair and a flow. A `forbidden` entry that
    /// names any of the flow's ports (or none) wins over every other, however
    /// specific: a team's "never" always holds. Otherwise the most specific
    /// entry: named zones before `*`, then entries with ports (holding all the
    /// flow's) before those without, then with a protocol before without; the
    /// first written of equals.
    fn entry(&self, from: &ZoneName, to: &ZoneName, flow: &policy::Flow) -> Option<&Entry> {
        let pair: Vec<&Entry> = self
            .policy
            .iter()
            .filter(|e| e.from.holds(from) && e.to.holds(to))
            .filter(|e| e.protocol.is_none_or(|p| p == flow.protocol))
            .collect();
        let forbidden: Vec<&Entry> = pair
            .iter()
            .copied()
            .filter(|e| e.verdict == Verdict::Forbidden)
            .filter(|e| {
                e.ports.as_ref().is_none_or(|p| {
                    flow.protocol != Protocol::Icmp && !p.intersection(&flow.ports).is_empty()
                })
            })
            .collect();
        if !forbidden.is_empty() {
            return most_specific(forbidden);
        }
        most_specific(
            pair.into_iter()
                .filter(|e| {
                    e.ports.as_ref().is_none_or(|p| {
                        flow.protocol != Protocol::Icmp && p.contains_all(&flow.ports)
                    })
                })
                .collect(),
        )
    }
}

/// The most specific of `entries` (see [`Zones::entry`]).
fn most_specific(entries: Vec<&Entry>) -> Option<&Entry> {
    entries
        .into_iter()
        .enumerate()
        .max_by_key(|(i, e)| {
            (
                usize::from(e.from != Side::Any) + usize::from(e.to != Side::Any),
                e.ports.is_some(),
                e.protocol.is_some(),
                std::cmp::Reverse(*i),
            )
        })
        .map(|(_, e)| e)
}

/// The IPv4 network an IPv6 network stands for, when it is one of the forms
/// that carry an IPv4 address to it: NAT64's well-known prefix `64:ff9b::/96`
/// (RFC 6052), 6to4's `2002::/16` (RFC 3056; the /48 of one address) and
/// the IPv4-compatible `::a.b.c.d` (RFC 4291, not `::` or `::1`). The
/// traffic reaches that IPv4 address, so its zone is that address's zone.
/// Any other network is itself.
fn embedded_ipv4(network: Network) -> Network {
    let IpAddr::V6(v6) = network.addr else {
        return network;
    };
    let bits = u128::from(v6);
    let v4 = |value: u128, prefix: u8| Network {
        addr: IpAddr::V4(std::net::Ipv4Addr::from((value & 0xffff_ffff) as u32)),
        prefix: prefix.min(32),
    };
    let nat64 = 0x0064_ff9b_u128 << 96;
    if network.prefix >= 96 && bits >> 32 == nat64 >> 32 {
        return v4(bits, network.prefix - 96);
    }
    if network.prefix >= 16 && bits >> 112 == 0x2002 {
        // Bits 16-47 hold the address; a /48 or longer is all of it.
        return v4(bits >> 80, network.prefix.saturating_sub(16));
    }
    if network.prefix >= 96 && bits >> 32 == 0 && bits > 1 {
        return v4(bits, network.prefix - 96);
    }
    network
}

/// Each rule's distinct judgements, in rule order (what the ticket shows).
pub fn of_rules(zones: &Zones, request: &Request) -> Vec<Vec<Judgement>> {
    if zones.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Vec<Judgement>> = vec![Vec::new(); request.rules.len()];
    for flow in policy::flows(request) {
        let Some(rule) = out.get_mut(flow.rule - 1) else {
            continue;
        };
        for judgement in zones.judge(&flow) {
            if !rule.contains(&judgement) {
                rule.push(judgement);
            }
        }
    }
    for rule in &mut out {
        rule.sort();
    }
    out
}

/// A network or name pattern claimed by a second zone.
fn in_two_zones(message: String, span: std::ops::Range<usize>) -> Diagnostic {
    Invalid::new(message)
        .help("remove it from one of the two zones")
        .at(span)
}

/// What the zones parsed so far hold: every network once (the same
/// network in two zones is ambiguous), and every name pattern once, whatever
/// its case (with one pattern in two zones, the zone that sorts last would
/// win unseen).
#[derive(Default)]
struct Seen {
    networks: BTreeMap<Network, String>,
    patterns: BTreeMap<Target, String>,
}

impl Seen {
    /// One zone of `[zones]`: its networks and name patterns, each checked
    /// and claimed for this zone.
    fn zone(
        &mut self,
        name: String,
        values: Vec<Spanned<String>>,
        diags: &mut Vec<Diagnostic>,
    ) -> Zone {
        let mut zone = Zone {
            name: ZoneName(name.clone()),
            networks: Vec::new(),
            patterns: Vec::new(),
        };
        if name == INTERNET || name == ANY {
            let span = values.first().map_or(0..0, Spanned::span);
            diags.push(
                Invalid::new(format!("`{name}` is built in and cannot be defined"))
                    .help("name the zone after the networks it holds, e.g. plant-k8s")
                    .at(span),
            );
        }
        for value in values {
            let text = value.get_ref();
            if text.contains('*') || text.parse::<IpAddr>().is_err() && !text.contains('/') {
                match crate::validate::host::destination(text) {
                    Ok(target @ (Target::Host { .. } | Target::Wildcard { .. })) => {
                        if let Some(other) = self.patterns.insert(target.clone(), name.clone()) {
                            diags.push(in_two_zones(
                                format!("`{text}` is in zone `{other}` already (as `{target}`); a name pattern belongs to one zone"),
                                value.span(),
                            ));
                        }
                        zone.patterns.push(target);
                    }
                    Ok(_) => {}
                    Err(e) => diags.push(e.at(value.span())),
                }
                continue;
            }
            match crate::validate::host::address_or_network(text) {
                Ok(network) => {
                    if let Some(other) = self.networks.insert(network, name.clone()) {
                        diags.push(in_two_zones(
                            format!("{network} is in zone `{other}` already; a network belongs to one zone"),
                            value.span(),
                        ));
                    }
                    zone.networks.push(network);
                }
                Err(e) => diags.push(e.at(value.span())),
            }
        }
        zone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example requests' team file: plant-k8s, plant-ot, plant-services.
    const TEAM: &str = include_str!("../requests/fwreq.toml");

    #[derive(Deserialize)]
    struct File {
        zones: RawZones,
        #[serde(default)]
        zone_policy: Vec<Spanned<RawEntry>>,
    }

    fn zones(text: &str) -> Result<Zones, Vec<Diagnostic>> {
        let source = Source::new("fwreq.toml", text.to_string());
        let file: File = toml::from_str(text).expect("shape");
        Zones::parse(&source, file.zones, file.zone_policy)
    }

    fn flow(rules: &str) -> Vec<policy::Flow> {
        policy::flows(&crate::validate::test_request(rules))
    }

    fn said(zones: &Zones, rules: &str) -> Vec<String> {
        flow(rules)
            .iter()
            .flat_map(|f| zones.judge(f))
            .map(|j| {
                let by = j.by.as_ref().map(ToString::to_string).unwrap_or_default();
                format!("{} ({by})", j.describe())
            })
            .collect()
    }

    /// The zone of a destination written as in a request.
    fn zone_of(zones: &Zones, text: &str) -> Option<String> {
        let target = crate::validate::host::destination(text).expect("target");
        zones.of_target(&target).map(ZoneName::to_string)
    }

    #[test]
    fn the_most_specific_network_or_pattern_decides_the_zone() {
        let of = |team: &str, text: &str| zone_of(&zones(team).expect("valid"), text);
        let cases = [
            (TEAM, "10.188.50.7", Some("plant-k8s")),
            (TEAM, "10.188.50.0/25", Some("plant-k8s")),
            (TEAM, "10.188.0.0/16", None),
            (TEAM, "10.40.12.9", Some("plant-ot")),
            (TEAM, "10.200.17.3", Some("plant-services")),
            (TEAM, "2001:db8:50::9", Some("plant-k8s")),
            (TEAM, "2001:db8:51::9", None),
            (TEAM, "ntp1.corp.example.com", Some("plant-services")),
            (TEAM, "*.eu.corp.example.com", Some("plant-services")),
            (TEAM, "corp.example.com", None),
            (TEAM, "example.com", None),
            // A more specific network or pattern of another zone wins.
            (
                "[zones]\nwide = [\"10.0.0.0/8\"]\nnarrow = [\"10.1.0.0/16\"]\n",
                "10.1.2.3",
                Some("narrow"),
            ),
            (
                "[zones]\nwide = [\"10.0.0.0/8\"]\nnarrow = [\"10.1.0.0/16\"]\n",
                "10.2.2.3",
                Some("wide"),
            ),
            (
                "[zones]\nvendor = [\"api.example.com\"]\nall = [\"*.example.com\"]\n",
                "api.example.com",
                Some("vendor"),
            ),
            (
                "[zones]\nvendor = [\"api.example.com\"]\nall = [\"*.example.com\"]\n",
                "www.example.com",
                Some("all"),
            ),
        ];
        for (team, text, zone) in cases {
            assert_eq!(of(team, text).as_deref(), zone, "{text}");
        }
    }

    /// Every verdict, the most specific entry, and a range or wildcard
    /// around a zone judged for that zone too.
    #[test]
    fn every_verdict_the_most_specific_entry_and_a_range_around_a_zone() {
        let z = zones(TEAM).expect("valid");
        let from_k8s = "[[rules]]\nsources = [\"10.188.50.0/24\"]\n";
        let rule = |sources: &str, destination: &str| {
            format!(
                "[[rules]]\nports = [443]\nsources = [\"{sources}\"]\ndestinations = [{destination}]"
            )
        };
        let cases = [
            (
                format!("{from_k8s}ports = [443]\ndestinations = [\"a.example.com\"]"),
                vec!["plant-k8s -> internet, pre-approved (fwreq.toml:16)"],
            ),
            // Port 80 is not in the entry's ports: no entry names it, so review.
            (
                format!("{from_k8s}ports = [80, 443]\ndestinations = [\"a.example.com\"]"),
                vec!["plant-k8s -> internet, needs review ()"],
            ),
            (
                "[[rules]]\nsources = [\"10.40.12.0/24\"]\nprotocol = \"udp\"\nports = [123]\ndestinations = [\"pool.ntp.org\"]".into(),
                vec!["plant-ot -> internet, forbidden (fwreq.toml:24)"],
            ),
            (
                "[[rules]]\nsources = [\"10.40.12.0/24\"]\nprotocol = \"udp\"\nports = [123]\ndestinations = [\"ntp1.corp.example.com\"]".into(),
                vec!["plant-ot -> plant-services, pre-approved (fwreq.toml:30)"],
            ),
            // Each source zone apart; a source in no zone is internet.
            (
                "[[rules]]\nsources = [\"192.0.2.0/24\", \"10.188.50.0/24\"]\nports = [443]\ndestinations = [\"10.201.8.7\"]".into(),
                vec![
                    "internet -> plant-services, pre-approved (fwreq.toml:30)",
                    "plant-k8s -> plant-services, pre-approved (fwreq.toml:30)",
                ],
            ),
            // 10.40.0.0/20 holds plant-ot and the site gateways, and more.
            (
                rule("10.40.12.0/24", "\"10.40.0.0/20\""),
                vec![
                    "plant-ot -> internet, forbidden (fwreq.toml:24)",
                    "plant-ot -> plant-ot, needs review ()",
                    "plant-ot -> plant-services, pre-approved (fwreq.toml:30)",
                ],
            ),
            // A wildcard over the corporate pattern reaches it as well.
            (
                rule(
                    "10.40.12.0/24",
                    "{ host = \"*.example.com\", probe = \"a.example.com\" }",
                ),
                vec![
                    "plant-ot -> internet, forbidden (fwreq.toml:24)",
                    "plant-ot -> plant-services, pre-approved (fwreq.toml:30)",
                ],
            ),
            // So does a source range around a zone.
            (
                rule("10.40.0.0/16", "\"a.example.com\""),
                vec![
                    "internet -> internet, needs review ()",
                    "plant-ot -> internet, forbidden (fwreq.toml:24)",
                    "plant-services -> internet, needs review ()",
                ],
            ),
        ];
        for (rules, want) in cases {
            assert_eq!(said(&z, &rules), want, "{rules}");
        }
    }

    /// Issue #30, case 5: the most specific entry decides, except that a
    /// `forbidden` entry wins over any other (a pair-level `review` or
    /// `allowed` included) wherever it names one of the flow's ports.
    #[test]
    fn forbidden_always_wins_and_otherwise_the_most_specific_entry() {
        let team = "[zones]\nk8s = [\"10.1.0.0/16\"]\nvendor = [\"192.0.2.0/24\"]\not = [\"10.40.0.0/16\"]\n[[zone_policy]]\nfrom = \"*\"\nto = \"vendor\"\nverdict = \"review\"\n[[zone_policy]]\nfrom = \"k8s\"\nto = \"vendor\"\nverdict = \"allowed\"\n[[zone_policy]]\nfrom = \"*\"\nto = \"internet\"\nports = [23]\nverdict = \"forbidden\"\n[[zone_policy]]\nfrom = \"k8s\"\nto = \"internet\"\nverdict = \"allowed\"\n[[zone_policy]]\nfrom = \"ot\"\nto = \"*\"\nverdict = \"forbidden\"\n[[zone_policy]]\nfrom = \"ot\"\nto = \"vendor\"\nverdict = \"review\"\n";
        let z = zones(team).expect("valid");
        let from = |source: &str, ports: &str, dest: &str| {
            said(
                &z,
                &format!(
                    "[[rules]]\nports = {ports}\nsources = [\"{source}\"]\ndestinations = [\"{dest}\"]"
                ),
            )
        };
        for (source, ports, destination, want) in [
            (
                "10.1.2.0/24",
                "[443]",
                "192.0.2.7",
                "k8s -> vendor, pre-approved (fwreq.toml:9)",
            ),
            (
                "10.9.0.0/24",
                "[443]",
                "192.0.2.7",
                "internet -> vendor, needs review (fwreq.toml:5)",
            ),
            (
                "10.1.2.0/24",
                "[443]",
                "example.com",
                "k8s -> internet, pre-approved (fwreq.toml:18)",
            ),
            // One forbidden port of two is enough.
            (
                "10.1.2.0/24",
                "[22, 23]",
                "example.com",
                "k8s -> internet, forbidden (fwreq.toml:13)",
            ),
            // A pair-level review does not beat the team's forbidden entry.
            (
                "10.40.1.0/24",
                "[443]",
                "192.0.2.7",
                "ot -> vendor, forbidden (fwreq.toml:22)",
            ),
        ] {
            assert_eq!(
                from(source, ports, destination),
                [want],
                "{source} {ports} {destination}"
            );
        }
    }

    /// Issue #30, case 5: NAT64, 6to4 and IPv4-compatible forms of an
    /// address reach that IPv4 address, so they are in its zone.
    #[test]
    fn ipv6_forms_of_an_ipv4_address_are_judged_as_that_address() {
        let z = zones(TEAM).expect("valid");
        let plant_ot = [
            "64:ff9b::a28:c09",
            "64:ff9b::10.40.12.9",
            "64:ff9b::a28:c00/120",
            "2002:a28:c09::1",
            "2002:a28:c00::/40",
            "::10.40.12.9",
        ];
        for text in plant_ot {
            assert_eq!(zone_of(&z, text).as_deref(), Some("plant-ot"), "{text}");
        }
        assert_eq!(zone_of(&z, "64:ff9b::c000:207"), None);
        assert_eq!(zone_of(&z, "2001:db8:50::9").as_deref(), Some("plant-k8s"));
        // So a source in plant-ot written as NAT64 is forbidden the internet.
        assert_eq!(
            said(
                &z,
                "[[rules]]\nprotocol = \"udp\"\nports = [123]\nsources = [\"64:ff9b::a28:c00/120\"]\ndestinations = [\"pool.ntp.org\"]"
            ),
            ["plant-ot -> internet, forbidden (fwreq.toml:24)"]
        );
    }

    /// Issue #30, case 3: no `sources` is any source, so every zone of the
    /// team is judged (not the test host's alone), and a zone the policy
    /// forbids makes the rule forbidden.
    #[test]
    fn a_rule_without_sources_is_judged_from_every_zone() {
        let z = zones(TEAM).expect("valid");
        let request = crate::validate::test_request(
            "[[rules]]\nports = [443]\ndestinations = [\"a.example.com\"]\n[test]\nhost = \"ops@10.188.50.201\"\n",
        );
        let judged: Vec<String> = of_rules(&z, &request)[0]
            .iter()
            .map(Judgement::describe)
            .collect();
        assert_eq!(
            judged,
            [
                "internet -> internet, needs review",
                "plant-k8s -> internet, pre-approved",
                "plant-ot -> internet, forbidden",
                "plant-services -> internet, needs review",
            ]
        );
    }

    #[test]
    fn mistakes_in_the_team_file_are_located() {
        let twice = "[zones]\na = [\"10.0.0.0/8\"]\nb = [\"10.0.0.0/8\"]\n[[zone_policy]]\nfrom = \"a\"\nto = \"internt\"\nverdict = \"allowed\"\n";
        let located = |diags: &[Diagnostic]| -> Vec<(usize, String)> {
            diags
                .iter()
                .map(|d| (d.span.start, d.message.clone()))
                .collect()
        };
        let diags = zones(twice).expect_err("invalid");
        assert_eq!(
            located(&diags),
            [
                (
                    32,
                    "10.0.0.0/8 is in zone `a` already; a network belongs to one zone".into()
                ),
                (78, "no zone `internt`".into()),
            ]
        );
        assert_eq!(diags[1].help.as_deref(), Some("did you mean `internet`?"));
        // One name pattern in two zones, in another case: an error at the second.
        let diags = zones("[zones]\nit = [\"*.ot.example.com\"]\not = [\"*.OT.Example.com\"]\n")
            .expect_err("twice");
        assert_eq!(
            located(&diags),
            [(
                40,
                "`*.OT.Example.com` is in zone `it` already (as `*.ot.example.com`); a name pattern belongs to one zone".into()
            )]
        );
        for builtin in ["internet", "*"] {
            let diags = zones(&format!("[zones]\n\"{builtin}\" = [\"10.0.0.0/8\"]\n"))
                .expect_err("built in");
            assert_eq!(
                diags[0].message,
                format!("`{builtin}` is built in and cannot be defined")
            );
        }
    }
}
