//! The values of a team's fields as a request holds them: written (with
//! spans, until the team is known) and checked (typed, with the team's
//! label). Plain data below `spec`, `validate` and `request`; the team's
//! definitions and the checks that turn one into the other are `fields`.

use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// `[fields]` of a request or a rule as written: each name and value with its span.
pub type RawValues = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// A field's value, typed by its definition. Serialized as TOML writes it
/// (a date as `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    Bool(bool),
    Date(chrono::NaiveDate),
    List(Vec<String>),
}

impl std::fmt::Display for Value {
    /// As a reader sees it: `yes`/`no`, a list joined by commas.
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Value::Text(text) => f.write_str(text),
            Value::Bool(true) => f.write_str("yes"),
            Value::Bool(false) => f.write_str("no"),
            Value::Date(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            Value::List(items) => f.write_str(&items.join(", ")),
        }
    }
}

/// One field of a request or rule, as templates and the JSON get it: the
/// team's name and label, the value (`null` when not given and without a
/// default) and `text`, the value as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    pub name: String,
    pub label: String,
    pub value: Option<Value>,
}

impl Serialize for FieldValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FieldValue", 4)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("label", &self.label)?;
        st.serialize_field("value", &self.value)?;
        st.serialize_field("text", &self.value.as_ref().map(Value::to_string))?;
        st.end()
    }
}

/// A request's or rule's fields as written, kept (with spans) until its team
/// is known.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// The `[fields]` table (its header), where a missing field is reported.
    pub table: Option<Range<usize>>,
    pub values: Vec<(Spanned<String>, Spanned<toml::Value>)>,
}

impl Written {
    pub fn new(raw: Option<Spanned<RawValues>>) -> Self {
        match raw {
            None => Written::default(),
            Some(raw) => {
                let table = Some(raw.span());
                let mut values: Vec<_> = raw.into_inner().into_iter().collect();
                values.sort_by_key(|(name, _)| name.span().start);
                Written { table, values }
            }
        }
    }
}

impl Value {
    /// As TOML writes it.
    pub fn toml(&self) -> String {
        match self {
            Value::Text(text) => toml::Value::String(text.clone()).to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Date(date) => date.format("%Y-%m-%d").to_string(),
            Value::List(items) => {
                toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect())
                    .to_string()
            }
        }
    }
}
