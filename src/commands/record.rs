//! `fwreq record`: writes what happened to a request (its RITM and REQ
//! numbers, its status, when it was submitted) back into its spec, through
//! the one format-preserving writer, so the file in git tells the request's life.

use super::{load_valid, open_valid, valid_text};
use crate::Outcome;
use crate::cli::RecordArgs;
use crate::output::{Changed, Existing};
use crate::request::{Req, Ritm};
use crate::validate::{self, Invalid};
use anyhow::bail;

pub fn record(args: RecordArgs) -> anyhow::Result<Outcome> {
    // Its errors, located, before anything else (it is read again under the lock).
    load_valid(
        &args.file,
        "fix them before recording anything in it (it is unchanged)",
    )?;
    if args.ritm.is_none()
        && args.req.is_none()
        && args.status.is_none()
        && args.submitted.is_none()
    {
        bail!("nothing to record: give --ritm, --req, --status or --submitted");
    }
    let refuse = |flag: &str, e: Invalid| {
        anyhow::anyhow!(
            "--{flag}: {}{}; {} is unchanged",
            e.message,
            e.help.map(|h| format!(" ({h})")).unwrap_or_default(),
            args.file.display()
        )
    };
    // The values are checked before the file is opened: a typo never waits for a lock.
    let ritm = args
        .ritm
        .clone()
        .map(|r| r.parse::<Ritm>().map_err(|e| refuse("ritm", e)))
        .transpose()?;
    let req = args
        .req
        .clone()
        .map(|r| r.parse::<Req>().map_err(|e| refuse("req", e)))
        .transpose()?;
    let submitted = args
        .submitted
        .as_deref()
        .map(|w| submitted(w).map_err(|e| refuse("submitted", e)))
        .transpose()?;
    let values = Values {
        ritm,
        req,
        submitted,
    };
    // Another program that saved the file between our read and our rename
    // (an editor takes no lock) costs one more try on its version.
    match once(&args, &values) {
        Err(err) if err.is::<Changed>() => once(&args, &values),
        done => done,
    }
}

/// The checked values to record.
struct Values {
    ritm: Option<Ritm>,
    req: Option<Req>,
    submitted: Option<toml_edit::Datetime>,
}

/// Reads, edits and replaces the file once, holding its lock throughout.
fn once(args: &RecordArgs, values: &Values) -> anyhow::Result<Outcome> {
    let existing = if args.force {
        Existing::Force
    } else {
        Existing::Replace { forceable: true }
    };
    let (mut edit, request) = open_valid(&args.file, existing, "recording anything in it")?;
    let mut said = Vec::new();
    if let Some(ritm) = &values.ritm {
        said.push(format!("ritm = {ritm}"));
        edit.set("ritm", ritm.as_str());
    }
    if let Some(req) = &values.req {
        said.push(format!("req = {req}"));
        edit.set("req", req.as_str());
    }
    if let Some(next) = args.status {
        let now = request.status;
        if let Err(why) = now.check_move(next)
            && !args.force
        {
            bail!(
                "{why}; add --force if it really does (e.g. a rejected request filed again); {} is unchanged",
                args.file.display()
            );
        }
        said.push(format!("status {} -> {}", now.as_str(), next.as_str()));
        edit.set("status", next.as_str());
    }
    if let Some(datetime) = values.submitted {
        said.push(format!("submitted = {datetime}"));
        edit.set("submitted", datetime);
    }
    // The new text must pass check as the old one did; if not, nothing is written.
    valid_text(
        &args.file,
        edit.text(),
        "the recorded values would make the spec invalid",
    )?;
    if !edit.changed() {
        eprintln!("{}: already recorded, nothing changed", args.file.display());
        return Ok(Outcome::Clean);
    }
    edit.write()?;
    eprintln!("{}: {}", args.file.display(), said.join(", "));
    Ok(Outcome::Clean)
}

/// `--submitted` without a value is now (local time, to the second); with one,
/// `YYYY-MM-DDTHH:MM[:SS]` or with a space for the `T`, and an offset (`Z`,
/// `+01:00`) if given, which is kept. Seconds are always written: TOML 1.0
/// parsers (Python's tomllib) refuse a time without them.
fn submitted(when: &str) -> Result<toml_edit::Datetime, Invalid> {
    let text = if when == "now" {
        chrono::Local::now()
            .naive_local()
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    } else {
        when.trim().replacen(' ', "T", 1)
    };
    let mut datetime: toml_edit::Datetime = text.parse().map_err(|_| {
        Invalid::new(format!("`{when}` is not a date and time"))
            .help("write e.g. 2025-03-14T16:28:49, or --submitted alone for now")
    })?;
    // The same toml_datetime type `check` reads: one parse, the same rules.
    validate::submitted(datetime)?;
    if let Some(time) = &mut datetime.time {
        time.second.get_or_insert(0);
    }
    Ok(datetime)
}
