//! The Public Suffix List, embedded (no network at run time), to tell when a
//! wildcard reaches a suffix under which anyone can register or host names.
//!
//! Compiled matchers (the `psl` crate) answer "what is the suffix of this name"
//! but cannot list the entries *under* a domain, which is what "does
//! `*.amazonaws.com` cover a public suffix" needs; so the list itself is vendored
//! in `data/public_suffix_list.dat` (see the README to refresh it) and parsed
//! once, on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

const LIST: &str = include_str!("../../data/public_suffix_list.dat");

/// Which part of the list an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Registries run by ICANN: `com`, `co.uk`.
    Icann,
    /// Names submitted by providers whose customers get subdomains: `s3.amazonaws.com`.
    Private,
}

impl Section {
    pub fn describe(self) -> &'static str {
        match self {
            Section::Icann => "a registry suffix: anyone can register a name under it",
            Section::Private => {
                "a provider suffix: any customer of that provider can host content under it"
            }
        }
    }
}

/// The parsed list: each rule as written (`s3.amazonaws.com`, `*.compute.amazonaws.com`).
struct List {
    rules: HashMap<&'static str, Section>,
}

fn list() -> &'static List {
    static PARSED: OnceLock<List> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut section = Section::Icann;
        let mut rules = HashMap::new();
        for line in LIST.lines() {
            let line = line.trim();
            if line.contains("===BEGIN PRIVATE DOMAINS===") {
                section = Section::Private;
            }
            if line.is_empty() || line.starts_with("//") {
                continue;
            }
            // Rules are the first word; the list is already lower-case ASCII
            // for ASCII names, and IDN rules never match punycode input anyway.
            if let Some(rule) = line.split_whitespace().next() {
                rules.insert(rule, section);
            }
        }
        List { rules }
    })
}

/// Whether `domain` (ASCII) is itself a public suffix, and in which section.
pub fn suffix(domain: &str) -> Option<Section> {
    let rules = &list().rules;
    if rules.contains_key(format!("!{domain}").as_str()) {
        return None;
    }
    if let Some(section) = rules.get(domain) {
        return Some(*section);
    }
    let (_, parent) = domain.split_once('.')?;
    rules.get(format!("*.{parent}").as_str()).copied()
}

/// The public suffixes strictly under `domain`, most general first
/// (fewest labels, then shortest, then alphabetical), e.g. `s3.amazonaws.com` for `amazonaws.com`.
pub fn covered(domain: &str) -> Vec<(&'static str, Section)> {
    let tail = format!(".{domain}");
    let mut found: Vec<(&'static str, Section)> = list()
        .rules
        .iter()
        .filter(|(rule, _)| !rule.starts_with('!') && rule.ends_with(&tail))
        .map(|(rule, section)| (*rule, *section))
        .collect();
    found.sort_by_key(|(rule, _)| (rule.split('.').count(), rule.len(), *rule));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_registry_and_provider_suffixes() {
        assert_eq!(suffix("com"), Some(Section::Icann));
        assert_eq!(suffix("co.uk"), Some(Section::Icann));
        assert_eq!(suffix("github.io"), Some(Section::Private));
        assert_eq!(suffix("s3.amazonaws.com"), Some(Section::Private));
        // Under the wildcard rule `*.compute.amazonaws.com`.
        assert_eq!(
            suffix("eu-west-1.compute.amazonaws.com"),
            Some(Section::Private)
        );
        assert_eq!(suffix("amazonaws.com"), None);
        assert_eq!(suffix("pkg.dev"), None);
        assert_eq!(suffix("example.com"), None);
    }

    #[test]
    fn lists_the_suffixes_under_a_domain() {
        let under = covered("amazonaws.com");
        assert!(
            under.iter().any(|(r, _)| *r == "s3.amazonaws.com"),
            "{under:?}"
        );
        assert!(under.iter().all(|(_, s)| *s == Section::Private));
        assert!(covered("example.com").is_empty());
        assert!(covered("pkg.dev").is_empty());
    }
}
