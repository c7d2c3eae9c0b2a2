//! Risk lints: what a firewall reviewer would send back, found before submission.
//!
//! Lints run on a valid `Request` and only ever warn; each has a stable name
//! that a request (`allow = [...]`) or the command line (`--allow NAME`) can
//! silence. Every warning points at the value it is about and says how to fix it.
//!
//! One file per lint or small family declares its lints (`declare_lints!`)
//! next to the finders that emit them: each lint's doc comment is its
//! description (first line) and its example (a `toml` block), the line under
//! it its name, default level and finder, as clippy's `declare_clippy_lint!`
//! and ruff's rules document themselves. `registry!` below is the one list of
//! them. `names::Lint`, `--list-lints`, the schema's lint names, completions
//! and docs/lints.md all come from it.
//! Adding a lint: its file (or a family's), and one line in `registry!`.

/// A file's lint declarations, next to their finders. build.rs reads the same
/// block to make `names::Lint` (so keep its shape: a doc comment whose first
/// line is the description and whose ```` ```toml ```` block is the example,
/// then `Lint = "name", Level, finder;`, the finder `None` for a lint another
/// stage measures).
macro_rules! declare_lints {
    ($(
        $(#[doc = $doc:literal])*
        $lint:ident = $name:literal, $level:ident, $find:expr;
    )*) => {$(
        $(#[doc = $doc])*
        // The text is the lint's: `[zones]` names a table of the team file.
        #[allow(non_upper_case_globals, rustdoc::broken_intra_doc_links)]
        pub(super) const $lint: super::Declared = super::Declared {
            lint: crate::names::Lint::$lint,
            find: $find,
            #[cfg(test)]
            said: ($name, crate::names::Level::$level, concat!($($doc, "\n"),*)),
        };
    )*};
}

/// The one list of lints, in `--list-lints` order: `file::Lint`, one a line.
/// build.rs makes `names::Lint` from it.
macro_rules! registry {
    ($($module:ident::$lint:ident,)*) => {
        /// Every lint's finder, in the registry's order.
        const REGISTRY: &[Declared] = &[$($module::$lint,)*];
    };
}

mod addresses;
mod any;
mod body;
mod duplicates;
mod expiry;
mod expressible;
mod hidden;
mod missing_source;
mod overlap;
mod ports;
mod public_suffix;
mod raw_html;
mod title;
mod wildcard;
mod zone_policy;

#[rustfmt::skip]
registry! {
    wildcard::WildcardWithoutDot,
    wildcard::WildcardPublicSuffix,
    wildcard::WildcardWithoutProbe,
    wildcard::PrivateDestinationWildcard,
    addresses::BroadPrivateRange,
    addresses::ReservedDestination,
    ports::CleartextPort,
    ports::WidePortRange,
    any::AnyDestination,
    any::AnySource,
    missing_source::MissingSource,
    duplicates::DuplicateDestination,
    overlap::AllowDenyOverlap,
    overlap::AllowCoveredByDenies,
    expiry::Expired,
    expiry::ExpiresSoon,
    expiry::MissingExpiryForTemporary,
    title::LongTitle,
    raw_html::RawHtml,
    body::BodyTooLong,
    zone_policy::ZoneForbidden,
    zone_policy::ZoneReview,
    zone_policy::UnknownZone,
    expressible::NotExpressible,
    hidden::HiddenCharacters,
}

pub(crate) use body::{BODY_LIMIT, body_length, default_body_bound};
pub(crate) use wildcard::psl_age;

use crate::diagnostic::{Diagnostic, Severity, Source};
use crate::names::{Level, Lint};
use crate::policy::Flow;
use crate::request::{Destination, Request, Span};
use crate::zones::Zones;
use chrono::NaiveDate;

/// A lint as its file declares it: which lint, and the finder that emits it.
pub(super) struct Declared {
    lint: Lint,
    find: Option<Finder>,
    /// Name, level and doc comment (one line each) as rustc read them, to
    /// hold build.rs's reading of the same block to it.
    #[cfg(test)]
    said: (&'static str, Level, &'static str),
}

/// Emits one lint's findings for a request into `found`.
type Finder = fn(&Context, &mut Found);

/// What the lints need besides the request.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The date expiry is judged against (today, unless `--today` is given).
    pub today: NaiveDate,
    /// The widest port range allowed without a warning.
    pub max_port_range: u32,
    /// `--allow` and `--deny`.
    pub command_line: Levels,
    /// `allow` and `deny` of the team file.
    pub team: Levels,
    /// The team's zones and policy (empty: flows are not judged).
    pub zones: std::sync::Arc<Zones>,
    /// The team's firewall platforms (`not-expressible`).
    pub targets: Vec<crate::implement::Platform>,
}

/// Lints one layer of settings allows, turns on as warnings, or denies.
#[derive(Debug, Clone, Default)]
pub struct Levels {
    pub allow: Vec<Lint>,
    pub warn: Vec<Lint>,
    pub deny: Vec<Lint>,
}

impl Levels {
    fn of(&self, lint: Lint) -> Option<Level> {
        if self.deny.contains(&lint) {
            Some(Level::Deny)
        } else if self.warn.contains(&lint) {
            Some(Level::Warn)
        } else if self.allow.contains(&lint) {
            Some(Level::Allow)
        } else {
            None
        }
    }
}

/// The level of `lint` for this request: the command line's word, else the
/// request's own `allow` (never for `missing-source` under a team's zones),
/// else the team file's, else the lint's default.
pub(crate) fn level(request: &Request, settings: &Settings, lint: Lint) -> Level {
    // A rule from any source is judged from every zone: where the team has
    // zones, only the team (or the command line) may silence that warning.
    let own = lint != Lint::MissingSource || settings.zones.is_empty();
    settings
        .command_line
        .of(lint)
        .or_else(|| (own && request.allow.contains(&lint)).then_some(Level::Allow))
        .or_else(|| settings.team.of(lint))
        .unwrap_or_else(|| lint.default_level())
}

/// Runs every lint that is not allowed; warnings come in file order.
pub fn check(source: &Source, request: &Request, settings: &Settings) -> Vec<Diagnostic> {
    check_with(REGISTRY, source, request, settings)
}

/// `check` over `registry`: an allowed lint's finder is not run at all.
fn check_with(
    registry: &[Declared],
    source: &Source,
    request: &Request,
    settings: &Settings,
) -> Vec<Diagnostic> {
    // `policy::flows` gives one flow per rule and destination, in this order.
    let flows = crate::policy::flows(request);
    let cx = Context {
        source,
        request,
        settings,
        flows: flows
            .iter()
            .zip(request.rules.iter().flat_map(|r| &r.destinations))
            .collect(),
    };
    let mut found = Found(Vec::new());
    for declared in registry {
        if let Some(find) = declared.find
            && level(request, settings, declared.lint) != Level::Allow
        {
            find(&cx, &mut found);
        }
    }
    let mut out = found.0;
    at_levels(request, settings, &mut out);
    out.sort_by_key(|d| (d.span.start, d.code.map(Lint::name)));
    out
}

/// Drops the findings of allowed lints and makes those of denied lints errors.
pub(crate) fn at_levels(request: &Request, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    diags.retain_mut(
        |d| match d.code.map(|code| level(request, settings, code)) {
            Some(Level::Allow) => false,
            Some(Level::Deny) => {
                d.severity = Severity::Error;
                true
            }
            Some(Level::Warn) | None => true,
        },
    );
}

/// What every finder reads: the request, its file, the settings, and its
/// flows paired with the destination each comes from.
struct Context<'a> {
    source: &'a Source,
    request: &'a Request,
    settings: &'a Settings,
    flows: Vec<(&'a Flow, &'a Destination)>,
}

impl Context<'_> {
    /// The line a span starts on, for messages that name another value's line.
    fn line(&self, span: &Span) -> usize {
        self.source.position(span.start).line
    }
}

/// The findings of the lints run so far, as warnings (`at_levels` sets the level).
struct Found(Vec<Diagnostic>);

impl Found {
    fn warn(&mut self, code: Lint, span: Span, message: String, help: String) {
        self.0.push(Diagnostic {
            severity: Severity::Warning,
            code: Some(code),
            message,
            span,
            help: Some(help),
        });
    }
}

/// What the lints' unit tests share.
#[cfg(test)]
mod test_support {
    use super::{Levels, Settings};

    /// A default team's settings on 2026-11-27.
    pub(super) fn settings() -> Settings {
        crate::team::Team::default().settings(
            super::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            Levels::default(),
            None,
        )
    }

    /// A network written as in a request.
    pub(super) fn network(text: &str) -> crate::request::Network {
        crate::validate::host::address_or_network(text).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_support::settings;

    /// The registry and `names::Lint` (build.rs's reading of the same
    /// blocks) agree: the same lints in the same order, each with the name,
    /// level, and the description and example of the doc comment rustc
    /// reads in its file.
    #[test]
    fn the_registry_is_names_lint() {
        let lints: Vec<Lint> = REGISTRY.iter().map(|d| d.lint).collect();
        assert_eq!(lints, Lint::ALL);
        for d in REGISTRY {
            let (name, level, doc) = d.said;
            assert_eq!(d.lint.name(), name);
            assert_eq!(d.lint.default_level(), level, "{name}");
            let example: String = d
                .lint
                .example()
                .lines()
                .map(|l| format!(" {l}\n"))
                .collect();
            let written = format!(
                " {}\n\n ```toml\n{}```\n",
                d.lint.description(),
                example.replace(" \n", "\n") + " "
            );
            assert_eq!(doc, written, "{name}");
            assert!(!d.lint.example().trim().is_empty(), "{name} has no example");
        }
    }

    fn long_title() -> (Source, Request) {
        let text = format!(
            "title = \"{}\"\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\"]\njustification = \"j\"\n\n[[rules]]\nsources = [\"10.1.2.0/24\"]\nports = [443]\ndestinations = [\"192.0.2.7\"]\n",
            "t".repeat(200)
        );
        let source = Source::new("t.toml", text);
        let request = crate::validate::load(&source).expect("valid");
        (source, request)
    }

    fn never(_: &Context, _: &mut Found) {
        panic!("the finder of an allowed lint ran");
    }

    /// An allowed lint's finder is not run: a finder that panics, under a
    /// lint the command line allows, is never called (the old `check` ran
    /// every finder and dropped allowed findings afterwards). Under a lint
    /// that is not allowed, the same finder runs.
    #[test]
    fn an_allowed_lint_is_not_run() {
        let (source, request) = long_title();
        let registry = [Declared {
            lint: Lint::LongTitle,
            find: Some(never),
            said: ("", Level::Warn, ""),
        }];
        let mut allowed = settings();
        allowed.command_line.allow.push(Lint::LongTitle);
        assert!(check_with(&registry, &source, &request, &allowed).is_empty());
        let mut in_request = request.clone();
        in_request.allow.push(Lint::LongTitle);
        assert!(check_with(&registry, &source, &in_request, &settings()).is_empty());
        let ran =
            std::panic::catch_unwind(|| check_with(&registry, &source, &request, &settings()));
        assert!(ran.is_err(), "a lint that is not allowed runs");
    }

    /// The real registry: long-title found, then silent once allowed.
    #[test]
    fn allowing_a_lint_silences_it() {
        let (source, request) = long_title();
        let found = check(&source, &request, &settings());
        let codes: Vec<Option<Lint>> = found.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Some(Lint::LongTitle)]);
        let mut allowed = settings();
        allowed.command_line.allow.push(Lint::LongTitle);
        assert!(check(&source, &request, &allowed).is_empty());
    }
}
