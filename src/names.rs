//! The names fwreq knows (its lints above all) and the nearest-name
//! suggestion for a misspelt one.
//!
//! Shared by `validate` (misspelt keys, `allow` lists), `diagnostic` (a
//! warning's `[name]`) and `lints`, so that none of them imports another for
//! it: this module imports nothing of the crate. Parsing a lint's name with a
//! suggestion (`FromStr`, whose error is a `diagnostic::Invalid`) lives in
//! `diagnostic`, which imports this module, not the other way round.

// `Lint` (every lint, in the registry's order) and `DECLARED` (what each
// lint's declaration in `src/lints/` says), made by build.rs: the
// one list is the registry in `src/lints/mod.rs`.
include!(concat!(env!("OUT_DIR"), "/lints.rs"));

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
    /// The stable name (`cleartext-port`).
    pub fn name(self) -> &'static str {
        DECLARED[self as usize].0
    }

    /// The level it has unless the command line or `fwreq.toml` says otherwise.
    pub fn default_level(self) -> Level {
        DECLARED[self as usize].1
    }

    /// What it catches (shown by `fwreq check --list-lints`).
    pub fn description(self) -> &'static str {
        DECLARED[self as usize].2
    }

    /// A part of a request that triggers it (TOML, shown in docs/lints.md).
    pub fn example(self) -> &'static str {
        DECLARED[self as usize].3
    }

    /// The lint of this name, if there is one (`FromStr` adds the suggestion).
    pub fn named(name: &str) -> Option<Lint> {
        Lint::ALL.iter().copied().find(|l| l.name() == name)
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

/// The candidate closest to a misspelt name, if one is close enough to be
/// what was meant (a few edits, fewer than the candidate's length).
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
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

    /// `ALL` holds the variants in the order they are declared, with no gap,
    /// and the table has a row for each: `DECLARED[lint as usize]` is its own.
    #[test]
    fn all_lists_every_lint_in_order() {
        for (i, lint) in Lint::ALL.iter().enumerate() {
            assert_eq!(*lint as usize, i, "{lint}");
        }
        assert_eq!(Lint::ALL.len(), DECLARED.len());
        assert_eq!(Lint::named("cleartext-port"), Some(Lint::CleartextPort));
        assert_eq!(Lint::named("cleartext-ports"), None);
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
