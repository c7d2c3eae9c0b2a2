//! `fwreq render`: the ticket of each request (new, `--since REV` for a change,
//! `--removal`), through the one output stage (`--format`, `-o`, `--copy`).

use super::{emit, report, stderr_style};
use crate::Outcome;
use crate::cli::RenderArgs;
use crate::input;
use crate::session::{Options, Session, map_files};
use anyhow::bail;

/// `fwreq render`: prints (or writes, or copies) the tickets; nothing if any file is bad.
pub fn render(args: RenderArgs) -> anyhow::Result<Outcome> {
    args.out.check(&args.files)?;
    let options = Options {
        today: args.today,
        templates: args.templates.clone(),
        ..Options::default()
    };
    let session = super::session(args.files.clone(), &options)?.valid()?;
    if args.since.is_some() || args.removal {
        return change_or_removal(&args, &session);
    }
    let style = stderr_style();
    // Every file on every core, each with its own team's templates; the
    // results keep the files' order. What check would warn about is counted:
    // the ticket is printed anyway.
    let rendered = map_files(session.files(), |path| {
        session.reviewed(path, session.load(path)?)
    });
    let mut tickets = Vec::with_capacity(rendered.len());
    let mut warned = Vec::new();
    let mut failed = false;
    for (path, result) in session.files().iter().zip(rendered) {
        match result? {
            Ok(reviewed) => {
                if !reviewed.diags.is_empty() {
                    warned.push((path, reviewed.diags.len()));
                }
                tickets.push(reviewed.ticket);
            }
            Err(bad) => {
                failed = true;
                report(&bad.source, &bad.diags, style);
            }
        }
    }
    if failed {
        return Ok(Outcome::Findings);
    }
    emit(&tickets, &args.out, session.first_renderer())?;
    // One line on stderr per request with warnings; stdout is the ticket alone.
    for (path, findings) in warned {
        let path = super::escaped_path(path);
        eprintln!(
            "fwreq: {path}: {} (fwreq check {path} shows them)",
            crate::text::plural(findings, "warning", "warnings")
        );
    }
    Ok(Outcome::Clean)
}

/// `--since REV` or `--removal`: one file's change or removal ticket, and
/// with `--post` onto its RITM's work notes.
fn change_or_removal(args: &RenderArgs, session: &Session) -> anyhow::Result<Outcome> {
    let [file] = args.files.as_slice() else {
        bail!("--since and --removal take one request file");
    };
    let ticket = match &args.since {
        Some(rev) => {
            if rev.starts_with('-') {
                bail!("--since {rev}: a revision cannot start with `-`");
            }
            let new = input::load(file)?;
            let old = input::at_revision(file, rev)?;
            session.change(file, old, new, rev.to_string())?
        }
        None => {
            let today = args
                .today
                .unwrap_or_else(|| chrono::Local::now().date_naive());
            session
                .removal(file, today)?
                .map_err(|invalid| vec![invalid])
        }
    };
    let ticket = match ticket {
        Ok(ticket) => ticket,
        Err(invalid) => {
            for bad in invalid {
                report(&bad.source, &bad.diags, stderr_style());
            }
            return Ok(Outcome::Findings);
        }
    };
    emit(
        std::slice::from_ref(&ticket),
        &args.out,
        session.renderer(file),
    )?;
    if args.post {
        let Some(ritm) = &ticket.request.ritm else {
            bail!(
                "--post adds the ticket to the request's RITM, but {} has no ritm (fwreq submit or record sets it)",
                file.display()
            );
        };
        let (client, _) = super::servicenow(session.team(file), super::POST_TIMEOUT, true)?;
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
    Ok(Outcome::Clean)
}
