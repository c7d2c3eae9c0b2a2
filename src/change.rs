//! Change tickets: what a new revision of a request adds to and removes from
//! the firewall, compared flow by flow on the same planned checks that render
//! and probe use. A flow is one destination on one port (or range) and
//! protocol, from the rule's sources, with the rule's action.

use crate::flows::{Check, RuleChecks};
use crate::spec::{Action, Protocol};
use serde::Serialize;
use std::collections::BTreeMap;

/// What identifies a flow across revisions (the action aside).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    protocol: &'static str,
    destination: String,
    port: String,
    sources: Vec<String>,
}

/// One flow of a change ticket, with what proves it.
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    pub destination: String,
    /// `443`, `8000-8100`, or empty for icmp.
    pub port: String,
    pub protocol: Protocol,
    pub action: Action,
    /// The sources as written (empty: any).
    pub sources: Vec<String>,
    /// Why the tested host differs from the destination, or why none is tested.
    pub note: Option<String>,
    pub checks: Vec<Check>,
    pub capture: String,
}

/// The difference between two revisions.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Change {
    pub added: Vec<Flow>,
    /// Flows no longer wanted: their checks should fail once removed.
    pub removed: Vec<Flow>,
    /// Flows whose rule turned from allow to deny (their checks should fail afterwards).
    pub to_deny: Vec<Flow>,
    /// Flows whose rule turned from deny to allow.
    pub to_allow: Vec<Flow>,
    /// Flows in both revisions, as `destination port/protocol`, in order.
    pub unchanged: Vec<String>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.to_deny.is_empty()
            && self.to_allow.is_empty()
    }
}

/// Every flow of a plan, in order (what a removal ticket removes).
pub fn all_flows(plan: &[RuleChecks]) -> Vec<Flow> {
    flows(plan).into_values().collect()
}

fn flows(plan: &[RuleChecks]) -> BTreeMap<Key, Flow> {
    let mut out = BTreeMap::new();
    for rule in plan {
        let sources: Vec<String> = {
            let mut s: Vec<String> = rule.sources.iter().map(ToString::to_string).collect();
            s.sort();
            s
        };
        let ports: Vec<(String, Option<(u16, u16)>)> = if rule.ports.is_empty() {
            vec![(String::new(), None)]
        } else {
            rule.ports
                .iter()
                .map(|p| (p.to_string(), Some((p.low, p.high))))
                .collect()
        };
        for dest in &rule.destinations {
            for (port, range) in &ports {
                let checks = dest
                    .checks
                    .iter()
                    .filter(|c| match (range, c.port) {
                        (Some((low, high)), Some(p)) => *low <= p && p <= *high,
                        _ => true,
                    })
                    .cloned()
                    .collect();
                let key = Key {
                    protocol: rule.protocol.as_str(),
                    destination: dest.destination.clone(),
                    port: port.clone(),
                    sources: sources.clone(),
                };
                out.entry(key).or_insert_with(|| Flow {
                    destination: dest.destination.clone(),
                    port: port.clone(),
                    protocol: rule.protocol,
                    action: rule.action,
                    sources: sources.clone(),
                    note: dest.note.clone(),
                    checks,
                    capture: dest.capture.clone(),
                });
            }
        }
    }
    out
}

/// Compares the planned flows of two revisions of one request.
pub fn compare(old: &[RuleChecks], new: &[RuleChecks]) -> Change {
    let old = flows(old);
    let new = flows(new);
    let mut change = Change::default();
    for (key, flow) in &new {
        match old.get(key) {
            None => change.added.push(flow.clone()),
            Some(before) if before.action != flow.action => match flow.action {
                Action::Deny => change.to_deny.push(flow.clone()),
                Action::Allow => change.to_allow.push(flow.clone()),
            },
            Some(_) => {
                let port = if flow.port.is_empty() {
                    String::new()
                } else {
                    format!(" {}", flow.port)
                };
                change.unchanged.push(format!(
                    "{}{port}/{}",
                    flow.destination,
                    flow.protocol.as_str()
                ));
            }
        }
    }
    for (key, flow) in &old {
        if !new.contains_key(key) {
            change.removed.push(flow.clone());
        }
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Source;

    fn plan(rules: &str) -> Vec<RuleChecks> {
        let text = format!(
            "title = \"t\"\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\"]\njustification = \"j\"\n{rules}"
        );
        crate::flows::plan(&crate::validate::load(&Source::new("t.toml", text)).expect("valid"))
    }

    #[test]
    fn added_removed_turned_and_unchanged_flows() {
        let old = plan(
            "[[rules]]\nports = [443, 80]\ndestinations = [\"a.example.com\", \"b.example.com\"]\n",
        );
        let new = plan(
            "[[rules]]\nports = [443]\ndestinations = [\"a.example.com\", \"c.example.com\"]\n[[rules]]\naction = \"deny\"\nports = [80]\ndestinations = [\"a.example.com\"]\n",
        );
        let change = compare(&old, &new);
        let names = |flows: &[Flow]| -> Vec<String> {
            flows
                .iter()
                .map(|f| format!("{} {}", f.destination, f.port))
                .collect()
        };
        assert_eq!(names(&change.added), ["c.example.com 443"]);
        assert_eq!(
            names(&change.removed),
            ["b.example.com 443", "b.example.com 80"]
        );
        assert_eq!(names(&change.to_deny), ["a.example.com 80"]);
        assert_eq!(change.unchanged, ["a.example.com 443/tcp"]);
        assert_eq!(
            change.added[0].checks[0].command,
            "curl -vv telnet://c.example.com:443"
        );
    }
}
