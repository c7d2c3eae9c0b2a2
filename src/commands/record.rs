//! `fwreq record`: writes what happened to a request (its RITM and REQ
//! numbers, its status, when it was submitted) back into its spec, through
//! the one format-preserving writer, so the file in git tells the request's life.

use super::{edit_spec, escaped_path, submitted};
use crate::Outcome;
use crate::cli::RecordArgs;
use crate::output::Existing;
use crate::request::{Req, Ritm};
use crate::validate::Invalid;
use anyhow::bail;

pub fn record(args: RecordArgs) -> anyhow::Result<Outcome> {
    if args.ritm.is_none()
        && args.req.is_none()
        && args.status.is_none()
        && args.submitted.is_none()
    {
        bail!("nothing to record: give --ritm, --req, --status or --submitted");
    }
    let values = values(&args)?;
    let existing = if args.force {
        Existing::Force
    } else {
        Existing::Replace
    };
    let done = edit_spec(
        &args.file,
        existing,
        "recording anything in it",
        |edit, request| {
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
            Ok(said)
        },
    )
    .map_err(|e| super::refused(e, args.force))?;
    match done {
        None => eprintln!(
            "{}: already recorded, nothing changed",
            escaped_path(&args.file)
        ),
        Some(said) => eprintln!("{}: {}", escaped_path(&args.file), said.join(", ")),
    }
    Ok(Outcome::Clean)
}

/// The values to record, checked before the file is opened: a typo never
/// waits for a lock.
fn values(args: &RecordArgs) -> anyhow::Result<Values> {
    let refuse = |flag: &str, e: Invalid| {
        anyhow::anyhow!("--{flag}: {e}; {} is unchanged", escaped_path(&args.file))
    };
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
    Ok(Values {
        ritm,
        req,
        submitted,
    })
}

/// The checked values to record.
struct Values {
    ritm: Option<Ritm>,
    req: Option<Req>,
    submitted: Option<toml_edit::Datetime>,
}
