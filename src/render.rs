//! Rendering: a validated request and its checks, through Jinja templates, to Markdown.
//!
//! The environment is built once per process and reused for every file. The
//! default templates are embedded; a team's directory (`--templates DIR`) wins
//! file by file through one loader that looks there first. Templates receive
//! structured data (`request`, `rules`, `checks`), never pre-rendered text.

use crate::formats::Kind;
use crate::request::Request;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, context, path_loader, syntax::SyntaxConfig};
use std::path::PathBuf;

/// The entry template; partials are included from it.
pub const TICKET: &str = "ticket.md.j2";

/// The templates compiled into the binary, by name.
const EMBEDDED: &[(&str, &str)] = &[
    (TICKET, include_str!("../templates/ticket.md.j2")),
    (
        "key_points.md.j2",
        include_str!("../templates/key_points.md.j2"),
    ),
    ("details.md.j2", include_str!("../templates/details.md.j2")),
    ("page.html.j2", include_str!("../templates/page.html.j2")),
    ("site.html.j2", include_str!("../templates/site.html.j2")),
    ("style.css.j2", include_str!("../templates/style.css.j2")),
    ("copy.js.j2", include_str!("../templates/copy.js.j2")),
    ("new.toml.j2", include_str!("../templates/new.toml.j2")),
    ("change.md.j2", include_str!("../templates/change.md.j2")),
    ("removal.md.j2", include_str!("../templates/removal.md.j2")),
    ("flow.md.j2", include_str!("../templates/flow.md.j2")),
    ("probe.md.j2", include_str!("../templates/probe.md.j2")),
    ("renewal.md.j2", include_str!("../templates/renewal.md.j2")),
];

/// The steps one render may take. A team's templates are code from a shared
/// folder: a loop that never ends (or runs 10^10 times) stops here with an
/// error, instead of hanging the command while its output fills the memory.
/// The default templates take about 100 steps per destination, so this holds
/// requests of half a million destinations; it runs out in a few seconds.
pub const FUEL: u64 = 50_000_000;

/// A ready template environment.
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// Builds the environment; `templates` is a directory whose files override the defaults.
    pub fn new(templates: Option<PathBuf>) -> anyhow::Result<Self> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        // Keep template source for error excerpts in release builds too.
        env.set_debug(true);
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()?,
        );
        env.add_filter("join_and", join_and);
        // A TOML basic string, quoted and escaped (for the `fwreq new` starter).
        env.add_filter("toml_str", |text: String| {
            toml_edit::Value::from(text).to_string().trim().to_string()
        });
        // HTML templates escape every value; Markdown templates write text as it is.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html.j2") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        if let Some(dir) = &templates
            && !dir.is_dir()
        {
            anyhow::bail!("--templates {}: no such directory", dir.display());
        }
        let user = templates.map(path_loader);
        env.set_loader(move |name| {
            if let Some(user) = &user
                && let Some(source) = user(name)?
            {
                return Ok(Some(source));
            }
            Ok(EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| minijinja::TemplateSource::new(*text)))
        });
        Ok(Renderer { env })
    }

    /// Renders the Markdown body of a ticket: `ticket.md.j2` for a new
    /// request, `change.md.j2` for a change, `removal.md.j2` for a removal.
    pub fn ticket(&self, request: &Request, kind: &Kind) -> Result<String, TemplateError> {
        let (name, ctx) = match kind {
            Kind::Request { checks, zones } => (
                TICKET,
                context! {
                    request => Serde(request),
                    checks => Serde(checks),
                    zones => Serde(zones),
                },
            ),
            Kind::Change { since, old, change } => (
                "change.md.j2",
                context! {
                    request => Serde(request),
                    old => Serde(old),
                    since => since,
                    change => Serde(change),
                },
            ),
            Kind::Renewal {
                previous,
                until,
                reason,
                allowed,
                denied,
            } => (
                "renewal.md.j2",
                context! {
                    request => Serde(request),
                    previous => previous.map(|d| d.to_string()),
                    until => until.to_string(),
                    reason => reason,
                    allowed => Serde(allowed),
                    denied => Serde(denied),
                },
            ),
            Kind::Removal {
                today,
                expired,
                allowed,
                denied,
            } => (
                "removal.md.j2",
                context! {
                    request => Serde(request),
                    allowed => Serde(allowed),
                    denied => Serde(denied),
                    today => today.to_string(),
                    expired => expired,
                },
            ),
        };
        Ok(self.env.get_template(name)?.render(ctx)?)
    }

    /// Renders a template other than a ticket's (`page.html.j2`,
    /// `site.html.j2`, `probe.md.j2`, `new.toml.j2`) with `ctx`.
    pub fn page(&self, name: &str, ctx: minijinja::Value) -> Result<String, TemplateError> {
        Ok(self.env.get_template(name)?.render(ctx)?)
    }
}

/// A template that failed to load or render; its `Display` is the whole
/// explanation (the chain of includes, then the source excerpt).
#[derive(Debug)]
pub struct TemplateError(String);

impl From<minijinja::Error> for TemplateError {
    fn from(err: minijinja::Error) -> Self {
        TemplateError(explain(&err))
    }
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

/// A template error for a person: each level of the chain (include inside
/// include), then the source excerpt of the innermost one.
fn explain(err: &minijinja::Error) -> String {
    let mut chain = vec![err];
    while let Some(inner) = chain
        .last()
        .and_then(|e| std::error::Error::source(*e))
        .and_then(|s| s.downcast_ref::<minijinja::Error>())
    {
        chain.push(inner);
    }
    let mut text = String::from("template error: ");
    for (i, e) in chain.iter().enumerate() {
        if i > 0 {
            text.push_str("\n  caused by: ");
        }
        text.push_str(&e.to_string());
    }
    if err.kind() == minijinja::ErrorKind::OutOfFuel {
        text.push_str(&format!(
            "\n  help: a render may take {FUEL} steps; look for a loop that runs too long in the templates"
        ));
    }
    if let Some(innermost) = chain.last() {
        text.push_str(&format!("\n{}", innermost.display_debug_info()));
    }
    text
}

/// `["a", "b", "c"]` -> `a, b, and c` (the seed ticket's list style).
fn join_and(items: Vec<String>) -> String {
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::join_and;

    #[test]
    fn joins_lists_like_a_person_writes_them() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(v(&["A"])), "A");
        assert_eq!(join_and(v(&["A", "B"])), "A and B");
        assert_eq!(join_and(v(&["A", "B", "C"])), "A, B, and C");
    }
}
