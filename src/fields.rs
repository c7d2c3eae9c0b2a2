//! Team-defined fields: what an organisation's request form asks beyond the
//! built-in keys (environment, data classification, change window, backout
//! plan, CMDB item), defined once as `[fields.NAME]` in `fwreq.toml` and
//! filled in by each request under `[fields]` (or `fields` in a rule).
//!
//! Definitions are checked when the team file is read (`team`); a request's
//! values once its team is known ([`apply`]), every problem at its span.
//! The values then travel with the request: ticket, JSON, catalog variables.
//! **Never**: a field a team did not define, nor a value not of its type.

use crate::diagnostic::{Diagnostic, Invalid};
pub use crate::field_values::{FieldValue, Value, Written};
use crate::names::nearest;
use crate::request::{Request, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use toml::Spanned;

/// `[fields.NAME]` tables of the team file as written.
pub type RawDefinitions = BTreeMap<Spanned<String>, Spanned<RawField>>;

/// One `[fields.NAME]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    #[serde(rename = "type")]
    kind: Option<Spanned<String>>,
    label: Option<Spanned<String>>,
    help: Option<Spanned<String>>,
    values: Option<Spanned<Vec<Spanned<String>>>>,
    default: Option<Spanned<toml::Value>>,
    required: Option<Spanned<bool>>,
    required_when: Option<Spanned<RawCondition>>,
    scope: Option<Spanned<String>>,
}

/// `required_when = { field = "...", is = "..." }` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    field: Spanned<String>,
    is: Spanned<toml::Value>,
}

/// The types a field may have, as the team file names them.
const TYPES: &[&str] = &["text", "line", "choice", "date", "bool", "list"];

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Text over one or more lines (Markdown allowed).
    Text,
    /// One line of text.
    Line,
    /// One of the listed values.
    Choice(Vec<String>),
    /// A date, `YYYY-MM-DD`.
    Date,
    Bool,
    /// A list of single-line items.
    List,
}

/// Where a field is filled in: once per request, or in each rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Request,
    Rule,
}

/// When a field must be given.
#[derive(Debug, Clone, PartialEq)]
pub enum Required {
    No,
    Always,
    /// When another field (of the same scope) holds this value.
    When {
        field: String,
        is: Value,
    },
}

/// A validated field definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub name: String,
    pub label: String,
    pub help: Option<String>,
    pub kind: Kind,
    pub default: Option<Value>,
    pub required: Required,
    pub scope: Scope,
}

/// The team's fields, in the order the team file lists them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    pub definitions: Vec<Definition>,
}

impl Fields {
    pub fn is_empty(&self) -> bool {
        self.definitions.is_empty()
    }

    /// The definitions of one scope, in the team's order.
    pub fn of(&self, scope: Scope) -> impl Iterator<Item = &Definition> {
        self.definitions.iter().filter(move |d| d.scope == scope)
    }

    pub fn get(&self, name: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.name == name)
    }

    /// What `fwreq new` writes of each field (`templates/new.toml.j2`).
    pub fn starter(&self) -> Vec<Starter> {
        self.definitions
            .iter()
            .map(|d| Starter {
                name: d.name.clone(),
                label: d.label.clone(),
                help: d.help.clone(),
                scope: match d.scope {
                    Scope::Request => "request",
                    Scope::Rule => "rule",
                },
                required: d.required == Required::Always,
                required_when: match &d.required {
                    Required::When { field, is } => Some(format!("{field} is {is}")),
                    _ => None,
                },
                values: match &d.kind {
                    Kind::Choice(values) => values.clone(),
                    _ => Vec::new(),
                },
                value: match (&d.default, &d.kind) {
                    (Some(default), _) => default.toml(),
                    (None, Kind::Bool) => "false".to_string(),
                    (None, Kind::List) => "[\"TODO: an item\"]".to_string(),
                    (None, _) => format!(
                        "\"TODO: {}\"",
                        d.help
                            .as_deref()
                            .unwrap_or(&d.label)
                            .replace(['"', '\\', '\n'], " ")
                    ),
                },
                example: d.kind.example(),
            })
            .collect()
    }
}

impl Fields {
    /// The JSON Schema of a `[fields]` table of this scope, so an editor
    /// completes the team's names and values: each field's type, its
    /// choices (`enum`), a date's `format`, and its label and help as the
    /// description; the fields always required, and those required on a
    /// condition (`if`/`then`).
    pub fn schema(&self, scope: Scope) -> serde_json::Value {
        use serde_json::json;
        let mut properties = serde_json::Map::new();
        let mut required = Vec::new();
        let mut conditions = Vec::new();
        for d in self.of(scope) {
            let mut schema = match &d.kind {
                Kind::Text | Kind::Line => {
                    json!({ "type": "string", "minLength": 1, "pattern": "\\S" })
                }
                Kind::Choice(values) => json!({ "type": "string", "enum": values }),
                Kind::Date => {
                    json!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
                }
                Kind::Bool => json!({ "type": "boolean" }),
                Kind::List => {
                    json!({ "type": "array", "items": { "type": "string", "minLength": 1 } })
                }
            };
            let description = match &d.help {
                Some(help) => format!("{}: {help}", d.label),
                None => d.label.clone(),
            };
            schema["description"] = description.into();
            if let Some(default) = &d.default {
                schema["default"] = json!(default);
            }
            properties.insert(d.name.clone(), schema);
            match &d.required {
                Required::No => {}
                Required::Always => required.push(d.name.clone()),
                Required::When { field, is } => conditions.push(json!({
                    "if": { "properties": { field.clone(): { "const": is } }, "required": [field] },
                    "then": { "required": [d.name] }
                })),
            }
        }
        let mut schema = json!({
            "description": "Your team's own fields (fwreq.toml)",
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        });
        if !required.is_empty() {
            schema["required"] = required.into();
        }
        if !conditions.is_empty() {
            schema["allOf"] = conditions.into();
        }
        schema
    }

    /// Whether a request or rule must have a `fields` table.
    pub fn any_required(&self, scope: Scope) -> bool {
        self.of(scope).any(|d| d.required == Required::Always)
    }
}

/// One field as the starter spec shows it: `value` is TOML text (its
/// default, or a `TODO:` placeholder `check` explains), `example` a value
/// of its type.
#[derive(Debug, Serialize)]
pub struct Starter {
    pub name: String,
    pub label: String,
    pub help: Option<String>,
    pub scope: &'static str,
    pub required: bool,
    /// `FIELD is VALUE`, for a field required on a condition.
    pub required_when: Option<String>,
    pub values: Vec<String>,
    pub value: String,
    pub example: String,
}

/// order is kept.
pub fn parse(raw: RawDefinitions) -> Result<Fields, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut raw: Vec<(Spanned<String>, Spanned<RawField>)> = raw.into_iter().collect();
    raw.sort_by_key(|(name, _)| name.span().start);
    let mut definitions = Vec::new();
    let mut conditions = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    for (name, field) in raw {
        if let Err(e) = field_name(name.get_ref()) {
            diags.push(e.at(name.span()));
            continue;
        }
        let table = name.span();
        let (name, mut field) = (name.into_inner(), field.into_inner());
        let condition = field.required_when.take();
        match definition(name.clone(), table, field, &mut diags) {
            Some(definition) => {
                if let Some(condition) = condition {
                    conditions.push((definitions.len(), condition));
                }
                definitions.push(definition);
            }
            None => failed.push(name),
        }
    }
    for (index, condition) in conditions {
        // A condition on a field with errors of its own says nothing more.
        if failed.contains(condition.get_ref().field.get_ref()) {
            continue;
        }
        if definitions[index].required == Required::Always {
            diags.push(
                Diagnostic::error(
                    condition.span(),
                    format!(
                        "`{}` is required already (required = true)",
                        definitions[index].name
                    ),
                )
                .with_help("keep required = true or required_when, not both"),
            );
            continue;
        }
        match resolve(&definitions, &definitions[index], condition.into_inner()) {
            Ok(required) => definitions[index].required = required,
            Err(diag) => diags.push(diag),
        }
    }
    if diags.is_empty() {
        Ok(Fields { definitions })
    } else {
        Err(diags)
    }
}

/// A field's name is used in templates (`fields.NAME`) and ServiceNow
/// mappings: a letter, then letters, digits and underscores.
fn field_name(name: &str) -> Result<(), Invalid> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(format!("`{name}` is not a field name"))
            .help("a field's name is a letter, then letters, digits and underscores (templates use it as fields.NAME)"))
    }
}

/// One definition, or its problems pushed to `diags`.
fn definition(
    name: String,
    table: Span,
    raw: RawField,
    diags: &mut Vec<Diagnostic>,
) -> Option<Definition> {
    let before = diags.len();
    let kind = match raw.kind {
        None => {
            diags.push(
                Diagnostic::error(table, format!("field `{name}` has no type")).with_help(format!(
                    "add type = \"line\" under [fields.{name}]; the types are {}",
                    TYPES.join(", ")
                )),
            );
            None
        }
        Some(kind) => kind_of(&kind, raw.values, diags),
    };
    let label = label_of(&name, raw.label, diags);
    let help = help_of(&name, raw.help, diags);
    let scope = raw
        .scope
        .map_or(Scope::Request, |scope| scope_of(&scope, diags));
    let default = match (&kind, raw.default) {
        (Some(kind), Some(default)) => {
            let span = default.span();
            match kind.value(&name, default.into_inner()) {
                Ok(value) => Some(value),
                Err(e) => {
                    diags.push(
                        Invalid::new(format!("the default of `{name}`: {}", e.message))
                            .help(e.help.unwrap_or_default())
                            .at(span),
                    );
                    None
                }
            }
        }
        _ => None,
    };
    let required = match raw.required {
        Some(r) if *r.get_ref() => Required::Always,
        _ => Required::No,
    };
    if diags.len() > before {
        return None;
    }
    Some(Definition {
        name,
        label,
        help,
        kind: kind?,
        default,
        required,
        scope,
    })
}

/// The label: one line, as the form shows it; the name when none is given.
fn label_of(name: &str, label: Option<Spanned<String>>, diags: &mut Vec<Diagnostic>) -> String {
    match label {
        Some(label) if !label.get_ref().trim().is_empty() && !label.get_ref().contains('\n') => {
            label.into_inner().trim().to_string()
        }
        Some(label) => {
            diags.push(
                Diagnostic::error(
                    label.span(),
                    format!("the label of `{name}` is empty or spans lines"),
                )
                .with_help("a label is one line, as the form shows it"),
            );
            String::new()
        }
        None => name.to_string(),
    }
}

/// The help: one line, since `fwreq new` writes it into a TOML comment.
fn help_of(
    name: &str,
    help: Option<Spanned<String>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    match help {
        Some(help) if help.get_ref().contains(['\n', '\r']) => {
            diags.push(
                Diagnostic::error(help.span(), format!("the help of `{name}` spans lines"))
                    .with_help("write it on one line: `fwreq new` puts it in a comment"),
            );
            None
        }
        help => help.map(|h| h.into_inner().trim().to_string()),
    }
}

/// `scope = "request" | "rule"`; an unknown one is an error at its place.
fn scope_of(scope: &Spanned<String>, diags: &mut Vec<Diagnostic>) -> Scope {
    match scope.get_ref().as_str() {
        "request" => Scope::Request,
        "rule" => Scope::Rule,
        other => {
            let help = match nearest(other, ["request", "rule"]) {
                Some(n) => format!("did you mean `{n}`? scope is request (the default) or rule"),
                None => "scope is request (the default) or rule".to_string(),
            };
            diags.push(
                Diagnostic::error(scope.span(), format!("unknown scope `{other}`")).with_help(help),
            );
            Scope::Request
        }
    }
}

/// The type named, with its `values` (a choice's, and only a choice's).
fn kind_of(
    kind: &Spanned<String>,
    values: Option<Spanned<Vec<Spanned<String>>>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Kind> {
    let named = match kind.get_ref().as_str() {
        "text" => Kind::Text,
        "line" => Kind::Line,
        "choice" => Kind::Choice(Vec::new()),
        "date" => Kind::Date,
        "bool" => Kind::Bool,
        "list" => Kind::List,
        other => {
            let help = match nearest(other, TYPES.iter().copied()) {
                Some(n) => format!("did you mean `{n}`? the types are {}", TYPES.join(", ")),
                None => format!("the types are {}", TYPES.join(", ")),
            };
            diags.push(
                Diagnostic::error(kind.span(), format!("unknown field type `{other}`"))
                    .with_help(help),
            );
            return None;
        }
    };
    match (named, values) {
        (Kind::Choice(_), Some(values)) => {
            let span = values.span();
            let mut list: Vec<String> = Vec::new();
            for value in values.into_inner() {
                let text = value.get_ref().trim();
                if text.is_empty() || text.contains('\n') || list.iter().any(|v| v == text) {
                    diags.push(
                        Diagnostic::error(
                            value.span(),
                            format!("`{text}` is empty, spans lines or is listed twice"),
                        )
                        .with_help("each of a choice's values is one line, listed once"),
                    );
                } else {
                    list.push(text.to_string());
                }
            }
            if list.is_empty() {
                diags.push(
                    Diagnostic::error(span, "a choice needs values")
                        .with_help("give values = [\"...\", \"...\"]"),
                );
                return None;
            }
            Some(Kind::Choice(list))
        }
        (Kind::Choice(_), None) => {
            diags.push(
                Diagnostic::error(kind.span(), "a choice needs values")
                    .with_help("add values = [\"...\", \"...\"]: the answers the form offers"),
            );
            None
        }
        (_, Some(values)) => {
            diags.push(
                Diagnostic::error(
                    values.span(),
                    format!(
                        "`values` is for a choice, and this field is a {}",
                        kind.get_ref()
                    ),
                )
                .with_help("remove values, or make it type = \"choice\""),
            );
            None
        }
        (kind, None) => Some(kind),
    }
}

impl Kind {
    /// `value` as this type holds it, or why not (`name` is the field's).
    pub fn value(&self, name: &str, value: toml::Value) -> Result<Value, Invalid> {
        use toml::Value as T;
        match (self, value) {
            (Kind::Text | Kind::Line, T::String(text)) => {
                crate::validate::text_value(&text, name, *self == Kind::Line).map(Value::Text)
            }
            (Kind::Choice(values), T::String(text)) => {
                crate::validate::placeholder(&text, name)?;
                if values.contains(&text) {
                    return Ok(Value::Text(text));
                }
                let one_of = values.join(", ");
                Err(
                    Invalid::new(format!("`{text}` is not one of the values of `{name}`")).help(
                        match nearest(&text, values.iter().map(String::as_str)) {
                            Some(near) => format!("did you mean `{near}`? write one of {one_of}"),
                            None => format!("write one of {one_of}"),
                        },
                    ),
                )
            }
            (Kind::Date, T::Datetime(dt)) => dt
                .date
                .filter(|_| dt.time.is_none() && dt.offset.is_none())
                .and_then(|d| {
                    chrono::NaiveDate::from_ymd_opt(
                        i32::from(d.year),
                        u32::from(d.month),
                        u32::from(d.day),
                    )
                })
                .map(Value::Date)
                .ok_or_else(|| date_format(name)),
            (Kind::Date, T::String(text)) => {
                crate::validate::placeholder(&text, name).and_then(|()| {
                    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                        .ok()
                        .filter(|d| d.format("%Y-%m-%d").to_string() == text)
                        .map(Value::Date)
                        .ok_or_else(|| date_format(name))
                })
            }
            (Kind::Bool, T::Boolean(b)) => Ok(Value::Bool(b)),
            (Kind::List, T::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    T::String(text) => crate::validate::text_value(&text, name, true),
                    other => Err(Invalid::new(format!(
                        "`{name}` is a list of text, and holds a {}",
                        other.type_str()
                    ))
                    .help(format!("write {name} = [\"...\", \"...\"]"))),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List),
            (kind, other) => Err(Invalid::new(format!(
                "`{name}` takes {}, not a {}",
                kind.what(),
                other.type_str()
            ))
            .help(format!("write e.g. {name} = {}", kind.example()))),
        }
    }

    /// What it takes, in words.
    fn what(&self) -> &'static str {
        match self {
            Kind::Text | Kind::Line => "text",
            Kind::Choice(_) => "one of its values",
            Kind::Date => "a date",
            Kind::Bool => "true or false",
            Kind::List => "a list of text",
        }
    }

    /// A value of this type as TOML writes it.
    pub fn example(&self) -> String {
        match self {
            Kind::Text | Kind::Line => "\"...\"".to_string(),
            Kind::Choice(values) => {
                toml::Value::String(values.first().cloned().unwrap_or_default()).to_string()
            }
            Kind::Date => "2027-01-31".to_string(),
            Kind::Bool => "true".to_string(),
            Kind::List => "[\"...\"]".to_string(),
        }
    }
}

fn date_format(name: &str) -> Invalid {
    Invalid::new(format!("`{name}` takes a date, written YYYY-MM-DD"))
        .help(format!("write e.g. {name} = 2027-01-31"))
}

/// `required_when` of `of`: a field of the same scope, and a value that
/// field may hold (one of a choice's values, or true or false).
fn resolve(
    definitions: &[Definition],
    of: &Definition,
    raw: RawCondition,
) -> Result<Required, Diagnostic> {
    let (field, is) = (raw.field, raw.is);
    let Some(target) = definitions.iter().find(|d| d.name == *field.get_ref()) else {
        let names = definitions.iter().map(|d| d.name.as_str());
        let help = match nearest(field.get_ref(), names) {
            Some(n) => format!("did you mean `{n}`?"),
            None => "name a field defined in this file".to_string(),
        };
        return Err(Diagnostic::error(
            field.span(),
            format!(
                "`required_when` of `{}` names `{}`, which is not a field",
                of.name,
                field.get_ref()
            ),
        )
        .with_help(help));
    };
    if target.scope != of.scope || target.name == of.name {
        return Err(Diagnostic::error(
            field.span(),
            format!(
                "`required_when` of `{}` names `{}`, which is filled in {}",
                of.name,
                target.name,
                if target.name == of.name {
                    "by this very field"
                } else if target.scope == Scope::Rule {
                    "in each rule"
                } else {
                    "once per request"
                }
            ),
        )
        .with_help("a condition names another field of the same scope"));
    }
    if !matches!(target.kind, Kind::Choice(_) | Kind::Bool) {
        return Err(Diagnostic::error(
            field.span(),
            format!(
                "`required_when` names `{}`, a field of free {}",
                target.name,
                target.kind.what()
            ),
        )
        .with_help("a condition names a choice or a bool field"));
    }
    let span = is.span();
    let value = target
        .kind
        .value(&target.name, is.into_inner())
        .map_err(|e| e.at(span))?;
    Ok(Required::When {
        field: target.name.clone(),
        is: value,
    })
}

/// A team field whose value a change ticket's new revision changes: in the
/// request (`rule` none) or in a rule (numbered from 1), as readers see the
/// values (`None`: not given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub name: String,
    pub label: String,
    pub rule: Option<usize>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields `new` changes against `old`: the request's, then each rule's
/// against the rule at the same place (rules are not matched otherwise).
pub fn changes(old: &Request, new: &Request) -> Vec<FieldChange> {
    let mut found = compared(&old.fields, &new.fields, None);
    for (number, (old, new)) in old.rules.iter().zip(&new.rules).enumerate() {
        found.extend(compared(&old.fields, &new.fields, Some(number + 1)));
    }
    found
}

/// Each field of either list whose shown value differs, in `new`'s order
/// then `old`'s (a field the team dropped).
fn compared(old: &[FieldValue], new: &[FieldValue], rule: Option<usize>) -> Vec<FieldChange> {
    let shown = |list: &[FieldValue], name: &str| {
        list.iter()
            .find(|f| f.name == name)
            .and_then(|f| f.value.as_ref().map(ToString::to_string))
    };
    let mut names: Vec<(&str, &str)> = new
        .iter()
        .map(|f| (f.name.as_str(), f.label.as_str()))
        .collect();
    for f in old {
        if !names.iter().any(|(n, _)| *n == f.name) {
            names.push((&f.name, &f.label));
        }
    }
    names
        .into_iter()
        .filter_map(|(name, label)| {
            let (before, after) = (shown(old, name), shown(new, name));
            (before != after).then(|| FieldChange {
                name: name.to_string(),
                label: label.to_string(),
                rule,
                before,
                after,
            })
        })
        .collect()
}

/// Checks a request's fields against its team's definitions, and fills in
/// each field's value (the written one, else the default): every problem at
/// its span. A request without `[fields]` under a team without fields
/// passes untouched.
pub fn apply(
    fields: &Fields,
    team_file: Option<&std::path::Path>,
    request: &mut Request,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let written = std::mem::take(&mut request.spans.fields);
    if fields.is_empty() {
        // Once, at the first table: the others have the same cause.
        if let Some(table) = written.iter().find_map(|w| w.table.clone()) {
            diags.push(Diagnostic::error(table, "this request has fields, but its team defines none").with_help(
                match team_file {
                    Some(file) => format!("define them in {} as [fields.NAME] tables (docs/fields.md), or remove the fields", file.display()),
                    None => "no valid fwreq.toml governs this request: define the fields in the team file as [fields.NAME] tables (docs/fields.md), or remove the fields".to_string(),
                },
            ));
        }
        return diags;
    }
    let mut by_rule: Vec<Written> = vec![Written::default(); request.rules.len() + 1];
    for (index, w) in written.into_iter().enumerate() {
        if let Some(slot) = by_rule.get_mut(index) {
            *slot = w;
        }
    }
    let mut iter = by_rule.into_iter();
    let top = iter.next().unwrap_or_default();
    let spans = &mut request.spans.markdown;
    request.fields = values(fields, Scope::Request, top, 0..0, spans, &mut diags);
    for (rule, w) in request.rules.iter_mut().zip(iter) {
        let header = rule.span.start..rule.span.start;
        rule.fields = values(fields, Scope::Rule, w, header, spans, &mut diags);
    }
    diags
}

/// The values of one scope: typed, defaulted, the required ones present.
fn values(
    fields: &Fields,
    scope: Scope,
    written: Written,
    header: Span,
    markdown: &mut Vec<(String, Span, String)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<crate::fields::FieldValue> {
    let mut given: BTreeMap<String, Value> = BTreeMap::new();
    // Written, even if wrongly: its own error says what is wrong with it.
    let mut written_names: Vec<String> = Vec::new();
    for (name, value) in written.values {
        written_names.push(name.get_ref().clone());
        let Some(definition) = fields.of(scope).find(|d| d.name == *name.get_ref()) else {
            // A misspelt name is reported once, as a typo, not as missing too.
            let names = fields.of(scope).map(|d| d.name.as_str());
            if let Some(meant) = nearest(name.get_ref(), names) {
                written_names.push(meant.to_string());
            }
            diags.push(unknown(fields, scope, &name));
            continue;
        };
        let span = value.span();
        match definition.kind.value(&definition.name, value.into_inner()) {
            Ok(value) => {
                if let Value::Text(text) = &value {
                    markdown.push((definition.name.clone(), span, text.clone()));
                }
                given.insert(definition.name.clone(), value);
            }
            Err(e) => diags.push(e.at(span)),
        }
    }
    let all: Vec<FieldValue> = fields
        .of(scope)
        .map(|d| FieldValue {
            name: d.name.clone(),
            label: d.label.clone(),
            value: given.get(&d.name).cloned().or_else(|| d.default.clone()),
        })
        .collect();
    let at = written.table.map_or(header, |t| t.start..t.start);
    for d in fields.of(scope) {
        if !written_names.contains(&d.name)
            && let Some(diag) = missing(d, scope, &all, at.clone())
        {
            diags.push(diag);
        }
    }
    all
}

/// The error for `d` when it is required (always, or by its condition on
/// the values in `all`) and has no value; reported at `at`.
fn missing(d: &Definition, scope: Scope, all: &[FieldValue], at: Span) -> Option<Diagnostic> {
    if all.iter().any(|v| v.name == d.name && v.value.is_some()) {
        return None;
    }
    let why = match &d.required {
        Required::No => return None,
        Required::Always => String::new(),
        Required::When { field, is } => {
            let holds = all
                .iter()
                .any(|o| o.name == *field && o.value.as_ref() == Some(is));
            if !holds {
                return None;
            }
            format!(", required when `{field}` is {is}")
        }
    };
    let place = match scope {
        Scope::Rule => "this rule's fields",
        Scope::Request => "[fields]",
    };
    let mut help = d.help.clone().map(|h| format!("{h}; ")).unwrap_or_default();
    help.push_str(&format!("add {} = {} to {place}", d.name, d.kind.example()));
    let message = format!(
        "missing the team's field \"{}\" (`{}`){why}",
        d.label, d.name
    );
    Some(Diagnostic::error(at, message).with_help(help))
}

/// A name no definition of this scope has: the nearest one, or where it belongs.
fn unknown(fields: &Fields, scope: Scope, name: &Spanned<String>) -> Diagnostic {
    let (here, there) = match scope {
        Scope::Request => ("request", "a rule's `fields`"),
        Scope::Rule => ("rule", "the request's [fields]"),
    };
    let message = format!("unknown field `{}`", name.get_ref());
    let help = if fields.get(name.get_ref()).is_some() {
        format!("`{}` is filled in {there}, not here", name.get_ref())
    } else {
        let names: Vec<&str> = fields.of(scope).map(|d| d.name.as_str()).collect();
        match nearest(name.get_ref(), names.iter().copied()) {
            Some(n) => format!("did you mean `{n}`?"),
            None if names.is_empty() => format!("the team defines no {here} fields"),
            None => format!("the team's {here} fields are {}", names.join(", ")),
        }
    };
    Diagnostic::error(name.span(), message).with_help(help)
}
