//! PAN-OS: `set address`, `set service` and `set rulebase security rules`
//! commands. FQDN address objects hold names; they take no wildcard, so
//! wildcards are left out, with a URL category to use instead. A request's
//! `expires` becomes a non-recurring schedule on every rule.

use super::{Input, Out, Rule, text};
use crate::request::Target;
use crate::spec::{Action, Protocol};

pub(super) fn write(input: &Input, out: &mut Out) {
    out.line(format!("# {}", input.title("panos")));
    out.line("# Zones are `any`: set from and to for your firewall before you commit.");
    // A non-recurring schedule ends the rules after `expires`: from the
    // submission (or 2000-01-01) to the end of that day.
    let schedule = input.expires().map(|date| {
        let name = format!("{}-expires", input.name);
        let start = input.request.submitted.map_or_else(
            || "2000/01/01".to_string(),
            |s| s.at.format("%Y/%m/%d").to_string(),
        );
        out.line(format!(
            "set schedule {name} schedule-type non-recurring {start}@00:00-{}@23:59",
            date.replace('-', "/")
        ));
        format!(" schedule {name}")
    });
    for rule in &input.rules {
        let prefix = format!("{}-r{}", input.name, rule.number);
        let sources = sources(rule, &prefix, out);
        let destinations = destinations(rule, &prefix, out);
        // Never a rule without destinations: PAN-OS would read it as any.
        if destinations.is_empty() {
            continue;
        }
        let (application, service) = match rule.protocol {
            Protocol::Icmp => ("ping".to_string(), "application-default".to_string()),
            p => {
                let name = format!("{prefix}-{}", p.as_str());
                out.line(format!(
                    "set service {name} protocol {} port {}",
                    p.as_str(),
                    rule.ports.to_string().replace(' ', "")
                ));
                ("any".to_string(), name)
            }
        };
        let action = match rule.action {
            Action::Allow => "allow",
            Action::Deny => "deny",
        };
        out.line(format!(
            "set rulebase security rules {prefix} from any to any source {} destination {} application {application} service {service}{} action {action} description \"{}\"",
            list(&sources),
            list(&destinations),
            schedule.as_deref().unwrap_or(""),
            text(&rule.describe(&input.name), 255),
        ));
    }
    let instead = vec![
        "match the names with a custom URL category (e.g. *.example.com) in a URL Filtering"
            .to_string(),
        "profile on a rule with the same source and service, or list each name as an FQDN object."
            .to_string(),
    ];
    let rules = &input.rules;
    out.left_out_block(
        rules,
        "PAN-OS FQDN address objects take no wildcard",
        &instead,
    );
}

/// A rule's sources as address objects (`PREFIX-sN`); their names.
fn sources(rule: &Rule, prefix: &str, out: &mut Out) -> Vec<String> {
    let mut sources = Vec::new();
    for (i, source) in rule.sources.iter().enumerate() {
        let name = format!("{prefix}-s{}", i + 1);
        out.line(format!(
            "set address {name} ip-netmask {}/{}",
            source.addr, source.prefix
        ));
        sources.push(name);
    }
    sources
}

/// The destinations PAN-OS holds as address objects (`PREFIX-dN`: an FQDN
/// or a network); their names.
fn destinations(rule: &Rule, prefix: &str, out: &mut Out) -> Vec<String> {
    let mut destinations = Vec::new();
    for (i, target) in rule.targets.iter().enumerate() {
        let name = format!("{prefix}-d{}", i + 1);
        if !out.holds(rule, target) {
            continue;
        }
        match target {
            Target::Host { name: host } => {
                out.line(format!("set address {name} fqdn {host}"));
            }
            // Never held (see `Platform::holds`), so never reached.
            Target::Wildcard { .. } => continue,
            Target::Address { .. } | Target::Range { .. } => {
                let Some(n) = target.network() else { continue };
                out.line(format!(
                    "set address {name} ip-netmask {}/{}",
                    n.addr, n.prefix
                ));
            }
        }
        destinations.push(name);
    }
    destinations
}

/// `any`, one name, or `[ a b ]`.
fn list(names: &[String]) -> String {
    match names {
        [] => "any".to_string(),
        [one] => one.clone(),
        many => format!("[ {} ]", many.join(" ")),
    }
}
