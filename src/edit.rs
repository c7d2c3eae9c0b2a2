//! The one format-preserving writer: every command that changes a user's spec
//! (`record`) goes through here. toml_edit keeps every comment, blank line,
//! key order and quoting it is not asked to change; the new text is validated
//! like any spec before it is written, and it replaces the file through
//! `output::Locked` (links followed, locked from read to rename, whole or not
//! at all).

use crate::output::{Existing, Locked};
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Value};

/// A spec opened for changes; it stays locked until written or dropped.
pub struct Edit {
    path: PathBuf,
    file: Locked,
    original: String,
    doc: DocumentMut,
    /// Whether the unchanged document prints as the original bytes.
    faithful: bool,
}

impl Edit {
    pub fn open(path: &Path, existing: Existing) -> anyhow::Result<Self> {
        let file = Locked::open(path, existing)?;
        let original = String::from_utf8(file.bytes().to_vec()).map_err(|e| {
            anyhow::anyhow!(
                "{} is not UTF-8 text (at byte {}); run fwreq check on it",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        let body = original.strip_prefix('\u{feff}').unwrap_or(&original);
        let doc: DocumentMut = body.parse().map_err(|_| {
            anyhow::anyhow!(
                "{} is not valid TOML; run fwreq check on it",
                path.display()
            )
        })?;
        let mut edit = Edit {
            path: path.to_path_buf(),
            file,
            original,
            doc,
            faithful: false,
        };
        edit.faithful = !edit.changed();
        Ok(edit)
    }

    /// Sets a top-level key. An existing value keeps its place, the comments
    /// around it and its spacing; a new key goes after the last top-level key.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        let mut value: Value = value.into();
        match self.doc.get_mut(key).and_then(Item::as_value_mut) {
            Some(old) => {
                let decor = old.decor().clone();
                *value.decor_mut() = decor;
                *old = value;
            }
            None => {
                self.doc.insert(key, Item::Value(value));
            }
        }
    }

    /// The text as read, under the lock.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// The spec as it would be written: with the file's own byte order mark,
    /// line endings and final newline (or its absence), which toml_edit does
    /// not keep by itself.
    pub fn text(&self) -> String {
        let mut text = self.doc.to_string();
        if !self.original.ends_with('\n') {
            text.truncate(text.trim_end_matches(['\r', '\n']).len());
        }
        let crlf = self.original.contains("\r\n");
        let bare_lf = self.original.replace("\r\n", "").contains('\n');
        if crlf && !bare_lf {
            text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        // The mark was cut off before parsing, so the document lacks it.
        if self.original.starts_with('\u{feff}') {
            text.insert(0, '\u{feff}');
        }
        text
    }

    pub fn changed(&self) -> bool {
        self.text() != self.original
    }

    /// Replaces the file with the new text: whole or not at all, keeping its
    /// permissions, and only if no one changed it since it was opened (else
    /// `output::Changed`). Refuses when the file could not be written back byte
    /// for byte even unchanged (mixed line endings): then no edit could keep
    /// the other bytes.
    pub fn write(self) -> anyhow::Result<()> {
        if !self.faithful {
            anyhow::bail!(
                "{} cannot be rewritten keeping its other bytes (mixed line endings?); it is unchanged: edit it by hand",
                self.path.display()
            );
        }
        let text = self.text();
        self.file.replace(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "# A request.\ntitle = 'Registry'   # short description\nproject = \"p\"\n\n# filled in after the paste\nritm = \"RITM0000000\" # the item\n\n[[rules]]\nports = [443]\n";

    #[test]
    fn a_changed_value_keeps_its_comments_and_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.toml");
        std::fs::write(&path, SPEC).expect("write");
        let mut edit = Edit::open(&path, Existing::Replace).expect("open");
        edit.set("ritm", "RITM0194104");
        assert_eq!(
            edit.text(),
            SPEC.replace("RITM0000000", "RITM0194104"),
            "only the value changed"
        );
        edit.set("req", "REQ0194058");
        assert_eq!(
            edit.text(),
            SPEC.replace("RITM0000000", "RITM0194104")
                .replace("# the item\n", "# the item\nreq = \"REQ0194058\"\n"),
            "a new key after the last top-level key, before [[rules]]"
        );
        let text = edit.text();
        edit.write().expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    }

    #[test]
    fn windows_line_endings_and_a_byte_order_mark_are_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.toml");
        let crlf = format!("\u{feff}{}", SPEC.replace('\n', "\r\n"));
        std::fs::write(&path, &crlf).expect("write");
        let mut edit = Edit::open(&path, Existing::Replace).expect("open");
        assert!(!edit.changed(), "opening changes nothing");
        edit.set("ritm", "RITM0194104");
        assert_eq!(edit.text(), crlf.replace("RITM0000000", "RITM0194104"));
    }

    #[test]
    fn a_missing_final_newline_stays_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.toml");
        for (before, after) in [
            (
                SPEC.trim_end(),
                SPEC.trim_end().replace("RITM0000000", "RITM0194104"),
            ),
            (
                "title = 't'",
                "title = 't'\nritm = \"RITM0194104\"".to_string(),
            ),
            (
                "title = 't'\r\nritm = \"RITM0000000\"",
                "title = 't'\r\nritm = \"RITM0194104\"".to_string(),
            ),
        ] {
            std::fs::write(&path, before).expect("write");
            let mut edit = Edit::open(&path, Existing::Replace).expect("open");
            assert!(!edit.changed(), "{before:?}: opening changes nothing");
            edit.set("ritm", "RITM0194104");
            assert_eq!(edit.text(), after);
        }
    }

    #[test]
    fn a_file_it_cannot_write_back_faithfully_is_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.toml");
        let mixed = SPEC.replacen('\n', "\r\n", 1);
        std::fs::write(&path, &mixed).expect("write");
        let mut edit = Edit::open(&path, Existing::Replace).expect("open");
        edit.set("ritm", "RITM0194104");
        assert!(edit.write().is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), mixed);
    }
}
