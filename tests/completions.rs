//! The bash completion script in a real bash: files on an empty word
//! (`*.toml` and folders for requests), lint names for `--allow`/`--deny`.

use crate::common;

use common::{fwreq_in, stdout};
use std::fs;
use std::process::Command;

/// What bash offers for the words typed so far (the last one being completed).
fn offered(dir: &std::path::Path, script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; _fwreq_requests fwreq '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        quoted.join(" "),
        words.len() - 1,
        words.join(" "),
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(program)
        .current_dir(dir)
        .output()
        .unwrap();
    common::succeeded(&out);
    let mut words: Vec<String> = stdout(&out)
        .lines()
        .map(str::to_string)
        .filter(|w| !w.is_empty())
        .collect();
    words.sort();
    words
}

#[test]
fn bash_completes_request_files_and_lint_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = fwreq_in(dir.path(), &["completions", "bash"]);
    let script = dir.path().join("fwreq.bash");
    fs::write(&script, stdout(&out)).unwrap();
    fs::write(dir.path().join("a.toml"), "").unwrap();
    fs::write(dir.path().join("notes.txt"), "").unwrap();
    fs::create_dir(dir.path().join("requests")).unwrap();
    let d = dir.path();
    assert_eq!(
        offered(d, &script, &["fwreq", "render", ""]),
        ["a.toml", "requests"]
    );
    assert_eq!(
        offered(d, &script, &["fwreq", "check", "a.toml", ""]),
        ["a.toml", "requests"]
    );
    assert_eq!(
        offered(d, &script, &["fwreq", "diff", "a.toml", "r"]),
        ["requests"]
    );
    // After a flag that takes no value, a request file comes next.
    assert_eq!(
        offered(d, &script, &["fwreq", "render", "--force", ""]),
        ["a.toml", "requests"]
    );
    for sub in ["renew", "implement", "submit", "sync"] {
        assert_eq!(
            offered(d, &script, &["fwreq", sub, ""]),
            ["a.toml", "requests"],
            "{sub}"
        );
    }
    // Options stay options, and an option's value is clap's to complete.
    assert!(offered(d, &script, &["fwreq", "render", "--f"]).contains(&"--format".to_string()));
    assert_eq!(
        offered(d, &script, &["fwreq", "render", "--format", "j"]),
        ["json"]
    );
    let mut names: Vec<String> = fwreq::names::Lint::ALL
        .iter()
        .map(|l| l.name().to_string())
        .collect();
    names.sort();
    assert_eq!(
        offered(d, &script, &["fwreq", "check", "--allow", ""]),
        names
    );
    assert_eq!(
        offered(d, &script, &["fwreq", "check", "--deny", "w"]),
        [
            "warnings",
            "wide-port-range",
            "wildcard-public-suffix",
            "wildcard-without-dot",
            "wildcard-without-probe"
        ]
    );
    // zsh and fish offer them too (clap_complete gives elvish and PowerShell no values).
    for shell in ["zsh", "fish"] {
        let script = stdout(&fwreq_in(d, &["completions", shell]));
        assert!(script.contains("hidden-characters"), "{shell}");
    }
}
