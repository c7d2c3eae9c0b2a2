//! `fwreq render`: the ticket of each request (new, `--since REV` for a change,
//! `--removal`), through the one output stage (`--format`, `-o`, `--copy`).

use super::{emit, map_files, report, stderr_style};
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
    // Every file on every core; the results keep the files' order.
    let rendered: Vec<anyhow::Result<Rendered>> = map_files(&args.files, |path| {
        let Loaded { source, request } = input::load(path)?;
        let request = match request.and_then(|request| teams.of(path).complete(request)) {
            Ok(request) => request,
            Err(diags) => return Ok(Err((source, diags))),
        };
        let zones = &teams.of(path).zones;
        Ok(Ok(Ticket::new(request, zones, &renderer)?))
    });
    let mut tickets = Vec::with_capacity(rendered.len());
    let mut failed = false;
    for result in rendered {
        match result? {
            Ok(ticket) => tickets.push(ticket),
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
    Ok(Outcome::Clean)
}

/// One file: its ticket, or its diagnostics.
type Rendered = Result<Ticket, (Source, Vec<Diagnostic>)>;
