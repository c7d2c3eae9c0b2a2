//! Ports a reviewer questions: a cleartext protocol, or a range wider than
//! the team allows.

use super::{Context, Found};
use crate::names::Lint;
use crate::request::{PortRange, Rule};
use crate::spec::{Action, Protocol};

declare_lints! {
    /// an allow rule on a port whose protocol is usually unencrypted (21, 23, 80, 389, ...)
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [23]
    /// destinations = ["switch-01.plant.example.com"]
    /// ```
    CleartextPort = "cleartext-port", Warn, Some(cleartext_port);

    /// a port range wider than --max-port-range (default 100)
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = ["8000-8999"]
    /// destinations = ["app.example.com"]
    /// ```
    WidePortRange = "wide-port-range", Warn, Some(wide_port_range);
}

fn ports<'a>(cx: &Context<'a>) -> impl Iterator<Item = (&'a Rule, &'a PortRange)> {
    cx.request
        .rules
        .iter()
        .flat_map(|rule| rule.ports.iter().map(move |port| (rule, port)))
}

fn wide_port_range(cx: &Context, found: &mut Found) {
    let max = cx.settings.max_port_range;
    for (_, port) in ports(cx) {
        let width = u32::from(port.high) - u32::from(port.low) + 1;
        if width > max {
            found.warn(
                Lint::WidePortRange,
                port.span.clone(),
                format!(
                    "port range {port} opens {width} ports (more than {max} port{})",
                    if max == 1 { "" } else { "s" }
                ),
                "list the ports the application uses, or raise --max-port-range".into(),
            );
        }
    }
}

fn cleartext_port(cx: &Context, found: &mut Found) {
    for (rule, port) in ports(cx).filter(|(rule, _)| rule.action == Action::Allow) {
        if let Some(message) = cleartext_message(rule.protocol, port) {
            found.warn(
                Lint::CleartextPort,
                port.span.clone(),
                message,
                "use the encrypted service, or allow this lint in the request with the reason"
                    .into(),
            );
        }
    }
}

/// What an allowed `port` holds of the cleartext ports, if any: one port
/// with its reason, two with theirs, or more by number only.
fn cleartext_message(protocol: Protocol, port: &PortRange) -> Option<String> {
    let found = cleartext(protocol, port);
    match found.as_slice() {
        [] => None,
        [(_, why)] if port.low == port.high => {
            Some(format!("{} port {port}: {why}", protocol.as_str()))
        }
        found if found.len() > 2 => {
            let ports: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
            Some(format!(
                "{} ports {port} include the cleartext ports {}",
                protocol.as_str(),
                ports.join(", ")
            ))
        }
        found => {
            let each: Vec<String> = found
                .iter()
                .map(|(p, why)| format!("{p} ({why})"))
                .collect();
            Some(format!(
                "{} ports {port} include {}",
                protocol.as_str(),
                each.join(" and ")
            ))
        }
    }
}

/// Ports whose protocol is usually unencrypted: (protocol, low, high, why).
const CLEARTEXT: &[(Protocol, u16, u16, &str)] = &[
    (
        Protocol::Tcp,
        21,
        21,
        "FTP sends passwords in clear text: use SFTP (22) or FTPS",
    ),
    (Protocol::Tcp, 23, 23, "Telnet is unencrypted: use SSH (22)"),
    (
        Protocol::Tcp,
        80,
        80,
        "port 80 is plain HTTP: is 443 alone enough?",
    ),
    (
        Protocol::Tcp,
        110,
        110,
        "POP3 is unencrypted: use POP3S (995)",
    ),
    (
        Protocol::Tcp,
        143,
        143,
        "IMAP is unencrypted: use IMAPS (993)",
    ),
    (
        Protocol::Tcp,
        389,
        389,
        "LDAP is unencrypted: use LDAPS (636)",
    ),
    (
        Protocol::Tcp,
        445,
        445,
        "SMB file sharing should not cross a firewall unencrypted: use SMB 3 encryption or a VPN",
    ),
    (
        Protocol::Tcp,
        502,
        502,
        "Modbus/TCP has no authentication or encryption: keep it inside the plant zone",
    ),
    (
        Protocol::Tcp,
        512,
        514,
        "rexec/rlogin/rsh are unencrypted: use SSH (22)",
    ),
    (
        Protocol::Tcp,
        1433,
        1433,
        "SQL Server is unencrypted unless the client forces encryption: confirm it does",
    ),
    (Protocol::Tcp, 1883, 1883, "MQTT without TLS: use 8883"),
    (
        Protocol::Tcp,
        3306,
        3306,
        "MySQL is unencrypted unless TLS is required: confirm it is",
    ),
    (
        Protocol::Tcp,
        5432,
        5432,
        "PostgreSQL is unencrypted unless sslmode requires TLS: confirm it does",
    ),
    (
        Protocol::Tcp,
        5900,
        5900,
        "VNC is unencrypted: tunnel it over SSH",
    ),
    (
        Protocol::Tcp,
        8080,
        8080,
        "port 8080 is usually plain HTTP: is an HTTPS port enough?",
    ),
    (
        Protocol::Udp,
        69,
        69,
        "TFTP has no authentication or encryption",
    ),
    (
        Protocol::Udp,
        161,
        161,
        "SNMP v1/v2c sends community strings in clear text: use SNMPv3",
    ),
];

/// The cleartext ports (or port spans) inside `port`, with the reason for each.
fn cleartext(protocol: Protocol, port: &PortRange) -> Vec<(String, &'static str)> {
    CLEARTEXT
        .iter()
        .filter(|(p, low, high, _)| *p == protocol && *low <= port.high && port.low <= *high)
        .map(|(_, low, high, why)| {
            let (low, high) = ((*low).max(port.low), (*high).min(port.high));
            let name = if low == high {
                low.to_string()
            } else {
                format!("{low}-{high}")
            };
            (name, *why)
        })
        .collect()
}
