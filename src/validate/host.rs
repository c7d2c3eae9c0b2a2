//! Destinations: fully qualified names, wildcards, IP addresses and CIDR ranges.
//!
//! The grammar is strict on purpose: a destination that passes is safe to put in
//! a shell line unquoted, and it is something a firewall object can hold. Names
//! are converted with IDNA (Unicode to punycode) and then checked label by label.

use super::Invalid;
use crate::request::{Network, Target, mask};
use std::net::IpAddr;

/// Parses one destination (`host`, `*.domain`, `*domain`, IP, or CIDR).
pub fn destination(text: &str) -> Result<Target, Invalid> {
    usual_mistakes(text)?;
    reject_unsafe_chars(text)?;
    if text.contains('/') {
        return network(text).map(|network| Target::Range { network });
    }
    if let Ok(address) = text.parse::<IpAddr>() {
        return Ok(Target::Address { address });
    }
    if text.starts_with('[') && text.ends_with(']') {
        return Err(Invalid::new(format!("`{text}` has brackets"))
            .help("write an IPv6 address without brackets, e.g. 2001:db8::10"));
    }
    if let Some(rest) = text.strip_prefix('*') {
        let dotted = rest.starts_with('.');
        let domain = rest.strip_prefix('.').unwrap_or(rest);
        if domain.is_empty() {
            return Err(
                Invalid::new("a bare `*` matches every host on the internet")
                    .help("name the domain, e.g. *.example.com"),
            );
        }
        if domain.contains('*') {
            return Err(wildcard_position(text));
        }
        let domain = hostname(domain)?;
        return Ok(Target::Wildcard { domain, dotted });
    }
    if text.contains('*') {
        return Err(wildcard_position(text));
    }
    hostname(text).map(|name| Target::Host { name })
}

/// The first-time mistakes that deserve their own message: a URL, a port
/// glued to the host, a final dot. Each help shows what to write instead.
fn usual_mistakes(text: &str) -> Result<(), Invalid> {
    if let Some((scheme, rest)) = text.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = split_port(authority).unwrap_or((authority, None));
        let mut help = format!("write the host alone: \"{host}\"");
        if let Some(port) = port {
            help.push_str(&format!(", and {port} in `ports`"));
        } else if let Some(port) = default_port(scheme) {
            help.push_str(&format!(" (and {port}, the {scheme} port, in `ports`)"));
        }
        return Err(Invalid::new(format!(
            "`{text}` is a URL; a destination is a hostname or address"
        ))
        .help(help));
    }
    if let Some((host, Some(port))) = split_port(text) {
        return Err(Invalid::new(format!(
            "`{text}` has a port; the port belongs in `ports`"
        ))
        .help(format!(
            "write \"{host}\" in `destinations` and {port} in `ports`"
        )));
    }
    if text.len() > 1
        && let Some(name) = text.strip_suffix('.')
        && !name.ends_with('.')
        && name != "*"
    {
        return Err(Invalid::new(format!(
            "`{text}` ends with a dot (the DNS root)"
        ))
        .help(format!("write \"{name}\": names are read as fully qualified already")));
    }
    Ok(())
}

/// `host:443`, `[2001:db8::1]:443` -> the host and the port; `None` when the
/// text is not of that shape (a bare IPv6 address has colons but no port).
fn split_port(text: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
        return Some((host, port));
    }
    let (host, port) = text.rsplit_once(':')?;
    if host.contains(':') || host.is_empty() {
        return None;
    }
    let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
    Some((host, Some(port)))
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme.to_ascii_lowercase().as_str() {
        "https" | "wss" => Some(443),
        "http" | "ws" => Some(80),
        "ssh" | "sftp" => Some(22),
        "ftp" => Some(21),
        "ldaps" => Some(636),
        "ldap" => Some(389),
        _ => None,
    }
}

fn wildcard_position(text: &str) -> Invalid {
    Invalid::new(format!(
        "`{text}`: `*` may only stand at the start of the first label"
    ))
    .help("write a wildcard as *.example.com")
}

/// A concrete host to test: a name or an address, never a wildcard or range.
pub fn probe_host(text: &str) -> Result<Target, Invalid> {
    match destination(text)? {
        Target::Wildcard { .. } | Target::Range { .. } => {
            Err(Invalid::new(format!("probe `{text}` is not a single host"))
                .help("a probe is one concrete name or address that the rule lets through"))
        }
        target => Ok(target),
    }
}

/// Refuses characters that can never be part of a name or address, with a message
/// naming the character (this is also what stops shell syntax early).
fn reject_unsafe_chars(text: &str) -> Result<(), Invalid> {
    if text.is_empty() {
        return Err(Invalid::new("empty destination"));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "`$;&|<>()'\"\\!#{}~^,=?+%@".contains(*c))
    {
        return Err(Invalid::new(format!(
            "`{}` is not allowed in a destination: {}",
            c.escape_default(),
            quote_for_message(text)
        ))
        .help("a destination is a hostname, *.domain, an IP address or a CIDR range"));
    }
    Ok(())
}

fn quote_for_message(text: &str) -> String {
    format!("\"{}\"", text.escape_default())
}

/// Checks a fully qualified name and returns its ASCII (punycode) form.
pub fn hostname(text: &str) -> Result<String, Invalid> {
    if text.ends_with('.') {
        return Err(Invalid::new(format!("`{text}` ends with a dot"))
            .help("write the name without the final dot"));
    }
    let ascii = idna::domain_to_ascii(text)
        .map_err(|_| Invalid::new(format!("`{text}` is not a valid internationalised name")))?;
    if ascii.len() > 253 {
        return Err(Invalid::new(format!(
            "`{text}` is {} characters long; a name has at most 253",
            ascii.len()
        )));
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    for label in &labels {
        check_label(text, label)?;
    }
    if labels.len() < 2 {
        return Err(
            Invalid::new(format!("`{text}` is not a fully qualified name"))
                .help(format!("write the full name, e.g. {text}.example.com")),
        );
    }
    if labels
        .last()
        .is_some_and(|top| top.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(Invalid::new(format!(
            "`{text}` is neither an IP address nor a name (its last label is all digits)"
        ))
        .help("an IPv4 address has four numbers from 0 to 255"));
    }
    Ok(ascii)
}

fn check_label(text: &str, label: &str) -> Result<(), Invalid> {
    if label.is_empty() {
        return Err(Invalid::new(format!("`{text}` has an empty label (`..`)")));
    }
    if label.len() > 63 {
        return Err(Invalid::new(format!(
            "`{text}` has a label of {} characters; a label has at most 63",
            label.len()
        )));
    }
    if let Some(c) = label
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(Invalid::new(format!(
            "`{}` is not allowed in a hostname: `{text}`",
            c.escape_default()
        ))
        .help("hostnames use letters, digits and hyphens"));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(Invalid::new(format!(
            "`{text}`: a label may not start or end with a hyphen"
        )));
    }
    Ok(())
}

/// An IP address or CIDR range, as sources are written.
pub fn address_or_network(text: &str) -> Result<Network, Invalid> {
    reject_unsafe_chars(text)?;
    if text.contains('/') {
        return network(text);
    }
    text.parse::<IpAddr>().map(Network::single).map_err(|_| {
        Invalid::new(format!("`{text}` is not an IP address or CIDR range"))
            .help("write e.g. 10.188.50.0/24 or 10.188.50.201")
    })
}

/// A CIDR range with its host bits zero (`52.94.0.0/16`).
fn network(text: &str) -> Result<Network, Invalid> {
    let bad = || {
        Invalid::new(format!("`{text}` is not a CIDR range"))
            .help("write an address, a slash and a prefix length, e.g. 52.94.0.0/16")
    };
    let (addr, prefix) = text.split_once('/').ok_or_else(bad)?;
    let addr: IpAddr = addr.parse().map_err(|_| bad())?;
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_digit()) || prefix.len() > 3 {
        return Err(bad());
    }
    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
    let max = Network::max_prefix(addr);
    if prefix > max {
        return Err(Invalid::new(format!(
            "`{text}`: prefix /{prefix} is longer than /{max}"
        )));
    }
    let network = Network {
        addr: mask(addr, prefix),
        prefix,
    };
    if network.addr != addr {
        return Err(
            Invalid::new(format!("`{text}` has host bits set")).help(format!(
                "the range is {}/{prefix}; write that, or the single address {addr}",
                network.addr
            )),
        );
    }
    Ok(network)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(s: &str) -> Target {
        Target::Host { name: s.into() }
    }

    #[test]
    fn accepts_the_destination_grammar() {
        let cases: &[(&str, Target)] = &[
            ("example.com", host("example.com")),
            ("Registry.Example.COM", host("registry.example.com")),
            ("bücher.example", host("xn--bcher-kva.example")),
            (
                "*.amazonaws.com",
                Target::Wildcard {
                    domain: "amazonaws.com".into(),
                    dotted: true,
                },
            ),
            (
                "*amazonaws.com",
                Target::Wildcard {
                    domain: "amazonaws.com".into(),
                    dotted: false,
                },
            ),
            (
                "192.0.2.7",
                Target::Address {
                    address: "192.0.2.7".parse().unwrap(),
                },
            ),
            (
                "2001:db8::10",
                Target::Address {
                    address: "2001:db8::10".parse().unwrap(),
                },
            ),
            (
                "52.94.0.0/16",
                Target::Range {
                    network: Network {
                        addr: "52.94.0.0".parse().unwrap(),
                        prefix: 16,
                    },
                },
            ),
            (
                "2001:db8::/32",
                Target::Range {
                    network: Network {
                        addr: "2001:db8::".parse().unwrap(),
                        prefix: 32,
                    },
                },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(destination(text).as_ref(), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_destination() {
        let cases: &[(&str, &str)] = &[
            ("", "empty destination"),
            ("example.com; rm -rf /", "`;` is not allowed"),
            ("$(reboot).example.com", "`$` is not allowed"),
            ("a b.example.com", "` ` is not allowed"),
            ("bad_host.example.com", "`_` is not allowed in a hostname"),
            ("-bad.example.com", "may not start or end with a hyphen"),
            ("a..example.com", "empty label"),
            ("example.com.", "ends with a dot"),
            ("intranet", "not a fully qualified name"),
            ("300.1.1.1", "last label is all digits"),
            ("*", "bare `*`"),
            ("*.", "bare `*`"),
            ("foo.*.example.com", "`*` may only stand at the start"),
            ("f*o.example.com", "`*` may only stand at the start"),
            ("**.example.com", "`*` may only stand at the start"),
            ("52.94.1.0/16", "host bits set"),
            ("10.0.0.0/33", "longer than /32"),
            ("10.0.0.0/", "not a CIDR range"),
            ("10.0.0.0/+8", "`+` is not allowed"),
            ("[2001:db8::1]", "brackets"),
        ];
        for (text, want) in cases {
            let err = destination(text).expect_err(text);
            assert!(err.message.contains(want), "{text}: {}", err.message);
        }
    }

    #[test]
    fn enforces_label_and_name_lengths() {
        let long_label = format!("{}.example.com", "a".repeat(64));
        assert!(
            destination(&long_label)
                .unwrap_err()
                .message
                .contains("at most 63")
        );
        let ok_label = format!("{}.example.com", "a".repeat(63));
        assert!(destination(&ok_label).is_ok());
        let long_name = format!("{}com", "abcdefghi.".repeat(26));
        assert!(
            destination(&long_name)
                .unwrap_err()
                .message
                .contains("at most 253")
        );
    }

    #[test]
    fn sources_are_addresses_or_ranges() {
        assert_eq!(
            address_or_network("10.188.50.0/24").unwrap().to_string(),
            "10.188.50.0/24"
        );
        assert_eq!(
            address_or_network("10.1.2.3").unwrap().to_string(),
            "10.1.2.3"
        );
        assert!(address_or_network("example.com").is_err());
    }

    #[test]
    fn probes_are_single_hosts() {
        assert!(probe_host("us-central1-docker.pkg.dev").is_ok());
        assert!(probe_host("*.pkg.dev").is_err());
        assert!(probe_host("10.0.0.0/8").is_err());
    }
}
