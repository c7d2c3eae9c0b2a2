//! `fwreq list` and `fwreq expiring`: one row per request below the given
//! folders, newest first; invalid files are listed with their first error.

use super::print_stdout;
use crate::cli::{ExpiringArgs, ListArgs, ListFormat};
use crate::diagnostic::Source;
use crate::input::{self, Loaded};
use crate::listing::{self, FieldColumn, Row, newest_first};
use crate::session::{Options, map_files};
use crate::spec::Status;
use crate::text::{Give, days_away};
use crate::zones;
use crate::{Outcome, flows};
use anyhow::bail;
use std::path::PathBuf;

/// Every request below `paths`, newest first (by submitted; undated after,
/// by path), with the columns their teams add.
fn rows(paths: &[PathBuf]) -> anyhow::Result<(Vec<Row>, Vec<FieldColumn>)> {
    let (files, errors) = input::request_files(paths);
    if let Some(err) = errors.into_iter().next() {
        return Err(err);
    }
    let session = super::session(files, &Options::default())?.valid()?;
    // Every file on every core; the order is settled by the sort below.
    let mut rows = map_files(session.files(), |file| {
        // An unreadable file is a row with its error, like an invalid one.
        match session.load(file) {
            Ok(Loaded {
                request: Ok(request),
                source,
            }) => {
                let judged = zones::of_rules(&session.team(file).zones, &request);
                Row::of(&source, &request, flows::count_of(&request), &judged)
            }
            Ok(Loaded {
                source,
                request: Err(diags),
            }) => Row::invalid(file, diags.first().map(|d| first_line(&source, d))),
            Err(err) => Row::invalid(file, Some(format!("{err:#}"))),
        }
    });
    rows.sort_by(|a, b| newest_first((&a.instant, &a.path), (&b.instant, &b.path)));
    Ok((rows, listing::columns(session.teams())))
}

/// A path as one shell word: as it is when plain, else in single quotes.
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-+:@".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn first_line(source: &Source, diag: &crate::diagnostic::Diagnostic) -> String {
    let text = crate::diagnostic::render(source, diag, crate::diagnostic::Style { color: false });
    text.lines().next().unwrap_or("").to_string()
}

/// An extra column: its heading and how to fill it.
type Column<'a> = (&'a str, &'a dyn Fn(&Row) -> String);

/// How a column of `list` gives way in a narrow terminal: SUBMITTED down to
/// its date first, then the widest of PATH (keeping the file name), TITLE
/// and the team's `fields` columns, down to `roomy` minimums or, as a last
/// resort, to tight ones; ticket numbers, statuses, dates and counts are
/// never cut.
fn give(column: usize, roomy: bool, fields: &std::ops::Range<usize>) -> Option<Give> {
    let (rank, min, keep_end) = match column {
        0 => (1, if roomy { 14 } else { 10 }, true),
        1 => (1, if roomy { 18 } else { 12 }, false),
        5 => (0, 11, false),
        c if fields.contains(&c) => (1, if roomy { 10 } else { 6 }, false),
        _ => return None,
    };
    Some(Give {
        rank,
        min,
        keep_end,
    })
}

/// Left out, in this order, when PATH and TITLE would otherwise go below
/// their roomy minimums: REQ (the RITM finds the ticket), then SUBMITTED,
/// then the team's `list-columns`, last first. `--format json` has every value.
const LEFT_OUT: [usize; 2] = [3, 5];

/// The columns every table has, before the team's `list-columns`.
const FIXED: usize = 9;

/// Aligned columns, then the team's `list-columns`, shortened to fit `width`
/// (the terminal's) when given; an invalid file shows its first error in
/// place of the title.
fn table(
    rows: &[Row],
    columns: &[FieldColumn],
    extra: Option<Column>,
    width: Option<usize>,
) -> String {
    let mut lines: Vec<Vec<String>> = vec![
        [
            "PATH",
            "TITLE",
            "RITM",
            "REQ",
            "STATUS",
            "SUBMITTED",
            "EXPIRES",
            "RULES",
            "FLOWS",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    lines[0].extend(columns.iter().map(|(_, label)| label.to_uppercase()));
    if let Some((name, _)) = extra {
        lines[0].push(name.to_string());
    }
    for r in rows {
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let mut line = vec![
            r.path.clone(),
            match &r.error {
                Some(e) => format!("(invalid) {e}"),
                None => r.title.clone(),
            },
            opt(&r.ritm),
            opt(&r.req),
            match r.status {
                Some(status) if r.filed_as_draft() => format!("{}*", status.as_str()),
                status => status.map_or("-", Status::as_str).to_string(),
            },
            opt(&r.submitted),
            r.expires.map_or_else(|| "-".into(), |d| d.to_string()),
            r.rules.to_string(),
            r.flows.to_string(),
        ];
        line.extend(columns.iter().map(|(name, _)| r.field_text(name)));
        if let Some((_, cell)) = extra {
            line.push(cell(r));
        }
        // Paths, titles and errors come from users' files and names.
        lines.push(
            line.iter()
                .map(|cell| crate::diagnostic::escape(cell).into_owned())
                .collect(),
        );
    }
    let fields = FIXED..FIXED + columns.len();
    let give = |column, roomy| give(column, roomy, &fields);
    let left_out: Vec<usize> = LEFT_OUT.into_iter().chain(fields.clone().rev()).collect();
    let (_, fitted) = crate::text::fit_table(&lines, &give, &left_out, width);
    crate::text::aligned(&fitted)
}

pub fn list(args: ListArgs) -> anyhow::Result<Outcome> {
    let (mut rows, columns) = rows(&args.paths)?;
    if let Some(status) = args.status {
        // An invalid file has no status to match: it may be one of them.
        rows.retain(|r| r.status == Some(status) || r.error.is_some());
    }
    match args.format {
        ListFormat::Table => {
            print_stdout(&table(&rows, &columns, None, super::stdout_width()))?;
            filed_as_draft(&rows);
        }
        ListFormat::Json => print_stdout(&(serde_json::to_string_pretty(&rows)? + "\n"))?,
    }
    Ok(if rows.iter().any(|r| r.error.is_some()) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Says on stderr what the `*` after a status means, for each request it marks.
fn filed_as_draft(rows: &[Row]) {
    for r in rows.iter().filter(|r| r.filed_as_draft()) {
        let file = crate::diagnostic::escape(&shell_word(&r.path)).into_owned();
        eprintln!(
            "{}: * has a RITM but its status is draft: fwreq record {file} --status submitted (or the status it has), or fwreq sync",
            crate::diagnostic::escape(&r.path)
        );
    }
}

pub fn expiring(args: ExpiringArgs) -> anyhow::Result<Outcome> {
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let Some(horizon) = today.checked_add_days(chrono::Days::new(u64::from(args.within))) else {
        bail!("--within {} days is too far", args.within);
    };
    let (mut rows, columns) = rows(&args.paths)?;
    // Rejected and withdrawn requests were never opened: nothing to remove.
    // An invalid file stays: its `expires` may be past.
    rows.retain(|r| {
        r.error.is_some()
            || (r.expires.is_some_and(|e| e <= horizon)
                && !matches!(r.status, Some(Status::Rejected | Status::Withdrawn)))
    });
    rows.sort_by(|a, b| {
        (a.error.is_some(), a.expires, &a.path).cmp(&(b.error.is_some(), b.expires, &b.path))
    });
    let invalid = rows.iter().filter(|r| r.error.is_some()).count();
    let when = |r: &Row| match r.expires {
        Some(e) if e < today => format!("expired {}", days_away((e - today).num_days())),
        Some(e) => days_away((e - today).num_days()),
        None => String::new(),
    };
    let past = rows
        .iter()
        .filter(|r| r.expires.is_some_and(|e| e < today))
        .count();
    match args.format {
        ListFormat::Table => {
            print_stdout(&table(
                &rows,
                &columns,
                Some(("WHEN", &when)),
                super::stdout_width(),
            ))?;
            filed_as_draft(&rows);
            // What to do with each: keep it open longer, or take it out.
            for r in rows.iter().filter(|r| r.error.is_none()) {
                // Escaped like every cell of the table: a path reaches no terminal raw.
                let file = crate::diagnostic::escape(&shell_word(&r.path)).into_owned();
                eprintln!(
                    "{}: fwreq renew {file} --until YYYY-MM-DD --reason \"...\", or fwreq render {file} --removal",
                    crate::diagnostic::escape(&r.path)
                );
            }
            eprintln!(
                "{} expired, {} expiring within {} days{} (as of {today})",
                crate::text::plural(past, "request", "requests"),
                rows.len() - past - invalid,
                args.within,
                if invalid > 0 {
                    format!(
                        ", {}",
                        crate::text::plural(invalid, "invalid file", "invalid files")
                    )
                } else {
                    String::new()
                }
            );
        }
        ListFormat::Json => print_stdout(&(serde_json::to_string_pretty(&rows)? + "\n"))?,
    }
    Ok(if past > 0 || invalid > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
