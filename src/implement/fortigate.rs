//! FortiGate (FortiOS CLI): IPv4 and IPv6 address objects (subnets, FQDN
//! and wildcard FQDN), custom services and one firewall policy per rule.
//! FortiOS holds every destination fwreq accepts, so nothing is left out.
//! A request's `expires` becomes each policy's `policy-expiry-date`.

use super::{Input, Out, Rule, text};
use crate::request::{Network, Target};
use crate::spec::{Action, Protocol};

pub(super) fn write(input: &Input, out: &mut Out) {
    out.line(format!("# {}", input.title("fortigate")));
    out.line("# Interfaces are `any`: set srcintf and dstintf for your firewall before you paste.");
    let mut policies = Vec::new();
    for rule in &input.rules {
        let prefix = format!("{}-r{}", input.name, rule.number);
        let families = [false, true].map(|v6| objects(out, rule, &prefix, v6));
        let services = services(out, rule, &prefix);
        policies.push(policy(input, rule, &prefix, &families, &services));
    }
    out.line("config firewall policy");
    for policy in policies.into_iter().flatten() {
        out.text.push_str(&policy);
    }
    out.line("end");
}

/// One family's source and destination objects, declared: `None` when the
/// rule has no traffic of that family.
fn objects(
    out: &mut Out,
    rule: &Rule,
    prefix: &str,
    v6: bool,
) -> Option<(Vec<String>, Vec<String>)> {
    let sources = rule.sources_of(v6)?;
    let (table, suffix) = if v6 {
        ("address6", "-6")
    } else {
        ("address", "")
    };
    let mut entries = Vec::new();
    let mut source_names = Vec::new();
    for (i, n) in sources.iter().enumerate() {
        let name = format!("{prefix}-s{}{suffix}", i + 1);
        entries.push((name.clone(), subnet(n)));
        source_names.push(name);
    }
    let mut destinations = Vec::new();
    for (i, target) in rule.targets.iter().enumerate() {
        let name = format!("{prefix}-d{}{suffix}", i + 1);
        let settings = match target {
            Target::Host { name } => format!("set type fqdn\n        set fqdn \"{name}\""),
            // A wildcard-FQDN object: FortiOS matches it against the DNS answers it sees.
            Target::Wildcard { .. } => format!("set type fqdn\n        set fqdn \"{target}\""),
            _ => match target.network() {
                Some(n) if n.addr.is_ipv6() == v6 => subnet(&n),
                _ => continue,
            },
        };
        entries.push((name.clone(), settings));
        destinations.push(name);
    }
    if destinations.is_empty() {
        return None;
    }
    out.line(format!("config firewall {table}"));
    for (name, settings) in entries {
        out.line(format!("    edit \"{name}\"\n        {settings}\n    next"));
    }
    out.line("end");
    if source_names.is_empty() {
        source_names.push("all".to_string());
    }
    Some((source_names, destinations))
}

/// `set subnet A MASK` for IPv4, `set ip6 A/P` for IPv6.
fn subnet(n: &Network) -> String {
    match n.addr {
        std::net::IpAddr::V4(_) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(n.prefix)).unwrap_or(0);
            format!("set subnet {} {}", n.addr, std::net::Ipv4Addr::from(mask))
        }
        std::net::IpAddr::V6(_) => format!("set ip6 {}/{}", n.addr, n.prefix),
    }
}

/// The rule's custom services, declared: ports, or ICMP and ICMPv6 echo.
fn services(out: &mut Out, rule: &Rule, prefix: &str) -> Vec<String> {
    let entries: Vec<(String, String)> = match rule.protocol {
        Protocol::Icmp => vec![
            (
                format!("{prefix}-icmp"),
                "set protocol ICMP\n        set icmptype 8".to_string(),
            ),
            (
                format!("{prefix}-icmp6"),
                "set protocol ICMP6\n        set icmptype 128".to_string(),
            ),
        ],
        p => vec![(
            format!("{prefix}-{}", p.as_str()),
            format!(
                "set {}-portrange {}",
                p.as_str(),
                rule.ports.to_string().replace(',', "")
            ),
        )],
    };
    out.line("config firewall service custom");
    for (name, settings) in &entries {
        out.line(format!("    edit \"{name}\"\n        {settings}\n    next"));
    }
    out.line("end");
    entries.into_iter().map(|(name, _)| name).collect()
}

/// The rule's policy entry, or `None` when no family has traffic.
fn policy(
    input: &Input,
    rule: &Rule,
    prefix: &str,
    families: &[Option<(Vec<String>, Vec<String>)>; 2],
    services: &[String],
) -> Option<String> {
    if families.iter().all(Option::is_none) {
        return None;
    }
    let quoted = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut entry = format!(
        "    edit 0\n        set name \"{prefix}\"\n        set srcintf \"any\"\n        set dstintf \"any\"\n"
    );
    for (family, suffix) in families.iter().zip(["", "6"]) {
        if let Some((sources, destinations)) = family {
            entry.push_str(&format!(
                "        set srcaddr{suffix} {}\n",
                quoted(sources)
            ));
            entry.push_str(&format!(
                "        set dstaddr{suffix} {}\n",
                quoted(destinations)
            ));
        }
    }
    let action = match rule.action {
        Action::Allow => "accept",
        Action::Deny => "deny",
    };
    entry.push_str(&format!(
        "        set action {action}\n        set schedule \"always\"\n"
    ));
    // FortiOS 7.x turns the policy off after its expiry date.
    if let Some(date) = input.expires() {
        entry.push_str(&format!(
            "        set policy-expiry enable\n        set policy-expiry-date \"{date} 23:59:59\"\n"
        ));
    }
    entry.push_str(&format!(
        "        set service {}\n        set comments \"{}\"\n    next\n",
        quoted(services),
        text(&rule.describe(&input.name), 1023)
    ));
    Some(entry)
}
