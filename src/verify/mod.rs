//! Verify: does a firewall's nftables ruleset do what a request says? Real
//! packets through the real kernel, in namespaces made for the run.
//!
//! The plan comes from the request's meaning (`policy::meaning`): for each
//! rule and destination, a packet from each source network's sample address
//! to each destination address, on each port (a range at both ends and its
//! middle), on its protocol. `namespace` sends them through the ruleset and
//! tells each packet's fate (answered, rejected, dropped); `judge` sets that
//! beside what the request wants. Names are tested only through `--resolve`
//! mappings; a ruleset that filters nothing on the forward path or matches
//! interfaces the namespaces lack is reported as not judged, never guessed.
//! No evaluator of nftables semantics lives here: the kernel is the engine.

pub mod namespace;
pub mod report;
pub mod trace;

use crate::evidence::Tested;
use crate::policy::{self, Meaning};
use crate::probe::resolve::Mappings;
use crate::request::{Destination, Network, Request, Rule, Target, TestHost};
use crate::spec::{Action, Protocol};
use namespace::{Answer, Chain, Fate, Packet, Wire};
use serde::Serialize;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The source a rule without sources ("any") is tested from: documentation
/// addresses (RFC 5737, RFC 3849) no request is likely to name.
const ANY_SOURCE: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::new(198, 51, 100, 10)),
    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 0x10)),
];

/// Hooks a forwarded packet passes: a ruleset with base chains on none of
/// these filters only the firewall's own traffic.
const FORWARD_PATH: [&str; 4] = ["ingress", "prerouting", "forward", "postrouting"];

/// What the request wants of one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "wants", content = "by_rule")]
pub enum Wants {
    Allowed(usize),
    Denied(usize),
    /// No rule of the request speaks of it.
    NotThisRequest,
}

impl From<Meaning> for Wants {
    fn from(m: Meaning) -> Self {
        match m {
            Meaning::Allowed { rule } => Wants::Allowed(rule),
            Meaning::Denied { rule } => Wants::Denied(rule),
            Meaning::NotThisRequest => Wants::NotThisRequest,
        }
    }
}

/// What the ruleset did with one packet, or why it could not be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "did", content = "detail")]
pub enum Did {
    Answered,
    Rejected(String),
    Dropped,
    /// No packet could be made (a name without --resolve, a family with no source).
    NotVerifiable(String),
    /// Sent, but the ruleset's verdict here says nothing of the real firewall.
    NotJudged(String),
    /// The namespace failed to send it: no verdict about the ruleset.
    Failed(String),
}

/// One packet of a request (or one flow that made none).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    #[serde(flatten)]
    pub tested: Tested,
    pub source: Option<IpAddr>,
    pub address: Option<IpAddr>,
    pub port: Option<u16>,
    #[serde(flatten)]
    pub wants: Wants,
    #[serde(flatten)]
    pub did: Did,
    /// Whether the ruleset did what the request wants; none when not verified.
    pub agrees: Option<bool>,
    /// The ruleset's chains the packet passed, and the verdict (nftrace).
    pub passed: Option<String>,
}

/// A request's rows, and the packet each row that makes one sends.
pub struct Plan {
    pub rows: Vec<Row>,
    /// For each row, the index of its packet in `packets` (in the run's
    /// packets once `run` has laid every plan's end to end).
    sent: Vec<Option<usize>>,
    pub packets: Vec<Packet>,
}

/// A sample address of a network: its first host (the address itself when
/// it is one, the network's own address when it has no other).
fn sample(network: &Network) -> IpAddr {
    let host_bits = Network::max_prefix(network.addr) - network.prefix;
    match network.addr {
        IpAddr::V4(a) if host_bits >= 2 => IpAddr::V4(Ipv4Addr::from(u32::from(a) + 1)),
        IpAddr::V6(a) if host_bits >= 2 => IpAddr::V6(Ipv6Addr::from(u128::from(a) + 1)),
        other => other,
    }
}

/// The ports a flow is tested on: each single port; a range's ends and middle.
fn ports(protocol: Protocol, set: &policy::PortSet) -> Vec<Option<u16>> {
    if protocol == Protocol::Icmp {
        return vec![None];
    }
    let mut out = BTreeSet::new();
    for &(low, high) in set.ranges() {
        out.insert(low);
        out.insert(low + (high - low) / 2);
        out.insert(high);
    }
    out.into_iter().map(Some).collect()
}

/// The packets of a request: every rule, destination, sample source,
/// address and port, each with what the request wants of it.
pub fn plan(request: &Request, mappings: &Mappings, advice: &Advice) -> Plan {
    let flows = policy::flows(request);
    let mut plan = Plan {
        rows: Vec::new(),
        sent: Vec::new(),
        packets: Vec::new(),
    };
    for (index, rule) in request.rules.iter().enumerate() {
        let sources = sample_sources(rule);
        let ports = ports(rule.protocol, &policy::PortSet::of(&rule.ports));
        for destination in &rule.destinations {
            let tested = tested_host(destination);
            let blank = blank_row(index + 1, rule, destination, &tested);
            let flow = Sampled {
                rule,
                tested: &tested,
                sources: &sources,
                ports: &ports,
            };
            if !plan.add_packets(&flows, &flow, &blank, mappings) {
                let mut row = blank;
                row.did = Did::NotVerifiable(match &tested {
                    TestHost::Name(name) if mappings.get(name, 0).is_none() => {
                        format!("a name: give {} {name}:ADDRESS to test it", advice.resolve)
                    }
                    _ => "no source of the destination's address family".into(),
                });
                plan.add(row, None);
            }
        }
    }
    plan
}

/// One rule's destination as the plan tests it: the host, and the sample
/// sources and ports it is tested from and on.
struct Sampled<'a> {
    rule: &'a Rule,
    tested: &'a TestHost,
    sources: &'a [IpAddr],
    ports: &'a [Option<u16>],
}

/// A rule's sample sources, one per distinct network; a rule without
/// sources ("any") is tested from the documentation addresses.
fn sample_sources(rule: &Rule) -> Vec<IpAddr> {
    let mut sources: Vec<IpAddr> = rule.sources.iter().map(|s| sample(&s.value)).collect();
    sources.sort_unstable();
    sources.dedup();
    if sources.is_empty() {
        sources = ANY_SOURCE.to_vec();
    }
    sources
}

/// The host the firewall sees, as the request names it (for the meaning),
/// which stands for the addresses the packets go to.
fn tested_host(destination: &Destination) -> TestHost {
    match (&destination.target, &destination.probe) {
        (Target::Address { address }, _) => TestHost::Address(*address),
        (Target::Range { .. }, Some(probe)) => probe.clone(),
        (Target::Range { network }, None) => TestHost::Address(sample(network)),
        (Target::Host { name }, _) => TestHost::Name(name.clone()),
        (Target::Wildcard { .. }, Some(probe)) => probe.clone(),
        (Target::Wildcard { domain, .. }, None) => TestHost::Name(domain.clone()),
    }
}

/// A destination's row before any packet: what its rule wants, nothing sent.
fn blank_row(rule_number: usize, rule: &Rule, destination: &Destination, tested: &TestHost) -> Row {
    Row {
        tested: Tested {
            rule: rule_number,
            action: rule.action,
            protocol: rule.protocol,
            destination: destination.written.clone(),
            host: tested.to_string(),
        },
        source: None,
        address: None,
        port: None,
        wants: match rule.action {
            Action::Allow => Wants::Allowed(rule_number),
            Action::Deny => Wants::Denied(rule_number),
        },
        did: Did::NotVerifiable(String::new()),
        agrees: None,
        passed: None,
    }
}

impl Plan {
    /// Adds a row, and its packet unless the plan already sends that one:
    /// rows that share a packet share its fate.
    fn add(&mut self, row: Row, wire: Option<Packet>) {
        let at = wire.map(|wire| {
            self.packets
                .iter()
                .position(|p| *p == wire)
                .unwrap_or_else(|| {
                    self.packets.push(wire);
                    self.packets.len() - 1
                })
        });
        self.rows.push(row);
        self.sent.push(at);
    }

    /// Adds a row per port, address and source of the flow's family, with
    /// what the request wants of that packet; false when it made none.
    fn add_packets(
        &mut self,
        flows: &[policy::Flow],
        flow: &Sampled,
        blank: &Row,
        mappings: &Mappings,
    ) -> bool {
        let mut made = false;
        for &port in flow.ports {
            let addresses = match flow.tested {
                TestHost::Address(a) => vec![*a],
                TestHost::Name(name) => mappings
                    .get(name, port.unwrap_or(0))
                    .map(<[IpAddr]>::to_vec)
                    .unwrap_or_default(),
            };
            for &address in &addresses {
                for &source in flow
                    .sources
                    .iter()
                    .filter(|s| s.is_ipv4() == address.is_ipv4())
                {
                    let packet = policy::Packet {
                        source,
                        destination: flow.tested.clone(),
                        protocol: flow.rule.protocol,
                        port,
                    };
                    let mut row = blank.clone();
                    row.source = Some(source);
                    row.address = Some(address);
                    row.port = port;
                    row.wants = policy::meaning(flows, &packet).into();
                    made = true;
                    self.add_packet(row, source, address, port);
                }
            }
        }
        made
    }

    /// Adds one packet's row; an address the namespaces cannot hold makes
    /// the row not verifiable instead of a packet.
    fn add_packet(&mut self, mut row: Row, source: IpAddr, address: IpAddr, port: Option<u16>) {
        if !namespace::usable(source) || !namespace::usable(address) {
            row.did = Did::NotVerifiable(
                "an address the namespaces cannot hold (loopback, multicast, link-local)".into(),
            );
            self.add(row, None);
            return;
        }
        let wire = Packet {
            source,
            destination: address,
            protocol: match row.tested.protocol {
                Protocol::Tcp => Wire::Tcp,
                Protocol::Udp => Wire::Udp,
                Protocol::Icmp => Wire::Icmp,
            },
            port,
        };
        self.add(row, Some(wire));
    }
}

/// Plans that share one run of the namespaces: an address a packet leaves
/// from cannot also be one another packet goes to (each lives on one side).
pub fn untangle(plans: &mut [Plan]) {
    let sources: BTreeSet<IpAddr> = plans
        .iter()
        .flat_map(|p| &p.packets)
        .map(|p| p.source)
        .collect();
    let destinations: BTreeSet<IpAddr> = plans
        .iter()
        .flat_map(|p| &p.packets)
        .map(|p| p.destination)
        .collect();
    for plan in plans {
        for (row, sent) in plan.rows.iter_mut().zip(plan.sent.iter_mut()) {
            let Some(at) = *sent else { continue };
            let packet = &plan.packets[at];
            if destinations.contains(&packet.source) || sources.contains(&packet.destination) {
                row.did = Did::NotVerifiable(
                    "an address that is both a source and a destination of this run".into(),
                );
                *sent = None;
            }
        }
    }
}

/// Why the ruleset's verdicts say nothing of the real firewall, if they do not.
pub fn unjudgeable(
    chains: &[Chain],
    interfaces: &[String],
    own: &[&str],
    advice: &Advice,
) -> Option<String> {
    let on_path = |c: &&Chain| c.hook.as_deref().is_some_and(|h| FORWARD_PATH.contains(&h));
    let hooked: Vec<&Chain> = chains.iter().filter(|c| c.hook.is_some()).collect();
    if !hooked.is_empty() && !hooked.iter().any(on_path) {
        let hooks: BTreeSet<&str> = hooked.iter().filter_map(|c| c.hook.as_deref()).collect();
        return Some(format!(
            "the ruleset hooks only {}: it filters traffic to and from the firewall itself, not through it",
            hooks.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let unknown: Vec<&str> = interfaces
        .iter()
        .map(String::as_str)
        .filter(|i| !own.contains(i) && *i != "lo")
        .collect();
    if !unknown.is_empty() {
        return Some(format!(
            "the ruleset matches interfaces that do not exist here ({}); name the firewall's interfaces with {}",
            unknown.join(", "),
            advice.interfaces
        ));
    }
    None
}

/// Sets each row's fate beside what it wants.
pub fn judge(plan: &mut Plan, answer: &Answer, own_interfaces: &[&str], advice: &Advice) {
    let (fates, paths, why_not) = match answer {
        Answer::Done {
            fates,
            paths,
            chains,
            interfaces,
        } => (
            Some(fates),
            paths.as_slice(),
            unjudgeable(chains, interfaces, own_interfaces, advice),
        ),
        Answer::Refused(_) | Answer::Failed(_) => (None, &[][..], None),
    };
    for (row, sent) in plan.rows.iter_mut().zip(&plan.sent) {
        let (Some(at), Some(fates)) = (sent, fates) else {
            continue;
        };
        row.passed = paths.get(*at).cloned().flatten();
        let fate = fates
            .get(*at)
            .cloned()
            .unwrap_or(Fate::Failed("no fate came back for this packet".into()));
        row.did = match (fate, &why_not) {
            (Fate::Failed(e), _) => Did::Failed(e),
            (_, Some(why)) => Did::NotJudged(why.clone()),
            (Fate::Answered, None) => Did::Answered,
            (Fate::Rejected(how), None) => Did::Rejected(how),
            (Fate::Dropped, None) => Did::Dropped,
        };
        row.agrees = match (&row.wants, &row.did) {
            (Wants::Allowed(_), Did::Answered) => Some(true),
            (Wants::Allowed(_), Did::Rejected(_) | Did::Dropped) => Some(false),
            (Wants::Denied(_), Did::Answered) => Some(false),
            (Wants::Denied(_), Did::Rejected(_) | Did::Dropped) => Some(true),
            _ => None,
        };
    }
}

/// Every plan's packets through one run of the namespaces, then judged.
pub fn run(
    plans: &mut [Plan],
    ruleset: &str,
    options: &Options,
) -> Result<Answer, namespace::Unavailable> {
    untangle(plans);
    let mut packets: Vec<Packet> = Vec::new();
    for plan in plans.iter_mut() {
        let offset = packets.len();
        for sent in plan.sent.iter_mut().flatten() {
            *sent += offset;
        }
        packets.extend(plan.packets.iter().cloned());
    }
    let job = namespace::Job {
        ruleset: ruleset.to_string(),
        timeout_ms: u64::try_from(options.timeout.as_millis()).unwrap_or(u64::MAX),
        source_interface: options.source_interface.clone(),
        destination_interface: options.destination_interface.clone(),
        packets,
    };
    let answer = namespace::run(&job)?;
    let own = [
        options.source_interface.as_str(),
        options.destination_interface.as_str(),
    ];
    for plan in plans.iter_mut() {
        judge(plan, &answer, &own, &options.advice);
    }
    Ok(answer)
}

/// `--source-interface`, `--destination-interface`: a Linux interface name: 1 to 15 bytes of letters, digits, `-`, `_` and `.`.
pub fn interface_name(text: &str) -> Result<String, String> {
    let ok = (1..=15).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok && text != "lo" && !text.starts_with("fwreq-") {
        Ok(text.to_string())
    } else {
        Err(
            "an interface name is 1 to 15 letters, digits, `-`, `_` or `.` (not lo, not fwreq-...)"
                .into(),
        )
    }
}

/// How to verify.
pub struct Options {
    pub timeout: std::time::Duration,
    pub source_interface: String,
    pub destination_interface: String,
    pub advice: Advice,
}

/// How the command lets its user give what a flow or a ruleset lacks, for
/// the evidence's advice (verify names no flag of its own).
#[derive(Debug, Clone, Copy)]
pub struct Advice {
    /// What gives a name an address, written before `NAME:ADDRESS`.
    pub resolve: &'static str,
    /// What names the firewall's interfaces towards sources and destinations.
    pub interfaces: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::resolve::parse_mapping;
    use crate::validate::test_request as request;

    /// The command's words, as a command would give them.
    const ADVICE: Advice = Advice {
        resolve: "--map",
        interfaces: "the interface flags",
    };

    /// Each row as `rule source > address port: wants / did`.
    fn rows(plan: &Plan) -> Vec<String> {
        plan.rows
            .iter()
            .map(|r| {
                let show = |a: Option<IpAddr>| a.map_or("-".to_string(), |a| a.to_string());
                format!(
                    "{} {} > {} {}: {:?} / {:?}",
                    r.tested.rule,
                    show(r.source),
                    show(r.address),
                    r.port.map_or("-".to_string(), |p| p.to_string()),
                    r.wants,
                    r.did
                )
            })
            .collect()
    }

    #[test]
    fn a_plan_samples_each_source_each_address_and_a_ranges_ends_and_middle() {
        let plan = plan(
            &request(
                "[[rules]]\nports = [\"8000-8100\", 443]\nsources = [\"10.1.0.0/24\", \"10.9.9.9\", \"10.2.0.0/31\"]\ndestinations = [\"192.0.2.0/28\"]\n\n[[rules]]\naction = \"deny\"\nprotocol = \"icmp\"\ndestinations = [\"2001:db8::/64\", \"ntp.example.com\", \"mail.example.com\"]\n",
            ),
            &Mappings::new([parse_mapping("ntp.example.com:2001:db8::7").unwrap()]),
            &ADVICE,
        );
        let want = |rule, source: &str, port: &str, rest: &str| {
            format!("{rule} {source} > 192.0.2.1 {port}: Allowed({rule}) / {rest}")
        };
        let mut expected = Vec::new();
        for port in ["443", "8000", "8050", "8100"] {
            for source in ["10.1.0.1", "10.2.0.0", "10.9.9.9"] {
                expected.push(want(1, source, port, "NotVerifiable(\"\")"));
            }
        }
        expected.extend([
            "2 2001:db8:ffff::10 > 2001:db8::1 -: Denied(2) / NotVerifiable(\"\")".to_string(),
            "2 2001:db8:ffff::10 > 2001:db8::7 -: Denied(2) / NotVerifiable(\"\")".to_string(),
            "2 - > - -: Denied(2) / NotVerifiable(\"a name: give --map mail.example.com:ADDRESS to test it\")".to_string(),
        ]);
        assert_eq!(rows(&plan), expected);
        // One packet per distinct row that makes one; the name's row has none.
        assert_eq!(plan.packets.len(), 14);
        assert_eq!(plan.sent.iter().flatten().count(), 14);
        assert_eq!(plan.sent.last(), Some(&None));
    }

    #[test]
    fn an_address_on_both_sides_or_the_links_own_is_not_verifiable() {
        let mut plans = [
            plan(
                &request(
                    "[[rules]]\nports = [443]\nsources = [\"10.1.0.5\"]\ndestinations = [\"10.2.0.5\", \"169.254.0.6\"]\n",
                ),
                &Mappings::default(),
                &ADVICE,
            ),
            plan(
                &request(
                    "[[rules]]\nports = [443]\nsources = [\"10.2.0.5\"]\ndestinations = [\"10.3.0.5\"]\n",
                ),
                &Mappings::default(),
                &ADVICE,
            ),
        ];
        untangle(&mut plans);
        let both = "an address that is both a source and a destination of this run";
        assert_eq!(plans[0].rows[0].did, Did::NotVerifiable(both.into()));
        assert_eq!(
            plans[0].rows[1].did,
            Did::NotVerifiable(
                "an address the namespaces cannot hold (loopback, multicast, link-local)".into()
            )
        );
        assert_eq!(plans[1].rows[0].did, Did::NotVerifiable(both.into()));
        assert!(plans.iter().all(|p| p.sent.iter().all(Option::is_none)));
    }

    #[test]
    fn a_ruleset_on_the_host_only_or_on_foreign_interfaces_cannot_be_judged() {
        let chain = |hook: Option<&str>| Chain {
            family: "inet".into(),
            table: "t".into(),
            name: "c".into(),
            hook: hook.map(String::from),
        };
        let own = ["src0", "dst0"];
        assert_eq!(
            unjudgeable(&[chain(Some("output")), chain(Some("input")), chain(None)], &[], &own, &ADVICE),
            Some("the ruleset hooks only input, output: it filters traffic to and from the firewall itself, not through it".into())
        );
        for hook in FORWARD_PATH {
            assert_eq!(
                unjudgeable(
                    &[chain(Some("input")), chain(Some(hook))],
                    &[],
                    &own,
                    &ADVICE
                ),
                None
            );
        }
        assert_eq!(unjudgeable(&[], &[], &own, &ADVICE), None);
        let names = ["lo".to_string(), "src0".to_string(), "eth7".to_string()];
        assert!(
            unjudgeable(&[chain(Some("forward"))], &names, &own, &ADVICE).is_some_and(|why| why
                .ends_with("(eth7); name the firewall's interfaces with the interface flags"))
        );
        assert_eq!(
            unjudgeable(&[chain(Some("forward"))], &names[..2], &own, &ADVICE),
            None
        );
    }

    #[test]
    fn interface_names_are_what_linux_takes_and_not_the_namespaces_own() {
        for good in ["eth0", "wan.10", "br-lan_2", "a23456789012345"] {
            assert_eq!(interface_name(good).as_deref(), Ok(good));
        }
        for bad in [
            "",
            "lo",
            "fwreq-src",
            "a234567890123456",
            "eth 0",
            "eth0\"",
            "é",
        ] {
            assert!(interface_name(bad).is_err(), "{bad}");
        }
    }
}
