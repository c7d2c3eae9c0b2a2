//! Two revisions of a request (any bytes, split at the first NUL, each side
//! kept only when it validates): the change ticket's sections, applied to the
//! old revision's flows, must give the new revision's, by meaning.
//!
//! "Meaning" is `policy::flows`: what each rule allows or denies, per
//! protocol, destination, source and port. Applying the ticket: the allowed
//! ports lose `closed` and `to_deny` and gain `opened` and `to_allow`; the
//! denied ports lose `deny_removed` and `to_allow` and gain `deny_added` and
//! `to_deny`. The result must equal the new revision's, port for port, and
//! no section may hold a flow the old revision already had (or lacked) in
//! that sense. `tests/change.rs` proves the same over a few fixed
//! destinations; this reaches every spelling validation accepts.
#![no_main]

use fwreq::change::{self, TicketFlow};
use fwreq::diagnostic::Source;
use fwreq::policy::{self, PortSet};
use fwreq::request::{Request, Target};
use fwreq::spec::{Action, Protocol};
use fwreq::validate;
use fwreq::zones::Zones;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

/// One protocol from one source (`any`, or a network as fwreq writes it) to
/// one destination.
type Path = (Protocol, Target, String);

/// The ports of each path; icmp counts as the one pseudo-port 0.
type Reach = BTreeMap<Path, PortSet>;

fn load(text: &[u8]) -> Option<Request> {
    let text = std::str::from_utf8(text).ok()?;
    validate::load(&Source::new("fuzz.toml", text.to_string())).ok()
}

fn ports_of(protocol: Protocol, ports: &PortSet) -> PortSet {
    match protocol {
        Protocol::Icmp => PortSet::new([(0, 0)]),
        Protocol::Tcp | Protocol::Udp => ports.clone(),
    }
}

fn add(reach: &mut Reach, path: Path, ports: &PortSet) {
    let entry = reach.entry(path).or_default();
    *entry = entry.union(ports);
}

fn take(reach: &mut Reach, path: &Path, ports: &PortSet) {
    if let Some(entry) = reach.get_mut(path) {
        *entry = entry.difference(ports);
        if entry.is_empty() {
            reach.remove(path);
        }
    }
}

/// What a request allows (or denies), from its policy flows.
fn meaning(request: &Request, action: Action) -> Reach {
    let mut out = Reach::new();
    for flow in policy::flows(request).iter().filter(|f| f.action == action) {
        let sources: Vec<String> = if flow.sources.is_empty() {
            vec!["any".to_string()]
        } else {
            flow.sources.iter().map(ToString::to_string).collect()
        };
        for source in sources {
            add(
                &mut out,
                (flow.protocol, flow.target.clone(), source),
                &ports_of(flow.protocol, &flow.ports),
            );
        }
    }
    out.retain(|_, ports| !ports.is_empty());
    out
}

/// A ticket section as paths and ports, each destination read back from the
/// written form the ticket shows.
fn section(flows: &[TicketFlow], written: &BTreeMap<String, Target>) -> Reach {
    let mut out = Reach::new();
    for flow in flows {
        let target = written
            .get(&flow.test.destination)
            .unwrap_or_else(|| {
                panic!(
                    "{:?} is no destination of either revision",
                    flow.test.destination
                )
            })
            .clone();
        let sources = if flow.sources.is_empty() {
            vec!["any".to_string()]
        } else {
            flow.sources.clone()
        };
        let ports = ports_of(flow.protocol, &flow.ports);
        assert!(!ports.is_empty(), "an entry without ports: {flow:?}");
        for source in sources {
            add(&mut out, (flow.protocol, target.clone(), source), &ports);
        }
    }
    out
}

fn apply(before: &Reach, gone: &[&Reach], came: &[&Reach]) -> Reach {
    let mut after = before.clone();
    for reach in gone {
        for (path, ports) in *reach {
            take(&mut after, path, ports);
        }
    }
    for reach in came {
        for (path, ports) in *reach {
            add(&mut after, path.clone(), ports);
        }
    }
    after
}

/// Every port of `part` is in `whole`.
fn within(part: &Reach, whole: &Reach) -> bool {
    part.iter()
        .all(|(path, ports)| whole.get(path).is_some_and(|w| w.contains_all(ports)))
}

/// No port of `part` is in `other`.
fn outside(part: &Reach, other: &Reach) -> bool {
    part.iter().all(|(path, ports)| {
        other
            .get(path)
            .is_none_or(|o| o.intersection(ports).is_empty())
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(cut) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let (Some(old), Some(new)) = (load(&data[..cut]), load(&data[cut + 1..])) else {
        return;
    };
    let written: BTreeMap<String, Target> = [&old, &new]
        .iter()
        .flat_map(|r| &r.rules)
        .flat_map(|rule| &rule.destinations)
        .map(|d| (d.written.clone(), d.target.clone()))
        .collect();
    let ticket = change::compare(&old, &new, &Zones::default());
    let opened = section(&ticket.opened, &written);
    let closed = section(&ticket.closed, &written);
    let to_deny = section(&ticket.to_deny, &written);
    let to_allow = section(&ticket.to_allow, &written);
    let deny_added = section(&ticket.deny_added, &written);
    let deny_removed = section(&ticket.deny_removed, &written);

    let (allowed_before, allowed_after) =
        (meaning(&old, Action::Allow), meaning(&new, Action::Allow));
    let (denied_before, denied_after) = (meaning(&old, Action::Deny), meaning(&new, Action::Deny));
    assert_eq!(
        apply(&allowed_before, &[&closed, &to_deny], &[&opened, &to_allow]),
        allowed_after,
        "the ticket's opened/closed flows applied to the old allowed flows"
    );
    assert_eq!(
        apply(
            &denied_before,
            &[&deny_removed, &to_allow],
            &[&deny_added, &to_deny]
        ),
        denied_after,
        "the ticket's deny flows applied to the old denied flows"
    );
    // Each section says something true of the old revision: what it opens was
    // not allowed, what it closes was.
    assert!(outside(&opened, &allowed_before) && outside(&to_allow, &allowed_before));
    assert!(within(&closed, &allowed_before) && within(&to_deny, &allowed_before));
    assert!(outside(&deny_added, &denied_before) && outside(&to_deny, &denied_before));
    assert!(within(&deny_removed, &denied_before) && within(&to_allow, &denied_before));
});
