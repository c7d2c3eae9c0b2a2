//! `[servicenow]` in `fwreq.toml`: which instance, which catalog item, how
//! the request fills the item's variables (minijinja templates) and how a
//! RITM's state and approval map back to a request's status. Parsed by
//! `team` with located errors; used by the client stage and `submit`/`sync`.

use crate::diagnostic::{Diagnostic, Invalid};
use crate::spec::Status;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The environment variable that overrides `instance`.
pub(crate) const INSTANCE_VAR: &str = "SN_INSTANCE";

/// The variable fwreq files its correlation id in unless the team names another.
pub(crate) const CORRELATION_VARIABLE: &str = "fwreq_correlation_id";

/// Catalog variables filled when the team file names none: most firewall
/// items have a short description and a multi-line description.
pub(crate) const DEFAULT_VARIABLES: &[(&str, &str)] = &[
    ("short_description", "{{ title }}"),
    ("description", "{{ markdown }}"),
    ("business_justification", "{{ justification }}"),
];

/// What fwreq derives from a request for the variable templates, besides
/// every field of the request itself (`validate::TOP_LEVEL_KEYS`).
pub(crate) const DERIVED_NAMES: &[&str] = &["markdown", "work_notes", "flows", "correlation_id"];

/// The names a variable template may use: every field of the request, and
/// what fwreq derives from it.
fn template_names() -> impl Iterator<Item = &'static str> {
    crate::validate::TOP_LEVEL_KEYS
        .iter()
        .chain(DERIVED_NAMES)
        .copied()
}

/// Globals minijinja itself defines, which templates may call.
const TEMPLATE_GLOBALS: &[&str] = &["range", "dict", "namespace", "debug"];

/// RITM `state` values (task states) and what they mean for the request.
pub(crate) const DEFAULT_STATES: &[(&str, Status)] = &[
    ("3", Status::Implemented),
    ("4", Status::Rejected),
    ("7", Status::Withdrawn),
];

/// RITM `approval` values and what they mean for the request.
pub(crate) const DEFAULT_APPROVALS: &[(&str, Status)] = &[
    ("approved", Status::Approved),
    ("rejected", Status::Rejected),
];

/// `[servicenow]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Raw {
    instance: Option<Spanned<String>>,
    #[serde(alias = "catalog_item")]
    catalog_item: Option<Spanned<String>>,
    #[serde(alias = "correlation_variable")]
    correlation_variable: Option<Spanned<String>>,
    #[serde(default)]
    variables: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    status: RawStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatus {
    #[serde(default)]
    state: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    approval: BTreeMap<String, Spanned<String>>,
}

/// A validated `[servicenow]` table.
#[derive(Debug, Clone)]
pub struct Config {
    /// `scheme://host[:port]`, no trailing slash (before `SN_INSTANCE`).
    pub instance: Option<String>,
    /// The catalog item's sys_id.
    pub catalog_item: Option<String>,
    /// The variable holding fwreq's correlation id.
    pub correlation_variable: String,
    /// Variable name to template source, in name order.
    pub variables: BTreeMap<String, String>,
    /// RITM `state` value to status (defaults, then the team's).
    pub states: BTreeMap<String, Status>,
    /// RITM `approval` value to status (defaults, then the team's).
    pub approvals: BTreeMap<String, Status>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            instance: None,
            catalog_item: None,
            correlation_variable: CORRELATION_VARIABLE.to_string(),
            variables: DEFAULT_VARIABLES
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            states: DEFAULT_STATES
                .iter()
                .map(|(k, s)| (k.to_string(), *s))
                .collect(),
            approvals: DEFAULT_APPROVALS
                .iter()
                .map(|(k, s)| (k.to_string(), *s))
                .collect(),
        }
    }
}

/// Validates `[servicenow]`, every problem at its value; the variable
/// templates may use the team's request `fields` by name.
pub fn parse(raw: Raw, fields: &crate::fields::Fields) -> Result<Config, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut config = Config::default();
    if let Some(instance) = raw.instance {
        match instance_url(instance.get_ref()) {
            Ok(url) => config.instance = Some(url),
            Err(e) => diags.push(e.at(instance.span())),
        }
    }
    if let Some(item) = raw.catalog_item {
        match sys_id(item.get_ref()) {
            Ok(id) => config.catalog_item = Some(id),
            Err(e) => diags.push(e.at(item.span())),
        }
    }
    if let Some(name) = raw.correlation_variable {
        match variable_name(name.get_ref()) {
            Ok(()) => config.correlation_variable = name.into_inner(),
            Err(e) => diags.push(e.at(name.span())),
        }
    }
    if !raw.variables.is_empty() {
        config.variables.clear();
    }
    for (name, template) in raw.variables {
        let checked =
            variable_name(&name).and_then(|()| check_template(template.get_ref(), fields));
        match checked {
            Ok(()) => {
                config.variables.insert(name, template.into_inner());
            }
            Err(e) => diags.push(e.at(template.span())),
        }
    }
    for (value, status) in raw.status.state {
        match value.parse::<u32>().map_err(|_| {
            Invalid::new(format!("state `{value}` is not a number"))
                .help("task states are numbers: 3 Closed Complete, 4 Closed Incomplete, 7 Closed Skipped")
        }).and_then(|_| status_value(status.get_ref())) {
            Ok(s) => {
                config.states.insert(value, s);
            }
            Err(e) => diags.push(e.at(status.span())),
        }
    }
    for (value, status) in raw.status.approval {
        match status_value(status.get_ref()) {
            Ok(s) => {
                config.approvals.insert(value, s);
            }
            Err(e) => diags.push(e.at(status.span())),
        }
    }
    if diags.is_empty() {
        Ok(config)
    } else {
        Err(diags)
    }
}

/// The user's own configuration: `$XDG_CONFIG_HOME/fwreq/config.toml`,
/// else `~/.config/fwreq/config.toml`. Only an instance named here or in
/// `SN_INSTANCE` is sent credentials.
pub(crate) fn user_config_path() -> Option<std::path::PathBuf> {
    let absolute = |v: std::ffi::OsString| {
        let p = std::path::PathBuf::from(v);
        p.is_absolute().then_some(p)
    };
    std::env::var_os("XDG_CONFIG_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|h| h.join(".config"))
        })
        .map(|dir| dir.join("fwreq").join("config.toml"))
}

/// The user's configuration as written: `[servicenow] instance` only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserConfig {
    servicenow: Option<UserServicenow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserServicenow {
    instance: Option<Spanned<String>>,
}

/// The instance the user's configuration names, with the file; none when
/// there is no file. A bad file is an error at its line and column.
pub(crate) fn user_instance() -> Result<Option<(String, std::path::PathBuf)>, super::Error> {
    let Some(path) = user_config_path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(super::Error::Credentials(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    let at = |span: Option<std::ops::Range<usize>>, message: String| {
        let offset = span.map_or(0, |s| s.start).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        super::Error::Credentials(format!("{}:{line}:{column}: {message}", path.display()))
    };
    let config: UserConfig =
        toml::from_str(&text).map_err(|e| at(e.span(), e.message().to_string()))?;
    let Some(instance) = config.servicenow.and_then(|s| s.instance) else {
        return Ok(None);
    };
    let url = instance_url(instance.get_ref()).map_err(|e| {
        at(
            Some(instance.span()),
            format!(
                "{}{}",
                e.message,
                e.help.map(|h| format!(" ({h})")).unwrap_or_default()
            ),
        )
    })?;
    Ok(Some((url, path)))
}

/// An instance's base URL: `https://host[:port]`, or `http://` for a
/// loopback address (tests, a local proxy); no path, query or user.
pub(crate) fn instance_url(text: &str) -> Result<String, Invalid> {
    // A user and password before `@` are refused, and never repeated in a message.
    let text = &without_userinfo(text);
    let trimmed = text.trim_end_matches('/');
    let help = "write the instance's address, e.g. https://acme.service-now.com";
    let (scheme, authority) = trimmed
        .split_once("://")
        .ok_or_else(|| Invalid::new(format!("`{text}` is not a URL")).help(help))?;
    if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
        return Err(Invalid::new(format!(
            "`{text}` is not an instance's base URL (no path, query or user)"
        ))
        .help(help));
    }
    match scheme {
        "https" => Ok(trimmed.to_string()),
        "http" if loopback(authority) => Ok(trimmed.to_string()),
        "http" => Err(Invalid::new(format!(
            "`{text}` is plain http: credentials would cross the network unencrypted"
        ))
        .help("use https (http is accepted only for loopback addresses)")),
        _ => Err(Invalid::new(format!("`{text}` is not an http(s) URL")).help(help)),
    }
}

/// `text` with what stands between `://` and an `@` replaced by `***`.
fn without_userinfo(text: &str) -> std::borrow::Cow<'_, str> {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.into();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]).into(),
        None => text.into(),
    }
}

/// Whether `host[:port]` names this machine.
fn loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A sys_id: 32 hexadecimal digits.
fn sys_id(text: &str) -> Result<String, Invalid> {
    if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(Invalid::new(format!("`{text}` is not a sys_id"))
            .help("a sys_id is 32 hexadecimal digits (the catalog item's record, Copy sys_id)"))
    }
}

/// A catalog variable's name: letters, digits and `_`, as ServiceNow names columns.
fn variable_name(name: &str) -> Result<(), Invalid> {
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(())
    } else {
        Err(
            Invalid::new(format!("`{name}` is not a catalog variable's name"))
                .help("use the variable's name (letters, digits, _), not its label"),
        )
    }
}

fn status_value(text: &str) -> Result<Status, Invalid> {
    let all = [
        Status::Draft,
        Status::Submitted,
        Status::Approved,
        Status::Implemented,
        Status::Rejected,
        Status::Withdrawn,
    ];
    all.into_iter().find(|s| s.as_str() == text).ok_or_else(|| {
        Invalid::new(format!("`{text}` is not a status"))
            .help("write one of draft, submitted, approved, implemented, rejected, withdrawn")
    })
}

/// The environment the variable templates render in: strict, so a misspelt name
/// fails at `check` rather than filing an empty variable.
pub(crate) fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_fuel(Some(crate::render::FUEL));
    // A field the request leaves out (`change`, `requested_by`) fills its
    // variable with nothing rather than the word `none`.
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env
}

/// A template that compiles and uses only names fwreq provides, and of
/// `fields`, only the team's request fields.
fn check_template(source: &str, fields: &crate::fields::Fields) -> Result<(), Invalid> {
    let env = environment();
    let template = env
        .template_from_str(source)
        .map_err(|e| Invalid::new(format!("template error: {e}")))?;
    let mut unknown: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|n| {
            !template_names().any(|t| t == n.as_str()) && !TEMPLATE_GLOBALS.contains(&n.as_str())
        })
        .collect();
    unknown.sort();
    if unknown.is_empty() {
        unknown_field(&template, fields)?;
    }
    match unknown.first() {
        None => Ok(()),
        Some(name) => {
            let near = crate::names::nearest(name, template_names());
            Err(
                Invalid::new(format!("unknown name `{name}` in a variable template")).help(
                    match near {
                        Some(n) => format!("did you mean `{n}`? templates see the request's fields, markdown, work_notes, flows and correlation_id"),
                        None => "templates see the request's fields, markdown, work_notes, flows and correlation_id".to_string(),
                    },
                ),
            )
        }
    }
}

/// `fields.NAME` in a template, where the team defines no request field `NAME`.
fn unknown_field(
    template: &minijinja::Template<'_, '_>,
    fields: &crate::fields::Fields,
) -> Result<(), Invalid> {
    use crate::fields::Scope;
    let names: Vec<&str> = fields.of(Scope::Request).map(|d| d.name.as_str()).collect();
    let mut used: Vec<String> = template
        .undeclared_variables(true)
        .into_iter()
        .filter_map(|n| n.strip_prefix("fields.").map(str::to_string))
        .collect();
    used.sort();
    match used.into_iter().find(|n| !names.contains(&n.as_str())) {
        None => Ok(()),
        Some(name) => Err(Invalid::new(format!(
            "`fields.{name}` in a variable template names no field of the team's"
        ))
        .help(match crate::names::nearest(&name, names.iter().copied()) {
            Some(near) => format!("did you mean `fields.{near}`?"),
            None if names.is_empty() => "define it as a [fields.NAME] table".to_string(),
            None => format!("the team's request fields are {}", names.join(", ")),
        })),
    }
}

impl Config {
    /// The catalog variables for `ticket`: each template rendered over the
    /// request's fields, `markdown`, `work_notes`, `flows` (the test plan),
    /// `fields` (the team's fields, name to value) and `correlation_id`,
    /// which also fills the correlation variable.
    pub fn variables(
        &self,
        ticket: &crate::formats::Ticket,
        correlation_id: &str,
    ) -> anyhow::Result<BTreeMap<String, String>> {
        let mut context = serde_json::to_value(&ticket.request)?;
        if let Some(fields) = context.as_object_mut() {
            fields.insert("markdown".into(), ticket.markdown.clone().into());
            fields.insert(
                "work_notes".into(),
                crate::formats::servicenow::work_notes(&ticket.markdown).into(),
            );
            fields.insert("flows".into(), serde_json::to_value(ticket.checks())?);
            fields.insert("correlation_id".into(), correlation_id.into());
            // The team's fields by name (`{{ fields.environment }}`); one
            // left empty and without a default fills its variable with nothing.
            let team_fields: serde_json::Map<String, serde_json::Value> = ticket
                .request
                .fields
                .iter()
                .map(|f| Ok((f.name.clone(), serde_json::to_value(&f.value)?)))
                .collect::<serde_json::Result<_>>()?;
            fields.insert("fields".into(), team_fields.into());
        }
        let env = environment();
        let mut out = BTreeMap::new();
        for (name, template) in &self.variables {
            let value = env
                .render_str(template, minijinja::value::Serde(&context))
                .map_err(|e| {
                    anyhow::anyhow!(
                        "[servicenow.variables] {name}: {}",
                        crate::render::TemplateError::from(e)
                    )
                })?;
            out.insert(name.clone(), value);
        }
        out.insert(
            self.correlation_variable.clone(),
            correlation_id.to_string(),
        );
        Ok(out)
    }

    /// The status a RITM's fields say, if they say one: a closing state
    /// wins over the approval (a closed item's approval is history).
    pub fn status_of(&self, state: &str, approval: &str) -> Option<Status> {
        self.states
            .get(state)
            .or_else(|| self.approvals.get(approval))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names as ServiceNow names columns; a label, a space or a dash is not one.
    #[test]
    fn a_variable_name_is_letters_digits_and_underscores() {
        for good in ["u_owner", "fwreq_correlation_id", "x9"] {
            assert!(variable_name(good).is_ok(), "{good}");
        }
        for bad in ["", "u owner", "Correlation ID", "u-owner", "größe"] {
            let err = variable_name(bad).expect_err(bad);
            assert_eq!(
                err.message,
                format!("`{bad}` is not a catalog variable's name")
            );
        }
    }

    /// 32 hexadecimal digits, kept in lower case; any other length or digit
    /// is refused (it would be sent in the order's URL).
    #[test]
    fn a_sys_id_is_32_hexadecimal_digits() {
        let id = "0336C34407D0D010540BFF6B8A4BF789";
        assert_eq!(
            sys_id(id).ok().as_deref(),
            Some("0336c34407d0d010540bff6b8a4bf789")
        );
        for bad in [
            &id[..31],
            "0336c34407d0d010540bff6b8a4bf78g",
            "0336c34407d0d010540bff6b8a4bf78/",
        ] {
            assert!(sys_id(bad).is_err(), "{bad}");
        }
        assert!(sys_id(&format!("{id}0")).is_err());
    }

    #[test]
    fn a_password_in_the_instance_is_refused_and_never_repeated() {
        let err =
            instance_url("https://admin:S3cretPW@acme.service-now.com").expect_err("userinfo");
        assert_eq!(
            err.message,
            "`https://***@acme.service-now.com` is not an instance's base URL (no path, query or user)"
        );
    }

    #[test]
    fn instances_need_https_except_on_loopback() {
        for (given, kept) in [
            (
                "https://acme.service-now.com/",
                "https://acme.service-now.com",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:80", "http://[::1]:80"),
            ("http://localhost", "http://localhost"),
        ] {
            assert_eq!(instance_url(given).as_deref(), Ok(kept), "{given}");
        }
        for bad in [
            "http://acme.service-now.com",
            "http://127.0.0.1.example.com",
            "ftp://acme",
            "acme.service-now.com",
            "https://acme.service-now.com/api",
            "https://user@acme.service-now.com",
        ] {
            assert!(instance_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_missing_field_renders_as_nothing() {
        let env = environment();
        let context = serde_json::json!({"change": null, "title": "t"});
        assert_eq!(
            env.render_str(
                "{{ title }}:{{ change }}",
                minijinja::value::Serde(&context)
            )
            .ok(),
            Some("t:".to_string())
        );
    }

    #[test]
    fn closing_states_win_over_the_approval() {
        let config = Config::default();
        assert_eq!(config.status_of("3", "approved"), Some(Status::Implemented));
        assert_eq!(config.status_of("2", "approved"), Some(Status::Approved));
        assert_eq!(config.status_of("1", "requested"), None);
        assert_eq!(config.status_of("4", "approved"), Some(Status::Rejected));
        assert_eq!(
            config.status_of("7", "not requested"),
            Some(Status::Withdrawn)
        );
    }
}
