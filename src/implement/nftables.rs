//! nftables: one `inet` table per request, named sets of sources,
//! destinations and ports, one accept or drop line per rule and family.
//! nftables matches addresses only, so names and wildcards are left out,
//! with the dnsmasq `nftset` lines that would fill a set from DNS instead.

use super::{Input, Out, Rule};
use crate::request::{Network, Target};
use crate::spec::{Action, Protocol};

pub(super) fn write(input: &Input, out: &mut Out) {
    let table = format!("fwreq-{}", input.name);
    out.line(format!("# {}", input.title("nftables")));
    // A packet must pass every base chain of its hook: an accept here
    // overrides no drop elsewhere, so the header must not promise that
    // loading the table opens anything.
    out.line("# Check with `nft -c -f FILE`. The table's chain is a base chain of its own at the forward");
    out.line("# hook: its drops stop a packet, but its accepts override no drop in another table or chain");
    out.line("# (a packet must pass every base chain). Copy the sets and rules into the chain that holds");
    out.line("# your policy, or make sure it lets this traffic through, before `nft -f FILE`.");
    if let Some(date) = input.expires() {
        out.line(format!(
            "# Expires {date}: nftables has no expiry of its own; delete the table (nft delete table inet {table}) after that day."
        ));
    }
    out.line(format!("table inet {table} {{"));
    let mut lines = Vec::new();
    for rule in &input.rules {
        // Names are left out (noted for the closing block); addresses stay.
        for target in &rule.targets {
            out.holds(rule, target);
        }
        let before = lines.len();
        for v6 in [false, true] {
            lines.extend(family(out, input, rule, v6));
        }
        // Ports only for a rule with a line that matches them.
        if rule.protocol != Protocol::Icmp && lines.len() > before {
            let ports = [rule.ports.to_string()];
            set(
                out,
                &format!("r{}-ports", rule.number),
                "inet_service",
                &ports,
            );
        }
    }
    out.line("\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;");
    for line in lines {
        out.line(format!("\t\t{line}"));
    }
    out.line("\t}\n}");
    let mut instead = vec![
        "fill a set from DNS with a DNS-aware daemon and match it like the sets above;".to_string(),
        format!(
            "with dnsmasq, add sets rN-dns4 (ipv4_addr) and rN-dns6 (ipv6_addr) to {table}, and:"
        ),
    ];
    out.left_out.sort_by_key(|(number, _)| *number);
    for (number, target) in &out.left_out {
        let domain = match target {
            Target::Host { name } => name,
            Target::Wildcard { domain, .. } => domain,
            _ => continue,
        };
        // A name and a wildcard over it give one line: dnsmasq's is the same.
        let line =
            format!("nftset=/{domain}/4#inet#{table}#r{number}-dns4,6#inet#{table}#r{number}-dns6");
        if !instead.contains(&line) {
            instead.push(line);
        }
    }
    instead.push(
        "(dnsmasq matches a domain and every name under it, so a wildcard's line also takes its apex)"
            .to_string(),
    );
    out.left_out_block(
        &input.rules,
        "nftables matches addresses, not names",
        &instead,
    );
}

/// The rule's line for one address family, after declaring its sets; `None`
/// when the rule has no destination or no source of that family.
fn family(out: &mut Out, input: &Input, rule: &Rule, v6: bool) -> Option<String> {
    let destinations = rule.networks(v6);
    let sources = rule.sources_of(v6)?;
    if destinations.is_empty() {
        return None;
    }
    let (ip, kind, digit) = if v6 {
        ("ip6", "ipv6_addr", 6)
    } else {
        ("ip", "ipv4_addr", 4)
    };
    let mut line = String::new();
    if !sources.is_empty() {
        let name = format!("r{}-src{digit}", rule.number);
        set(out, &name, kind, &elements(&sources));
        line.push_str(&format!("{ip} saddr @{name} "));
    }
    let name = format!("r{}-dst{digit}", rule.number);
    set(out, &name, kind, &elements(&destinations));
    line.push_str(&format!("{ip} daddr @{name} "));
    match (rule.protocol, v6) {
        (Protocol::Icmp, false) => line.push_str("icmp type echo-request"),
        (Protocol::Icmp, true) => line.push_str("icmpv6 type echo-request"),
        (p, _) => line.push_str(&format!("{} dport @r{}-ports", p.as_str(), rule.number)),
    }
    let verdict = match rule.action {
        Action::Allow => "accept",
        Action::Deny => "drop",
    };
    Some(format!(
        "{line} {verdict} comment \"{}\"",
        comment(&rule.describe(&input.name))
    ))
}

/// nft keeps at most 128 bytes of a comment.
fn comment(text: &str) -> &str {
    let mut end = text.len().min(128);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn elements(networks: &[Network]) -> Vec<String> {
    networks
        .iter()
        .map(|n| format!("{}/{}", n.addr, n.prefix))
        .collect()
}

/// A named set; `auto-merge` because a rule may list a range and an address
/// inside it, which nft refuses as overlapping otherwise.
fn set(out: &mut Out, name: &str, kind: &str, elements: &[String]) {
    out.line(format!(
        "\tset {name} {{\n\t\ttype {kind}\n\t\tflags interval\n\t\tauto-merge\n\t\telements = {{ {} }}\n\t}}",
        elements.join(", ")
    ));
}

#[cfg(test)]
mod tests {
    use super::comment;

    #[test]
    fn a_comment_is_cut_at_128_bytes_never_inside_a_character() {
        let fits = "a".repeat(128);
        assert_eq!(comment(&format!("{fits}b")), fits);
        // `é` takes bytes 128 and 129: it goes whole.
        let a127 = "a".repeat(127);
        assert_eq!(comment(&format!("{a127}é")), a127);
        assert_eq!(comment("short"), "short");
    }
}
