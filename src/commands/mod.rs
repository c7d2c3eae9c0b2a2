//! The subcommands: each wires the stages (read -> validate -> lint/plan ->
//! render/probe) for the CLI and decides what goes to stdout (results) and
//! stderr (diagnostics). Shared output helpers live here.

mod check;
mod diff;
mod list;
mod new;
mod preview;
mod probe;
mod record;
mod render;
mod shell;
mod site;

pub use check::check;
pub use diff::diff;
pub use list::{expiring, list};
pub use new::new;
pub use preview::preview;
pub use probe::probe;
pub use record::record;
pub use render::render;
pub use shell::{completions, man, schema};
pub use site::site;

use crate::diagnostic::{self, Diagnostic, Source, Style};
use std::io::{IsTerminal, Write};

/// Below this many files, starting threads costs more than it saves.
const PARALLEL_FROM: usize = 32;

/// `f` over every file, on every core when there are enough of them; the
/// results keep the files' order, so output stays deterministic.
fn map_files<I: Sync, T: Send>(files: &[I], f: impl Fn(&I) -> T + Sync + Send) -> Vec<T> {
    use rayon::prelude::*;
    if files.len() < PARALLEL_FROM {
        files.iter().map(f).collect()
    } else {
        files.par_iter().map(f).collect()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn report(source: &Source, diags: &[Diagnostic], style: Style) {
    let mut err = std::io::stderr().lock();
    for diag in diags {
        let _ = err.write_all(diagnostic::render(source, diag, style).as_bytes());
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set.
fn stderr_style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Style {
        color: !no_color && std::io::stderr().is_terminal(),
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
