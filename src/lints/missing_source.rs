//! A rule without sources: the firewall team must guess, or open it from anywhere.

use super::{Context, Found};
use crate::names::Lint;

declare_lints! {
    /// a rule without `sources`: the firewall team must guess, or open it from anywhere
    ///
    /// ```toml
    /// [[rules]]
    /// ports = [443]
    /// destinations = ["portal.example.com"]
    /// ```
    MissingSource = "missing-source", Warn, Some(missing_source);
}

fn missing_source(cx: &Context, found: &mut Found) {
    for rule in cx.request.rules.iter().filter(|r| r.sources.is_empty()) {
        found.warn(
            Lint::MissingSource,
            rule.span.start..rule.span.start,
            "this rule has no `sources`: it would open the path from any host".into(),
            "add sources = [\"10.188.50.0/24\"] (the hosts that open the connections)".into(),
        );
    }
}
