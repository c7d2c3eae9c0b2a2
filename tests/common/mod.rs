//! Helpers shared by the CLI test files (each uses what it needs).

#![allow(dead_code)]

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;

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

/// Runs `fwreq ARGS...` in `dir`, colour off, and returns everything it did.
pub fn fwreq_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    cargo_bin_cmd!("fwreq")
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
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
