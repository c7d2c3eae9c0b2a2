//! `fwreq site`: every request below the given folders as a static site, an
//! index and one page each, for reviewers who browse rather than clone.

use super::list::Row;
use super::{Body, newest_first};
use crate::Outcome;
use crate::cli::SiteArgs;
use crate::diagnostic::{self, Severity};
use crate::formats::{Ticket, html};
use crate::input::{self, Loaded};
use crate::render::Renderer;
use crate::team::Teams;
use anyhow::Context as _;
use minijinja::context;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One row of the index: what `list` shows, plus the page and the counts.
#[derive(Serialize)]
struct Entry {
    href: String,
    warnings: usize,
    errors: usize,
    #[serde(flatten)]
    row: Row,
}

pub fn site(args: SiteArgs) -> anyhow::Result<Outcome> {
    let files = mirrored(&args.paths)?;
    let paths: Vec<&Path> = files.iter().map(|(file, _)| file.as_path()).collect();
    let teams = Teams::find_valid(&paths)?;
    let renderer = Renderer::new(teams.templates(args.templates))?;
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let out = &args.output;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut entries = Vec::new();
    let (mut written, mut unchanged, mut with_errors) = (0, 0, 0);
    for (file, relative) in &files {
        let Loaded { source, request } = input::load(file)?;
        let page_path = relative.with_extension("html");
        let depth = page_path.components().count().saturating_sub(1);
        let home = Some(format!("{}index.html", "../".repeat(depth)));
        let href = href(&page_path);
        let (page, entry) = match request {
            Ok(mut request) => {
                let team = teams.of(file);
                team.sign(&mut request);
                let ticket = Ticket::new(request, &renderer)?;
                let settings = team.settings(today, &[], None);
                let body = Body::Rendered(&ticket.markdown);
                let diags = super::lint(&source, &ticket.request, &settings, body)?;
                let page = html::page(
                    &renderer,
                    html::Page {
                        warnings: diagnostic::plain(&source, &diags),
                        home,
                        ..html::Page::of(&ticket)
                    },
                )?;
                let row = Row::of(file, &ticket.request, ticket.checks());
                (
                    page,
                    Entry {
                        href,
                        warnings: diags.len(),
                        errors: 0,
                        row,
                    },
                )
            }
            Err(diags) => {
                with_errors += 1;
                let mut row = Row::invalid(file, None);
                row.title = format!("{} (has errors)", file.display());
                let page = html::page(
                    &renderer,
                    html::Page {
                        title: &row.title,
                        errors: diagnostic::plain(&source, &diags),
                        home,
                        ..html::Page::default()
                    },
                )?;
                let errors = diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                (
                    page,
                    Entry {
                        href,
                        warnings: 0,
                        errors,
                        row,
                    },
                )
            }
        };
        if write_if_changed(&out.join(&page_path), &page)? {
            written += 1;
        } else {
            unchanged += 1;
        }
        entries.push(entry);
    }
    entries.sort_by(|a, b| {
        newest_first(
            (&a.row.submitted, &a.row.path),
            (&b.row.submitted, &b.row.path),
        )
    });
    let index = renderer
        .page(
            "site.html.j2",
            context! { title => "Firewall change requests", requests => minijinja::value::Serde(&entries) },
        )?;
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
