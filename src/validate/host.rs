//! Destinations: fully qualified names, wildcards, IP addresses and CIDR ranges.
//!
//! The grammar is strict on purpose: a destination that passes is safe to put in
//! a shell line unquoted, and it is something a firewall object can hold. Names
//! are mapped and converted by UTS 46 (Unicode to punycode), checked label by
//! label, and the Unicode form held to IDNA2008 (`idna2008`).

use super::{Invalid, idna2008};
use crate::request::{HostName, Network, Target, TestHost, mask};
use std::borrow::Cow;
use std::net::IpAddr;

/// Parses one destination (`host`, `*.domain`, `*domain`, IP, or CIDR).
pub fn destination(text: &str) -> Result<Target, Invalid> {
    usual_mistakes(text)?;
    reject_unsafe_chars(text)?;
    if text.contains('/') {
        // A /32 (or /128) is one host: tested like an address.
        return network(text).map(|network| {
            if network.prefix == Network::max_prefix(network.addr) {
                Target::Address {
                    address: network.addr,
                }
            } else {
                Target::Range { network }
            }
        });
    }
    if let Ok(address) = text.parse::<IpAddr>() {
        return ipv4_mapped(text, address, None).map(|()| Target::Address { address });
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
        if !domain.contains('.') && !domain.is_empty() {
            return Err(Invalid::new(format!(
                "`{text}` is every name in the top-level domain `.{domain}`: no firewall request can open that"
            ))
            .help(format!("name the hosts you need, or a wildcard under the vendor's own domain, e.g. *.vendor.{domain}")));
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
        return Err(
            Invalid::new(format!("`{text}` has a port; the port belongs in `ports`")).help(
                format!("write \"{host}\" in `destinations` and {port} in `ports`"),
            ),
        );
    }
    if text.len() > 1
        && let Some(name) = text.strip_suffix('.')
        && !name.ends_with('.')
        && name != "*"
    {
        return Err(
            Invalid::new(format!("`{text}` ends with a dot (the DNS root)")).help(format!(
                "write \"{name}\": names are read as fully qualified already"
            )),
        );
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
pub(crate) fn probe_host(text: &str) -> Result<TestHost, Invalid> {
    match destination(text)? {
        Target::Host { name } => Ok(TestHost::Name(name)),
        Target::Address { address } => Ok(TestHost::Address(address)),
        Target::Wildcard { .. } | Target::Range { .. } => {
            Err(Invalid::new(format!("probe `{text}` is not a single host"))
                .help("a probe is one concrete name or address that the rule lets through"))
        }
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

/// A name as a user writes it (Unicode, any case), checked and converted.
/// Here, not in `request`, so that `request` (plain data) needs no grammar.
impl std::str::FromStr for HostName {
    type Err = Invalid;
    fn from_str(text: &str) -> Result<Self, Invalid> {
        hostname(text)
    }
}

/// Checks a fully qualified name and returns its ASCII (punycode) form.
pub fn hostname(text: &str) -> Result<HostName, Invalid> {
    if text.ends_with('.') {
        return Err(Invalid::new(format!("`{text}` ends with a dot"))
            .help("write the name without the final dot"));
    }
    let ascii = match idna::domain_to_ascii(text) {
        Ok(ascii) => ascii,
        Err(_) => beyond_uts46(text)?,
    };
    if ascii.len() > 253 {
        return Err(Invalid::new(format!(
            "`{text}` is {} characters long; a name has at most 253",
            ascii.len()
        )));
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    // The Unicode form is kept only for a name with a punycode label (no
    // allocation for the others).
    let punycode = ascii.contains("xn--");
    let mut unicode = Vec::with_capacity(if punycode { labels.len() } else { 0 });
    for label in &labels {
        let decoded = check_label(text, label)?;
        if punycode {
            unicode.push(decoded);
        }
    }
    if punycode {
        let unicode: Vec<&str> = unicode.iter().map(|l| l.as_ref()).collect();
        idna2008::check_name(&unicode).map_err(|r| refused(text, r))?;
    }
    if labels.last().is_some_and(|top| is_number(top)) {
        return Err(match whatwg_ipv4(&ascii) {
            Some(address) => Invalid::new(format!(
                "`{text}` is read as the IPv4 address {address} by curl and the system resolver (its last label is a number)"
            ))
            .help(format!(
                "write the address as {address}, or the real hostname"
            )),
            None => Invalid::new(format!(
                "`{text}` is neither an IP address nor a name (its last label is a number)"
            ))
            .help("an IPv4 address has four numbers from 0 to 255"),
        });
    }
    if labels.len() < 2 && ["any", "all"].iter().any(|w| text.eq_ignore_ascii_case(w)) {
        return Err(
            Invalid::new(format!("`{text}` is not a destination: a rule names what it opens"))
                .help("list the hosts or networks; every address is 0.0.0.0/0 or ::/0, which the lints question"),
        );
    }
    if labels.len() < 2 {
        return Err(
            Invalid::new(format!("`{text}` is not a fully qualified name"))
                .help(format!("write the full name, e.g. {text}.example.com")),
        );
    }
    Ok(HostName::checked(ascii))
}

/// The WHATWG URL standard's "ends in a number" test for a label: decimal
/// digits, or `0x` and hex digits. Resolvers (inet_aton) and curl read such a
/// name as an IPv4 address, so it must never pass as a hostname.
fn is_number(label: &str) -> bool {
    if label.is_empty() {
        return false;
    }
    if let Some(hex) = label.strip_prefix("0x") {
        return hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    label.chars().all(|c| c.is_ascii_digit())
}

/// The address inet_aton (and the WHATWG IPv4 parser) reads from a name of
/// one to four numbers in decimal, octal (`0` first) or hex (`0x` first):
/// `0x7f.1` is 127.0.0.1. `None` when it is not a valid address.
fn whatwg_ipv4(name: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts
        .iter()
        .map(|p| {
            if let Some(hex) = p.strip_prefix("0x") {
                if hex.is_empty() {
                    Some(0)
                } else {
                    u64::from_str_radix(hex, 16).ok()
                }
            } else if p.len() > 1 && p.starts_with('0') {
                u64::from_str_radix(&p[1..], 8).ok()
            } else if p.is_empty() {
                None
            } else {
                p.parse().ok()
            }
        })
        .collect::<Option<_>>()?;
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|n| *n > 255) {
        return None;
    }
    let room = 8 * (5 - numbers.len() as u32);
    if *last >= 1u64 << room {
        return None;
    }
    let mut value = *last;
    for (i, n) in init.iter().enumerate() {
        value += n << (8 * (3 - i as u32));
    }
    u32::try_from(value).ok().map(std::net::Ipv4Addr::from)
}

/// Checks one ASCII label and returns its Unicode form (the punycode of an
/// `xn--` label decoded, any other label as it is).
fn check_label<'a>(text: &str, label: &'a str) -> Result<Cow<'a, str>, Invalid> {
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
    match label.strip_prefix("xn--") {
        Some(encoded) => idna::punycode::decode_to_string(encoded)
            .map(Cow::Owned)
            .ok_or_else(|| {
                Invalid::new(format!(
                    "`{text}` has a punycode label `{label}` that does not decode"
                ))
            }),
        None if label.get(2..4) == Some("--") => Err(Invalid::new(format!(
            "`{text}`: `{label}` has `--` in its third and fourth characters, which only punycode (`xn--`) labels may have"
        ))
        .help("no registry holds such a name: check the spelling")),
        None => Ok(Cow::Borrowed(label)),
    }
}

/// The IDNA2008 refusal of `text`, with the name quoted.
fn refused(text: &str, refusal: idna2008::Refusal) -> Invalid {
    Invalid::new(format!("{}: `{text}`", refusal.message)).help(refusal.help)
}

/// A name that UTS 46 (the `idna` crate) refuses. Most often for a rule it
/// shares with IDNA2008 (joiners, Bidi): the labels, lower-cased and composed
/// as UTS 46 would, are judged here, and the refusal names the code point and
/// the rule. Or for a code point added to Unicode after the crate's data:
/// then the IDNA2008 tables, which are newer, decide, and a name they accept
/// is taken in its punycode form; one written in punycode never is, as the
/// crate refuses punycode that does not decode to what it stands for.
fn beyond_uts46(text: &str) -> Result<String, Invalid> {
    let invalid = || Invalid::new(format!("`{text}` is not a valid internationalised name"));
    let mut punycode = false;
    let labels: Vec<String> = text
        .split(['.', '\u{3002}', '\u{FF0E}', '\u{FF61}'])
        .map(|label| {
            let label = label.to_lowercase();
            match label.strip_prefix("xn--") {
                Some(encoded) => {
                    punycode = true;
                    idna::punycode::decode_to_string(encoded)
                }
                None => Some(idna2008::to_nfc(&label)),
            }
        })
        .collect::<Option<_>>()
        .ok_or_else(invalid)?;
    let unicode: Vec<&str> = labels.iter().map(String::as_str).collect();
    idna2008::check_name(&unicode).map_err(|refusal| refused(text, refusal))?;
    if punycode {
        return Err(invalid());
    }
    let ascii: Option<Vec<String>> = labels
        .iter()
        .map(|label| match label.is_ascii() {
            true => Some(label.clone()),
            false => idna::punycode::encode_str(label).map(|p| format!("xn--{p}")),
        })
        .collect();
    ascii.map(|labels| labels.join(".")).ok_or_else(invalid)
}

/// An IP address or CIDR range, as sources are written.
pub(crate) fn address_or_network(text: &str) -> Result<Network, Invalid> {
    if let Some(cidr) = netmask(text) {
        return Err(Invalid::new(format!(
            "`{text}` gives a netmask; fwreq takes a prefix length"
        ))
        .help(format!("write \"{cidr}\"")));
    }
    if text.contains(char::is_whitespace) {
        return Err(Invalid::new(format!(
            "`{text}` holds a space: a source is one address or CIDR range"
        ))
        .help("write each as its own string, e.g. [\"10.188.50.0/24\", \"10.9.0.7\"]"));
    }
    reject_unsafe_chars(text)?;
    if text.contains('/') {
        return network(text);
    }
    let address = text.parse::<IpAddr>().map_err(|_| {
        Invalid::new(format!("`{text}` is not an IP address or CIDR range"))
            .help("write e.g. 10.188.50.0/24 or 10.188.50.201")
    })?;
    ipv4_mapped(text, address, None)?;
    Ok(Network::single(address))
}

/// `10.0.0.0 255.255.255.0` or `10.0.0.0/255.255.255.0` (a router's way of
/// writing a network) as the CIDR range it means, when the mask is one.
fn netmask(text: &str) -> Option<String> {
    let (address, mask) = text.split_once([' ', '/'])?;
    let address: std::net::Ipv4Addr = address.trim().parse().ok()?;
    let mask: std::net::Ipv4Addr = mask.trim().parse().ok()?;
    let bits = mask.to_bits();
    let prefix = bits.leading_ones();
    (bits.checked_shl(prefix).unwrap_or(0) == 0).then(|| format!("{address}/{prefix}"))
}

/// Refuses an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`): the traffic
/// leaves as IPv4, so the lints, the firewall object and the capture line
/// must all see the IPv4 address it is.
fn ipv4_mapped(text: &str, address: IpAddr, prefix: Option<u8>) -> Result<(), Invalid> {
    let IpAddr::V6(v6) = address else {
        return Ok(());
    };
    let Some(v4) = v6.to_ipv4_mapped() else {
        return Ok(());
    };
    let ipv4 = match prefix {
        None | Some(128) => v4.to_string(),
        Some(p) if p >= 96 => format!("{v4}/{}", p - 96),
        Some(_) => return Ok(()),
    };
    Err(Invalid::new(format!(
        "`{text}` is an IPv4-mapped IPv6 address: the traffic leaves as IPv4 {ipv4}"
    ))
    .help(format!("write {ipv4}")))
}

/// A CIDR range with its host bits zero (`52.94.0.0/16`).
fn network(text: &str) -> Result<Network, Invalid> {
    let bad = || {
        Invalid::new(format!("`{text}` is not a CIDR range"))
            .help("write an address, a slash and a prefix length, e.g. 52.94.0.0/16")
    };
    let (addr, prefix) = text.split_once('/').ok_or_else(bad)?;
    let addr: IpAddr = addr.parse().map_err(|_| bad())?;
    // Digits only (`u8::from_str` takes `+8`), and at most three of them;
    // an empty prefix fails to parse below.
    if !prefix.chars().all(|c| c.is_ascii_digit()) || prefix.len() > 3 {
        return Err(bad());
    }
    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
    let max = Network::max_prefix(addr);
    if prefix > max {
        return Err(Invalid::new(format!(
            "`{text}`: prefix /{prefix} is longer than /{max}"
        )));
    }
    ipv4_mapped(text, addr, Some(prefix))?;
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
        Target::Host {
            name: HostName::checked(s.into()),
        }
    }

    /// Each destination is refused, its message holding the words given.
    fn refused_saying(cases: &[(&str, &str)]) {
        for (text, want) in cases {
            let err = destination(text).expect_err(text);
            assert!(err.message.contains(want), "{text}: {}", err.message);
        }
    }

    #[test]
    fn accepts_the_destination_grammar() {
        let cases: &[(&str, Target)] = &[
            ("example.com", host("example.com")),
            ("Registry.Example.COM", host("registry.example.com")),
            ("bücher.example", host("xn--bcher-kva.example")),
            ("xn--bcher-kva.example", host("xn--bcher-kva.example")),
            ("münchen.公司.cn", host("xn--mnchen-3ya.xn--55qx5d.cn")),
            ("例え.テスト", host("xn--r8jz45g.xn--zckzah")),
            (
                "*.amazonaws.com",
                Target::Wildcard {
                    domain: HostName::checked("amazonaws.com".into()),
                    dotted: true,
                },
            ),
            (
                "*amazonaws.com",
                Target::Wildcard {
                    domain: HostName::checked("amazonaws.com".into()),
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
            ("300.1.1.1", "its last label is a number"),
            ("0x7f.0x0.0x0.0x1", "read as the IPv4 address 127.0.0.1"),
            ("0x7F.1", "read as the IPv4 address 127.0.0.1"),
            ("010.0.0.1", "read as the IPv4 address 8.0.0.1"),
            ("2130706433", "read as the IPv4 address 127.0.0.1"),
            ("0x7f000001", "read as the IPv4 address 127.0.0.1"),
            ("a.example.0x", "its last label is a number"),
            ("a.b.0x", "its last label is a number"),
            (
                "::ffff:127.0.0.1",
                "IPv4-mapped IPv6 address: the traffic leaves as IPv4 127.0.0.1",
            ),
            ("::ffff:10.0.0.0/104", "leaves as IPv4 10.0.0.0/8"),
            ("*.com", "every name in the top-level domain `.com`"),
            ("☃.example", "`☃` (U+2603) is not allowed in a name"),
            ("bücher♥.example", "`♥` (U+2665) is not allowed in a name"),
            ("xn--n3h.example", "`☃` (U+2603) is not allowed in a name"),
            (
                "ab--cd.example",
                "has `--` in its third and fourth characters",
            ),
            ("xn--zz.example", "is not a valid internationalised name"),
            ("xn--abc-.example", "is not a valid internationalised name"),
            ("*", "bare `*`"),
            ("*.", "bare `*`"),
            ("foo.*.example.com", "`*` may only stand at the start"),
            ("f*o.example.com", "`*` may only stand at the start"),
            ("**.example.com", "`*` may only stand at the start"),
            ("52.94.1.0/16", "host bits set"),
            ("10.0.0.0/33", "longer than /32"),
            ("10.0.0.0/", "not a CIDR range"),
            ("10.0.0.0/+8", "`+` is not allowed"),
            ("10.0.0.0/0008", "not a CIDR range"),
            ("[2001:db8::1]", "brackets"),
        ];
        refused_saying(cases);
    }

    #[test]
    fn internationalised_names_by_idna2008() {
        for name in [
            "हिन्दी.example",
            "தமிழ்.example",
            "ශ්\u{200D}රී.lk",
            "col·legi.cat",
            "日本・ネット.jp",
            "ελλάς͵α.example",
            "ΕΛΛΆΣ͵Α.example",
            "שלום.example",
            "xn--4gbrim.xn--ngbrx",
            // Added to Unicode after the `idna` crate's UTS 46 data: the
            // IDNA2008 tables decide.
            "\u{10EDE}\u{0627}.example",
        ] {
            assert!(
                matches!(destination(name), Ok(Target::Host { .. })),
                "{name}: {:?}",
                destination(name)
            );
        }
        let cases: &[(&str, &str)] = &[
            (
                "〻.example",
                "`〻` (U+303B) is not allowed in a name: `〻.example`",
            ),
            ("a〱.example", "`〱` (U+3031) is not allowed in a name"),
            (
                "co·legi.cat",
                "`·` (U+00B7) is allowed only between two `l`",
            ),
            (
                "ab͵c.example",
                "(U+0375) is allowed only before a Greek letter",
            ),
            (
                "׳אב.example",
                "(U+05F3) is allowed only after a Hebrew letter",
            ),
            (
                "ab・cd.jp",
                "(U+30FB) is allowed only in a label that holds Hiragana, Katakana or Han",
            ),
            ("ب١۲.example", "may not share a label with"),
            (
                "a\u{200D}b.example",
                "U+200D (zero width joiner) is allowed only after a virama",
            ),
            (
                "a\u{200C}b.example",
                "U+200C (zero width non-joiner) is allowed only after a virama",
            ),
            ("שלום.3com", "the label `3com` begins with `3` (U+0033)"),
            ("שaלום.example", "(RFC 5893 rule 2)"),
            ("\u{10EDE}a.example", "(RFC 5893 rule 2)"),
        ];
        refused_saying(cases);
    }

    /// Each message exactly, where a weaker form of the check would give
    /// another one (or none).
    #[test]
    fn says_exactly_what_is_wrong_at_the_edges() {
        let said = |text: &str| {
            let err = destination(text).expect_err(text);
            (err.message, err.help.unwrap_or_default())
        };
        let not_in_a_hostname = "hostnames use letters, digits and hyphens".to_string();
        assert_eq!(
            said("[2001:db8::1"),
            (
                "`[` is not allowed in a hostname: `[2001:db8::1`".into(),
                not_in_a_hostname
            )
        );
        // One dot is no name ending with the root's dot.
        assert_eq!(
            said("."),
            (
                "`.` ends with a dot".into(),
                "write the name without the final dot".into()
            )
        );
        // Port 0 is no port: the colon is what is wrong.
        assert_eq!(
            said("a.example.com:0").0,
            "`:` is not allowed in a hostname: `a.example.com:0`"
        );
        for (scheme, port) in [
            ("http", 80),
            ("ws", 80),
            ("ssh", 22),
            ("sftp", 22),
            ("ftp", 21),
            ("ldaps", 636),
            ("ldap", 389),
        ] {
            assert_eq!(
                said(&format!("{scheme}://a.example.com/x")).1,
                format!(
                    "write the host alone: \"a.example.com\" (and {port}, the {scheme} port, in `ports`)"
                )
            );
        }
        // A control character that is not white space, quoted escaped.
        assert_eq!(
            said("a\u{7}b.example.com").0,
            "`\\u{7}` is not allowed in a destination: \"a\\u{7}b.example.com\""
        );
        // How inet_aton reads numbers: 255 is a byte, 300 fits the last 24 bits.
        for (text, read) in [
            ("255.1", "255.0.0.1"),
            ("1.300", "1.0.1.44"),
            ("1.2.300", "1.2.1.44"),
            ("1.16777215", "1.255.255.255"),
        ] {
            assert_eq!(
                said(text),
                (
                    format!(
                        "`{text}` is read as the IPv4 address {read} by curl and the system resolver (its last label is a number)"
                    ),
                    format!("write the address as {read}, or the real hostname")
                )
            );
        }
        assert_eq!(
            said("1.16777216").0,
            "`1.16777216` is neither an IP address nor a name (its last label is a number)"
        );
    }

    #[test]
    fn enforces_label_and_name_lengths() {
        // 253 characters is a name; 254 is not.
        let label = "a".repeat(63);
        let longest = format!("{label}.{label}.{label}.{}", "a".repeat(61));
        assert_eq!(longest.len(), 253);
        assert!(destination(&longest).is_ok());
        assert_eq!(
            destination(&format!("{longest}a")).unwrap_err().message,
            format!("`{longest}a` is 254 characters long; a name has at most 253")
        );
        let ok_label = format!("{}.example.com", "a".repeat(63));
        assert!(destination(&ok_label).is_ok());
        refused_saying(&[
            (&format!("{}.example.com", "a".repeat(64)), "at most 63"),
            (&format!("{}com", "abcdefghi.".repeat(26)), "at most 253"),
        ]);
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

    /// A netmask (after a space or a slash) gets the prefix length it means.
    #[test]
    fn a_netmask_source_is_answered_with_its_prefix_length() {
        let message = |t: &str| address_or_network(t).map_err(|e| (e.message, e.help));
        assert_eq!(
            message("10.0.0.0 255.255.255.0").unwrap_err(),
            (
                "`10.0.0.0 255.255.255.0` gives a netmask; fwreq takes a prefix length".into(),
                Some("write \"10.0.0.0/24\"".into())
            )
        );
        assert_eq!(
            message("10.0.0.0/255.255.0.0").unwrap_err().1.as_deref(),
            Some("write \"10.0.0.0/16\"")
        );
        assert_eq!(
            message("0.0.0.0/0.0.0.0").unwrap_err().1.as_deref(),
            Some("write \"0.0.0.0/0\"")
        );
        assert_eq!(netmask("10.0.0.0 255.0.255.0"), None, "not a mask");
        assert_eq!(
            message("10.0.0.1 10.0.0.2").unwrap_err().0,
            "`10.0.0.1 10.0.0.2` holds a space: a source is one address or CIDR range"
        );
        assert_eq!(netmask("10.0.0.0/24"), None);
    }

    #[test]
    fn probes_are_single_hosts() {
        assert!(probe_host("us-central1-docker.pkg.dev").is_ok());
        assert!(probe_host("*.pkg.dev").is_err());
        assert!(probe_host("10.0.0.0/8").is_err());
    }
}
