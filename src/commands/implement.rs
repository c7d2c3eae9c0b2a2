//! `fwreq implement FILE --target TARGET`: the request's rules in a firewall
//! platform's syntax, on stdout or into `--output`; exit 1 when destinations
//! were left out, unless `--allow-partial`. A request the team's zone policy
//! forbids (what `check` fails with `zone-forbidden`) is refused, unless
//! `--despite-zone-policy`, whose output then says so first.

use super::{print_stdout, report, stderr_style};
use crate::Outcome;
use crate::cli::ImplementArgs;
use crate::diagnostic::{Diagnostic, Severity};
use crate::implement::Platform;
use crate::input::Loaded;
use crate::names::Lint;
use crate::session::Options;
use crate::team::Team;
use anyhow::bail;

pub fn implement(args: ImplementArgs) -> anyhow::Result<Outcome> {
    if let Some(path) = &args.output {
        super::refuse_output(path, &[&args.file], args.force)?;
    }
    let session = super::session(vec![args.file.clone()], &Options::default())?.valid()?;
    let target = target(args.target, session.team(&args.file))?;
    let Loaded { source, request } = session.load(&args.file)?;
    let request = request.map_err(|diags| {
        report(&source, &diags, stderr_style());
        anyhow::anyhow!("{} has errors; nothing was written", args.file.display())
    })?;
    let settings = session.settings(&args.file);
    let forbidden: Vec<Diagnostic> = crate::lints::check(&source, &request, settings)
        .into_iter()
        .filter(|d| d.code == Some(Lint::ZoneForbidden) && d.severity == Severity::Error)
        .collect();
    let shown = super::escaped_path(&args.file);
    if !forbidden.is_empty() && !args.despite_zone_policy {
        report(&source, &forbidden, stderr_style());
        eprintln!(
            "fwreq: {shown}: the team's zone policy forbids {}; nothing was written (--despite-zone-policy writes it anyway)",
            crate::text::plural(forbidden.len(), "flow", "flows")
        );
        return Ok(Outcome::Findings);
    }
    let stem = args
        .file
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let done = crate::implement::implement(&request, &stem, target);
    let mut text = String::new();
    for d in &forbidden {
        // The message names the destination, the zones and the entry; every
        // target reads `#` as a comment at the start of its text.
        text.push_str(&format!(
            "# WRITTEN DESPITE THE ZONE POLICY (--despite-zone-policy): {}\n",
            crate::implement::comment_text(&d.message)
        ));
    }
    text.push_str(&done.text);
    if request.ritm.is_none() {
        eprintln!(
            "fwreq: warning: {shown} has no ritm: its objects are named after its file name, which a request in another folder may share (and share its objects); record the RITM first"
        );
    }
    match &args.output {
        Some(path) => crate::output::write_whole(path, &text, args.force)
            .map_err(|e| super::refused(e, args.force))?,
        None => print_stdout(&text)?,
    }
    if done.left_out.is_empty() || args.allow_partial {
        return Ok(Outcome::Clean);
    }
    eprintln!(
        "fwreq: {} left out (listed at the end); --allow-partial accepts that",
        crate::text::plural(done.left_out.len(), "destination", "destinations")
    );
    Ok(Outcome::Findings)
}

/// `--target`, or without it the team's one target; several are the user's
/// to choose.
fn target(given: Option<Platform>, team: &Team) -> anyhow::Result<Platform> {
    let names = |platforms: &[Platform]| {
        platforms
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(match (given, team.targets.as_slice()) {
        (Some(target), _) => target,
        (None, [one]) => *one,
        (None, []) => bail!(
            "give --target ({}): {} names no targets",
            names(Platform::ALL),
            team.file.as_deref().map_or_else(
                || "no fwreq.toml applies, so it".to_string(),
                super::escaped_path
            )
        ),
        (None, several) => bail!(
            "{} names {} targets ({}): give --target with one of them",
            team.file
                .as_deref()
                .map_or_else(String::new, super::escaped_path),
            several.len(),
            names(several)
        ),
    })
}
