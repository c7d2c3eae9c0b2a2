//! Aerleon: the request's networks and services (a definitions file) and a
//! policy with one term per rule (ICMP: one per family), for `aclgen` to turn
//! into any of Aerleon's platforms. Aerleon networks hold addresses only, so
//! names and wildcards are left out.

use super::{Input, Out, text, yaml};
use crate::spec::{Action, Protocol};
use serde_json::{Map, Value, json};

pub(super) fn write(input: &Input, out: &mut Out) {
    out.line(format!("# {}", input.title("aerleon")));
    out.line(format!(
        "# Two files, split at the line ---: the definitions (def/{0}.yaml) and the policy",
        input.name
    ));
    out.line(format!(
        "# (policies/pol/{0}.yaml). The nftables target is an example: add your platforms'.",
        input.name
    ));
    let mut networks = Map::new();
    let mut services = Map::new();
    let mut terms = Vec::new();
    for rule in &input.rules {
        let prefix = format!("{}-r{}", input.name, rule.number);
        // Names are left out (noted for the closing block); addresses stay.
        for target in &rule.targets {
            out.holds(rule, target);
        }
        let mut term = json!({
            "comment": text(&rule.describe(&input.name), 200),
            "action": match rule.action { Action::Allow => "accept", Action::Deny => "deny" },
        });
        if !rule.sources.is_empty() {
            let name = format!("{prefix}-src");
            networks.insert(name.clone(), addresses(rule.sources));
            term["source-address"] = json!(name);
        }
        let families: Vec<(String, &str, Vec<_>)> = match rule.protocol {
            Protocol::Icmp => vec![
                (prefix.clone(), "icmp", rule.networks(false)),
                (format!("{prefix}-6"), "icmpv6", rule.networks(true)),
            ],
            p => {
                let both = [rule.networks(false), rule.networks(true)].concat();
                vec![(prefix.clone(), p.as_str(), both)]
            }
        };
        for (name, protocol, destinations) in families {
            // Never a term without destinations: Aerleon would read it as any.
            if destinations.is_empty() {
                continue;
            }
            let mut term = term.clone();
            term["name"] = json!(name);
            term["protocol"] = json!(protocol);
            let network = format!("{name}-dst");
            networks.insert(network.clone(), addresses(&destinations));
            term["destination-address"] = json!(network);
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
                services.insert(name.clone(), Value::Array(ports));
                term["destination-port"] = json!(name);
            }
            terms.push(term);
        }
    }
    let definitions = json!({"networks": networks, "services": services});
    yaml(&definitions, 0, &mut out.text);
    out.line("---");
    if terms.is_empty() {
        out.line("# No rule has an address destination: no policy for Aerleon to generate.");
    } else {
        policy(input, terms, out);
    }
    let instead = vec![
        "write the names into your platform's own FQDN objects where it has them (FortiGate, PAN-OS,".to_string(),
        "Cilium: see fwreq implement --target), or fill an address set from DNS on the firewall.".to_string(),
    ];
    let rules = &input.rules;
    out.left_out_block(
        rules,
        "Aerleon networks hold addresses, not names",
        &instead,
    );
}

/// The policy document: one filter, nftables as the example target.
fn policy(input: &Input, terms: Vec<Value>, out: &mut Out) {
    let policy = json!({"filters": [{
        "header": {
            "comment": input.title("aerleon"),
            "targets": {"nftables": "mixed FORWARD"},
        },
        "terms": terms,
    }]});
    yaml(&policy, 0, &mut out.text);
}

/// An Aerleon network: `values: [{address: A/P}]`.
fn addresses(networks: &[crate::request::Network]) -> Value {
    let values: Vec<Value> = networks
        .iter()
        .map(|n| json!({"address": format!("{}/{}", n.addr, n.prefix)}))
        .collect();
    json!({ "values": values })
}
