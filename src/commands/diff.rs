//! `fwreq diff OLD NEW`: the change ticket between two files, compared by
//! meaning (`change`), through the same output stage (`emit`) as a new one.

use super::{emit, report, stderr_style};
use crate::Outcome;
use crate::cli::DiffArgs;
use crate::input;
use crate::session::Options;

pub fn diff(args: DiffArgs) -> anyhow::Result<Outcome> {
    args.out.check(&[&args.new])?;
    let options = Options {
        templates: args.templates,
        ..Options::default()
    };
    let session = super::session(vec![args.new.clone()], &options)?.valid()?;
    let old = input::load(&args.old)?;
    let new = input::load(&args.new)?;
    let since = args.old.display().to_string();
    match session.change(&args.new, old, new, since)? {
        Ok(ticket) => {
            emit(&[ticket], &args.out, session.renderer(&args.new))?;
            Ok(Outcome::Clean)
        }
        Err(invalid) => {
            for bad in invalid {
                report(&bad.source, &bad.diags, stderr_style());
            }
            Ok(Outcome::Findings)
        }
    }
}
