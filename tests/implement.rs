//! `fwreq implement`: each platform's text held as snapshots, and checked by
//! the platform's own parser where one runs offline: `nft -c` (nftables, and
//! the nftables Aerleon's `aclgen` makes) and the CiliumNetworkPolicy CRD's
//! schema. Every example and 250 generated requests go through each check.
//! A check whose tool is missing prints `skipped: TOOL not found`, and fails
//! when `CI` is set.

use crate::common;

use common::{HEADER, examples, fwreq_in, stderr, stdout};
use fwreq::diagnostic::Source;
use fwreq::implement::{Platform, implement};
use fwreq::names::Lint;
use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGETS: [(&str, Platform); 5] = [
    ("nftables", Platform::Nftables),
    ("aerleon", Platform::Aerleon),
    ("cilium", Platform::Cilium),
    ("fortigate", Platform::Fortigate),
    ("panos", Platform::Panos),
];

/// The examples as (file stem, request).
fn example_requests() -> Vec<(String, fwreq::request::Request)> {
    examples()
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path).unwrap();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, load(&text))
        })
        .collect()
}

fn load(text: &str) -> fwreq::request::Request {
    fwreq::validate::load(&Source::new("gen.toml", text.to_string()))
        .unwrap_or_else(|d| panic!("{text}\n{d:?}"))
}

/// What each target writes for the request [`HEADER`] then `rest` (named
/// `x`), as `written(platform)`.
fn written_for(rest: &str) -> impl Fn(Platform) -> String {
    let request = load_request(rest);
    move |platform| implement(&request, "x", platform).text
}

/// [`HEADER`] then `rest`, loaded ([`load`]).
fn load_request(rest: &str) -> fwreq::request::Request {
    load(&format!("{HEADER}{rest}"))
}

/// The tool's path, or `None` after saying it is skipped; under CI a missing
/// tool fails the test instead.
fn tool(name: &str, candidates: &[PathBuf]) -> Option<PathBuf> {
    // Found when it starts at all; `aclgen --help` exits 1.
    let found = candidates
        .iter()
        .find(|p| Command::new(p).arg("--help").output().is_ok());
    if found.is_none() {
        common::skip(&format!("{name} not found"));
    }
    found.cloned()
}

fn nft() -> Option<PathBuf> {
    tool(
        "nft",
        &[PathBuf::from("nft"), PathBuf::from("/usr/sbin/nft")],
    )
}

/// `aclgen` from the venv `.ci/run` makes under target/, else from PATH.
fn aclgen() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/aerleon/bin/aclgen");
    tool("aclgen", &[venv, PathBuf::from("aclgen")])
}

/// `nft -c -f FILE` in a user and network namespace of its own, so the check
/// needs no privilege and touches no real ruleset.
fn nft_accepts(nft: &Path, file: &Path) -> Result<(), String> {
    let out = Command::new("unshare")
        .args(["-Urn"])
        .arg(nft)
        .args(["-c", "-f"])
        .arg(file)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Each text into its own file under a temporary folder, checked by nft.
fn nft_check(texts: &[(String, String)]) {
    let Some(nft) = nft() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in texts {
        let file = dir.path().join(format!("{name}.nft"));
        fs::write(&file, text).unwrap();
        if let Err(e) = nft_accepts(&nft, &file) {
            panic!("nft refused {name}:\n{e}\n{text}");
        }
    }
    println!("nft -c accepted {} files", texts.len());
}

/// All the Aerleon outputs into one tree, one `aclgen` run over it, then nft
/// on every file it wrote.
fn aerleon_check(texts: &[(String, String)]) -> usize {
    let (Some(aclgen), Some(nft)) = (aclgen(), nft()) else {
        return 0;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for folder in ["def", "policies/pol", "out"] {
        fs::create_dir_all(root.join(folder)).unwrap();
    }
    let mut expected = Vec::new();
    let mut names = Vec::new();
    for (name, text) in texts {
        // No `---` when there is no policy: never one aclgen cannot read.
        let (definitions, policy) = text.split_once("\n---\n").unwrap_or((text, ""));
        fs::write(root.join(format!("def/{name}.yaml")), definitions).unwrap();
        if !policy.is_empty() {
            assert!(policy.starts_with("filters:\n"), "{name}: {text}");
            fs::write(root.join(format!("policies/pol/{name}.yaml")), policy).unwrap();
        }
        if policy.contains("nftables: ") {
            expected.push(name);
        }
        if policy.contains("srx: ") {
            names.push(name);
        }
    }
    let out = Command::new(&aclgen)
        .current_dir(root)
        .args(["--base_directory", "policies", "--definitions_directory"])
        .args(["def", "--output_directory", "out"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "aclgen failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in &expected {
        let file = root.join(format!("out/{name}.nft"));
        assert!(file.exists(), "aclgen wrote no {name}.nft");
        if let Err(e) = nft_accepts(&nft, &file) {
            let text = fs::read_to_string(&file).unwrap();
            panic!("nft refused aclgen's {name}.nft:\n{e}\n{text}");
        }
    }
    for name in &names {
        let file = root.join(format!("out/{name}.srx"));
        let text =
            fs::read_to_string(&file).unwrap_or_else(|_| panic!("aclgen wrote no {name}.srx"));
        assert!(
            text.contains("dns-name "),
            "{name}.srx holds no name:\n{text}"
        );
    }
    println!(
        "aclgen made {} nftables files, nft -c accepted them, and {} Juniper SRX files with names",
        expected.len(),
        names.len()
    );
    expected.len()
}

/// The CiliumNetworkPolicy CRD's schema, vendored in data/.
fn cilium_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string("data/ciliumnetworkpolicy_v2.schema.json").unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn cilium_check(validator: &jsonschema::Validator, name: &str, text: &str) {
    let value: serde_json::Value =
        serde_norway::from_str(text).unwrap_or_else(|e| panic!("{name}: not YAML: {e}\n{text}"));
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{text}");
}

/// What can be checked of FortiGate and PAN-OS text without their parsers:
/// each line a comment, blank, or of a known shape, with its quotes paired,
/// so that no comment from the request opens or ends a command.
fn vendor_shape(name: &str, text: &str, shapes: &[&str]) {
    for line in text.lines() {
        let known =
            line.is_empty() || line.starts_with('#') || shapes.iter().any(|s| line.starts_with(s));
        assert!(known, "{name}: unexpected line {line:?}\n{text}");
        assert!(
            line.matches('"').count() % 2 == 0,
            "{name}: unpaired quote in {line:?}"
        );
    }
}

#[test]
fn every_example_in_every_target_matches_its_snapshot() {
    for path in examples() {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        for (target, _) in TARGETS {
            let out = fwreq_in(
                Path::new("."),
                &[
                    "implement",
                    &path.to_string_lossy(),
                    "--target",
                    target,
                    "--allow-partial",
                ],
            );
            assert_eq!(
                out.status.code(),
                Some(0),
                "{stem} {target}: {}",
                stderr(&out)
            );
            insta::assert_snapshot!(format!("{stem}.{target}"), stdout(&out));
        }
    }
}

/// Every example in one target's syntax, named by its file stem.
fn examples_in(platform: Platform) -> Vec<(String, String)> {
    example_requests()
        .iter()
        .map(|(stem, r)| (stem.clone(), implement(r, stem, platform).text))
        .collect()
}

#[test]
fn nft_accepts_every_example() {
    nft_check(&examples_in(Platform::Nftables));
}

#[test]
fn aclgen_and_nft_accept_every_example() {
    let policies = aerleon_check(&examples_in(Platform::Aerleon));
    assert!(
        policies == 0 || policies == 2,
        "{policies}: the examples with address rules"
    );
}

#[test]
fn every_example_is_a_valid_cilium_network_policy() {
    let validator = cilium_validator();
    for (stem, request) in example_requests() {
        cilium_check(
            &validator,
            &stem,
            &implement(&request, &stem, Platform::Cilium).text,
        );
    }
}

// ---- Generated requests ----

const SOURCES: &[&str] = &[
    "10.0.0.0/24",
    "10.0.0.5",
    "10.0.0.0/8",
    "2001:db8:50::/64",
    "2001:db8:50::7",
    "192.0.2.0/25",
];

const DESTINATIONS: &[&str] = &[
    "a.example.com",
    "Bücher.example",
    "*.svc.example.net",
    "*pkg.dev",
    "192.0.2.7",
    "192.0.2.0/24",
    "198.51.100.0/30",
    "2001:db8::10",
    "2001:db8:4::/48",
    "2001:db8:4::1",
    "{ host = \"*.ingest.example\", probe = \"otlp.ingest.example\" }",
    "{ host = \"10.201.8.0/24\", probe = \"10.201.8.10\" }",
];

/// Comments that try to leave their quotes or line on every platform.
const COMMENTS: &[&str] = &[
    "plain",
    "quote \\\" and back\\\\slash",
    "tab\\there # hash ; semicolon",
    "ünïcödé – ok",
    "set action accept\\\" next end",
];

fn rule() -> impl Strategy<Value = String> {
    (
        prop::bool::weighted(0.3),
        0..3usize,
        prop::collection::btree_set(0..SOURCES.len(), 0..4),
        prop::collection::btree_set(0..DESTINATIONS.len(), 1..6),
        // Now and then more ranges than Cilium takes in one `toPorts` entry (40).
        prop_oneof![
            9 => prop::collection::vec((1u16..=65535, prop::option::of(0u16..2000)), 1..5),
            1 => prop::collection::vec((1u16..=65535, prop::option::of(0u16..20)), 41..50),
        ],
        prop::option::of(0..COMMENTS.len()),
    )
        .prop_map(|(deny, protocol, sources, dests, ports, comment)| {
            let mut text = String::from("[[rules]]\n");
            if deny {
                text.push_str("action = \"deny\"\n");
            }
            if let Some(c) = comment {
                text.push_str(&format!("comment = \"{}\"\n", COMMENTS[c]));
            }
            let quoted = |i: &usize, all: &[&str]| {
                let s = all[*i];
                if s.starts_with('{') {
                    s.to_string()
                } else {
                    format!("\"{s}\"")
                }
            };
            // Only pairs of one family are packets (a mismatch is an error):
            // keep the address destinations some source can reach, and the
            // sources some destination answers.
            let family = |text: &str| {
                let host = if text.starts_with('{') {
                    text.split('"').nth(1).unwrap_or(text)
                } else {
                    text
                };
                if host.contains(':') {
                    Some(true)
                } else {
                    host.starts_with(|c: char| c.is_ascii_digit())
                        .then_some(false)
                }
            };
            let dest_family = |i: &usize| family(DESTINATIONS[*i]);
            let mut sources = sources;
            let mut dests = dests;
            if !sources.is_empty() {
                let kept: std::collections::BTreeSet<usize> = dests
                    .iter()
                    .copied()
                    .filter(|i| {
                        dest_family(i).is_none_or(|v6| {
                            sources.iter().any(|s| family(SOURCES[*s]) == Some(v6))
                        })
                    })
                    .collect();
                if kept.is_empty() {
                    sources.clear();
                } else {
                    dests = kept;
                    let names = dests.iter().any(|i| dest_family(i).is_none());
                    sources.retain(|s| {
                        names || dests.iter().any(|i| dest_family(i) == family(SOURCES[*s]))
                    });
                }
            }
            if !sources.is_empty() {
                let s: Vec<String> = sources.iter().map(|i| quoted(i, SOURCES)).collect();
                text.push_str(&format!("sources = [{}]\n", s.join(", ")));
            }
            let d: Vec<String> = dests.iter().map(|i| quoted(i, DESTINATIONS)).collect();
            text.push_str(&format!("destinations = [{}]\n", d.join(", ")));
            match protocol {
                2 => text.push_str("protocol = \"icmp\"\n"),
                p => {
                    if p == 1 {
                        text.push_str("protocol = \"udp\"\n");
                    }
                    let ports: Vec<String> = ports
                        .iter()
                        .map(|&(low, width)| {
                            let high = low.saturating_add(width.unwrap_or(0));
                            if high == low {
                                low.to_string()
                            } else {
                                format!("\"{low}-{high}\"")
                            }
                        })
                        .collect();
                    text.push_str(&format!("ports = [{}]\n", ports.join(", ")));
                }
            }
            text
        })
}

/// 250 generated requests as (name, request); a name each, so that the
/// Aerleon definitions of all of them live side by side in one tree.
fn generated() -> Vec<(String, fwreq::request::Request)> {
    generated_texts()
        .into_iter()
        .map(|(name, text)| (name, load(&text)))
        .collect()
}

/// The texts of [`generated`], for checks that need the file itself.
fn generated_texts() -> Vec<(String, String)> {
    let strategy =
        prop::collection::vec(rule(), 1..5).prop_map(|rules| HEADER.to_string() + &rules.concat());
    // A new seed each run, printed, so that a failure can be run again.
    let seed: u64 = std::env::var("IMPLEMENT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            now.unwrap().as_secs()
        });
    eprintln!("generated requests of seed {seed} (IMPLEMENT_SEED={seed} makes them again)");
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = proptest::test_runner::TestRng::from_seed(
        proptest::test_runner::RngAlgorithm::ChaCha,
        &bytes,
    );
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        proptest::test_runner::Config::default(),
        rng,
    );
    (0..250)
        .map(|i| {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            (format!("gen-{i}"), text)
        })
        .collect()
}

#[test]
fn generated_requests_pass_every_parser() {
    let requests = generated();
    let text = |platform| {
        requests
            .iter()
            .map(|(stem, r)| (stem.clone(), implement(r, stem, platform).text))
            .collect::<Vec<_>>()
    };
    nft_check(&text(Platform::Nftables));
    let policies = aerleon_check(&text(Platform::Aerleon));
    assert!(
        policies == 0 || policies >= 200,
        "{policies} Aerleon policies"
    );
    let validator = cilium_validator();
    for (name, text) in text(Platform::Fortigate) {
        vendor_shape(
            &name,
            &text,
            &["config ", "end", "    edit ", "    next", "        set "],
        );
    }
    for (name, text) in text(Platform::Panos) {
        vendor_shape(
            &name,
            &text,
            &[
                "set address ",
                "set service ",
                "set rulebase security rules ",
            ],
        );
    }
    let cilium = text(Platform::Cilium);
    for (name, text) in &cilium {
        cilium_check(&validator, name, text);
    }
    assert_eq!(cilium.len(), 250);
}

// ---- The command: wildcards, left-out blocks, exit codes, --output ----

/// A request with a wildcard, a name and an address, in a fresh folder.
fn wildcard_request() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}ritm = \"RITM0194104\"\n[[rules]]\ncomment = \"Registry\"\nports = [443]\nsources = [\"10.0.0.0/24\"]\ndestinations = [{{ host = \"*.svc.example.net\", probe = \"a.svc.example.net\" }}, \"192.0.2.7\"]\n"
    );
    fs::write(dir.path().join("req.toml"), text).unwrap();
    dir
}

fn run(dir: &Path, target: &str, extra: &[&str]) -> (i32, String, String) {
    let out = fwreq_in(
        dir,
        &[&["implement", "req.toml", "--target", target], extra].concat(),
    );
    (out.status.code().unwrap(), stdout(&out), stderr(&out))
}

#[test]
fn a_wildcard_is_a_fortigate_wildcard_fqdn_object_and_a_cilium_match_pattern() {
    let dir = wildcard_request();
    for (target, part) in [
        (
            "fortigate",
            "config firewall address\n    edit \"RITM0194104-r1-s1\"\n        set subnet 10.0.0.0 255.255.255.0\n    next\n    edit \"RITM0194104-r1-d1\"\n        set type fqdn\n        set fqdn \"*.svc.example.net\"\n    next\n    edit \"RITM0194104-r1-d2\"\n        set subnet 192.0.2.7 255.255.255.255\n    next\nend\n",
        ),
        (
            "cilium",
            "      - toFQDNs:\n          - matchPattern: \"*.svc.example.net\"\n        toPorts:\n          - ports:\n              - port: \"443\"\n                protocol: \"TCP\"\n",
        ),
    ] {
        let (code, out, err) = run(dir.path(), target, &[]);
        assert_eq!((code, err.as_str()), (0, ""), "{target}");
        common::assert_contains(&out, part);
    }
}

#[test]
fn a_wildcard_is_left_out_of_nftables_and_panos_with_what_to_do_instead() {
    let dir = wildcard_request();
    let (code, out, err) = run(dir.path(), "nftables", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "fwreq: 1 destination left out (listed at the end); --allow-partial accepts that\n"
    );
    common::assert_contains(
        &out,
        "\t\tip saddr @r1-src4 ip daddr @r1-dst4 tcp dport @r1-ports accept comment \"RITM0194104 rule 1: Registry\"\n",
    );
    common::assert_ends(
        &out,
        "\n\n# Left out: nftables matches addresses, not names\n#   rule 1 (tcp 443): *.svc.example.net\n# Instead:\n#   fill a set from DNS with a DNS-aware daemon and match it like the sets above;\n#   with dnsmasq, add sets rN-dns4 (ipv4_addr) and rN-dns6 (ipv6_addr) to fwreq-RITM0194104, and:\n#   nftset=/svc.example.net/4#inet#fwreq-RITM0194104#r1-dns4,6#inet#fwreq-RITM0194104#r1-dns6\n#   (dnsmasq matches a domain and every name under it, so a wildcard's line also takes its apex)\n",
    );
    let (code, out, _) = run(dir.path(), "panos", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "# fwreq implement --target panos: RITM0194104, t\n# Zones are `any`: set from and to for your firewall before you commit.\nset address RITM0194104-r1-s1 ip-netmask 10.0.0.0/24\nset address RITM0194104-r1-d2 ip-netmask 192.0.2.7/32\nset service RITM0194104-r1-tcp protocol tcp port 443\nset rulebase security rules RITM0194104-r1 from any to any source RITM0194104-r1-s1 destination RITM0194104-r1-d2 application any service RITM0194104-r1-tcp action allow description \"RITM0194104 rule 1: Registry\"\n\n# Left out: PAN-OS FQDN address objects take no wildcard\n#   rule 1 (tcp 443): *.svc.example.net\n# Instead:\n#   match the names with a custom URL category (e.g. *.example.com) in a URL Filtering\n#   profile on a rule with the same source and service, or list each name as an FQDN object.\n"
    );
    // --allow-partial: the same text, exit 0, nothing on stderr.
    let (code, partial, err) = run(dir.path(), "panos", &["--allow-partial"]);
    assert_eq!(
        (code, partial.as_str(), err.as_str()),
        (0, out.as_str(), "")
    );
}

#[test]
fn output_goes_into_a_file_whole_and_never_over_a_request() {
    let dir = wildcard_request();
    let (code, out, _) = run(
        dir.path(),
        "nftables",
        &["-o", "req.nft", "--allow-partial"],
    );
    assert_eq!((code, out.as_str()), (0, ""));
    let (_, printed, _) = run(dir.path(), "nftables", &["--allow-partial"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("req.nft")).unwrap(),
        printed
    );
    // Partial still writes the file, and exits 1.
    let (code, _, _) = run(dir.path(), "nftables", &["-o", "req.nft", "--force"]);
    assert_eq!(code, 1);
    let (code, _, err) = run(dir.path(), "nftables", &["-o", "req.nft"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "fwreq: error: req.nft already exists; add --force to replace it\n"
    );
    let (code, _, _) = run(dir.path(), "fortigate", &["-o", "req.toml", "--force"]);
    assert_eq!(code, 2);
    assert!(
        fs::read_to_string(dir.path().join("req.toml"))
            .unwrap()
            .starts_with("title")
    );
}

#[test]
fn an_invalid_request_is_reported_and_nothing_is_printed() {
    let dir = common::request_in(
        "req.toml",
        "[[rules]]\nports = [443]\ndestinations = [\"no such host\"]\n",
    );
    let (code, out, err) = run(dir.path(), "nftables", &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    common::assert_ends(
        &err,
        "fwreq: error: req.toml has errors; nothing was written\n",
    );
}

/// What each generator leaves out is what `Platform::holds` says of the
/// request's flows, as the `not-expressible` lint asks it, on every example
/// and generated request.
#[test]
fn every_generator_leaves_out_what_left_out_says() {
    let mut requests = example_requests();
    requests.extend(generated());
    let mut left = 0;
    for (stem, request) in &requests {
        for (_, platform) in TARGETS {
            let written = implement(request, stem, platform).left_out;
            assert_eq!(
                written,
                fwreq::policy::flows(request)
                    .into_iter()
                    .filter(|f| !platform.holds(&f.target, f.action))
                    .map(|f| (f.rule, f.target))
                    .collect::<Vec<_>>(),
                "{stem} {platform:?}"
            );
            left += written.len();
        }
    }
    assert!(left > 100, "the requests have names to leave out ({left})");
}

/// Issue #30, case 2: an IPv4 source with an IPv6 destination (or the
/// reverse) is no packet at all. Targets dropped it in silence; now `check`
/// refuses the request, naming the rule, and `implement` writes nothing.
#[test]
fn a_family_mismatch_is_an_error_naming_the_rule_and_nothing_is_implemented() {
    let dir = common::request_in(
        "req.toml",
        "[[rules]]\nports = [22]\nsources = [\"2001:db8::/64\"]\ndestinations = [\"192.0.2.7\"]\n[[rules]]\nprotocol = \"icmp\"\nsources = [\"10.0.0.0/24\", \"2001:db8::/64\"]\ndestinations = [\"2001:db8::7\", \"a.example.com\"]\n",
    );
    let out = fwreq_in(dir.path(), &["check", "req.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let located: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("req.toml:"))
        .map(String::from)
        .collect();
    assert_eq!(
        located,
        [
            "req.toml:9:12: error: rule 1: source `2001:db8::/64` is IPv6, but every destination of this rule is IPv4: no packet goes from one to the other",
            "req.toml:10:17: error: rule 1: destination `192.0.2.7` is IPv4, but every source of this rule is IPv6: no packet goes from one to the other",
        ]
    );
    for (target, _) in TARGETS {
        let (code, out, err) = run(dir.path(), target, &["--allow-partial"]);
        assert_eq!((code, out.as_str()), (2, ""), "{target}");
        common::assert_ends(
            &err,
            "fwreq: error: req.toml has errors; nothing was written\n",
        );
    }
}

/// Without a RITM, objects are named after the file: the command says so.
#[test]
fn a_request_without_a_ritm_is_warned_about_its_names() {
    let dir = common::request_in(
        "trial.toml",
        "[[rules]]\nports = [22]\nsources = [\"10.1.0.0/24\"]\ndestinations = [\"10.9.9.9\"]\n",
    );
    let out = fwreq_in(
        dir.path(),
        &["implement", "trial.toml", "--target", "nftables"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("table inet fwreq-file-trial-bd77f9d3 {"));
    assert_eq!(
        stderr(&out),
        "fwreq: warning: trial.toml has no ritm: its objects are named after its file name, which a request in another folder may share (and share its objects); record the RITM first\n"
    );
}

/// Issue #30, case 1: a deny inside an allowed range. A firewall takes the
/// first rule that matches, so every target writes the deny first: the
/// denied host stays blocked, as `policy::meaning` says.
#[test]
fn every_target_writes_deny_rules_before_allow_rules() {
    let text = written_for(
        "ritm = \"RITM0000030\"\n[[rules]]\nports = [443]\nsources = [\"10.20.0.0/24\"]\ndestinations = [\"198.51.100.0/24\"]\n[[rules]]\naction = \"deny\"\nports = [443]\ndestinations = [\"198.51.100.10\"]\n",
    );
    let nft = text(Platform::Nftables);
    let chain = &nft[nft.find("\tchain forward").unwrap()..];
    common::assert_contains(
        chain,
        "policy accept;\n\t\tip daddr @r2-dst4 tcp dport @r2-ports drop comment \"RITM0000030 rule 2 from any source\"\n\t\tip saddr @r1-src4 ip daddr @r1-dst4 tcp dport @r1-ports accept comment \"RITM0000030 rule 1\"\n",
    );
    let before = |text: &str, first: &str, second: &str| {
        let (a, b) = (text.find(first), text.find(second));
        assert!(
            a.is_some() && b.is_some() && a < b,
            "{first} before {second}:\n{text}"
        );
    };
    before(
        &text(Platform::Fortigate),
        "set action deny",
        "set action accept",
    );
    before(
        &text(Platform::Panos),
        "set rulebase security rules RITM0000030-r2 ",
        "set rulebase security rules RITM0000030-r1 ",
    );
    let aerleon = text(Platform::Aerleon);
    before(
        &aerleon[aerleon.find("terms:").unwrap()..],
        "action: \"deny\"",
        "action: \"accept\"",
    );
}

/// Issue #30, case 6: `expires` reaches the device where the platform has
/// an expiry (FortiOS `policy-expiry`, a PAN-OS non-recurring schedule,
/// Aerleon's `expiration`), and a comment where it has none (nftables, Cilium).
#[test]
fn expiry_is_written_on_every_target() {
    let text = written_for(
        "ritm = \"RITM0000031\"\nsubmitted = 2026-11-20T09:00:00\nexpires = 2027-02-28\n[[rules]]\nports = [443]\nsources = [\"10.20.0.0/24\"]\ndestinations = [\"198.51.100.0/24\"]\n",
    );
    let fortigate = text(Platform::Fortigate);
    common::assert_contains(
        &fortigate,
        "        set schedule \"always\"\n        set policy-expiry enable\n        set policy-expiry-date \"2027-02-28 23:59:59\"\n",
    );
    let panos = text(Platform::Panos);
    common::assert_contains(
        &panos,
        "set schedule RITM0000031-expires schedule-type non-recurring 2026/11/20@00:00-2027/02/28@23:59\n",
    );
    common::assert_contains(
        &panos,
        " service RITM0000031-r1-tcp schedule RITM0000031-expires action allow ",
    );
    assert!(
        text(Platform::Aerleon).contains("        expiration: \"2027-02-28\"\n"),
        "{}",
        text(Platform::Aerleon)
    );
    assert!(text(Platform::Nftables).contains("# Expires 2027-02-28: nftables has no expiry of its own; delete the table (nft delete table inet fwreq-RITM0000031) after that day.\n"));
    assert!(text(Platform::Cilium).contains(
        "# Expires 2027-02-28: Cilium has no expiry of its own; delete the policy after that day.\n"
    ));
}

/// Issue #30, case 9: without a RITM, two files of one folder whose names
/// differ only in case and punctuation get two Cilium policies, and a file
/// named like a RITM does not take that RITM's object names.
#[test]
fn object_names_are_unique_per_file_and_never_a_ritm_they_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let rule =
        "[[rules]]\nports = [443]\nsources = [\"10.1.0.0/24\"]\ndestinations = [\"192.0.2.7\"]\n";
    for file in ["Web_Pods.toml", "web-pods.toml", "RITM0000002.toml"] {
        fs::write(dir.path().join(file), format!("{HEADER}{rule}")).unwrap();
    }
    let metadata = |file: &str| {
        let out = fwreq_in(dir.path(), &["implement", file, "--target", "cilium"]);
        common::line_starting(&stdout(&out), "  name: ")
    };
    assert_eq!(
        metadata("Web_Pods.toml"),
        "  name: \"file-web-pods-79913072\""
    );
    assert_eq!(
        metadata("web-pods.toml"),
        "  name: \"file-web-pods-9c804bdc\""
    );
    let out = fwreq_in(
        dir.path(),
        &["implement", "RITM0000002.toml", "--target", "panos"],
    );
    let text = stdout(&out);
    common::assert_contains(&text, "set address file-ritm0000002-4866cad7-r1-s1 ");
    assert!(!text.contains("RITM0000002"), "{text}");
}

/// Issue #30, case 10: the nftables header does not promise that loading the
/// table opens anything; a name and a wildcard over it give one dnsmasq line;
/// noncharacters in a title never reach the YAML targets.
#[test]
fn the_nftables_header_is_true_dnsmasq_lines_come_once_and_yaml_parses() {
    let nft = written_for(
        "ritm = \"RITM0000032\"\n[[rules]]\nports = [443]\nsources = [\"10.1.0.0/24\"]\ndestinations = [\"svc.example.net\", { host = \"*.svc.example.net\", probe = \"a.svc.example.net\" }]\n",
    )(Platform::Nftables);
    common::assert_contains(
        &nft,
        "# hook: its drops stop a packet, but its accepts override no drop in another table or chain\n",
    );
    assert!(!nft.contains("load with `nft -f FILE`"), "{nft}");
    assert_eq!(nft.matches("nftset=/svc.example.net/").count(), 1, "{nft}");
    // A noncharacter would make the YAML targets unparsable: validation
    // refuses it at its line, so no target is written from it.
    let title = format!("{HEADER}[[rules]]\nports = [443]\nsources = [\"10.1.0.0/24\"]\ndestinations = [\"192.0.2.7\"]\n")
        .replace("title = \"t\"", "title = \"odd \\uFFFE and \\uFFFF\"");
    let refused = fwreq::validate::load(&Source::new("gen.toml", title))
        .expect_err("a noncharacter is refused");
    assert_eq!(
        refused
            .iter()
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>(),
        ["`title` holds the noncharacter U+FFFE"]
    );
}

/// Issue #30, case 7: one Cilium rule spec per set of sources, each with its
/// own pod selector, so a web pod never gets the database rule's port; the
/// header says which label stands for which sources and what egress
/// default-deny does to the selected pods, with the setting that avoids it.
#[test]
fn cilium_selects_the_pods_of_each_source_set_apart() {
    let text = written_for(
        "ritm = \"RITM0000033\"\n[[rules]]\nports = [443]\nsources = [\"10.1.0.0/24\"]\ndestinations = [\"192.0.2.7\"]\n[[rules]]\nports = [5432]\nsources = [\"10.2.0.0/24\"]\ndestinations = [\"198.51.100.9\"]\n",
    )(Platform::Cilium);
    cilium_check(&cilium_validator(), "sets", &text);
    let value: serde_json::Value = serde_norway::from_str(&text).unwrap();
    let specs = value["specs"].as_array().unwrap();
    assert_eq!(specs.len(), 2, "{text}");
    for (spec, label, port, other) in [
        (&specs[0], "fwreq/ritm0000033.s1", "443", "5432"),
        (&specs[1], "fwreq/ritm0000033.s2", "5432", "443"),
    ] {
        assert_eq!(
            spec["endpointSelector"]["matchLabels"][label], "true",
            "{text}"
        );
        let rules = spec["egress"].to_string();
        common::assert_contains(&rules, &format!("\"port\":\"{port}\""));
        assert!(!rules.contains(&format!("\"port\":\"{other}\"")), "{rules}");
    }
    common::assert_contains(
        &text,
        "#   fwreq/ritm0000033.s1=true: 10.1.0.0/24 (rule 1)\n#   fwreq/ritm0000033.s2=true: 10.2.0.0/24 (rule 2)\n",
    );
    common::assert_contains(
        &text,
        "# enableDefaultDeny: {egress: false} in each spec (Cilium 1.15 and later).\n",
    );
}

/// Issue #30, case 8: a names-only request gives Aerleon `fqdn:` values and
/// a `destination-fqdn` term in a filter for a generator that takes names,
/// which `aclgen` reads (it failed on a policy of comments); a request with
/// nothing Aerleon holds gives no policy document at all.
#[test]
fn aerleon_holds_names_through_fqdn_and_never_writes_a_policy_aclgen_cannot_read() {
    let names = load_request(
        "ritm = \"RITM0000034\"\n[[rules]]\nports = [443]\nsources = [\"10.1.0.0/24\"]\ndestinations = [\"a.example.com\", \"bücher.example\"]\n",
    );
    let text = implement(&names, "x", Platform::Aerleon).text;
    common::assert_contains(
        &text,
        "  RITM0000034-r1-fqdn:\n    values:\n      - fqdn: \"a.example.com\"\n      - fqdn: \"xn--bcher-kva.example\"\n",
    );
    common::assert_contains(&text, "        destination-fqdn: \"RITM0000034-r1-fqdn\"\n");
    let wildcards = load_request(
        "[[rules]]\nports = [443]\nsources = [\"10.1.0.0/24\"]\ndestinations = [{ host = \"*.svc.example.net\", probe = \"a.svc.example.net\" }]\n",
    );
    let none = implement(&wildcards, "y", Platform::Aerleon).text;
    assert!(!none.contains("\n---\n"), "{none}");
    common::assert_contains(&none, "so there is no policy.\n");
    let made = aerleon_check(&[("names".to_string(), text), ("none".to_string(), none)]);
    assert!(made == 0, "no nftables filter in either");
}

// ---- Checkers written by others: fwshift and pan-os-python ----

/// The venv `.ci/run` makes with fwshift and pan-os-python (pinned), or
/// `None` after saying the check is skipped; under CI a missing one fails.
fn checkers() -> Option<PathBuf> {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/checkers/bin/python");
    let found = Command::new(&python)
        .args(["-c", "import fwshift.cli, panos.objects"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        common::skip("fwshift and pan-os-python not found in target/checkers");
        return None;
    }
    Some(python)
}

/// The request cut to what all three compared texts hold: its address
/// destinations (nftables holds no names), rules left without any dropped.
fn addresses_only(request: &fwreq::request::Request) -> Option<fwreq::request::Request> {
    let mut scoped = request.clone();
    for rule in &mut scoped.rules {
        rule.destinations.retain(|d| d.target.network().is_some());
    }
    scoped.rules.retain(|r| !r.destinations.is_empty());
    (!scoped.rules.is_empty()).then_some(scoped)
}

/// Each text with the same explicit default, deny, so that a comparison
/// sees the request's rules only (nftables' chain policy is accept, FortiOS
/// denies implicitly, PAN-OS allows inside a zone).
fn with_default_deny(platform: Platform, text: &str) -> String {
    match platform {
        Platform::Nftables => text.replace("policy accept;", "policy drop;"),
        Platform::Fortigate => {
            let end = text.rfind("end\n").unwrap();
            format!(
                "{}    edit 0\n        set name \"default-deny\"\n        set srcintf \"any\"\n        set dstintf \"any\"\n        set srcaddr \"all\"\n        set dstaddr \"all\"\n        set srcaddr6 \"all\"\n        set dstaddr6 \"all\"\n        set action deny\n        set schedule \"always\"\n        set service \"ALL\"\n    next\n{}",
                &text[..end],
                &text[end..]
            )
        }
        _ => format!(
            "{text}set rulebase security rules default-deny from any to any source any destination any application any service any action deny\n"
        ),
    }
}

/// Issue #30, step 6: fwshift (which reads nftables, FortiOS and PAN-OS)
/// finds no shadowed rule in any of the three texts of every example and
/// 250 generated requests, and `fwshift compare` finds no connection whose
/// verdict differs between them inside the request's scope (its address
/// destinations, each text with the same explicit default); pan-os-python
/// builds every PAN-OS object and rule offline, and every reference resolves.
#[test]
fn checkers_written_by_others_find_no_shadowed_rule_and_no_difference() {
    let Some(python) = checkers() else { return };
    let mut texts: Vec<(String, String)> = examples()
        .iter()
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, fs::read_to_string(path).unwrap())
        })
        .collect();
    texts.extend(generated_texts());
    let settings = fwreq::team::Team::default().settings(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        Default::default(),
        None,
    );
    // Each request, and the rules `check` warns about as overlapping (an
    // allow inside a deny, a duplicate): of those, fwshift may call an allow
    // shadowed, and nothing else.
    let requests: Vec<(String, fwreq::request::Request, BTreeSet<usize>)> = texts
        .iter()
        .map(|(stem, text)| {
            let source = Source::new(format!("{stem}.toml"), text.clone());
            let request = load(text);
            let warned = fwreq::lints::check(&source, &request, &settings)
                .iter()
                .filter(|d| {
                    matches!(
                        d.code,
                        Some(Lint::AllowDenyOverlap | Lint::DuplicateDestination)
                    )
                })
                .flat_map(|d| {
                    // The rule it stands in, and each rule its message names.
                    let at = d.span.start;
                    let rules = &request.rules;
                    let within = rules
                        .iter()
                        .position(|r| r.span.contains(&at))
                        .map(|i| i + 1);
                    let named = d.message.match_indices("rule ").filter_map(|(i, _)| {
                        let digits: String = d.message[i + 5..]
                            .chars()
                            .take_while(char::is_ascii_digit)
                            .collect();
                        digits.parse().ok()
                    });
                    within.into_iter().chain(named).collect::<Vec<usize>>()
                })
                .collect();
            (stem.clone(), request, warned)
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: String| dir.path().join(name).to_string_lossy().into_owned();
    let mut jobs = Vec::new();
    // What each job is, to read its result: (request, kind, output file).
    let mut what: Vec<(String, String, String)> = Vec::new();
    const THREE: [(Platform, &str); 3] = [
        (Platform::Nftables, "nftables"),
        (Platform::Fortigate, "fortios"),
        (Platform::Panos, "panos"),
    ];
    let mut warned_of = std::collections::BTreeMap::new();
    for (stem, request, warned) in &requests {
        warned_of.insert(stem.clone(), (request, warned));
        for (platform, from) in THREE {
            let text = implement(request, stem, platform).text;
            let input = file(format!("{stem}.{from}"));
            fs::write(&input, &text).unwrap();
            // fwshift reads no PAN-OS file without a command (all left out).
            if !text.lines().any(|l| l.starts_with("set ")) && platform == Platform::Panos {
                continue;
            }
            let out = file(format!("{stem}.{from}.audit.json"));
            jobs.push(serde_json::json!({"kind": "fwshift", "argv": ["audit", "--from", from, "--format", "json", "-o", &out, &input]}));
            what.push((stem.clone(), format!("audit {from}"), out));
            if platform == Platform::Panos {
                jobs.push(serde_json::json!({"kind": "panos", "file": &input}));
                what.push((stem.clone(), "pan-os-python".into(), String::new()));
            }
        }
        let Some(mut scoped) = addresses_only(request) else {
            continue;
        };
        // While the request is in force: nftables has no expiry to compare.
        scoped.expires = None;
        for (platform, from) in THREE {
            let text = with_default_deny(platform, &implement(&scoped, stem, platform).text);
            fs::write(file(format!("{stem}.scope.{from}")), text).unwrap();
        }
        for second in ["fortios", "panos"] {
            let out = file(format!("{stem}.nftables-{second}.json"));
            jobs.push(serde_json::json!({"kind": "fwshift", "argv": [
                "compare", "--from", "nftables", "--from-second", second, "--format", "json",
                "--fail-on", "none", "-o", &out,
                file(format!("{stem}.scope.nftables")), file(format!("{stem}.scope.{second}")),
            ]}));
            what.push((stem.clone(), format!("compare nftables {second}"), out));
        }
    }
    let manifest = file("jobs.json".into());
    fs::write(&manifest, serde_json::to_string(&jobs).unwrap()).unwrap();
    let results_file = file("results.json".into());
    let out = Command::new(&python)
        .arg("tests/checkers/others.py")
        .args([&manifest, &results_file])
        .output()
        .unwrap();
    common::succeeded(&out);
    let results: Vec<serde_json::Value> =
        serde_json::from_str(&fs::read_to_string(&results_file).unwrap()).unwrap();
    let mut failures = Vec::new();
    let (mut audits, mut compares, mut objects) = (0, 0, 0);
    let (mut warned_shadows, mut app_only) = (0, 0);
    for ((stem, kind, out), result) in what.iter().zip(&results) {
        if kind == "pan-os-python" {
            objects += result["objects"].as_u64().unwrap() + result["rules"].as_u64().unwrap();
            if result["problems"] != serde_json::json!([]) {
                failures.push(format!("{stem} {kind}: {}", result["problems"]));
            }
            continue;
        }
        let read = fs::read_to_string(out).unwrap_or_default();
        let Ok(report) = serde_json::from_str::<serde_json::Value>(&read) else {
            failures.push(format!(
                "{stem} {kind}: exit {} and no report",
                result["code"]
            ));
            continue;
        };
        if kind.starts_with("audit") {
            audits += 1;
            for finding in report["findings"].as_array().unwrap() {
                if finding["check"] != "SHADOWED_RULE" {
                    continue;
                }
                let name = finding["name"].as_str().unwrap_or("");
                // Only an allow the request itself denies all of (which the
                // packet meaning says never takes effect) may be shadowed.
                let (request, warned) = &warned_of[stem];
                let excused = rule_number(name).is_some_and(|n| {
                    warned.contains(&n)
                        && request
                            .rules
                            .get(n - 1)
                            .is_some_and(|r| r.action == fwreq::spec::Action::Allow)
                });
                if excused {
                    warned_shadows += 1;
                } else {
                    failures.push(format!("{stem} {kind}: {finding}"));
                }
            }
        } else {
            compares += 1;
            // PAN-OS matches ICMP echo by App-ID (`ping`), which fwshift
            // keeps apart from "other applications" on the same packets: a
            // difference of applications, not of packets.
            for difference in report["differences"].as_array().unwrap() {
                let by_application = difference["for"]
                    .as_str()
                    .is_some_and(|f| f.split("; ").all(|part| part.contains("application")));
                if by_application {
                    app_only += 1;
                } else {
                    failures.push(format!("{stem} {kind}: {difference}"));
                }
            }
        }
    }
    if !failures.is_empty() {
        // Kept, so the failing files can be read and the checkers rerun.
        eprintln!("the checked files are in {}", dir.keep().display());
    }
    println!(
        "fwshift: {audits} audits ({warned_shadows} shadowed rules, each one check warns about) and {compares} comparisons ({app_only} differences of App-ID alone) over {} requests; pan-os-python built {objects} objects and rules",
        requests.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The request's rule number in an object or rule name fwshift reports:
/// `RITM0000030-r2` (FortiOS, PAN-OS) or `... rule 2: comment` (nftables).
fn rule_number(name: &str) -> Option<usize> {
    let digits = |s: &str| {
        s.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    };
    let after = name
        .find(" rule ")
        .map(|at| &name[at + 6..])
        .or_else(|| name.rfind("-r").map(|at| &name[at + 2..]))?;
    digits(after).parse().ok()
}

/// Addresses to send from and to inside `network`: its first and last.
fn ends(network: &fwreq::request::Network) -> Vec<std::net::IpAddr> {
    use std::net::IpAddr;
    let first = network.addr;
    let last = match first {
        IpAddr::V4(a) => {
            let host = u32::MAX.checked_shr(u32::from(network.prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(a) | host).into())
        }
        IpAddr::V6(a) => {
            let host = u128::MAX
                .checked_shr(u32::from(network.prefix))
                .unwrap_or(0);
            IpAddr::V6((u128::from(a) | host).into())
        }
    };
    if first == last {
        vec![first]
    } else {
        vec![first, last]
    }
}

/// Packets around a request's rules: from each end of each source (and from
/// an address no rule names), to each end of each address destination, on
/// each end of each port range and the ports just outside it.
fn packets(request: &fwreq::request::Request) -> Vec<fwreq::policy::Packet> {
    use fwreq::policy::Packet;
    use fwreq::request::TestHost;
    use std::net::IpAddr;
    let flows = fwreq::policy::flows(request);
    let outside: [IpAddr; 2] = [
        "203.0.113.77".parse().unwrap(),
        "2001:db8:ffff::77".parse().unwrap(),
    ];
    let mut out = BTreeSet::new();
    for flow in &flows {
        let Some(destination) = flow.target.network() else {
            continue;
        };
        let mut sources: Vec<IpAddr> = flow.sources.iter().flat_map(ends).collect();
        sources.extend(outside);
        let ports: Vec<Option<u16>> = match flow.protocol {
            fwreq::spec::Protocol::Icmp => vec![None],
            _ => flow
                .ports
                .ranges()
                .iter()
                .flat_map(|&(low, high)| {
                    [
                        low.checked_sub(1),
                        Some(low),
                        Some(high),
                        high.checked_add(1),
                    ]
                })
                .filter(|p| p.is_some_and(|p| p > 0))
                .collect(),
        };
        for source in &sources {
            for to in ends(&destination) {
                if to.is_ipv4() != source.is_ipv4() {
                    continue;
                }
                for port in &ports {
                    out.insert((*source, to, flow.protocol.as_str(), *port));
                }
            }
        }
    }
    out.into_iter()
        .map(|(source, to, protocol, port)| Packet {
            source,
            destination: TestHost::Address(to),
            protocol: match protocol {
                "tcp" => fwreq::spec::Protocol::Tcp,
                "udp" => fwreq::spec::Protocol::Udp,
                _ => fwreq::spec::Protocol::Icmp,
            },
            port,
        })
        .collect()
}

/// Issue #30, step 6: the nftables text of every example and 250 generated
/// requests, loaded by nft in a network namespace the test makes itself
/// (`unshare -Urn`: loopback and a veth pair, nothing else), gives every
/// sampled packet the verdict `policy::meaning` gives it: a denied packet is
/// dropped, any other passes (the chain's policy is accept). The chain is
/// hooked at output instead of forward, so the test's own packets pass it.
#[test]
fn nftables_gives_sampled_packets_the_requests_meaning_in_a_namespace() {
    let Some(nft) = nft() else { return };
    let mut requests = example_requests();
    requests.extend(generated());
    let dir = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    let mut expected = Vec::new();
    for (stem, request) in &requests {
        let packets = packets(request);
        if packets.is_empty() {
            continue;
        }
        let text = implement(request, stem, Platform::Nftables).text.replace(
            "type filter hook forward priority filter;",
            "type filter hook output priority filter;",
        );
        let file = dir.path().join(format!("{stem}.nft"));
        fs::write(&file, text).unwrap();
        let flows = fwreq::policy::flows(request);
        let mut want = Vec::new();
        let mut sent = Vec::new();
        for packet in &packets {
            let verdict = match fwreq::policy::meaning(&flows, packet) {
                fwreq::policy::Meaning::Denied { .. } => "drop",
                _ => "accept",
            };
            want.push((packet.clone(), verdict));
            sent.push(serde_json::json!([
                packet.source.to_string(),
                packet.destination.to_string(),
                packet.protocol.as_str(),
                packet.port,
            ]));
        }
        jobs.push(serde_json::json!({"file": file, "packets": sent}));
        expected.push((stem.clone(), want));
    }
    let jobs_file = dir.path().join("packets.json");
    let results_file = dir.path().join("verdicts.json");
    fs::write(&jobs_file, serde_json::to_string(&jobs).unwrap()).unwrap();
    let folder = nft
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let path = format!(
        "{folder}:/usr/sbin:/sbin:{}",
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("unshare")
        .args(["-Urn", "python3", "tests/checkers/packets.py"])
        .args([&jobs_file, &results_file])
        .env("PATH", path)
        .output()
        .unwrap();
    common::succeeded(&out);
    let got: Vec<Vec<String>> =
        serde_json::from_str(&fs::read_to_string(&results_file).unwrap()).unwrap();
    let (mut packets_sent, mut dropped) = (0, 0);
    let mut wrong = Vec::new();
    for ((stem, want), got) in expected.iter().zip(&got) {
        for ((packet, verdict), seen) in want.iter().zip(got) {
            packets_sent += 1;
            dropped += usize::from(seen == "drop");
            if verdict != seen {
                wrong.push(format!("{stem}: {packet:?}: meaning {verdict}, nft {seen}"));
            }
        }
    }
    println!(
        "nftables in a namespace: {packets_sent} packets of {} requests, {dropped} dropped, each as the request means",
        expected.len()
    );
    assert!(
        wrong.is_empty(),
        "{} packets:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
