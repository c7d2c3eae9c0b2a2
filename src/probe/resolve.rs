//! Names to addresses for `probe`: `--resolve` mappings (curl's syntax) first,
//! then a resolver behind a trait, so a test can stand in a slow or failing
//! one without the network. A lookup never outlives its timeout.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

/// Why a name gave no address, in the words an engineer acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsFailure {
    /// NXDOMAIN: the name does not exist. Fix the name.
    NoSuchName,
    /// The name exists but has no A/AAAA record.
    NoAddress,
    /// The resolver did not give an answer (SERVFAIL, unreachable). Fix the resolver.
    Temporary,
    /// No answer within the timeout.
    TimedOut,
    /// Anything else, as the resolver said it.
    Other(String),
}

impl DnsFailure {
    /// From the system resolver's message (glibc's `gai_strerror` text).
    pub fn from_message(message: &str) -> Self {
        let m = message.to_ascii_lowercase();
        if m.contains("name or service not known") || m.contains("nodename nor servname") {
            DnsFailure::NoSuchName
        } else if m.contains("no address associated") || m.contains("no data") {
            DnsFailure::NoAddress
        } else if m.contains("temporary failure") || m.contains("try again") {
            DnsFailure::Temporary
        } else {
            DnsFailure::Other(message.to_string())
        }
    }

    pub fn describe(&self) -> String {
        match self {
            DnsFailure::NoSuchName => "no such name (NXDOMAIN): check the spelling".into(),
            DnsFailure::NoAddress => "no answer: the name exists but has no address record".into(),
            DnsFailure::Temporary => {
                "temporary failure: the resolver gave no answer; check this host's DNS servers"
                    .into()
            }
            DnsFailure::TimedOut => {
                "no answer within the DNS timeout; check this host's DNS servers".into()
            }
            DnsFailure::Other(message) => message.clone(),
        }
    }
}

/// A future a resolver returns.
pub type Lookup = Pin<Box<dyn Future<Output = Result<Vec<IpAddr>, DnsFailure>> + Send>>;

/// Looks names up. `probe` bounds every lookup by its timeout and abandons it on Ctrl-C.
pub trait Resolve: Send + Sync {
    fn lookup(&self, host: &str) -> Lookup;
}

/// The system resolver (`getaddrinfo`, on a blocking thread that a timed-out
/// lookup leaves behind; the process does not wait for it at exit).
pub(crate) struct SystemResolver;

impl Resolve for SystemResolver {
    fn lookup(&self, host: &str) -> Lookup {
        let host = host.to_string();
        Box::pin(async move {
            match tokio::net::lookup_host((host.as_str(), 0)).await {
                Ok(found) => {
                    let mut addresses: Vec<IpAddr> = Vec::new();
                    for a in found {
                        if !addresses.contains(&a.ip()) {
                            addresses.push(a.ip());
                        }
                    }
                    Ok(addresses)
                }
                Err(e) => Err(DnsFailure::from_message(&e.to_string())),
            }
        })
    }
}

/// `--resolve` mappings: a name (or `*`), for every port or one port.
#[derive(Debug, Clone, Default)]
pub struct Mappings {
    map: HashMap<(String, Option<u16>), Vec<IpAddr>>,
}

/// One `--resolve` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub host: String,
    pub port: Option<u16>,
    pub addresses: Vec<IpAddr>,
}

impl Mappings {
    pub fn new(mappings: impl IntoIterator<Item = Mapping>) -> Self {
        let mut map: HashMap<(String, Option<u16>), Vec<IpAddr>> = HashMap::new();
        for m in mappings {
            let list = map.entry((m.host, m.port)).or_default();
            for a in m.addresses {
                if !list.contains(&a) {
                    list.push(a);
                }
            }
        }
        Mappings { map }
    }

    /// The addresses `--resolve` gives `host` on `port`: the most specific mapping wins.
    pub fn get(&self, host: &str, port: u16) -> Option<&[IpAddr]> {
        [
            (host, Some(port)),
            (host, None),
            ("*", Some(port)),
            ("*", None),
        ]
        .into_iter()
        .find_map(|(h, p)| self.map.get(&(h.to_string(), p)))
        .map(Vec::as_slice)
    }
}

/// Parses `--resolve` as curl does: `HOST:PORT:ADDRESS[,ADDRESS...]`, and also
/// `HOST:ADDRESS`; `*` for every name; IPv6 in brackets (bare IPv6 is accepted
/// only in the `HOST:ADDRESS` form, where it cannot be mistaken for a port).
pub(crate) fn parse_mapping(text: &str) -> Result<Mapping, String> {
    let (host, rest) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not HOST:PORT:ADDRESS or HOST:ADDRESS"))?;
    if host.is_empty() {
        return Err(format!("`{text}` has no host name"));
    }
    let host = if host == "*" {
        host.to_string()
    } else {
        crate::validate::host::hostname(host)
            .map_err(|_| format!("`{host}` in `{text}` is not a host name"))?
            .to_string()
    };
    let port_form = rest.split_once(':').and_then(|(port, list)| {
        (!port.is_empty() && port.chars().all(|c| c.is_ascii_digit())).then_some((port, list))
    });
    if let Some((port, list)) = port_form
        && (list.starts_with('[')
            || list.parse::<std::net::Ipv4Addr>().is_ok()
            || list.contains(','))
    {
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("`{port}` in `{text}` is not a port (1-65535)"))?;
        let addresses = list
            .split(',')
            .map(|a| address(a, text, true))
            .collect::<Result<_, _>>()?;
        return Ok(Mapping {
            host,
            port: Some(port),
            addresses,
        });
    }
    Ok(Mapping {
        host,
        port: None,
        addresses: rest
            .split(',')
            .map(|a| address(a, text, false))
            .collect::<Result<_, _>>()?,
    })
}

/// One address: IPv4, `[IPv6]`, or (outside the port form) bare IPv6.
fn address(a: &str, text: &str, port_form: bool) -> Result<IpAddr, String> {
    if let Some(inner) = a.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or_else(|| format!("`{a}` in `{text}` has an unclosed bracket"))?;
        return match inner.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => Ok(IpAddr::V6(v6)),
            _ => Err(format!("`{a}` in `{text}` is not an IPv6 address")),
        };
    }
    if a.contains(['[', ']']) {
        return Err(format!("`{a}` in `{text}` has a stray bracket"));
    }
    match a.parse::<IpAddr>() {
        Ok(IpAddr::V6(_)) if port_form => Err(format!(
            "`{a}` in `{text}`: write an IPv6 address in brackets, [{a}]"
        )),
        Ok(addr) => Ok(addr),
        Err(_) => Err(format!(
            "`{a}` in `{text}` is not an IP address (IPv6 goes in brackets: HOST:PORT:[::1])"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    #[test]
    fn resolve_reads_curls_forms() {
        let m = |host: &str, port, addresses: &[&str]| Mapping {
            host: host.into(),
            port,
            addresses: addresses.iter().map(|a| ip(a)).collect(),
        };
        let cases = [
            (
                "a.example.com:443:127.0.0.1",
                m("a.example.com", Some(443), &["127.0.0.1"]),
            ),
            (
                "a.example.com:443:127.0.0.1,[::1]",
                m("a.example.com", Some(443), &["127.0.0.1", "::1"]),
            ),
            (
                "a.example.com:443:[::1]",
                m("a.example.com", Some(443), &["::1"]),
            ),
            (
                "a.example.com:127.0.0.1",
                m("a.example.com", None, &["127.0.0.1"]),
            ),
            (
                "a.example.com:127.0.0.1,[::1]",
                m("a.example.com", None, &["127.0.0.1", "::1"]),
            ),
            ("a.example.com:[::1]", m("a.example.com", None, &["::1"])),
            ("a.example.com:::1", m("a.example.com", None, &["::1"])),
            (
                "a.example.com:2001:db8::1",
                m("a.example.com", None, &["2001:db8::1"]),
            ),
            ("*:127.0.0.1", m("*", None, &["127.0.0.1"])),
            ("*:8443:127.0.0.2", m("*", Some(8443), &["127.0.0.2"])),
        ];
        for (text, want) in cases {
            assert_eq!(parse_mapping(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn resolve_refuses_malformed_values() {
        let cases = [
            ("a.example.com", "is not HOST:PORT:ADDRESS"),
            ("a.example.com:[::1", "unclosed bracket"),
            ("a.example.com:443:[::1", "unclosed bracket"),
            ("a.example.com:::1]", "stray bracket"),
            ("a.example.com:443:::1", "not an IP address"),
            ("a.example.com:0:127.0.0.1", "is not a port"),
            ("a.example.com:70000:127.0.0.1", "is not a port"),
            ("a.example.com:443:[127.0.0.1]", "is not an IPv6 address"),
            ("a.example.com:nope", "is not an IP address"),
            ("bad;name:127.0.0.1", "is not a host name"),
            ("10.0.0.1:127.0.0.1", "is not a host name"),
            (":127.0.0.1", "has no host name"),
            // An empty port is no port: the rest is read as addresses.
            ("a.example.com::127.0.0.1", "`:127.0.0.1` in"),
            // IPv6 after a port, in a list too, takes brackets.
            (
                "a.example.com:443:127.0.0.1,::1",
                "write an IPv6 address in brackets, [::1]",
            ),
        ];
        for (text, want) in cases {
            let err = parse_mapping(text).expect_err(text);
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    /// The system's own answer for an address literal (no query leaves the
    /// host): the address, once.
    #[tokio::test]
    async fn the_system_resolver_gives_each_address_once() {
        let found = SystemResolver.lookup("127.0.0.1").await;
        assert_eq!(found.ok(), Some(vec![ip("127.0.0.1")]));
    }

    #[test]
    fn the_most_specific_mapping_wins() {
        let maps = Mappings::new([
            parse_mapping("*:127.0.0.9").expect("valid"),
            parse_mapping("a.example.com:127.0.0.1").expect("valid"),
            parse_mapping("a.example.com:443:127.0.0.2").expect("valid"),
        ]);
        assert_eq!(maps.get("a.example.com", 443), Some(&[ip("127.0.0.2")][..]));
        assert_eq!(maps.get("a.example.com", 80), Some(&[ip("127.0.0.1")][..]));
        assert_eq!(maps.get("b.example.com", 80), Some(&[ip("127.0.0.9")][..]));
    }

    #[test]
    fn resolver_messages_say_what_to_fix() {
        assert_eq!(
            DnsFailure::from_message(
                "failed to lookup address information: Name or service not known"
            ),
            DnsFailure::NoSuchName
        );
        assert_eq!(
            DnsFailure::from_message(
                "failed to lookup address information: Temporary failure in name resolution"
            ),
            DnsFailure::Temporary
        );
        assert_eq!(
            DnsFailure::from_message(
                "failed to lookup address information: No address associated with hostname"
            ),
            DnsFailure::NoAddress
        );
    }
}
