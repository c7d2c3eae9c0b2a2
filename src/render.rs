//! Rendering: a validated request and its checks, through Jinja templates, to Markdown.
//!
//! The environment is built once per process and reused for every file. The
//! default templates are embedded; a team's directory (`--templates DIR`) wins
//! file by file through one loader that looks there first. Templates receive
//! structured data (`request`, `rules`, `checks`), never pre-rendered text.

use crate::kind::Kind;
use crate::request::Request;
use anyhow::Context as _;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, context, syntax::SyntaxConfig};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The entry template; partials are included from it.
pub(crate) const TICKET: &str = "ticket.md.j2";

/// The templates compiled into the binary, each by its file name in `templates/`.
macro_rules! embedded {
    ($($name:literal)*) => {
        &[$(($name, include_str!(concat!("../templates/", $name))),)*]
    };
}

const EMBEDDED: &[(&str, &str)] = embedded!(
    "ticket.md.j2" "key_points.md.j2" "details.md.j2" "fields.md.j2" "page.html.j2"
    "site.html.j2" "style.css.j2" "copy.js.j2" "new.toml.j2" "change.md.j2"
    "removal.md.j2" "flow.md.j2" "probe.md.j2" "renewal.md.j2" "verify.md.j2"
);

/// The templates compiled into the binary: two builds of one version can
/// make different pages (a site made by one is remade by the other).
pub(crate) fn built_ins() -> &'static [(&'static str, &'static str)] {
    EMBEDDED
}

/// The work one render may do. A team's templates are code from a shared
/// folder: a loop that never ends stops here with an error, and so does a
/// template that builds data to fill the memory (`"x" * 100000000`, printed
/// in a loop): minijinja charges one unit of fuel per instruction and one per
/// 64 bytes a template makes or writes, so a render makes at most
/// `FUEL * 64` bytes (256 MB) and peaks well under a gigabyte. The default
/// templates take about 45 units per destination: this holds requests of
/// 80,000 destinations, and runs out in about a second.
pub const FUEL: u64 = 4_000_000;

/// The most data one render may make, in bytes, as said in errors.
const DATA: u64 = FUEL * 64;

/// A ready template environment.
pub struct Renderer {
    env: Environment<'static>,
    /// What the team's templates hold, hashed (see [`Renderer::fingerprint`]).
    fingerprint: u64,
    /// No team template: every one is built in.
    built_in: bool,
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
        let user = match &templates {
            Some(dir) if !dir.is_dir() => {
                anyhow::bail!("templates folder {}: no such directory", dir.display())
            }
            Some(dir) => read_folder(dir)?,
            None => HashMap::new(),
        };
        let built_in = user.is_empty();
        let fingerprint = {
            use std::hash::{Hash as _, Hasher as _};
            let mut sorted: Vec<_> = user.iter().collect();
            sorted.sort();
            let mut hasher = std::hash::DefaultHasher::new();
            sorted.hash(&mut hasher);
            hasher.finish()
        };
        env.set_loader(move |name| {
            let text = match user.get(name) {
                Some(text) => text.clone(),
                None => match EMBEDDED.iter().find(|(n, _)| *n == name) {
                    Some((_, text)) => (*text).to_string(),
                    None => return Ok(None),
                },
            };
            Ok(Some(minijinja::TemplateSource::new(text)))
        });
        Ok(Renderer {
            built_in,
            env,
            fingerprint,
        })
    }

    /// A hash of the team's templates (names and texts): with fwreq's
    /// version (which fixes the embedded ones) it tells whether this renderer
    /// makes the same text as the one a `site` was made with.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Whether every template is the built-in one (none from a team's folder).
    pub fn built_in(&self) -> bool {
        self.built_in
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
            Kind::Change {
                since,
                old,
                change,
                fields_changed,
            } => (
                "change.md.j2",
                context! {
                    request => Serde(request),
                    old => Serde(old),
                    since => since,
                    change => Serde(change),
                    fields_changed => Serde(fields_changed),
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

/// The most one template of a team's folder may hold, and how many a folder
/// may have: templates are a few kilobytes, and a file past these is not one.
const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;
const MAX_TEMPLATES: usize = 1_000;
/// How deep a templates folder's subfolders are read.
const MAX_DEPTH: usize = 8;

/// A team's templates: every `*.j2` file of the folder and its subfolders
/// (hidden ones aside), read once, here, by the rules request files follow.
/// The folder is a repository's, so anyone who can commit can put a link in
/// it: a link that leaves the folder (to `/proc/self/environ`, say, whose
/// text holds the ServiceNow password) is refused, as are FIFOs (a read
/// that never ends), devices and files too large to be templates. Each
/// refusal names the file; nothing of it was read.
fn read_folder(dir: &Path) -> anyhow::Result<HashMap<String, String>> {
    let not_read = |e| anyhow::Error::new(e).context(format!("templates folder {}", dir.display()));
    let root = std::fs::canonicalize(dir).map_err(not_read)?;
    let mut found = HashMap::new();
    visit(dir, &root, "", 0, &mut found)?;
    Ok(found)
}

fn visit(
    dir: &Path,
    root: &Path,
    prefix: &str,
    depth: usize,
    found: &mut HashMap<String, String>,
) -> anyhow::Result<()> {
    let cannot = |path: &Path| format!("cannot read {}", path.display());
    let mut entries = std::fs::read_dir(dir)
        .and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
        .with_context(|| cannot(dir))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        // A name that is not UTF-8 cannot be asked for by a template.
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let key = format!("{prefix}{name}");
        let template = name.ends_with(".j2");
        let entry = std::fs::symlink_metadata(&path).with_context(|| cannot(&path))?;
        // What is read: the file itself, or a link's target inside the
        // folder, checked to be the very file judged here when it is opened.
        let (file, judged) = if entry.file_type().is_symlink() {
            let target = match std::fs::canonicalize(&path) {
                Ok(target) if target.starts_with(root) => target,
                _ if !template => continue,
                Ok(target) => anyhow::bail!(
                    "template {} is a link to {}, outside the templates folder; it was not read",
                    path.display(),
                    target.display()
                ),
                Err(e) => anyhow::bail!(
                    "template {} is a link that cannot be followed ({e}); it was not read",
                    path.display()
                ),
            };
            // A folder linked from inside is read where it really is.
            if !template {
                continue;
            }
            let judged = std::fs::metadata(&target).with_context(|| cannot(&path))?;
            (target, judged)
        } else if entry.is_dir() {
            if depth < MAX_DEPTH {
                visit(&path, root, &format!("{key}/"), depth + 1, found)?;
            }
            continue;
        } else {
            (path.clone(), entry)
        };
        if !template {
            continue;
        }
        if found.len() == MAX_TEMPLATES {
            anyhow::bail!(
                "templates folder {} holds more than {MAX_TEMPLATES} templates",
                root.display()
            );
        }
        let bytes = crate::input::read_template(&file, &judged, MAX_TEMPLATE_BYTES)
            .with_context(|| format!("template {} was refused", path.display()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("template {} is not UTF-8 text", path.display()))?;
        found.insert(key, text);
    }
    Ok(())
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
            "\n  help: a render may take {FUEL} steps and make {} MB of text; look for a loop that runs too long or a value that grows in the templates",
            DATA / 1_000_000
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
