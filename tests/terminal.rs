//! What fwreq prints to a terminal from a user's file: control, bidi and
//! zero-width characters escaped in every command's output and errors.

use crate::common;

use common::{HEADER, fwreq_in, stderr, stdout};
use std::fs;

/// Every character a terminal must not receive as itself: C0 (tab aside),
/// DEL, C1, bidi controls and zero-width characters.
fn dangerous() -> Vec<char> {
    let mut all: Vec<char> = (0u32..0x20)
        .chain([0x7f])
        .chain(0x80..0xa0)
        .chain(0x202a..=0x202e)
        .chain(0x2066..=0x2069)
        .chain([
            0x200e, 0x200f, 0x061c, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff,
        ])
        .filter_map(char::from_u32)
        .collect();
    all.retain(|&c| c != '\t');
    all
}

/// The dangerous characters that reached the output as themselves (line
/// breaks aside, which separate lines).
fn raw_controls(shown: &str) -> Vec<char> {
    let dangerous = dangerous();
    shown
        .chars()
        .filter(|&x| x != '\n' && dangerous.contains(&x))
        .collect()
}

#[test]
fn every_control_character_is_escaped_in_check_list_probe_and_render() {
    for c in dangerous() {
        let dir = tempfile::tempdir().unwrap();
        // The character in the file's name (a path cannot hold NUL) and in
        // the line of an error, where the excerpt quotes it.
        let name = if c == '\0' {
            "r.toml".to_string()
        } else {
            format!("r{c}.toml")
        };
        let text = format!(
            "{HEADER}[[rules]]\nports = [70000] # {c}\ndestinations = [\"a.example.com\"]\n"
        );
        fs::write(dir.path().join(&name), text).unwrap();
        let escaped = format!("\\u{{{:x}}}", u32::from(c));
        for args in [
            vec!["check", "."],
            vec!["list", "."],
            vec!["probe", name.as_str()],
            vec!["render", name.as_str()],
        ] {
            let out = fwreq_in(dir.path(), &args);
            let shown = stdout(&out) + &stderr(&out);
            let raw = raw_controls(&shown);
            assert!(
                raw.is_empty(),
                "{args:?} with U+{:04X} printed {raw:?}: {shown:?}",
                u32::from(c)
            );
            // `list` shows the first line of an error: the name holds it.
            let quoted = c != '\0' || args[0] != "list";
            assert!(
                !quoted || shown.contains(&escaped),
                "{args:?} with U+{:04X} does not show {escaped}: {shown}",
                u32::from(c)
            );
            assert_eq!(
                out.status.code(),
                Some(if args[0] == "probe" { 2 } else { 1 }),
                "{args:?} {shown}"
            );
        }
    }
}

/// `expiring` suggests commands with each file's path: escaped like the table.
#[test]
fn expiring_suggestions_are_escaped() {
    for c in dangerous().into_iter().filter(|&c| c != '\0' && c != '/') {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{HEADER}expires = 2026-12-01\n[[rules]]\nports = [443]\nsources = [\"10.0.0.0/24\"]\ndestinations = [\"a.example.com\"]\n"
        );
        fs::write(dir.path().join(format!("r{c}.toml")), text).unwrap();
        let out = fwreq_in(dir.path(), &["expiring", ".", "--today", "2026-11-26"]);
        let shown = stdout(&out) + &stderr(&out);
        let raw = raw_controls(&shown);
        assert!(
            raw.is_empty(),
            "U+{:04X} printed {raw:?}: {shown:?}",
            u32::from(c)
        );
        assert!(
            stderr(&out).contains(&format!("fwreq renew './r\\u{{{:x}}}.toml'", u32::from(c))),
            "{shown}"
        );
    }
}

#[test]
fn diagnostics_are_coloured_on_a_terminal_unless_no_color_is_set() {
    let Some(script) = common::tool_on_path(&["script"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bad.toml"), "title = 1\n").unwrap();
    let command = format!(
        "{} check bad.toml",
        assert_cmd::cargo::cargo_bin!("fwreq").display()
    );
    // `script` gives fwreq a pseudo terminal and records what reaches it.
    let on_a_terminal = |no_color: Option<&str>| {
        let typescript = dir.path().join("typescript");
        let mut script = std::process::Command::new(&script);
        script
            .args(["-qec", &command])
            .arg(&typescript)
            .current_dir(dir.path())
            .env_remove("NO_COLOR")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null());
        if let Some(value) = no_color {
            script.env("NO_COLOR", value);
        }
        assert_eq!(script.status().unwrap().code(), Some(1));
        fs::read_to_string(&typescript).unwrap()
    };
    let coloured = "bad.toml:1:9: \x1b[1;31merror\x1b[0m: invalid type: integer `1`";
    assert!(on_a_terminal(None).contains(coloured));
    // NO_COLOR counts only when it holds something (no-color.org).
    assert!(on_a_terminal(Some("")).contains(coloured));
    let plain = on_a_terminal(Some("1"));
    assert!(plain.contains("bad.toml:1:9: error: invalid type: integer `1`"));
    assert!(!plain.contains("\x1b["), "{plain:?}");
    // Not a terminal: plain, with or without NO_COLOR.
    let piped = assert_cmd::cargo::cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["check", "bad.toml"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(stderr(&piped).starts_with("bad.toml:1:9: error: invalid type"));
}
