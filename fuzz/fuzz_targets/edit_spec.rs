//! The format-preserving editor: any TOML file, one of the edits fwreq makes
//! (`record`, `submit`, `sync`, `renew` set `ritm`, `req`, `status`,
//! `submitted` or `expires`). When the editor would write the result (the
//! file reads back byte for byte unchanged), the result must parse, mean the
//! original with that one key set, and keep every byte outside the edited
//! value: an existing value is replaced in place, a new key is inserted
//! whole, and nothing else moves.
//!
//! Input: one byte picks the key, then the value's text up to the first NUL
//! (a string, or the digits of a date for `expires` and `submitted`), then
//! the file.
#![no_main]

mod scratch;

use fwreq::edit::Edit;
use fwreq::output::Existing;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use toml_edit::{Datetime, Item, Value};

/// The file the input is written to.
fn file() -> &'static PathBuf {
    scratch::file("edit", "request.toml")
}

const KEYS: [&str; 5] = ["ritm", "req", "status", "submitted", "expires"];

/// A date (and for `submitted` a time with an offset) from the value's bytes.
fn datetime(bytes: &[u8], with_time: bool) -> Datetime {
    let b = |i: usize| u16::from(bytes.get(i).copied().unwrap_or(1));
    let date = toml_edit::Date {
        year: 1 + (b(0) * 256 + b(1)) % 9999,
        month: 1 + (b(2) % 12) as u8,
        day: 1 + (b(3) % 28) as u8,
    };
    let time = with_time.then_some(toml_edit::Time {
        hour: (b(4) % 24) as u8,
        minute: (b(5) % 60) as u8,
        second: Some((b(6) % 60) as u8),
        nanosecond: None,
    });
    let offset = with_time.then_some(toml_edit::Offset::Custom {
        minutes: i16::from(bytes.get(7).copied().unwrap_or(0) % 48) * 30 - 720,
    });
    Datetime {
        date: Some(date),
        time,
        offset,
    }
}

/// The file's top-level table as plain data.
fn meaning(text: &str) -> Option<toml::Table> {
    toml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()
}

fuzz_target!(|data: &[u8]| {
    let [pick, rest @ ..] = data else {
        return;
    };
    let Some(cut) = rest.iter().position(|&b| b == 0) else {
        return;
    };
    let (value_bytes, file_bytes) = (&rest[..cut], &rest[cut + 1..]);
    let key = KEYS[usize::from(*pick) % KEYS.len()];
    let value: Value = match key {
        "submitted" => datetime(value_bytes, true).into(),
        "expires" => datetime(value_bytes, false).into(),
        _ => match std::str::from_utf8(value_bytes) {
            Ok(text) => text.into(),
            Err(_) => return,
        },
    };
    std::fs::write(file(), file_bytes).expect("the scratch file");
    let Ok(mut edit) = Edit::open(file(), Existing::Replace) else {
        return; // not UTF-8 or not TOML: refused before any edit
    };
    let original = edit.original().to_string();
    // `write` refuses a file that does not read back byte for byte.
    let faithful = !edit.changed();
    let bom = original.len() - original.strip_prefix('\u{feff}').unwrap_or(&original).len();
    // Where the old value stands, from a parse that keeps positions.
    let Ok(spanned) = toml_edit::Document::parse(&original[bom..]) else {
        panic!("Edit::open parsed it, toml_edit must too");
    };
    let old = match spanned.get(key) {
        None => None,
        Some(Item::Value(v)) => Some(v.span().expect("a parsed value has a span")),
        // fwreq edits only valid specs, where these keys hold values.
        Some(_) => return,
    };
    let Some(before) = meaning(&original) else {
        return; // toml_edit read it, toml did not: not the editor's concern
    };
    edit.set(key, value.clone());
    if !faithful {
        return;
    }
    let text = edit.text();
    let after = meaning(&text).unwrap_or_else(|| panic!("the edited file does not parse:\n{text}"));
    let mut expected = before;
    let set: toml::Table =
        toml::from_str(&format!("v = {value}")).expect("a value toml_edit wrote");
    expected.insert(key.to_string(), set["v"].clone());
    assert_eq!(
        after, expected,
        "the edit means the original with {key} set"
    );
    match old {
        Some(span) => {
            let (start, end) = (bom + span.start, bom + span.end);
            assert!(
                text.starts_with(&original[..start])
                    && text.ends_with(&original[end..])
                    && text.len() >= start + original.len() - end,
                "bytes outside {key}'s value changed:\n{original:?}\n{text:?}"
            );
        }
        None => {
            // A pure insertion: what precedes and follows it is the original.
            let head = original
                .bytes()
                .zip(text.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let tail = original
                .bytes()
                .rev()
                .zip(text.bytes().rev())
                .take_while(|(a, b)| a == b)
                .count();
            assert!(
                head + tail >= original.len() && text.len() > original.len(),
                "adding {key} changed other bytes:\n{original:?}\n{text:?}"
            );
        }
    }
});
