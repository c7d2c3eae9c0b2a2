//! The request spec as written in TOML: the serde model, every value with its span.
//!
//! This layer only reads. It accepts anything of the right *shape* (strings,
//! integers, tables) and leaves the meaning (is this a hostname? a port?) to
//! `validate`, so one file can report many problems at once instead of stopping
//! at the first. Unknown keys are refused here: they are almost always typos.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use toml::Spanned;
use toml::value::Datetime;

/// Every top-level key a request spec may have.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    pub title: Option<Spanned<String>>,
    pub project: Option<Spanned<String>>,
    pub request: Option<Spanned<String>>,
    pub reason: Option<Spanned<String>>,
    pub affected_apps: Option<Spanned<Vec<Spanned<String>>>>,
    pub justification: Option<Spanned<String>>,
    pub change: Option<Spanned<String>>,
    pub requested_by: Option<Spanned<String>>,
    pub ritm: Option<Spanned<String>>,
    pub req: Option<Spanned<String>>,
    pub submitted: Option<Spanned<Datetime>>,
    pub status: Option<Spanned<Status>>,
    pub expires: Option<Spanned<Datetime>>,
    pub rules: Option<Spanned<Vec<Spanned<RawRule>>>>,
    pub test: Option<Spanned<RawTest>>,
    pub allow: Option<Vec<Spanned<String>>>,
}

/// One `[[rules]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub comment: Option<Spanned<String>>,
    pub protocol: Option<Spanned<Protocol>>,
    pub ports: Option<Spanned<Vec<Spanned<RawPort>>>>,
    pub action: Option<Spanned<Action>>,
    pub sources: Option<Spanned<Vec<Spanned<String>>>>,
    pub destinations: Option<Spanned<Vec<Spanned<RawDestination>>>>,
}

/// The optional `[test]` table: the 'Test Process' section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTest {
    #[serde(default)]
    pub steps: Vec<Spanned<String>>,
    pub host: Option<Spanned<String>>,
    #[serde(default)]
    pub commands: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Icmp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    #[default]
    Allow,
    Deny,
}

/// Where the request is in its life; only `draft` requests are still editable in spirit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Draft,
    Submitted,
    Approved,
    Implemented,
    Rejected,
    Withdrawn,
}

/// A port as written: `443` or `"8000-8100"`. Checked in `validate::port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawPort {
    Number(i64),
    Text(String),
}

impl<'de> Deserialize<'de> for RawPort {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PortVisitor;
        impl Visitor<'_> for PortVisitor {
            type Value = RawPort;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a port number such as 443 or a range such as \"8000-8100\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawPort, E> {
                Ok(RawPort::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawPort, E> {
                Ok(RawPort::Number(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPort, E> {
                Ok(RawPort::Text(v.to_string()))
            }
        }
        d.deserialize_any(PortVisitor)
    }
}

/// A destination as written: `"host"` (its span is that of the outer value) or
/// `{ host = "*.x", probe = "a.x" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawDestination {
    Name(String),
    Table {
        host: Spanned<String>,
        probe: Option<Spanned<String>>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DestinationTable {
    host: Spanned<String>,
    probe: Option<Spanned<String>>,
}

impl<'de> Deserialize<'de> for RawDestination {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DestVisitor;
        impl<'de> Visitor<'de> for DestVisitor {
            type Value = RawDestination;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a hostname, IP address or CIDR string, or a table { host = \"...\", probe = \"...\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDestination, E> {
                Ok(RawDestination::Name(v.to_string()))
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<RawDestination, M::Error> {
                let t = DestinationTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawDestination::Table {
                    host: t.host,
                    probe: t.probe,
                })
            }
        }
        d.deserialize_any(DestVisitor)
    }
}

/// Parses TOML text into the raw model; the error keeps toml's span and message.
pub fn parse(text: &str) -> Result<RawSpec, toml::de::Error> {
    toml::from_str(text)
}
