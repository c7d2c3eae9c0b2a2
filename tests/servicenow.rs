//! Submitting to ServiceNow and keeping git in step, against a fake instance:
//! an HTTP server on 127.0.0.1 that these tests start, which implements the
//! documented endpoints and shapes and records every request it received,
//! so each test asserts the exact calls fwreq made.

// Test helpers may panic: a panic is how a test reports failure.
#![allow(clippy::unwrap_used)]

mod common;

use common::{HEADER, git, stderr};
use std::fs;

/// `check` in a repository whose team file is `team`: the exit code and the
/// team file's diagnostics' first lines.
fn team_errors(team: &str) -> (i32, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    fs::write(dir.path().join("fwreq.toml"), team).unwrap();
    fs::write(
        dir.path().join("a.toml"),
        format!("{HEADER}[[rules]]\nports = [443]\nsources = [\"10.0.0.1\"]\ndestinations = [\"example.com\"]\n"),
    )
    .unwrap();
    let out = common::fwreq_in(dir.path(), &["check", "a.toml"]);
    let firsts = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("fwreq.toml:"))
        .map(str::to_string)
        .collect();
    (out.status.code().unwrap(), firsts)
}

#[test]
fn mistakes_in_the_servicenow_table_are_located_in_the_team_file() {
    let (code, errors) = team_errors(
        r#"[servicenow]
instance = "http://acme.service-now.com"
catalog-item = "not-a-sys-id"

[servicenow.variables]
short_description = "{{ titel }}"
description = "{{ markdown"
u_owner = "{{ requested_by }} for {{ project }}"

[servicenow.status.state]
3 = "done"
"#,
    );
    assert_eq!(
        (code, errors),
        (
            1,
            vec![
                "fwreq.toml:2:12: error: `http://acme.service-now.com` is plain http: credentials would cross the network unencrypted".to_string(),
                "fwreq.toml:3:16: error: `not-a-sys-id` is not a sys_id".to_string(),
                "fwreq.toml:7:15: error: template error: syntax error: unexpected end of input, expected end of variable block (in <string>:1)".to_string(),
                "fwreq.toml:6:21: error: unknown name `titel` in a variable template".to_string(),
                "fwreq.toml:11:5: error: `done` is not a status".to_string(),
            ]
        )
    );
}

#[test]
fn a_good_servicenow_table_passes_check() {
    let (code, errors) = team_errors(
        "[servicenow]\ninstance = \"https://acme.service-now.com\"\ncatalog-item = \"0123456789abcdef0123456789ABCDEF\"\n[servicenow.variables]\nu_rules = \"{% for r in rules %}{{ r.protocol }} {% endfor %}{{ flows | length }}\"\n[servicenow.status.approval]\nrequested = \"submitted\"\n",
    );
    assert_eq!((code, errors), (0, vec![]));
}
