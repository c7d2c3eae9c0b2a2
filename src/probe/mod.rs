//! Probing: run every TCP check of a request at once and classify each flow.
//!
//! The flows come from `flows::plan`, so `fwreq probe` tests exactly what the
//! ticket's curl lines test (wildcards through their probe host or apex, ranges
//! through their probe address, port ranges at both ends). Checks run
//! concurrently up to a limit, each bounded by the timeout, so the wall time is
//! about ceil(flows / concurrency) x timeout, never flows x timeout.

pub mod report;

use crate::flows::RuleChecks;
use crate::spec::{Action, Protocol};
use serde::Serialize;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{OnceCell, Semaphore, mpsc};

/// What a flow's check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Connected: the path is open.
    Open,
    /// Reset: the packets got through (or a firewall rejected them).
    Refused,
    /// No answer within the timeout: filtered.
    Timeout,
    /// The network or host is unreachable from here.
    Unreachable,
    /// The name did not resolve.
    DnsError,
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
            Verdict::Skipped => "skipped",
            Verdict::Interrupted => "interrupted",
        }
    }

    /// Whether this verdict is what `expect` asked for. Skipped flows are not judged.
    pub fn matches(self, expect: Expect) -> Option<bool> {
        match self {
            Verdict::Skipped => None,
            Verdict::Open => Some(expect == Expect::Open),
            Verdict::Refused | Verdict::Timeout | Verdict::Unreachable => {
                Some(expect == Expect::Blocked)
            }
            Verdict::DnsError | Verdict::Interrupted => Some(false),
        }
    }
}

impl Probe {
    /// Whether this flow is as expected (`None` for skipped flows).
    pub fn as_expected(&self, expect: Expect) -> Option<bool> {
        self.result.matches(expect.for_action(self.action))
    }
}

/// What the engineer expects of the allow rules: `open` after the change,
/// `blocked` before it. Deny rules expect the opposite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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

/// One row of evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    /// The destination as written in the request.
    pub destination: String,
    /// The host actually tested (probe host, apex, or the destination itself).
    pub host: String,
    pub port: Option<u16>,
    pub protocol: Protocol,
    /// The rule's action: a deny rule's flow is expected to be blocked after the change.
    #[serde(skip)]
    pub action: Action,
    /// The address that answered (or was last tried).
    pub address: Option<IpAddr>,
    pub result: Verdict,
    /// Time until the verdict.
    pub millis: Option<u64>,
    /// Why a flow was skipped, or the error behind a verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// How to probe.
#[derive(Debug, Clone)]
pub struct Options {
    pub timeout: Duration,
    pub concurrency: usize,
    /// Names mapped to addresses instead of DNS (`*` maps every name).
    pub resolve: HashMap<String, Vec<IpAddr>>,
}

/// Turns the plan into rows: TCP checks to run, everything else skipped with a reason.
pub fn rows(plan: &[RuleChecks]) -> Vec<Probe> {
    let mut rows = Vec::new();
    for rule in plan {
        for dest in &rule.destinations {
            let row = |host: &str, port, protocol, result, detail: Option<&str>| Probe {
                destination: dest.destination.clone(),
                host: host.to_string(),
                port,
                protocol,
                action: rule.action,
                address: None,
                result,
                millis: None,
                detail: detail.map(str::to_string),
            };
            if dest.checks.is_empty() {
                rows.push(row(
                    &dest.destination,
                    None,
                    rule.protocol,
                    Verdict::Skipped,
                    Some("a range has no single host: add probe = \"ADDRESS\" to test one"),
                ));
            }
            for check in &dest.checks {
                let skipped = match check.protocol {
                    Protocol::Tcp => None,
                    Protocol::Udp => Some(
                        "udp has no handshake to prove a path: run the nc line and watch tcpdump",
                    ),
                    Protocol::Icmp => Some("icmp needs raw sockets: run the ping line"),
                };
                let result = if skipped.is_some() {
                    Verdict::Skipped
                } else {
                    Verdict::Interrupted
                };
                rows.push(row(
                    &check.host,
                    check.port,
                    check.protocol,
                    result,
                    skipped,
                ));
            }
        }
    }
    rows
}

/// Probes every row still to run; `on_done` is told after each (for progress).
/// Returns when all are done, or when `stop` resolves (rows left keep `Interrupted`).
pub async fn run(
    rows: &mut [Probe],
    options: &Options,
    stop: impl std::future::Future<Output = ()>,
    mut on_done: impl FnMut(usize, usize),
) {
    // Rows still to run are marked `Interrupted` until their verdict arrives.
    let todo: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].result == Verdict::Interrupted)
        .collect();
    let total = todo.len();
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut tasks = tokio::task::JoinSet::new();
    let mut lookups: HashMap<String, Lookup> = HashMap::new();
    for i in todo {
        let (host, port) = (rows[i].host.clone(), rows[i].port.unwrap_or(0));
        // Like curl, `--resolve` maps names; an address is always itself. Other
        // names are looked up once, shared by every flow to that host.
        let addresses = match host.parse::<IpAddr>() {
            Ok(addr) => Addresses::Given(vec![addr]),
            Err(_) => match options
                .resolve
                .get(&host)
                .or_else(|| options.resolve.get("*"))
            {
                Some(mapped) => Addresses::Given(mapped.clone()),
                None => Addresses::Lookup(lookups.entry(host.clone()).or_default().clone()),
            },
        };
        let (limit, tx, timeout) = (limit.clone(), tx.clone(), options.timeout);
        tasks.spawn(async move {
            let Ok(_permit) = limit.acquire_owned().await else {
                return;
            };
            let outcome = check(&host, port, addresses, timeout).await;
            let _ = tx.send((i, outcome));
        });
    }
    drop(tx);
    tokio::pin!(stop);
    let mut done = 0;
    loop {
        tokio::select! {
            received = rx.recv() => match received {
                Some((i, outcome)) => {
                    let row = &mut rows[i];
                    (row.result, row.address, row.millis, row.detail) =
                        (outcome.result, outcome.address, Some(outcome.millis), outcome.detail);
                    done += 1;
                    on_done(done, total);
                }
                None => break,
            },
            () = &mut stop => break,
        }
    }
    tasks.abort_all();
}

struct Outcome {
    result: Verdict,
    address: Option<IpAddr>,
    millis: u64,
    detail: Option<String>,
}

/// One system-resolver answer for a host, filled by the first flow that needs it.
type Lookup = Arc<OnceCell<Result<Vec<IpAddr>, String>>>;

/// Where a flow's addresses come from.
enum Addresses {
    /// An address destination, or a `--resolve` mapping.
    Given(Vec<IpAddr>),
    /// The system resolver, asked once per host.
    Lookup(Lookup),
}

/// Resolves `host` (unless given) and connects to every address at once; the
/// best answer wins: open, then refused, unreachable, timeout.
async fn check(host: &str, port: u16, addresses: Addresses, timeout: Duration) -> Outcome {
    let start = Instant::now();
    let elapsed = |start: Instant| u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let resolved = match addresses {
        Addresses::Given(a) => Ok(a),
        Addresses::Lookup(cell) => cell.get_or_init(|| resolve(host, timeout)).await.clone(),
    };
    let addresses = match resolved {
        Ok(a) => a,
        Err(detail) => {
            return Outcome {
                result: Verdict::DnsError,
                address: None,
                millis: elapsed(start),
                detail: Some(detail),
            };
        }
    };
    let mut attempts = tokio::task::JoinSet::new();
    for (order, addr) in addresses.into_iter().enumerate() {
        attempts.spawn(async move {
            let connect = TcpStream::connect(SocketAddr::new(addr, port));
            let (verdict, detail) = match tokio::time::timeout(timeout, connect).await {
                Ok(Ok(_stream)) => (Verdict::Open, None),
                Ok(Err(e)) => (classify(&e), Some(e.to_string())),
                Err(_) => (Verdict::Timeout, None),
            };
            (order, verdict, addr, detail)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = attempts.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    let rank = |v: Verdict| match v {
        Verdict::Open => 0,
        Verdict::Refused => 1,
        Verdict::Unreachable => 2,
        _ => 3,
    };
    let best = results
        .into_iter()
        .min_by_key(|(order, v, _, _)| (rank(*v), *order));
    match best {
        Some((_, result, address, detail)) => Outcome {
            result,
            address: Some(address),
            millis: elapsed(start),
            detail,
        },
        None => Outcome {
            result: Verdict::DnsError,
            address: None,
            millis: elapsed(start),
            detail: Some("the name has no addresses".into()),
        },
    }
}

/// System resolver, bounded by the same timeout; addresses deduplicated in order.
async fn resolve(host: &str, timeout: Duration) -> Result<Vec<IpAddr>, String> {
    match tokio::time::timeout(timeout, tokio::net::lookup_host((host, 0))).await {
        Ok(Ok(found)) => {
            let mut addresses: Vec<IpAddr> = Vec::new();
            for a in found {
                if !addresses.contains(&a.ip()) {
                    addresses.push(a.ip());
                }
            }
            Ok(addresses)
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("DNS lookup timed out".into()),
    }
}

fn classify(err: &std::io::Error) -> Verdict {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset => Verdict::Refused,
        ErrorKind::TimedOut => Verdict::Timeout,
        _ => Verdict::Unreachable,
    }
}

/// Parses `--resolve HOST:ADDR` (`*:ADDR` for every name; IPv6 may be bracketed).
pub fn parse_resolve(text: &str) -> Result<(String, IpAddr), String> {
    let (host, addr) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not HOST:ADDRESS"))?;
    let addr = addr.trim_start_matches('[').trim_end_matches(']');
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| format!("`{addr}` in `{text}` is not an IP address"))?;
    if host.is_empty() {
        return Err(format!("`{text}` has no host name"));
    }
    let host = if host == "*" {
        host.to_string()
    } else {
        crate::validate::host::hostname(host)
            .map_err(|_| format!("`{host}` in `{text}` is not a host name"))?
    };
    Ok((host, addr))
}

/// Parses a duration: `3s`, `500ms`, `1.5s`, or plain seconds (`3`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
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

    #[test]
    fn durations_read_like_curl_options() {
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn resolve_maps_names_and_wildcards_to_addresses() {
        assert_eq!(
            parse_resolve("registry.example.com:127.0.0.1"),
            Ok(("registry.example.com".into(), "127.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            parse_resolve("*:::1"),
            Ok(("*".into(), "::1".parse().unwrap()))
        );
        assert_eq!(
            parse_resolve("a.example.com:[::1]"),
            Ok(("a.example.com".into(), "::1".parse().unwrap()))
        );
        assert!(parse_resolve("a.example.com").is_err());
        assert!(parse_resolve("a.example.com:nope").is_err());
        assert!(parse_resolve("bad;name:127.0.0.1").is_err());
        assert!(
            parse_resolve("10.0.0.1:127.0.0.1").is_err(),
            "an address maps to itself"
        );
    }

    #[test]
    fn connect_errors_are_classified() {
        use std::io::{Error, ErrorKind};
        assert_eq!(
            classify(&Error::from(ErrorKind::ConnectionRefused)),
            Verdict::Refused
        );
        assert_eq!(
            classify(&Error::from(ErrorKind::TimedOut)),
            Verdict::Timeout
        );
        assert_eq!(
            classify(&Error::from(ErrorKind::NetworkUnreachable)),
            Verdict::Unreachable
        );
        assert_eq!(
            classify(&Error::from(ErrorKind::HostUnreachable)),
            Verdict::Unreachable
        );
    }

    #[test]
    fn deny_rules_expect_the_opposite() {
        assert_eq!(Expect::Open.for_action(Action::Allow), Expect::Open);
        assert_eq!(Expect::Open.for_action(Action::Deny), Expect::Blocked);
        assert_eq!(Expect::Blocked.for_action(Action::Deny), Expect::Open);
    }

    #[test]
    fn only_network_verdicts_are_judged() {
        assert_eq!(Verdict::Open.matches(Expect::Open), Some(true));
        assert_eq!(Verdict::Timeout.matches(Expect::Open), Some(false));
        assert_eq!(Verdict::Timeout.matches(Expect::Blocked), Some(true));
        assert_eq!(Verdict::Refused.matches(Expect::Blocked), Some(true));
        assert_eq!(Verdict::DnsError.matches(Expect::Blocked), Some(false));
        assert_eq!(Verdict::Skipped.matches(Expect::Open), None);
    }
}
