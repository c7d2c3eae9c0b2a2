//! The README's quick start, walked as printed: its commands are read from
//! the README's ```sh block under "Quick start" and run in order in an empty
//! folder, so the first thing a new user types cannot break unnoticed.

use crate::common::{fwreq_in, stderr, stdout};
use std::fs;
use std::path::Path;

/// The commands of the quick start, as printed, each split into words (the
/// comment after `#` is the reader's, not the shell's).
fn quick_start() -> Vec<Vec<String>> {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme
        .find("\n## Quick start\n")
        .expect("a Quick start section")..];
    let block = &section[section.find("\n```sh\n").expect("a ```sh block") + "\n```sh\n".len()..];
    let block = &block[..block.find("\n```").unwrap()];
    block
        .lines()
        .map(|line| {
            let command = line.split(" # ").next().unwrap().trim_end();
            crate::guide::split(command).unwrap_or_else(|e| panic!("{line}: {e}"))
        })
        .collect()
}

#[test]
fn the_readmes_quick_start_runs_as_printed() {
    let steps = quick_start();
    // The shape the README promises: set up, check, render, record, then a request of your own.
    let shape: Vec<(&str, &str)> = steps
        .iter()
        .map(|s| (s[0].as_str(), s.get(1).map_or("", String::as_str)))
        .collect();
    assert_eq!(
        shape,
        [
            ("fwreq", "init"),
            ("fwreq", "check"),
            ("fwreq", "render"),
            ("fwreq", "record"),
            ("fwreq", "new"),
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for step in &steps {
        let args: Vec<&str> = step[1..].iter().map(String::as_str).collect();
        let out = fwreq_in(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{step:?} failed:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        outputs.push(out);
    }
    // check found the example and nothing wrong with it.
    assert_eq!(
        stderr(&outputs[1]),
        "checked 1 request: 0 errors, 0 warnings\nteam file: requests/fwreq.toml\n"
    );
    // render printed the ticket to paste.
    assert!(
        stdout(&outputs[2]).starts_with("# Build agents to the package mirror over HTTPS\n"),
        "{}",
        stdout(&outputs[2])
    );
    // record wrote the made-up numbers into the example, which still passes check.
    let example = fs::read_to_string(dir.path().join("requests/example.toml")).unwrap();
    assert!(
        example
            .contains("\nstatus = \"submitted\"\nritm = \"RITM0010001\"\nreq = \"REQ0010001\"\n"),
        "{example}"
    );
    let again = fwreq_in(dir.path(), &["check", "requests/example.toml"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    // new wrote the starter the last comment speaks of: its TODOs fail check.
    assert_eq!(stdout(&outputs[4]), "requests/plant-ntp.toml\n");
    let starter = fwreq_in(dir.path(), &["check", "requests/plant-ntp.toml"]);
    assert_eq!(starter.status.code(), Some(1));
    assert!(stderr(&starter).contains("still holds the starter's placeholder"));
}

#[test]
fn the_readmes_sample_request_is_the_example_init_writes() {
    let readme = include_str!("../README.md");
    let example = include_str!("../templates/init/example.toml");
    let keys: String = example
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        readme.contains(&format!(
            "as `init` writes it, its opening comment aside:\n\n```toml\n{keys}```\n"
        )),
        "{keys}"
    );
}
