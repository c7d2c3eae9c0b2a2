//! The request spec as written in TOML: the serde model, every value with its span.
//!
//! This layer only reads. It accepts anything of the right *shape* (strings,
//! integers, tables) and leaves the meaning (is this a hostname? a port?) to
//! `validate`, so one file can report many problems at once instead of stopping
//! at the first. Unknown keys are refused here: they are almost always typos.

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use toml::Spanned;
use toml::value::Datetime;

/// A firewall change request (fwreq spec, version 1). Every top-level key a
/// request spec may have; the JSON Schema (`fwreq schema`) is derived from it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "fwreq request")]
pub struct RawSpec {
    /// The ServiceNow short description (160 characters at most).
    #[schemars(with = "Text", required)]
    pub title: Option<Spanned<String>>,
    /// The project or system the opening serves.
    #[schemars(with = "Text", required)]
    pub project: Option<Spanned<String>>,
    /// What the firewall team should do (Markdown allowed).
    #[schemars(with = "Text", required)]
    pub request: Option<Spanned<String>>,
    /// Why the application needs it (Markdown allowed).
    #[schemars(with = "Text", required)]
    pub reason: Option<Spanned<String>>,
    /// The applications affected (one or more).
    #[schemars(with = "Vec<Text>", required, length(min = 1))]
    pub affected_apps: Option<Spanned<Vec<Spanned<String>>>>,
    /// The business justification (Markdown allowed).
    #[schemars(with = "Text", required)]
    pub justification: Option<Spanned<String>>,
    /// The requested change in a sentence; derived from the rules when absent.
    #[schemars(with = "Option<Text>")]
    pub change: Option<Spanned<String>>,
    /// The signature line.
    #[schemars(with = "Option<Text>")]
    pub requested_by: Option<Spanned<String>>,
    /// RITM and seven or more digits (`fwreq record --ritm` writes it).
    #[schemars(with = "Option<String>", regex(pattern = r"^RITM[0-9]{7,}$"))]
    pub ritm: Option<Spanned<String>>,
    /// REQ and seven or more digits (`fwreq record --req` writes it).
    #[schemars(with = "Option<String>", regex(pattern = r"^REQ[0-9]{7,}$"))]
    pub req: Option<Spanned<String>>,
    /// When it was submitted: a local date and time, e.g. 2025-03-14T16:28:49,
    /// or one with its offset, e.g. 2025-03-14T16:28:49+01:00.
    #[schemars(with = "Option<SubmittedAt>")]
    pub submitted: Option<Spanned<Datetime>>,
    /// Where the request is in its life.
    #[schemars(with = "Option<Status>")]
    pub status: Option<Spanned<Status>>,
    /// For temporary rules: the date they must come out, e.g. 2027-03-31.
    #[schemars(with = "Option<ExpiryDate>")]
    pub expires: Option<Spanned<Datetime>>,
    /// The rules (one or more `[[rules]]` tables).
    #[schemars(with = "Vec<RawRule>", required, length(min = 1))]
    pub rules: Option<Spanned<Vec<Spanned<RawRule>>>>,
    /// The 'Test Process' section.
    #[schemars(with = "Option<RawTest>")]
    pub test: Option<Spanned<RawTest>>,
    /// Lints silenced for this request (say why in a comment).
    #[schemars(with = "Option<Vec<LintName>>")]
    pub allow: Option<Vec<Spanned<String>>>,
    /// The team's own fields (`[fields.NAME]` in fwreq.toml), by name.
    #[schemars(with = "Option<std::collections::BTreeMap<String, serde_json::Value>>")]
    pub fields: Option<Spanned<crate::field_values::RawValues>>,
}

/// One `[[rules]]` table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = ports_by_protocol)]
pub struct RawRule {
    /// The heading of this rule's checks.
    #[schemars(with = "Option<Text>")]
    pub comment: Option<Spanned<String>>,
    /// tcp (the default), udp or icmp.
    #[schemars(with = "Option<Protocol>")]
    pub protocol: Option<Spanned<Protocol>>,
    /// Ports 1-65535, or ranges as "LOW-HIGH"; required for tcp and udp, refused for icmp.
    #[schemars(with = "Option<Vec<RawPort>>", length(min = 1))]
    pub ports: Option<Spanned<Vec<Spanned<RawPort>>>>,
    /// allow (the default) or deny.
    #[schemars(with = "Option<Action>")]
    pub action: Option<Spanned<Action>>,
    /// The hosts or subnets that open the connections: addresses or CIDR ranges.
    #[schemars(with = "Option<Vec<SourceText>>", length(min = 1))]
    pub sources: Option<Spanned<Vec<Spanned<String>>>>,
    /// Hostnames, *.domain wildcards, addresses or CIDR ranges, or { host, probe } tables.
    #[schemars(with = "Vec<RawDestination>", required, length(min = 1))]
    pub destinations: Option<Spanned<Vec<Spanned<RawDestination>>>>,
    /// The team's own fields for this rule (`scope = "rule"` in fwreq.toml).
    #[schemars(with = "Option<std::collections::BTreeMap<String, serde_json::Value>>")]
    pub fields: Option<Spanned<crate::field_values::RawValues>>,
}

/// The optional `[test]` table: the 'Test Process' section.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTest {
    /// A numbered list of steps.
    #[serde(default)]
    #[schemars(with = "Vec<Text>")]
    pub steps: Vec<Spanned<String>>,
    /// `user@host`: `ssh HOST` opens the command block.
    #[schemars(with = "Option<Text>")]
    pub host: Option<Spanned<String>>,
    /// Your own command lines, verbatim.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub commands: Vec<Spanned<String>>,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    Default,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = no_description)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = no_description)]
pub enum Action {
    #[default]
    Allow,
    Deny,
}

/// Where the request is in its life; only `draft` requests are still editable in spirit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = no_description)]
pub enum Status {
    #[default]
    Draft,
    Submitted,
    Approved,
    Implemented,
    Rejected,
    Withdrawn,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Implemented => "implemented",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// Whether a request may move from this status to `next` without being
    /// forced: forward along draft -> submitted -> approved -> implemented, or
    /// out to rejected (once submitted) or withdrawn (before it is
    /// implemented). Anything else says why.
    pub fn check_move(self, next: Status) -> Result<(), crate::diagnostic::Invalid> {
        use Status::*;
        let rank = |s: Status| match s {
            Draft => 0,
            Submitted => 1,
            Approved => 2,
            Implemented => 3,
            Rejected | Withdrawn => 4,
        };
        let ok = match (self, next) {
            (a, b) if a == b => true,
            (Rejected | Withdrawn, _) => false,
            (Draft, Rejected) => false,
            (Implemented, Rejected | Withdrawn) => false,
            (_, Rejected | Withdrawn) => true,
            (a, b) => rank(b) > rank(a),
        };
        if ok {
            Ok(())
        } else {
            Err(crate::diagnostic::Invalid::new(format!(
                "status {} -> {} is not a step forward in a request's life",
                self.as_str(),
                next.as_str()
            )))
        }
    }
}

/// `ports` is required for tcp and udp (the default is tcp) and refused for icmp.
fn ports_by_protocol(schema: &mut schemars::Schema) {
    schema.insert(
        "if".into(),
        serde_json::json!({ "properties": { "protocol": { "const": "icmp" } }, "required": ["protocol"] }),
    );
    schema.insert(
        "then".into(),
        serde_json::json!({ "not": { "required": ["ports"] } }),
    );
    schema.insert("else".into(), serde_json::json!({ "required": ["ports"] }));
}

/// The key that holds an enum describes it; a second description would show
/// twice in an editor's hover.
fn no_description(schema: &mut schemars::Schema) {
    schema.remove("description");
}

/// Characters `check` refuses in a destination (a shell would read them), and
/// blanks: the schema refuses them too.
const DESTINATION_PATTERN: &str = r#"^\*?[^*_\s`$;&|<>()'"\\!#{}~^,=?+%@]+$"#;

/// A hand-written schema for `$type` under `$name`, written in place of a
/// reference when `$inline`.
macro_rules! schema_of {
    ($type:ty, $name:expr, $inline:literal, $schema:tt) => {
        impl JsonSchema for $type {
            fn inline_schema() -> bool {
                $inline
            }

            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

/// Schema-only types: each is what a key holds, as strict as JSON Schema can
/// say it (what it cannot is listed in docs/spec.md, under the schema).
macro_rules! schema_type {
    ($(#[$doc:meta])* $name:ident, $schema:tt) => {
        $(#[$doc])*
        pub struct $name;

        schema_of!($name, stringify!($name), true, $schema);
    };
}

schema_type!(
    /// Text that is not blank.
    Text,
    { "type": "string", "minLength": 1, "pattern": "\\S" }
);

schema_type!(
    /// A TOML date-time, local or with its offset (Taplo checks "format" on TOML values).
    SubmittedAt,
    {
        "type": "string",
        "anyOf": [{ "format": "date-time" }, { "format": "partial-date-time" }],
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?$"
    }
);

schema_type!(
    /// A TOML local date.
    ExpiryDate,
    { "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" }
);

schema_type!(
    /// An address or CIDR range, IPv4 or IPv6.
    SourceText,
    { "type": "string", "pattern": "^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$" }
);

/// A lint name, with each lint's description for editors (Taplo's
/// `x-taplo.docs.enumValues`, VS Code's `enumDescriptions`).
pub(crate) struct LintName;

impl JsonSchema for LintName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LintName".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        use crate::names::Lint;
        let names: Vec<&str> = Lint::ALL.iter().map(|l| l.name()).collect();
        let docs: Vec<&str> = Lint::ALL.iter().map(|l| l.description()).collect();
        schemars::json_schema!({
            "type": "string",
            "enum": names,
            "enumDescriptions": docs,
            "x-taplo": { "docs": { "enumValues": docs } }
        })
    }
}

/// A port as written: `443` or `"8000-8100"`. Checked in `validate::port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawPort {
    Number(i64),
    Text(String),
}

schema_of!(RawPort, "Port", false, {
    "description": "A port (1-65535), or a range written as a string: \"8000-8100\"",
    "anyOf": [
        { "type": "integer", "minimum": 1, "maximum": 65535 },
        { "type": "string", "pattern": "^[1-9][0-9]{0,4}-[1-9][0-9]{0,4}$" }
    ]
});

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

schema_of!(RawDestination, "Destination", false, {
    "description": "A hostname, *.domain, IP address or CIDR range, or a wildcard or range with a host to test",
    "anyOf": [
        { "type": "string", "minLength": 1, "pattern": DESTINATION_PATTERN },
        {
            "type": "object",
            "properties": {
                "host": { "type": "string", "minLength": 1, "pattern": DESTINATION_PATTERN, "description": "The wildcard or CIDR range" },
                "probe": { "type": "string", "minLength": 1, "pattern": DESTINATION_PATTERN, "description": "One host or address under it, to test" }
            },
            "required": ["host"],
            "additionalProperties": false
        }
    ]
});

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

/// Parses TOML text into the raw model. A syntax error is the one error;
/// otherwise every shape error (wrong type, unknown key) is reported at once,
/// each keeping toml's span and message: serde stops at the first, so each
/// pass takes the offending key out of the parsed tree and tries again.
pub fn parse(text: &str) -> Result<RawSpec, Vec<toml::de::Error>> {
    use toml::de::{DeTable, Deserializer};
    // The usual file has no shape error: one parse, and no copy of its tree.
    if let Ok(spec) = toml::from_str::<RawSpec>(text) {
        return Ok(spec);
    }
    let mut root = DeTable::parse(text).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    loop {
        match RawSpec::deserialize(Deserializer::from(root.clone())) {
            Ok(spec) if errors.is_empty() => return Ok(spec),
            Ok(_) => return Err(errors),
            Err(err) => {
                let taken = err.span().is_some_and(|at| take_out(root.get_mut(), &at));
                errors.push(err);
                // Each pass takes one key out: a file has finitely many.
                if !taken {
                    return Err(errors);
                }
            }
        }
    }
}

/// Takes out of `table` the innermost key whose name or value holds `at`;
/// false when none does. Every table is searched: a `[[rules]]` table's span
/// is its header only, not the keys below it.
fn take_out(table: &mut toml::de::DeTable, at: &std::ops::Range<usize>) -> bool {
    let holds = |span: std::ops::Range<usize>| span.start <= at.start && at.end <= span.end;
    let mut hit = None;
    for (key, value) in table.iter_mut() {
        if take_out_of(value.get_mut(), at) {
            return true;
        }
        if holds(key.span()) || holds(value.span()) {
            hit = Some(key.clone());
            break;
        }
    }
    hit.is_some_and(|key| table.remove(&key).is_some())
}

/// The same inside a value: its tables, and the tables of its arrays.
fn take_out_of(value: &mut toml::de::DeValue, at: &std::ops::Range<usize>) -> bool {
    match value {
        toml::de::DeValue::Table(table) => take_out(table, at),
        toml::de::DeValue::Array(items) => {
            items.iter_mut().any(|item| take_out_of(item.get_mut(), at))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::Status::{self, *};

    /// Staying where it is, is always a move a request may make (`record`
    /// and `sync` write the same status again without --force).
    #[test]
    fn every_status_may_stay_as_it_is() {
        for status in [Draft, Submitted, Approved, Implemented, Rejected, Withdrawn] {
            assert!(status.check_move(status).is_ok(), "{status:?}");
        }
        assert!(Rejected.check_move(Withdrawn).is_err());
        assert!(Submitted.check_move(Draft).is_err());
    }

    #[test]
    fn a_status_moves_forward_or_out() {
        let ok = |a: Status, b: Status| a.check_move(b).is_ok();
        assert!(ok(Draft, Submitted) && ok(Submitted, Implemented));
        assert!(ok(Submitted, Rejected) && ok(Approved, Withdrawn));
        assert!(!ok(Draft, Rejected) && !ok(Implemented, Withdrawn));
    }
}
