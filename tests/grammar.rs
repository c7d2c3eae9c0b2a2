//! Property tests of the destination and port grammar: whatever the input,
//! no panic; whatever is accepted is a well-formed name or address that is safe
//! to put in a shell line.

use fwreq::flows::{TestHost, command};
use fwreq::request::Target;
use fwreq::spec::{Protocol, RawPort};
use fwreq::validate::{host, port};
use proptest::prelude::*;
use std::net::IpAddr;

/// A label of a valid hostname: 1-63 of [a-z0-9-], no hyphen at either end,
/// and no `--` in its third and fourth places (reserved for punycode).
fn label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?".prop_filter("`--` in places 3 and 4 is reserved", |l| {
        l.get(2..4) != Some("--")
    })
}

fn hostname() -> impl Strategy<Value = String> {
    (prop::collection::vec(label(), 1..4), "[a-z]{2,10}")
        .prop_map(|(labels, top)| format!("{}.{top}", labels.join(".")))
}

/// Destinations of every shape (names, wildcards, addresses, ranges), half of
/// them with one arbitrary character put somewhere, and arbitrary text.
fn destination_like() -> impl Strategy<Value = String> {
    let valid = prop_oneof![
        hostname(),
        hostname().prop_map(|n| format!("*.{n}")),
        any::<std::net::Ipv4Addr>().prop_map(|a| a.to_string()),
        any::<std::net::Ipv6Addr>().prop_map(|a| a.to_string()),
        (any::<std::net::Ipv4Addr>(), 8u8..=32)
            .prop_map(|(a, p)| { format!("{}/{p}", fwreq::request::mask(IpAddr::V4(a), p)) }),
    ];
    prop_oneof![
        4 => valid.clone(),
        3 => (valid, any::<char>(), any::<prop::sample::Index>()).prop_map(|(text, c, at)| {
            let mut chars: Vec<char> = text.chars().collect();
            chars.insert(at.index(chars.len() + 1), c);
            chars.into_iter().collect()
        }),
        1 => "\\PC{0,80}",
    ]
}

fn shell_safe(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-:/*".contains(c))
}

proptest! {
    #[test]
    fn valid_hostnames_are_accepted_as_written(name in hostname()) {
        prop_assert!(
            matches!(host::destination(&name), Ok(Target::Host { name: ref n }) if n.as_str() == name),
            "{name}"
        );
        let wildcard = format!("*.{name}");
        prop_assert_eq!(
            host::destination(&wildcard),
            Ok(Target::Wildcard { domain: name.parse().unwrap(), dotted: true })
        );
    }

    #[test]
    fn any_text_is_refused_or_safe(text in destination_like()) {
        if let Ok(target) = host::destination(&text) {
            let tested = match &target {
                Target::Host { name } => TestHost::Name(name.clone()),
                Target::Wildcard { domain, .. } => TestHost::Name(domain.clone()),
                Target::Address { address } => TestHost::Address(*address),
                Target::Range { network } => TestHost::Address(network.addr),
            };
            prop_assert!(shell_safe(&target.to_string()), "{text:?} -> {target:?}");
            let line = command(Protocol::Tcp, &tested, Some(443));
            prop_assert!(shell_safe(&line.replace("curl -vv telnet://", "").replace(['[', ']'], "")), "{line}");
        }
    }

    /// The generator reaches the accepting side of the grammar, not only its
    /// refusals: about half of what it makes is valid, and never under a sixth.
    #[test]
    fn the_destination_generator_yields_valid_destinations(
        texts in prop::collection::vec(destination_like(), 60)
    ) {
        let valid = texts.iter().filter(|t| host::destination(t).is_ok()).count();
        prop_assert!(valid * 6 >= texts.len(), "{valid} of {}", texts.len());
    }

    #[test]
    fn shell_metacharacters_are_always_refused(
        name in hostname(),
        meta in prop::sample::select(vec![";", "&", "|", "$", "`", "(", ")", "<", ">", " ", "\n", "'", "\"", "\\"]),
        at in 0usize..20,
    ) {
        let at = at.min(name.len());
        let text = format!("{}{meta}{}", &name[..at], &name[at..]);
        prop_assert!(host::destination(&text).is_err(), "{text:?} accepted");
    }

    #[test]
    fn networks_round_trip_and_host_bits_are_refused(addr in any::<IpAddr>(), prefix in 0u8..=128) {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix % (max + 1);
        let base = fwreq::request::mask(addr, prefix);
        let text = format!("{base}/{prefix}");
        let parsed = host::destination(&text);
        let mapped = matches!(base, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some()) && prefix >= 96;
        if mapped {
            // The traffic of ::ffff:a.b.c.d leaves as IPv4: written so, it is refused.
            prop_assert!(parsed.is_err_and(|e| e.message.contains("IPv4-mapped")), "{text}");
        } else if prefix == max {
            // A /32 or /128 is one host.
            prop_assert!(matches!(parsed, Ok(Target::Address { address }) if address == base), "{text}");
        } else {
            prop_assert!(matches!(parsed, Ok(Target::Range { network }) if network.addr == base && network.prefix == prefix), "{text}");
        }
        if base != addr && !mapped {
            let err = host::destination(&format!("{addr}/{prefix}")).unwrap_err();
            prop_assert!(err.message.contains("host bits set"), "{}", err.message);
        }
    }

    #[test]
    fn port_numbers_are_accepted_exactly_in_range(n in any::<i64>()) {
        let ok = port::port(&RawPort::Number(n), 0..0).is_ok();
        prop_assert_eq!(ok, (1..=65535).contains(&n));
    }

    #[test]
    fn port_ranges_are_accepted_exactly_when_low_is_below_high(low in 0u32..70000, high in 0u32..70000) {
        let parsed = port::port(&RawPort::Text(format!("{low}-{high}")), 0..0);
        let valid = low >= 1 && high <= 65535 && low < high;
        prop_assert_eq!(parsed.is_ok(), valid, "{}-{}", low, high);
        if let Ok(range) = parsed {
            prop_assert_eq!((u32::from(range.low), u32::from(range.high)), (low, high));
        }
    }
}
