//! Finding and reading request files. I/O errors are returned, never printed here.

use crate::diagnostic::{Diagnostic, Source};
use crate::request::Request;
use crate::validate;
use anyhow::Context as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The team file's name: never read as a request.
pub const TEAM_FILE: &str = "fwreq.toml";

/// One file read and validated: its text (for rendering diagnostics) and the outcome.
pub struct Loaded {
    pub source: Source,
    pub request: Result<Request, Vec<Diagnostic>>,
}

/// Reads and validates one request file. `Err` only for I/O problems.
pub fn load(path: &Path) -> anyhow::Result<Loaded> {
    Ok(load_bytes(path, read_regular(path)?))
}

/// Validates a request file's bytes, already read (`site` hashes them first).
pub fn load_bytes(path: &Path, bytes: Vec<u8>) -> Loaded {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let source = Source::new(path, text);
            let request = validate::load(&source);
            Loaded { source, request }
        }
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let source = Source::new(path, String::from_utf8_lossy(err.as_bytes()).into_owned());
            // The text shown holds U+FFFD where the bad bytes were: the span
            // covers that character, so tools see one column marked.
            let bad = at..at + char::REPLACEMENT_CHARACTER.len_utf8();
            let diag = Diagnostic::error(bad, "the file is not UTF-8 text")
                .with_help("save the request as UTF-8");
            Loaded {
                source,
                request: Err(vec![diag]),
            }
        }
    }
}

/// A request file as it stood at git revision `rev` (`git show REV:./NAME`
/// in the file's folder), read and validated; its path shown as `FILE@REV`.
pub fn at_revision(file: &Path, rev: &str) -> anyhow::Result<Loaded> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .context("the request file has no name")?
        .to_string_lossy();
    let shown = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", "--end-of-options", &format!("{rev}:./{name}")])
        .output()
        .context("the old revision is read with git, which could not be started")?;
    if !shown.status.success() {
        anyhow::bail!(
            "git show {rev}:./{name} (in {}): {}",
            dir.display(),
            String::from_utf8_lossy(&shown.stderr).trim()
        );
    }
    let old_text = String::from_utf8(shown.stdout)
        .with_context(|| format!("{name} at {rev} is not UTF-8 text"))?;
    let source = Source::new(format!("{}@{rev}", file.display()), old_text);
    let request = validate::load(&source);
    Ok(Loaded { source, request })
}

/// A regular file's bytes. Anything else is refused unread: a FIFO or a
/// device would block or never end, and a `/proc` file (`/proc/self/environ`:
/// the process's secrets) says it is empty but is not, which is how it is told.
pub fn read_regular(path: &Path) -> anyhow::Result<Vec<u8>> {
    read_checked(path, None, u64::MAX)
}

/// [`read_judged`] for a file that may hold at most `max` bytes (a
/// template): a larger one is refused before it is read.
pub fn read_template(path: &Path, judged: &std::fs::Metadata, max: u64) -> anyhow::Result<Vec<u8>> {
    read_checked(path, Some(judged), max)
}

/// The bytes of the very file that was judged (a team file found trusted):
/// a link swapped for another between the check and the read is refused.
pub fn read_judged(path: &Path, judged: &std::fs::Metadata) -> anyhow::Result<Vec<u8>> {
    read_checked(path, Some(judged), u64::MAX)
}

fn read_checked(
    path: &Path,
    judged: Option<&std::fs::Metadata>,
    max: u64,
) -> anyhow::Result<Vec<u8>> {
    let not_regular = || {
        anyhow::anyhow!(
            "{} is not a regular file (a FIFO, device or /proc file?); it was not read",
            path.display()
        )
    };
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    // Non-blocking, so a FIFO swapped in after the check above cannot hang
    // the open (a regular file reads the same either way).
    let file = open_nonblocking(path).with_context(|| format!("cannot read {}", path.display()))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    if judged.is_some_and(|judged| !same_file(&meta, judged)) {
        anyhow::bail!(
            "{} was replaced after it was checked; it was not used",
            path.display()
        );
    }
    if meta.len() > max {
        anyhow::bail!(
            "{} holds {} bytes, more than the {max} it may; it was not read",
            path.display(),
            meta.len()
        );
    }
    // One read for the bytes and one for the end, not a series of small ones.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    file.take(meta.len().saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > meta.len() {
        return Err(not_regular());
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let nonblock = i32::try_from(rustix::fs::OFlags::NONBLOCK.bits()).unwrap_or(0);
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nonblock)
        .open(path)
}

#[cfg(not(unix))]
#[mutants::skip] // not compiled on the unix hosts the tests run on
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Whether two metadata are of one file (its device and inode).
#[cfg(unix)]
pub fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
#[mutants::skip] // not compiled on the unix hosts the tests run on
pub fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

/// Expands the given paths: files as given, directories searched (sorted,
/// recursively, hidden folders and symlinked folders skipped) for `*.toml`
/// other than the team file `fwreq.toml`. A symlinked file is read only when
/// it stays inside the folder given (a link out of it, say to a secret, is
/// an error, unread); a file named on the command line that is a link must
/// stay inside the working folder. Non-regular files are errors, unread.
pub fn request_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<anyhow::Error>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if !path.exists() {
            errors.push(anyhow::anyhow!(
                "{}: no such file or directory",
                path.display()
            ));
            continue;
        }
        // A path given that is a link, to a file or to a folder (a repository
        // can ship `requests -> /etc`), must stay inside the working folder.
        if linked_part(path).is_some()
            && let Ok(here) = std::env::current_dir().and_then(std::fs::canonicalize)
            && let Err(e) = inside(path, &here, "the working folder")
        {
            errors.push(e);
            continue;
        }
        if path.is_dir() {
            match std::fs::canonicalize(path) {
                Ok(root) => walk(path, (&root, path), &mut files, &mut errors),
                Err(e) => errors
                    .push(anyhow::Error::new(e).context(format!("cannot read {}", path.display()))),
            }
        } else {
            files.push(path.clone());
        }
    }
    (files, errors)
}

/// The first part of `path` that is a symlink, if any: of a relative path
/// every folder on the way is looked at (`o/sub/x` where `o/sub` is a link),
/// of an absolute one the whole path (it was typed whole; `/tmp` itself is a
/// link on some systems). Built from the components, so `lnk/` and `lnk/.`,
/// which the system resolves through the link, are seen as `lnk`.
pub fn linked_part(path: &Path) -> Option<PathBuf> {
    let parts: PathBuf = path.components().collect();
    let candidates: Vec<PathBuf> = if parts.is_absolute() {
        vec![parts]
    } else {
        let mut at = PathBuf::new();
        parts
            .components()
            .map(|c| {
                at.push(c);
                at.clone()
            })
            .collect()
    };
    candidates
        .into_iter()
        .find(|at| std::fs::symlink_metadata(at).is_ok_and(|m| m.is_symlink()))
}

/// Whether the link `path` leads to a file under `root` (`shown` as).
fn inside(path: &Path, root: &Path, shown: &str) -> anyhow::Result<()> {
    let target =
        std::fs::canonicalize(path).with_context(|| format!("cannot read {}", path.display()))?;
    if target.starts_with(root) {
        return Ok(());
    }
    let written = std::fs::read_link(path).unwrap_or(target);
    anyhow::bail!(
        "{} is a link to {}, outside {shown}; it was not read (name the file itself to check it)",
        path.display(),
        written.display()
    )
}

/// `root`: the folder given, canonical and as given.
fn walk(
    dir: &Path,
    root: (&Path, &Path),
    files: &mut Vec<PathBuf>,
    errors: &mut Vec<anyhow::Error>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(anyhow::Error::new(e).context(format!("cannot read {}", dir.display())));
            return;
        }
    };
    // The entry's own type: a symlink to a folder is not followed, so a
    // link back up the tree (`ln -s . self`) cannot make the walk endless.
    let mut entries: Vec<(PathBuf, Option<std::fs::FileType>)> = entries
        .filter_map(|e| e.ok())
        .map(|e| (e.path(), e.file_type().ok()))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if kind.is_some_and(|k| k.is_dir()) {
            if !hidden {
                walk(&path, root, files, errors);
            }
            continue;
        }
        let request = path.extension().is_some_and(|e| e == "toml")
            && path.file_name().is_none_or(|n| n != TEAM_FILE);
        if !request {
            continue;
        }
        if kind.is_some_and(|k| k.is_symlink()) {
            // A symlink to a file counts when it stays in the tree; one to a
            // folder is skipped like any symlinked folder.
            if path.is_dir() {
                continue;
            }
            match inside(&path, root.0, &root.1.display().to_string()) {
                Ok(()) if path.is_file() => files.push(path),
                Ok(()) => errors.push(not_regular(&path)),
                Err(e) => errors.push(e),
            }
        } else if kind.is_some_and(|k| k.is_file()) {
            files.push(path);
        } else {
            errors.push(not_regular(&path));
        }
    }
}

fn not_regular(path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{} is not a regular file (a FIFO, device or socket); it was not read",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::read_judged;
    use std::fs;

    #[test]
    fn a_file_swapped_after_it_was_judged_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let judged = dir.path().join("fwreq.toml");
        let other = dir.path().join("other.toml");
        fs::write(&judged, "max-port-range = 1\n").unwrap();
        fs::write(&other, "allow = [\"any-destination\"]\n").unwrap();
        let meta = fs::metadata(&judged).unwrap();
        assert_eq!(
            read_judged(&judged, &meta).unwrap(),
            b"max-port-range = 1\n"
        );
        let err = read_judged(&other, &meta).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} was replaced after it was checked; it was not used",
                other.display()
            )
        );
    }
}
