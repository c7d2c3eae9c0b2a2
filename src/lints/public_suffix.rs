//! The Public Suffix List, embedded (no network at run time), to tell when a
//! wildcard reaches a suffix under which anyone can register or host names.
//!
//! Compiled matchers (the `psl` crate) answer "what is the suffix of this name"
//! but cannot list the entries *under* a domain, which is what "does
//! `*.amazonaws.com` cover a public suffix" needs; so the list itself is vendored
//! in `data/public_suffix_list.dat` (`data/refresh-public-suffix-list.sh`
//! refreshes it) and compiled by `build.rs` into sorted tables, so a lookup is
//! a binary search and nothing is parsed at run time. Entries are held in their
//! ASCII (punycode) form, the form destinations are compared in, so `*.公司.cn`
//! and `*.xn--55qx5d.cn` are the same question.

/// The list as sorted tables, made by `build.rs` from the vendored file:
/// `RULES` (each rule, ASCII, and whether it is in the PRIVATE section) and
/// `REVERSED` (labels right to left, so the rules under a domain are one run).
mod tables {
    include!(concat!(env!("OUT_DIR"), "/psl.rs"));
}

/// The date of the vendored list (`YYYY-MM-DD`, from its `// VERSION:` line).
pub(crate) const LIST_DATE: &str = env!("FWREQ_PSL_DATE");

/// Which part of the list an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    /// Registries run by ICANN: `com`, `co.uk`.
    Icann,
    /// Names submitted by providers whose customers get subdomains: `s3.amazonaws.com`.
    Private,
}

impl Section {
    fn of(private: bool) -> Self {
        if private {
            Section::Private
        } else {
            Section::Icann
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Section::Icann => "a registry suffix: anyone can register a name under it",
            Section::Private => {
                "a provider suffix: any customer of that provider can host content under it"
            }
        }
    }
}

fn section_of(rule: &str) -> Option<Section> {
    tables::RULES
        .binary_search_by(|(r, _)| (*r).cmp(rule))
        .ok()
        .map(|i| Section::of(tables::RULES[i].1))
}

/// Whether `domain` (ASCII) is itself a public suffix, and in which section.
pub(crate) fn suffix(domain: &str) -> Option<Section> {
    if section_of(&format!("!{domain}")).is_some() {
        return None;
    }
    if let Some(section) = section_of(domain) {
        return Some(section);
    }
    let (_, parent) = domain.split_once('.')?;
    section_of(&format!("*.{parent}"))
}

/// The public suffixes strictly under `domain` (ASCII), most general first
/// (fewest labels, then shortest, then alphabetical), e.g. `s3.amazonaws.com`
/// for `amazonaws.com`.
pub(crate) fn covered(domain: &str) -> Vec<(&'static str, Section)> {
    let labels: Vec<&str> = domain.rsplit('.').collect();
    let prefix = format!("{}.", labels.join("."));
    let all = tables::REVERSED;
    let start = all.partition_point(|(key, _, _)| *key < prefix.as_str());
    let mut found: Vec<(&'static str, Section)> = all[start..]
        .iter()
        .take_while(|(key, _, _)| key.starts_with(&prefix))
        .map(|(_, rule, private)| (*rule, Section::of(*private)))
        .collect();
    found.sort_by_cached_key(|(rule, _)| (rule.matches('.').count(), rule.len(), *rule));
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

    /// Provider suffixes where any customer hosts content: the stale 2.3.0
    /// list had no `blob.core.windows.net`.
    #[test]
    fn knows_current_provider_suffixes() {
        for domain in [
            "blob.core.windows.net",
            "azurewebsites.net",
            "web.core.windows.net",
            "github.io",
            "pages.dev",
            "workers.dev",
            "herokuapp.com",
            "appspot.com",
            "cloudfront.net",
        ] {
            assert_eq!(suffix(domain), Some(Section::Private), "{domain}");
        }
        let under = covered("core.windows.net");
        assert!(
            under.iter().any(|(r, _)| *r == "blob.core.windows.net"),
            "{under:?}"
        );
    }

    /// Unicode entries are compared in punycode, like destinations.
    #[test]
    fn internationalised_suffixes_are_found_in_punycode() {
        let ascii = idna::domain_to_ascii("公司.cn").expect("idna");
        assert_eq!(suffix(&ascii), Some(Section::Icann));
        assert_eq!(suffix("com.cn"), Some(Section::Icann));
        assert!(covered("cn").iter().any(|(r, _)| *r == ascii));
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
        // A name that merely ends in the same letters is not under it.
        assert!(
            !covered("zonaws.com")
                .iter()
                .any(|(r, _)| r.contains("amazonaws"))
        );
    }

    /// The form a refresh must keep: licence header, both sections, a date,
    /// and enough rules (a truncated download must not land).
    const LIST: &str = include_str!("../../data/public_suffix_list.dat");

    #[test]
    fn the_vendored_list_has_its_form() {
        assert!(
            LIST.starts_with(
                "// This Source Code Form is subject to the terms of the Mozilla Public"
            )
        );
        for marker in [
            "// ===BEGIN ICANN DOMAINS===",
            "// ===END ICANN DOMAINS===",
            "// ===BEGIN PRIVATE DOMAINS===",
            "// ===END PRIVATE DOMAINS===",
        ] {
            assert!(LIST.lines().any(|l| l == marker), "{marker}");
        }
        assert!(tables::RULES.len() > 8_000, "{}", tables::RULES.len());
        let private = tables::RULES.iter().filter(|(_, p)| *p).count();
        assert!(private > 3_000, "{private}");
        assert!(
            chrono::NaiveDate::parse_from_str(LIST_DATE, "%Y-%m-%d").is_ok(),
            "{LIST_DATE}"
        );
    }
}
