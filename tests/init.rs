//! `fwreq init`: the files a team's repository starts with, each a snapshot;
//! the example passes `check` under the team file written beside it; the CI
//! files are YAML that runs `fwreq check`; no file is ever replaced without
//! `--force`, and a refusal writes nothing.

use crate::common::{fwreq_in, stderr, stdout};
use std::fs;
use std::path::Path;

const WRITTEN: [&str; 5] = [
    "requests/fwreq.toml",
    "requests/example.toml",
    ".pre-commit-config.yaml",
    ".github/workflows/fwreq.yml",
    ".gitlab-ci.yml",
];

#[test]
fn init_writes_a_team_file_an_example_a_hook_and_ci_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let out = fwreq_in(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), WRITTEN.map(|p| format!("{p}\n")).concat());
    assert_eq!(
        stderr(&out),
        "next: `fwreq check requests/`, then `fwreq new NAME` for a request of your own\n"
    );
    for path in WRITTEN {
        let text = fs::read_to_string(dir.path().join(path)).unwrap();
        insta::assert_snapshot!(format!("init-{}", path.replace('/', "-")), text);
    }
    // The example and the team file pass check together, with nothing to warn about.
    let check = fwreq_in(dir.path(), &["check", "requests/"]);
    assert_eq!(
        (check.status.code(), stderr(&check).as_str()),
        (
            Some(0),
            "checked 1 request: 0 errors, 0 warnings\nteam file: requests/fwreq.toml\n"
        )
    );
    // And under --deny warnings, as a stricter CI runs it.
    let strict = fwreq_in(dir.path(), &["check", "requests/", "--deny", "warnings"]);
    assert_eq!(strict.status.code(), Some(0), "{}", stderr(&strict));
    // Every CI file is YAML whose commands run fwreq check on the requests.
    for path in WRITTEN
        .iter()
        .filter(|p| p.ends_with(".yml") || p.ends_with(".yaml"))
    {
        let text = fs::read_to_string(dir.path().join(path)).unwrap();
        let yaml: serde_json::Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("{path}: not YAML: {e}\n{text}"));
        let commands = commands_in(&yaml);
        assert!(
            commands.iter().any(|c| c == "fwreq check requests/"),
            "{path}: {commands:?}"
        );
    }
}

#[test]
fn the_guides_pre_commit_hook_is_the_one_init_writes() {
    let guide = include_str!("../docs/ci.md");
    let hook = include_str!("../templates/init/pre-commit-config.yaml");
    let repos = &hook[hook.find("repos:\n").unwrap()..];
    assert!(guide.contains(&format!("```yaml\n{repos}```\n")), "{repos}");
}

/// Every string value under a key that holds a command: `run` (GitHub),
/// `script` (GitLab), `entry` (pre-commit).
fn commands_in(value: &serde_json::Value) -> Vec<String> {
    let mut found = Vec::new();
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("run" | "entry", serde_json::Value::String(s)) => found.push(s.clone()),
                    ("script", serde_json::Value::Array(lines)) => {
                        found.extend(lines.iter().filter_map(|l| l.as_str().map(str::to_string)))
                    }
                    _ => found.extend(commands_in(value)),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| found.extend(commands_in(v))),
        _ => {}
    }
    found
}

#[test]
fn init_replaces_nothing_without_force_and_writes_nothing_when_it_refuses() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("requests")).unwrap();
    fs::write(
        dir.path().join("requests/fwreq.toml"),
        "max-port-range = 5\n",
    )
    .unwrap();
    fs::write(dir.path().join(".gitlab-ci.yml"), "ours: {}\n").unwrap();
    let out = fwreq_in(dir.path(), &["init"]);
    assert_eq!((out.status.code(), stdout(&out).as_str()), (Some(2), ""));
    assert_eq!(
        stderr(&out),
        "fwreq: error: fwreq init replaces no file: requests/fwreq.toml, .gitlab-ci.yml already exist; add --force to replace them\n"
    );
    // The files there are as they were, and none of the others was written.
    assert_eq!(
        fs::read_to_string(dir.path().join("requests/fwreq.toml")).unwrap(),
        "max-port-range = 5\n"
    );
    for path in [
        "requests/example.toml",
        ".pre-commit-config.yaml",
        ".github",
    ] {
        assert!(!dir.path().join(path).exists(), "{path}");
    }
    // --force replaces them.
    let forced = fwreq_in(dir.path(), &["init", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(
        fs::read_to_string(dir.path().join("requests/fwreq.toml")).unwrap(),
        include_str!("../templates/init/fwreq.toml")
    );
    // A second run refuses, naming every file.
    let again = fwreq_in(dir.path(), &["init"]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        stderr(&again),
        format!(
            "fwreq: error: fwreq init replaces no file: {} already exist; add --force to replace them\n",
            WRITTEN.join(", ")
        )
    );
}

#[test]
fn init_dir_sets_up_another_folder_and_never_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let out = fwreq_in(dir.path(), &["init", "--dir", "team/repo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        WRITTEN.map(|p| format!("team/repo/{p}\n")).concat()
    );
    assert!(
        dir.path()
            .join("team/repo/.github/workflows/fwreq.yml")
            .is_file()
    );
    // A link where a file would go is in the way like a file, and with
    // --force the link itself is replaced, never the file it names.
    let other = tempfile::tempdir().unwrap();
    fs::write(other.path().join("bashrc"), "keep\n").unwrap();
    let repo = dir.path().join("linked");
    fs::create_dir(&repo).unwrap();
    std::os::unix::fs::symlink(other.path().join("bashrc"), repo.join(".gitlab-ci.yml")).unwrap();
    let refused = fwreq_in(&repo, &["init"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains(".gitlab-ci.yml already exists"));
    let forced = fwreq_in(&repo, &["init", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(!Path::new(&repo.join(".gitlab-ci.yml")).is_symlink());
    assert_eq!(
        fs::read_to_string(other.path().join("bashrc")).unwrap(),
        "keep\n"
    );
}

/// pre-commit as `.ci/run` installs it (pinned, in target/pre-commit), or
/// `None` after saying the test is skipped; under CI a missing one fails.
fn pre_commit() -> Option<std::path::PathBuf> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pre-commit/bin/pre-commit");
    if !bin.is_file() {
        crate::common::skip("pre-commit not found in target/pre-commit (.ci/run installs it)");
        return None;
    }
    Some(bin)
}

#[test]
fn the_pre_commit_hook_init_writes_stops_a_commit_with_a_broken_request() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    fs::create_dir(&repo).unwrap();
    crate::common::git(&repo, &["init", "-q"]);
    assert_eq!(fwreq_in(&repo, &["init"]).status.code(), Some(0));
    crate::common::git(&repo, &["add", "-A"]);
    // The hook runs the fwreq on PATH: the one this test built.
    let fwreq = Path::new(assert_cmd::cargo::cargo_bin!("fwreq"));
    let path = std::env::join_paths(
        std::iter::once(fwreq.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let run = || {
        let out = std::process::Command::new(&pre_commit)
            .current_dir(&repo)
            .args(["run", "--all-files", "--color", "never"])
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", dir.path().join("cache"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (out.status.code(), stdout(&out) + &stderr(&out))
    };
    let (code, shown) = run();
    assert_eq!(code, Some(0), "{shown}");
    assert!(
        shown.contains("fwreq check....") && shown.contains("Passed"),
        "{shown}"
    );
    let example = repo.join("requests/example.toml");
    let text = fs::read_to_string(&example).unwrap();
    fs::write(&example, text.replace("ports = [443]", "ports = [70000]")).unwrap();
    crate::common::git(&repo, &["add", "-A"]);
    let (code, shown) = run();
    assert_eq!(code, Some(1), "{shown}");
    crate::common::assert_contains(
        &shown,
        "requests/example.toml:16:10: error: port 70000 is out of range\n   |\n16 | ports = [70000]\n",
    );
}
