//! Change and removal tickets: `fwreq diff OLD NEW`, `fwreq render FILE
//! --since REV` (the old revision read with `git show`) and `fwreq render FILE
//! --removal`. Both compare planned flows (`change`), the data render and
//! probe use.

use super::{print_stdout, report, stderr_style};
use crate::cli::DiffArgs;
use crate::diagnostic::Source;
use crate::input::{self, Loaded};
use crate::render::{self, Renderer};
use crate::request::Request;
use crate::team::{Team, Teams};
use crate::{Outcome, change, flows, validate};
use anyhow::{Context as _, bail};
use std::path::Path;
use std::process::Command;

/// The request of a read and validated file, signed by its team; or its
/// diagnostics reported (`None`).
fn valid(loaded: Loaded, team: &Team) -> Option<Request> {
    match loaded.request {
        Ok(mut request) => {
            team.sign(&mut request);
            Some(request)
        }
        Err(diags) => {
            report(&loaded.source, &diags, stderr_style());
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
    let teams = Teams::find_valid(&[&args.new])?;
    let renderer = Renderer::new(teams.templates(args.templates))?;
    let team = teams.of(&args.new);
    let old = valid(input::load(&args.old)?, team);
    let new = valid(input::load(&args.new)?, team);
    let (Some(old_request), Some(new_request)) = (old, new) else {
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
pub(super) fn since(
    renderer: &Renderer,
    team: &Team,
    file: &Path,
    rev: &str,
) -> anyhow::Result<Option<String>> {
    let new = input::load(file)?;
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
    let source = Source::new(format!("{}@{rev}", file.display()), old_text);
    let request = validate::load(&source);
    let old = Loaded { source, request };
    let (Some(old_request), Some(new_request)) = (valid(old, team), valid(new, team)) else {
        return Ok(None);
    };
    change_ticket(renderer, &old_request, &new_request, rev).map(Some)
}

/// The removal ticket of `file`, judged as of `today`.
pub(super) fn removal(
    renderer: &Renderer,
    team: &Team,
    file: &Path,
    today: chrono::NaiveDate,
) -> anyhow::Result<Option<String>> {
    let Some(request) = valid(input::load(file)?, team) else {
        return Ok(None);
    };
    renderer
        .removal(&request, &flows::plan(&request), today)
        .map(Some)
        .map_err(|e| anyhow::anyhow!("{}", render::explain(&e)))
}
