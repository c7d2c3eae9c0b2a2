//! What fwreq prints to a terminal from a user's file: control, bidi and
//! zero-width characters escaped in every command's output and errors.

use crate::common;

use common::{HEADER, fwreq_in, stderr, stdout};
use std::fs;
use std::path::Path;

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

/// All `out` printed, stdout then stderr, asserted to hold no raw control
/// character (`case` names the run if it does).
#[track_caller]
fn printed_escaped(out: &std::process::Output, case: &str) -> String {
    let shown = stdout(out) + &stderr(out);
    let raw = raw_controls(&shown);
    assert!(raw.is_empty(), "{case} printed {raw:?}: {shown:?}");
    shown
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
            let shown = printed_escaped(&out, &format!("{args:?} with U+{:04X}", u32::from(c)));
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
        let shown = printed_escaped(&out, &format!("U+{:04X}", u32::from(c)));
        assert!(
            stderr(&out).contains(&format!("fwreq renew './r\\u{{{:x}}}.toml'", u32::from(c))),
            "{shown}"
        );
    }
}

/// The shell line `command` run in `dir` under `script`, which gives it a
/// pseudo terminal and records what reaches it; NO_COLOR set to `no_color`
/// (or unset), COLUMNS unset. Its exit code and what the terminal received.
fn under_script(
    script: &Path,
    dir: &Path,
    command: &str,
    no_color: Option<&str>,
) -> (Option<i32>, String) {
    let typescript = dir.join("typescript");
    let mut run = std::process::Command::new(script);
    run.args(["-qec", command])
        .arg(&typescript)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    if let Some(value) = no_color {
        run.env("NO_COLOR", value);
    }
    let code = run.status().unwrap().code();
    (code, fs::read_to_string(&typescript).unwrap())
}

#[test]
fn diagnostics_are_coloured_on_a_terminal_unless_no_color_is_set() {
    let Some(script) = common::tool_on_path(&["script"]) else {
        return;
    };
    let dir = common::folder_with(&[("bad.toml", "title = 1\n")]);
    let command = format!(
        "{} check bad.toml",
        assert_cmd::cargo::cargo_bin!("fwreq").display()
    );
    // `script` gives fwreq a pseudo terminal and records what reaches it.
    let on_a_terminal = |no_color: Option<&str>| {
        let (code, shown) = under_script(&script, dir.path(), &command, no_color);
        assert_eq!(code, Some(1));
        shown
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

/// `list` in a terminal of COLUMNS cells (or a pipe, without COLUMNS).
fn list_in(dir: &std::path::Path, columns: Option<&str>) -> String {
    let mut list = assert_cmd::cargo::cargo_bin_cmd!("fwreq");
    list.current_dir(dir).args(["list", "requests/"]);
    match columns {
        Some(columns) => list.env("COLUMNS", columns),
        None => list.env_remove("COLUMNS"),
    };
    let out = list.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

/// `list` fits the terminal: the title and path shortened with an ellipsis
/// (the path keeping its file name), SUBMITTED cut to its date, and when even
/// that is too wide, REQ and then SUBMITTED left out; never a wrapped row
/// down to 80 columns (below about 75 even the tightest table is wider).
/// The team's `list-columns` (ENVIRONMENT, CMDB CI) give way like the title,
/// and go (last first) after SUBMITTED.
/// Into a pipe without COLUMNS, rows stay whole, as scripts read them.
#[test]
fn list_fits_the_terminal_width() {
    use unicode_width::UnicodeWidthStr as _;
    let dir = common::examples_folder();
    let at_100 = list_in(dir.path(), Some("100"));
    assert_eq!(
        at_100,
        "PATH               TITLE               RITM         STATUS     EXPIRES     RULES  FLOWS  ENVIRONMENT\n\
         …servability.toml  Southfield Kubern…  RITM0201877  draft*     2027-02-28  2      12     test\n\
         …co-registry.toml  AWS Container Reg…  RITM0194104  submitted  -           1      8      production\n\
         …me-and-logs.toml  Albion Plant Cont…  -            draft      -           3      5      production\n"
    );
    for (columns, rows) in [
        ("100", &at_100),
        ("140", &list_in(dir.path(), Some("140"))),
        ("80", &list_in(dir.path(), Some("80"))),
    ] {
        let width: usize = columns.parse().unwrap();
        for line in rows.lines() {
            assert!(line.width() <= width, "{columns} columns: {line:?}");
        }
        assert_eq!(rows.lines().count(), 4, "one line per request: {rows}");
    }
    let at_140 = list_in(dir.path(), Some("140"));
    assert!(
        at_140.starts_with("PATH  ") && at_140.contains("  REQ  "),
        "{at_140}"
    );
    let piped = list_in(dir.path(), None);
    assert_eq!(
        piped.lines().nth(1).unwrap(),
        "requests/southfield-observability.toml    Southfield Kubernetes Observability Vendor Trial Network Config Request  RITM0201877  REQ0201830  draft*     2026-11-20 09:15:00-05:00  2027-02-28  2      12     test         Southfield Structures MicroK8s Cluster"
    );
}

/// The SGR colour sequences (`ESC [ ... m`) in a terminal's record.
fn colours(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("\x1b[") {
        let tail = &rest[at + 2..];
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(tail.len());
        if tail[end..].starts_with('m') {
            found.push(format!("\x1b[{}m", &tail[..end]));
        }
        rest = &tail[end..];
    }
    found
}

/// `probe --format text` on a terminal: results coloured (green as
/// expected, red not), the table within the terminal's width (80 cells when
/// the terminal does not say); no colour with NO_COLOR or into a pipe.
#[test]
fn probe_results_are_coloured_on_a_terminal_unless_no_color_is_set() {
    let Some(script) = common::tool_on_path(&["script"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    fs::write(
        dir.path().join("r.toml"),
        format!("{HEADER}[[rules]]\nports = [{open}, {closed}]\ndestinations = [\"127.0.0.1\"]\n"),
    )
    .unwrap();
    let command = format!(
        "{} probe r.toml --format text --timeout 3s",
        assert_cmd::cargo::cargo_bin!("fwreq").display()
    );
    let on_a_terminal = |no_color: Option<&str>| {
        let (code, shown) = under_script(&script, dir.path(), &command, no_color);
        assert_eq!(code, Some(1), "one flow refused");
        shown.replace("\r\n", "\n")
    };
    let coloured = on_a_terminal(None);
    assert_eq!(
        colours(&coloured),
        ["\x1b[32m", "\x1b[0m", "\x1b[31m", "\x1b[0m"],
        "{coloured:?}"
    );
    let row = |port: u16| {
        coloured
            .lines()
            .find(|l| l.contains(&format!("  {port}  ")))
            .unwrap()
            .to_string()
    };
    assert!(row(open).ends_with("  \x1b[32mopen\x1b[0m"), "{coloured:?}");
    assert!(
        row(closed).ends_with("  \x1b[31mrefused\x1b[0m"),
        "{coloured:?}"
    );
    // script's terminal has no size: 80 cells, so the time and the action
    // are left out (93 cells with them).
    assert!(
        coloured.contains(
            "\nRULE  PROTOCOL  DESTINATION  TESTED HOST  ADDRESS    PORT   SOURCE     RESULT\n"
        ),
        "{coloured:?}"
    );
    let plain = on_a_terminal(Some("1"));
    assert_eq!(colours(&plain), Vec::<String>::new(), "{plain:?}");
    assert!(plain.contains("  open\n"), "{plain:?}");
    // Into a pipe: no colour, whatever NO_COLOR says.
    let piped = assert_cmd::cargo::cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["probe", "r.toml", "--format", "text", "--timeout", "3s"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert_eq!(colours(&stdout(&piped)), Vec::<String>::new());
    drop(listener);
}
