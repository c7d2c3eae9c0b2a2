//! `fwreq implement FILE --target TARGET`: the request's rules in a firewall
//! platform's syntax, on stdout or into `--output`; exit 1 when destinations
//! were left out, unless `--allow-partial`.

use super::{load_valid, print_stdout};
use crate::Outcome;
use crate::cli::ImplementArgs;

pub fn implement(args: ImplementArgs) -> anyhow::Result<Outcome> {
    if let Some(path) = &args.output {
        crate::output::refuse_request_path(path, &[&args.file])?;
        if !args.force {
            crate::output::refuse_existing(path)?;
        }
    }
    let request = load_valid(&args.file, "nothing was written")?;
    let stem = args
        .file
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let done = crate::implement::implement(&request, &stem, args.target);
    if request.ritm.is_none() {
        eprintln!(
            "fwreq: warning: {} has no ritm: its objects are named after its file name, which a request in another folder may share (and share its objects); record the RITM first",
            super::shown(&args.file)
        );
    }
    match &args.output {
        Some(path) => crate::output::write_whole(path, &done.text, args.force)?,
        None => print_stdout(&done.text)?,
    }
    if done.left_out.is_empty() || args.allow_partial {
        return Ok(Outcome::Clean);
    }
    eprintln!(
        "fwreq: {} left out (listed at the end); --allow-partial accepts that",
        crate::text::plural(done.left_out.len(), "destination", "destinations")
    );
    Ok(Outcome::Findings)
}
