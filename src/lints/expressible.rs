//! `not-expressible`: destinations one of the team's platforms cannot hold,
//! what `fwreq implement` would leave out for it.

use super::{Context, Found};
use crate::names::Lint;

declare_lints! {
    /// a destination one of the team's `targets` (fwreq implement) cannot hold, such as a name in nftables
    ///
    /// ```toml
    /// # fwreq.toml: targets = ["nftables"]
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = ["registry.example.com"]
    /// ```
    NotExpressible = "not-expressible", Warn, Some(not_expressible);
}

fn not_expressible(cx: &Context, found: &mut Found) {
    for &platform in &cx.settings.targets {
        let name = platform.name();
        for (_, dest) in cx
            .flows
            .iter()
            .filter(|(flow, _)| !platform.holds(&flow.target, flow.action))
        {
            found.warn(
                Lint::NotExpressible,
                dest.span.clone(),
                format!(
                    "`{}` cannot be held by {name}, one of the team's targets: `fwreq implement --target {name}` leaves it out",
                    dest.written
                ),
                "use addresses or ranges for this platform, or say in the ticket how the team fills a set from DNS".into(),
            );
        }
    }
}
