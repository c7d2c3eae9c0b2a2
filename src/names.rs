//! The names fwreq knows and the nearest-name suggestion for a misspelt one.
//!
//! Shared by `validate` (misspelt keys, `allow` lists) and `lints` (the lint
//! catalogue), so that neither imports the other: dependencies point one way,
//! validate -> names and lints -> {names, validate}.

/// Every lint: its name and what it catches (shown by `fwreq check --list-lints`).
pub const LINTS: &[(&str, &str)] = &[
    (
        "wildcard-without-dot",
        "`*example.com` also matches `evilexample.com`; write `*.example.com`",
    ),
    (
        "wildcard-public-suffix",
        "a wildcard that is, or covers, a Public Suffix List entry (`*.com`, `*.amazonaws.com`)",
    ),
    (
        "wildcard-without-probe",
        "a wildcard with no `probe` host: its checks test the apex, which the wildcard does not match",
    ),
    (
        "private-destination-wildcard",
        "a wildcard under an internal DNS zone (`*.corp`, `*.internal`, `*.local`)",
    ),
    (
        "broad-private-range",
        "a destination range that spans a whole private network (/16 or wider)",
    ),
    (
        "reserved-destination",
        "a loopback, link-local, multicast or unspecified address as destination",
    ),
    (
        "cleartext-port",
        "an allow rule on a port whose protocol is usually unencrypted (21, 23, 80, 389, ...)",
    ),
    (
        "wide-port-range",
        "a port range wider than --max-port-range (default 100)",
    ),
    (
        "any-destination",
        "`0.0.0.0/0`, `::/0`, or a prefix shorter than /8 (IPv4) or /32 (IPv6) as destination",
    ),
    ("any-source", "the same, as source"),
    (
        "missing-source",
        "a rule without `sources`: the firewall team must guess, or open it from anywhere",
    ),
    (
        "duplicate-destination",
        "the same flow twice, or one already covered by a wildcard or range in the request",
    ),
    ("expired", "`expires` is in the past"),
    ("expires-soon", "`expires` is within 14 days"),
    (
        "missing-expiry-for-temporary",
        "the text says temporary, trial, pilot or until, and no `expires` is set",
    ),
    (
        "long-title",
        "a title longer than 160 characters (ServiceNow short descriptions are often cut there)",
    ),
    (
        "raw-html",
        "a text holds raw HTML, which every output shows as text (write Markdown instead)",
    ),
    (
        "body-too-long",
        "the rendered body is over 4,000 characters, the default limit of a ServiceNow multi-line field",
    ),
];

/// A name that is not one fwreq knows, with what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub message: String,
    pub help: String,
}

/// Checks that a lint name exists, suggesting the nearest one if not.
pub fn check_lint_name(name: &str) -> Result<(), Unknown> {
    if LINTS.iter().any(|(n, _)| *n == name) {
        return Ok(());
    }
    Err(Unknown {
        message: format!("unknown lint `{name}`"),
        help: match nearest(name, LINTS.iter().map(|(n, _)| *n)) {
            Some(n) => format!("did you mean `{n}`?"),
            None => "`fwreq check --list-lints` lists them".into(),
        },
    })
}

/// The candidate closest to a misspelt name, if one is close enough to be
/// what was meant (a few edits, fewer than the candidate's length).
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // `TCP` for `tcp`: the same word in another case is always what was meant.
    if let Some(same) = candidates.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 3) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_lint_names_get_a_suggestion() {
        assert!(check_lint_name("cleartext-port").is_ok());
        let err = check_lint_name("cleartext-ports").unwrap_err();
        assert_eq!(err.help, "did you mean `cleartext-port`?");
    }

    #[test]
    fn the_same_word_in_another_case_is_nearest() {
        assert_eq!(nearest("TCP", ["tcp", "udp", "icmp"]), Some("tcp"));
        assert_eq!(nearest("colour", ["title", "project"]), None);
    }
}
