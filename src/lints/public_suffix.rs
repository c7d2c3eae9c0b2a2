//! The Public Suffix List, embedded (no network at run time), to tell when a
//! wildcard reaches a suffix under which anyone can register or host names.
//!
//! Compiled matchers (the `psl` crate) answer "what is the suffix of this name"
//! but cannot list the entries *under* a domain, which is what "does
//! `*.amazonaws.com` cover a public suffix" needs; so the list itself is vendored
//! in `data/public_suffix_list.dat` (see the README to refresh it) and parsed
//! once, on first use.

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

/// The parsed list: each rule as written (`s3.amazonaws.com`, `*.compute.amazonaws.com`,
/// `!city.kawasaki.jp`). A plain list scanned per question: a request asks a few
/// questions, and building a hash map of 9,000 rules costs more than the scans.
fn rules() -> &'static [(&'static str, Section)] {
    static PARSED: OnceLock<Vec<(&'static str, Section)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut section = Section::Icann;
        let mut rules = Vec::with_capacity(10_000);
        for line in LIST.lines() {
            if line.starts_with("//") {
                if line.contains("===BEGIN PRIVATE DOMAINS===") {
                    section = Section::Private;
                }
                continue;
            }
            // A rule is the first word of a line.
            if let Some(rule) = line.split_whitespace().next() {
                rules.push((rule, section));
            }
        }
        rules
    })
}

fn section_of(rule: &str) -> Option<Section> {
    rules().iter().find(|(r, _)| *r == rule).map(|(_, s)| *s)
}

/// Whether `domain` (ASCII) is itself a public suffix, and in which section.
pub fn suffix(domain: &str) -> Option<Section> {
    if section_of(&format!("!{domain}")).is_some() {
        return None;
    }
    if let Some(section) = section_of(domain) {
        return Some(section);
    }
    let (_, parent) = domain.split_once('.')?;
    section_of(&format!("*.{parent}"))
}

/// The public suffixes strictly under `domain`, most general first
/// (fewest labels, then shortest, then alphabetical), e.g. `s3.amazonaws.com` for `amazonaws.com`.
pub fn covered(domain: &str) -> Vec<(&'static str, Section)> {
    let tail = format!(".{domain}");
    let mut found: Vec<(&'static str, Section)> = rules()
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
