//! Commands that agree with one another: `check` defaults to `requests/`
//! as `list` does, `record --submitted` takes a time, `implement` takes the
//! team's target, `render` says how many warnings it printed past, `list`
//! marks a filed request still in draft, and the top-level help groups the
//! commands with whole summaries.

use crate::common;

use common::{HEADER, fwreq_in, stderr, stdout};
use std::fs;

/// A request with one rule to a.example.com on `ports`.
fn request(ports: &str) -> String {
    format!(
        "{HEADER}[[rules]]\nports = {ports}\nsources = [\"10.0.0.0/24\"]\ndestinations = [\"a.example.com\"]\n"
    )
}

#[test]
fn check_without_a_path_checks_the_requests_folder_as_list_does() {
    let dir = common::folder_with(&[
        ("requests/good.toml", &request("[443]")),
        ("requests/bad.toml", "title = 1\n"),
    ]);
    let (code, _, said) = common::run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{said}");
    common::assert_starts(
        &said,
        "requests/bad.toml:1:9: error: invalid type: integer `1`",
    );
    common::assert_contains(&said, "checked 2 requests: 1 error");
    // The same files list reads without a path.
    let listed = stdout(&fwreq_in(dir.path(), &["list"]));
    assert!(listed.contains("requests/good.toml") && listed.contains("requests/bad.toml"));
}

#[test]
fn record_submitted_takes_a_time_never_the_file_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.toml");
    fs::write(&file, request("[443]")).unwrap();
    common::assert_run(
        dir.path(),
        &["record", "--submitted", "a.toml"],
        2,
        "error: invalid value 'a.toml' for '--submitted [<WHEN>]': `a.toml` is a file, not a time: the request file goes before the flag (fwreq record a.toml --submitted), the time after it: 2026-11-20T09:15:00-05:00 or \"2026-11-20 09:15\"\n\nFor more information, try '--help'.\n",
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), request("[443]"));
    for (when, written) in [
        ("2026-11-20 09:15", "submitted = 2026-11-20T09:15:00\n"),
        (
            "2026-11-20T09:15:00-05:00",
            "submitted = 2026-11-20T09:15:00-05:00\n",
        ),
    ] {
        let out = fwreq_in(dir.path(), &["record", "a.toml", "--submitted", when]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = fs::read_to_string(&file).unwrap();
        assert!(text.contains(written), "{when}: {text}");
    }
}

#[test]
fn implement_takes_the_team_files_target_when_none_is_given() {
    let dir = common::folder_with(&[("r.toml", &request("[443]"))]);
    common::assert_run(
        dir.path(),
        &["implement", "r.toml"],
        2,
        "fwreq: error: give --target (nftables, aerleon, cilium, fortigate, panos): no fwreq.toml applies, so it names no targets\n",
    );
    fs::write(dir.path().join("fwreq.toml"), "targets = [\"fortigate\"]\n").unwrap();
    let implicit = fwreq_in(dir.path(), &["implement", "r.toml"]);
    let explicit = fwreq_in(
        dir.path(),
        &["implement", "r.toml", "--target", "fortigate"],
    );
    assert_eq!(implicit.status.code(), Some(0), "{}", stderr(&implicit));
    assert!(stdout(&implicit).contains("config firewall policy"));
    assert_eq!(stdout(&implicit), stdout(&explicit));
    assert_eq!(stderr(&implicit), stderr(&explicit));
    fs::write(
        dir.path().join("fwreq.toml"),
        "targets = [\"fortigate\", \"panos\"]\n",
    )
    .unwrap();
    common::assert_run(
        dir.path(),
        &["implement", "r.toml"],
        2,
        "fwreq: error: fwreq.toml names 2 targets (fortigate, panos): give --target with one of them\n",
    );
}

#[test]
fn render_counts_the_warnings_on_stderr_and_leaves_stdout_the_ticket() {
    let dir = common::folder_with(&[
        ("wide.toml", &request("[\"20000-20500\"]")),
        ("fine.toml", &request("[443]")),
    ]);
    let check = fwreq_in(dir.path(), &["check", "wide.toml"]);
    common::assert_contains(&stderr(&check), "checked 1 request: 0 errors, 1 warning");
    let wide = fwreq_in(dir.path(), &["render", "wide.toml"]);
    assert_eq!(
        (wide.status.code(), stderr(&wide).as_str()),
        (
            Some(0),
            "fwreq: wide.toml: 1 warning (fwreq check wide.toml shows them)\n"
        )
    );
    assert!(stdout(&wide).contains("20000-20500"));
    let fine = fwreq_in(dir.path(), &["render", "fine.toml"]);
    assert_eq!(stderr(&fine), "");
    let both = fwreq_in(dir.path(), &["render", "fine.toml", "wide.toml"]);
    assert_eq!(
        stderr(&both),
        "fwreq: wide.toml: 1 warning (fwreq check wide.toml shows them)\n"
    );
    assert_eq!(
        stdout(&both),
        format!("{}---\n{}", stdout(&fine), stdout(&wide))
    );
}

/// Every command once under a heading of what it is for, each summary
/// whole on one line of at most 100 columns.
#[test]
fn top_level_help_groups_every_command_once_with_whole_summaries() {
    use clap::CommandFactory as _;
    let dir = tempfile::tempdir().unwrap();
    let help = stdout(&fwreq_in(dir.path(), &["--help"]));
    let headings: Vec<&str> = help
        .lines()
        .filter(|l| l.ends_with(':') && !l.starts_with(' '))
        .collect();
    assert_eq!(
        headings,
        [
            "Write and check a request:",
            "Its life after the paste:",
            "Every request at once:",
            "Test and implement the rules:",
            "For editors and shells:",
            "Options:",
            "Exit codes:",
        ]
    );
    let cli = fwreq::cli::Cli::command();
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        let about = sub.get_about().unwrap().to_string();
        let lines: Vec<&str> = help
            .lines()
            .filter(|l| l.split_whitespace().next() == Some(name))
            .collect();
        assert_eq!(lines.len(), 1, "{name}: {lines:?}");
        assert!(lines[0].ends_with(&about), "{name}: {}", lines[0]);
    }
    assert!(help.lines().all(|l| l.chars().count() <= 100), "{help}");
    assert!(help.contains(
        "\n  diff         A change ticket between two revisions of a request: the flows it opens and closes\n"
    ));
}

/// The bundled example with a RITM but no status (so a draft) is marked in
/// the table and explained on stderr; the JSON keeps the plain values.
#[test]
fn list_marks_a_request_with_a_ritm_still_in_draft() {
    // With their team file: it defines the fields they fill in.
    let dir = common::examples_folder();
    let out = fwreq_in(dir.path(), &["list"]);
    assert_eq!(out.status.code(), Some(0));
    let table = stdout(&out);
    let statuses: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|l| {
            l.split("  ")
                .filter(|c| !c.is_empty())
                .nth(4)
                .unwrap()
                .trim()
        })
        .collect();
    assert_eq!(statuses, ["draft*", "submitted", "draft"]);
    assert_eq!(
        stderr(&out),
        "requests/southfield-observability.toml: * has a RITM but its status is draft: fwreq record requests/southfield-observability.toml --status submitted (or the status it has), or fwreq sync\n"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&fwreq_in(
        dir.path(),
        &["list", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(json[0]["status"], "draft");
    assert_eq!(json[0]["ritm"], "RITM0201877");
}
