//! Aerleon: the request's networks and services (a definitions file) and a
//! policy with one term per rule and address family, for `aclgen` to turn
//! into any of Aerleon's platforms. Names go into `fqdn:` network values and
//! a term of their own (`destination-fqdn`) in a filter for a generator that
//! takes names (Juniper SRX); wildcards are left out. Without a term there is
//! no policy document at all, never one `aclgen` cannot read.

use super::{Input, Out, Rule, text, yaml};
use crate::request::Target;
use crate::spec::{Action, Protocol};
use serde_json::{Map, Value, json};

pub(super) fn write(input: &Input, out: &mut Out) {
    out.line(format!("# {}", input.title("aerleon")));
    let mut networks = Map::new();
    let mut services = Map::new();
    let mut terms = Vec::new();
    let mut name_terms = Vec::new();
    for rule in &input.rules {
        let prefix = format!("{}-r{}", input.name, rule.number);
        // Wildcards are left out (noted for the closing block); names go to
        // `fqdn:` values, addresses stay.
        let names: Vec<&Target> = rule
            .targets
            .iter()
            .copied()
            .filter(|t| out.holds(rule, t) && matches!(t, Target::Host { .. }))
            .collect();
        // One term per family: a term's sources and destinations must share
        // it, or Aerleon drops the addresses and the term matches everything.
        for v6 in [false, true] {
            let destinations = rule.networks(v6);
            // Never a term without destinations, nor one whose sources have
            // none of this family: Aerleon would read either as any.
            let Some(sources) = rule.sources_of(v6) else {
                continue;
            };
            if destinations.is_empty() {
                continue;
            }
            let name = if v6 {
                format!("{prefix}-6")
            } else {
                prefix.clone()
            };
            let mut term = term(input, rule, &name, v6, &mut services);
            if !sources.is_empty() {
                let network = format!("{name}-src");
                networks.insert(network.clone(), addresses(&sources));
                term["source-address"] = json!(network);
            }
            let network = format!("{name}-dst");
            networks.insert(network.clone(), addresses(&destinations));
            term["destination-address"] = json!(network);
            terms.push(term);
        }
        if !names.is_empty() {
            let name = format!("{prefix}-fqdn");
            let term = name_term(input, rule, &name, &names, &mut networks, &mut services);
            name_terms.push(term);
        }
    }
    let empty = terms.is_empty() && name_terms.is_empty();
    header(input, empty, out);
    let definitions = json!({"networks": networks, "services": services});
    yaml(&definitions, 0, &mut out.text);
    if !empty {
        out.line("---");
        policy(input, terms, name_terms, out);
    }
    let instead = vec![
        "write the wildcards into your platform's own wildcard objects where it has them (FortiGate,".to_string(),
        "Cilium: see fwreq implement --target), or fill an address set from DNS on the firewall.".to_string(),
    ];
    let rules = &input.rules;
    out.left_out_block(
        rules,
        "Aerleon networks hold addresses and names (fqdn), not wildcards",
        &instead,
    );
}

/// The opening comment: which files the output holds, or why there is no policy.
fn header(input: &Input, empty: bool, out: &mut Out) {
    if empty {
        // No policy at all rather than one `aclgen` cannot read.
        out.line(format!(
            "# One file: the definitions (def/{0}.yaml). No rule has a destination Aerleon holds",
            input.name
        ));
        out.line("# (addresses, or names for platforms that take them), so there is no policy.");
    } else {
        out.line(format!(
            "# Two files, split at the line ---: the definitions (def/{0}.yaml) and the policy",
            input.name
        ));
        out.line(format!(
            "# (policies/pol/{0}.yaml). Its targets are examples: add your platforms'. Names are in a",
            input.name
        ));
        out.line("# filter of their own (destination-fqdn), for generators that take names (Juniper SRX).");
    }
}

/// The term of a rule's names (`destination-fqdn`), for generators that take
/// names; its sources and names go into the definitions.
fn name_term(
    input: &Input,
    rule: &Rule,
    name: &str,
    names: &[&Target],
    networks: &mut Map<String, Value>,
    services: &mut Map<String, Value>,
) -> Value {
    let mut term = term(input, rule, name, false, services);
    if !rule.sources.is_empty() {
        let network = format!("{name}-src");
        networks.insert(network.clone(), addresses(rule.sources));
        term["source-address"] = json!(network);
    }
    let values: Vec<Value> = names
        .iter()
        .map(|n| json!({"fqdn": n.to_string()}))
        .collect();
    networks.insert(name.to_string(), json!({ "values": values }));
    term["destination-fqdn"] = json!(name);
    term
}

/// A term's action, protocol, ports (a service named `name`), comment and
/// expiry; the caller adds its addresses.
fn term(
    input: &Input,
    rule: &Rule,
    name: &str,
    v6: bool,
    services: &mut Map<String, Value>,
) -> Value {
    let protocol = match (rule.protocol, v6) {
        (Protocol::Icmp, false) => "icmp",
        (Protocol::Icmp, true) => "icmpv6",
        (p, _) => p.as_str(),
    };
    let mut term = json!({
        "comment": text(&rule.describe(&input.name), 200),
        "action": match rule.action { Action::Allow => "accept", Action::Deny => "deny" },
        "name": name,
        "protocol": protocol,
    });
    if let Some(date) = input.expires() {
        // aclgen warns as the date nears, and leaves the term out after it.
        term["expiration"] = json!(date);
    }
    if rule.protocol == Protocol::Icmp {
        // Both, because Aerleon's nftables generator fails on a single type.
        term["icmp-type"] = json!("echo-request echo-reply");
    } else {
        let ports = rule
            .ports
            .ranges()
            .iter()
            .map(|&(low, high)| {
                let port = if low == high {
                    json!(low)
                } else {
                    json!(format!("{low}-{high}"))
                };
                json!({"port": port, "protocol": protocol})
            })
            .collect();
        services.insert(name.to_string(), Value::Array(ports));
        term["destination-port"] = json!(name);
    }
    term
}

/// The policy document: addresses in a filter for nftables, names in one
/// for Juniper SRX (each an example target).
fn policy(input: &Input, terms: Vec<Value>, name_terms: Vec<Value>, out: &mut Out) {
    let mut filters = Vec::new();
    if !terms.is_empty() {
        filters.push(json!({
            "header": {
                "comment": input.title("aerleon"),
                "targets": {"nftables": "mixed FORWARD"},
            },
            "terms": terms,
        }));
    }
    if !name_terms.is_empty() {
        filters.push(json!({
            "header": {
                "comment": format!("{} (names: set the zones)", input.title("aerleon")),
                "targets": {"srx": "from-zone trust to-zone untrust"},
            },
            "terms": name_terms,
        }));
    }
    yaml(&json!({ "filters": filters }), 0, &mut out.text);
}

/// An Aerleon network: `values: [{address: A/P}]`.
fn addresses(networks: &[crate::request::Network]) -> Value {
    let values: Vec<Value> = networks
        .iter()
        .map(|n| json!({"address": format!("{}/{}", n.addr, n.prefix)}))
        .collect();
    json!({ "values": values })
}
