//! Change and removal tickets: `fwreq diff OLD NEW`, `fwreq render FILE
//! --since REV` (the old revision read with `git show`) and `fwreq render FILE
//! --removal`. Both compare planned flows (`change`), the data render and
//! probe use.

use super::{print_stdout, report, stderr_style};
use crate::cli::DiffArgs;
use crate::diagnostic::Source;
use crate::render::{self, Renderer};
use crate::request::Request;
use crate::{Outcome, change, flows, input, team, validate};
use anyhow::{Context as _, bail};
use std::path::Path;
use std::process::Command;

/// A valid request from a file or a text, or its diagnostics reported (`None`).
fn valid(source: &Source) -> Option<Request> {
    match validate::load(source) {
        Ok(request) => Some(request),
        Err(diags) => {
            report(source, &diags, stderr_style());
            None
        }
    }
}

fn change_ticket(
    renderer: &Renderer,
    old: &Request,
    new: &Request,
    since: &str,
) -> anyhow::Result<String> {
    let delta = change::compare(&flows::plan(old), &flows::plan(new));
    renderer
        .change(old, new, since, &delta)
        .map_err(|e| anyhow::anyhow!("{}", render::explain(&e)))
}

pub fn diff(args: DiffArgs) -> anyhow::Result<Outcome> {
    let renderer = Renderer::new(team::templates(args.templates, &args.new)?)?;
    let old = input::load(&args.old)?.source;
    let new = input::load(&args.new)?.source;
    let (Some(old_request), Some(new_request)) = (valid(&old), valid(&new)) else {
        return Ok(Outcome::Findings);
    };
    let text = change_ticket(
        &renderer,
        &old_request,
        &new_request,
        &args.old.display().to_string(),
    )?;
    print_stdout(&text)?;
    Ok(Outcome::Clean)
}

/// The change ticket of `file` against itself at git revision `rev`.
pub(super) fn since(renderer: &Renderer, file: &Path, rev: &str) -> anyhow::Result<Option<String>> {
    let new = input::load(file)?.source;
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .context("the request file has no name")?
        .to_string_lossy();
    let shown = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", &format!("{rev}:./{name}")])
        .output()
        .context("--since reads the old revision with git, which could not be started")?;
    if !shown.status.success() {
        bail!(
            "git show {rev}:./{name} (in {}): {}",
            dir.display(),
            String::from_utf8_lossy(&shown.stderr).trim()
        );
    }
    let old_text = String::from_utf8(shown.stdout)
        .with_context(|| format!("{name} at {rev} is not UTF-8 text"))?;
    let old = Source::new(format!("{}@{rev}", file.display()), old_text);
    let (Some(old_request), Some(new_request)) = (valid(&old), valid(&new)) else {
        return Ok(None);
    };
    change_ticket(renderer, &old_request, &new_request, rev).map(Some)
}

/// The removal ticket of `file`, judged as of `today`.
pub(super) fn removal(
    renderer: &Renderer,
    file: &Path,
    today: chrono::NaiveDate,
) -> anyhow::Result<Option<String>> {
    let source = input::load(file)?.source;
    let Some(request) = valid(&source) else {
        return Ok(None);
    };
    renderer
        .removal(&request, &flows::plan(&request), today)
        .map(Some)
        .map_err(|e| anyhow::anyhow!("{}", render::explain(&e)))
}
