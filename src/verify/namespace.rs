//! The namespaces `verify` sends its packets through, and what happens in them.
//!
//! fwreq is multithreaded (tokio, rayon) and `unsafe_code` is forbidden, so it
//! cannot call unshare(2) itself: `unshare` from util-linux makes the user and
//! network namespace and starts fwreq again in it (`fwreq verify-namespace`,
//! a hidden subcommand; a fresh process, so it may make more namespaces). That
//! process is the firewall: it loads the ruleset as given with `nft -f` and
//! routes (ip_forward) between two veth pairs whose other ends live in two
//! more namespaces (`unshare -n`, again fwreq): the source side, which holds
//! every sample source address and sends the packets, and the destination
//! side, which holds every destination address and answers (TCP listeners, a
//! UDP echo per address and port, the kernel's ping reply). So every packet
//! crosses the firewall's forward hook, as on the real firewall.
//!
//! Nothing here touches the host's namespace: the only links and addresses are
//! the ones made inside. Jobs and answers cross process boundaries as JSON on
//! stdin and stdout.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

/// The firewall's links: the source side is 169.254.0.0/30, the destination
/// side 169.254.0.4/30 (link-local: no request names them), fe80::1 and
/// fe80::2 on each link for IPv6.
const SOURCE_LINK: (&str, &str) = ("169.254.0.1", "169.254.0.2");
const DESTINATION_LINK: (&str, &str) = ("169.254.0.5", "169.254.0.6");
const FIREWALL_V6: &str = "fe80::1";
const SIDE_V6: &str = "fe80::2";
/// The links' hardware addresses (firewall end, side end), locally
/// administered: every neighbour is static, so a ruleset that drops the
/// firewall's own traffic (neighbour discovery on its input hook) cannot
/// break the path that the forward hook alone should judge.
const SOURCE_MACS: (&str, &str) = ("02:66:77:00:00:01", "02:66:77:00:00:02");
const DESTINATION_MACS: (&str, &str) = ("02:66:77:00:01:01", "02:66:77:00:01:02");
/// The peer ends' names inside the two sides.
const SOURCE_PEER: &str = "fwreq-src";
const DESTINATION_PEER: &str = "fwreq-dst";

/// Whether an address can stand on one side of the namespaces: not one of the
/// links' own, and a unicast address a host can hold.
pub fn usable(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(a) => {
            !(a.is_loopback()
                || a.is_multicast()
                || a.is_broadcast()
                || a.is_unspecified()
                || (a.octets()[0] == 169 && a.octets()[1] == 254 && a.octets()[2] == 0))
        }
        IpAddr::V6(a) => {
            !(a.is_loopback()
                || a.is_multicast()
                || a.is_unspecified()
                || (a.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// The protocol of a packet on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Wire {
    Tcp,
    Udp,
    /// An echo request.
    Icmp,
}

/// One packet to send.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Packet {
    pub source: IpAddr,
    pub destination: IpAddr,
    pub protocol: Wire,
    pub port: Option<u16>,
}

/// What the firewall process is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// nftables text, loaded as given.
    pub ruleset: String,
    pub timeout_ms: u64,
    /// The firewall's interface towards the sources, and towards the destinations.
    pub source_interface: String,
    pub destination_interface: String,
    pub packets: Vec<Packet>,
}

/// What became of one packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "fate", content = "detail")]
pub enum Fate {
    /// The destination answered: a SYN-ACK, a UDP echo, an echo reply.
    Answered,
    /// Turned away: a TCP reset or an ICMP unreachable (the detail says which).
    Rejected(String),
    /// No answer within the timeout.
    Dropped,
    /// The namespace failed to send it (says nothing about the ruleset).
    Failed(String),
}

/// A base or regular chain of the loaded ruleset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    pub family: String,
    pub table: String,
    pub name: String,
    /// The hook of a base chain (`forward`, `input`, ...); none for a chain jumped to.
    pub hook: Option<String>,
}

/// The firewall process's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Answer {
    Done {
        /// One per packet of the job, in order.
        fates: Vec<Fate>,
        /// The chains each packet passed and the verdict (`trace`), where traced.
        paths: Vec<Option<String>>,
        chains: Vec<Chain>,
        /// Interface names the ruleset matches (`iifname`, `oifname`, `iif`, `oif`).
        interfaces: Vec<String>,
    },
    /// `nft -f` refused the ruleset: what it said (of `/dev/stdin:LINE:COL`).
    Refused(String),
    /// Building the namespaces failed after they were allowed.
    Failed(String),
}

/// Why nothing could be verified.
#[derive(Debug)]
pub enum Unavailable {
    /// This system allows no unprivileged user namespaces (or util-linux is missing).
    NoNamespaces(String),
    /// The namespaces were made but something in them failed.
    Failed(String),
}

/// The PATH the namespaces run `ip` and `nft` from: this one, with /usr/sbin
/// and /sbin added (where they live, and which many users' PATH lacks).
fn path() -> String {
    let current = std::env::var("PATH").unwrap_or_default();
    format!("{current}:/usr/sbin:/sbin")
}

/// Sends the job's packets through its ruleset in namespaces made for it.
pub fn run(job: &Job) -> Result<Answer, Unavailable> {
    let exe = std::env::current_exe()
        .map_err(|e| Unavailable::Failed(format!("cannot find fwreq's own program: {e}")))?;
    let input = serde_json::to_vec(job).map_err(|e| Unavailable::Failed(e.to_string()))?;
    let child = Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "--"])
        .arg(&exe)
        .args(["verify-namespace", "firewall"])
        .env("PATH", path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            return Err(Unavailable::NoNamespaces(format!(
                "cannot run unshare (util-linux): {e}"
            )));
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A child that failed before reading leaves a broken pipe: its stderr says why.
        let _ = stdin.write_all(&input);
    }
    let out = child
        .wait_with_output()
        .map_err(|e| Unavailable::Failed(e.to_string()))?;
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if out.stdout.is_empty() {
        // unshare's own failure: `unshare: unshare failed: Operation not permitted`,
        // `unshare: write failed /proc/self/uid_map: ...`.
        return Err(if stderr.starts_with("unshare:") {
            Unavailable::NoNamespaces(stderr)
        } else if stderr.is_empty() {
            Unavailable::Failed("the namespace gave no answer".into())
        } else {
            Unavailable::Failed(stderr)
        });
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| Unavailable::Failed(format!("the namespace's answer: {e}; {stderr}")))
}

/// `fwreq verify-namespace firewall|side`: the processes inside the namespaces.
pub fn inside(role: &str) -> anyhow::Result<()> {
    match role {
        "firewall" => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            let job: Job = serde_json::from_str(&text)?;
            let answer = firewall(&job).unwrap_or_else(|e| Answer::Failed(format!("{e:#}")));
            println!("{}", serde_json::to_string(&answer)?);
            Ok(())
        }
        "side" => side(),
        other => anyhow::bail!("no such namespace role: {other}"),
    }
}

/// Runs a program, failing with what it said.
fn run_tool(program: &str, args: &[&str], stdin: Option<&str>) -> anyhow::Result<String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run {program}: {e}"))?;
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin.unwrap_or_default().as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        anyhow::bail!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Writes a sysctl of this namespace; one it may not write is left as it is.
fn sysctl(path: &str, value: &str) {
    let _ = std::fs::write(format!("/proc/sys/{path}"), value);
}

/// A side namespace: a child fwreq in a network namespace of its own.
struct Side {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Side {
    fn start() -> anyhow::Result<Side> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new("unshare")
            .args(["--net", "--"])
            .arg(exe)
            .args(["verify-namespace", "side"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            anyhow::bail!("no pipe to a side namespace");
        };
        let mut side = Side {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        };
        // Its first line says it runs in its own namespace (unshare has execed it).
        side.line()?;
        Ok(side)
    }

    fn line(&mut self) -> anyhow::Result<String> {
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        if line.is_empty() {
            anyhow::bail!("a side namespace stopped");
        }
        Ok(line)
    }

    fn send(&mut self, order: &Order) -> anyhow::Result<String> {
        writeln!(self.stdin, "{}", serde_json::to_string(order)?)?;
        self.stdin.flush()?;
        self.line()
    }
}

/// What a side is told to be.
#[derive(Debug, Serialize, Deserialize)]
struct Order {
    interface: String,
    /// Its IPv4 link address and the firewall's (the gateway).
    link: (String, String),
    /// The firewall's hardware address on the link.
    gateway_mac: String,
    /// The addresses it holds (sources, or destinations).
    addresses: Vec<IpAddr>,
    /// Destination side, first order: what to answer on.
    tcp_ports: Vec<u16>,
    udp: Vec<(IpAddr, u16)>,
    /// Source side, second order: what to send.
    packets: Vec<Packet>,
    timeout_ms: u64,
}

/// The firewall namespace's work: link two sides to it, load the ruleset,
/// send the job's packets from the source side and tell each one's fate.
fn firewall(job: &Job) -> anyhow::Result<Answer> {
    allow_forwarding();
    let mut sources = Side::start()?;
    let mut destinations = Side::start()?;
    let (src, dst) = (&job.source_interface, &job.destination_interface);
    let source_addresses: BTreeSet<IpAddr> = job.packets.iter().map(|p| p.source).collect();
    let destination_addresses: BTreeSet<IpAddr> =
        job.packets.iter().map(|p| p.destination).collect();
    let mut batch = link_batch(src, dst, sources.child.id(), destinations.child.id());
    batch.extend(routes(&source_addresses, src, SOURCE_LINK.1));
    batch.extend(routes(&destination_addresses, dst, DESTINATION_LINK.1));
    run_tool("ip", &["-batch", "-"], Some(&(batch.join("\n") + "\n")))?;
    // The destination side answers on the job's ports; the source side
    // sends from its addresses once the trace table is loaded.
    let (tcp_ports, udp) = listened(&job.packets);
    let destination_order = side_order(DESTINATION_PEER, DESTINATION_LINK, DESTINATION_MACS.0);
    let answering = Order {
        addresses: destination_addresses.into_iter().collect(),
        tcp_ports,
        udp,
        ..destination_order(job.timeout_ms)
    };
    ready(&mut destinations, "the destination side", answering)?;
    let source_order = side_order(SOURCE_PEER, SOURCE_LINK, SOURCE_MACS.0);
    let sending = Order {
        addresses: source_addresses.into_iter().collect(),
        ..source_order(job.timeout_ms)
    };
    ready(&mut sources, "the source side", sending)?;
    wait_up(src)?;
    wait_up(dst)?;
    // The ruleset last, so it meets the interfaces it may name.
    if let Err(e) = run_tool("nft", &["-f", "-"], Some(&job.ruleset)) {
        return Ok(Answer::Refused(
            e.to_string().trim_start_matches("nft -f -: ").to_string(),
        ));
    }
    let listed = run_tool("nft", &["-j", "list", "ruleset"], None)?;
    let (chains, interfaces) = read_listing(&listed)?;
    let (fates, paths) = send_traced(job, &mut sources, source_order)?;
    for mut side in [sources, destinations] {
        drop(side.stdin);
        let _ = side.child.wait();
    }
    Ok(Answer::Done {
        fates,
        paths,
        chains,
        interfaces,
    })
}

/// Makes this namespace forward like a firewall, and lets its ICMP
/// unreachables (a reject) through unlimited so none turns into a drop.
fn allow_forwarding() {
    sysctl("net/ipv4/ip_forward", "1");
    sysctl("net/ipv6/conf/all/forwarding", "1");
    sysctl("net/ipv4/icmp_ratelimit", "0");
    sysctl("net/ipv4/icmp_msgs_per_sec", "1000000");
    sysctl("net/ipv6/icmp/ratelimit", "0");
}

/// `ip -batch` lines for the firewall's two links: a veth pair to each
/// side (the peer moved into the side's namespace), addressed and up, with
/// the sides' hardware addresses fixed so no neighbour discovery can fail.
fn link_batch(src: &str, dst: &str, sources_pid: u32, destinations_pid: u32) -> Vec<String> {
    let mut batch = vec![
        "link set lo up".to_string(),
        format!(
            "link add {src} address {} type veth peer name {SOURCE_PEER} address {}",
            SOURCE_MACS.0, SOURCE_MACS.1
        ),
        format!(
            "link add {dst} address {} type veth peer name {DESTINATION_PEER} address {}",
            DESTINATION_MACS.0, DESTINATION_MACS.1
        ),
        format!("link set {SOURCE_PEER} netns {sources_pid}"),
        format!("link set {DESTINATION_PEER} netns {destinations_pid}"),
        format!("addr add {}/30 dev {src}", SOURCE_LINK.0),
        format!("addr add {}/30 dev {dst}", DESTINATION_LINK.0),
        format!("addr add {FIREWALL_V6}/64 dev {src} nodad"),
        format!("addr add {FIREWALL_V6}/64 dev {dst} nodad"),
        format!("link set {src} up"),
        format!("link set {dst} up"),
    ];
    for (interface, link, mac) in [
        (src, SOURCE_LINK, SOURCE_MACS.1),
        (dst, DESTINATION_LINK, DESTINATION_MACS.1),
    ] {
        batch.push(format!(
            "neigh add {} lladdr {mac} dev {interface} nud permanent",
            link.1
        ));
        batch.push(format!(
            "neigh add {SIDE_V6} lladdr {mac} dev {interface} nud permanent"
        ));
    }
    batch
}

/// `ip -batch` lines routing each address to the side that holds it.
fn routes(addresses: &BTreeSet<IpAddr>, interface: &str, gateway: &str) -> Vec<String> {
    addresses
        .iter()
        .map(|address| match address {
            IpAddr::V4(_) => format!("route add {address}/32 via {gateway} dev {interface}"),
            IpAddr::V6(_) => format!("route add {address}/128 via {SIDE_V6} dev {interface}"),
        })
        .collect()
}

/// What the destination side answers on: every TCP port (on all its
/// addresses), and each UDP address and port.
fn listened(packets: &[Packet]) -> (Vec<u16>, Vec<(IpAddr, u16)>) {
    let mut tcp_ports = BTreeSet::new();
    let mut udp = BTreeSet::new();
    for p in packets {
        match (p.protocol, p.port) {
            (Wire::Tcp, Some(port)) => {
                tcp_ports.insert(port);
            }
            (Wire::Udp, Some(port)) => {
                udp.insert((p.destination, port));
            }
            _ => {}
        }
    }
    (tcp_ports.into_iter().collect(), udp.into_iter().collect())
}

/// An empty order for one side's link, given the run's timeout: the parts
/// every order to that side repeats.
fn side_order(
    interface: &'static str,
    link: (&'static str, &'static str),
    gateway_mac: &'static str,
) -> impl Fn(u64) -> Order {
    move |timeout_ms| Order {
        interface: interface.into(),
        link: (link.1.into(), link.0.into()),
        gateway_mac: gateway_mac.into(),
        addresses: Vec::new(),
        tcp_ports: Vec::new(),
        udp: Vec::new(),
        packets: Vec::new(),
        timeout_ms,
    }
}

/// Gives a side its first order and waits until it says it is ready.
fn ready(side: &mut Side, name: &str, order: Order) -> anyhow::Result<()> {
    let ready: Result<Vec<Fate>, String> = serde_json::from_str(&side.send(&order)?)?;
    ready.map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    Ok(())
}

/// Sends the job's packets from the source side with the trace table
/// loaded (after the listing, so the header shows the ruleset alone): each
/// packet's fate, and the chains it passed where traced.
fn send_traced(
    job: &Job,
    sources: &mut Side,
    source_order: impl Fn(u64) -> Order,
) -> anyhow::Result<(Vec<Fate>, Vec<Option<String>>)> {
    let marker_to: IpAddr = SOURCE_LINK.1.parse()?;
    let monitor = run_tool(
        "nft",
        &["-f", "-"],
        Some(&super::trace::table(&job.source_interface, SOURCE_LINK.1)),
    )
    .ok()
    .and_then(|_| super::trace::Monitor::start(marker_to));
    let fates: Result<Vec<Fate>, String> = serde_json::from_str(&sources.send(&Order {
        packets: job.packets.clone(),
        ..source_order(job.timeout_ms)
    })?)?;
    let fates = fates.map_err(|e| anyhow::anyhow!("the source side: {e}"))?;
    let paths = match monitor {
        Some(monitor) => monitor.finish(&job.packets),
        None => vec![None; job.packets.len()],
    };
    Ok((fates, paths))
}

/// The chains and the interface names of `nft -j list ruleset`.
fn read_listing(json: &str) -> anyhow::Result<(Vec<Chain>, Vec<String>)> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    let mut chains = Vec::new();
    let mut interfaces = BTreeSet::new();
    let items = value
        .get("nftables")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    let text = |v: &serde_json::Value, key: &str| {
        v.get(key)
            .and_then(|s| s.as_str())
            .unwrap_or_default()
            .to_string()
    };
    for item in &items {
        if let Some(chain) = item.get("chain") {
            chains.push(Chain {
                family: text(chain, "family"),
                table: text(chain, "table"),
                name: text(chain, "name"),
                hook: chain
                    .get("hook")
                    .and_then(|h| h.as_str())
                    .map(str::to_string),
            });
        }
        if let Some(rule) = item.get("rule") {
            interface_names(rule, &mut interfaces);
        }
    }
    Ok((chains, interfaces.into_iter().collect()))
}

/// Every name a `match` on `iifname`, `oifname`, `iif` or `oif` compares with.
fn interface_names(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(m) = map.get("match") {
                let key = m
                    .pointer("/left/meta/key")
                    .and_then(|k| k.as_str())
                    .unwrap_or_default();
                if ["iifname", "oifname", "iif", "oif"].contains(&key)
                    && let Some(right) = m.get("right")
                {
                    strings(right, out);
                }
            }
            for v in map.values() {
                interface_names(v, out);
            }
        }
        serde_json::Value::Array(list) => {
            for v in list {
                interface_names(v, out);
            }
        }
        _ => {}
    }
}

fn strings(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::String(s) => {
            out.insert(s.clone());
        }
        serde_json::Value::Array(list) => list.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// A side: says it is up, then answers each order with one line: the first
/// configures it (addresses, routes, and on the destination side the
/// listeners, which keep answering until stdin closes), a later one with
/// packets sends them. An answer is `Ok` with the fates (none for the first)
/// or `Err` with what failed.
fn side() -> anyhow::Result<()> {
    println!("\"up\"");
    let mut configured = false;
    for line in std::io::stdin().lock().lines() {
        let order: Order = serde_json::from_str(&line?)?;
        let answer: Result<Vec<Fate>, String> = if configured {
            Ok(send_all(&order))
        } else {
            configured = true;
            // Unprivileged ping sockets for our (mapped) group, for ICMP echo.
            sysctl("net/ipv4/ping_group_range", "0 0");
            configure(&order)
                .and_then(|()| listen(&order))
                .map(|()| Vec::new())
                .map_err(|e| format!("{e:#}"))
        };
        println!("{}", serde_json::to_string(&answer)?);
    }
    Ok(())
}

fn configure(order: &Order) -> anyhow::Result<()> {
    let interface = &order.interface;
    let mut batch = vec![
        "link set lo up".to_string(),
        format!("addr add {}/30 dev {interface}", order.link.0),
        format!("addr add {SIDE_V6}/64 dev {interface} nodad"),
        format!("link set {interface} up"),
        format!(
            "neigh add {} lladdr {} dev {interface} nud permanent",
            order.link.1, order.gateway_mac
        ),
        format!(
            "neigh add {FIREWALL_V6} lladdr {} dev {interface} nud permanent",
            order.gateway_mac
        ),
        format!("route add default via {} dev {interface}", order.link.1),
        format!("route add ::/0 via {FIREWALL_V6} dev {interface}"),
    ];
    for address in &order.addresses {
        batch.push(match address {
            IpAddr::V4(_) => format!("addr add {address}/32 dev {interface}"),
            IpAddr::V6(_) => format!("addr add {address}/128 dev {interface} nodad"),
        });
    }
    run_tool("ip", &["-batch", "-"], Some(&(batch.join("\n") + "\n")))?;
    wait_up(interface)
}

/// Waits until an interface carries packets. A link just set up has no
/// queueing discipline until the kernel's link watch attaches one, which it
/// may put off for up to a second; a packet sent before that is lost, and
/// would be called dropped.
fn wait_up(interface: &str) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    loop {
        let shown = run_tool("ip", &["-o", "link", "show", "dev", interface], None)?;
        if shown.contains("state UP") && !shown.contains("qdisc noop") {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(5) {
            anyhow::bail!("{interface} did not come up: {}", shown.trim());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// TCP listeners on every tested port (both families), a UDP echo on every
/// tested address and port (bound to it, so the echo leaves from it).
fn listen(order: &Order) -> anyhow::Result<()> {
    for &port in &order.tcp_ports {
        let listener = std::net::TcpListener::bind(("::", port))
            .or_else(|_| std::net::TcpListener::bind(("0.0.0.0", port)))?;
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                drop(stream);
            }
        });
    }
    for &(address, port) in &order.udp {
        let socket = std::net::UdpSocket::bind((address, port))?;
        std::thread::spawn(move || {
            let mut buffer = [0u8; 512];
            while let Ok((n, from)) = socket.recv_from(&mut buffer) {
                let _ = socket.send_to(&buffer[..n], from);
            }
        });
    }
    Ok(())
}

/// Every packet at once (a thread each, in batches), each within the timeout.
fn send_all(order: &Order) -> Vec<Fate> {
    let timeout = Duration::from_millis(order.timeout_ms.max(1));
    let mut fates = Vec::with_capacity(order.packets.len());
    for batch in order.packets.chunks(512) {
        let handles: Vec<_> = batch
            .iter()
            .cloned()
            .map(|packet| std::thread::spawn(move || send(&packet, timeout)))
            .collect();
        for handle in handles {
            fates.push(
                handle
                    .join()
                    .unwrap_or_else(|_| Fate::Failed("the sender stopped".into())),
            );
        }
    }
    fates
}

/// Sends one packet from its source and waits for its fate.
fn send(packet: &Packet, timeout: Duration) -> Fate {
    use socket2::{Domain, Protocol, Socket, Type};
    let domain = if packet.destination.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let to = SocketAddr::new(packet.destination, packet.port.unwrap_or(0));
    let from = SocketAddr::new(packet.source, 0);
    let socket = match packet.protocol {
        Wire::Tcp => Socket::new(domain, Type::STREAM, Some(Protocol::TCP)),
        Wire::Udp => Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)),
        Wire::Icmp if packet.destination.is_ipv4() => {
            Socket::new(domain, Type::DGRAM, Some(Protocol::ICMPV4))
        }
        Wire::Icmp => Socket::new(domain, Type::DGRAM, Some(Protocol::ICMPV6)),
    };
    let socket = match socket.and_then(|s| s.bind(&from.into()).map(|()| s)) {
        Ok(socket) => socket,
        Err(e) => return Fate::Failed(e.to_string()),
    };
    let result = match packet.protocol {
        Wire::Tcp => socket.connect_timeout(&to.into(), timeout),
        Wire::Udp | Wire::Icmp => exchange(&socket, &to, packet, timeout),
    };
    match result {
        Ok(()) => Fate::Answered,
        Err(e) => fate_of(&e, packet.protocol),
    }
}

/// A datagram out and one back: a UDP payload, or an echo request (the kernel
/// fills in the identifier and checksum of a ping socket's header).
fn exchange(
    socket: &socket2::Socket,
    to: &SocketAddr,
    packet: &Packet,
    timeout: Duration,
) -> std::io::Result<()> {
    socket.connect(&(*to).into())?;
    socket.set_read_timeout(Some(timeout))?;
    let payload: &[u8] = match (packet.protocol, packet.destination) {
        (Wire::Icmp, IpAddr::V4(_)) => &[8, 0, 0, 0, 0, 0, 0, 1],
        (Wire::Icmp, IpAddr::V6(_)) => &[128, 0, 0, 0, 0, 0, 0, 1],
        _ => b"fwreq verify",
    };
    socket.send(payload)?;
    let mut buffer = [std::mem::MaybeUninit::<u8>::uninit(); 512];
    socket.recv(&mut buffer)?;
    Ok(())
}

fn fate_of(e: &std::io::Error, protocol: Wire) -> Fate {
    use std::io::ErrorKind;
    let reset = match protocol {
        Wire::Tcp => "TCP reset or ICMP port unreachable",
        _ => "ICMP port unreachable",
    };
    match e.kind() {
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Fate::Dropped,
        ErrorKind::ConnectionRefused => Fate::Rejected(reset.into()),
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => {
            Fate::Rejected("ICMP unreachable".into())
        }
        ErrorKind::PermissionDenied => Fate::Rejected("ICMP administratively prohibited".into()),
        _ => Fate::Failed(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_names_come_from_every_interface_match_of_the_listing() {
        let listing = r#"{"nftables": [{"chain": {"family": "inet", "table": "t", "name": "fw", "hook": "forward"}},
          {"chain": {"family": "inet", "table": "t", "name": "u"}},
          {"rule": {"expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth7"}}, {"drop": null}]}},
          {"rule": {"expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": {"set": ["wan0", "wan1"]}}}]}},
          {"rule": {"expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}]}}]}"#;
        let (chains, interfaces) = read_listing(listing).unwrap();
        assert_eq!(interfaces, ["eth7", "wan0", "wan1"]);
        assert_eq!(chains[0].hook.as_deref(), Some("forward"));
        assert_eq!(chains[1].hook, None);
    }

    #[test]
    fn the_links_own_addresses_and_non_unicast_ones_cannot_stand_on_a_side() {
        for bad in [
            "169.254.0.5",
            "127.0.0.1",
            "224.0.0.1",
            "fe80::7",
            "::1",
            "0.0.0.0",
        ] {
            assert!(!usable(bad.parse().unwrap()), "{bad}");
        }
        for good in ["169.254.1.1", "10.0.0.1", "2001:db8::1"] {
            assert!(usable(good.parse().unwrap()), "{good}");
        }
    }
}
