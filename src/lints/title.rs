//! `long-title`: a title ServiceNow would cut.

use super::{Context, Found};
use crate::names::Lint;

declare_lints! {
    /// a title longer than 160 characters (ServiceNow short descriptions are often cut there)
    ///
    /// ```toml
    /// title = "Allow the Albion plant's Kubernetes nodes to reach the time servers, the log collectors, the container registry mirror and the historian, for the OT monitoring rollout"
    /// ```
    LongTitle = "long-title", Warn, Some(long_title);
}

/// ServiceNow's usual short-description limit.
const TITLE_LIMIT: usize = 160;

fn long_title(cx: &Context, found: &mut Found) {
    let len = cx.request.title.chars().count();
    if len > TITLE_LIMIT {
        found.warn(
            Lint::LongTitle,
            cx.request.spans.title.clone(),
            format!("the title is {len} characters; ServiceNow short descriptions are often cut at {TITLE_LIMIT}"),
            "shorten the title; details belong in `request`".into(),
        );
    }
}
