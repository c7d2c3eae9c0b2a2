//! Helpers shared by the CLI test files (each uses what it needs).

#![allow(dead_code)]

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::{Path, PathBuf};

/// The keys every request needs, before its `[[rules]]` (lines 1-6).
pub const HEADER: &str = r#"title = "t"
project = "p"
request = "r"
reason = "r"
affected_apps = ["a"]
justification = "j"
"#;

/// Runs `fwreq check req.toml ARGS...` on one spec text in a fresh directory;
/// returns (exit code, stderr). Colour is off, so the text is exact.
pub fn check(text: &str, args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("req.toml"), text).unwrap();
    let out = cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["check", "req.toml"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Writes `text` to `dir/name`, making the folders on the way; returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

/// A fresh folder holding `files`, each (path, text), written in order.
pub fn folder_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

/// A fresh folder holding one request, [`HEADER`] then `rules`, as `name`.
pub fn request_in(name: &str, rules: &str) -> tempfile::TempDir {
    folder_with(&[(name, &format!("{HEADER}{rules}"))])
}

/// A fresh folder that is a repository to fwreq (a `.git/HEAD`, so the team
/// file search stops there), with `team` as its team file.
pub fn repo_with_team(team: &str) -> tempfile::TempDir {
    folder_with(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("fwreq.toml", team),
    ])
}

/// Runs `fwreq ARGS...` in `dir`, colour off: (exit code, stdout, stderr).
pub fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = fwreq_in(dir, args);
    (out.status.code().unwrap(), stdout(&out), stderr(&out))
}

/// Runs `fwreq ARGS...` in `dir` and asserts its exit code and all of its stderr.
#[track_caller]
pub fn assert_run(dir: &Path, args: &[&str], code: i32, stderr_text: &str) {
    let out = fwreq_in(dir, args);
    assert_eq!(
        (out.status.code(), stderr(&out).as_str()),
        (Some(code), stderr_text),
        "fwreq {args:?}"
    );
}

/// Runs `fwreq ARGS...` in `dir`, colour off, and returns everything it did.
pub fn fwreq_in(dir: &Path, args: &[&str]) -> std::process::Output {
    fwreq_with_env(dir, args, &[])
}

/// [`fwreq_in`] with `env` (name, value) added to its environment: a
/// secret, say, that no output may show.
pub fn fwreq_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    cargo_bin_cmd!("fwreq")
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// A command's stdout as text.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A command's stderr as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Runs git in `dir` as a test user; a failure fails the test with git's stderr.
pub fn git(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// Every kind of bad input the suite checks, as (kind, spec text, the first
/// line `check` prints): `tests/cli.rs` checks the messages, `tests/schema.rs`
/// runs them through the JSON Schema too.
pub fn bad_inputs() -> Vec<(&'static str, String, &'static str)> {
    // One top-level line after the header (line 7), then a valid rule.
    let top = |line: &str| {
        format!("{HEADER}{line}\n[[rules]]\nports = [443]\ndestinations = [\"a.example.com\"]\n")
    };
    let rule = |body: &str| format!("{HEADER}[[rules]]\n{body}\n");
    vec![
        (
            "bad TOML",
            "title = \"t\"\nproject = \n".into(),
            "req.toml:2:11: error: string values must be quoted, expected literal string",
        ),
        (
            "unterminated string",
            "title = \"t\nproject = \"p\"\n".into(),
            "req.toml:1:11: error: invalid basic string, expected `\"`",
        ),
        (
            "missing key",
            HEADER.replace("reason = \"r\"\n", "")
                + "[[rules]]\nports = [443]\ndestinations = [\"a.example.com\"]\n",
            "req.toml:1:1: error: missing required key `reason`",
        ),
        (
            "missing destinations in a rule",
            rule("ports = [443]"),
            "req.toml:7:1: error: missing required key `destinations`",
        ),
        (
            "unknown key",
            rule("ports = [443]\ndestination = [\"a.example.com\"]"),
            "req.toml:9:1: error: unknown field `destination`, expected one of `comment`, `protocol`, `ports`, `action`, `sources`, `destinations`, `fields`",
        ),
        (
            "wrong type",
            rule("ports = \"443\"\ndestinations = [\"a.example.com\"]"),
            "req.toml:8:9: error: invalid type: string \"443\", expected a sequence",
        ),
        (
            "port out of range",
            rule("ports = [443, 70000]\ndestinations = [\"a.example.com\"]"),
            "req.toml:8:15: error: port 70000 is out of range",
        ),
        (
            "backwards port range",
            rule("ports = [\"9000-8000\"]\ndestinations = [\"a.example.com\"]"),
            "req.toml:8:10: error: range \"9000-8000\" runs backwards",
        ),
        (
            "ports on icmp",
            rule("protocol = \"icmp\"\nports = [443]\ndestinations = [\"a.example.com\"]"),
            "req.toml:9:9: error: icmp has no ports",
        ),
        (
            "unknown protocol",
            rule("protocol = \"tpc\"\nports = [443]\ndestinations = [\"a.example.com\"]"),
            "req.toml:8:12: error: unknown variant `tpc`, expected one of `tcp`, `udp`, `icmp`",
        ),
        (
            "bad hostname",
            rule("ports = [443]\ndestinations = [\"a.example.com\", \"bad_host.example.com\"]"),
            "req.toml:9:34: error: `_` is not allowed in a hostname: `bad_host.example.com`",
        ),
        (
            "wildcard in the middle",
            rule("ports = [443]\ndestinations = [\"foo.*.example.com\"]"),
            "req.toml:9:17: error: `foo.*.example.com`: `*` may only stand at the start of the first label",
        ),
        (
            "CIDR with host bits",
            rule("ports = [443]\ndestinations = [\"52.94.1.0/16\"]"),
            "req.toml:9:17: error: `52.94.1.0/16` has host bits set",
        ),
        (
            "probe outside its wildcard",
            rule(
                "ports = [443]\ndestinations = [{ host = \"*.pkg.dev\", probe = \"a.example.com\" }]",
            ),
            "req.toml:9:47: error: probe `a.example.com` is not covered by the wildcard",
        ),
        (
            "probe outside its range",
            rule(
                "ports = [443]\ndestinations = [{ host = \"10.20.0.0/24\", probe = \"10.20.1.5\" }]",
            ),
            "req.toml:9:50: error: probe `10.20.1.5` is outside 10.20.0.0/24",
        ),
        (
            "bad REQ number",
            HEADER.to_string()
                + "req = \"REQ123456\"\n[[rules]]\nports = [443]\ndestinations = [\"a.example.com\"]\n",
            "req.toml:7:7: error: `REQ123456` is not a REQ number",
        ),
        (
            "date without a time",
            HEADER.to_string()
                + "submitted = 2025-03-14\n[[rules]]\nports = [443]\ndestinations = [\"a.example.com\"]\n",
            "req.toml:7:13: error: `submitted` needs a date and a time",
        ),
        (
            "empty destinations",
            rule("ports = [443]\ndestinations = []"),
            "req.toml:9:16: error: `destinations` is empty",
        ),
        (
            "expires in words",
            top("expires = \"next year\""),
            "req.toml:7:11: error: invalid type: string \"next year\", expected a TOML datetime",
        ),
        (
            "a quoted date",
            top("expires = \"2027-03-31\""),
            "req.toml:7:11: error: invalid type: string \"2027-03-31\", expected a TOML datetime",
        ),
        (
            "a quoted date-time",
            top("submitted = \"2025-03-14T16:28:49\""),
            "req.toml:7:13: error: invalid type: string \"2025-03-14T16:28:49\", expected a TOML datetime",
        ),
        (
            "expires with a time",
            top("expires = 2027-03-31T10:00:00"),
            "req.toml:7:11: error: `expires` takes a date only",
        ),
        (
            "an unknown lint in allow",
            top("allow = [\"no-such-lint\"]"),
            "req.toml:7:10: error: unknown lint `no-such-lint`",
        ),
        (
            "a blank title",
            top("").replace("title = \"t\"", "title = \" \""),
            "req.toml:1:9: error: `title` is empty",
        ),
        (
            "empty ports",
            rule("ports = []\ndestinations = [\"a.example.com\"]"),
            "req.toml:8:9: error: `ports` is empty",
        ),
        (
            "not an address in sources",
            rule("ports = [443]\nsources = [\"not-an-ip\"]\ndestinations = [\"a.example.com\"]"),
            "req.toml:9:12: error: `not-an-ip` is not an IP address or CIDR range",
        ),
        (
            "empty sources",
            rule("ports = [443]\nsources = []\ndestinations = [\"a.example.com\"]"),
            "req.toml:9:11: error: `sources` is empty",
        ),
    ]
}

/// The example requests in `requests/` (not its team file), sorted.
pub fn examples() -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = fs::read_dir("requests")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| !p.ends_with("fwreq.toml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 3, "requests/ holds the examples");
    paths
}

/// A fresh folder with a copy of the bundled examples and their team file
/// (the files of `requests/`, not `rulesets/`) in its `requests/`.
pub fn examples_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let requests = dir.path().join("requests");
    fs::create_dir(&requests).unwrap();
    for entry in fs::read_dir("requests").unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, requests.join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// A command that must have succeeded; its stderr otherwise.
#[track_caller]
pub fn succeeded(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The first of `names` on PATH; or `None` after saying on stderr that the
/// test is skipped. Under CI (`CI` set) a missing tool fails the test instead,
/// so CI can never pass without running it.
pub fn tool_on_path(names: &[&str]) -> Option<std::path::PathBuf> {
    let found = names.iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        let name = names.first().copied().unwrap_or("a tool");
        skip(&format!(
            "{name} not found on PATH (apt-get install {name}; .ci/run does)"
        ));
    }
    found
}

/// Says on stderr that the test is skipped, for want of `missing`. Under CI
/// (`CI` set) it fails the test instead, so CI can never pass without
/// running it (`.ci/run` installs what the tests need).
#[track_caller]
pub fn skip(missing: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{missing}, and CI is set: this test must run in CI"
    );
    eprintln!("skipped: {missing}");
}

/// The warning for the team file `name` that fwreq will not apply, `why`
/// it is distrusted; `trust` is the path FWREQ_TRUST_TEAM_FILE would name.
pub fn team_file_ignored(name: &str, why: &str, trust: &Path) -> String {
    format!(
        "fwreq: warning: ignoring the team file {name}: {why} (if you trust it, set FWREQ_TRUST_TEAM_FILE={})\n",
        trust.display()
    )
}

/// What `expiring` suggests for the request at `path`, as one stderr line.
pub fn renew_or_remove(path: &str) -> String {
    format!(
        "{path}: fwreq renew {path} --until YYYY-MM-DD --reason \"...\", or fwreq render {path} --removal\n"
    )
}

/// The first line of `text` that begins with `prefix`; the test fails
/// (showing `text`) if there is none.
#[track_caller]
pub fn line_starting(text: &str, prefix: &str) -> String {
    let line = text.lines().find(|l| l.starts_with(prefix));
    line.unwrap_or_else(|| panic!("no line starts with {prefix:?}:\n{text}"))
        .to_string()
}

/// Asserts that `text` begins with `prefix`, showing all of `text` if not.
#[track_caller]
pub fn assert_starts(text: &str, prefix: &str) {
    assert!(text.starts_with(prefix), "{text}");
}

/// Asserts that `text` ends with `suffix`, showing all of `text` if not.
#[track_caller]
pub fn assert_ends(text: &str, suffix: &str) {
    assert!(text.ends_with(suffix), "{text}");
}

/// Asserts that `text` holds `part`, showing all of `text` if not.
#[track_caller]
pub fn assert_contains(text: &str, part: &str) {
    assert!(text.contains(part), "{text}");
}

/// An example request without its team fields (blank lines in their place,
/// so every line number stays), for a folder without the examples' team file.
pub fn without_fields(text: &str) -> String {
    let mut in_table = false;
    text.split_inclusive('\n')
        .map(|line| {
            in_table = (in_table && !line.trim().is_empty()) || line.trim() == "[fields]";
            if in_table || line.starts_with("fields = ") {
                "\n"
            } else {
                line
            }
        })
        .collect()
}

/// Writes an example request into `to` without its team fields.
pub fn copy_example(example: impl AsRef<std::path::Path>, to: impl AsRef<std::path::Path>) {
    let text = fs::read_to_string(example).unwrap();
    fs::write(to, without_fields(&text)).unwrap();
}

/// Every file of a folder, by path relative to it, with its bytes; `site`'s
/// own manifest aside.
pub fn tree(root: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.file_name() != Some(std::ffi::OsStr::new(".fwreq-site.json")) {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                files.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    files
}
