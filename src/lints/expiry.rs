//! Expiry: a request past its `expires` date or close to it, and one that
//! says it is temporary but sets no date.

use super::{Context, Found};
use crate::names::Lint;
use crate::request::Request;
use crate::spec::Status;
use crate::text::days_away;

declare_lints! {
    /// `expires` is in the past
    ///
    /// ```toml
    /// expires = 2026-01-31
    /// ```
    Expired = "expired", Warn, Some(expired);

    /// `expires` is within 14 days
    ///
    /// ```toml
    /// expires = 2026-12-10  # checked on 2026-12-01
    /// ```
    ExpiresSoon = "expires-soon", Warn, Some(expires_soon);

    /// the text says temporary, trial, pilot or until, and no `expires` is set
    ///
    /// ```toml
    /// reason = "A two-week trial of the new historian"
    /// ```
    MissingExpiryForTemporary = "missing-expiry-for-temporary", Warn, Some(missing_expiry_for_temporary);
}

/// Days before `expires` when `expires-soon` starts to warn.
const EXPIRY_WARNING_DAYS: i64 = 14;

/// A rejected or withdrawn request opens nothing: its dates do not matter.
fn is_live(request: &Request) -> bool {
    !matches!(request.status, Status::Rejected | Status::Withdrawn)
}

/// `expires` and how many days away it is, for a live request that has one.
fn days_left(cx: &Context) -> Option<(chrono::NaiveDate, i64)> {
    let expires = cx.request.expires.filter(|_| is_live(cx.request))?;
    Some((expires, (expires - cx.settings.today).num_days()))
}

fn expired(cx: &Context, found: &mut Found) {
    expiry(cx, Lint::Expired, found);
}

fn expires_soon(cx: &Context, found: &mut Found) {
    expiry(cx, Lint::ExpiresSoon, found);
}

/// Warns `expired` for an `expires` in the past, `expires-soon` for one
/// within `EXPIRY_WARNING_DAYS`, each at the `expires` value.
fn expiry(cx: &Context, lint: Lint, found: &mut Found) {
    let Some((expires, days)) = days_left(cx) else {
        return;
    };
    let (message, help) = match lint {
        Lint::Expired if days < 0 => (
            format!("the request expired on {expires} ({})", days_away(days)),
            "remove the rules from the firewall, or set a new `expires` date",
        ),
        Lint::ExpiresSoon if (0..=EXPIRY_WARNING_DAYS).contains(&days) => (
            format!("the request expires on {expires}, {}", days_away(days)),
            "plan the removal, or extend `expires` with a new approval",
        ),
        _ => return,
    };
    found.warn(lint, cx.request.spans.expires.clone(), message, help.into());
}

/// The first word of temporariness in the request's prose, when it sets no `expires`.
fn missing_expiry_for_temporary(cx: &Context, found: &mut Found) {
    const WORDS: &[&str] = &[
        "temporary",
        "temporarily",
        "trial",
        "pilot",
        "until",
        "proof of concept",
    ];
    if !is_live(cx.request) || cx.request.expires.is_some() {
        return;
    }
    for span in &cx.request.spans.prose {
        let text = cx
            .source
            .text
            .get(span.clone())
            .unwrap_or("")
            .to_ascii_lowercase();
        let hit = WORDS
            .iter()
            .filter_map(|w| find_word(&text, w).map(|at| (at, *w)))
            .min();
        if let Some((at, word)) = hit {
            let start = span.start + at;
            found.warn(
                Lint::MissingExpiryForTemporary,
                start..start + word.len(),
                format!("the request says \"{word}\" but sets no `expires` date"),
                "add expires = YYYY-MM-DD so the rule is removed when it is no longer needed"
                    .into(),
            );
            return;
        }
    }
}

/// Byte offset of `word` in `text` at word boundaries (both already lower-case).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    text.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + word.len()).copied();
        !before.is_some_and(|b| b.is_ascii_alphanumeric())
            && !after.is_some_and(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::find_word;

    #[test]
    fn words_match_at_boundaries_only() {
        assert_eq!(find_word("a trial run", "trial"), Some(2));
        assert_eq!(find_word("industrial", "trial"), None);
        assert_eq!(find_word("trials", "trial"), None);
    }
}
