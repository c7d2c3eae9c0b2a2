//! The checks a request implies: which host, port and protocol to test, and how.
//!
//! One place decides what proves a rule works, so the ticket's snippets and
//! `fwreq probe` can never disagree. Wildcards are tested through their probe
//! host or apex, ranges through their probe address (or only captured), port
//! ranges at both ends. Values come from a validated `Request`, so they are safe
//! to put in a shell line as they are.

use crate::request::{Destination, Network, PortRange, Request, Rule, Target};
use crate::spec::{Action, Protocol};
use serde::Serialize;
use std::fmt::Write as _;
use std::net::IpAddr;

/// The checks for one rule, in the order the ticket shows them.
#[derive(Debug, Clone, Serialize)]
pub struct RuleChecks {
    /// The rule's number in the request, from 1.
    pub number: usize,
    /// The rule's sources (empty: any), which the traffic of its checks should leave from.
    pub sources: Vec<Network>,
    /// The rule's ports as written (empty for icmp).
    pub ports: Vec<PortRange>,
    /// The `# ...` heading of this rule's block.
    pub heading: String,
    pub protocol: Protocol,
    pub action: Action,
    /// Caveats for the whole rule: UDP is best effort; a deny rule's checks should fail.
    pub notes: Vec<String>,
    pub destinations: Vec<DestinationChecks>,
}

/// What to run for one destination of a rule.
#[derive(Debug, Clone, Serialize)]
pub struct DestinationChecks {
    /// The destination as written in the spec.
    pub destination: String,
    /// The concrete host or address tested (ASCII), if any can be.
    pub host: Option<TestHost>,
    /// Why the tested host differs from the destination, or why none is tested.
    pub note: Option<String>,
    pub checks: Vec<Check>,
    /// The `tcpdump` line that shows the traffic leaving this host.
    pub capture: String,
}

pub use crate::request::TestHost;

/// One connection test: `curl`, `nc` or `ping`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub host: TestHost,
    pub port: Option<u16>,
    pub protocol: Protocol,
    pub command: String,
}

/// Plans every rule of a request.
pub fn plan(request: &Request) -> Vec<RuleChecks> {
    request
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| rule_checks(i + 1, rule))
        .collect()
}

/// How many flows a plan tests: one per check, and one for a destination
/// with nothing to test (a range without a probe address), as `list` and
/// `site` count them.
pub(crate) fn count(plan: &[RuleChecks]) -> usize {
    plan.iter()
        .flat_map(|rule| &rule.destinations)
        .map(|d| d.checks.len().max(1))
        .sum()
}

/// [`count`] of the request's plan without making it (its commands, notes
/// and captures): `list` counts the flows of every request it lists.
pub(crate) fn count_of(request: &Request) -> usize {
    let rule_count = |rule: &Rule| {
        let ports = tested_ports(rule).len();
        rule.destinations
            .iter()
            .map(|dest| match (&dest.target, &dest.probe, rule.protocol) {
                // A range without a probe address: nothing to test.
                (Target::Range { .. }, None, _) | (_, _, Protocol::Icmp) => 1,
                (_, _, Protocol::Tcp | Protocol::Udp) => ports.max(1),
            })
            .sum::<usize>()
    };
    request.rules.iter().map(rule_count).sum()
}

/// The ports a rule's checks test: each distinct one once, in the order
/// written, even where ports or ranges overlap (a range by its two ends).
fn tested_ports(rule: &Rule) -> Vec<u16> {
    let mut seen = std::collections::HashSet::new();
    rule.ports
        .iter()
        .flat_map(PortRange::ends)
        .filter(|port| seen.insert(*port))
        .collect()
}

fn rule_checks(number: usize, rule: &Rule) -> RuleChecks {
    let heading = rule.comment.clone().unwrap_or_else(|| {
        let mut h = format!("Rule {number}: {}", rule.protocol.as_str().to_uppercase());
        if !rule.ports.is_empty() {
            let ports: Vec<String> = rule.ports.iter().map(ToString::to_string).collect();
            let _ = write!(h, " {}", ports.join("/"));
        }
        h
    });
    let mut notes = Vec::new();
    if rule.protocol == Protocol::Udp {
        notes.push(
            "UDP checks are best effort: no reply does not prove the port is blocked".to_string(),
        );
    }
    if rule.action == Action::Deny {
        notes.push("deny rule: once it is in place, these checks should fail".to_string());
    }
    let ends = tested_ports(rule);
    RuleChecks {
        number,
        sources: rule.sources.iter().map(|s| s.value).collect(),
        ports: rule.ports.clone(),
        heading,
        protocol: rule.protocol,
        action: rule.action,
        notes,
        destinations: rule
            .destinations
            .iter()
            .map(|d| destination_checks(rule.protocol, &ends, d))
            .collect(),
    }
}

/// The checks of one destination on the given ports (each tested once, in
/// this order; ignored for icmp) and its capture line.
pub(crate) fn destination_checks(
    protocol: Protocol,
    ports: &[u16],
    dest: &Destination,
) -> DestinationChecks {
    let (host, note) = tested_host(dest);
    let checks = match &host {
        None => Vec::new(),
        Some(host) => {
            let check = |port: Option<u16>| Check {
                host: host.clone(),
                port,
                protocol,
                command: command(protocol, host, port),
            };
            match protocol {
                Protocol::Icmp => vec![check(None)],
                Protocol::Tcp | Protocol::Udp => ports.iter().map(|p| check(Some(*p))).collect(),
            }
        }
    };
    let capture = match (&dest.target, &host) {
        (Target::Range { network }, _) => format!("sudo tcpdump -i any -nn dst net {network}"),
        (_, Some(host)) => format!("sudo tcpdump -i any -nn dst host {host}"),
        (_, None) => format!("sudo tcpdump -i any -nn dst host {}", dest.written),
    };
    DestinationChecks {
        destination: dest.written.clone(),
        host,
        note,
        checks,
        capture,
    }
}

/// The host a check connects to, and a note when it is not the destination itself.
fn tested_host(dest: &Destination) -> (Option<TestHost>, Option<String>) {
    let written = &dest.written;
    match (&dest.target, dest.probe.clone()) {
        (Target::Host { name }, _) => (Some(TestHost::Name(name.clone())), None),
        (Target::Address { address }, _) => (Some(TestHost::Address(*address)), None),
        (Target::Wildcard { .. }, Some(probe)) => {
            let note = format!("{written}: a wildcard cannot be tested directly; testing {probe}");
            (Some(probe), Some(note))
        }
        (Target::Wildcard { domain, .. }, None) => (
            Some(TestHost::Name(domain.clone())),
            Some(format!(
                "{written}: a wildcard cannot be tested directly; testing its apex {domain}"
            )),
        ),
        (Target::Range { network }, Some(probe)) => {
            let note = format!("{network}: a range has no single host; testing {probe}");
            (Some(probe), Some(note))
        }
        (Target::Range { network }, None) => (
            None,
            Some(format!(
                "{network}: a range has no single host to test; the capture below watches it"
            )),
        ),
    }
}

/// The command an engineer runs from the source host to test one flow.
pub fn command(protocol: Protocol, host: &TestHost, port: Option<u16>) -> String {
    let port = port.map(|p| p.to_string()).unwrap_or_default();
    match protocol {
        Protocol::Tcp if matches!(host, TestHost::Address(IpAddr::V6(_))) => {
            format!("curl -vv telnet://[{host}]:{port}")
        }
        Protocol::Tcp => format!("curl -vv telnet://{host}:{port}"),
        Protocol::Udp => format!("nc -vzu {host} {port}"),
        Protocol::Icmp => format!("ping -c 3 {host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plans a one-rule request written as the body of a `[[rules]]` table.
    fn plan_rule(rule: &str) -> RuleChecks {
        plan(&crate::validate::test_request(&format!(
            "[[rules]]\n{rule}\n"
        )))
        .remove(0)
    }

    fn commands(rule: &RuleChecks) -> Vec<String> {
        rule.destinations
            .iter()
            .flat_map(|d| d.checks.iter().map(|c| c.command.clone()))
            .collect()
    }

    fn captures(rule: &RuleChecks) -> Vec<String> {
        rule.destinations
            .iter()
            .map(|d| d.capture.clone())
            .collect()
    }

    #[test]
    fn tcp_uses_curl_telnet_for_every_destination_and_port() {
        let r = plan_rule("ports = [80, 443]\ndestinations = [\"a.example.com\", \"192.0.2.7\"]");
        assert_eq!(
            commands(&r),
            [
                "curl -vv telnet://a.example.com:80",
                "curl -vv telnet://a.example.com:443",
                "curl -vv telnet://192.0.2.7:80",
                "curl -vv telnet://192.0.2.7:443",
            ]
        );
        assert_eq!(
            captures(&r),
            [
                "sudo tcpdump -i any -nn dst host a.example.com",
                "sudo tcpdump -i any -nn dst host 192.0.2.7",
            ]
        );
    }

    #[test]
    fn ipv6_goes_in_brackets() {
        let r = plan_rule("ports = [443]\ndestinations = [\"2001:db8::10\"]");
        assert_eq!(commands(&r), ["curl -vv telnet://[2001:db8::10]:443"]);
        assert_eq!(
            captures(&r),
            ["sudo tcpdump -i any -nn dst host 2001:db8::10"]
        );
    }

    #[test]
    fn udp_uses_nc_and_says_it_is_best_effort() {
        let r =
            plan_rule("protocol = \"udp\"\nports = [123]\ndestinations = [\"ntp.example.com\"]");
        assert_eq!(commands(&r), ["nc -vzu ntp.example.com 123"]);
        assert_eq!(
            r.notes,
            ["UDP checks are best effort: no reply does not prove the port is blocked"]
        );
    }

    #[test]
    fn a_deny_rule_says_its_checks_should_fail() {
        let r = plan_rule("action = \"deny\"\nports = [21]\ndestinations = [\"ftp.example.com\"]");
        assert_eq!(
            r.notes,
            ["deny rule: once it is in place, these checks should fail"]
        );
        assert_eq!(commands(&r), ["curl -vv telnet://ftp.example.com:21"]);
    }

    /// `list`'s count without a plan is the plan's, for rules of every kind.
    #[test]
    fn flows_are_counted_alike_with_and_without_a_plan() {
        let request = crate::validate::test_request(
            "[[rules]]\nports = [80, 443, 80, \"8000-8050\", 8000]\ndestinations = [\"a.example.com\", \"192.0.2.7\", \"10.1.0.0/24\", { host = \"10.2.0.0/24\", probe = \"10.2.0.5\" }, { host = \"*.example.org\", probe = \"x.example.org\" }, \"*.example.net\"]\n\
             [[rules]]\nprotocol = \"udp\"\nports = [123]\ndestinations = [\"ntp.example.com\", \"10.3.0.0/24\"]\n\
             [[rules]]\nprotocol = \"icmp\"\ndestinations = [\"gw.example.com\", \"10.4.0.0/24\"]\n",
        );
        let plan = plan(&request);
        // 4 ports by 5 tested destinations and 1 range untested; 1 by 1 and 1; 2 pings.
        assert_eq!(count(&plan), 4 * 5 + 1 + 2 + 2);
        assert_eq!(count_of(&request), count(&plan));
    }

    #[test]
    fn icmp_uses_ping() {
        let r = plan_rule("protocol = \"icmp\"\ndestinations = [\"gw.example.com\"]");
        assert_eq!(commands(&r), ["ping -c 3 gw.example.com"]);
    }

    #[test]
    fn wildcard_tests_its_apex_with_a_note() {
        let r = plan_rule("ports = [443]\ndestinations = [\"*.amazonaws.com\", \"*pkg.dev\"]");
        assert_eq!(
            commands(&r),
            [
                "curl -vv telnet://amazonaws.com:443",
                "curl -vv telnet://pkg.dev:443"
            ]
        );
        assert_eq!(
            r.destinations[0].note.as_deref(),
            Some(
                "*.amazonaws.com: a wildcard cannot be tested directly; testing its apex amazonaws.com"
            )
        );
        assert_eq!(captures(&r)[1], "sudo tcpdump -i any -nn dst host pkg.dev");
    }

    #[test]
    fn wildcard_tests_its_probe_host_when_given() {
        let r = plan_rule(
            "ports = [443]\ndestinations = [{ host = \"*.pkg.dev\", probe = \"us-central1-docker.pkg.dev\" }]",
        );
        assert_eq!(
            commands(&r),
            ["curl -vv telnet://us-central1-docker.pkg.dev:443"]
        );
        assert_eq!(
            captures(&r),
            ["sudo tcpdump -i any -nn dst host us-central1-docker.pkg.dev"]
        );
    }

    #[test]
    fn cidr_has_no_curl_line_but_a_note_and_a_net_capture() {
        let r = plan_rule("ports = [443]\ndestinations = [\"52.94.0.0/16\"]");
        assert!(commands(&r).is_empty());
        assert!(
            r.destinations[0]
                .note
                .as_deref()
                .is_some_and(|n| n.contains("no single host"))
        );
        assert_eq!(
            captures(&r),
            ["sudo tcpdump -i any -nn dst net 52.94.0.0/16"]
        );
    }

    #[test]
    fn cidr_with_a_probe_tests_the_probe_and_captures_the_range() {
        let r = plan_rule(
            "ports = [514]\ndestinations = [{ host = \"10.200.16.0/28\", probe = \"10.200.16.5\" }]",
        );
        assert_eq!(commands(&r), ["curl -vv telnet://10.200.16.5:514"]);
        assert_eq!(
            captures(&r),
            ["sudo tcpdump -i any -nn dst net 10.200.16.0/28"]
        );
    }

    #[test]
    fn port_range_checks_both_ends_only() {
        let r = plan_rule("ports = [\"8000-8100\"]\ndestinations = [\"a.example.com\"]");
        assert_eq!(
            commands(&r),
            [
                "curl -vv telnet://a.example.com:8000",
                "curl -vv telnet://a.example.com:8100"
            ]
        );
    }

    #[test]
    fn overlapping_ports_are_checked_once() {
        let r = plan_rule(
            "ports = [443, \"443-450\", \"400-450\"]\ndestinations = [\"a.example.com\"]",
        );
        assert_eq!(
            commands(&r),
            [
                "curl -vv telnet://a.example.com:443",
                "curl -vv telnet://a.example.com:450",
                "curl -vv telnet://a.example.com:400",
            ]
        );
    }

    #[test]
    fn a_single_address_range_is_tested_like_an_address() {
        let r = plan_rule("ports = [443]\ndestinations = [\"192.0.2.7/32\", \"2001:db8::1/128\"]");
        assert_eq!(
            commands(&r),
            [
                "curl -vv telnet://192.0.2.7:443",
                "curl -vv telnet://[2001:db8::1]:443"
            ]
        );
        assert_eq!(
            captures(&r),
            [
                "sudo tcpdump -i any -nn dst host 192.0.2.7",
                "sudo tcpdump -i any -nn dst host 2001:db8::1"
            ]
        );
    }

    #[test]
    fn idn_is_tested_in_punycode() {
        let r = plan_rule("ports = [443]\ndestinations = [\"bücher.example\"]");
        assert_eq!(
            commands(&r),
            ["curl -vv telnet://xn--bcher-kva.example:443"]
        );
        assert_eq!(r.destinations[0].destination, "bücher.example");
    }

    #[test]
    fn heading_is_the_comment_or_a_summary() {
        assert_eq!(
            plan_rule("comment = \"OCI\"\nports = [443]\ndestinations = [\"a.example.com\"]")
                .heading,
            "OCI"
        );
        assert_eq!(
            plan_rule("ports = [80, \"8000-8100\"]\ndestinations = [\"a.example.com\"]").heading,
            "Rule 1: TCP 80/8000-8100"
        );
    }
}
