//! A request as rules in a firewall platform's own syntax, for the team that
//! configures it: nftables, Aerleon, Cilium, FortiGate and PAN-OS.
//!
//! Every generator reads `policy::Flow`s (grouped here by rule) and the
//! request's RITM, title and rule comments; nothing is re-parsed from text.
//! Objects are named from the request (`name`): its RITM, so two filed
//! requests never collide; without one, `file-`, its file stem and a hash of
//! it (which a file of the same name in another folder shares: the command
//! warns).
//! A destination a platform cannot hold is left out of its rules and listed in
//! a closing comment block, with what to do instead.

mod aerleon;
mod cilium;
mod fortigate;
mod nftables;
mod panos;

use crate::policy::{self, Flow, PortSet};
use crate::request::{Network, Request, Target};
use crate::spec::{Action, Protocol};
use std::fmt::Write as _;

/// The platforms `fwreq implement --target` writes for (names and help in `cli`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// An `inet` table: named sets, accept or drop per rule (`nft -f`)
    Nftables,
    /// An Aerleon policy and its definitions (YAML), for `aclgen`
    Aerleon,
    /// A CiliumNetworkPolicy (YAML), names through `toFQDNs`
    Cilium,
    /// FortiOS CLI: addresses, services and firewall policies
    Fortigate,
    /// PAN-OS `set` commands: addresses, services and security rules
    Panos,
}

impl Platform {
    pub const ALL: &[Platform] = &[
        Platform::Nftables,
        Platform::Aerleon,
        Platform::Cilium,
        Platform::Fortigate,
        Platform::Panos,
    ];

    /// The name `--target` and a team file's `targets` take.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Nftables => "nftables",
            Platform::Aerleon => "aerleon",
            Platform::Cilium => "cilium",
            Platform::Fortigate => "fortigate",
            Platform::Panos => "panos",
        }
    }

    /// Whether the platform can hold `target` in a rule with `action`. The one
    /// decision of what a generator leaves out, and what `not-expressible`
    /// warns about: nftables holds no names; Aerleon and PAN-OS hold names
    /// (`fqdn:`, FQDN objects) but no wildcard; Cilium's `toFQDNs` allows
    /// only (`egressDeny` takes none); FortiGate holds all.
    pub fn holds(self, target: &Target, action: Action) -> bool {
        match target {
            Target::Address { .. } | Target::Range { .. } => true,
            Target::Host { .. } => match self {
                Platform::Nftables => false,
                Platform::Cilium => action == Action::Allow,
                Platform::Aerleon | Platform::Fortigate | Platform::Panos => true,
            },
            Target::Wildcard { .. } => match self {
                Platform::Nftables | Platform::Aerleon | Platform::Panos => false,
                Platform::Cilium => action == Action::Allow,
                Platform::Fortigate => true,
            },
        }
    }
}

impl std::str::FromStr for Platform {
    type Err = crate::diagnostic::Invalid;

    /// A platform by its name, or the nearest name as help.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        if let Some(platform) = Platform::ALL.iter().find(|p| p.name() == name) {
            return Ok(*platform);
        }
        let names = Platform::ALL.iter().map(|p| p.name());
        let help = match crate::names::nearest(name, names.clone()) {
            Some(n) => format!("did you mean `{n}`?"),
            None => format!("targets are {}", names.collect::<Vec<_>>().join(", ")),
        };
        Err(crate::diagnostic::Invalid::new(format!("unknown target `{name}`")).help(help))
    }
}

/// A platform's configuration for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Implementation {
    pub text: String,
    /// The destinations the platform could not hold, by rule; when not empty,
    /// `text` ends with a comment block that lists them.
    pub left_out: Vec<(usize, Target)>,
}

/// The request's rules for `platform`; `file_stem` names its objects when
/// the request has no RITM.
pub fn implement(request: &Request, file_stem: &str, platform: Platform) -> Implementation {
    let flows = policy::flows(request);
    let input = Input {
        request,
        name: name(request, file_stem),
        rules: rules(request, &flows),
    };
    let mut out = Out {
        platform,
        text: String::new(),
        left_out: Vec::new(),
    };
    match platform {
        Platform::Nftables => nftables::write(&input, &mut out),
        Platform::Aerleon => aerleon::write(&input, &mut out),
        Platform::Cilium => cilium::write(&input, &mut out),
        Platform::Fortigate => fortigate::write(&input, &mut out),
        Platform::Panos => panos::write(&input, &mut out),
    }
    Implementation {
        text: out.text,
        left_out: out.left_out,
    }
}

/// What every generator reads.
struct Input<'a> {
    request: &'a Request,
    /// The prefix of every object: the RITM, else the file's stem made safe.
    name: String,
    rules: Vec<Rule<'a>>,
}

impl Input<'_> {
    /// The last day the rules are wanted, as `YYYY-MM-DD`.
    fn expires(&self) -> Option<String> {
        self.request
            .expires
            .map(|d| d.format("%Y-%m-%d").to_string())
    }

    /// The first line of every output: what it is and for which request.
    fn title(&self, platform: &str) -> String {
        format!(
            "fwreq implement --target {platform}: {}, {}",
            self.name,
            text(&self.request.title, 200)
        )
    }
}

/// One rule of the request, with its destinations in order.
struct Rule<'a> {
    number: usize,
    action: Action,
    protocol: Protocol,
    /// Empty means any source.
    sources: &'a [Network],
    ports: &'a PortSet,
    comment: Option<&'a str>,
    targets: Vec<&'a Target>,
}

impl Rule<'_> {
    /// The destination addresses and ranges of one family.
    fn networks(&self, v6: bool) -> Vec<Network> {
        self.targets
            .iter()
            .filter_map(|t| t.network())
            .filter(|n| n.addr.is_ipv6() == v6)
            .collect()
    }

    /// The sources of one family: `Some(empty)` for any source, `None` when
    /// the rule lists sources but none of this family (so no traffic of it).
    fn sources_of(&self, v6: bool) -> Option<Vec<Network>> {
        let of: Vec<Network> = self
            .sources
            .iter()
            .filter(|n| n.addr.is_ipv6() == v6)
            .copied()
            .collect();
        (self.sources.is_empty() || !of.is_empty()).then_some(of)
    }

    /// `RITM0194104 rule 2: Central syslog collectors`, for comments; a rule
    /// without sources says it is from any source, as the ticket does.
    fn describe(&self, name: &str) -> String {
        let mut out = format!("{name} rule {}", self.number);
        if self.sources.is_empty() {
            out.push_str(" from any source");
        }
        if let Some(comment) = self.comment {
            out.push_str(": ");
            out.push_str(comment);
        }
        text(&out, 120)
    }

    /// `tcp 80, 443` or `icmp`.
    fn service(&self) -> String {
        policy::service(self.protocol, self.ports)
    }
}

/// The flows of each rule: deny rules first, then allow rules, each in the
/// request's order. A firewall takes the first rule that matches, so this
/// order gives every packet the verdict [`policy::meaning`] gives it: a
/// deny inside an allowed range takes effect.
fn rules<'a>(request: &'a Request, flows: &'a [Flow]) -> Vec<Rule<'a>> {
    let mut out: Vec<Rule> = Vec::new();
    for flow in flows {
        match out.last_mut() {
            Some(rule) if rule.number == flow.rule => rule.targets.push(&flow.target),
            _ => out.push(Rule {
                number: flow.rule,
                action: flow.action,
                protocol: flow.protocol,
                sources: &flow.sources,
                ports: &flow.ports,
                comment: request
                    .rules
                    .get(flow.rule - 1)
                    .and_then(|r| r.comment.as_deref()),
                targets: vec![&flow.target],
            }),
        }
    }
    out.sort_by_key(|rule| rule.action != Action::Deny);
    out
}

/// Longest object-name prefix: room for `-r123` within FortiGate's
/// 35-character policy names, and for `-r123-d45-6` within PAN-OS's 63.
const NAME_MAX: usize = 30;

/// The RITM; without one, `file-`, the file stem in lower case (letters and
/// digits, anything else `-`, cut short) and a hash of the stem as written.
/// So two files of one folder never share a name (`Web_Pods.toml` and
/// `web-pods.toml` differ in the hash, which Cilium's lower-case names keep),
/// and a file named like a RITM never takes that RITM's names.
fn name(request: &Request, stem: &str) -> String {
    if let Some(ritm) = &request.ritm {
        return ritm.to_string();
    }
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(NAME_MAX - "file--12345678".len())
        .collect();
    // FNV-1a: a stable hash, the same on every machine and release.
    let hash = stem.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("file-{cleaned}-{hash:08x}")
}

/// `s` made safe for a `#` comment line of any target (see `text`).
pub(crate) fn comment_text(s: &str) -> String {
    text(s, 400)
}

/// Free text made safe inside any platform's quotes or comment lines: no
/// control characters (so no new line), no `"` or `\`, at most `max` chars.
fn text(s: &str, max: usize) -> String {
    s.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            // U+2028/U+2029 end a line in YAML: as much a line break as `\n`.
            // Noncharacters (U+FFFE, U+FFFF, U+FDD0-U+FDEF, and the last two
            // of each plane) are not printable in YAML: a parser refuses the file.
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}')
                || crate::text::is_noncharacter(c) =>
            {
                ' '
            }
            c => c,
        })
        .take(max)
        .collect()
}

/// The text being built and the destinations left out of it.
struct Out {
    platform: Platform,
    text: String,
    left_out: Vec<(usize, Target)>,
}

impl Out {
    fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }

    /// Records `target` of `rule` as left out.
    /// Whether the platform holds `target` in `rule` ([`Platform::holds`]);
    /// one it cannot hold is noted as left out.
    fn holds(&mut self, rule: &Rule, target: &Target) -> bool {
        let holds = self.platform.holds(target, rule.action);
        if !holds {
            self.left_out.push((rule.number, target.clone()));
        }
        holds
    }

    /// The closing block: why, each destination left out, what to do instead.
    fn left_out_block(&mut self, rules: &[Rule], why: &str, instead: &[String]) {
        if self.left_out.is_empty() {
            return;
        }
        // In the request's order, though deny rules were written first.
        self.left_out.sort_by_key(|(number, _)| *number);
        let mut block = format!("\n# Left out: {why}\n");
        for (number, target) in &self.left_out {
            let service = rules
                .iter()
                .find(|r| r.number == *number)
                .map_or_else(String::new, Rule::service);
            let _ = writeln!(block, "#   rule {number} ({service}): {target}");
        }
        block.push_str("# Instead:\n");
        for line in instead {
            let _ = writeln!(block, "#   {line}");
        }
        self.text.push_str(&block);
    }
}

/// `value` as block YAML at `indent`, every string double-quoted (JSON's
/// escapes are YAML's), so no text can change the document's shape.
fn yaml(value: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value;
    let pad = " ".repeat(indent);
    let after = |v: &Value, out: &mut String| match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            yaml(v, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            yaml(v, indent + 2, out);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar.to_string());
            out.push('\n');
        }
    };
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let plain = key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c));
                if plain {
                    let _ = write!(out, "{pad}{key}:");
                } else {
                    let _ = write!(out, "{pad}{}:", Value::from(key.as_str()));
                }
                after(v, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        let mut item = String::new();
                        yaml(v, indent + 2, &mut item);
                        let _ = write!(out, "{pad}- {}", &item[indent + 2..]);
                    }
                    _ => {
                        let _ = write!(out, "{pad}-");
                        after(v, out);
                    }
                }
            }
        }
        scalar => {
            let _ = writeln!(out, "{pad}{scalar}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(extra: &str) -> Request {
        crate::validate::test_request(&format!(
            "{extra}\n[[rules]]\nports = [443]\ndestinations = [\"192.0.2.7\"]\n"
        ))
    }

    /// Issue #30, case 9: without a RITM, names differ for every file name
    /// of a folder (case and punctuation included) and never look like a RITM.
    #[test]
    fn objects_are_named_by_ritm_else_by_the_file_stem_and_its_hash() {
        assert_eq!(name(&request("ritm = \"RITM0194104\""), "x"), "RITM0194104");
        let r = request("");
        assert_eq!(
            name(&r, "avilla-registry_2"),
            "file-avilla-registry--860c7f59"
        );
        assert_eq!(name(&r, "münchen plant"), "file-m-nchen-plant-87d3c646");
        assert_eq!(
            name(&r, "a-very-long-request-file-name-x"),
            "file-a-very-long-requ-a9409a72"
        );
        assert_ne!(name(&r, "a b"), name(&r, "a.b"));
        assert_ne!(name(&r, "Web_Pods"), name(&r, "web-pods"));
        assert_eq!(name(&r, "RITM0000002"), "file-ritm0000002-4866cad7");
        for stem in ["Web_Pods", "web-pods", "RITM0000002", "2026 trial", "-"] {
            let n = name(&r, stem);
            assert!(n.len() <= NAME_MAX, "{n}");
            // A Kubernetes name as it is (Cilium lower-cases nothing more).
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{n}"
            );
        }
    }

    #[test]
    fn yaml_quotes_every_string_and_odd_keys() {
        let value = serde_json::json!({
            "a": [{"k:x": "q\"\n#", "n": 1}, "s", {}, []],
            "e": [],
            "m": {},
        });
        let mut out = String::new();
        yaml(&value, 0, &mut out);
        assert_eq!(
            out,
            "a:\n  - \"k:x\": \"q\\\"\\n#\"\n    n: 1\n  - \"s\"\n  - {}\n  - []\ne: []\nm: {}\n"
        );
    }

    #[test]
    fn free_text_cannot_leave_its_quotes_or_line() {
        assert_eq!(text("a \"b\"\n# c \\ d", 100), "a 'b' # c / d");
        assert_eq!(text("abcdef", 3), "abc");
        assert_eq!(
            text("a\u{fffe}b\u{ffff}c\u{fdd0}d\u{10ffff}", 100),
            "a b c d "
        );
    }
}
