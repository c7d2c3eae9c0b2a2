//! `fwreq probe` against listeners on loopback only: open, refused and filtered
//! (a listener whose accept queue is full, so Linux drops new SYNs). Every name
//! is mapped with --resolve; no test sends a packet beyond 127.0.0.1 or ::1.

use assert_cmd::cargo::cargo_bin_cmd;
use socket2::{Domain, Socket, Type};
use std::fs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

/// An open port: a listener that accepts (keep it while probing), and its
/// number.
fn open_port() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

/// A port with nothing listening: bind, note the port, close.
fn closed_port() -> u16 {
    open_port().1
}

/// A filtered port: a listener with a backlog of 1, its queue filled by
/// connections that are never accepted. Keep the returned value alive.
fn filtered_port() -> (Socket, Vec<TcpStream>, u16) {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket
        .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    socket.listen(1).unwrap();
    let addr = socket.local_addr().unwrap().as_socket().unwrap();
    let mut held = Vec::new();
    for _ in 0..8 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => held.push(stream),
            Err(_) => return (socket, held, addr.port()),
        }
    }
    panic!("the accept queue of {addr} never filled");
}

/// A request with one TCP rule: `destinations` on `ports`.
fn write_spec(dir: &Path, destinations: &[String], ports: &[u16]) -> String {
    let dests: Vec<String> = destinations.iter().map(|d| format!("\"{d}\"")).collect();
    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
    let text = format!(
        "title = \"Loopback probe\"\nritm = \"RITM0194104\"\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\"]\njustification = \"j\"\n[[rules]]\nports = [{}]\ndestinations = [{}]\n[[rules]]\nprotocol = \"udp\"\nports = [123]\ndestinations = [\"ntp.example.com\"]\n",
        ports.join(", "),
        dests.join(", ")
    );
    let path = dir.join("req.toml");
    fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// `fwreq probe SPEC --format json ARGS...`: its exit code and rows.
fn probe_json(spec: &str, args: &[&str]) -> (Option<i32>, Vec<serde_json::Value>) {
    let out = cargo_bin_cmd!("fwreq")
        .args(["probe", spec, "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), json_rows(&out.stdout))
}

fn json_rows(stdout: &[u8]) -> Vec<serde_json::Value> {
    let evidence: serde_json::Value = serde_json::from_slice(stdout).unwrap();
    evidence["rows"].as_array().unwrap().clone()
}

/// A listener that accepts (and drops) every connection on a thread, so its
/// queue never fills however many flows connect.
fn accepting_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            drop(stream);
        }
    });
    port
}

#[test]
fn each_flow_is_classified_open_refused_or_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (_listener, open) = open_port();
    let closed = closed_port();
    let (_filter, _held, filtered) = filtered_port();
    let spec = write_spec(
        dir.path(),
        &["registry.example.com".into()],
        &[open, closed, filtered],
    );
    let start = Instant::now();
    let out = cargo_bin_cmd!("fwreq")
        .args(["probe", &spec, "--format", "json", "--timeout", "1s"])
        .args(["--resolve", "registry.example.com:127.0.0.1"])
        .output()
        .unwrap();
    let rows = json_rows(&out.stdout);
    let results: Vec<(&str, u64, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["destination"].as_str().unwrap(),
                r["port"].as_u64().unwrap_or(0),
                r["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("registry.example.com", u64::from(open), "open"),
            ("registry.example.com", u64::from(closed), "refused"),
            ("registry.example.com", u64::from(filtered), "timeout"),
            ("ntp.example.com", 123, "skipped"),
        ]
    );
    assert_eq!(rows[0]["address"], "127.0.0.1");
    assert_eq!(rows[0]["protocol"], "tcp");
    assert_eq!(rows[0]["host"], "registry.example.com");
    assert!(
        rows[2]["millis"].as_u64().unwrap() >= 900,
        "a timeout waits the timeout"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "refused and timeout are not open"
    );
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn expect_decides_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let (_open, port) = open_port();
    let spec = write_spec(dir.path(), &["127.0.0.1".into()], &[port]);
    let run = |expect: &str| {
        cargo_bin_cmd!("fwreq")
            .args(["probe", &spec, "--format", "json", "--expect", expect])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(
        run("open"),
        Some(0),
        "open, and the udp flow is skipped, not judged"
    );
    assert_eq!(run("blocked"), Some(1));

    let closed = write_spec(dir.path(), &["127.0.0.1".into()], &[closed_port()]);
    let out = cargo_bin_cmd!("fwreq")
        .args(["probe", &closed, "--expect", "blocked"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "refused counts as blocked");
}

#[test]
fn deny_rules_are_expected_blocked_after_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let (_open, port) = open_port();
    let closed = closed_port();
    let text = format!(
        "title = \"Mixed\"\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\"]\njustification = \"j\"\n[[rules]]\nports = [{port}]\ndestinations = [\"127.0.0.1\"]\n[[rules]]\naction = \"deny\"\nports = [{closed}]\ndestinations = [\"127.0.0.1\"]\n"
    );
    spec_in(dir.path(), &text);
    let (code, md) = probe_in(dir.path(), &["req.toml"]);
    assert_eq!(code, Some(0), "{md}");
    crate::common::assert_contains(
        &md,
        "\n- Expected: open (deny rules: blocked) (timeout 3000 ms per connection, 3000 ms per DNS lookup)\n",
    );
    crate::common::assert_ends(&md, "\n2 of 2 flows as expected.\n");
}

#[test]
fn three_hundred_filtered_flows_take_about_one_timeout_not_three_hundred() {
    let dir = tempfile::tempdir().unwrap();
    let (_listener, _held, filtered) = filtered_port();
    let names: Vec<String> = (0..300).map(|i| format!("host{i}.example.com")).collect();
    let spec = write_spec(dir.path(), &names, &[filtered]);
    let start = Instant::now();
    let (_, rows) = probe_json(
        &spec,
        &[
            "--timeout",
            "1s",
            "--concurrency",
            "300",
            "--resolve",
            "*:127.0.0.1",
        ],
    );
    let wall = start.elapsed();
    let timeouts = rows.iter().filter(|r| r["result"] == "timeout").count();
    assert_eq!(timeouts, 300);
    // One by one they would take 300 s; a tenth of that still proves they
    // ran together, however loaded the machine (3 s failed under load).
    assert!(
        wall < Duration::from_secs(30),
        "300 x 1 s flows took {wall:?}"
    );
}

#[test]
fn markdown_evidence_has_a_header_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let (_open, port) = open_port();
    let spec = write_spec(dir.path(), &["registry.example.com".into()], &[port]);
    let out = cargo_bin_cmd!("fwreq")
        .args([
            "probe",
            &spec,
            "--resolve",
            "registry.example.com:127.0.0.1",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    crate::common::assert_starts(
        &md,
        "### Probe: Loopback probe\n\n- Request: RITM0194104\n- From: ",
    );
    assert!(md.contains("\n- At: "));
    assert!(md.contains(&format!("\n- By: fwreq {}\n", env!("CARGO_PKG_VERSION"))));
    crate::common::assert_contains(
        &md,
        "\n| Rule | Action | Protocol | Destination | Tested host | Address | Port | Source | Result | Time |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    crate::common::assert_contains(
        &md,
        &format!(
            "| 1 | allow | tcp | `registry.example.com` | `registry.example.com` | `127.0.0.1` | {port} | `127.0.0.1` | open | "
        ),
    );
    assert!(md.contains("| 2 | allow | udp | `ntp.example.com` | `ntp.example.com` | - | 123 | - | skipped (udp has no handshake"));
    assert!(
        md.contains(
            "\n- Expected: open (timeout 3000 ms per connection, 3000 ms per DNS lookup)\n"
        )
    );
    crate::common::assert_ends(&md, "\n1 of 1 flow as expected; 1 skipped.\n");
}

#[test]
fn ipv6_loopback_is_probed_where_the_machine_has_it() {
    let listener = match TcpListener::bind("[::1]:0") {
        Ok(l) => l,
        Err(e) => {
            eprintln!("skipped: this machine has no IPv6 loopback ({e})");
            return;
        }
    };
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(
        dir.path(),
        &["::1".into(), "v6.example.com".into()],
        &[port],
    );
    let (_, rows) = probe_json(&spec, &["--resolve", "v6.example.com:[::1]"]);
    assert_eq!(rows[0]["result"], "open");
    assert_eq!(rows[0]["address"], "::1");
    assert_eq!(rows[1]["result"], "open");
    assert_eq!(rows[1]["address"], "::1");
}

#[test]
fn an_invalid_spec_or_option_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), &["bad_host.example.com".into()], &[443]);
    cargo_bin_cmd!("fwreq")
        .args(["probe", &spec])
        .assert()
        .code(2);
    let spec = write_spec(dir.path(), &["127.0.0.1".into()], &[443]);
    cargo_bin_cmd!("fwreq")
        .args(["probe", &spec, "--timeout", "soon"])
        .assert()
        .code(2);
    cargo_bin_cmd!("fwreq")
        .args(["probe", &spec, "--resolve", "registry.example.com"])
        .assert()
        .code(2);
}

/// The terminal view: the header, aligned columns, the closing line; no
/// warning about sources when every connection left from one in the rule.
#[test]
fn text_evidence_is_a_header_columns_and_the_closing_line() {
    let dir = tempfile::tempdir().unwrap();
    let (_open, port) = open_port();
    let closed = closed_port();
    let spec = write_spec(dir.path(), &["127.0.0.1".into()], &[port, closed]);
    let out = probe_out(dir.path(), &[&spec, "--format", "text"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let host = fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    crate::common::assert_starts(
        &text,
        &format!(
            "Probe: Loopback probe\nRequest: RITM0194104\nFrom: {}\nAt: ",
            host.trim()
        ),
    );
    assert!(!text.contains("Warning"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let heading = lines.iter().position(|l| l.starts_with("RULE  ")).unwrap();
    assert_eq!(
        lines[heading].split_whitespace().collect::<Vec<_>>(),
        [
            "RULE",
            "ACTION",
            "PROTOCOL",
            "DESTINATION",
            "TESTED",
            "HOST",
            "ADDRESS",
            "PORT",
            "SOURCE",
            "RESULT",
            "TIME"
        ]
    );
    let results: Vec<&str> = lines[heading + 1..heading + 4]
        .iter()
        .map(|l| l.split_whitespace().nth(8).unwrap_or(""))
        .collect();
    assert_eq!(results, ["open", "refused", "skipped"]);
    crate::common::assert_ends(&text, "\n\n1 of 2 flows as expected, 1 not; 1 skipped\n");
}

#[test]
fn ctrl_c_stops_promptly_prints_what_was_measured_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let (_open, port) = open_port();
    let (_listener, _held, filtered) = filtered_port();
    let spec = write_spec(dir.path(), &["127.0.0.1".into()], &[port, filtered]);
    let bin = assert_cmd::cargo::cargo_bin!("fwreq");
    let child = std::process::Command::new(bin)
        .args(["probe", &spec, "--format", "json", "--timeout", "30s"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let start = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(3), "stopped promptly");
    let rows = json_rows(&out.stdout);
    let results: Vec<&str> = rows.iter().map(|r| r["result"].as_str().unwrap()).collect();
    assert_eq!(results, ["open", "interrupted", "skipped"]);
    let evidence: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(evidence["summary"]["interrupted"], 1);
    assert_eq!(
        out.status.code(),
        Some(130),
        "the shell's code for Ctrl-C, not a finding"
    );
}

#[test]
fn a_low_open_file_limit_never_turns_open_flows_into_blocked() {
    let dir = tempfile::tempdir().unwrap();
    let port = accepting_port();
    let names: Vec<String> = (0..2000).map(|i| format!("h{i}.example.com")).collect();
    let spec = write_spec(dir.path(), &names, &[port]);
    let bin = assert_cmd::cargo::cargo_bin!("fwreq");
    // macOS's default soft limit is 256; 64 here, and no raising it (hard = soft).
    let run = |expect: &str| {
        std::process::Command::new("sh")
            .args(["-c", "ulimit -n 64 && exec \"$0\" \"$@\""])
            .arg(bin)
            .args(["probe", &spec, "--format", "json", "--timeout", "5s"])
            .args(["--resolve", "*:127.0.0.1", "--expect", expect])
            .output()
            .unwrap()
    };
    let out = run("blocked");
    let evidence: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = evidence["rows"].as_array().unwrap();
    let open = rows.iter().filter(|r| r["result"] == "open").count();
    assert_eq!(open, 2000, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "open is not blocked");
    assert!(evidence["header"]["concurrency"].as_u64().unwrap() < 64);
    assert_eq!(run("open").status.code(), Some(0));
}

#[test]
fn every_address_of_a_name_is_tested_and_must_be_as_expected() {
    if TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = accepting_port(); // IPv4 only: [::1] on this port refuses
    let spec = write_spec(dir.path(), &["dual.example.com".into()], &[port]);
    let out = cargo_bin_cmd!("fwreq")
        .args(["probe", &spec, "--format", "json"])
        .args(["--resolve", "dual.example.com:127.0.0.1,[::1]"])
        .output()
        .unwrap();
    let rows = json_rows(&out.stdout);
    let tcp: Vec<(&str, &str)> = rows[..2]
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap(),
                r["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(tcp, [("127.0.0.1", "open"), ("::1", "refused")]);
    assert_eq!(rows[1]["source"], "::1");
    assert_eq!(out.status.code(), Some(1), "the IPv6 path is not open");
}

#[test]
fn a_request_with_nothing_to_test_is_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    spec_in(
        dir.path(),
        "title = \"UDP only\"\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\"]\njustification = \"j\"\n[[rules]]\nprotocol = \"udp\"\nports = [123]\ndestinations = [\"192.0.2.7\"]\n[[rules]]\nprotocol = \"icmp\"\ndestinations = [\"192.0.2.8\"]\n",
    );
    let out = probe_out(dir.path(), &["req.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let md = String::from_utf8(out.stdout).unwrap();
    crate::common::assert_ends(&md, "\nnothing could be tested: 2 flows skipped.\n");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "fwreq: error: nothing could be tested: every flow is UDP, ICMP or a range without a probe address; run the ticket's nc and ping lines instead\n"
    );
}

#[test]
fn resolve_takes_curls_host_port_address_form() {
    let dir = tempfile::tempdir().unwrap();
    let open = accepting_port();
    let closed = closed_port();
    let spec = write_spec(dir.path(), &["api.example.com".into()], &[open, closed]);
    let out = cargo_bin_cmd!("fwreq")
        .args(["probe", &spec, "--format", "json"])
        .args(["--resolve", &format!("api.example.com:{open}:127.0.0.1")])
        .args(["--resolve", &format!("api.example.com:{closed}:127.0.0.2")])
        .output()
        .unwrap();
    let rows = json_rows(&out.stdout);
    let got: Vec<(u64, &str, &str)> = rows[..2]
        .iter()
        .map(|r| {
            (
                r["port"].as_u64().unwrap(),
                r["address"].as_str().unwrap(),
                r["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (u64::from(open), "127.0.0.1", "open"),
            (u64::from(closed), "127.0.0.2", "refused")
        ]
    );
    let out = cargo_bin_cmd!("fwreq")
        .args(["probe", &spec, "--resolve", "api.example.com:443:[::1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("`[::1` in `api.example.com:443:[::1` has an unclosed bracket")
    );
}

#[test]
fn json_evidence_has_a_header_rows_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let port = accepting_port();
    let text = format!(
        "title = \"Loopback\"\nritm = \"RITM0194104\"\nreq = \"REQ0194058\"\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\"]\njustification = \"j\"\n[[rules]]\nsources = [\"10.188.50.0/24\"]\nports = [{port}]\ndestinations = [\"127.0.0.1\"]\n"
    );
    let spec = spec_in(dir.path(), &text);
    let flags = [
        "--format",
        "json",
        "--timeout",
        "2s",
        "--dns-timeout",
        "500ms",
    ];
    let (code, json) = probe_in(dir.path(), &[&["req.toml"][..], &flags].concat());
    let evidence: serde_json::Value = serde_json::from_str(&json).unwrap();
    let header = &evidence["header"];
    assert_eq!(header["title"], "Loopback");
    assert_eq!(header["ritm"], "RITM0194104");
    assert_eq!(header["req"], "REQ0194058");
    assert_eq!(header["fwreq"], env!("CARGO_PKG_VERSION"));
    assert_eq!(header["expect"], "open");
    assert_eq!(header["timeout_ms"], 2000);
    assert_eq!(header["dns_timeout_ms"], 500);
    // The host it ran on, by the name the kernel gives it.
    let host = fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(header["from"], host.trim());
    assert!(header["at"].as_str().is_some_and(|a| a.ends_with(" UTC")));
    let row = &evidence["rows"][0];
    assert_eq!(row["rule"], 1);
    assert_eq!(row["action"], "allow");
    assert_eq!(row["protocol"], "tcp");
    assert_eq!(row["destination"], "127.0.0.1");
    assert_eq!(row["host"], "127.0.0.1");
    assert_eq!(row["address"], "127.0.0.1");
    assert_eq!(row["port"], port);
    assert_eq!(row["source"], "127.0.0.1");
    assert_eq!(
        row["source_in_rule"], false,
        "127.0.0.1 is not in 10.188.50.0/24"
    );
    assert_eq!(row["result"], "open");
    assert_eq!(
        evidence["summary"],
        serde_json::json!({"flows": 1, "tested": 1, "as_expected": 1, "skipped": 0, "errors": 0, "interrupted": 0, "outside_sources": 1})
    );
    assert_eq!(code, Some(0));
    let md = cargo_bin_cmd!("fwreq")
        .arg("probe")
        .arg(&spec)
        .output()
        .unwrap()
        .stdout;
    assert!(
        String::from_utf8(md).unwrap().contains("\n- Warning: 1 connection left from 127.0.0.1, outside the rule's sources: they show this host's path, not the path from the rule's sources\n")
    );
}

#[test]
fn a_timeout_the_kernel_would_cut_short_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), &["127.0.0.1".into()], &[443]);
    let Ok(retries) = fs::read_to_string("/proc/sys/net/ipv4/tcp_syn_retries") else {
        eprintln!("skipped: no /proc/sys/net/ipv4/tcp_syn_retries here");
        return;
    };
    let out = probe_out(dir.path(), &[&spec, "--timeout", "3600s"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("fwreq: error: --timeout 3600000 ms is longer than this system waits for a connection by itself ("),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("net.ipv4.tcp_syn_retries = {}", retries.trim())));
    // 1 s, then twice as long for each retry: the kernel's own wait is
    // allowed to the millisecond, and not one more.
    let retries: u32 = retries.trim().parse().unwrap();
    let kernel_ms: u64 = (0..=retries.min(30)).map(|i| 1000u64 << i).sum();
    let out = probe_out(dir.path(), &[&spec, "--timeout", &format!("{kernel_ms}ms")]);
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = probe_out(
        dir.path(),
        &[&spec, "--timeout", &format!("{}ms", kernel_ms + 1)],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The probe engine with stand-in resolvers: slow and failing DNS without the network.
mod resolvers {
    use fwreq::probe::resolve::{DnsFailure, Lookup, Mappings, Resolve};
    use fwreq::probe::{self, Options, Row};
    use std::net::{IpAddr, TcpListener};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    struct Slow(Duration);
    impl Resolve for Slow {
        fn lookup(&self, _host: &str) -> Lookup {
            let wait = self.0;
            Box::pin(async move {
                tokio::time::sleep(wait).await;
                Ok(vec!["127.0.0.1".parse().unwrap()])
            })
        }
    }

    struct Failing(DnsFailure);
    impl Resolve for Failing {
        fn lookup(&self, _host: &str) -> Lookup {
            let failure = self.0.clone();
            Box::pin(async move { Err(failure) })
        }
    }

    /// Answers every name with the same addresses, and counts the lookups.
    struct Answer(Vec<IpAddr>, AtomicUsize);
    impl Resolve for Answer {
        fn lookup(&self, _host: &str) -> Lookup {
            self.1.fetch_add(1, Ordering::SeqCst);
            let addresses = self.0.clone();
            Box::pin(async move { Ok(addresses) })
        }
    }

    fn plan() -> Vec<fwreq::flows::RuleChecks> {
        plan_to("slow.example.com", 443)
    }

    fn plan_to(destination: &str, port: u16) -> Vec<fwreq::flows::RuleChecks> {
        let text = format!(
            "{}[[rules]]\nports = [{port}]\ndestinations = [\"{destination}\"]\n",
            super::common_header()
        );
        let source = fwreq::diagnostic::Source::new("t.toml", text);
        fwreq::flows::plan(&fwreq::validate::load(&source).unwrap())
    }

    fn options(resolver: Arc<dyn Resolve>) -> Options {
        Options {
            timeout: Duration::from_millis(300),
            dns_timeout: Duration::from_millis(300),
            concurrency: 16,
            mappings: Mappings::default(),
            resolver,
        }
    }

    fn run(resolver: Arc<dyn Resolve>, stop_after: Duration) -> (Vec<Row>, Duration) {
        let started = Instant::now();
        let rows = probe_with(&plan(), &options(resolver), stop_after);
        (rows, started.elapsed())
    }

    /// Asserts that `row` is a DNS error saying `detail`.
    #[track_caller]
    fn assert_dns_error(row: &Row, detail: &str) {
        assert_eq!(
            (&row.result, row.detail.as_deref()),
            (&probe::Verdict::DnsError, Some(detail))
        );
    }

    #[test]
    fn a_slow_lookup_ends_at_the_dns_timeout() {
        let (rows, took) = run(
            Arc::new(Slow(Duration::from_secs(30))),
            Duration::from_secs(60),
        );
        assert!(took < Duration::from_secs(5), "{took:?}");
        assert_dns_error(
            &rows[0],
            "no answer within the DNS timeout; check this host's DNS servers",
        );
    }

    #[test]
    fn ctrl_c_during_a_lookup_stops_at_once() {
        let resolver = Arc::new(Slow(Duration::from_secs(30)));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut opts = options(resolver);
        opts.dns_timeout = Duration::from_secs(30);
        let started = Instant::now();
        let rows = runtime.block_on(probe::run(
            &plan(),
            &opts,
            async { tokio::time::sleep(Duration::from_millis(200)).await },
            |_, _| {},
        ));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(rows[0].result, probe::Verdict::Interrupted);
    }

    #[test]
    fn a_dns_error_says_what_the_resolver_answered() {
        for (failure, said) in [
            (
                DnsFailure::NoSuchName,
                "no such name (NXDOMAIN): check the spelling",
            ),
            (
                DnsFailure::NoAddress,
                "no answer: the name exists but has no address record",
            ),
            (
                DnsFailure::Temporary,
                "temporary failure: the resolver gave no answer; check this host's DNS servers",
            ),
        ] {
            let (rows, _) = run(Arc::new(Failing(failure)), Duration::from_secs(60));
            assert_dns_error(&rows[0], said);
            // The lookup's own time is the row's.
            assert!(rows[0].millis.is_some());
        }
    }

    /// `plan` probed with `options` on a runtime of its own, stopped after
    /// `stop_after` if not done.
    fn probe_with(
        plan: &[fwreq::flows::RuleChecks],
        options: &Options,
        stop_after: Duration,
    ) -> Vec<Row> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(probe::run(
                plan,
                options,
                async move { tokio::time::sleep(stop_after).await },
                |_, _| {},
            ))
    }

    #[test]
    fn a_name_is_probed_at_the_address_the_resolver_gives() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let resolver = Arc::new(Answer(vec![LOOPBACK], AtomicUsize::new(0)));
        let rows = probe_with(
            &plan_to("named.example.com", port),
            &options(resolver.clone()),
            Duration::from_secs(60),
        );
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].result, probe::Verdict::Open);
        assert_eq!(rows[0].address, Some(LOOPBACK));
        assert_eq!(resolver.1.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn an_empty_answer_is_a_dns_error_row() {
        let resolver = Arc::new(Answer(Vec::new(), AtomicUsize::new(0)));
        let rows = probe_with(
            &plan_to("named.example.com", 443),
            &options(resolver),
            Duration::from_secs(60),
        );
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_dns_error(
            &rows[0],
            "no answer: the name exists but has no address record",
        );
    }

    #[test]
    fn a_name_given_by_resolve_is_never_looked_up() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let resolver = Arc::new(Answer(vec![LOOPBACK], AtomicUsize::new(0)));
        let mut options = options(resolver.clone());
        options.mappings = Mappings::new([fwreq::probe::resolve::Mapping {
            host: "named.example.com".into(),
            port: Some(port),
            addresses: vec![LOOPBACK],
        }]);
        let rows = probe_with(
            &plan_to("named.example.com", port),
            &options,
            Duration::from_secs(60),
        );
        assert_eq!(rows[0].result, probe::Verdict::Open);
        assert_eq!(resolver.1.load(Ordering::SeqCst), 0);
    }

    /// A refusal says all there is to say: no detail beside the verdict.
    #[test]
    fn a_refused_row_has_no_detail() {
        let port = super::closed_port();
        let rows = probe_with(
            &plan_to("127.0.0.1", port),
            &options(Arc::new(Failing(DnsFailure::NoSuchName))),
            Duration::from_secs(60),
        );
        assert_eq!(rows[0].result, probe::Verdict::Refused);
        assert_eq!(rows[0].detail, None);
        assert_eq!(rows[0].address, Some(LOOPBACK));
    }

    #[test]
    fn ctrl_c_during_a_connection_keeps_the_address_it_tried() {
        let (_socket, _held, port) = super::filtered_port();
        let mut options = options(Arc::new(Failing(DnsFailure::NoSuchName)));
        options.timeout = Duration::from_secs(30);
        let rows = probe_with(
            &plan_to("127.0.0.1", port),
            &options,
            Duration::from_millis(300),
        );
        assert_eq!(rows[0].result, probe::Verdict::Interrupted);
        assert_eq!(rows[0].address, Some(LOOPBACK));
    }
}

/// `req.toml` in `dir`: one TCP rule to 127.0.0.1 on `port`, titled `title`.
fn loopback_spec(dir: &std::path::Path, title: &str, port: u16) -> std::path::PathBuf {
    spec_in(
        dir,
        &format!(
            "title = {title:?}\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\"]\njustification = \"j\"\n[[rules]]\nports = [{port}]\ndestinations = [\"127.0.0.1\"]\n"
        ),
    )
}

/// `req.toml` in `dir` holding `text`.
fn spec_in(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let spec = dir.join("req.toml");
    fs::write(&spec, text).unwrap();
    spec
}

/// `fwreq probe ARGS...` in `dir`: exit code and stdout.
fn probe_in(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = probe_out(dir, args);
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

/// `fwreq probe ARGS...` in `dir`: all it did.
fn probe_out(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    cargo_bin_cmd!("fwreq")
        .current_dir(dir)
        .arg("probe")
        .args(args)
        .output()
        .unwrap()
}

fn common_header() -> &'static str {
    "title = \"t\"\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\"]\njustification = \"j\"\n"
}

#[test]
fn servicenow_evidence_is_the_markdown_table_in_code_and_never_markup() {
    let dir = tempfile::tempdir().unwrap();
    let title = "Loopback <script>alert(1)</script> [/code]";
    loopback_spec(dir.path(), title, accepting_port());
    let (code, notes) = probe_in(dir.path(), &["req.toml", "--format", "servicenow"]);
    assert_eq!(code, Some(0));
    assert!(
        notes.starts_with("[code]<h3>") && notes.ends_with("[/code]\n"),
        "{notes}"
    );
    assert_eq!(
        notes.matches("[/code]").count(),
        1,
        "spec text cannot close [code]"
    );
    assert!(!notes.trim_end().contains('\n'), "one line: {notes}");
    let html = notes
        .trim_end()
        .trim_start_matches("[code]")
        .trim_end_matches("[/code]");
    let doc = scraper::Html::parse_fragment(html);
    let select = |css: &str| -> Vec<String> {
        doc.select(&scraper::Selector::parse(css).unwrap())
            .map(|e| e.text().collect())
            .collect()
    };
    assert!(select("script").is_empty());
    assert_eq!(
        select("h3"),
        ["Probe: Loopback <script>alert(1)</script> [/code]"]
    );
    assert_eq!(select("thead th").len(), 10);
    assert_eq!(
        select("tbody td code")[..3],
        ["127.0.0.1", "127.0.0.1", "127.0.0.1"]
    );
    assert_eq!(select("tbody td")[8], "open");
}

#[test]
fn a_team_template_shapes_the_markdown_evidence() {
    let dir = crate::common::repo_with_team("templates = \"t\"\n");
    fs::create_dir_all(dir.path().join("t")).unwrap();
    fs::write(
        dir.path().join("t/probe.md.j2"),
        "Evidence for {{ title }}: {{ rows | length }} row(s); {{ summary }}.\n",
    )
    .unwrap();
    loopback_spec(dir.path(), "Loopback", accepting_port());
    assert_eq!(
        probe_in(dir.path(), &["req.toml"]),
        (
            Some(0),
            "Evidence for Loopback: 1 row(s); 1 of 1 flow as expected.\n".into()
        )
    );
    assert_eq!(
        probe_in(dir.path(), &["req.toml", "--format", "servicenow"]).1,
        "[code]<p>Evidence for Loopback: 1 row(s); 1 of 1 flow as expected.</p>[/code]\n"
    );
}

/// In a network namespace of its own (`unshare -Urn`) even loopback is down:
/// a connection fails at once, no packet sent, and this host's failure is an
/// `error` row in words, never a verdict on the firewall (exit 2).
#[test]
fn a_host_without_a_route_is_an_error_row_in_words() {
    let Some(unshare) = crate::common::tool_on_path(&["unshare"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let spec = loopback_spec(dir.path(), "t", 9);
    let out = std::process::Command::new(unshare)
        .arg("-Urn")
        .arg(assert_cmd::cargo::cargo_bin!("fwreq"))
        .args(["probe", "--format", "json"])
        .arg(&spec)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let rows = json_rows(&out.stdout);
    assert_eq!(rows[0]["result"], "error");
    assert_eq!(
        rows[0]["detail"],
        "no route from this host (Network is unreachable (os error 101))"
    );
}

/// A firewall that rejects with ICMP host-unreachable: in a namespace of the
/// test's own (`unshare -Urn`, loopback only), an nftables rule answers the
/// SYN so, and the row says `unreachable` with the kernel's words, exit 1.
#[test]
fn an_icmp_reject_is_an_unreachable_verdict() {
    let Some(unshare) = crate::common::tool_on_path(&["unshare"]) else {
        return;
    };
    let nft = crate::common::tool_on_path(&["nft"]).or_else(|| {
        std::path::Path::new("/usr/sbin/nft")
            .is_file()
            .then(|| "/usr/sbin/nft".into())
    });
    let Some(nft) = nft else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let spec = loopback_spec(dir.path(), "t", 9);
    let rules = "table inet t {\n chain out {\n  type filter hook output priority 0;\n  tcp dport 9 reject with icmp type host-unreachable\n }\n}\n";
    let out = std::process::Command::new(unshare)
        .args(["-Urn", "sh", "-c"])
        .arg("ip link set lo up && printf '%s' \"$3\" | \"$1\" -f - && exec \"$0\" probe --format json \"$2\"")
        .arg(assert_cmd::cargo::cargo_bin!("fwreq"))
        .arg(nft)
        .arg(&spec)
        .arg(rules)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let rows = json_rows(&out.stdout);
    assert_eq!(rows[0]["result"], "unreachable");
    assert_eq!(rows[0]["detail"], "No route to host (os error 113)");
}
