//! Which chains each packet passed, from nftables' own tracing: a table of
//! fwreq's (`fwreq-trace`, loaded after the ruleset and apart from it) sets
//! `meta nftrace` on every packet coming in from the source side, and
//! `nft monitor trace` reports each chain the packet passed and the verdict.
//! The table decides nothing (its chains accept, which lets a packet on to
//! the ruleset's own chains), so the ruleset's verdicts are its own.
//!
//! Tracing is evidence beside the fates, never their source: a trace that
//! cannot be started or read leaves the paths empty.

use super::namespace::{Packet, Wire};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// fwreq's own table; its events are not part of any packet's path.
const TABLE: &str = "fwreq-trace";
/// The marker datagrams' port: sent from the firewall itself, traced by the
/// table's output chain, so the monitor is known to listen (and to have
/// read everything before them).
const MARKER_PORT: u16 = 9;

/// The table: trace what comes in from the sources, and the markers.
pub fn table(source_interface: &str, marker_to: &str) -> String {
    format!(
        "table inet {TABLE} {{\n\tchain trace {{\n\t\ttype filter hook prerouting priority -1000; policy accept;\n\t\tiifname \"{source_interface}\" meta nftrace set 1\n\t}}\n\tchain marker {{\n\t\ttype filter hook output priority -1000; policy accept;\n\t\tip daddr {marker_to} udp dport {MARKER_PORT} meta nftrace set 1\n\t}}\n}}\n"
    )
}

/// A running `nft monitor trace` and the lines it printed so far.
pub struct Monitor {
    child: Child,
    lines: Arc<(Mutex<Vec<String>>, Condvar)>,
    marker_to: IpAddr,
}

impl Monitor {
    /// Starts the monitor and waits until it reports a marker.
    pub fn start(marker_to: IpAddr) -> Option<Monitor> {
        let mut child = Command::new("nft")
            .args(["monitor", "trace"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let stdout = child.stdout.take()?;
        let lines = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let shared = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let (list, changed) = &*shared;
                if let Ok(mut list) = list.lock() {
                    list.push(line);
                }
                changed.notify_all();
            }
        });
        let mut monitor = Monitor {
            child,
            lines,
            marker_to,
        };
        if monitor.mark() {
            Some(monitor)
        } else {
            monitor.stop();
            None
        }
    }

    /// Sends markers until one more is reported: at once on an idle machine,
    /// and a loaded one may take seconds to start `nft monitor` (two were
    /// seen to fall short), so it waits up to ten.
    fn mark(&self) -> bool {
        let Ok(socket) = UdpSocket::bind(("0.0.0.0", 0)) else {
            return false;
        };
        let (list, changed) = &*self.lines;
        let count = |list: &[String]| {
            list.iter()
                .filter(|l| l.contains(&format!(" {TABLE} marker packet:")))
                .count()
        };
        let Ok(mut guard) = list.lock() else {
            return false;
        };
        let before = count(&guard);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            // A ruleset may drop it on output: it is traced before that.
            let _ = socket.send_to(b"fwreq", (self.marker_to, MARKER_PORT));
            let Ok((next, _)) = changed.wait_timeout(guard, Duration::from_millis(20)) else {
                return false;
            };
            guard = next;
            if count(&guard) > before {
                return true;
            }
        }
        false
    }

    /// Waits for the events of the packets sent so far, stops the monitor
    /// and gives each packet the chains it passed.
    pub fn finish(mut self, packets: &[Packet]) -> Vec<Option<String>> {
        let complete = self.mark();
        self.stop();
        let lines = self.lines.0.lock().map(|l| l.clone()).unwrap_or_default();
        if !complete {
            return vec![None; packets.len()];
        }
        paths(&lines, packets)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One traced packet: its key and the chains it passed, with the verdict.
#[derive(Debug, Default)]
struct Traced {
    key: Option<Packet>,
    chains: Vec<String>,
    verdict: Option<String>,
}

/// Each packet's path: `inet edge forward > inet edge web_in: accept`.
pub fn paths(lines: &[String], packets: &[Packet]) -> Vec<Option<String>> {
    // nft names a trace by a hash of the packet's buffer, which a later
    // packet may reuse: a packet entering fwreq's trace chain starts a new one.
    let mut traces: Vec<Traced> = Vec::new();
    let mut current: HashMap<String, usize> = HashMap::new();
    for line in lines {
        let Some(rest) = line.strip_prefix("trace id ") else {
            continue;
        };
        let words: Vec<&str> = rest.splitn(5, ' ').collect();
        let [id, family, table, chain, event] = words[..] else {
            continue;
        };
        let starts = table == TABLE && chain == "trace" && event.starts_with("packet: ");
        let at = match current.get(id) {
            Some(&at) if !starts => at,
            _ => {
                traces.push(Traced::default());
                current.insert(id.to_string(), traces.len() - 1);
                traces.len() - 1
            }
        };
        let trace = &mut traces[at];
        if let Some(packet) = event.strip_prefix("packet: ")
            && trace.key.is_none()
        {
            trace.key = key(packet);
        }
        if table == TABLE {
            continue;
        }
        let name = format!("{family} {table} {chain}");
        if trace.chains.last() != Some(&name) {
            trace.chains.push(name);
        }
        if let Some(at) = event.rfind("(verdict ") {
            let verdict = event[at + "(verdict ".len()..]
                .trim_end()
                .trim_end_matches(')');
            trace.verdict = Some(verdict.to_string());
        } else if let Some(policy) = event.strip_prefix("policy ") {
            trace.verdict = Some(format!("policy {}", policy.trim()));
        }
    }
    packets
        .iter()
        .map(|packet| {
            let trace = traces.iter().find(|t| t.key.as_ref() == Some(packet))?;
            if trace.chains.is_empty() {
                return Some("no chain of the ruleset".to_string());
            }
            // Accept, drop and policy verdicts end a path; jump, goto and
            // continue are steps inside it.
            let verdict = trace
                .verdict
                .as_deref()
                .filter(|v| !v.starts_with("jump") && !v.starts_with("goto") && *v != "continue")
                .unwrap_or("passed");
            Some(format!("{}: {verdict}", trace.chains.join(" > ")))
        })
        .collect()
}

/// The packet a trace's `packet:` line describes, as the job named it.
fn key(text: &str) -> Option<Packet> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let after = |a: &str, b: &str| {
        words
            .windows(3)
            .find(|w| w[0] == a && w[1] == b)
            .map(|w| w[2])
    };
    let (source, destination) = match (after("ip", "saddr"), after("ip", "daddr")) {
        (Some(s), Some(d)) => (s, d),
        _ => (after("ip6", "saddr")?, after("ip6", "daddr")?),
    };
    let (protocol, port) = if let Some(port) = after("tcp", "dport") {
        (Wire::Tcp, Some(port.parse().ok()?))
    } else if let Some(port) = after("udp", "dport") {
        (Wire::Udp, Some(port.parse().ok()?))
    } else if after("icmp", "type") == Some("echo-request")
        || after("icmpv6", "type") == Some("echo-request")
    {
        (Wire::Icmp, None)
    } else {
        return None;
    };
    Some(Packet {
        source: source.parse().ok()?,
        destination: destination.parse().ok()?,
        protocol,
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines as nft 1.0.6 prints them: a packet through a jump to a user
    /// chain and accepted there, one dropped by the base chain's policy, and
    /// one under a reused trace id that passed no chain of the ruleset (an
    /// untraced packet has no path).
    #[test]
    fn a_path_names_each_chain_passed_and_the_verdict() {
        let lines: Vec<String> = [
            "trace id 1a inet fwreq-trace trace packet: iif \"src0\" ip saddr 10.1.0.1 ip daddr 192.0.2.10 ip protocol tcp tcp sport 4000 tcp dport 443 tcp flags == syn",
            "trace id 1a inet fwreq-trace trace rule iifname \"src0\" meta nftrace set 1 (verdict continue)",
            "trace id 1a inet fwreq-trace trace policy accept ",
            "trace id 1a inet edge forward packet: iif \"src0\" oif \"dst0\" ip saddr 10.1.0.1 ip daddr 192.0.2.10 tcp dport 443",
            "trace id 1a inet edge forward rule jump web_in (verdict jump web_in)",
            "trace id 1a inet edge web_in rule ip saddr 10.1.0.1 ip daddr @web tcp dport 443 accept (verdict accept)",
            "trace id 2b inet fwreq-trace trace packet: iif \"src0\" ip6 saddr 2001:db8:1::1 ip6 daddr 2001:db8:2::10 icmpv6 type echo-request icmpv6 code no-route",
            "trace id 2b inet edge forward policy drop ",
            "trace id 1a inet fwreq-trace trace packet: iif \"src0\" ip saddr 10.1.0.1 ip daddr 192.0.2.10 ip protocol udp udp sport 4000 udp dport 443",
            "trace id 1a inet fwreq-trace trace policy accept ",
        ]
        .map(String::from)
        .to_vec();
        let packets = [
            Packet {
                source: "10.1.0.1".parse().unwrap(),
                destination: "192.0.2.10".parse().unwrap(),
                protocol: Wire::Tcp,
                port: Some(443),
            },
            Packet {
                source: "2001:db8:1::1".parse().unwrap(),
                destination: "2001:db8:2::10".parse().unwrap(),
                protocol: Wire::Icmp,
                port: None,
            },
            Packet {
                source: "10.1.0.1".parse().unwrap(),
                destination: "192.0.2.10".parse().unwrap(),
                protocol: Wire::Udp,
                port: Some(443),
            },
        ];
        assert_eq!(
            paths(&lines, &packets),
            [
                Some("inet edge forward > inet edge web_in: accept".to_string()),
                Some("inet edge forward: policy drop".to_string()),
                Some("no chain of the ruleset".to_string()),
            ]
        );
        assert_eq!(paths(&lines[..8], &packets[2..]), [None]);
    }
}
