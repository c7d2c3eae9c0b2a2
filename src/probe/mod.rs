//! Probing: run every TCP check of a request at once and record, per address,
//! what happened.
//!
//! The flows come from `flows::plan`, so `fwreq probe` tests exactly what the
//! ticket's curl lines test (wildcards through their probe host or apex, ranges
//! through their probe address, port ranges at both ends). First every name is
//! resolved (each lookup bounded by the DNS timeout), then every address of
//! every flow is connected to, each attempt one socket under a budget that the
//! open-file limit sets, so the wall time is about the DNS timeout plus
//! ceil(attempts / budget) x timeout. A failure of this host (no file
//! descriptors, no route, no buffer space) is an `error`, never a verdict
//! about the firewall.

pub(crate) mod limits;
pub(crate) mod report;
pub mod resolve;

use crate::evidence::Tested;
use crate::flows::{RuleChecks, TestHost};
use crate::request::Network;
use crate::spec::{Action, Protocol};
use resolve::{DnsFailure, Mappings, Resolve};
use serde::Serialize;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc};

/// What one connection attempt (or a flow that made none) found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Connected: the path is open.
    Open,
    /// Reset: the packets got through (or a firewall rejected them).
    Refused,
    /// No answer within the timeout: filtered.
    Timeout,
    /// An ICMP host-unreachable came back: a router or firewall turned it away.
    Unreachable,
    /// The name did not resolve.
    DnsError,
    /// This host failed (too many open files, no route, no buffer space):
    /// says nothing about the firewall.
    Error,
    /// Not probed (UDP, ICMP, a range without a probe address), with the reason.
    Skipped,
    /// Not finished when the probe was interrupted (Ctrl-C).
    Interrupted,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Open => "open",
            Verdict::Refused => "refused",
            Verdict::Timeout => "timeout",
            Verdict::Unreachable => "unreachable",
            Verdict::DnsError => "dns-error",
            Verdict::Error => "error",
            Verdict::Skipped => "skipped",
            Verdict::Interrupted => "interrupted",
        }
    }

    /// Whether this verdict is what `expect` asked for. Skipped rows are not judged.
    pub fn matches(self, expect: Expect) -> Option<bool> {
        match self {
            Verdict::Skipped => None,
            Verdict::Open => Some(expect == Expect::Open),
            Verdict::Refused | Verdict::Timeout | Verdict::Unreachable => {
                Some(expect == Expect::Blocked)
            }
            Verdict::DnsError | Verdict::Error | Verdict::Interrupted => Some(false),
        }
    }
}

/// What the engineer expects of the allow rules: `open` after the change,
/// `blocked` before it. Deny rules expect the opposite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Open,
    Blocked,
}

impl Expect {
    /// The expectation for a flow of a rule with this action.
    pub fn for_action(self, action: Action) -> Expect {
        match (self, action) {
            (e, Action::Allow) => e,
            (Expect::Open, Action::Deny) => Expect::Blocked,
            (Expect::Blocked, Action::Deny) => Expect::Open,
        }
    }
}

/// One row of evidence: one address of one flow (or a flow that had none to try).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    #[serde(flatten)]
    pub tested: Tested,
    pub port: Option<u16>,
    /// The address tried.
    pub address: Option<IpAddr>,
    /// The address this host sent from (the connection's, or the route's).
    pub source: Option<IpAddr>,
    /// Whether `source` lies inside the rule's `sources` (absent when the rule names none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_in_rule: Option<bool>,
    pub result: Verdict,
    /// This attempt's own time until the verdict.
    pub millis: Option<u64>,
    /// Why a row was skipped, what the resolver said, or the error behind a verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The flow (rule, destination, port) this row belongs to.
    #[serde(skip)]
    pub flow: usize,
}

impl Row {
    /// Whether this row is as expected (`None` for skipped rows).
    pub fn as_expected(&self, expect: Expect) -> Option<bool> {
        self.result.matches(expect.for_action(self.tested.action))
    }
}

/// How to probe.
pub struct Options {
    pub timeout: Duration,
    pub dns_timeout: Duration,
    /// Connection attempts (sockets) open at once.
    pub concurrency: usize,
    /// `--resolve` mappings, used instead of DNS.
    pub mappings: Mappings,
    pub resolver: Arc<dyn Resolve>,
}

/// One flow to test: a TCP check of the plan.
struct TcpCheck {
    host: TestHost,
    port: u16,
    sources: Vec<Network>,
    /// The row every row of this flow starts from.
    template: Row,
}

/// Probes every flow of the plan. Returns the rows in plan order (addresses in
/// resolver order); `stop` (Ctrl-C) ends it at once, rows not done marked
/// `Interrupted`. `on_done(done, total)` is told after each attempt.
pub async fn run(
    plan: &[RuleChecks],
    options: &Options,
    stop: impl std::future::Future<Output = ()>,
    mut on_done: impl FnMut(usize, usize),
) -> Vec<Row> {
    let (mut rows, flows) = planned(plan);
    tokio::pin!(stop);

    // 1. Names to addresses: each name once, every lookup bounded.
    // Lookups open files and sockets too: they share the socket budget.
    let budget = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let names = names_to_look_up(&flows, options);
    let Some(answers) = look_up(names, options, &budget, stop.as_mut()).await else {
        rows.extend(flows.iter().map(|f| f.template.clone()));
        sort(&mut rows);
        return rows;
    };

    // 2. Every address of every flow, one socket per attempt.
    let attempts = attempts(&flows, &answers, options, &mut rows);
    let total = attempts.len();
    let flows = Arc::new(flows);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut tasks = tokio::task::JoinSet::new();
    for (n, &(flow, address)) in attempts.iter().enumerate() {
        let (flows, budget, tx, timeout) =
            (flows.clone(), budget.clone(), tx.clone(), options.timeout);
        tasks.spawn(async move {
            let Ok(_socket) = budget.acquire_owned().await else {
                return;
            };
            let flow = &flows[flow];
            let row = attempt(flow, address, timeout).await;
            let _ = tx.send((n, row));
        });
    }
    drop(tx);
    let mut done: Vec<Option<Row>> = vec![None; total];
    let mut finished = 0;
    loop {
        tokio::select! {
            received = rx.recv() => match received {
                Some((n, row)) => {
                    done[n] = Some(row);
                    finished += 1;
                    on_done(finished, total);
                }
                None => break,
            },
            () = &mut stop => break,
        }
    }
    tasks.abort_all();
    for ((flow, address), row) in attempts.into_iter().zip(done) {
        rows.push(row.unwrap_or_else(|| {
            let flow = &flows[flow];
            Row {
                address: Some(address),
                ..flow.template.clone()
            }
        }));
    }
    sort(&mut rows);
    rows
}

/// The names the flows connect to that `--resolve` does not map, each once.
fn names_to_look_up(flows: &[TcpCheck], options: &Options) -> Vec<String> {
    let mut names: Vec<String> = flows
        .iter()
        .filter_map(|f| match &f.host {
            TestHost::Name(name) if options.mappings.get(name, f.port).is_none() => {
                Some(name.to_string())
            }
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The answers to every lookup, each bounded by the DNS timeout and taking
/// a share of the socket budget, with how long it took; `None` when `stop`
/// came first.
async fn look_up(
    names: Vec<String>,
    options: &Options,
    budget: &Arc<Semaphore>,
    mut stop: std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
) -> Option<HashMap<String, (Result<Vec<IpAddr>, DnsFailure>, u64)>> {
    let mut lookups = tokio::task::JoinSet::new();
    for name in names {
        let lookup = options.resolver.lookup(&name);
        let (limit, budget) = (options.dns_timeout, budget.clone());
        lookups.spawn(async move {
            let _permit = budget.acquire_owned().await;
            let started = Instant::now();
            let answer = match tokio::time::timeout(limit, lookup).await {
                Ok(answer) => answer,
                Err(_) => Err(DnsFailure::TimedOut),
            };
            (name, answer, millis(started))
        });
    }
    let mut answers = HashMap::new();
    loop {
        tokio::select! {
            joined = lookups.join_next() => match joined {
                Some(Ok((name, answer, ms))) => { answers.insert(name, (answer, ms)); }
                Some(Err(_)) => {}
                None => return Some(answers),
            },
            () = &mut stop => {
                lookups.abort_all();
                return None;
            }
        }
    }
}

/// Every (flow, address) to try: an address as given, a mapped name's
/// addresses, a looked-up name's answers; a name without any is a
/// `dns-error` row now.
fn attempts(
    flows: &[TcpCheck],
    answers: &HashMap<String, (Result<Vec<IpAddr>, DnsFailure>, u64)>,
    options: &Options,
    rows: &mut Vec<Row>,
) -> Vec<(usize, IpAddr)> {
    let mut attempts: Vec<(usize, IpAddr)> = Vec::new();
    for (i, flow) in flows.iter().enumerate() {
        let addresses: Vec<IpAddr> = if let TestHost::Address(address) = flow.host {
            vec![address]
        } else if let Some(mapped) = options.mappings.get(&flow.host.to_string(), flow.port) {
            mapped.to_vec()
        } else {
            match answers.get(&flow.host.to_string()) {
                Some((Ok(found), _)) if !found.is_empty() => found.clone(),
                other => {
                    let (failure, ms) = match other {
                        Some((Err(failure), ms)) => (failure.clone(), Some(*ms)),
                        _ => (DnsFailure::NoAddress, None),
                    };
                    rows.push(Row {
                        result: Verdict::DnsError,
                        millis: ms,
                        detail: Some(failure.describe()),
                        ..flow.template.clone()
                    });
                    continue;
                }
            }
        };
        attempts.extend(addresses.into_iter().map(|a| (i, a)));
    }
    attempts
}

/// Rows in plan order: by flow, skipped rows where their flow stands.
fn sort(rows: &mut [Row]) {
    rows.sort_by_key(|r| r.flow);
}

/// The plan as rows to skip (with the reason) and TCP flows to test.
fn planned(plan: &[RuleChecks]) -> (Vec<Row>, Vec<TcpCheck>) {
    let mut skipped = Vec::new();
    let mut flows = Vec::new();
    let mut next = 0;
    for rule in plan {
        for dest in &rule.destinations {
            let mut row = |host: &str, port, result, detail: Option<&str>| {
                next += 1;
                Row {
                    tested: Tested {
                        rule: rule.number,
                        action: rule.action,
                        protocol: rule.protocol,
                        destination: dest.destination.clone(),
                        host: host.to_string(),
                    },
                    port,
                    address: None,
                    source: None,
                    source_in_rule: None,
                    result,
                    millis: None,
                    detail: detail.map(str::to_string),
                    flow: next,
                }
            };
            if dest.checks.is_empty() {
                skipped.push(row(
                    &dest.destination,
                    None,
                    Verdict::Skipped,
                    Some("a range has no single host: add probe = \"ADDRESS\" to test one"),
                ));
            }
            for check in &dest.checks {
                let why = match check.protocol {
                    Protocol::Tcp => None,
                    Protocol::Udp => Some(
                        "udp has no handshake to prove a path: run the nc line and watch tcpdump",
                    ),
                    Protocol::Icmp => Some("icmp needs raw sockets: run the ping line"),
                };
                match (why, check.port) {
                    (None, Some(port)) => flows.push(TcpCheck {
                        host: check.host.clone(),
                        port,
                        sources: rule.sources.clone(),
                        template: row(
                            &check.host.to_string(),
                            Some(port),
                            Verdict::Interrupted,
                            None,
                        ),
                    }),
                    _ => skipped.push(row(
                        &check.host.to_string(),
                        check.port,
                        Verdict::Skipped,
                        why.or(Some("no port to test")),
                    )),
                }
            }
        }
    }
    (skipped, flows)
}

/// One connection attempt to one address of a flow.
async fn attempt(flow: &TcpCheck, address: IpAddr, timeout: Duration) -> Row {
    let started = Instant::now();
    let target = SocketAddr::new(address, flow.port);
    let (result, detail, source) =
        match tokio::time::timeout(timeout, TcpStream::connect(target)).await {
            Ok(Ok(stream)) => (
                Verdict::Open,
                None,
                stream.local_addr().ok().map(|a| a.ip()),
            ),
            Ok(Err(e)) => {
                let (verdict, detail) = classify(&e);
                // A refusal says all there is to say; errors and ICMP answers need their words.
                let detail = (verdict != Verdict::Refused).then_some(detail);
                (verdict, detail, route_source(target))
            }
            Err(_) => (Verdict::Timeout, None, route_source(target)),
        };
    let source_in_rule = match (source, flow.sources.is_empty()) {
        (Some(s), false) => Some(flow.sources.iter().any(|n| n.contains(s))),
        _ => None,
    };
    Row {
        address: Some(address),
        source,
        source_in_rule,
        result,
        millis: Some(millis(started)),
        detail,
        ..flow.template.clone()
    }
}

/// The source address the kernel picks for `target`: a UDP socket "connected"
/// to it (no packet is sent) knows its route's address.
fn route_source(target: SocketAddr) -> Option<IpAddr> {
    let any: IpAddr = match target {
        SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let socket = UdpSocket::bind(SocketAddr::new(any, 0)).ok()?;
    socket.connect(target).ok()?;
    socket.local_addr().ok().map(|a| a.ip())
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A failed connect: what it says about the path, and the error in words.
/// Only answers from the network are verdicts; anything this host did not
/// manage (no descriptors, no route, no buffers, a local policy) is an error.
fn classify(err: &std::io::Error) -> (Verdict, String) {
    use std::io::ErrorKind;
    let verdict = match err.kind() {
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset => Verdict::Refused,
        ErrorKind::TimedOut => Verdict::Timeout,
        ErrorKind::HostUnreachable => Verdict::Unreachable,
        _ => Verdict::Error,
    };
    let detail = match err.kind() {
        ErrorKind::NetworkUnreachable => format!("no route from this host ({err})"),
        _ => err.to_string(),
    };
    (verdict, detail)
}

/// Parses a duration: `3s`, `500ms`, `1.5s`, or plain seconds (`3`).
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 3s, 500ms)"))?;
    let secs = value * scale;
    if !(0.001..=3600.0).contains(&secs) {
        return Err(format!("`{text}` must be between 1ms and 3600s"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};

    #[test]
    fn durations_read_like_curl_options() {
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn answers_from_the_network_are_verdicts() {
        let v = |e: Error| classify(&e).0;
        assert_eq!(
            v(Error::from(ErrorKind::ConnectionRefused)),
            Verdict::Refused
        );
        assert_eq!(v(Error::from(ErrorKind::ConnectionReset)), Verdict::Refused);
        assert_eq!(v(Error::from(ErrorKind::TimedOut)), Verdict::Timeout);
        assert_eq!(
            v(Error::from(ErrorKind::HostUnreachable)),
            Verdict::Unreachable
        );
    }

    /// EMFILE, ENFILE, ENOBUFS, EADDRNOTAVAIL, ENETUNREACH, EPERM, EACCES:
    /// this host failed; nothing was learnt about the firewall.
    #[test]
    fn failures_of_this_host_are_errors_not_blocked() {
        for errno in [24, 23, 105, 99, 101, 1, 13] {
            let (verdict, detail) = classify(&Error::from_raw_os_error(errno));
            assert_eq!(verdict, Verdict::Error, "errno {errno}: {detail}");
            assert_eq!(verdict.matches(Expect::Blocked), Some(false));
        }
        let (_, detail) = classify(&Error::from_raw_os_error(24));
        assert!(detail.contains("Too many open files"), "{detail}");
        let (_, detail) = classify(&Error::from_raw_os_error(101));
        assert!(detail.starts_with("no route from this host"), "{detail}");
    }

    #[test]
    fn verdicts_match_expectations() {
        assert_eq!(Verdict::Open.matches(Expect::Open), Some(true));
        assert_eq!(Verdict::Open.matches(Expect::Blocked), Some(false));
        assert_eq!(Verdict::Timeout.matches(Expect::Open), Some(false));
        assert_eq!(Verdict::Timeout.matches(Expect::Blocked), Some(true));
        assert_eq!(Verdict::Refused.matches(Expect::Blocked), Some(true));
        assert_eq!(Verdict::DnsError.matches(Expect::Blocked), Some(false));
        assert_eq!(Verdict::Skipped.matches(Expect::Open), None);
    }
}
