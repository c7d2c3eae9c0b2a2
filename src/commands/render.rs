//! `fwreq render`: the ticket body for each request, on stdout or into a file.

use super::{map_files, print_stdout, report, stderr_style};
use crate::cli::RenderArgs;
use crate::diagnostic::{Diagnostic, Source};
use crate::formats::{self, Format, Ticket};
use crate::input::{self, Loaded};
use crate::render::Renderer;
use crate::team::Teams;
use crate::{Outcome, clipboard};
use anyhow::bail;
use clap::ValueEnum as _;
use std::path::Path;

/// `fwreq render`: prints (or writes) the ticket body; nothing if any file is bad.
pub fn render(args: RenderArgs) -> anyhow::Result<Outcome> {
    if args.output.is_some() && args.files.len() > 1 {
        bail!("--output takes one request file, got {}", args.files.len());
    }
    if let Some(path) = &args.output
        && let Some(input) = args.files.iter().find(|f| same_file(f, path))
    {
        bail!(
            "--output {} is the request file {}; refusing to write over it (--force or not)",
            path.display(),
            input.display()
        );
    }
    if let Some(path) = &args.output
        && path.exists()
        && !args.force
    {
        bail!(
            "{} already exists; add --force to replace it",
            path.display()
        );
    }
    if args.format == Format::Html && args.files.len() > 1 {
        bail!(
            "--format html makes one page per request; give one file, or use `fwreq site` for many"
        );
    }
    let teams = Teams::find_valid(&args.files)?;
    let renderer = Renderer::new(teams.templates(args.templates.clone()))?;
    if args.since.is_some() || args.removal {
        let [file] = args.files.as_slice() else {
            bail!("--since and --removal take one request file");
        };
        let text = match &args.since {
            Some(rev) => super::diff::since(&renderer, teams.of(file), file, rev)?,
            None => super::diff::removal(
                &renderer,
                teams.of(file),
                file,
                args.today
                    .unwrap_or_else(|| chrono::Local::now().date_naive()),
            )?,
        };
        let Some(text) = text else {
            return Ok(Outcome::Findings);
        };
        match &args.output {
            Some(path) => crate::output::write_whole(path, &text, args.force)?,
            None => print_stdout(&text)?,
        }
        return Ok(Outcome::Clean);
    }
    let style = stderr_style();
    // Several requests as JSON are one array: each object is indented into it.
    let in_array = args.format == Format::Json && args.files.len() > 1;
    // Every file on every core, each converted where it was rendered (only the
    // text is kept); the results keep the files' order.
    let rendered: Vec<anyhow::Result<Rendered>> = map_files(&args.files, |path| {
        let Loaded { source, request } = input::load(path)?;
        let mut request = match request {
            Ok(request) => request,
            Err(diags) => return Ok(Err((source, diags))),
        };
        teams.of(path).sign(&mut request);
        let ticket = Ticket::new(request, &renderer)?;
        let text = formats::convert(args.format, &ticket, &renderer)?;
        Ok(Ok(if in_array {
            text.trim_end()
                .lines()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            text
        }))
    });
    let mut pieces = Vec::with_capacity(rendered.len());
    let mut failed = false;
    for result in rendered {
        match result? {
            Ok(text) => pieces.push(text),
            Err((source, diags)) => {
                failed = true;
                report(&source, &diags, style);
            }
        }
    }
    if failed {
        return Ok(Outcome::Findings);
    }
    let text = if in_array {
        format!("[\n{}\n]\n", pieces.join(",\n"))
    } else {
        pieces.join("---\n")
    };
    if let Some(path) = &args.output {
        crate::output::write_whole(path, &text, args.force)?;
    }
    if args.copy {
        clipboard::copy(&text)?;
        eprintln!(
            "copied {} characters ({}) to the clipboard through the terminal",
            text.chars().count(),
            args.format
                .to_possible_value()
                .map_or_else(String::new, |v| v.get_name().to_string())
        );
    } else if args.output.is_none() {
        print_stdout(&text)?;
    }
    Ok(Outcome::Clean)
}

/// One file: its text in the asked format, or its diagnostics.
type Rendered = Result<String, (Source, Vec<Diagnostic>)>;

/// Whether two paths name the same file (through links or `./` too).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
