//! The validated request: plain data that later stages trust without re-checking.
//!
//! Everything here has passed the strict grammar in `validate`, so a value can go
//! into a shell snippet as it is. Spans stay (not serialized) so lints can point
//! back at the user's text. Templates receive this structure, not strings.

use crate::diagnostic::Invalid;
use crate::field_values::FieldValue;
use crate::names::Lint;
use crate::spec::{Action, Protocol, Status};
use serde::Serialize;
use std::fmt;
use std::net::IpAddr;
use std::ops::Range;

/// A ServiceNow requested-item number: `RITM` and seven or more digits
/// (auto-numbering's minimum; an instance may use more). Built only by
/// parsing, so a value of this type is always well formed (`record`, the
/// spec and the ServiceNow client share it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Ritm(String);

/// A ServiceNow request number: `REQ` and seven or more digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Req(String);

/// `PREFIX` and seven or more digits, or why not.
fn record_number(text: &str, prefix: &str) -> Result<String, Invalid> {
    let digits = text.strip_prefix(prefix);
    if digits.is_some_and(|d| d.len() >= 7 && d.bytes().all(|c| c.is_ascii_digit())) {
        Ok(text.to_string())
    } else {
        Err(
            Invalid::new(format!("`{text}` is not a {prefix} number")).help(format!(
                "write {prefix} and seven or more digits, e.g. {prefix}0194104"
            )),
        )
    }
}

impl std::str::FromStr for Ritm {
    type Err = Invalid;
    fn from_str(text: &str) -> Result<Self, Invalid> {
        record_number(text, "RITM").map(Ritm)
    }
}

impl std::str::FromStr for Req {
    type Err = Invalid;
    fn from_str(text: &str) -> Result<Self, Invalid> {
        record_number(text, "REQ").map(Req)
    }
}

impl Ritm {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Req {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ritm {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Req {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// When a request was submitted: a date and time, and the offset from UTC
/// when the file gives one (a local time is this machine's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Submitted {
    pub at: chrono::NaiveDateTime,
    pub offset: Option<Offset>,
}

/// An offset from UTC as written: `Z`, or minutes east.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offset {
    Z,
    Minutes(i16),
}

impl Submitted {
    /// The instant it stands for, to sort by; a local time is taken in this
    /// machine's time zone.
    pub fn instant(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        use chrono::TimeZone as _;
        match self.offset {
            None => chrono::Local
                .from_local_datetime(&self.at)
                .earliest()
                .map(|t| t.to_utc()),
            Some(Offset::Z) => Some(chrono::Utc.from_utc_datetime(&self.at)),
            Some(Offset::Minutes(minutes)) => {
                chrono::FixedOffset::east_opt(i32::from(minutes) * 60)?
                    .from_local_datetime(&self.at)
                    .single()
                    .map(|t| t.to_utc())
            }
        }
    }
}

/// `2026-11-26 10:00:00`, `2026-11-26 10:00:00Z`, `2026-11-26 10:00:00-05:00`.
impl fmt::Display for Submitted {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.at.format("%Y-%m-%d %H:%M:%S"))?;
        match self.offset {
            None => Ok(()),
            Some(Offset::Z) => f.write_str("Z"),
            Some(Offset::Minutes(minutes)) => {
                let sign = if minutes < 0 { '-' } else { '+' };
                let minutes = minutes.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
            }
        }
    }
}

impl Serialize for Submitted {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A byte range in the spec file.
pub(crate) type Span = Range<usize>;

#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub title: String,
    pub project: String,
    pub request: String,
    pub reason: String,
    pub affected_apps: Vec<String>,
    pub justification: String,
    pub change: Option<String>,
    pub requested_by: Option<String>,
    pub ritm: Option<Ritm>,
    pub req: Option<Req>,
    /// Shown as ServiceNow shows it, `YYYY-MM-DD HH:MM:SS`, with the offset
    /// when the file gives one.
    pub submitted: Option<Submitted>,
    pub status: Status,
    /// Serialized as `YYYY-MM-DD`.
    pub expires: Option<chrono::NaiveDate>,
    pub rules: Vec<Rule>,
    pub test: Option<TestProcess>,
    /// Lints silenced for this request (`allow = [...]`).
    pub allow: Vec<Lint>,
    /// The team's fields (`[fields]`), in the team's order; filled in once
    /// the request's team is known (`team::Team::complete`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldValue>,
    #[serde(skip)]
    pub spans: Spans,
}

/// Where header values stand in the file, for lints that point at them.
#[derive(Debug, Clone, Default)]
pub struct Spans {
    pub title: Span,
    pub expires: Span,
    /// Free text a reviewer reads: title, request, reason, justification,
    /// change and rule comments.
    pub prose: Vec<Span>,
    /// Every text value that reaches the Markdown body: (key, span, value).
    pub markdown: Vec<(String, Span, String)>,
    /// The team's fields as written, until the team checks them: the
    /// request's first, then each rule's.
    pub fields: Vec<crate::field_values::Written>,
}

/// A value with the span it was written at; serializes as the value alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub comment: Option<String>,
    pub protocol: Protocol,
    pub ports: Vec<PortRange>,
    pub action: Action,
    pub sources: Vec<Located<Network>>,
    pub destinations: Vec<Destination>,
    /// The team's rule fields, in the team's order (see `Request::fields`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldValue>,
    #[serde(skip)]
    pub span: Span,
}

/// A port or an inclusive range of ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRange {
    pub low: u16,
    pub high: u16,
    pub span: Span,
}

/// Templates get `low`, `high` and `text` (`443` or `8000-8100`).
impl Serialize for PortRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("PortRange", 3)?;
        st.serialize_field("low", &self.low)?;
        st.serialize_field("high", &self.high)?;
        st.serialize_field("text", &self.to_string())?;
        st.end()
    }
}

impl PortRange {
    /// The ports a check tests: a single port, or both ends of a range.
    pub fn ends(&self) -> Vec<u16> {
        if self.low == self.high {
            vec![self.low]
        } else {
            vec![self.low, self.high]
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.low == self.high {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{}-{}", self.low, self.high)
        }
    }
}

/// An address with a prefix length, host bits zero (`52.94.0.0/16`). A single
/// address is a network with a full-length prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Network {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Network {
    pub fn max_prefix(addr: IpAddr) -> u8 {
        if addr.is_ipv4() { 32 } else { 128 }
    }

    /// A single address, as a network of full prefix length.
    pub fn single(addr: IpAddr) -> Self {
        Network {
            addr,
            prefix: Network::max_prefix(addr),
        }
    }

    /// Whether `addr` lies inside this network.
    pub fn contains(&self, addr: IpAddr) -> bool {
        addr.is_ipv4() == self.addr.is_ipv4() && mask(addr, self.prefix) == self.addr
    }

    /// Whether all of `inner` lies inside this network.
    pub fn contains_network(&self, inner: &Network) -> bool {
        self.prefix <= inner.prefix && self.contains(inner.addr)
    }
}

/// The address with every bit past `prefix` cleared.
pub fn mask(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let m = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & m).into())
        }
        IpAddr::V6(a) => {
            let m = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & m).into())
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.prefix == Network::max_prefix(self.addr) {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

impl Serialize for Network {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A fully qualified host name in its ASCII form: lower case, punycode
/// labels, each label and the whole held to the grammar. Only `validate`
/// makes one (here through `FromStr`), so a value of this type is safe in a
/// shell line or a firewall's configuration as it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct HostName(String);

impl HostName {
    /// For `validate` alone, on text it has just checked.
    pub(crate) fn checked(ascii: String) -> Self {
        HostName(ascii)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for HostName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One concrete host a check connects to: a name or an address, typed so
/// that no stage has to guess which by parsing text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TestHost {
    Name(HostName),
    Address(IpAddr),
}

impl TestHost {
    /// The destination this host is, to compare with a rule's.
    pub fn target(&self) -> Target {
        match self {
            TestHost::Name(name) => Target::Host { name: name.clone() },
            TestHost::Address(address) => Target::Address { address: *address },
        }
    }
}

impl fmt::Display for TestHost {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            TestHost::Name(name) => f.write_str(name),
            TestHost::Address(address) => write!(f, "{address}"),
        }
    }
}

impl Serialize for TestHost {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What a destination names, in the form a firewall object needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Target {
    /// A fully qualified name, in its ASCII (punycode) form.
    Host { name: HostName },
    /// `*.domain` (or the sloppy `*domain`, `dotted = false`), domain in ASCII.
    Wildcard { domain: HostName, dotted: bool },
    /// One IPv4 or IPv6 address.
    Address { address: IpAddr },
    /// A CIDR range.
    Range { network: Network },
}

impl Target {
    /// The addresses an address or range destination names.
    pub fn network(&self) -> Option<Network> {
        match self {
            Target::Address { address } => Some(Network::single(*address)),
            Target::Range { network } => Some(*network),
            Target::Host { .. } | Target::Wildcard { .. } => None,
        }
    }

    /// Whether this destination matches everything `other` does: a wildcard
    /// covers the names under it, a range the addresses and ranges inside it.
    pub fn covers(&self, other: &Target) -> bool {
        let under = |domain: &str, dotted: bool, name: &str| {
            if dotted {
                name.ends_with(&format!(".{domain}"))
            } else {
                name.ends_with(domain) && name != domain
            }
        };
        match (self, other) {
            _ if self == other => true,
            (Target::Wildcard { domain, dotted }, Target::Host { name }) => {
                under(domain, *dotted, name)
            }
            (Target::Wildcard { domain, dotted }, Target::Wildcard { domain: inner, .. }) => {
                under(domain, *dotted, inner)
            }
            (Target::Range { network }, _) => other
                .network()
                .is_some_and(|inner| network.contains_network(&inner)),
            _ => false,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Target::Host { name } => write!(f, "{name}"),
            Target::Wildcard {
                domain,
                dotted: true,
            } => write!(f, "*.{domain}"),
            Target::Wildcard {
                domain,
                dotted: false,
            } => write!(f, "*{domain}"),
            Target::Address { address } => write!(f, "{address}"),
            Target::Range { network } => write!(f, "{network}"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Destination {
    /// Exactly as the user wrote it (Unicode names stay Unicode).
    pub written: String,
    #[serde(flatten)]
    pub target: Target,
    /// The concrete host to test instead of a wildcard or range.
    pub probe: Option<TestHost>,
    /// The ASCII (punycode) form a firewall object must hold, when `written`
    /// is a Unicode name: `xn--bcher-kva.example` for `bücher.example`.
    pub punycode: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestProcess {
    pub steps: Vec<String>,
    pub host: Option<String>,
    pub commands: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The offset is shown as the file wrote it: `+00:00` is not `Z`.
    #[test]
    fn a_submitted_time_shows_its_offset_as_written() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("a date");
        let shown = |offset| Submitted { at, offset }.to_string();
        assert_eq!(shown(None), "2026-11-26 10:00:00");
        assert_eq!(shown(Some(Offset::Z)), "2026-11-26 10:00:00Z");
        assert_eq!(shown(Some(Offset::Minutes(0))), "2026-11-26 10:00:00+00:00");
        assert_eq!(
            shown(Some(Offset::Minutes(-300))),
            "2026-11-26 10:00:00-05:00"
        );
        assert_eq!(
            shown(Some(Offset::Minutes(330))),
            "2026-11-26 10:00:00+05:30"
        );
    }
}
