//! The guide's examples are tests: every ```console block of README.md and of
//! `docs/*.md` is run against the built binary and its shown output compared
//! with what fwreq prints, so the docs cannot drift from the program.
//!
//! The syntax is trycmd's: `$ fwreq ARGS` is a command (`> ` lines continue
//! it), the lines after it are its exact stdout and stderr as they interleave,
//! `...` on a line of its own stands for any lines, `[..]` for any part of a
//! line, and a first output line `? failed` means exit 1 (`? 2`: exit 2).
//! Each file runs in a fresh temporary folder holding a copy of this
//! repository's `requests/` as `requests/` (a git repository of its own, so
//! the team file's search stops there); the blocks of one file share it, in
//! order. No shell runs: arguments are split as a shell would split them, and
//! a pipe, redirection, glob or variable is refused. `FWREQ_DOCS=overwrite
//! cargo test --test integration guide::` writes the outputs fwreq prints now
//! into the files, keeping the elisions that still match.

use crate::common;

use snapbox::Data;
use snapbox::assert::{Action, Assert};
use std::fmt::Write as _;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// One `$` command of a block, with what the page says it prints.
#[derive(Debug)]
struct Step {
    /// 1-based line of the `$` in the page.
    line: usize,
    /// The command as written (continuations joined), for messages.
    shown: String,
    env: Vec<(String, String)>,
    args: Vec<String>,
    code: i32,
    expected: String,
    /// Lines (0-based, end excluded) the status line and output take, for overwrite.
    output_lines: std::ops::Range<usize>,
}

/// The ```console blocks of a Markdown text, each as its steps. Blocks
/// inside a longer fence (```` around an example page) are not blocks.
fn console_blocks(text: &str) -> Result<Vec<Vec<Step>>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        let ticks = line.len() - line.trim_start_matches('`').len();
        if ticks < 3 {
            at += 1;
            continue;
        }
        let info = line[ticks..].trim();
        let end = (at + 1..lines.len())
            .find(|&i| {
                let l = lines[i].trim_end();
                l.len() >= ticks && l.chars().all(|c| c == '`')
            })
            .ok_or_else(|| format!("line {}: a fence that never closes", at + 1))?;
        if info == "console" {
            blocks.push(steps(&lines, at + 1, end)?);
        }
        at = end + 1;
    }
    Ok(blocks)
}

/// The steps of the block between lines `from` and `to` (0-based, `to` the
/// closing fence).
fn steps(lines: &[&str], from: usize, to: usize) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut at = from;
    while at < to {
        let Some(command) = lines[at].strip_prefix("$ ") else {
            if lines[at].trim().is_empty() {
                at += 1;
                continue;
            }
            return Err(format!("line {}: output before any `$ ` command", at + 1));
        };
        let line = at + 1;
        let mut shown = command.to_string();
        at += 1;
        while at < to
            && let Some(more) = lines[at].strip_prefix("> ")
        {
            shown.push('\n');
            shown.push_str(more);
            at += 1;
        }
        let start = at;
        while at < to && !lines[at].starts_with("$ ") {
            at += 1;
        }
        let mut end = at;
        while end > start && lines[end - 1].trim().is_empty() {
            end -= 1;
        }
        let mut output = &lines[start..end];
        let mut code = 0;
        if let Some(status) = output.first().and_then(|l| l.strip_prefix("? ")) {
            code = match status.trim() {
                "failed" => 1,
                number => number.parse().map_err(|_| {
                    format!("line {}: `? {status}`: say `? failed` or `? N`", start + 1)
                })?,
            };
            output = &output[1..];
        }
        let words = split(&shown).map_err(|e| format!("line {line}: {e}"))?;
        let first_arg = words
            .iter()
            .position(|w| !is_assignment(w))
            .ok_or_else(|| format!("line {line}: no command"))?;
        if words[first_arg] != "fwreq" {
            return Err(format!(
                "line {line}: only fwreq runs in a ```console block; show `{}` in a ```sh block",
                words[first_arg]
            ));
        }
        let env = words[..first_arg]
            .iter()
            .map(|w| {
                let (name, value) = w.split_once('=').unwrap_or((w, ""));
                (name.to_string(), value.to_string())
            })
            .collect();
        let mut expected = output.join("\n");
        if !expected.is_empty() {
            expected.push('\n');
        }
        steps.push(Step {
            line,
            shown,
            env,
            args: words[first_arg + 1..].to_vec(),
            code,
            expected,
            output_lines: start..end,
        });
    }
    Ok(steps)
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Splits a command line into words as a POSIX shell would, for the
/// quoting a page shows; refuses what only a shell could do.
pub fn split(command: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("a ' that never closes".into()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err("a \" that never closes".into()),
                        },
                        Some(c @ ('$' | '`')) => {
                            return Err(format!("`{c}` inside \"...\" needs a shell"));
                        }
                        Some(c) => w.push(c),
                        None => return Err("a \" that never closes".into()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err("a \\ at the end".into()),
            },
            c if c.is_whitespace() => words.extend(word.take()),
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '$' | '`' | '*' | '?' | '[' | '~' => {
                return Err(format!(
                    "`{c}` needs a shell, and no shell runs these examples: quote it, or show this in a ```sh block"
                ));
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// A fresh folder holding a copy of the repository's `requests/`, made a
/// git repository.
fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("requests");
    copy_tree(&from, &dir.path().join("requests"));
    common::git(dir.path(), &["init", "-q"]);
    for sub in ["home/.config", "home/.local/state", "run"] {
        fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs one step in `dir`: (exit code, stdout and stderr as they interleave).
/// Everything from this machine that could change an output is set or
/// removed: colour, time zone, home and state folders, credentials.
fn run(dir: &Path, step: &Step) -> (i32, String) {
    let (mut reader, writer) = std::io::pipe().unwrap();
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("fwreq"));
    command
        .current_dir(dir)
        .args(&step.args)
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env("HOME", dir.join("home"))
        .env("XDG_CONFIG_HOME", dir.join("home/.config"))
        .env("XDG_STATE_HOME", dir.join("home/.local/state"))
        .env("XDG_RUNTIME_DIR", dir.join("run"))
        .env_remove("COLUMNS")
        .stdin(std::process::Stdio::null())
        .stdout(writer.try_clone().unwrap())
        .stderr(writer);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("SN_") || name.starts_with("FWREQ_") {
            command.env_remove(&*name);
        }
    }
    command.envs(step.env.iter().map(|(k, v)| (k, v)));
    let mut child = command.spawn().unwrap();
    drop(command);
    let mut output = Vec::new();
    reader.read_to_end(&mut output).unwrap();
    let status = child.wait().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output).into_owned(),
    )
}

/// What one page's examples did: the failures (text to show), and the page
/// with fwreq's outputs written in (kept elisions) when anything differed.
struct Outcome {
    steps: usize,
    failures: Vec<String>,
    rewritten: Option<String>,
}

/// Runs every ```console example of one page, all in one fresh folder.
fn run_page(name: &str, text: &str) -> Outcome {
    let blocks = match console_blocks(text) {
        Ok(blocks) => blocks,
        Err(e) => {
            return Outcome {
                steps: 0,
                failures: vec![format!("{name}: {e}")],
                rewritten: None,
            };
        }
    };
    let dir = sandbox();
    let assert = Assert::new().action(Action::Verify).normalize_paths(false);
    let mut failures = Vec::new();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut replacements = Vec::new();
    let mut steps = 0;
    for step in blocks.iter().flatten() {
        steps += 1;
        let (code, actual) = run(dir.path(), step);
        let (normalized, expected) = assert.normalize(
            Data::text(actual.clone()),
            Data::text(step.expected.clone()),
        );
        let same_text = normalized.render() == expected.render();
        if same_text && code == step.code {
            continue;
        }
        let mut failure = format!("{name}:{}: $ {}\n", step.line, step.shown);
        if code != step.code {
            let _ = writeln!(failure, "exit code {code}, the page says {}", step.code);
        }
        if let Err(diff) = assert.try_eq(
            Some(&format!("{name}:{}", step.line)),
            Data::text(actual),
            Data::text(step.expected.clone()),
        ) {
            let _ = writeln!(failure, "{diff}");
        }
        failures.push(failure);
        let mut new = Vec::new();
        match code {
            0 => {}
            1 => new.push("? failed".to_string()),
            n => new.push(format!("? {n}")),
        }
        let text = normalized.render().unwrap_or_default();
        new.extend(text.lines().map(str::to_string));
        replacements.push((step.output_lines.clone(), new));
    }
    if steps == 0 {
        return Outcome {
            steps,
            failures,
            rewritten: None,
        };
    }
    let rewritten = (!replacements.is_empty()).then(|| {
        for (range, new) in replacements.into_iter().rev() {
            lines.splice(range, new);
        }
        let mut page = lines.join("\n");
        if text.ends_with('\n') {
            page.push('\n');
        }
        page
    });
    Outcome {
        steps,
        failures,
        rewritten,
    }
}

/// README.md and every page under docs/.
fn pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    let mut folders = vec![root.join("docs")];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            }
        }
    }
    pages.sort();
    pages
}

#[test]
fn every_console_example_in_the_guide_prints_what_it_shows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let overwrite = std::env::var("FWREQ_DOCS").is_ok_and(|v| v == "overwrite");
    let mut failures = Vec::new();
    let mut steps = 0;
    for page in pages() {
        let name = page.strip_prefix(root).unwrap().display().to_string();
        let text = fs::read_to_string(&page).unwrap();
        let outcome = run_page(&name, &text);
        steps += outcome.steps;
        if overwrite && let Some(new) = outcome.rewritten {
            fs::write(&page, new).unwrap();
            eprintln!("{name}: outputs written");
        } else {
            failures.extend(outcome.failures);
        }
    }
    eprintln!("ran {steps} commands of the guide");
    assert!(
        failures.is_empty(),
        "{} example(s) of the guide fail (FWREQ_DOCS=overwrite writes in what fwreq prints now):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(steps >= 20, "only {steps} commands found in the guide");
}

#[test]
fn a_changed_output_fails_with_a_diff_and_overwrite_keeps_the_elisions() {
    let page = "Intro.\n\n```console\n$ fwreq check requests/\n? failed\nchecked 9 requests: [..]\n...\n```\n\n```sh\nnot run\n```\n";
    let outcome = run_page("page.md", page);
    assert_eq!(outcome.steps, 1);
    assert_eq!(outcome.failures.len(), 1, "{:?}", outcome.failures);
    let failure = &outcome.failures[0];
    common::assert_starts(
        failure,
        "page.md:4: $ fwreq check requests/\nexit code 0, the page says 1\n",
    );
    common::assert_contains(failure, "checked 9 requests");
    common::assert_contains(failure, "checked 3 requests");
    assert_eq!(
        outcome.rewritten.unwrap(),
        "Intro.\n\n```console\n$ fwreq check requests/\nchecked 3 requests: 0 errors, 0 warnings\n...\n```\n\n```sh\nnot run\n```\n"
    );
    // The same page with the output fwreq prints passes, elisions and all.
    let right = "```console\n$ fwreq check requests/\nchecked 3 requests: [..]\n...\n\n$ fwreq check requests/nothing.toml\n? 2\n...\n```\n";
    let outcome = run_page("right.md", right);
    assert_eq!((outcome.steps, outcome.failures), (2, Vec::<String>::new()));
}

#[test]
fn a_command_needing_a_shell_is_refused_with_its_line() {
    for (command, error) in [
        (
            "$ fwreq render requests/*.toml",
            "line 2: `*` needs a shell, and no shell runs these examples: quote it, or show this in a ```sh block",
        ),
        (
            "$ cat requests/fwreq.toml",
            "line 2: only fwreq runs in a ```console block; show `cat` in a ```sh block",
        ),
        ("$ fwreq check 'requests/", "line 2: a ' that never closes"),
    ] {
        let page = format!("```console\n{command}\n```\n");
        assert_eq!(
            console_blocks(&page).map(|_| ()),
            Err(error.to_string()),
            "{command}"
        );
    }
    let blocks = console_blocks(
        "````markdown\n```console\n$ not a block\n```\n````\n```console\n$ NO_COLOR= fwreq new \"a b\" --title 'it''s'\n> --force\n? 2\nout\n\n```\n",
    )
    .unwrap();
    let step = &blocks[0][0];
    assert_eq!(blocks.len(), 1);
    assert_eq!(
        (
            step.line,
            &step.env,
            &step.args,
            step.code,
            step.expected.as_str()
        ),
        (
            7,
            &vec![("NO_COLOR".to_string(), String::new())],
            &["new", "a b", "--title", "its", "--force"]
                .map(String::from)
                .to_vec(),
            2,
            "out\n"
        )
    );
}
