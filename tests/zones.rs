//! Zones as a team keeps them in `fwreq.toml`, and every place a flow's zones
//! and verdict show: `check`'s lints, the ticket, the JSON, `list`, change
//! tickets, and the renewal of a temporary request, in real temporary git
//! repositories.

use crate::common;

use common::{HEADER, fwreq_in as fwreq, git, stderr, stdout};
use std::fs;
use std::path::Path;

const TEAM: &str = r#"[zones]
plant-k8s = ["10.188.50.0/24", "2001:db8:50::/64"]
plant-ot = ["10.40.12.0/24"]
corp = ["10.0.0.0/8", "*.corp.example"]

[[zone_policy]]
from = "plant-k8s"
to = "internet"
protocol = "tcp"
ports = [443]
verdict = "allowed"

[[zone_policy]]
from = "plant-ot"
to = "internet"
verdict = "forbidden"

[[zone_policy]]
from = "*"
to = "corp"
verdict = "allowed"
"#;

/// A repository with the team file and `a.toml` holding `rules`.
fn repo(rules: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    fs::write(dir.path().join("fwreq.toml"), TEAM).unwrap();
    fs::write(dir.path().join("a.toml"), format!("{HEADER}{rules}")).unwrap();
    dir
}

fn check(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = fwreq(
        dir,
        &[&["check", "a.toml", "--today", "2026-11-26"][..], args].concat(),
    );
    (out.status.code().unwrap(), stderr(&out))
}

const OT_TO_INTERNET: &str = "[[rules]]\nprotocol = \"udp\"\nports = [123]\nsources = [\"10.40.12.0/24\"]\ndestinations = [\"pool.ntp.org\"]\n";

#[test]
fn a_forbidden_flow_is_an_error_naming_both_zones_and_the_entry() {
    let dir = repo(OT_TO_INTERNET);
    let (code, said) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        said,
        "a.toml:11:17: error[zone-forbidden]: `pool.ntp.org` udp 123 goes plant-ot -> internet, which fwreq.toml:13 forbids
   |
11 | destinations = [\"pool.ntp.org\"]
   |                 ^^^^^^^^^^^^^^
  = help: this flow needs another way (a proxy, a DMZ host), or an exception approved and allowed here with the reason
checked 1 request: 1 error, 0 warnings
team file: fwreq.toml
"
    );
    // Allowed like any lint, on the command line or in the request.
    assert_eq!(check(dir.path(), &["--allow", "zone-forbidden"]).0, 0);
}

#[test]
fn review_is_off_until_a_team_or_the_command_line_turns_it_on() {
    let dir = repo(
        "[[rules]]\nports = [443, 8443]\nsources = [\"10.188.50.0/24\"]\ndestinations = [\"registry.example.com\"]\n",
    );
    assert_eq!(
        check(dir.path(), &[]),
        (
            0,
            "checked 1 request: 0 errors, 0 warnings\nteam file: fwreq.toml\n".into()
        )
    );
    let (code, said) = check(dir.path(), &["--warn", "zone-review"]);
    assert_eq!(code, 0);
    common::assert_starts(
        &said,
        "a.toml:10:17: warning[zone-review]: `registry.example.com` tcp 443, 8443 goes plant-k8s -> internet, which needs a security review (no [[zone_policy]] entry pre-approves it)\n",
    );
    fs::write(
        dir.path().join("fwreq.toml"),
        format!("warn = [\"zone-review\"]\n{TEAM}"),
    )
    .unwrap();
    assert!(check(dir.path(), &[]).1.contains("warning[zone-review]"));
}

#[test]
fn a_source_in_no_zone_is_named() {
    let (code, said) = check(
        repo("[[rules]]\nports = [443]\nsources = [\"192.0.2.0/24\"]\ndestinations = [\"ntp1.corp.example\"]\n").path(),
        &[],
    );
    assert_eq!(code, 0);
    common::assert_starts(
        &said,
        "a.toml:9:12: warning[unknown-zone]: source `192.0.2.0/24` is in none of the team's zones: judged as `internet`\n",
    );
}

/// `check` with `team` as the team file: its exit code and the first lines
/// of the team file's diagnostics.
fn team_errors(team: &str) -> (i32, Vec<String>) {
    let dir = repo(OT_TO_INTERNET);
    fs::write(dir.path().join("fwreq.toml"), team).unwrap();
    let (code, said) = check(dir.path(), &[]);
    let firsts = said
        .lines()
        .filter(|l| l.starts_with("fwreq.toml:"))
        .map(str::to_string)
        .collect();
    (code, firsts)
}

#[test]
fn mistakes_in_zones_are_located_in_the_team_file() {
    let lab = "[zones]\nk8s = [\"2001:db8:50::/64\"]\nlab = [\"2001:db8:50::/64\"]\n[[zone_policy]]\nfrom = \"k8\"\nto = \"internet\"\n";
    assert_eq!(
        team_errors(&format!("{lab}verdict = \"maybe\"\n")),
        (
            1,
            vec![
                "fwreq.toml:7:11: error: unknown variant `maybe`, expected one of `allowed`, `review`, `forbidden`".to_string()
            ]
        )
    );
    assert_eq!(
        team_errors(&format!("{lab}verdict = \"review\"\n")),
        (
            1,
            vec![
                "fwreq.toml:3:8: error: 2001:db8:50::/64 is in zone `k8s` already; a network belongs to one zone".to_string(),
                "fwreq.toml:5:8: error: no zone `k8`".to_string(),
            ]
        )
    );
}

#[test]
fn the_ticket_the_json_and_list_show_each_rules_zones() {
    let dir = repo(
        "[[rules]]\nports = [443]\nsources = [\"10.188.50.0/24\", \"2001:db8:50::/64\"]\ndestinations = [\"registry.example.com\", \"*.eu.corp.example\"]\n",
    );
    let out = fwreq(dir.path(), &["render", "a.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    common::assert_contains(
        &stdout(&out),
        "\n- Action: Allow\n- Zones: plant-k8s -> corp, pre-approved; plant-k8s -> internet, pre-approved\n",
    );
    let out = fwreq(dir.path(), &["render", "a.toml", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["zones"][0][1],
        serde_json::json!({"from": "plant-k8s", "to": "internet", "verdict": "allowed", "by": "fwreq.toml:6", "text": "plant-k8s -> internet, pre-approved"})
    );
    let out = fwreq(dir.path(), &["list", ".", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json[0]["zones"],
        serde_json::json!([
            "plant-k8s -> corp, pre-approved",
            "plant-k8s -> internet, pre-approved"
        ])
    );
}

#[test]
fn a_change_ticket_says_when_new_ports_get_another_verdict() {
    let rules = "[[rules]]\nports = [443]\nsources = [\"10.188.50.0/24\"]\ndestinations = [\"registry.example.com\"]\n";
    let dir = repo(rules);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "first"]);
    fs::write(
        dir.path().join("a.toml"),
        format!("{HEADER}{}", rules.replace("[443]", "[443, 8443]")),
    )
    .unwrap();
    let out = fwreq(dir.path(), &["render", "a.toml", "--since", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ticket = stdout(&out);
    common::assert_contains(
        &ticket,
        "\n- TCP 8443 to registry.example.com from 10.188.50.0/24 (allow; plant-k8s -> internet, needs review)\n",
    );
    common::assert_contains(
        &ticket,
        "\n## Zone verdicts that change\n\n- TCP 8443 to registry.example.com: needs review, where 443 was pre-approved\n",
    );
}

#[test]
fn renew_moves_expires_and_prints_the_renewal_ticket() {
    let dir = repo(
        "expires = 2027-01-31 # the trial\n[[rules]]\nports = [443]\nsources = [\"10.188.50.0/24\"]\ndestinations = [\"registry.example.com\"]\n",
    );
    let before = fs::read_to_string(dir.path().join("a.toml")).unwrap();
    let renew = |args: &[&str]| {
        fwreq(
            dir.path(),
            &[&["renew", "a.toml", "--today", "2026-12-01"][..], args].concat(),
        )
    };
    // Refused, file unchanged: not later than now, no reason.
    let out = renew(&["--until", "2027-01-15", "--reason", "longer"]);
    assert_eq!(
        (out.status.code(), stderr(&out).as_str()),
        (
            Some(2),
            "fwreq: error: --until 2027-01-15: the request already runs until 2027-01-31; a renewal moves it later (a.toml is unchanged)\n"
        )
    );
    let out = renew(&["--until", "2027-06-30", "--reason", " "]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(dir.path().join("a.toml")).unwrap(),
        before
    );
    // Renewed: one value changed, its comment kept, and the ticket printed.
    let out = renew(&[
        "--until",
        "2027-06-30",
        "--reason",
        "The vendor extended the trial.",
    ]);
    assert_eq!(
        (out.status.code(), stderr(&out).as_str()),
        (Some(0), "a.toml: expires 2027-01-31 -> 2027-06-30\n")
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("a.toml")).unwrap(),
        before.replace(
            "expires = 2027-01-31 # the trial",
            "expires = 2027-06-30 # the trial"
        )
    );
    assert_eq!(
        stdout(&out),
        "# Renew: t

Project: p

Reason: The vendor extended the trial.

The rules were to be removed after 2027-01-31; they stay in place until 2027-06-30.

Affected Application: a

## Rules that stay in place

- TCP 443 to registry.example.com from 10.188.50.0/24 (allow; plant-k8s -> internet, pre-approved)

## Details

```bash
# these should still connect
curl -vv telnet://registry.example.com:443

sudo tcpdump -i any -nn dst host registry.example.com
```
"
    );
    // `expiring` says what to do with each entry.
    let out = fwreq(dir.path(), &["expiring", ".", "--today", "2027-06-01"]);
    common::assert_starts(&stderr(&out), &common::renew_or_remove("./a.toml"));
}

#[test]
fn without_zones_nothing_is_judged() {
    let dir = repo(
        "[[rules]]\nports = [443]\nsources = [\"10.40.12.0/24\"]\ndestinations = [\"pool.ntp.org\"]\n",
    );
    fs::write(dir.path().join("fwreq.toml"), "max-port-range = 10\n").unwrap();
    let out = fwreq(dir.path(), &["render", "a.toml"]);
    assert!(!stdout(&out).contains("Zones:"), "{}", stdout(&out));
    let out = fwreq(dir.path(), &["render", "a.toml", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["zones"], serde_json::json!([]));
    assert_eq!(
        check(dir.path(), &["--warn", "zone-review"]),
        (
            0,
            "checked 1 request: 0 errors, 0 warnings\nteam file: fwreq.toml\n".into()
        )
    );
}

/// Issue #30, case 3: a rule without `sources` is from any source. The
/// ticket says so, it is judged from every zone (not the test host's alone,
/// so a zone the team forbids is caught), and the request cannot silence
/// `missing-source` on its own while the team has zones.
#[test]
fn no_sources_is_any_source_in_the_ticket_the_zones_and_the_lint() {
    let dir = repo(
        "allow = [\"missing-source\"]\n[[rules]]\nports = [443]\ndestinations = [\"registry.example.com\"]\n[test]\nhost = \"ops@10.188.50.201\"\n",
    );
    let (code, said) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    let located: Vec<&str> = said.lines().filter(|l| l.starts_with("a.toml:")).collect();
    assert_eq!(
        located,
        [
            "a.toml:8:1: warning[missing-source]: this rule has no `sources`: it would open the path from any host",
            "a.toml:10:17: error[zone-forbidden]: `registry.example.com` tcp 443 goes plant-ot -> internet, which fwreq.toml:13 forbids",
        ]
    );
    // The team (or the command line) still may.
    assert_eq!(
        check(
            dir.path(),
            &["--allow", "missing-source", "--allow", "zone-forbidden"]
        )
        .0,
        0
    );
    let out = fwreq(dir.path(), &["render", "a.toml"]);
    let ticket = stdout(&out);
    assert!(
        ticket
            .contains("Request TCP access on port 443 from any source to registry.example.com.\n"),
        "{ticket}"
    );
    common::assert_contains(
        &ticket,
        "- Zones: corp -> internet, needs review; internet -> internet, needs review; plant-k8s -> internet, pre-approved; plant-ot -> internet, forbidden\n- Sources: any\n- Destinations:\n",
    );
}

/// Issue #30, case 5: a deny rule that blocks a forbidden flow is what the
/// policy wants (no `zone-forbidden`, no `zone-review`); one name pattern in
/// two zones, in any case, is an error at its line of the team file.
#[test]
fn a_deny_of_a_forbidden_flow_is_fine_and_a_pattern_belongs_to_one_zone() {
    let dir = repo(&OT_TO_INTERNET.replace("[[rules]]\n", "[[rules]]\naction = \"deny\"\n"));
    assert_eq!(
        check(dir.path(), &["--warn", "zone-review"]),
        (
            0,
            "checked 1 request: 0 errors, 0 warnings\nteam file: fwreq.toml\n".to_string()
        )
    );
    assert_eq!(
        team_errors(&TEAM.replace(
            "corp = [\"10.0.0.0/8\", \"*.corp.example\"]",
            "corp = [\"10.0.0.0/8\", \"*.corp.example\"]\nit = [\"*.CORP.Example\"]"
        )),
        (
            1,
            vec![
                "fwreq.toml:5:7: error: `*.CORP.Example` is in zone `corp` already (as `*.corp.example`); a name pattern belongs to one zone".to_string()
            ]
        )
    );
}

/// Issue #30, case 6: `implement` applies the team's zone verdict as `check`
/// does. A forbidden request is refused (nothing on stdout, exit 1) unless
/// `--despite-zone-policy`, and then its output opens by saying so.
#[test]
fn implement_refuses_a_forbidden_request_unless_forced_and_says_so() {
    let dir = repo(OT_TO_INTERNET);
    let out = fwreq(
        dir.path(),
        &["implement", "a.toml", "--target", "fortigate"],
    );
    assert_eq!((out.status.code(), stdout(&out).as_str()), (Some(1), ""));
    let err = stderr(&out);
    common::assert_starts(
        &err,
        "a.toml:11:17: error[zone-forbidden]: `pool.ntp.org` udp 123 goes plant-ot -> internet, which fwreq.toml:13 forbids\n",
    );
    common::assert_ends(
        &err,
        "fwreq: a.toml: the team's zone policy forbids 1 flow; nothing was written (--despite-zone-policy writes it anyway)\n",
    );
    let out = fwreq(
        dir.path(),
        &[
            "implement",
            "a.toml",
            "--target",
            "fortigate",
            "--despite-zone-policy",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    common::assert_starts(
        &stdout(&out),
        "# WRITTEN DESPITE THE ZONE POLICY (--despite-zone-policy): `pool.ntp.org` udp 123 goes plant-ot -> internet, which fwreq.toml:13 forbids\n# fwreq implement --target fortigate: file-a-e40c292c, t\n",
    );
    // An allowed flow is written as before.
    let dir = repo(&OT_TO_INTERNET.replace("pool.ntp.org", "ntp1.corp.example"));
    let out = fwreq(
        dir.path(),
        &["implement", "a.toml", "--target", "fortigate"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
