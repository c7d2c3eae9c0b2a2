//! `fwreq sync`: reads the RITM of every request that has one, maps its state
//! and approval to a status by the team's table, and writes changed statuses
//! back with the writer `record` uses. A move `record` would refuse is shown,
//! never forced.

use super::{edit_spec, print_stdout, report, stderr_style};
use crate::Outcome;
use crate::cli::SyncArgs;
use crate::input::{self, Loaded};
use crate::output::Existing;
use crate::request::Request;
use crate::request::Ritm;
use crate::servicenow::config::Config;
use crate::servicenow::{self, Client, Item};
use crate::session::{Options, Session};
use crate::team;
use crate::text::{aligned, plural};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

/// `fwreq sync`: one row per request whose status changed (or would).
pub fn sync(args: SyncArgs) -> anyhow::Result<Outcome> {
    let (files, io_errors) = input::request_files(&args.paths);
    let mut problems = io_errors.len();
    super::report_unreadable(&io_errors);
    let files: Vec<_> = files
        .into_iter()
        .filter(|f| f.file_name().is_none_or(|n| n != team::FILE))
        .collect();
    let session = super::session(files, &Options::default())?.valid()?;
    let mut clients: HashMap<usize, (Client, Arc<Config>)> = HashMap::new();
    let mut rows = vec![vec![
        "PATH".to_string(),
        "RITM".to_string(),
        "STATUS".to_string(),
        String::new(),
    ]];
    // Every file read first; then each team's RITMs asked for in batches.
    let filed = filed(
        &session,
        &mut clients,
        args.servicenow.timeout,
        &mut problems,
    )?;
    let mut answers = answers(&clients, &filed);
    let mut read = 0;
    for (path, request, ritm, index) in filed {
        let shown = super::escaped_path(path);
        let Some((client, config)) = clients.get(&index) else {
            continue;
        };
        let answer = answers.remove(&(index, ritm.clone()));
        let Some(item) = item_or_said(answer, &shown, &ritm, client) else {
            problems += 1;
            continue;
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
            Ok(()) => write_status(path, next).unwrap_or_else(|err| {
                problems += 1;
                let said = crate::diagnostic::escape_lines(&format!("{err:#}"));
                format!("not written: {said}")
            }),
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

/// The valid requests of the session that have a RITM, with their team's
/// index; a client for each team that has one. An invalid file is reported
/// and counted in `problems`.
fn filed<'a>(
    session: &'a Session,
    clients: &mut HashMap<usize, (Client, Arc<Config>)>,
    timeout: std::time::Duration,
    problems: &mut usize,
) -> anyhow::Result<Vec<(&'a Path, Request, Ritm, usize)>> {
    let mut filed = Vec::new();
    for path in session.files() {
        let Loaded { source, request } = session.load(path)?;
        let request = match request {
            Ok(request) => request,
            Err(diags) => {
                report(&source, &diags, stderr_style());
                *problems += 1;
                continue;
            }
        };
        let Some(ritm) = request.ritm.clone() else {
            continue;
        };
        let index = session.team_index(path);
        if let std::collections::hash_map::Entry::Vacant(new) = clients.entry(index) {
            new.insert(super::servicenow(session.team(path), timeout, true)?);
        }
        filed.push((path.as_path(), request, ritm, index));
    }
    Ok(filed)
}

/// Each team's RITMs asked of its instance in batches: the answers by
/// team index and RITM.
fn answers(
    clients: &HashMap<usize, (Client, Arc<Config>)>,
    filed: &[(&Path, Request, Ritm, usize)],
) -> HashMap<(usize, Ritm), Result<Item, String>> {
    let mut answers = HashMap::new();
    for (index, (client, _)) in clients {
        let ritms: BTreeSet<&Ritm> = filed
            .iter()
            .filter(|f| f.3 == *index)
            .map(|f| &f.2)
            .collect();
        for (ritm, answer) in read_items(client, &ritms.into_iter().collect::<Vec<_>>()) {
            answers.insert((*index, ritm), answer);
        }
    }
    answers
}

/// The RITM's item, or the error said on stderr (the instance's own words
/// escaped: text from outside) when it could not be read or is not there.
fn item_or_said(
    answer: Option<Result<Item, String>>,
    shown: &str,
    ritm: &Ritm,
    client: &Client,
) -> Option<Item> {
    match answer {
        Some(Ok(item)) => Some(item),
        Some(Err(said)) => {
            let said = crate::diagnostic::escape_lines(&said);
            eprintln!("fwreq: error: {shown}: {said}");
            None
        }
        None => {
            eprintln!(
                "fwreq: error: {shown}: {ritm} does not exist on {}",
                client.instance()
            );
            None
        }
    }
}

/// Writes a request's new status through the one format-preserving
/// writer (the move checked again on the text as it is then); nothing to
/// say when it went well.
fn write_status(path: &std::path::Path, next: crate::spec::Status) -> anyhow::Result<String> {
    edit_spec(path, Existing::Replace, "syncing it", |edit, current| {
        current.status.check_move(next)?;
        edit.set("status", next.as_str());
        Ok(vec![])
    })?;
    Ok(String::new())
}

/// How many batches are asked for at once: a few, well inside the rate
/// limits instances set per user.
const IN_FLIGHT: usize = 4;

/// Each RITM's item (or why it could not be read): [`servicenow::BATCH`]
/// numbers per call, [`IN_FLIGHT`] calls at a time. A batch's error is
/// each of its RITMs' error; a RITM the instance does not have is missing.
fn read_items(client: &Client, ritms: &[&Ritm]) -> Vec<(Ritm, Result<Item, String>)> {
    let batches: Vec<&[&Ritm]> = ritms.chunks(servicenow::BATCH).collect();
    let workers = batches.len().min(IN_FLIGHT);
    let next = std::sync::Mutex::new(batches.into_iter());
    let done = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let Some(batch) = next.lock().unwrap_or_else(|e| e.into_inner()).next() else {
                        break;
                    };
                    let answer: Vec<(Ritm, Result<Item, String>)> = match client.items(batch) {
                        Ok(items) => items
                            .into_iter()
                            .map(|item| (item.ritm.clone(), Ok(item)))
                            .collect(),
                        Err(e) => {
                            let said = super::servicenow_said(e).to_string();
                            batch
                                .iter()
                                .map(|r| ((*r).clone(), Err(said.clone())))
                                .collect()
                        }
                    };
                    done.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend(answer);
                }
            });
        }
    });
    done.into_inner().unwrap_or_else(|e| e.into_inner())
}
