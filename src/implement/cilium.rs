//! Cilium: one CiliumNetworkPolicy. Allow rules become `egress` entries
//! (`toCIDRSet` for addresses, `toFQDNs` for names and wildcards, with the
//! DNS rule `toFQDNs` needs); deny rules become `egressDeny`, which takes no
//! `toFQDNs`, so names in deny rules are left out. A policy selects pods,
//! not source addresses: one rule spec per set of sources, each selecting
//! the pods that carry its own label, so no pod gets another set's rules.

use super::{Input, Out, Rule, yaml};
use crate::request::Target;
use crate::spec::{Action, Protocol};
use serde_json::{Value, json};

/// Cilium's limit on ports in one `toPorts` entry.
const PORTS_MAX: usize = 40;

pub(super) fn write(input: &Input, out: &mut Out) {
    let name = input.name.to_ascii_lowercase().replace('_', "-");
    out.line(format!("# {}", input.title("cilium")));
    if let Some(date) = input.expires() {
        out.line(format!(
            "# Expires {date}: Cilium has no expiry of its own; delete the policy after that day."
        ));
    }
    // One rule spec per set of sources, each selecting its own pods: merged
    // into one selector, a pod would get every other rule's destinations.
    let mut sets: Vec<(&[crate::request::Network], Vec<&Rule>)> = Vec::new();
    for rule in &input.rules {
        match sets
            .iter_mut()
            .find(|(sources, _)| *sources == rule.sources)
        {
            Some((_, rules)) => rules.push(rule),
            None => sets.push((rule.sources, vec![rule])),
        }
    }
    out.line(
        "# Each spec applies to the pods that carry its label: give it to the pods its sources",
    );
    out.line("# stand for (a policy selects pods, not addresses).");
    let mut specs = Vec::new();
    for (k, (sources, rules)) in sets.iter().enumerate() {
        let label = format!("fwreq/{name}.s{}", k + 1);
        let numbers: Vec<String> = rules.iter().map(|r| r.number.to_string()).collect();
        let stand_for = if sources.is_empty() {
            "any source".to_string()
        } else {
            let shown: Vec<String> = sources.iter().map(ToString::to_string).collect();
            shown.join(", ")
        };
        out.line(format!(
            "#   {label}=true: {stand_for} (rule{} {})",
            if numbers.len() == 1 { "" } else { "s" },
            numbers.join(", ")
        ));
        specs.push(spec(input, out, rules, &label));
    }
    out.line(
        "# Egress default-deny: a pod an egress rule selects may reach only what its spec allows",
    );
    out.line(
        "# (and DNS only for the names listed), which ends the rest of its egress. To keep it, set",
    );
    out.line("# enableDefaultDeny: {egress: false} in each spec (Cilium 1.15 and later).");
    let policy = json!({
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNetworkPolicy",
        "metadata": {"name": name},
        "specs": specs,
    });
    yaml(&policy, 0, &mut out.text);
    let instead = vec![
        "allow only what the pods need: a pod selected by an egress policy reaches nothing else,"
            .to_string(),
        "so leaving the name out of every allow rule denies it.".to_string(),
    ];
    out.left_out_block(
        &input.rules,
        "Cilium's egressDeny takes no toFQDNs",
        &instead,
    );
}

/// The rule spec of one set of sources: its pods' selector, its allow rules
/// as `egress` (with the DNS rule `toFQDNs` needs) and deny rules as `egressDeny`.
fn spec(input: &Input, out: &mut Out, rules: &[&Rule], label: &str) -> Value {
    let mut egress = Vec::new();
    let mut deny = Vec::new();
    let mut dns = Vec::new();
    for rule in rules {
        let mut names = Vec::new();
        let mut cidrs = Vec::new();
        for target in &rule.targets {
            if !out.holds(rule, target) {
                continue;
            }
            match target {
                Target::Host { name } => names.push(json!({"matchName": name})),
                Target::Wildcard { .. } => {
                    names.push(json!({"matchPattern": target.to_string()}));
                }
                Target::Address { .. } | Target::Range { .. } => cidrs.extend(
                    target
                        .network()
                        .map(|n| json!({"cidr": format!("{}/{}", n.addr, n.prefix)})),
                ),
            }
        }
        let list = if rule.action == Action::Allow {
            &mut egress
        } else {
            &mut deny
        };
        if !names.is_empty() {
            dns.extend(names.iter().cloned());
            list.push(entry(rule, "toFQDNs", names));
        }
        if !cidrs.is_empty() {
            list.push(entry(rule, "toCIDRSet", cidrs));
        }
    }
    if !dns.is_empty() {
        egress.insert(
            0,
            json!({
                "toEndpoints": [{"matchLabels": {
                    "k8s:io.kubernetes.pod.namespace": "kube-system",
                    "k8s:k8s-app": "kube-dns",
                }}],
                "toPorts": [{
                    "ports": [{"port": "53", "protocol": "ANY"}],
                    "rules": {"dns": dns},
                }],
            }),
        );
    }
    // `egress` even when empty: the CRD wants one of the rule lists, and an
    // empty one applies nothing.
    let mut spec = json!({
        "description": input.title("cilium"),
        "egress": egress,
        "endpointSelector": {"matchLabels": {label: "true"}},
    });
    if !deny.is_empty() {
        spec["egressDeny"] = Value::Array(deny);
    }
    spec
}

/// One egress entry: destinations under `key`, and the rule's ports or ICMP echo.
fn entry(rule: &Rule, key: &str, destinations: Vec<Value>) -> Value {
    let mut entry = Value::Object(serde_json::Map::from_iter([(
        key.to_string(),
        Value::Array(destinations),
    )]));
    match rule.protocol {
        Protocol::Icmp => {
            entry["icmps"] = json!([{"fields": [
                {"family": "IPv4", "type": "EchoRequest"},
                {"family": "IPv6", "type": "EchoRequest"},
            ]}]);
        }
        p => {
            let protocol = p.as_str().to_ascii_uppercase();
            let ports: Vec<Value> = rule
                .ports
                .ranges()
                .iter()
                .map(|&(low, high)| {
                    let mut port = json!({"port": low.to_string(), "protocol": protocol});
                    if high != low {
                        port["endPort"] = json!(high);
                    }
                    port
                })
                .collect();
            entry["toPorts"] = ports
                .chunks(PORTS_MAX)
                .map(|chunk| json!({"ports": chunk}))
                .collect();
        }
    }
    entry
}
