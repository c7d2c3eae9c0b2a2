//! `fwreq probe` against listeners on loopback only: open, refused and filtered
//! (a listener whose accept queue is full, so Linux drops new SYNs). Every name
//! is mapped with --resolve; no test sends a packet beyond 127.0.0.1 or ::1.

// Test helpers may panic: a panic is how a test reports failure.
#![allow(clippy::unwrap_used)]

use assert_cmd::cargo::cargo_bin_cmd;
use socket2::{Domain, Socket, Type};
use std::fs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

/// An open port: a listener that accepts.
fn open_port() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").unwrap()
}

/// A port with nothing listening: bind, note the port, close.
fn closed_port() -> u16 {
    open_port().local_addr().unwrap().port()
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

fn json_rows(stdout: &[u8]) -> Vec<serde_json::Value> {
    serde_json::from_slice(stdout).unwrap()
}

#[test]
fn each_flow_is_classified_open_refused_or_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let open = open_port();
    let closed = closed_port();
    let (_listener, _held, filtered) = filtered_port();
    let open = open.local_addr().unwrap().port();
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
    let open = open_port();
    let port = open.local_addr().unwrap().port();
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
    let open = open_port();
    let port = open.local_addr().unwrap().port();
    let closed = closed_port();
    let text = format!(
        "title = \"Mixed\"\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\"]\njustification = \"j\"\n[[rules]]\nports = [{port}]\ndestinations = [\"127.0.0.1\"]\n[[rules]]\naction = \"deny\"\nports = [{closed}]\ndestinations = [\"127.0.0.1\"]\n"
    );
    let spec = dir.path().join("req.toml");
    fs::write(&spec, text).unwrap();
    let out = cargo_bin_cmd!("fwreq")
        .arg("probe")
        .arg(&spec)
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{md}");
    assert!(
        md.contains("\n- Expected: open (deny rules: blocked) (timeout 3000 ms per flow)\n"),
        "{md}"
    );
    assert!(md.ends_with("\n2 of 2 flows as expected.\n"), "{md}");
}

#[test]
fn three_hundred_filtered_flows_take_about_one_timeout_not_three_hundred() {
    let dir = tempfile::tempdir().unwrap();
    let (_listener, _held, filtered) = filtered_port();
    let names: Vec<String> = (0..300).map(|i| format!("host{i}.example.com")).collect();
    let spec = write_spec(dir.path(), &names, &[filtered]);
    let start = Instant::now();
    let out = cargo_bin_cmd!("fwreq")
        .args([
            "probe",
            &spec,
            "--format",
            "json",
            "--timeout",
            "1s",
            "--concurrency",
            "300",
        ])
        .args(["--resolve", "*:127.0.0.1"])
        .output()
        .unwrap();
    let wall = start.elapsed();
    let rows = json_rows(&out.stdout);
    let timeouts = rows.iter().filter(|r| r["result"] == "timeout").count();
    assert_eq!(timeouts, 300);
    assert!(
        wall < Duration::from_secs(3),
        "300 x 1 s flows took {wall:?}"
    );
}

#[test]
fn markdown_evidence_has_a_header_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let open = open_port();
    let port = open.local_addr().unwrap().port();
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
    assert!(
        md.starts_with("### Probe: Loopback probe\n\n- Request: RITM0194104\n- From: "),
        "{md}"
    );
    assert!(md.contains("\n- At: "));
    assert!(
        md.contains("\n| Destination | Port | Address | Result | Time |\n|---|---|---|---|---|\n")
    );
    assert!(
        md.contains(&format!(
            "| `registry.example.com` | {port} | `127.0.0.1` | open | "
        )),
        "{md}"
    );
    assert!(md.contains("| `ntp.example.com` | 123 | - | skipped (udp has no handshake"));
    assert!(md.contains("\n- Expected: open (timeout 3000 ms per flow)\n"));
    assert!(
        md.ends_with("\n1 of 1 flows as expected; 1 skipped.\n"),
        "{md}"
    );
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
    let out = cargo_bin_cmd!("fwreq")
        .args([
            "probe",
            &spec,
            "--format",
            "json",
            "--resolve",
            "v6.example.com:[::1]",
        ])
        .output()
        .unwrap();
    let rows = json_rows(&out.stdout);
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

#[test]
fn ctrl_c_stops_and_prints_what_was_measured() {
    let dir = tempfile::tempdir().unwrap();
    let open = open_port();
    let (_listener, _held, filtered) = filtered_port();
    let port = open.local_addr().unwrap().port();
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
    assert!(start.elapsed() < Duration::from_secs(5), "stopped promptly");
    let rows = json_rows(&out.stdout);
    let results: Vec<&str> = rows.iter().map(|r| r["result"].as_str().unwrap()).collect();
    assert_eq!(results, ["open", "interrupted", "skipped"]);
    assert_eq!(out.status.code(), Some(1));
}
