//! The names fwreq knows (its lints above all) and the nearest-name
//! suggestion for a misspelt one.
//!
//! Shared by `validate` (misspelt keys, `allow` lists) and `lints` (the lint
//! catalogue), so that neither imports the other: dependencies point one way,
//! validate -> names and lints -> {names, validate}.

use crate::diagnostic::Invalid;

/// Every lint fwreq has. The name is what `allow`, `--allow` and `--deny`
/// take and what a warning shows; a name that is not here cannot be emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lint {
    /// `*example.com` also matches `evilexample.com`; write `*.example.com`
    WildcardWithoutDot,
    /// a wildcard that is, or covers, a Public Suffix List entry (`*.com`, `*.amazonaws.com`)
    WildcardPublicSuffix,
    /// a wildcard with no `probe` host: its checks test the apex, which the wildcard does not match
    WildcardWithoutProbe,
    /// a wildcard under an internal DNS zone (`*.corp`, `*.internal`, `*.local`)
    PrivateDestinationWildcard,
    /// a destination range that spans a whole private network (/16 or wider)
    BroadPrivateRange,
    /// a loopback, link-local, multicast or unspecified address as destination
    ReservedDestination,
    /// an allow rule on a port whose protocol is usually unencrypted (21, 23, 80, 389, ...)
    CleartextPort,
    /// a port range wider than --max-port-range (default 100)
    WidePortRange,
    /// `0.0.0.0/0`, `::/0`, or a prefix shorter than /8 (IPv4) or /32 (IPv6) as destination
    AnyDestination,
    /// the same, as source
    AnySource,
    /// a rule without `sources`: the firewall team must guess, or open it from anywhere
    MissingSource,
    /// the same flow twice, or one already covered by a wildcard or range in the request
    DuplicateDestination,
    /// one rule allows and another denies overlapping traffic (the same or a covering destination, a shared port, protocol and source): the deny wins only while the firewall keeps it first
    AllowDenyOverlap,
    /// `expires` is in the past
    Expired,
    /// `expires` is within 14 days
    ExpiresSoon,
    /// the text says temporary, trial, pilot or until, and no `expires` is set
    MissingExpiryForTemporary,
    /// a title longer than 160 characters (ServiceNow short descriptions are often cut there)
    LongTitle,
    /// a text holds raw HTML, which every output shows as text (write Markdown instead)
    RawHtml,
    /// the rendered body is over 4,000 characters, the default limit of a ServiceNow multi-line field
    BodyTooLong,
    /// a flow the team's zone policy forbids (an error unless allowed)
    ZoneForbidden,
    /// a flow the team's zone policy does not pre-approve (off unless a team turns it on)
    ZoneReview,
    /// a source in none of the team's zones, judged as internet
    UnknownZone,
    /// a destination one of the team's firewall platforms (`targets`) cannot hold
    NotExpressible,
    /// a bidi control or zero-width character in the file: what a reviewer sees is not what it says (CVE-2021-42574)
    HiddenCharacters,
}

/// What a lint does when it fires: nothing, a warning, or an error (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    /// The word a team file or the command line uses for it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

impl Lint {
    /// Every lint, in the order `check --list-lints` shows them.
    pub const ALL: &[Lint] = &[
        Lint::WildcardWithoutDot,
        Lint::WildcardPublicSuffix,
        Lint::WildcardWithoutProbe,
        Lint::PrivateDestinationWildcard,
        Lint::BroadPrivateRange,
        Lint::ReservedDestination,
        Lint::CleartextPort,
        Lint::WidePortRange,
        Lint::AnyDestination,
        Lint::AnySource,
        Lint::MissingSource,
        Lint::DuplicateDestination,
        Lint::AllowDenyOverlap,
        Lint::Expired,
        Lint::ExpiresSoon,
        Lint::MissingExpiryForTemporary,
        Lint::LongTitle,
        Lint::RawHtml,
        Lint::BodyTooLong,
        Lint::ZoneForbidden,
        Lint::ZoneReview,
        Lint::UnknownZone,
        Lint::NotExpressible,
        Lint::HiddenCharacters,
    ];

    /// The stable name (`cleartext-port`).
    pub fn name(self) -> &'static str {
        match self {
            Lint::WildcardWithoutDot => "wildcard-without-dot",
            Lint::WildcardPublicSuffix => "wildcard-public-suffix",
            Lint::WildcardWithoutProbe => "wildcard-without-probe",
            Lint::PrivateDestinationWildcard => "private-destination-wildcard",
            Lint::BroadPrivateRange => "broad-private-range",
            Lint::ReservedDestination => "reserved-destination",
            Lint::CleartextPort => "cleartext-port",
            Lint::WidePortRange => "wide-port-range",
            Lint::AnyDestination => "any-destination",
            Lint::AnySource => "any-source",
            Lint::MissingSource => "missing-source",
            Lint::DuplicateDestination => "duplicate-destination",
            Lint::AllowDenyOverlap => "allow-deny-overlap",
            Lint::Expired => "expired",
            Lint::ExpiresSoon => "expires-soon",
            Lint::MissingExpiryForTemporary => "missing-expiry-for-temporary",
            Lint::LongTitle => "long-title",
            Lint::RawHtml => "raw-html",
            Lint::BodyTooLong => "body-too-long",
            Lint::ZoneForbidden => "zone-forbidden",
            Lint::ZoneReview => "zone-review",
            Lint::UnknownZone => "unknown-zone",
            Lint::NotExpressible => "not-expressible",
            Lint::HiddenCharacters => "hidden-characters",
        }
    }

    /// What it catches (shown by `fwreq check --list-lints`).
    pub fn description(self) -> &'static str {
        match self {
            Lint::WildcardWithoutDot => {
                "`*example.com` also matches `evilexample.com`; write `*.example.com`"
            }
            Lint::WildcardPublicSuffix => {
                "a wildcard that is, or covers, a Public Suffix List entry (`*.com`, `*.amazonaws.com`)"
            }
            Lint::WildcardWithoutProbe => {
                "a wildcard with no `probe` host: its checks test the apex, which the wildcard does not match"
            }
            Lint::PrivateDestinationWildcard => {
                "a wildcard under an internal DNS zone (`*.corp`, `*.internal`, `*.local`)"
            }
            Lint::BroadPrivateRange => {
                "a destination range that spans a whole private network (/16 or wider)"
            }
            Lint::ReservedDestination => {
                "a loopback, link-local, multicast or unspecified address as destination"
            }
            Lint::CleartextPort => {
                "an allow rule on a port whose protocol is usually unencrypted (21, 23, 80, 389, ...)"
            }
            Lint::WidePortRange => "a port range wider than --max-port-range (default 100)",
            Lint::AnyDestination => {
                "`0.0.0.0/0`, `::/0`, or a prefix shorter than /8 (IPv4) or /32 (IPv6) as destination"
            }
            Lint::AnySource => "the same, as source",
            Lint::MissingSource => {
                "a rule without `sources`: the firewall team must guess, or open it from anywhere"
            }
            Lint::DuplicateDestination => {
                "the same flow twice, or one already covered by a wildcard or range in the request"
            }
            Lint::AllowDenyOverlap => {
                "one rule allows and another denies overlapping traffic (the same or a covering destination, a shared port, protocol and source): the deny wins only while the firewall keeps it first"
            }
            Lint::Expired => "`expires` is in the past",
            Lint::ExpiresSoon => "`expires` is within 14 days",
            Lint::MissingExpiryForTemporary => {
                "the text says temporary, trial, pilot or until, and no `expires` is set"
            }
            Lint::LongTitle => {
                "a title longer than 160 characters (ServiceNow short descriptions are often cut there)"
            }
            Lint::RawHtml => {
                "a text holds raw HTML, which every output shows as text (write Markdown instead)"
            }
            Lint::BodyTooLong => {
                "the rendered body is over 4,000 characters, the default limit of a ServiceNow multi-line field"
            }
            Lint::ZoneForbidden => "a flow the team's [[zone_policy]] forbids between its zones",
            Lint::ZoneReview => {
                "a flow no [[zone_policy]] entry pre-approves: needs a security review"
            }
            Lint::UnknownZone => "a source in none of the team's [zones], judged as internet",
            Lint::NotExpressible => {
                "a destination one of the team's `targets` (fwreq implement) cannot hold, such as a name in nftables"
            }
            Lint::HiddenCharacters => {
                "a bidi control or zero-width character in the file: what a reviewer sees is not what it says (CVE-2021-42574)"
            }
        }
    }

    /// The level it has unless the command line or `fwreq.toml` says otherwise.
    pub fn default_level(self) -> Level {
        match self {
            Lint::ZoneForbidden => Level::Deny,
            Lint::ZoneReview => Level::Allow,
            _ => Level::Warn,
        }
    }
}

impl std::fmt::Display for Lint {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Serialized by its name, as a request writes it.
impl serde::Serialize for Lint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl std::str::FromStr for Lint {
    type Err = Invalid;

    /// A lint by its name, or the nearest name as help.
    fn from_str(name: &str) -> Result<Self, Invalid> {
        if let Some(lint) = Lint::ALL.iter().find(|l| l.name() == name) {
            return Ok(*lint);
        }
        Err(Invalid::new(format!("unknown lint `{name}`")).help(
            match nearest(name, Lint::ALL.iter().map(|l| l.name())) {
                Some(n) => format!("did you mean `{n}`?"),
                None => "`fwreq check --list-lints` lists them".into(),
            },
        ))
    }
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
    fn every_lint_name_parses_back_to_its_lint() {
        for lint in Lint::ALL {
            assert_eq!(lint.name().parse::<Lint>(), Ok(*lint));
            assert!(!lint.description().is_empty());
        }
        let mut names: Vec<&str> = Lint::ALL.iter().map(|l| l.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Lint::ALL.len(), "a name used twice");
    }

    /// `ALL` holds the variants in the order they are declared, with no gap:
    /// a variant left out of it (so that no `allow` could name it) fails here.
    /// A variant added at the end replaces `HiddenCharacters` below.
    #[test]
    fn all_lists_every_lint_in_order() {
        for (i, lint) in Lint::ALL.iter().enumerate() {
            assert_eq!(*lint as usize, i, "{lint}");
        }
        assert_eq!(Lint::ALL.len(), Lint::HiddenCharacters as usize + 1);
    }

    #[test]
    fn unknown_lint_names_get_a_suggestion() {
        assert_eq!("cleartext-port".parse::<Lint>(), Ok(Lint::CleartextPort));
        let err = "cleartext-ports".parse::<Lint>().unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `cleartext-port`?"));
    }

    /// Close enough: at most three edits, or a third of a long candidate,
    /// and always fewer edits than the candidate has characters.
    #[test]
    fn a_suggestion_needs_few_enough_edits() {
        assert_eq!(nearest("proj", ["project"]), Some("project"));
        assert_eq!(nearest("pr", ["project"]), None);
        assert_eq!(nearest("tp", ["tcp"]), Some("tcp"));
        assert_eq!(nearest("x", ["tcp"]), None);
        let long = "wildcard-public-suffix";
        assert_eq!(nearest("wildcard-public", [long]), Some(long));
        assert_eq!(nearest("wildcard-publi", [long]), None);
        assert_eq!(nearest("wildcard-pubic-suffix", ["tcp", long]), Some(long));
    }

    #[test]
    fn the_same_word_in_another_case_is_nearest() {
        assert_eq!(nearest("TCP", ["tcp", "udp", "icmp"]), Some("tcp"));
        assert_eq!(nearest("colour", ["title", "project"]), None);
    }
}
