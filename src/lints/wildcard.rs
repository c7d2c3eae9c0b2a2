//! Wildcard destinations: written without a dot, over a public suffix,
//! without a probe host, or under an internal DNS zone.

use super::{Context, Found, public_suffix};
use crate::names::Lint;
use crate::request::{Destination, Target};
use chrono::NaiveDate;

declare_lints! {
    /// `*example.com` also matches `evilexample.com`; write `*.example.com`
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = [{ host = "*example.com", probe = "www.example.com" }]
    /// ```
    WildcardWithoutDot = "wildcard-without-dot", Warn, Some(without_dot);

    /// a wildcard that is, or covers, a Public Suffix List entry (`*.com`, `*.amazonaws.com`)
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = [{ host = "*.amazonaws.com", probe = "s3.amazonaws.com" }]
    /// ```
    WildcardPublicSuffix = "wildcard-public-suffix", Warn, Some(over_public_suffix);

    /// a wildcard with no `probe` host: its checks test the apex, which the wildcard does not match
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = ["*.registry.example.com"]
    /// ```
    WildcardWithoutProbe = "wildcard-without-probe", Warn, Some(without_probe);

    /// a wildcard under an internal DNS zone (`*.corp`, `*.internal`, `*.local`)
    ///
    /// ```toml
    /// [[rules]]
    /// sources = ["10.20.0.0/24"]
    /// ports = [443]
    /// destinations = [{ host = "*.plant.corp", probe = "historian.plant.corp" }]
    /// ```
    PrivateDestinationWildcard = "private-destination-wildcard", Warn, Some(private_destination);
}

/// Each wildcard destination of the request, with its domain and whether it
/// is written with a dot (`*.example.com`).
fn wildcards<'a>(cx: &Context<'a>) -> impl Iterator<Item = (&'a Destination, &'a str, bool)> {
    cx.request
        .rules
        .iter()
        .flat_map(|rule| &rule.destinations)
        .filter_map(|dest| match &dest.target {
            Target::Wildcard { domain, dotted } => Some((dest, domain.as_str(), *dotted)),
            _ => None,
        })
}

fn without_dot(cx: &Context, found: &mut Found) {
    for (dest, domain, dotted) in wildcards(cx) {
        if !dotted {
            found.warn(
                Lint::WildcardWithoutDot,
                dest.span.clone(),
                format!(
                    "`{}` also matches names such as `evil{domain}`",
                    dest.written
                ),
                format!("write `*.{domain}`"),
            );
        }
    }
}

fn over_public_suffix(cx: &Context, found: &mut Found) {
    for (dest, domain, _) in wildcards(cx) {
        if let Some(message) = public_suffix_message(&dest.written, domain) {
            found.warn(
                Lint::WildcardPublicSuffix,
                dest.span.clone(),
                message,
                "name the hosts you need (a probe host shows one), or a wildcard under a domain the vendor alone controls".into(),
            );
        }
    }
}

/// What `written` (a wildcard over `domain`) opens of the Public Suffix List, if anything.
fn public_suffix_message(written: &str, domain: &str) -> Option<String> {
    if let Some(section) = public_suffix::suffix(domain) {
        return Some(format!(
            "`{written}` opens every name under the public suffix {} ({})",
            readable_name(domain),
            section.describe()
        ));
    }
    let covered = public_suffix::covered(domain);
    let (first, section) = covered.first()?;
    let more = match covered.len() - 1 {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Some(format!(
        "`{written}` covers the public suffix {}{more} ({})",
        readable_name(first),
        section.describe()
    ))
}

fn without_probe(cx: &Context, found: &mut Found) {
    for (dest, domain, _) in wildcards(cx) {
        if dest.probe.is_none() {
            let written = &dest.written;
            found.warn(
                Lint::WildcardWithoutProbe,
                dest.span.clone(),
                format!("`{written}` has no probe: its checks test the apex `{domain}`, which the wildcard does not match"),
                format!("write {{ host = \"{written}\", probe = \"a-real-host.{domain}\" }}"),
            );
        }
    }
}

fn private_destination(cx: &Context, found: &mut Found) {
    for (dest, domain, _) in wildcards(cx) {
        if let Some(zone) = internal_zone(domain) {
            found.warn(
                Lint::PrivateDestinationWildcard,
                dest.span.clone(),
                format!(
                    "`{}` opens every host in the internal zone `.{zone}`",
                    dest.written
                ),
                "name the internal hosts the application needs".into(),
            );
        }
    }
}

/// Internal DNS zones that a wildcard should never open wholesale.
fn internal_zone(domain: &str) -> Option<&'static str> {
    const ZONES: &[&str] = &[
        "local",
        "internal",
        "lan",
        "corp",
        "home.arpa",
        "localdomain",
        "intranet",
        "private",
    ];
    ZONES
        .iter()
        .find(|z| domain == **z || domain.ends_with(&format!(".{z}")))
        .copied()
}

/// A name as a reader knows it: `com.cn`, or `公司.cn` (xn--55qx5d.cn) for punycode.
fn readable_name(ascii: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(ascii);
    if result.is_ok() && unicode != ascii {
        format!("`{unicode}` ({ascii})")
    } else {
        format!("`{ascii}`")
    }
}

/// Days after which the vendored Public Suffix List is called old.
const PSL_STALE_DAYS: i64 = 180;

/// The Public Suffix List's date and age, as `--list-lints` shows it.
pub(crate) fn psl_age(today: NaiveDate) -> String {
    let Ok(date) = NaiveDate::parse_from_str(public_suffix::LIST_DATE, "%Y-%m-%d") else {
        return "Public Suffix List: date unknown".into();
    };
    let days = (today - date).num_days();
    let mut text = format!(
        "wildcard-public-suffix uses the Public Suffix List of {date} ({days} day{} old)",
        if days == 1 { "" } else { "s" }
    );
    if days > PSL_STALE_DAYS {
        text.push_str(&format!(
            "; over {PSL_STALE_DAYS} days: refresh it with data/refresh-public-suffix-list.sh"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list is called old after 180 days, not on the 180th.
    #[test]
    fn the_public_suffix_list_is_old_after_180_days() {
        let date = NaiveDate::parse_from_str(public_suffix::LIST_DATE, "%Y-%m-%d").unwrap();
        let said = |days| psl_age(date + chrono::Days::new(days));
        assert_eq!(
            said(1),
            format!("wildcard-public-suffix uses the Public Suffix List of {date} (1 day old)")
        );
        assert_eq!(
            said(180),
            format!("wildcard-public-suffix uses the Public Suffix List of {date} (180 days old)")
        );
        assert_eq!(
            said(181),
            format!(
                "wildcard-public-suffix uses the Public Suffix List of {date} (181 days old); over 180 days: refresh it with data/refresh-public-suffix-list.sh"
            )
        );
    }
}
