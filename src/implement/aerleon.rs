//! Aerleon: the request's networks and services (a definitions file) and a
//! policy with one term per rule and address family, for `aclgen` to turn
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
            if !sources.is_empty() {
                let network = format!("{name}-src");
                networks.insert(network.clone(), addresses(&sources));
                term["source-address"] = json!(network);
            }
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
        out.line(
            "# No rule has an address destination of its sources' family: no policy for Aerleon to generate.",
        );
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
