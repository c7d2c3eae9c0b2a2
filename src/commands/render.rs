//! `fwreq render`: the ticket of each request (new, `--since REV` for a change,
//! `--removal`), through the one output stage (`--format`, `-o`, `--copy`).

use super::{Body, emit, map_files, report, stderr_style};
use crate::Outcome;
use crate::cli::RenderArgs;
use crate::diagnostic::{Diagnostic, Source};
use crate::formats::Ticket;
use crate::input::{self, Loaded};
use crate::render::Renderer;
use crate::team::Teams;
use anyhow::bail;

/// `fwreq render`: prints (or writes, or copies) the tickets; nothing if any file is bad.
pub fn render(args: RenderArgs) -> anyhow::Result<Outcome> {
    args.out.check(&args.files)?;
    let teams = super::teams(Teams::find(&args.files)?).valid()?;
    let renderer = Renderer::new(teams.templates(args.templates.clone()))?;
    if args.since.is_some() || args.removal {
        let [file] = args.files.as_slice() else {
            bail!("--since and --removal take one request file");
        };
        let ticket = match &args.since {
            Some(rev) => super::diff::since(&renderer, teams.of(file), file, rev)?,
            None => super::diff::removal(
                &renderer,
                teams.of(file),
                file,
                args.today
                    .unwrap_or_else(|| chrono::Local::now().date_naive()),
            )?,
        };
        let Some(ticket) = ticket else {
            return Ok(Outcome::Findings);
        };
        emit(std::slice::from_ref(&ticket), &args.out, &renderer)?;
        if args.post {
            let Some(ritm) = &ticket.request.ritm else {
                bail!(
                    "--post adds the ticket to the request's RITM, but {} has no ritm (fwreq submit or record sets it)",
                    file.display()
                );
            };
            let (client, _) = super::servicenow(teams.of(file), super::POST_TIMEOUT, true)?;
            let item = client.item(ritm)?;
            client.work_note(
                &item,
                &crate::formats::servicenow::work_notes(&ticket.markdown),
            )?;
            eprintln!(
                "added the change ticket to {ritm}'s work notes ({})",
                // The URL holds the sys_id the server sent.
                crate::diagnostic::escape(&client.item_url(&item))
            );
        }
        return Ok(Outcome::Clean);
    }
    let style = stderr_style();
    let today = chrono::Local::now().date_naive();
    // Every file on every core; the results keep the files' order.
    let rendered: Vec<anyhow::Result<Rendered>> = map_files(&args.files, |path| {
        let Loaded { source, request } = input::load(path)?;
        let mut request = match request {
            Ok(request) => request,
            Err(diags) => return Ok(Err((source, diags))),
        };
        let team = teams.of(path);
        team.sign(&mut request);
        let ticket = Ticket::new(request, &team.zones, &renderer)?;
        // What check would warn about, counted: the ticket is printed anyway.
        let settings = team.settings(today, Default::default(), None);
        let findings = super::lint(
            &source,
            &ticket.request,
            &settings,
            Body::Rendered(&ticket.markdown),
        )?;
        Ok(Ok((ticket, findings.len())))
    });
    let mut tickets = Vec::with_capacity(rendered.len());
    let mut warned = Vec::new();
    let mut failed = false;
    for (path, result) in args.files.iter().zip(rendered) {
        match result? {
            Ok((ticket, findings)) => {
                tickets.push(ticket);
                if findings > 0 {
                    warned.push((path, findings));
                }
            }
            Err((source, diags)) => {
                failed = true;
                report(&source, &diags, style);
            }
        }
    }
    if failed {
        return Ok(Outcome::Findings);
    }
    emit(&tickets, &args.out, &renderer)?;
    // One line on stderr per request with warnings; stdout is the ticket alone.
    for (path, findings) in warned {
        let path = super::shown(path);
        eprintln!(
            "fwreq: {path}: {} (fwreq check {path} shows them)",
            crate::text::plural(findings, "warning", "warnings")
        );
    }
    Ok(Outcome::Clean)
}

/// One file: its ticket and how many warnings check gives it, or its diagnostics.
type Rendered = Result<(Ticket, usize), (Source, Vec<Diagnostic>)>;
