//! Address destinations a reviewer sends back: a whole private network, or a
//! special-purpose block (loopback, link-local, multicast) that never
//! crosses a corporate firewall.

use super::any::too_wide;
use super::{Context, Found};
use crate::names::Lint;
use crate::request::{Destination, Network, Target};
use crate::validate::host::address_or_network;
use std::sync::LazyLock;

declare_lints! {
    /// a destination range that spans a whole private network (/16 or wider)
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = ["10.40.0.0/16"]
    /// ```
    BroadPrivateRange = "broad-private-range", Warn, Some(broad_private_range);

    /// a loopback, link-local, multicast or unspecified address as destination
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [80]
    /// destinations = ["169.254.169.254"]
    /// ```
    ReservedDestination = "reserved-destination", Warn, Some(reserved_destination);
}

fn destinations<'a>(cx: &Context<'a>) -> impl Iterator<Item = &'a Destination> {
    cx.request.rules.iter().flat_map(|rule| &rule.destinations)
}

/// A range within a private block at or above its widest prefix; a range
/// wider still is `any-destination`'s.
fn broad_private_range(cx: &Context, found: &mut Found) {
    for dest in destinations(cx) {
        let Target::Range { network } = &dest.target else {
            continue;
        };
        if too_wide(network).is_some() {
            continue;
        }
        if let Some((block, _)) =
            within(network, &PRIVATE_BLOCKS).filter(|(_, widest)| network.prefix <= **widest)
        {
            found.warn(
                Lint::BroadPrivateRange,
                dest.span.clone(),
                format!(
                    "destination `{network}` spans a whole private network ({block}, /16 or wider)"
                ),
                "name the internal hosts or the subnet the application needs".into(),
            );
        }
    }
}

fn reserved_destination(cx: &Context, found: &mut Found) {
    for dest in destinations(cx) {
        let reserved = dest
            .target
            .network()
            .and_then(|n| within(&n, &RESERVED_BLOCKS));
        if let Some((_, what)) = reserved {
            found.warn(
                Lint::ReservedDestination,
                dest.span.clone(),
                format!(
                    "destination `{}` is {what}: it never crosses a corporate firewall",
                    dest.written
                ),
                "name the real address of the service".into(),
            );
        }
    }
}

/// Private blocks, each with the widest prefix a destination in it may have
/// before it counts as the whole private network.
const PRIVATE: &[(&str, u8)] = &[
    ("10.0.0.0/8", 16),
    ("172.16.0.0/12", 16),
    ("192.168.0.0/16", 16),
    ("100.64.0.0/10", 16),
    ("fc00::/7", 48),
];

/// Special-purpose blocks (loopback, link-local, multicast, ...): a destination
/// in one is a copy-paste mistake.
const RESERVED: &[(&str, &str)] = &[
    ("0.0.0.0/8", "in \"this network\" (0.0.0.0/8)"),
    ("127.0.0.0/8", "a loopback address (127.0.0.0/8)"),
    (
        "169.254.0.0/16",
        "link-local (169.254.0.0/16, where cloud metadata services answer)",
    ),
    ("224.0.0.0/4", "multicast (224.0.0.0/4)"),
    ("240.0.0.0/4", "reserved (240.0.0.0/4)"),
    ("::", "the unspecified address (::)"),
    ("::1", "the loopback address (::1)"),
    ("fe80::/10", "link-local (fe80::/10)"),
    ("ff00::/8", "multicast (ff00::/8)"),
];

/// The first of `blocks` (written as CIDR) that holds all of `network`.
fn within<'a, T>(
    network: &Network,
    blocks: &'a [(&'static str, Network, T)],
) -> Option<(&'static str, &'a T)> {
    blocks
        .iter()
        .find(|(_, block, _)| block.contains_network(network))
        .map(|(cidr, _, value)| (*cidr, value))
}

/// A table of blocks with each block parsed, once per run rather than once
/// per destination.
fn parsed<T: Copy>(blocks: &[(&'static str, T)]) -> Vec<(&'static str, Network, T)> {
    blocks
        .iter()
        .filter_map(|&(cidr, value)| Some((cidr, address_or_network(cidr).ok()?, value)))
        .collect()
}

static PRIVATE_BLOCKS: LazyLock<Vec<(&str, Network, u8)>> = LazyLock::new(|| parsed(PRIVATE));
static RESERVED_BLOCKS: LazyLock<Vec<(&str, Network, &str)>> = LazyLock::new(|| parsed(RESERVED));

#[cfg(test)]
mod tests {
    use super::{PRIVATE, PRIVATE_BLOCKS, RESERVED, RESERVED_BLOCKS};

    /// Every block of both tables is a network: none is dropped unseen.
    #[test]
    fn every_block_parses() {
        assert_eq!(PRIVATE_BLOCKS.len(), PRIVATE.len());
        assert_eq!(RESERVED_BLOCKS.len(), RESERVED.len());
        assert_eq!(PRIVATE_BLOCKS[0].1.to_string(), "10.0.0.0/8");
    }
}
