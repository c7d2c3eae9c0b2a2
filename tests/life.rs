//! The life of a request in git, as the CLI sessions an engineer runs: new,
//! check, record, list, a change between revisions, expiry and removal, the
//! team file, and editor support. Every repository is a real temporary one.

use crate::common;
use common::write;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{assert_starts, fwreq_in as fwreq, git, renew_or_remove, stderr, stdout};

/// A commented spec, as a person keeps it in git.
const COMMENTED: &str = r#"# Registry access for the Avilla cluster.
title = 'AWS Container Registry Network Config Request'   # the short description
project = "Avilla Structures Kubernetes Cluster"
request = "Please allow TCP access to the registry."
reason = "MicroK8s installs Calico from it."
affected_apps = ["Automated Report System"]
justification = "The cluster runs the plant systems."
requested_by = "John Biel"

# Temporary: the vendor trial ends in March.
expires = 2027-03-31

[[rules]]
comment = "OCI registries"
sources = ["10.188.50.0/24"]   # the cluster nodes
ports = [443]
destinations = [
  "registry.example.com",
  "mirror.example.com",
]
"#;

#[test]
fn new_writes_a_starter_that_fails_only_on_its_placeholders() {
    let dir = tempfile::tempdir().unwrap();
    let out = fwreq(dir.path(), &["new", "avilla", "--title", "Registry access"]);
    assert_eq!(
        (out.status.code(), stdout(&out).as_str()),
        (Some(0), "requests/avilla.toml\n")
    );
    let out = fwreq(dir.path(), &["check", "requests/"]);
    assert_eq!(out.status.code(), Some(1));
    let firsts: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("requests/") || l.starts_with("  = help"))
        .map(str::to_string)
        .collect();
    assert_eq!(
        firsts,
        [
            "requests/avilla.toml:8:11: error: `project` still holds the starter's placeholder",
            "  = help: the project, e.g. Avilla Structures Kubernetes Cluster",
            "requests/avilla.toml:10:11: error: `request` still holds the starter's placeholder",
            "  = help: e.g. Please update the Avilla policy to allow TCP access from the cluster to the AWS container registry",
            "requests/avilla.toml:12:10: error: `reason` still holds the starter's placeholder",
            "  = help: what breaks without this opening",
            "requests/avilla.toml:14:18: error: `affected_apps` still holds the starter's placeholder",
            "  = help: an application name",
            "requests/avilla.toml:16:17: error: `justification` still holds the starter's placeholder",
            "  = help: who uses it and why it matters",
            "requests/avilla.toml:28:12: error: `sources` still holds the starter's placeholder",
            "  = help: the hosts or subnet that open the connections, e.g. 10.188.50.0/24",
            "requests/avilla.toml:30:3: error: `destinations` still holds the starter's placeholder",
            "  = help: a hostname, *.domain, address or CIDR, e.g. registry.example.com",
        ]
    );
    common::assert_run(
        dir.path(),
        &["new", "avilla"],
        2,
        "fwreq: error: requests/avilla.toml already exists; fwreq new never overwrites a spec\n",
    );
}

#[test]
fn record_changes_only_what_it_records() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("a.toml");
    fs::write(&spec, COMMENTED).unwrap();
    common::assert_run(
        dir.path(),
        &[
            "record",
            "a.toml",
            "--ritm",
            "RITM0194104",
            "--req",
            "REQ0194058",
            "--status",
            "submitted",
            "--submitted",
            "2026-11-26T10:15:00",
        ],
        0,
        "a.toml: ritm = RITM0194104, req = REQ0194058, status draft -> submitted, submitted = 2026-11-26T10:15:00\n",
    );
    assert_eq!(
        fs::read_to_string(&spec).unwrap(),
        COMMENTED.replace(
            "expires = 2027-03-31\n",
            "expires = 2027-03-31\nritm = \"RITM0194104\"\nreq = \"REQ0194058\"\nstatus = \"submitted\"\nsubmitted = 2026-11-26T10:15:00\n"
        ),
        "every other byte, comments and quoting included, is kept"
    );
    // A value that is already there changes in place.
    let before = fs::read_to_string(&spec).unwrap();
    let out = fwreq(dir.path(), &["record", "a.toml", "--status", "approved"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(&spec).unwrap(),
        before.replace("status = \"submitted\"", "status = \"approved\"")
    );
}

#[test]
fn record_refuses_bad_values_and_backward_moves_and_leaves_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("a.toml");
    let text = COMMENTED.replace("requested_by", "status = \"implemented\"\nrequested_by");
    fs::write(&spec, &text).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--ritm", "RITM12"],
            "fwreq: error: --ritm: `RITM12` is not a RITM number (write RITM and seven or more digits, e.g. RITM0194104); a.toml is unchanged\n",
        ),
        (
            &["--req", "RITM0194104"],
            "fwreq: error: --req: `RITM0194104` is not a REQ number (write REQ and seven or more digits, e.g. REQ0194104); a.toml is unchanged\n",
        ),
        (
            &["--submitted", "yesterday"],
            "fwreq: error: --submitted: `yesterday` is not a date and time (write e.g. 2025-03-14T16:28:49, or --submitted alone for now); a.toml is unchanged\n",
        ),
        (
            &["--status", "draft"],
            "fwreq: error: status implemented -> draft is not a step forward in a request's life; add --force if it really does (e.g. a rejected request filed again); a.toml is unchanged\n",
        ),
    ];
    for (flags, message) in cases {
        let mut args = vec!["record", "a.toml"];
        args.extend_from_slice(flags);
        let out = fwreq(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        assert_eq!(stderr(&out), message);
        assert_eq!(
            fs::read(&spec).unwrap(),
            text.as_bytes(),
            "{flags:?}: byte-identical"
        );
    }
    let out = fwreq(
        dir.path(),
        &["record", "a.toml", "--status", "draft", "--force"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        fs::read_to_string(&spec)
            .unwrap()
            .contains("status = \"draft\"")
    );
}

#[test]
fn list_and_expiring_show_valid_invalid_and_expired_requests() {
    let dir = common::folder_with(&[
        (
            "requests/a.toml",
            &COMMENTED.replace(
                "requested_by",
                "ritm = \"RITM0000001\"\nsubmitted = 2026-11-01T09:00:00\nrequested_by",
            ),
        ),
        (
            "requests/plant/b.toml",
            &COMMENTED
                .replace("2027-03-31", "2026-11-20")
                .replace("title = 'AWS", "title = 'Old"),
        ),
        (
            "requests/plant/c.toml",
            &COMMENTED.replace("ports = [443]", "ports = [70000]"),
        ),
    ]);
    let root = dir.path();
    let out = fwreq(root, &["list"]);
    assert_eq!(
        (out.status.code(), stdout(&out).as_str()),
        (Some(1), "PATH                   TITLE                                                                     RITM         REQ  STATUS  SUBMITTED            EXPIRES     RULES  FLOWS
requests/a.toml        AWS Container Registry Network Config Request                             RITM0000001  -    draft*  2026-11-01 09:00:00  2027-03-31  1      2
requests/plant/b.toml  Old Container Registry Network Config Request                             -            -    draft   -                    2026-11-20  1      2
requests/plant/c.toml  (invalid) requests/plant/c.toml:16:10: error: port 70000 is out of range  -            -    -       -                    -           0      0
")
    );
    // a.toml has a RITM but is still a draft: filed, its status never recorded.
    assert_eq!(stderr(&out), FILED_AS_DRAFT);
    let out = fwreq(root, &["list", "--status", "draft", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The invalid file stays: its status is unknown.
    assert_eq!(rows.as_array().unwrap().len(), 3);
    assert_eq!(rows[0]["ritm"], "RITM0000001");
    assert_eq!(
        rows[2]["error"],
        "requests/plant/c.toml:16:10: error: port 70000 is out of range"
    );
    let out = fwreq(
        root,
        &["expiring", "--today", "2026-11-26", "--within", "30"],
    );
    assert_eq!(
        (out.status.code(), stdout(&out).as_str()),
        (Some(1), "PATH                   TITLE                                                                     RITM  REQ  STATUS  SUBMITTED  EXPIRES     RULES  FLOWS  WHEN
requests/plant/b.toml  Old Container Registry Network Config Request                             -     -    draft   -          2026-11-20  1      2      expired 6 days ago
requests/plant/c.toml  (invalid) requests/plant/c.toml:16:10: error: port 70000 is out of range  -     -    -       -          -           0      0
")
    );
    assert_eq!(
        stderr(&out),
        renew_or_remove("requests/plant/b.toml")
            + "1 request expired, 0 expiring within 30 days, 1 invalid file (as of 2026-11-26)\n"
    );
    let out = fwreq(
        root,
        &["expiring", "--today", "2026-11-01", "--within", "200"],
    );
    assert_eq!(out.status.code(), Some(1), "nothing past yet, one invalid");
    assert_eq!(
        stderr(&out),
        FILED_AS_DRAFT.to_string()
            + &renew_or_remove("requests/plant/b.toml")
            + &renew_or_remove("requests/a.toml")
            + "0 requests expired, 2 expiring within 200 days, 1 invalid file (as of 2026-11-01)\n"
    );
}

/// What list and expiring say of requests/a.toml, a draft with a RITM.
const FILED_AS_DRAFT: &str = "requests/a.toml: * has a RITM but its status is draft: fwreq record requests/a.toml --status submitted (or the status it has), or fwreq sync\n";

#[test]
fn a_change_ticket_since_the_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(
        root,
        "requests/a.toml",
        &COMMENTED.replace("requested_by", "ritm = \"RITM0194104\"\nrequested_by"),
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "first"]);
    // Widened (a new destination, a new port) and narrowed (the mirror goes).
    let changed = COMMENTED
        .replace("ritm", "x")
        .replace("requested_by", "ritm = \"RITM0194104\"\nrequested_by")
        .replace("ports = [443]", "ports = [443, 8443]")
        .replace("  \"mirror.example.com\",\n", "  \"cdn.example.com\",\n");
    write(root, "requests/a.toml", &changed);
    git(root, &["commit", "-qam", "second"]);
    let out = fwreq(root, &["render", "requests/a.toml", "--since", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ticket = stdout(&out);
    insta::assert_snapshot!("change-since-head-1", ticket);
    // The same two files through `diff` give the same flows.
    git(root, &["show", "HEAD~1:requests/a.toml"]);
    let old = Command::new("git")
        .current_dir(root)
        .args(["show", "HEAD~1:requests/a.toml"])
        .output()
        .unwrap()
        .stdout;
    fs::write(root.join("old.toml"), old).unwrap();
    let out = fwreq(root, &["diff", "old.toml", "requests/a.toml"]);
    assert_eq!(
        stdout(&out),
        ticket.replace("as it stood at HEAD~1", "as it stood at old.toml")
    );
    // A rule turned from allow to deny.
    let denied = changed.replace("[[rules]]", "[[rules]]\naction = \"deny\"");
    write(root, "requests/a.toml", &denied);
    let out = fwreq(root, &["render", "requests/a.toml", "--since", "HEAD"]);
    let ticket = stdout(&out);
    common::assert_contains(
        &ticket,
        "\n## Flows turned from allow to deny\n\n- TCP 443, 8443 to registry.example.com from 10.188.50.0/24 (deny)\n- TCP 443, 8443 to cdn.example.com from 10.188.50.0/24 (deny)\n\n```bash\n# after the change these should fail\n",
    );
    // A revision that does not exist is an error that says so.
    let out = fwreq(root, &["render", "requests/a.toml", "--since", "v9"]);
    assert_eq!(out.status.code(), Some(2));
    assert_starts(
        &stderr(&out),
        "fwreq: error: git show v9:./a.toml (in requests): ",
    );
}

#[test]
fn a_removal_ticket_for_an_expired_request() {
    let dir = common::folder_with(&[(
        "a.toml",
        &COMMENTED.replace(
            "requested_by",
            "ritm = \"RITM0194104\"\nreq = \"REQ0194058\"\nrequested_by",
        ),
    )]);
    let out = fwreq(
        dir.path(),
        &["render", "a.toml", "--removal", "--today", "2027-04-02"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("removal-after-expiry", stdout(&out));
}

/// `expires` is the last day the rules are needed: on that day they have
/// not expired yet, on the next they have.
#[test]
fn a_request_expires_after_its_last_day() {
    let dir = common::folder_with(&[("a.toml", COMMENTED)]);
    let reason = |today: &str| {
        let out = fwreq(
            dir.path(),
            &["render", "a.toml", "--removal", "--today", today],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        common::line_starting(&stdout(&out), "Reason: ")
    };
    assert_eq!(
        reason("2027-03-31"),
        "Reason: the rules are temporary and expire on 2027-03-31; remove them then, or recertify them with a new approval and a new `expires` date."
    );
    assert_eq!(
        reason("2027-04-01"),
        "Reason: the rules were temporary and expired on 2027-03-31; they are no longer needed and must be removed."
    );
}

#[test]
fn the_team_file_sets_defaults_that_the_command_line_overrides() {
    let dir = common::folder_with(&[(
        "fwreq.toml",
        "requested_by = \"Plant Network Team\"\nallow = [\"missing-source\"]\ndeny = [\"warnings\"]\nmax-port-range = 10\n",
    )]);
    let root = dir.path();
    let spec = format!(
        "{}[[rules]]\nports = [\"8000-8020\"]\ndestinations = [\"a.example.com\"]\n",
        common::HEADER
    );
    write(root, "requests/plant/a.toml", &spec);
    // deny = warnings from the team file: the wide range fails check.
    let out = fwreq(root, &["check", "requests", "--today", "2026-11-26"]);
    assert_eq!(out.status.code(), Some(1));
    common::assert_starts(
        &stderr(&out),
        "requests/plant/a.toml:8:10: error[wide-port-range]: port range 8000-8020 opens 21 ports (more than 10 ports)",
    );
    // The command line wins over the team file.
    let out = fwreq(
        root,
        &[
            "check",
            "requests",
            "--today",
            "2026-11-26",
            "--max-port-range",
            "50",
        ],
    );
    assert_eq!(
        (out.status.code(), stderr(&out)),
        (
            Some(0),
            "checked 1 request: 0 errors, 0 warnings\nteam file: fwreq.toml\n".to_string()
        )
    );
    // requested-by signs a request that has none.
    let out = fwreq(root, &["render", "requests/plant/a.toml"]);
    common::assert_ends(&stdout(&out), "\nPlant Network Team\n");
    // site uses the same team: its page has the signature and no missing-source warning.
    let out = fwreq(
        root,
        &["site", "requests", "-o", "out", "--today", "2026-11-26"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = fs::read_to_string(root.join("out/plant/a.html")).unwrap();
    common::assert_contains(&page, "<p>Plant Network Team</p>");
    // The team's max-port-range, and its deny = ["warnings"]: an error on
    // the page as in check (issue 29 made it one rule; it said warning here).
    assert!(
        page.contains("error[wide-port-range]"),
        "the team's max-port-range"
    );
    assert!(!page.contains("missing-source"), "the team's allow list");
    // A broken team file is reported at its value.
    write(
        root,
        "fwreq.toml",
        "allow = [\"missing-sorce\"]\ncolour = 1\n",
    );
    let out = fwreq(root, &["check", "requests", "--today", "2026-11-26"]);
    assert_eq!(out.status.code(), Some(1));
    common::assert_starts(
        &stderr(&out),
        "fwreq.toml:2:1: error: unknown field `colour`, expected one of `templates`, `requested-by`, `requested_by`, `allow`, `warn`, `deny`, `max-port-range`, `max_port_range`",
    );
    // Named on the command line, it is checked as a team file, not a request.
    write(root, "fwreq.toml", "allow = [\"missing-sorce\"]\n");
    common::assert_run(
        root,
        &["check", "fwreq.toml"],
        1,
        "fwreq.toml:1:10: error: unknown lint `missing-sorce`\n  |\n1 | allow = [\"missing-sorce\"]\n  |          ^^^^^^^^^^^^^^^\n  = help: did you mean `missing-source`?\nchecked 0 requests: 1 error, 0 warnings\n",
    );
}

#[test]
fn completions_and_the_man_page() {
    let out = fwreq(Path::new("."), &["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    let script = stdout(&out);
    assert!(script.contains("_fwreq()") && script.contains("record") && script.contains("--since"));
    let out = fwreq(Path::new("."), &["man"]);
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains(".TH fwreq"),
        "{}",
        &page[..200]
    );
    assert!(page.contains("Firewall change requests as code"));
}
