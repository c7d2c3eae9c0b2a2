//! Sources and destinations that are almost any address.

use super::{Context, Found};
use crate::names::Lint;
use crate::request::{Network, Target};

declare_lints! {
    /// `0.0.0.0/0`, `::/0`, or a prefix shorter than /8 (IPv4) or /32 (IPv6) as destination
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = ["0.0.0.0/0"]
    /// ```
    AnyDestination = "any-destination", Warn, Some(any_destination);

    /// the same, as source
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["0.0.0.0/0"]
    /// ports = [443]
    /// destinations = ["portal.example.com"]
    /// ```
    AnySource = "any-source", Warn, Some(any_source);
}

fn any_destination(cx: &Context, found: &mut Found) {
    for dest in cx.request.rules.iter().flat_map(|rule| &rule.destinations) {
        if let Target::Range { network } = &dest.target
            && let Some(why) = too_wide(network)
        {
            found.warn(
                Lint::AnyDestination,
                dest.span.clone(),
                format!("destination `{network}` {why}"),
                "name the hosts or the smallest range the application needs".into(),
            );
        }
    }
}

fn any_source(cx: &Context, found: &mut Found) {
    for source in cx.request.rules.iter().flat_map(|rule| &rule.sources) {
        if let Some(why) = too_wide(&source.value) {
            found.warn(
                Lint::AnySource,
                source.span.clone(),
                format!("source `{}` {why}", source.value),
                "name the hosts or subnet that open the connections".into(),
            );
        }
    }
}

/// Why a network is "anything", if it is: /0, or shorter than /8 (v4) or /32 (v6).
pub(super) fn too_wide(network: &Network) -> Option<String> {
    let limit = if network.addr.is_ipv4() { 8 } else { 32 };
    if network.prefix == 0 {
        Some("is every address on the internet".into())
    } else if network.prefix < limit {
        Some(format!("is wider than /{limit}: almost any address"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lints::test_support::network as net;

    /// "Almost any address" starts below /8 (IPv4) and /32 (IPv6).
    #[test]
    fn too_wide_starts_below_8_and_32() {
        let said = |text| too_wide(&net(text));
        assert_eq!(
            said("0.0.0.0/0").unwrap(),
            "is every address on the internet"
        );
        assert_eq!(said("::/0").unwrap(), "is every address on the internet");
        assert_eq!(said("10.0.0.0/8"), None);
        assert_eq!(
            said("10.0.0.0/7").unwrap(),
            "is wider than /8: almost any address"
        );
        assert_eq!(said("2001:db8::/32"), None);
        assert_eq!(
            said("2001::/31").unwrap(),
            "is wider than /32: almost any address"
        );
    }
}
