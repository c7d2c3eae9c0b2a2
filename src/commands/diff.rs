//! Change and removal tickets: `fwreq diff OLD NEW`, `fwreq render FILE
//! --since REV` (the old revision read with `git show`) and `fwreq render FILE
//! --removal`. Both compare the requests' flows by meaning (`change`), and
//! every ticket goes through the same output stage (`emit`) as a new one.

use super::{emit, report, stderr_style};
use crate::cli::DiffArgs;
use crate::diagnostic::Source;
use crate::formats::{Kind, Ticket};
use crate::input::{self, Loaded};
use crate::render::Renderer;
use crate::request::Request;
use crate::team::{Team, Teams};
use crate::{Outcome, validate};
use anyhow::{Context as _, bail};
use std::path::Path;
use std::process::Command;

/// The request of a read and validated file, signed by its team; or its
/// diagnostics reported (`None`).
fn valid(loaded: Loaded, team: &Team) -> Option<Request> {
    match loaded.request.and_then(|request| team.complete(request)) {
        Ok(request) => Some(request),
        Err(diags) => {
            report(&loaded.source, &diags, stderr_style());
            None
        }
    }
}

pub fn diff(args: DiffArgs) -> anyhow::Result<Outcome> {
    args.out.check(&[&args.new])?;
    let teams = super::teams(Teams::find(&[&args.new])?).valid()?;
    let renderer = Renderer::new(teams.templates(args.templates))?;
    let team = teams.of(&args.new);
    let old = valid(input::load(&args.old)?, team);
    let new = valid(input::load(&args.new)?, team);
    let (Some(old_request), Some(new_request)) = (old, new) else {
        return Ok(Outcome::Findings);
    };
    let kind = Kind::change(
        old_request,
        &new_request,
        args.old.display().to_string(),
        &team.zones,
    );
    emit(
        &[Ticket::of(new_request, kind, &renderer)?],
        &args.out,
        &renderer,
    )?;
    Ok(Outcome::Clean)
}

/// The change ticket of `file` against itself at git revision `rev`.
pub(super) fn since(
    renderer: &Renderer,
    team: &Team,
    file: &Path,
    rev: &str,
) -> anyhow::Result<Option<Ticket>> {
    if rev.starts_with('-') {
        bail!("--since {rev}: a revision cannot start with `-`");
    }
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
        .args(["show", "--end-of-options", &format!("{rev}:./{name}")])
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
    let kind = Kind::change(old_request, &new_request, rev.to_string(), &team.zones);
    Ok(Some(Ticket::of(new_request, kind, renderer)?))
}

/// The removal ticket of `file`, judged as of `today`.
pub(super) fn removal(
    renderer: &Renderer,
    team: &Team,
    file: &Path,
    today: chrono::NaiveDate,
) -> anyhow::Result<Option<Ticket>> {
    let Some(request) = valid(input::load(file)?, team) else {
        return Ok(None);
    };
    let kind = Kind::removal(&request, today, &team.zones);
    Ok(Some(Ticket::of(request, kind, renderer)?))
}
