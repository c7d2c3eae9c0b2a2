//! `fwreq renew`: a temporary request that must stay open longer. Moves
//! `expires` through the format-preserving writer (every other byte kept),
//! then prints the renewal ticket through the one output stage.

use super::{emit, open_valid};
use crate::Outcome;
use crate::cli::RenewArgs;
use crate::formats::{Kind, Ticket};
use crate::output::Existing;
use crate::session::Options;
use anyhow::bail;

pub fn renew(args: RenewArgs) -> anyhow::Result<Outcome> {
    args.out.check(&[&args.file])?;
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let reason = args.reason.trim();
    if reason.is_empty() || reason.contains(['\n', '\r']) {
        bail!("--reason: give the reason in one line; it goes into the ticket");
    }
    if args.until <= today {
        bail!(
            "--until {}: a renewal ends after today ({today})",
            args.until
        );
    }
    let options = Options {
        today: Some(today),
        templates: args.templates.clone(),
        ..Options::default()
    };
    let session = super::session(vec![args.file.clone()], &options)?.valid()?;
    let team = session.team(&args.file);
    let renderer = session.renderer(&args.file);
    let existing = Existing::Replace;
    let (mut edit, request) = open_valid(&args.file, existing, "renewing it")?;
    let previous = request.expires;
    if let Some(previous) = previous
        && args.until <= previous
    {
        bail!(
            "--until {}: the request already runs until {previous}; a renewal moves it later ({} is unchanged)",
            args.until,
            args.file.display()
        );
    }
    let Some(until) = date(args.until) else {
        bail!(
            "--until {}: a TOML date has a year from 1 to 9999",
            args.until
        );
    };
    edit.set("expires", until);
    let renewed = super::completed(
        &session,
        &args.file,
        edit.text(),
        "the new date would make the spec invalid",
    )?;
    let Some(kind) = Kind::renewal(&renewed, previous, reason.to_string(), &team.zones) else {
        bail!("{}: `expires` was not written", args.file.display());
    };
    // The ticket is rendered before the file changes: a template error leaves it as it was.
    let ticket = Ticket::of(renewed, kind, renderer)?;
    edit.write()?;
    eprintln!(
        "{}: expires {} -> {}",
        super::escaped_path(&args.file),
        previous.map_or_else(|| "(none)".to_string(), |p| p.to_string()),
        args.until
    );
    emit(&[ticket], &args.out, renderer)?;
    Ok(Outcome::Clean)
}

/// A TOML local date (`expires = 2027-06-30`); none for a year TOML cannot hold.
fn date(day: chrono::NaiveDate) -> Option<toml_edit::Datetime> {
    use chrono::Datelike as _;
    let year = u16::try_from(day.year())
        .ok()
        .filter(|y| (1..=9999).contains(y))?;
    Some(toml_edit::Datetime {
        date: Some(toml_edit::Date {
            year,
            month: u8::try_from(day.month()).ok()?,
            day: u8::try_from(day.day()).ok()?,
        }),
        time: None,
        offset: None,
    })
}
