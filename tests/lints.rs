//! Each lint fires on a minimal request, at the exact value, and the clean
//! examples in requests/ stay quiet.

use crate::common;

use assert_cmd::cargo::cargo_bin_cmd;
use common::HEADER;
use std::fs;

/// The date every test judges expiry against.
const TODAY: &str = "2026-11-26";

/// `fwreq check` on one spec text, judged on `TODAY`; returns (exit code, stderr).
fn check(text: &str, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["--today", TODAY];
    args.extend_from_slice(extra);
    common::check(text, &args)
}

/// The `PATH:LINE:COL: ...` lines of the output.
fn first_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("req.toml:"))
        .collect()
}

/// A rule with a source (so `missing-source` stays quiet) and the given lines.
fn rule(body: &str) -> String {
    format!("{HEADER}[[rules]]\nsources = [\"10.1.2.0/24\"]\n{body}\n")
}

#[test]
fn each_lint_fires_at_its_value() {
    let cases: Vec<(String, &[&str])> = vec![
        (
            rule(
                "ports = [443]\ndestinations = [{ host = \"*example.com\", probe = \"a.example.com\" }]",
            ),
            &[
                "req.toml:10:26: warning[wildcard-without-dot]: `*example.com` also matches names such as `evilexample.com`",
            ],
        ),
        (
            rule("ports = [443]\ndestinations = [{ host = \"*.co.uk\", probe = \"shop.co.uk\" }]"),
            &[
                "req.toml:10:26: warning[wildcard-public-suffix]: `*.co.uk` opens every name under the public suffix `co.uk` (a registry suffix: anyone can register a name under it)",
            ],
        ),
        (
            rule(
                "ports = [443]\ndestinations = [{ host = \"*.amazonaws.com\", probe = \"s3.amazonaws.com\" }]",
            ),
            &[
                "req.toml:10:26: warning[wildcard-public-suffix]: `*.amazonaws.com` covers the public suffix `s3.amazonaws.com` and 582 more (a provider suffix: any customer of that provider can host content under it)",
            ],
        ),
        (
            // Not in the stale 2.3.0 list: every Azure customer publishes files there.
            rule(
                "ports = [443]\ndestinations = [{ host = \"*.blob.core.windows.net\", probe = \"acct.blob.core.windows.net\" }]",
            ),
            &[
                "req.toml:10:26: warning[wildcard-public-suffix]: `*.blob.core.windows.net` opens every name under the public suffix `blob.core.windows.net` (a provider suffix: any customer of that provider can host content under it)",
            ],
        ),
        (
            rule(
                "ports = [443]\ndestinations = [{ host = \"*.core.windows.net\", probe = \"acct.blob.core.windows.net\" }]",
            ),
            &[
                "req.toml:10:26: warning[wildcard-public-suffix]: `*.core.windows.net` covers the public suffix `web.core.windows.net` and 2 more (a provider suffix: any customer of that provider can host content under it)",
            ],
        ),
        (
            // A Unicode suffix is found whether written in Unicode or punycode.
            rule(
                "ports = [443]\ndestinations = [{ host = \"*.公司.cn\", probe = \"a.公司.cn\" }, { host = \"*.xn--55qx5d.cn\", probe = \"b.xn--55qx5d.cn\" }]",
            ),
            &[
                "req.toml:10:26: warning[wildcard-public-suffix]: `*.公司.cn` opens every name under the public suffix `公司.cn` (xn--55qx5d.cn) (a registry suffix: anyone can register a name under it)",
                "req.toml:10:67: warning[duplicate-destination]: `*.xn--55qx5d.cn` is already covered by `*.公司.cn` (line 10) for the same sources and tcp ports",
                "req.toml:10:67: warning[wildcard-public-suffix]: `*.xn--55qx5d.cn` opens every name under the public suffix `公司.cn` (xn--55qx5d.cn) (a registry suffix: anyone can register a name under it)",
            ],
        ),
        (
            rule("ports = [443]\ndestinations = [\"*.example.com\"]"),
            &[
                "req.toml:10:17: warning[wildcard-without-probe]: `*.example.com` has no probe: its checks test the apex `example.com`, which the wildcard does not match",
            ],
        ),
        (
            rule(
                "ports = [443]\ndestinations = [{ host = \"*.plant.corp\", probe = \"mes.plant.corp\" }]",
            ),
            &[
                "req.toml:10:26: warning[private-destination-wildcard]: `*.plant.corp` opens every host in the internal zone `.corp`",
            ],
        ),
        (
            rule("ports = [443]\ndestinations = [\"10.20.0.0/16\"]"),
            &[
                "req.toml:10:17: warning[broad-private-range]: destination `10.20.0.0/16` spans a whole private network (10.0.0.0/8, /16 or wider)",
            ],
        ),
        (
            rule(
                "ports = [443]\ndestinations = [\"127.0.0.1\", \"169.254.169.254\", \"fe80::/64\"]",
            )
            .replace("[\"10.1.2.0/24\"]", "[\"10.1.2.0/24\", \"2001:db8::/64\"]"),
            &[
                "req.toml:10:17: warning[reserved-destination]: destination `127.0.0.1` is a loopback address (127.0.0.0/8): it never crosses a corporate firewall",
                "req.toml:10:30: warning[reserved-destination]: destination `169.254.169.254` is link-local (169.254.0.0/16, where cloud metadata services answer): it never crosses a corporate firewall",
                "req.toml:10:49: warning[reserved-destination]: destination `fe80::/64` is link-local (fe80::/10): it never crosses a corporate firewall",
            ],
        ),
        (
            rule("ports = [443, 80]\ndestinations = [\"a.example.com\"]"),
            &[
                "req.toml:9:15: warning[cleartext-port]: tcp port 80: port 80 is plain HTTP: is 443 alone enough?",
            ],
        ),
        (
            // ICMP has no ports: an allow and a deny of it always overlap.
            rule(
                "protocol = \"icmp\"\ndestinations = [\"a.example.com\"]\n[[rules]]\naction = \"deny\"\nsources = [\"10.1.2.0/24\"]\nprotocol = \"icmp\"\ndestinations = [\"a.example.com\"]",
            ),
            &[
                "req.toml:15:17: warning[allow-deny-overlap]: `a.example.com` icmp is allowed by rule 1 (line 10) and denied by rule 2 (line 15): the deny wins, so the firewall must keep the deny rule first",
            ],
        ),
        (
            // A deny inside an allowed range (issue #30, case 1): the deny
            // wins only while the firewall keeps it above the allow.
            rule(
                "ports = [443]\ndestinations = [\"198.51.100.0/24\"]\n[[rules]]\naction = \"deny\"\nsources = [\"10.1.2.0/24\"]\nports = [443]\ndestinations = [\"198.51.100.10\"]",
            ),
            &[
                "req.toml:15:17: warning[allow-deny-overlap]: `198.51.100.10` tcp 443 is denied by rule 2 (line 15) inside `198.51.100.0/24`, which rule 1 allows (line 10): the deny wins, so the firewall must keep the deny rule first",
            ],
        ),
        (
            // A name under an allowed wildcard, denied.
            rule(
                "ports = [443]\ndestinations = [{ host = \"*.example.com\", probe = \"a.example.com\" }]\n[[rules]]\naction = \"deny\"\nsources = [\"10.1.2.0/24\"]\nports = [\"440-450\"]\ndestinations = [\"bad.example.com\"]",
            ),
            &[
                "req.toml:15:17: warning[allow-deny-overlap]: `bad.example.com` tcp 443 is denied by rule 2 (line 15) inside `*.example.com`, which rule 1 allows (line 10): the deny wins, so the firewall must keep the deny rule first",
            ],
        ),
        (
            // An allow inside a denied range never takes effect.
            rule(
                "ports = [443]\ndestinations = [\"198.51.100.10\"]\n[[rules]]\naction = \"deny\"\nsources = [\"10.1.2.0/24\"]\nports = [443]\ndestinations = [\"198.51.100.0/24\"]",
            ),
            &[
                "req.toml:10:17: warning[allow-deny-overlap]: `198.51.100.10` tcp 443 is allowed by rule 1 (line 10) inside `198.51.100.0/24`, which rule 2 denies (line 15): the deny wins, so this allow never takes effect",
            ],
        ),
        (
            // Every allow inside a denied range is named, each with what is
            // left of it (another port is still allowed).
            rule(
                "ports = [443]\ndestinations = [\"198.51.100.10\"]\n[[rules]]\nsources = [\"10.1.2.0/24\"]\nports = [443, 8443]\ndestinations = [\"198.51.100.11\"]\n[[rules]]\naction = \"deny\"\nports = [443]\ndestinations = [\"198.51.100.0/24\"]",
            ),
            &[
                "req.toml:10:17: warning[allow-deny-overlap]: `198.51.100.10` tcp 443 is allowed by rule 1 (line 10) inside `198.51.100.0/24`, which rule 3 denies (line 18): the deny wins, so this allow never takes effect",
                "req.toml:14:17: warning[allow-deny-overlap]: `198.51.100.11` tcp 443 is allowed by rule 2 (line 14) inside `198.51.100.0/24`, which rule 3 denies (line 18): the deny wins, so this allow takes effect only outside it",
                "req.toml:15:1: warning[missing-source]: this rule has no `sources`: it would open the path from any host",
            ],
        ),
        (
            // Disjoint ranges do not overlap.
            rule(
                "ports = [443]\ndestinations = [\"198.51.100.0/25\"]\n[[rules]]\naction = \"deny\"\nsources = [\"10.1.2.0/24\"]\nports = [443]\ndestinations = [\"198.51.100.128/25\"]",
            ),
            &[],
        ),
        (
            // TCP ones overlap only where their ports do.
            rule(
                "ports = [443]\ndestinations = [\"a.example.com\"]\n[[rules]]\naction = \"deny\"\nsources = [\"10.1.2.0/24\"]\nports = [8443]\ndestinations = [\"a.example.com\"]",
            ),
            &[],
        ),
        (
            // One cleartext port inside a range is named with the range.
            rule("ports = [\"79-81\"]\ndestinations = [\"a.example.com\"]"),
            &[
                "req.toml:9:10: warning[cleartext-port]: tcp ports 79-81 include 80 (port 80 is plain HTTP: is 443 alone enough?)",
            ],
        ),
        (
            // A byte order mark starts a file; anywhere else it is hidden text.
            rule("ports = [443]\ndestinations = [\"a.example.com\"]")
                .replace("title = \"t\"", "title = \"t\u{feff}u\""),
            &[
                "req.toml:1:11: warning[hidden-characters]: U+FEFF (zero width no-break space) is invisible: the text holds more than a reviewer sees",
            ],
        ),
        (
            format!(
                "\u{feff}{}",
                rule("ports = [443]\ndestinations = [\"a.example.com\"]")
            ),
            &[],
        ),
        (
            rule("protocol = \"udp\"\nports = [161]\ndestinations = [\"a.example.com\"]"),
            &[
                "req.toml:10:10: warning[cleartext-port]: udp port 161: SNMP v1/v2c sends community strings in clear text: use SNMPv3",
            ],
        ),
        (
            rule("ports = [\"1024-65535\"]\ndestinations = [\"a.example.com\"]"),
            &[
                "req.toml:9:10: warning[cleartext-port]: tcp ports 1024-65535 include the cleartext ports 1433, 1883, 3306, 5432, 5900, 8080",
                "req.toml:9:10: warning[wide-port-range]: port range 1024-65535 opens 64512 ports (more than 100 ports)",
            ],
        ),
        (
            rule("ports = [443]\ndestinations = [\"0.0.0.0/0\", \"::/0\", \"64.0.0.0/2\"]")
                .replace("[\"10.1.2.0/24\"]", "[\"10.1.2.0/24\", \"2001:db8::/64\"]"),
            &[
                "req.toml:10:17: warning[any-destination]: destination `0.0.0.0/0` is every address on the internet",
                "req.toml:10:30: warning[any-destination]: destination `::/0` is every address on the internet",
                "req.toml:10:38: warning[any-destination]: destination `64.0.0.0/2` is wider than /8: almost any address",
                "req.toml:10:38: warning[duplicate-destination]: `64.0.0.0/2` is already covered by `0.0.0.0/0` (line 10) for the same sources and tcp ports",
            ],
        ),
        (
            format!(
                "{HEADER}[[rules]]\nsources = [\"0.0.0.0/0\"]\nports = [443]\ndestinations = [\"a.example.com\"]\n"
            ),
            &[
                "req.toml:8:12: warning[any-source]: source `0.0.0.0/0` is every address on the internet",
            ],
        ),
        (
            format!("{HEADER}[[rules]]\nports = [443]\ndestinations = [\"a.example.com\"]\n"),
            &[
                "req.toml:7:1: warning[missing-source]: this rule has no `sources`: it would open the path from any host",
            ],
        ),
        (
            rule(
                "ports = [443]\ndestinations = [\"52.94.0.0/16\", \"52.94.1.1\", \"a.example.com\", \"a.example.com\"]",
            ),
            &[
                "req.toml:10:33: warning[duplicate-destination]: `52.94.1.1` is already covered by `52.94.0.0/16` (line 10) for the same sources and tcp ports",
                "req.toml:10:63: warning[duplicate-destination]: `a.example.com` is already covered by `a.example.com` (line 10) for the same sources and tcp ports",
            ],
        ),
        (
            // A wildcard under a wildcard, and a name under a dotless
            // wildcard (which does not cover its own bare domain).
            rule(
                "ports = [443]\ndestinations = [{ host = \"*.example.com\", probe = \"a.example.com\" }, { host = \"*.api.example.com\", probe = \"x.api.example.com\" }, { host = \"*corp.net\", probe = \"a.corp.net\" }, \"mycorp.net\", \"corp.net\"]",
            ),
            &[
                "req.toml:10:79: warning[duplicate-destination]: `*.api.example.com` is already covered by `*.example.com` (line 10) for the same sources and tcp ports",
                "req.toml:10:140: warning[wildcard-without-dot]: `*corp.net` also matches names such as `evilcorp.net`",
                "req.toml:10:177: warning[duplicate-destination]: `mycorp.net` is already covered by `*corp.net` (line 10) for the same sources and tcp ports",
            ],
        ),
        (
            rule("ports = [443, 443]\ndestinations = [\"a.example.com\"]"),
            &[
                "req.toml:9:15: warning[duplicate-destination]: port 443 is already in this rule (as 443)",
            ],
        ),
        (
            format!(
                "{HEADER}expires = 2026-11-01\n[[rules]]\nsources = [\"10.1.2.0/24\"]\nports = [443]\ndestinations = [\"a.example.com\"]\n"
            ),
            &["req.toml:7:11: warning[expired]: the request expired on 2026-11-01 (25 days ago)"],
        ),
        (
            format!(
                "{HEADER}expires = 2026-12-03\n[[rules]]\nsources = [\"10.1.2.0/24\"]\nports = [443]\ndestinations = [\"a.example.com\"]\n"
            ),
            &["req.toml:7:11: warning[expires-soon]: the request expires on 2026-12-03, in 7 days"],
        ),
        (
            // `expires` is the last day: on it, the request has not expired.
            format!(
                "{HEADER}expires = 2026-11-26\n[[rules]]\nsources = [\"10.1.2.0/24\"]\nports = [443]\ndestinations = [\"a.example.com\"]\n"
            ),
            &["req.toml:7:11: warning[expires-soon]: the request expires on 2026-11-26, today"],
        ),
        (
            rule("ports = [443]\ndestinations = [\"a.example.com\"]").replace(
                "reason = \"r\"",
                "reason = \"Needed for the vendor Trial only.\"",
            ),
            &[
                "req.toml:4:33: warning[missing-expiry-for-temporary]: the request says \"trial\" but sets no `expires` date",
            ],
        ),
        (
            rule("ports = [443]\ndestinations = [\"a.example.com\"]")
                .replace("title = \"t\"", &format!("title = \"{}\"", "x".repeat(161))),
            &[
                "req.toml:1:9: warning[long-title]: the title is 161 characters; ServiceNow short descriptions are often cut at 160",
            ],
        ),
        (
            // 160 characters fit.
            rule("ports = [443]\ndestinations = [\"a.example.com\"]")
                .replace("title = \"t\"", &format!("title = \"{}\"", "x".repeat(160))),
            &[],
        ),
    ];
    for (text, want) in cases {
        let (code, stderr) = check(&text, &[]);
        assert_eq!(code, 0, "warnings alone exit 0:\n{stderr}");
        assert_eq!(first_lines(&stderr), want, "\n{text}\n{stderr}");
    }
}

#[test]
fn warnings_carry_an_excerpt_and_a_fix() {
    let text = rule(
        "ports = [443]\ndestinations = [{ host = \"*example.com\", probe = \"a.example.com\" }]",
    );
    let (_, stderr) = check(&text, &[]);
    assert_eq!(
        stderr,
        r#"req.toml:10:26: warning[wildcard-without-dot]: `*example.com` also matches names such as `evilexample.com`
   |
10 | destinations = [{ host = "*example.com", probe = "a.example.com" }]
   |                          ^^^^^^^^^^^^^^
  = help: write `*.example.com`
checked 1 request: 0 errors, 1 warning
"#
    );
}

#[test]
fn lints_are_silenced_per_request_and_globally_and_denied_on_demand() {
    let text = rule("ports = [80]\ndestinations = [\"a.example.com\"]");
    assert_eq!(first_lines(&check(&text, &[]).1).len(), 1);
    let (code, stderr) = check(&text, &["--allow", "cleartext-port"]);
    assert_eq!((code, first_lines(&stderr).len()), (0, 0), "{stderr}");
    let allowed = format!("allow = [\"cleartext-port\"]\n{text}");
    let (code, stderr) = check(&allowed, &[]);
    assert_eq!((code, first_lines(&stderr).len()), (0, 0), "{stderr}");

    let (code, stderr) = check(&text, &["--deny", "warnings"]);
    assert_eq!(code, 1);
    common::assert_starts(&stderr, "req.toml:9:10: error[cleartext-port]: tcp port 80");
    assert!(stderr.ends_with("checked 1 request: 1 error, 0 warnings\n"));
}

#[test]
fn unknown_lint_names_are_refused_with_a_suggestion() {
    let text = format!(
        "allow = [\"cleartext-ports\"]\n{}",
        rule("ports = [443]\ndestinations = [\"a.example.com\"]")
    );
    let (code, stderr) = check(&text, &[]);
    assert_eq!(code, 1);
    common::assert_starts(
        &stderr,
        "req.toml:1:10: error: unknown lint `cleartext-ports`",
    );
    assert!(stderr.contains("help: did you mean `cleartext-port`?"));

    let (code, stderr) = check(
        &rule("ports = [443]\ndestinations = [\"a.example.com\"]"),
        &["--allow", "nope"],
    );
    assert_eq!(code, 2);
    common::assert_contains(&stderr, "--allow unknown lint `nope`");
}

#[test]
fn a_word_that_says_temporary_is_marked_whole() {
    let text = rule("ports = [443]\ndestinations = [\"a.example.com\"]").replace(
        "reason = \"r\"",
        "reason = \"Needed for the vendor Trial only.\"",
    );
    let (_, stderr) = check(&text, &[]);
    common::assert_contains(
        &stderr,
        &format!(
            "4 | reason = \"Needed for the vendor Trial only.\"\n  | {}^^^^^\n",
            " ".repeat(32)
        ),
    );
}

#[test]
fn json_format_lists_diagnostics_for_tools() {
    let text = rule("ports = [80]\ndestinations = [\"a.example.com\"]");
    let dir = common::folder_with(&[("req.toml", &text)]);
    let out = cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["check", "req.toml", "--format", "json", "--today", TODAY])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{
            "path": "req.toml",
            "line": 9,
            "column": 10,
            "end": { "line": 9, "column": 12 },
            "severity": "warning",
            "code": "cleartext-port",
            "message": "tcp port 80: port 80 is plain HTTP: is 443 alone enough?",
            "help": "use the encrypted service, or allow this lint in the request with the reason",
        }])
    );
}

#[test]
fn the_example_requests_are_clean() {
    cargo_bin_cmd!("fwreq")
        .args(["check", "requests/", "--today", TODAY, "--deny", "warnings"])
        .assert()
        .success()
        .stderr("checked 3 requests: 0 errors, 0 warnings\nteam file: requests/fwreq.toml\n");
}

#[test]
fn the_seed_requests_sloppy_wildcards_are_flagged_without_its_allow_list() {
    // Checked alone, without the examples' team file and so its fields.
    let seed = common::without_fields(
        &fs::read_to_string("requests/avilla-calico-registry.toml").unwrap(),
    );
    let start = seed.find("allow = [").unwrap();
    let end = start + seed[start..].find("]\n").unwrap() + 2;
    // Blank lines keep every line number as in the real file.
    let without = format!(
        "{}{}{}",
        &seed[..start],
        "\n".repeat(seed[start..end].lines().count()),
        &seed[end..]
    );
    let (_, stderr) = check(&without, &[]);
    let lines = first_lines(&stderr);
    let line_of = |needle: &str| seed.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let amazon = line_of("\"*amazonaws.com\"");
    let pkg = line_of("\"*pkg.dev\"");
    for want in [
        format!(
            "req.toml:{amazon}:3: warning[wildcard-without-dot]: `*amazonaws.com` also matches names such as `evilamazonaws.com`"
        ),
        format!(
            "req.toml:{pkg}:3: warning[wildcard-without-dot]: `*pkg.dev` also matches names such as `evilpkg.dev`"
        ),
        format!(
            "req.toml:{amazon}:3: warning[wildcard-public-suffix]: `*amazonaws.com` covers the public suffix `s3.amazonaws.com` and 582 more (a provider suffix: any customer of that provider can host content under it)"
        ),
    ] {
        assert!(lines.contains(&want.as_str()), "missing {want}\n{stderr}");
    }
}

/// The table a reviewer reads: every lint in `Lint::ALL`'s order, its
/// default level and what it catches (a snapshot, so a changed word shows).
#[test]
fn list_lints_names_every_lint() {
    let out = common::fwreq_in(std::path::Path::new("."), &["check", "--list-lints"]);
    common::succeeded(&out);
    let stdout = common::stdout(&out);
    let (table, psl) = stdout.split_once("\n\n").unwrap();
    let names: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|l| l.split_once(' ').unwrap().0)
        .collect();
    let want: Vec<&str> = fwreq::names::Lint::ALL.iter().map(|l| l.name()).collect();
    assert_eq!(names, want);
    insta::assert_snapshot!("list-lints", table);
    common::assert_starts(
        psl,
        "wildcard-public-suffix uses the Public Suffix List of ",
    );
}

/// Levels: the command line's word, then the request's `allow`, then the
/// team file's `allow`/`deny`, then the default (warn).
#[test]
fn lint_levels_come_from_the_command_line_the_request_and_the_team_file() {
    let dir = common::repo_with_team("deny = [\"cleartext-port\"]\n");
    let plain = rule("ports = [80]\ndestinations = [\"a.example.com\"]");
    let allowed = plain.replace(
        "justification = \"j\"\n",
        "justification = \"j\"\nallow = [\"cleartext-port\"]\n",
    );
    std::fs::write(dir.path().join("plain.toml"), &plain).unwrap();
    std::fs::write(dir.path().join("allowed.toml"), &allowed).unwrap();
    let run = |file: &str, args: &[&str]| {
        let out = common::fwreq_in(dir.path(), &[&["check", file][..], args].concat());
        let stderr = common::stderr(&out);
        let first = stderr.lines().next().unwrap_or("").to_string();
        (out.status.code().unwrap(), first)
    };
    // The team file denies it: an error.
    let (code, first) = run("plain.toml", &[]);
    assert_eq!(code, 1);
    common::assert_starts(
        &first,
        "plain.toml:9:10: error[cleartext-port]: tcp port 80",
    );
    // The request allows it: the request wins over the team file.
    assert_eq!(run("allowed.toml", &[]).0, 0);
    // The command line wins over both.
    let (code, first) = run("plain.toml", &["--allow", "cleartext-port"]);
    assert_eq!(
        (code, first.contains("cleartext-port")),
        (0, false),
        "{first}"
    );
    let (code, first) = run("allowed.toml", &["--deny", "cleartext-port"]);
    assert_eq!(code, 1);
    common::assert_starts(&first, "allowed.toml:10:10: error[cleartext-port]");
    // A misspelt name in the team file is located, with the nearest name.
    std::fs::write(
        dir.path().join("fwreq.toml"),
        "deny = [\"cleartext-prot\"]\n",
    )
    .unwrap();
    let (code, first) = run("plain.toml", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        first,
        "fwreq.toml:1:9: error: unknown lint `cleartext-prot`"
    );
}

#[test]
fn hidden_characters_are_named_at_their_position_and_shown_escaped() {
    let text = HEADER.replace("title = \"t\"", "title = \"t\u{202e}x\" # a\u{200b}")
        + "[[rules]]\nsources = [\"10.1.2.0/24\"]\nports = [443]\ndestinations = [\"a.example.com\"]\n";
    let (code, stderr) = check(&format!("\u{feff}{text}"), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        "req.toml:1:11: warning[hidden-characters]: U+202E (right-to-left override) reorders how the line is shown\n  |\n1 | title = \"t\\u{202e}x\" # a\\u{200b}\n  |           ^^^^^^^^\n  = help: delete it; right-to-left text needs no control characters\nreq.toml:1:18: warning[hidden-characters]: U+200B (zero width space) is invisible: the text holds more than a reviewer sees\n  |\n1 | title = \"t\\u{202e}x\" # a\\u{200b}\n  |                         ^^^^^^^^\n  = help: delete it (retype the text if it was pasted)\nchecked 1 request: 0 errors, 2 warnings\n"
    );
    let (_, stderr) = check(&format!("allow = [\"hidden-characters\"]\n{text}"), &[]);
    assert_eq!(stderr, "checked 1 request: 0 errors, 0 warnings\n");
}

/// `targets` in the team file: what one of the team's platforms cannot hold.
#[test]
fn not_expressible_names_what_a_target_platform_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let spec = rule("ports = [443]\ndestinations = [\"192.0.2.7\", \"*.pkg.dev\"]");
    std::fs::write(dir.path().join("a.toml"), &spec).unwrap();
    let check_with = |targets: &str| {
        std::fs::write(
            dir.path().join("fwreq.toml"),
            format!("targets = {targets}\n"),
        )
        .unwrap();
        let out = common::fwreq_in(dir.path(), &["check", "a.toml", "--today", TODAY]);
        let firsts: Vec<String> = common::stderr(&out)
            .lines()
            .filter(|l| l.contains(": warning[not-expressible]") || l.contains(": error"))
            .map(str::to_string)
            .collect();
        (out.status.code().unwrap(), firsts)
    };
    assert_eq!(
        check_with("[\"fortigate\", \"panos\"]"),
        (
            0,
            vec!["a.toml:10:30: warning[not-expressible]: `*.pkg.dev` cannot be held by panos, one of the team's targets: `fwreq implement --target panos` leaves it out".to_string()]
        )
    );
    assert_eq!(check_with("[\"fortigate\"]"), (0, vec![]));
    assert_eq!(
        check_with("[\"pan-os\"]"),
        (
            1,
            vec!["fwreq.toml:1:12: error: unknown target `pan-os`".to_string()]
        )
    );
}

/// Line separators end a line (in YAML too): refused where one line is
/// wanted. Invisible characters beyond the zero-width ones are named.
#[test]
fn line_separators_and_invisible_characters_are_caught() {
    let text = rule("ports = [443]\ndestinations = [\"a.example.com\"]")
        .replace("title = \"t\"", "title = \"t\u{2028}kind: evil\"");
    let (code, stderr) = check(&text, &[]);
    assert_eq!(code, 1);
    common::assert_starts(
        &stderr,
        "req.toml:1:9: error: `title` must be a single line\n",
    );
    // Where several lines are welcome, a line separator is still refused
    // (it is not a line break Markdown knows), as is any control character
    // other than a tab or a line break.
    let body = rule("ports = [443]\ndestinations = [\"a.example.com\"]");
    for (from, to, said) in [
        (
            "reason = \"r\"",
            "reason = \"r\u{2028}s\"",
            "req.toml:4:10: error: `reason` holds the control character `\\u{2028}`\n",
        ),
        (
            "title = \"t\"",
            "title = \"t\\u001bx\"",
            "req.toml:1:9: error: `title` holds the control character `\\u{1b}`\n",
        ),
    ] {
        let (code, stderr) = check(&body.replace(from, to), &[]);
        assert_eq!(code, 1, "{stderr}");
        common::assert_starts(&stderr, said);
    }
    let (code, stderr) = check(
        &body.replace("reason = \"r\"", "reason = \"r\\ts\\nu\""),
        &[],
    );
    assert_eq!(
        (code, stderr.as_str()),
        (0, "checked 1 request: 0 errors, 0 warnings\n")
    );
    for (c, name) in [
        ('\u{e0041}', "tag character"),
        ('\u{3164}', "hangul filler"),
        ('\u{ad}', "soft hyphen"),
        ('\u{2064}', "invisible operator"),
    ] {
        let text = rule("ports = [443]\ndestinations = [\"a.example.com\"]")
            .replace("project = \"p\"", &format!("project = \"p{c}q\""));
        let (code, stderr) = check(&text, &[]);
        assert_eq!(code, 0, "{stderr}");
        common::assert_starts(
            &stderr,
            &format!(
                "req.toml:2:13: warning[hidden-characters]: U+{:04X} ({name}) is invisible: the text holds more than a reviewer sees\n",
                u32::from(c)
            ),
        );
        assert!(!stderr.contains(c), "shown escaped: {stderr}");
    }
}

/// Where docs/lints.md's generated part starts and ends.
const GENERATED_START: &str = "<!-- generated from the lint registry (src/lints/mod.rs) by tests/lints.rs; UPDATE_DOCS=1 cargo test --test integration lints::docs rewrites it -->\n";
const GENERATED_END: &str = "<!-- end of the generated part -->\n";

/// The table and examples of docs/lints.md, from the registry.
fn lints_page_part() -> String {
    use fwreq::names::Lint;
    let mut text = String::from("| lint | default | finds |\n|---|---|---|\n");
    for lint in Lint::ALL {
        text.push_str(&format!(
            "| [`{name}`](#{name}) | {} | {} |\n",
            lint.default_level().name(),
            lint.description(),
            name = lint.name()
        ));
    }
    text.push_str("\n## Examples\n");
    for lint in Lint::ALL {
        text.push_str(&format!(
            "\n### `{}`\n\n{}\n\n```toml\n{}```\n",
            lint.name(),
            lint.description(),
            lint.example()
        ));
    }
    text
}

/// docs/lints.md's table and examples are the registry's: a lint added,
/// renamed or reworded in its file without the page fails here (and
/// `UPDATE_DOCS=1` writes the page's generated part anew).
#[test]
fn docs_lints_md_is_the_registry() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lints.md");
    let page = fs::read_to_string(&path).unwrap();
    let (before, rest) = page.split_once(GENERATED_START).expect("the start marker");
    let (part, after) = rest.split_once(GENERATED_END).expect("the end marker");
    let want = lints_page_part();
    if part != want && std::env::var_os("UPDATE_DOCS").is_some() {
        fs::write(
            &path,
            format!("{before}{GENERATED_START}{want}{GENERATED_END}{after}"),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        part, want,
        "docs/lints.md differs from the registry; UPDATE_DOCS=1 rewrites it"
    );
}

/// Each lint's example (docs/lints.md) triggers it: the example in a
/// minimal request, under a team file with zones, a forbidden zone pair,
/// zone-review on and an nftables target (what the zone and target examples
/// say their team holds), judged on 2026-12-01. `body-too-long` needs a
/// 4,000-character body, which no example shows; `hidden-characters`'s
/// example writes its U+202E as `\u202E`, put back here.
#[test]
fn each_lint_example_triggers_it() {
    use fwreq::names::Lint;
    let dir = common::repo_with_team(
        "targets = [\"nftables\"]\nwarn = [\"zone-review\"]\n\n[zones]\nplant-ot = [\"10.40.12.0/24\"]\nplant-k8s = [\"10.188.50.0/24\"]\nworkstations = [\"10.20.0.0/24\"]\n\n[[zone_policy]]\nfrom = \"plant-ot\"\nto = \"internet\"\nverdict = \"forbidden\"\n",
    );
    for lint in Lint::ALL.iter().filter(|l| **l != Lint::BodyTooLong) {
        let example = lint.example().replace("\\u202E", "\u{202e}");
        // The header's keys the example does not set, then the example,
        // then a rule if it has none.
        let mut text: String = HEADER
            .lines()
            .filter(|line| {
                let key = line.split(" = ").next().unwrap_or("");
                !example.lines().any(|l| l.starts_with(&format!("{key} = ")))
            })
            .map(|line| format!("{line}\n"))
            .collect();
        text.push_str(&example);
        if !example.contains("[[rules]]") {
            text.push_str("\n[[rules]]\nsources = [\"10.20.0.0/24\"]\nports = [443]\ndestinations = [\"203.0.113.9\"]\n");
        }
        std::fs::write(dir.path().join("req.toml"), &text).unwrap();
        let out = common::fwreq_in(dir.path(), &["check", "req.toml", "--today", "2026-12-01"]);
        let stderr = common::stderr(&out);
        assert!(
            stderr.contains(&format!("[{lint}]: ")),
            "{lint}'s example does not trigger it:\n{text}\n{stderr}"
        );
    }
}

/// `--list-lints`, the schema's lint names and the completions of `--allow`
/// name exactly the registry's lints (`names::Lint::ALL`, made from it).
#[test]
fn list_lints_schema_and_completions_name_the_registry() {
    let here = std::path::Path::new(".");
    let mut registry: Vec<String> = fwreq::names::Lint::ALL
        .iter()
        .map(|l| l.name().to_string())
        .collect();
    let listed = common::stdout(&common::fwreq_in(here, &["check", "--list-lints"]));
    let listed: Vec<String> = listed
        .split_once("\n\n")
        .unwrap()
        .0
        .lines()
        .skip(1)
        .map(|l| l.split_once(' ').unwrap().0.to_string())
        .collect();
    assert_eq!(listed, registry);
    let schema: serde_json::Value =
        serde_json::from_str(&common::stdout(&common::fwreq_in(here, &["schema"]))).unwrap();
    let in_schema: Vec<String> = schema["definitions"]["LintName"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(in_schema, registry);
    // fish lists the values of `--allow` as `NAME\tDESCRIPTION` lines in one -a "...".
    let fish = common::stdout(&common::fwreq_in(here, &["completions", "fish"]));
    let (_, allow) = fish
        .split_once("-l allow -d")
        .expect("fish completes --allow");
    let (_, values) = allow.split_once("-a \"").unwrap();
    let (values, _) = values.split_once("\"\n").unwrap();
    let mut completed: Vec<String> = values
        .lines()
        .map(|l| l.split_once("\\t").unwrap().0.to_string())
        .collect();
    completed.sort();
    registry.sort();
    assert_eq!(completed, registry);
}

/// A request: the header, one allow rule on `allowed` from 10.20.0.0/24
/// on tcp 443, and a deny rule for each `SOURCES -> DESTINATION PORTS`
/// (the ports as the TOML list holds them: `443, 8443` or `"1-1000"`).
fn allow_and_denies(allowed: &str, denies: &[&str]) -> String {
    let mut text = format!(
        "{HEADER}[[rules]]\nsources = [\"10.20.0.0/24\"]\nports = [443]\ndestinations = [\"{allowed}\"]\n"
    );
    for deny in denies {
        let (sources, to) = deny.split_once(" -> ").unwrap();
        let (destination, ports) = to.split_once(' ').unwrap();
        text.push_str(&format!(
            "\n[[rules]]\naction = \"deny\"\nsources = [\"{sources}\"]\nports = [{ports}]\ndestinations = [\"{destination}\"]\n"
        ));
    }
    text
}

/// The lines of `allow-covered-by-denies` in a check of `text`.
fn covered_by_denies(text: &str) -> Vec<String> {
    let (_, stderr) = check(text, &[]);
    first_lines(&stderr)
        .into_iter()
        .filter(|l| l.contains("[allow-covered-by-denies]"))
        .map(String::from)
        .collect()
}

/// Two deny rules that split the allowed sources, or the allowed range,
/// between them deny all of the allow: it never takes effect.
#[test]
fn an_allow_covered_by_two_denies_warns() {
    let by_sources = allow_and_denies(
        "registry.example.com",
        &[
            "10.20.0.0/25 -> registry.example.com 443",
            "10.20.0.128/25 -> *.example.com 443, 8443",
            // From other sources: no part of this allow, and not named.
            "192.168.1.0/24 -> registry.example.com 443",
        ],
    );
    assert_eq!(
        covered_by_denies(&by_sources),
        [
            "req.toml:10:17: warning[allow-covered-by-denies]: `registry.example.com` tcp 443 is allowed by rule 1, but rules 2 and 3 deny all of it between them: the deny wins, so this allow never takes effect"
        ]
    );
    let by_range = allow_and_denies(
        "203.0.113.0/24",
        &[
            "10.0.0.0/8 -> 203.0.113.0/25 443",
            "10.20.0.0/16 -> 203.0.113.128/26 443",
            "10.20.0.0/24 -> 203.0.113.192/26 \"1-1000\"",
            // To another address: no part of this allow, and not named.
            "10.20.0.0/24 -> 198.51.100.7 443",
        ],
    );
    let (code, stderr) = check(&by_range, &[]);
    assert_eq!(code, 0, "{stderr}");
    common::assert_contains(
        &stderr,
        "warning[allow-covered-by-denies]: `203.0.113.0/24` tcp 443 is allowed by rule 1, but rules 2, 3 and 4 deny all of it between them: the deny wins, so this allow never takes effect\n",
    );
    common::assert_contains(
        &stderr,
        "help: remove this destination from the allow rule, or narrow the deny rules if some of it should get through\n",
    );
}

/// Denies that leave a source, a block or a port of the allow through say
/// nothing; nor does one deny that covers it alone (`allow-deny-overlap`
/// says that one).
#[test]
fn an_allow_partly_covered_by_denies_is_silent() {
    let cases = [
        // 10.20.0.128/26 gets through.
        allow_and_denies(
            "registry.example.com",
            &[
                "10.20.0.0/25 -> registry.example.com 443",
                "10.20.0.192/26 -> registry.example.com 443",
            ],
        ),
        // 203.0.113.128/26 gets through.
        allow_and_denies(
            "203.0.113.0/24",
            &[
                "10.20.0.0/24 -> 203.0.113.0/25 443",
                "10.20.0.0/24 -> 203.0.113.192/26 443",
            ],
        ),
        // The second deny is on another port, the third on another name.
        allow_and_denies(
            "registry.example.com",
            &[
                "10.20.0.0/25 -> registry.example.com 443",
                "10.20.0.128/25 -> registry.example.com 8443",
                "10.20.0.128/25 -> mirror.example.com 443",
            ],
        ),
        // One deny alone holds all of it: allow-deny-overlap's.
        allow_and_denies(
            "registry.example.com",
            &[
                "10.0.0.0/8 -> *.example.com 443",
                "10.20.0.0/25 -> registry.example.com 443",
            ],
        ),
    ];
    for text in cases {
        assert_eq!(covered_by_denies(&text), Vec::<String>::new(), "{text}");
    }
}
