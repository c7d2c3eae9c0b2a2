//! The `fwreq` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

/// mimalloc, not the system's malloc: parsing, validating and rendering
/// thousands of requests on every core is allocation-heavy (a fifth of
/// `check`'s time went to glibc's malloc and free).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = fwreq::cli::parse();
    match fwreq::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            // Messages quote paths and values from users' files.
            let message = fwreq::diagnostic::escape_lines(&format!("{err:#}"));
            eprintln!("fwreq: error: {message}");
            fwreq::usage_exit_code()
        }
    }
}
