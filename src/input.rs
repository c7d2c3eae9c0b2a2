//! Finding and reading request files. I/O errors are returned, never printed here.

use crate::diagnostic::{Diagnostic, Source};
use crate::request::Request;
use crate::validate;
use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// One file read and validated: its text (for rendering diagnostics) and the outcome.
pub struct Loaded {
    pub source: Source,
    pub request: Result<Request, Vec<Diagnostic>>,
}

/// Reads and validates one request file. `Err` only for I/O problems.
pub fn load(path: &Path) -> anyhow::Result<Loaded> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    match String::from_utf8(bytes) {
        Ok(text) => {
            let source = Source::new(path, text);
            let request = validate::load(&source);
            Ok(Loaded { source, request })
        }
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let source = Source::new(path, String::from_utf8_lossy(err.as_bytes()).into_owned());
            let diag = Diagnostic::error(at..at + 1, "the file is not UTF-8 text")
                .with_help("save the request as UTF-8");
            Ok(Loaded {
                source,
                request: Err(vec![diag]),
            })
        }
    }
}

/// Expands the given paths: files as given, directories searched (sorted,
/// recursively, hidden folders and symlinked folders skipped) for `*.toml`
/// other than the team file `fwreq.toml`.
pub fn request_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<anyhow::Error>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files, &mut errors);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            errors.push(anyhow::anyhow!(
                "{}: no such file or directory",
                path.display()
            ));
        }
    }
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<anyhow::Error>) {
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
        let is_dir = kind.is_some_and(|k| k.is_dir());
        // A symlink to a file counts (one stat to follow it); the entry's own
        // type answers for everything else.
        let is_file = kind.is_some_and(|k| k.is_file() || (k.is_symlink() && path.is_file()));
        if is_dir {
            if !hidden {
                walk(&path, files, errors);
            }
        } else if is_file
            && path.extension().is_some_and(|e| e == "toml")
            && path.file_name().is_none_or(|n| n != crate::team::FILE)
        {
            files.push(path);
        }
    }
}
