//! `fwreq preview`: the ticket as an HTML page in a temporary file, opened in
//! the browser. Nothing leaves this machine (unlike pasting into a public
//! Markdown preview website, as the hand-written tickets asked readers to).

use super::{Body, report, stderr_style};
use crate::Outcome;
use crate::cli::PreviewArgs;
use crate::diagnostic;
use crate::formats::{Ticket, html};
use crate::input::{self, Loaded};
use crate::render::Renderer;
use crate::team::Teams;
use anyhow::Context as _;
use std::io::Write as _;

pub fn preview(args: PreviewArgs) -> anyhow::Result<Outcome> {
    let teams = Teams::find_valid(&[&args.file])?;
    let team = teams.of(&args.file);
    let renderer = Renderer::new(teams.templates(args.templates))?;
    let Loaded { source, request } = input::load(&args.file)?;
    let mut request = match request {
        Ok(r) => r,
        Err(diags) => {
            report(&source, &diags, stderr_style());
            return Ok(Outcome::Findings);
        }
    };
    team.sign(&mut request);
    let settings = team.settings(chrono::Local::now().date_naive(), Default::default(), None);
    let ticket = Ticket::new(request, &team.zones, &renderer)?;
    let body = Body::Rendered(&ticket.markdown);
    let diags = super::lint(&source, &ticket.request, &settings, body)?;
    let warnings = diagnostic::plain(&source, &diags);
    let page = html::page(
        &renderer,
        html::Page {
            warnings,
            ..html::Page::of(&ticket)
        },
    )?;
    let mut file = tempfile::Builder::new()
        .prefix("fwreq-preview-")
        .suffix(".html")
        .tempfile()
        .context("cannot create a temporary file for the preview")?;
    file.write_all(page.as_bytes())
        .context("cannot write the preview")?;
    let (_, path) = file.keep().context("cannot keep the preview file")?;
    println!("{}", path.display());
    if !args.no_open {
        open(&path);
    }
    Ok(Outcome::Clean)
}

/// Opens the page with the system's opener; says so on stderr when there is none.
fn open(path: &std::path::Path) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let started = std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = started {
        eprintln!("fwreq: could not start {opener} ({e}); open the page above in a browser");
    }
}
