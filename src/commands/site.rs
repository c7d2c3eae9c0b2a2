//! `fwreq site`: every request below the given folders as a static site, an
//! index and one page each, for reviewers who browse rather than clone.

use super::newest_first;
use crate::cli::SiteArgs;
use crate::diagnostic::{self, Severity, Style};
use crate::formats::html;
use crate::input::{self, Loaded};
use crate::render::{self, Renderer};
use crate::{Outcome, flows, lints, team};
use anyhow::Context as _;
use minijinja::context;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One row of the index.
#[derive(Serialize)]
struct Entry {
    href: String,
    path: String,
    title: String,
    ritm: Option<String>,
    req: Option<String>,
    status: String,
    submitted: Option<String>,
    expires: Option<String>,
    rules: usize,
    flows: usize,
    warnings: usize,
    errors: usize,
}

pub fn site(args: SiteArgs) -> anyhow::Result<Outcome> {
    let near = args.paths.first().cloned().unwrap_or_default();
    let renderer = Renderer::new(team::templates(args.templates, &near)?)?;
    let settings = lints::Settings {
        today: args
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        max_port_range: 100,
        allow: Vec::new(),
    };
    let out = &args.output;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut entries = Vec::new();
    let (mut written, mut unchanged, mut with_errors) = (0, 0, 0);
    for (file, relative) in mirrored(&args.paths)? {
        let Loaded { source, request } = input::load(&file)?;
        let page_path = relative.with_extension("html");
        let depth = page_path.components().count().saturating_sub(1);
        let home = format!("{}index.html", "../".repeat(depth));
        let text =
            |d: &diagnostic::Diagnostic| diagnostic::render(&source, d, Style { color: false });
        let (page, entry) = match request {
            Ok(request) => {
                let diags = lints::check(&source, &request, &settings);
                let checks = flows::plan(&request);
                let markdown = renderer
                    .ticket(&request, &checks)
                    .map_err(|e| anyhow::anyhow!("{}", render::explain(&e)))?;
                let warnings: Vec<String> = diags.iter().map(text).collect();
                let page = renderer
                    .page(
                        "page.html.j2",
                        context! {
                            title => &request.title,
                            body => minijinja::Value::from_safe_string(html::fragment(&markdown)),
                            markdown => &markdown,
                            warnings => warnings,
                            errors => Vec::<String>::new(),
                            home => home,
                        },
                    )
                    .map_err(|e| anyhow::anyhow!("{}", render::explain(&e)))?;
                let entry = Entry {
                    href: href(&page_path),
                    path: file.display().to_string(),
                    title: request.title.clone(),
                    ritm: request.ritm.clone(),
                    req: request.req.clone(),
                    status: serde_json::to_value(request.status)?
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                    submitted: request.submitted.clone(),
                    expires: request.expires.map(|d| d.to_string()),
                    rules: request.rules.len(),
                    flows: checks
                        .iter()
                        .flat_map(|r| &r.destinations)
                        .map(|d| d.checks.len().max(1))
                        .sum(),
                    warnings: diags.len(),
                    errors: 0,
                };
                (page, entry)
            }
            Err(diags) => {
                with_errors += 1;
                let errors: Vec<String> = diags.iter().map(text).collect();
                let title = format!("{} (has errors)", file.display());
                let page = renderer
                    .page(
                        "page.html.j2",
                        context! {
                            title => &title,
                            body => "",
                            markdown => "",
                            warnings => Vec::<String>::new(),
                            errors => errors,
                            home => home,
                        },
                    )
                    .map_err(|e| anyhow::anyhow!("{}", render::explain(&e)))?;
                let entry = Entry {
                    href: href(&page_path),
                    path: file.display().to_string(),
                    title,
                    ritm: None,
                    req: None,
                    status: "errors".into(),
                    submitted: None,
                    expires: None,
                    rules: 0,
                    flows: 0,
                    warnings: 0,
                    errors: diags
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .count(),
                };
                (page, entry)
            }
        };
        if write_if_changed(&out.join(&page_path), &page)? {
            written += 1;
        } else {
            unchanged += 1;
        }
        entries.push(entry);
    }
    // Newest first; undated and broken ones after, by path.
    entries.sort_by(|a, b| newest_first((&a.submitted, &a.path), (&b.submitted, &b.path)));
    let index = renderer
        .page(
            "site.html.j2",
            context! { title => "Firewall change requests", requests => minijinja::value::Serde(&entries) },
        )
        .map_err(|e| anyhow::anyhow!("{}", render::explain(&e)))?;
    if write_if_changed(&out.join("index.html"), &index)? {
        written += 1;
    } else {
        unchanged += 1;
    }
    eprintln!(
        "site: {} written, {} unchanged, in {}",
        written,
        unchanged,
        out.display()
    );
    if with_errors > 0 {
        eprintln!(
            "fwreq: {with_errors} request{} with errors (their pages list them)",
            if with_errors == 1 { "" } else { "s" }
        );
        return Ok(Outcome::Findings);
    }
    Ok(Outcome::Clean)
}

/// Each request file with its path relative to the folder it was found under.
fn mirrored(paths: &[PathBuf]) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let mut all = Vec::new();
    for root in paths {
        let (files, errors) = input::request_files(std::slice::from_ref(root));
        if let Some(err) = errors.into_iter().next() {
            return Err(err);
        }
        for file in files {
            let relative = if root.is_dir() {
                file.strip_prefix(root).unwrap_or(&file).to_path_buf()
            } else {
                PathBuf::from(file.file_name().unwrap_or(file.as_os_str()))
            };
            all.push((file, relative));
        }
    }
    Ok(all)
}

/// A relative link, `/`-separated, with anything unusual percent-encoded.
fn href(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        (b as char).to_string()
                    }
                    b => format!("%{b:02X}"),
                })
                .collect()
        })
        .collect();
    parts.join("/")
}

/// Writes `text` to `path` (whole or not at all) unless it already holds
/// exactly that; returns whether it wrote.
fn write_if_changed(path: &Path, text: &str) -> anyhow::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    crate::output::write_whole(path, text, true)?;
    Ok(true)
}
