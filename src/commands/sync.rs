//! `fwreq sync`: reads the RITM of every request that has one, maps its state
//! and approval to a status by the team's table, and writes changed statuses
//! back with the writer `record` uses. A move `record` would refuse is shown,
//! never forced.

use super::{edit_spec, print_stdout, report, stderr_style};
use crate::Outcome;
use crate::cli::SyncArgs;
use crate::input::{self, Loaded};
use crate::output::Existing;
use crate::team::{self, Teams};
use crate::text::{aligned, plural};
use std::collections::HashMap;

/// `fwreq sync`: one row per request whose status changed (or would).
pub fn sync(args: SyncArgs) -> anyhow::Result<Outcome> {
    let (files, io_errors) = input::request_files(&args.paths);
    let mut problems = io_errors.len();
    super::report_unreadable(&io_errors);
    let files: Vec<_> = files
        .into_iter()
        .filter(|f| f.file_name().is_none_or(|n| n != team::FILE))
        .collect();
    let teams = super::teams(Teams::find(&files)?).valid()?;
    let mut clients = HashMap::new();
    let mut rows = vec![vec![
        "PATH".to_string(),
        "RITM".to_string(),
        "STATUS".to_string(),
        String::new(),
    ]];
    let mut read = 0;
    for path in &files {
        let shown = super::shown(path);
        let Loaded { source, request } = input::load(path)?;
        let request = match request {
            Ok(request) => request,
            Err(diags) => {
                report(&source, &diags, stderr_style());
                problems += 1;
                continue;
            }
        };
        let Some(ritm) = request.ritm.clone() else {
            continue;
        };
        let index = teams.index(path);
        let (client, config) = match clients.entry(index) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(new) => {
                new.insert(super::servicenow(teams.of(path), args.servicenow.timeout)?)
            }
        };
        let item = match client.item(&ritm) {
            Ok(item) => item,
            Err(err) => {
                // The instance's own words are text from outside: escaped.
                let said = crate::diagnostic::escape_lines(&err.to_string());
                eprintln!("fwreq: error: {shown}: {said}");
                problems += 1;
                continue;
            }
        };
        read += 1;
        let Some(next) = config.status_of(&item.state, &item.approval) else {
            continue;
        };
        let now = request.status;
        if next == now {
            continue;
        }
        let moved = format!("{} -> {}", now.as_str(), next.as_str());
        let note = match now.check_move(next) {
            Err(why) => format!("refused: {} (record --force writes it)", why.message),
            Ok(()) if args.dry_run => "not written (--dry-run)".to_string(),
            Ok(()) => {
                let written = edit_spec(
                    path,
                    Existing::Replace { forceable: false },
                    "syncing it",
                    |edit, current| {
                        current.status.check_move(next)?;
                        edit.set("status", next.as_str());
                        Ok(vec![])
                    },
                );
                match written {
                    Ok(_) => String::new(),
                    Err(err) => {
                        problems += 1;
                        let said = crate::diagnostic::escape_lines(&format!("{err:#}"));
                        format!("not written: {said}")
                    }
                }
            }
        };
        rows.push(vec![shown, ritm.to_string(), moved, note]);
    }
    if rows.len() > 1 {
        print_stdout(&aligned(&rows))?;
    }
    eprintln!(
        "read {}: {} with a new status",
        plural(read, "RITM", "RITMs"),
        plural(rows.len() - 1, "request", "requests")
    );
    if problems > 0 {
        anyhow::bail!(
            "{} could not be synced",
            plural(problems, "request", "requests")
        );
    }
    Ok(Outcome::Clean)
}
