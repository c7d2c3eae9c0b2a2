//! `fwreq site`: every request below the given folders as a static site, an
//! index and one page each, for reviewers who browse rather than clone.

use super::list::Row;
use super::{Body, newest_first};
use crate::Outcome;
use crate::cli::SiteArgs;
use crate::diagnostic::{self, Severity};
use crate::formats::{Kind, Ticket, html};
use crate::input::{self, Loaded};
use crate::render::Renderer;
use crate::team::Teams;
use anyhow::{Context as _, bail};
use minijinja::context;
use serde::Serialize;
use std::collections::HashMap;
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
    let out = &args.output;
    let files = mirrored(&args.paths, out)?;
    let paths: Vec<&Path> = files.iter().map(|(file, _)| file.as_path()).collect();
    let teams = super::teams(Teams::find(&paths)?).valid()?;
    let renderer = Renderer::new(teams.templates(args.templates))?;
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    inside_output(out, files.iter().map(|(_, page)| page.as_path()))?;
    let mut entries = Vec::new();
    let (mut written, mut unchanged, mut with_errors) = (0, 0, 0);
    for (file, page_path) in &files {
        let Loaded { source, request } = input::load(file)?;
        let depth = page_path.components().count().saturating_sub(1);
        let home = Some(format!("{}index.html", "../".repeat(depth)));
        let href = href(page_path);
        let (page, entry) = match request {
            Ok(mut request) => {
                let team = teams.of(file);
                team.sign(&mut request);
                let ticket = Ticket::new(request, &team.zones, &renderer)?;
                let settings = team.settings(today, Default::default(), None);
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
                let judged = match &ticket.kind {
                    Kind::Request { zones, .. } => zones.as_slice(),
                    Kind::Change { .. } | Kind::Removal { .. } | Kind::Renewal { .. } => &[],
                };
                let mut row = Row::of(&source, &ticket.request, ticket.checks(), judged);
                row.path = shown(file, page_path);
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
                row.path = shown(file, page_path);
                row.title = format!("{} (has errors)", row.path);
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
        if write_if_changed(&out.join(page_path), &page)? {
            written += 1;
        } else {
            unchanged += 1;
        }
        entries.push(entry);
    }
    entries
        .sort_by(|a, b| newest_first((&a.row.instant, &a.row.path), (&b.row.instant, &b.row.path)));
    let index = renderer
        .page(
            "site.html.j2",
            context! { title => "Firewall change requests", requests => minijinja::value::Serde(&entries) },
        )?;
    if write_if_changed(&out.join(INDEX), &index)? {
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
            "fwreq: {} with errors (their pages list them)",
            crate::text::plural(with_errors, "request", "requests")
        );
        return Ok(Outcome::Findings);
    }
    Ok(Outcome::Clean)
}

/// The site's own index page.
const INDEX: &str = "index.html";

/// Each request file with its page's path in the site: below a folder given,
/// mirrored (with several folders, each under its own name, so `a/one.toml`
/// and `b/one.toml` stay two pages); a file given, by its name. Two sources
/// for one page (or a page where a folder must be) are refused before
/// anything is written.
fn mirrored(paths: &[PathBuf], out: &Path) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let mut all = Vec::new();
    for root in paths {
        let (files, errors) = input::request_files(std::slice::from_ref(root));
        if let Some(err) = errors.into_iter().next() {
            return Err(err);
        }
        let folder = if paths.len() > 1 && root.is_dir() {
            Some(folder_name(root)?)
        } else {
            None
        };
        for file in files {
            let relative = if root.is_dir() {
                let inner = file.strip_prefix(root).unwrap_or(&file);
                match &folder {
                    Some(name) => name.join(inner),
                    None => inner.to_path_buf(),
                }
            } else {
                PathBuf::from(file.file_name().unwrap_or(file.as_os_str()))
            };
            let page = relative.with_extension("html");
            all.push((file, page));
        }
    }
    let mut taken: HashMap<&Path, String> = HashMap::new();
    taken.insert(Path::new(INDEX), "the site's index".to_string());
    for (file, page) in &all {
        // Every folder a page lies in is taken by that folder.
        for folder in page
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
        {
            taken
                .entry(folder)
                .or_insert_with(|| format!("the folder of {}", file.display()));
        }
    }
    for (file, page) in &all {
        if let Some(other) = taken.insert(page, file.display().to_string()) {
            bail!(
                "{} and {other} would both be {}; nothing was written (rename one)",
                file.display(),
                out.join(page).display()
            );
        }
    }
    Ok(all)
}

/// A request's path as the site shows it: relative to the folder given (as
/// its page is), never this machine's absolute path.
fn shown(file: &Path, page: &Path) -> String {
    page.with_extension(file.extension().unwrap_or_default())
        .display()
        .to_string()
}

/// The name a folder given to `site` goes under when there are several.
fn folder_name(root: &Path) -> anyhow::Result<PathBuf> {
    let real =
        std::fs::canonicalize(root).with_context(|| format!("cannot read {}", root.display()))?;
    match real.file_name() {
        Some(name) => Ok(PathBuf::from(name)),
        None => bail!(
            "{} has no name to put its pages under; give its folders instead",
            root.display()
        ),
    }
}

/// Refuses, before anything is written, a page or folder of the site that is
/// a link out of the output folder: site writes only inside it.
fn inside_output<'a>(out: &Path, pages: impl Iterator<Item = &'a Path>) -> anyhow::Result<()> {
    let top =
        std::fs::canonicalize(out).with_context(|| format!("cannot read {}", out.display()))?;
    for page in pages.chain(std::iter::once(Path::new(INDEX))) {
        let path = out.join(page);
        // The page itself if it exists, else the nearest folder above it that
        // does; a link to nowhere could lead anywhere once written through.
        let mut real = None;
        for at in path.ancestors() {
            if let Ok(found) = std::fs::canonicalize(at) {
                real = Some(found);
                break;
            }
            if std::fs::symlink_metadata(at).is_ok_and(|m| m.is_symlink()) {
                bail!(
                    "{} is a link to nothing; site writes only inside {}, nothing was written",
                    at.display(),
                    out.display()
                );
            }
        }
        let Some(real) = real else { continue };
        if !real.starts_with(&top) {
            bail!(
                "{} leads to {}, outside {}; nothing was written",
                path.display(),
                real.display(),
                out.display()
            );
        }
    }
    Ok(())
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
    if input::read_regular(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    crate::output::write_whole(path, text, true)?;
    Ok(true)
}
