//! `fwreq verify`: rulesets written for the test (allow, deny, a shadowing
//! order, sets and ranges, a jump to a user chain, IPv6) and `implement
//! --target nftables` output loaded into namespaces the command makes itself,
//! with real packets; every verdict set beside the request's packet meaning.
//! Where this system allows no unprivileged user namespaces the tests say
//! `skipped` (and fail when `CI` is set, so CI cannot pass without them).

use crate::common;

use common::{HEADER, examples, fwreq_in, stderr, stdout};
use std::fs;
use std::path::Path;
use std::process::Command;

/// Whether `unshare -Urn` and nft work here; else says the test is skipped
/// (and fails it under CI).
pub fn namespaces() -> bool {
    let nft = ["/usr/sbin/nft", "/sbin/nft"]
        .iter()
        .any(|p| Path::new(p).exists())
        || Command::new("nft").arg("--version").output().is_ok();
    let unshare = Command::new("unshare")
        .args(["-Urn", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !(nft && unshare) {
        common::skip("verify needs unprivileged user namespaces (unshare -Urn) and nft");
    }
    nft && unshare
}

/// A request: an allow over a port range in both families, a deny, a UDP
/// service, and ICMP from any source to an address and a name.
const REQUEST: &str = r#"
[[rules]]
protocol = "tcp"
ports = [443, "8000-8100"]
sources = ["10.1.0.0/24", "2001:db8:1::/64"]
destinations = ["192.0.2.10", "2001:db8:2::10"]

[[rules]]
action = "deny"
protocol = "tcp"
ports = [22]
sources = ["10.1.0.0/24"]
destinations = ["192.0.2.10"]

[[rules]]
protocol = "udp"
ports = [53]
sources = ["10.1.0.0/24"]
destinations = ["192.0.2.53"]

[[rules]]
protocol = "icmp"
destinations = ["192.0.2.10", "ntp.example.com"]
"#;

/// The request as a firewall team would write it: a set, a range, a jump to
/// a user chain, IPv6, the deny as a reset above the allows, default drop.
const AGREEING: &str = r#"table inet edge {
	set web {
		type ipv4_addr
		flags interval
		elements = { 192.0.2.8/30 }
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ip saddr 10.1.0.0/24 tcp dport 22 reject with tcp reset
		jump web_in
		ip6 saddr 2001:db8:1::/64 ip6 daddr 2001:db8:2::10 tcp dport { 443, 8000-8100 } accept
		ip daddr 192.0.2.53 udp dport 53 accept
		icmp type echo-request accept
	}
	chain web_in {
		ip saddr 10.1.0.0/24 ip daddr @web tcp dport { 443, 8000-8100 } accept
	}
}
"#;

/// A ruleset nft refuses: a word it does not know on line 3.
const NOT_NFT: &str = "table inet edge {\n\tchain forward {\n\t\ttype filter hook forward priority filter; bogus\n\t}\n}\n";

/// A request of one flow: tcp 443 from 10.1.0.0/24 to 192.0.2.10.
const ONE_FLOW: &str = "\n[[rules]]\nprotocol = \"tcp\"\nports = [443]\nsources = [\"10.1.0.0/24\"]\ndestinations = [\"192.0.2.10\"]\n";

/// `fwreq verify req.toml --ruleset ruleset.nft ARGS` in a fresh folder.
fn verify(request: &str, ruleset: &str, args: &[&str]) -> (i32, String, String) {
    let dir = common::folder_with(&[
        ("req.toml", &format!("{HEADER}{request}")),
        ("ruleset.nft", ruleset),
    ]);
    let mut all = vec!["verify", "req.toml", "--ruleset", "ruleset.nft"];
    all.extend(args);
    let out = fwreq_in(dir.path(), &all);
    (out.status.code().unwrap(), stdout(&out), stderr(&out))
}

const TABLE_HEAD: &str = "RULE  PROTOCOL  DESTINATION      SOURCE         ADDRESS         PORT  REQUEST           RULESET";

#[test]
fn a_ruleset_that_does_what_the_request_says_agrees_packet_by_packet() {
    if !namespaces() {
        return;
    }
    let (code, out, err) = verify(REQUEST, AGREEING, &[]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(
        out,
        "Verify: t
Ruleset: ruleset.nft
Base chains: inet edge forward (forward)
How: real packets through the ruleset in namespaces of their own (fwreq 0.1.0, 1000 ms per packet)

RULE  PROTOCOL  DESTINATION      SOURCE         ADDRESS         PORT  REQUEST           RULESET                                                                    VERDICT  PASSED
1     tcp       192.0.2.10       10.1.0.1       192.0.2.10      443   allowed (rule 1)  answered                                                                   agrees   inet edge forward > inet edge web_in: accept
1     tcp       192.0.2.10       10.1.0.1       192.0.2.10      8000  allowed (rule 1)  answered                                                                   agrees   inet edge forward > inet edge web_in: accept
1     tcp       192.0.2.10       10.1.0.1       192.0.2.10      8050  allowed (rule 1)  answered                                                                   agrees   inet edge forward > inet edge web_in: accept
1     tcp       192.0.2.10       10.1.0.1       192.0.2.10      8100  allowed (rule 1)  answered                                                                   agrees   inet edge forward > inet edge web_in: accept
1     tcp       2001:db8:2::10   2001:db8:1::1  2001:db8:2::10  443   allowed (rule 1)  answered                                                                   agrees   inet edge forward: accept
1     tcp       2001:db8:2::10   2001:db8:1::1  2001:db8:2::10  8000  allowed (rule 1)  answered                                                                   agrees   inet edge forward: accept
1     tcp       2001:db8:2::10   2001:db8:1::1  2001:db8:2::10  8050  allowed (rule 1)  answered                                                                   agrees   inet edge forward: accept
1     tcp       2001:db8:2::10   2001:db8:1::1  2001:db8:2::10  8100  allowed (rule 1)  answered                                                                   agrees   inet edge forward: accept
2     tcp       192.0.2.10       10.1.0.1       192.0.2.10      22    denied (rule 2)   rejected (TCP reset or ICMP port unreachable)                              agrees   inet edge forward: drop
3     udp       192.0.2.53       10.1.0.1       192.0.2.53      53    allowed (rule 3)  answered                                                                   agrees   inet edge forward: accept
4     icmp      192.0.2.10       198.51.100.10  192.0.2.10      -     allowed (rule 4)  answered                                                                   agrees   inet edge forward: accept
4     icmp      ntp.example.com  -              -               -     allowed (rule 4)  not verifiable: a name: give --resolve ntp.example.com:ADDRESS to test it  -        -

11 of 11 packets agree with the request; 1 not verified
"
    );
}

/// The deny written below an allow that covers it: the firewall's first
/// match opens what the request denies, and verify says so (exit 1). The
/// range's upper end and the IPv6 side fall to the default drop.
#[test]
fn a_deny_below_the_allow_reports_the_denied_host_open() {
    if !namespaces() {
        return;
    }
    let shadowed = r#"table inet edge {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ip saddr 10.1.0.0/24 ip daddr 192.0.2.10 tcp dport 1-8099 accept
		ip saddr 10.1.0.0/24 tcp dport 22 drop
		udp dport 53 reject
		icmp type echo-request accept
	}
}
"#;
    let (code, out, _) = verify(REQUEST, shadowed, &[]);
    assert_eq!(code, 1, "{out}");
    // Each row with its cells' padding collapsed to one space.
    let rows: Vec<String> = out
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()) && !l.contains(" of "))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    common::assert_contains(&out, TABLE_HEAD);
    assert_eq!(
        rows,
        [
            "1 tcp 192.0.2.10 10.1.0.1 192.0.2.10 443 allowed (rule 1) answered agrees inet edge forward: accept",
            "1 tcp 192.0.2.10 10.1.0.1 192.0.2.10 8000 allowed (rule 1) answered agrees inet edge forward: accept",
            "1 tcp 192.0.2.10 10.1.0.1 192.0.2.10 8050 allowed (rule 1) answered agrees inet edge forward: accept",
            "1 tcp 192.0.2.10 10.1.0.1 192.0.2.10 8100 allowed (rule 1) dropped (no answer in 1000 ms) DIFFERS: blocked inet edge forward: policy drop",
            "1 tcp 2001:db8:2::10 2001:db8:1::1 2001:db8:2::10 443 allowed (rule 1) dropped (no answer in 1000 ms) DIFFERS: blocked inet edge forward: policy drop",
            "1 tcp 2001:db8:2::10 2001:db8:1::1 2001:db8:2::10 8000 allowed (rule 1) dropped (no answer in 1000 ms) DIFFERS: blocked inet edge forward: policy drop",
            "1 tcp 2001:db8:2::10 2001:db8:1::1 2001:db8:2::10 8050 allowed (rule 1) dropped (no answer in 1000 ms) DIFFERS: blocked inet edge forward: policy drop",
            "1 tcp 2001:db8:2::10 2001:db8:1::1 2001:db8:2::10 8100 allowed (rule 1) dropped (no answer in 1000 ms) DIFFERS: blocked inet edge forward: policy drop",
            "2 tcp 192.0.2.10 10.1.0.1 192.0.2.10 22 denied (rule 2) answered DIFFERS: open inet edge forward: accept",
            "3 udp 192.0.2.53 10.1.0.1 192.0.2.53 53 allowed (rule 3) rejected (ICMP port unreachable) DIFFERS: blocked inet edge forward: drop",
            "4 icmp 192.0.2.10 198.51.100.10 192.0.2.10 - allowed (rule 4) answered agrees inet edge forward: accept",
            "4 icmp ntp.example.com - - - allowed (rule 4) not verifiable: a name: give --resolve ntp.example.com:ADDRESS to test it - -",
        ]
    );
    common::assert_ends(
        &out,
        "\n4 of 11 packets agree with the request, 7 differ; 1 not verified\n",
    );
}

/// `implement --target nftables` of every example, loaded as it is, then
/// with a default drop (and replies let back): every packet verify can make
/// agrees with the request, and names are listed as not verifiable.
#[test]
fn implement_output_of_every_example_verifies_as_agreeing() {
    if !namespaces() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut verified = 0;
    for path in examples() {
        let request = fs::canonicalize(&path).unwrap();
        let request = request.to_str().unwrap();
        let out = fwreq_in(
            dir.path(),
            &[
                "implement",
                request,
                "--target",
                "nftables",
                "--allow-partial",
            ],
        );
        common::succeeded(&out);
        let text = stdout(&out);
        let strict = text.replace(
            "policy accept;",
            "policy drop;\n\t\tct state established,related accept",
        );
        assert_ne!(strict, text);
        for (name, ruleset) in [("as-is.nft", text), ("default-drop.nft", strict)] {
            fs::write(dir.path().join(name), ruleset).unwrap();
            let out = fwreq_in(
                dir.path(),
                &["verify", request, "--ruleset", name, "--format", "json"],
            );
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let summary = &json["summary"];
            assert_eq!(summary["differ"], 0, "{path:?} {name}: {json:#}");
            let agree = summary["agree"].as_u64().unwrap();
            assert_eq!(
                out.status.code(),
                Some(if agree > 0 { 0 } else { 2 }),
                "{path:?} {name}: {}",
                stderr(&out)
            );
            for row in json["rows"].as_array().unwrap() {
                if row["agrees"].is_null() {
                    assert_eq!(row["did"], "not-verifiable", "{row}");
                    assert!(
                        row["detail"]
                            .as_str()
                            .unwrap()
                            .starts_with("a name: give --resolve"),
                        "{row}"
                    );
                }
            }
            verified += agree;
        }
    }
    assert!(verified >= 20, "only {verified} packets verified");
    println!("implement --target nftables: {verified} packets of the examples agree");
}

/// `--before` on a draft whose flows the ruleset already carries: per packet
/// "already allowed: no firewall change needed", exit 0; one it does not
/// carry yet needs the change (exit 1).
#[test]
fn before_says_a_ruleset_that_already_allows_a_draft_needs_no_change() {
    if !namespaces() {
        return;
    }
    let draft = r#"
[[rules]]
protocol = "tcp"
ports = [443]
sources = ["10.1.0.0/24"]
destinations = ["192.0.2.10", "192.0.2.20"]
"#;
    let (code, out, _) = verify(draft, AGREEING, &["--before"]);
    assert_eq!(code, 1, "{out}");
    common::assert_contains(
        &out,
        "1     tcp       192.0.2.10   10.1.0.1  192.0.2.10  443   allowed (rule 1)  answered                        already allowed: no firewall change needed  inet edge forward > inet edge web_in: accept\n",
    );
    common::assert_contains(
        &out,
        "1     tcp       192.0.2.20   10.1.0.1  192.0.2.20  443   allowed (rule 1)  dropped (no answer in 1000 ms)  not yet allowed: needs the change           inet edge forward: policy drop\n",
    );
    common::assert_ends(
        &out,
        "\n1 of 2 packets already as the request wants, 1 needs the firewall change\n",
    );
    let carried = draft.replace(", \"192.0.2.20\"", "");
    let (code, out, _) = verify(&carried, AGREEING, &["--before"]);
    assert_eq!(code, 0, "{out}");
    common::assert_ends(
        &out,
        "\n1 of 1 packet already as the request wants: no firewall change needed\n",
    );
}

/// A ruleset that hooks only input and output filters nothing the request's
/// traffic crosses; one matching an interface the namespaces lack decides by
/// a name that never matches here. Both are reported, not guessed (exit 2);
/// naming the firewall's interfaces makes the second judgeable.
#[test]
fn rulesets_it_cannot_judge_are_reported_as_such() {
    if !namespaces() {
        return;
    }
    let host_only = "table inet host {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n\tchain output {\n\t\ttype filter hook output priority filter;\n\t}\n}\n";
    let (code, out, err) = verify(ONE_FLOW, host_only, &[]);
    assert_eq!(code, 2, "{out}");
    common::assert_contains(
        &out,
        "Base chains: inet host input (input), inet host output (output)\n",
    );
    common::assert_contains(
        &out,
        "Not judged: the ruleset hooks only input, output: it filters traffic to and from the firewall itself, not through it\n",
    );
    common::assert_contains(
        &out,
        "allowed (rule 1)  not judged  -        no chain of the ruleset\n",
    );
    assert_eq!(
        err,
        "fwreq: error: nothing could be verified (see the rows above)\n"
    );
    let interfaces = "table inet edge {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n\t\tiifname \"eth7\" drop\n\t}\n}\n";
    for (args, exit, row) in [
        (
            &[][..],
            2,
            "Not judged: the ruleset matches interfaces that do not exist here (eth7); name the firewall's interfaces with --source-interface and --destination-interface\n",
        ),
        (
            &["--source-interface", "eth7"],
            1,
            "dropped (no answer in 1000 ms)  DIFFERS: blocked  inet edge forward: drop\n",
        ),
    ] {
        let (code, out, _) = verify(ONE_FLOW, interfaces, args);
        assert_eq!(code, exit, "{args:?}: {out}");
        common::assert_contains(&out, row);
    }
}

/// Names are tested through `--resolve`, as probe does.
#[test]
fn a_name_is_verified_through_resolve() {
    if !namespaces() {
        return;
    }
    let (code, out, _) = verify(
        REQUEST,
        AGREEING,
        &["--resolve", "ntp.example.com:192.0.2.99"],
    );
    assert_eq!(code, 0, "{out}");
    common::assert_contains(
        &out,
        "4     icmp      ntp.example.com  198.51.100.10  192.0.2.99      -     allowed (rule 4)  answered                                       agrees   inet edge forward: accept\n",
    );
    common::assert_ends(&out, "\n12 of 12 packets agree with the request\n");
}

/// A ruleset nft refuses is an error at its file, line and column (exit 2).
#[test]
fn a_ruleset_nft_refuses_is_an_error_naming_its_place() {
    if !namespaces() {
        return;
    }
    let (code, out, err) = verify(REQUEST, NOT_NFT, &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    common::assert_starts(
        &err,
        "fwreq: error: nft refused the ruleset:\nruleset.nft:3:",
    );
}

/// Without namespaces (here: no unshare on the PATH) nothing is verified,
/// and the message says how to allow them (exit 2). Runs everywhere.
#[test]
fn without_namespaces_it_says_how_to_allow_them() {
    let dir = common::folder_with(&[
        ("req.toml", &format!("{HEADER}{REQUEST}")),
        ("ruleset.nft", AGREEING),
    ]);
    let out = assert_cmd::cargo::cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["verify", "req.toml", "--ruleset", "ruleset.nft"])
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!((out.status.code(), stdout(&out).as_str()), (Some(2), ""));
    assert_eq!(
        stderr(&out),
        "fwreq: error: nothing could be verified: this system does not allow the namespaces (cannot run unshare (util-linux): No such file or directory (os error 2)); verify needs unprivileged user namespaces (`unshare -Urn true` must work): allow them with `sysctl kernel.unprivileged_userns_clone=1` (Debian), or `sysctl kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 24.04), and make sure util-linux's unshare, iproute2's ip and nft are installed\n"
    );
}

/// A request of 100 flows (half of them dropped, so the timeout counts) is
/// verified in a few seconds: every packet is sent at once.
#[test]
fn a_request_of_100_flows_is_verified_at_once() {
    if !namespaces() {
        return;
    }
    let destinations: Vec<String> = (1..=100).map(|i| format!("\"192.0.2.{i}\"")).collect();
    let request = format!(
        "\n[[rules]]\nprotocol = \"tcp\"\nports = [443]\nsources = [\"10.1.0.0/24\"]\ndestinations = [{}]\n",
        destinations.join(", ")
    );
    let ruleset = "table inet edge {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tct state established,related accept\n\t\tip daddr 192.0.2.1-192.0.2.50 accept\n\t}\n}\n";
    let started = std::time::Instant::now();
    let (code, out, _) = verify(&request, ruleset, &[]);
    let took = started.elapsed();
    assert_eq!(code, 1, "{out}");
    common::assert_ends(
        &out,
        "\n50 of 100 packets agree with the request, 50 differ\n",
    );
    println!("verify: 100 flows (50 dropped, 1 s timeout) in {took:?}");
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

/// A folder with a team file naming the firewall's ruleset, a draft and a
/// submitted request.
fn team_folder() -> tempfile::TempDir {
    let dir = common::folder_with(&[("fwreq.toml", "[verify]\nruleset = \"rulesets/edge.nft\"\n")]);
    fs::create_dir(dir.path().join("rulesets")).unwrap();
    fs::write(dir.path().join("rulesets/edge.nft"), AGREEING).unwrap();
    let draft = "\n[[rules]]\nprotocol = \"tcp\"\nports = [443]\nsources = [\"10.1.0.0/24\"]\ndestinations = [\"192.0.2.10\"]\n";
    fs::write(dir.path().join("draft.toml"), format!("{HEADER}{draft}")).unwrap();
    fs::write(
        dir.path().join("filed.toml"),
        format!("{HEADER}status = \"submitted\"\n{draft}"),
    )
    .unwrap();
    dir
}

/// `check` points a valid draft to `verify --before` when the team file
/// names a ruleset (`[verify] ruleset`); a filed request gets no hint, and a
/// team file without one none at all. It sends no packets itself.
#[test]
fn check_points_a_draft_to_verify_before_when_the_team_names_a_ruleset() {
    let dir = team_folder();
    common::assert_run(
        dir.path(),
        &["check", "draft.toml", "filed.toml"],
        0,
        "checked 2 requests: 0 errors, 0 warnings\nteam file: fwreq.toml\nhint: 1 draft may already be allowed by the firewall's ruleset rulesets/edge.nft; `fwreq verify --before draft.toml` tells (then no firewall change is needed)\n",
    );
    fs::write(dir.path().join("fwreq.toml"), "").unwrap();
    let out = fwreq_in(dir.path(), &["check", "draft.toml"]);
    assert_eq!(
        stderr(&out),
        "checked 1 request: 0 errors, 0 warnings\nteam file: fwreq.toml\n"
    );
    fs::write(
        dir.path().join("fwreq.toml"),
        "[verify]\nrulset = \"edge.nft\"\n",
    )
    .unwrap();
    let (code, _, err) = common::run(dir.path(), &["check", "draft.toml"]);
    assert_eq!(code, 1, "{err}");
    common::assert_starts(
        &err,
        "fwreq.toml:2:1: error: unknown field `rulset`, expected `ruleset`",
    );
}

/// Without `--ruleset`, verify reads the one the team file names.
#[test]
fn verify_reads_the_teams_ruleset_without_ruleset() {
    if !namespaces() {
        return;
    }
    let dir = team_folder();
    let (code, text, err) = common::run(dir.path(), &["verify", "--before", "draft.toml"]);
    assert_eq!(code, 0, "{err}");
    common::assert_contains(&text, "\nRuleset: rulesets/edge.nft\n");
    common::assert_ends(
        &text,
        "\n1 of 1 packet already as the request wants: no firewall change needed\n",
    );
    fs::write(dir.path().join("fwreq.toml"), "").unwrap();
    common::assert_run(
        dir.path(),
        &["verify", "draft.toml"],
        2,
        "fwreq: error: no ruleset for draft.toml: give --ruleset RULESET.nft, or name the firewall's in fwreq.toml ([verify] ruleset = \"...\")\n",
    );
}

/// A ruleset the team file names is read only if it is a regular file: a
/// FIFO (or `/dev/zero`) in a hostile repository would hang verify or fill
/// its memory. Refused before any namespace is made.
#[test]
fn a_ruleset_that_is_not_a_regular_file_is_refused_unread() {
    let dir = team_folder();
    let fifo = dir.path().join("rulesets/edge.nft");
    fs::remove_file(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let (code, out, err) = common::run(dir.path(), &["verify", "draft.toml"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    common::assert_contains(
        &err,
        "is not a regular file (a FIFO, device or /proc file?); it was not read",
    );
}

/// The ruleset from stdin (`-`), the evidence as Markdown for the ticket and
/// as JSON for scripts: the same rows.
#[test]
fn the_ruleset_comes_from_stdin_and_the_evidence_as_markdown_or_json() {
    if !namespaces() {
        return;
    }
    let dir = common::request_in("req.toml", ONE_FLOW);
    let run = |format: &str| {
        assert_cmd::cargo::cargo_bin_cmd!("fwreq")
            .current_dir(dir.path())
            .args(["verify", "req.toml", "--ruleset", "-", "--format", format])
            .write_stdin(AGREEING)
            .output()
            .unwrap()
    };
    let out = run("markdown");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "### Verify: t

- Ruleset: stdin
- Base chains: inet edge forward (forward)
- How: real packets through the ruleset in namespaces of their own (fwreq {}, 1000 ms per packet)

| Rule | Protocol | Destination | Source | Address | Port | Request | Ruleset | Verdict | Passed |
|---|---|---|---|---|---|---|---|---|---|
| 1 | tcp | `192.0.2.10` | `10.1.0.1` | `192.0.2.10` | 443 | allowed (rule 1) | answered | agrees | inet edge forward > inet edge web_in: accept |

1 of 1 packet agrees with the request.
",
            env!("CARGO_PKG_VERSION")
        )
    );
    let out = run("json");
    assert_eq!(stderr(&out), "1 of 1 packet agrees with the request\n");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["rows"][0],
        serde_json::json!({
            "rule": 1, "action": "allow", "protocol": "tcp",
            "destination": "192.0.2.10", "host": "192.0.2.10",
            "source": "10.1.0.1", "address": "192.0.2.10", "port": 443,
            "wants": "allowed", "by_rule": 1, "did": "answered", "agrees": true,
            "passed": "inet edge forward > inet edge web_in: accept"
        })
    );
    assert_eq!(
        json["summary"],
        serde_json::json!({"packets": 1, "agree": 1, "differ": 0, "not_verified": 0})
    );
}

/// A ruleset that also guards the firewall itself (input policy drop, as
/// most do) still forwards what its forward chain allows, IPv6 included:
/// the namespaces' neighbours are static, so the firewall needs no neighbour
/// discovery through its own input hook.
#[test]
fn a_ruleset_guarding_the_firewall_itself_still_forwards_ipv6() {
    if !namespaces() {
        return;
    }
    let guarded = AGREEING.replace(
        "\tchain web_in {",
        "\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n\tchain web_in {",
    );
    let (code, out, _) = verify(REQUEST, &guarded, &[]);
    assert_eq!(code, 0, "{out}");
    common::assert_contains(
        &out,
        "Base chains: inet edge forward (forward), inet edge input (input)\n",
    );
    common::assert_ends(
        &out,
        "\n11 of 11 packets agree with the request; 1 not verified\n",
    );
}
