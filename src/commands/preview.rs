//! `fwreq preview`: the ticket as an HTML page in this user's preview folder,
//! opened in the browser. Nothing leaves this machine (unlike pasting into a public
//! Markdown preview website, as the hand-written tickets asked readers to).

use super::{report, stderr_style};
use crate::Outcome;
use crate::cli::PreviewArgs;
use crate::diagnostic;
use crate::formats::html;
use crate::session::{Options, Reviewed};
use anyhow::Context as _;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub fn preview(args: PreviewArgs) -> anyhow::Result<Outcome> {
    let options = Options {
        templates: args.templates,
        ..Options::default()
    };
    let session = super::session(vec![args.file.clone()], &options)?.valid()?;
    let loaded = session.load(&args.file)?;
    let Reviewed {
        source,
        ticket,
        diags,
    } = match session.reviewed(&args.file, loaded)? {
        Ok(reviewed) => reviewed,
        Err(bad) => {
            report(&bad.source, &bad.diags, stderr_style());
            return Ok(Outcome::Findings);
        }
    };
    let page = html::page(
        session.renderer(&args.file),
        html::Page {
            warnings: diagnostic::plain(&source, &diags),
            ..html::Page::of(&ticket)
        },
    )?;
    let folder = folder()?;
    remove_old(&folder);
    let mut file = tempfile::Builder::new()
        .prefix("fwreq-preview-")
        .suffix(".html")
        .tempfile_in(&folder)
        .with_context(|| format!("cannot create a preview in {}", folder.display()))?;
    file.write_all(page.as_bytes())
        .context("cannot write the preview")?;
    let (_, path) = file.keep().context("cannot keep the preview file")?;
    println!("{}", path.display());
    if !args.no_open {
        open(&path)?;
    }
    Ok(Outcome::Clean)
}

/// This user's one preview folder: under `$XDG_RUNTIME_DIR` (the user's own,
/// emptied at logout), else `fwreq-preview-UID` in the temporary folder. A
/// folder there that is a link, or someone else's, or open to others, is
/// refused: another user could read or swap the pages.
fn folder() -> anyhow::Result<PathBuf> {
    let folder = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(runtime) => PathBuf::from(runtime).join("fwreq-preview"),
        None => std::env::temp_dir().join(format!("fwreq-preview-{}", user_id())),
    };
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(&folder) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            return Err(anyhow::Error::new(e).context(format!(
                "cannot create the preview folder {}",
                folder.display()
            )));
        }
        _ => {}
    }
    let meta = std::fs::symlink_metadata(&folder)
        .with_context(|| format!("cannot read the preview folder {}", folder.display()))?;
    if !private(&meta) {
        anyhow::bail!(
            "{} is not a folder of yours that only you can open; remove it and preview again",
            folder.display()
        );
    }
    Ok(folder)
}

/// Whether the folder is this user's alone (a folder, not a link).
#[cfg(unix)]
fn private(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    meta.is_dir() && meta.uid() == user_id() && meta.mode() & 0o077 == 0
}

/// Without owners and modes, that it is a folder is all there is to check.
#[cfg(not(unix))]
#[mutants::skip] // not compiled on the unix hosts the tests run on
fn private(meta: &std::fs::Metadata) -> bool {
    meta.is_dir()
}

#[cfg(unix)]
fn user_id() -> u32 {
    rustix::process::geteuid().as_raw()
}

#[cfg(not(unix))]
#[mutants::skip] // not compiled on the unix hosts the tests run on
fn user_id() -> u32 {
    0
}

/// A browser has long read a page this old: earlier previews go.
const KEEP_FOR: Duration = Duration::from_secs(3600);

/// Removes this folder's previews older than [`KEEP_FOR`]; one that cannot
/// be removed is left for the next run.
fn remove_old(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > KEEP_FOR);
        if old && name.starts_with("fwreq-preview-") && name.ends_with(".html") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// How long the opener has to fail: xdg-open may stay until the browser it
/// started exits, and then it is left to run.
const OPENER_WAIT: Duration = Duration::from_secs(5);

/// Opens the page with the system's opener; an opener that cannot start or
/// fails is an error (exit 2) with its exit code and what it said.
fn open(path: &Path) -> anyhow::Result<()> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    // A file, not a pipe: an opener left running must not die writing to it.
    let mut said = tempfile::tempfile().context("cannot create a temporary file")?;
    let mut child = std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(said.try_clone()?)
        .spawn()
        .with_context(|| format!("could not start {opener}; open the page above in a browser"))?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait()? {
            Some(status) => break status,
            None if start.elapsed() > OPENER_WAIT => return Ok(()),
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    if status.success() {
        return Ok(());
    }
    let mut text = String::new();
    said.seek(SeekFrom::Start(0))?;
    said.read_to_string(&mut text)?;
    let code = status
        .code()
        .map_or_else(|| "a signal".to_string(), |c| format!("exit code {c}"));
    anyhow::bail!(
        "{opener} failed ({code}){}; open the page above in a browser",
        match text.trim() {
            "" => String::new(),
            said => format!(": {said}"),
        }
    )
}
