//! Risk lints: what a firewall reviewer would send back, found before submission.
//!
//! Lints run on a valid `Request` and only ever warn; each has a stable name
//! that a request (`allow = [...]`) or the command line (`--allow NAME`) can
//! silence. Every warning points at the value it is about and says how to fix it.

mod body;
mod duplicates;
mod public_suffix;

pub use body::default_body_bound;
pub use public_suffix::LIST_DATE as PUBLIC_SUFFIX_LIST_DATE;

use crate::diagnostic::{Diagnostic, Severity, Source};
use crate::implement::Platform;
use crate::names::{Level, Lint};
use crate::policy::{Flow, service};
use crate::request::{Destination, Network, PortRange, Request, Rule, Span, Target};
use crate::spec::{Action, Protocol, Status};
use crate::text::days_away;
use crate::validate::host::address_or_network;
use crate::zones::{Verdict, Zones};
use chrono::NaiveDate;

/// The default size of a ServiceNow multi-line text field (`description`).
pub const BODY_LIMIT: usize = 4000;

/// `body-too-long`: the rendered Markdown body against the field's limit, at
/// its level. Run after rendering, only when the lint is not allowed.
pub fn body_length(request: &Request, body: &str, settings: &Settings) -> Vec<Diagnostic> {
    let code = Lint::BodyTooLong;
    let len = body.chars().count();
    let found = (len > BODY_LIMIT).then(|| Diagnostic {
        severity: Severity::Warning,
        code: Some(code),
        message: format!(
            "the rendered body is {len} characters; ServiceNow's description field holds {BODY_LIMIT} by default"
        ),
        span: request.spans.title.clone(),
        help: Some(if request.rules.len() > 1 {
            format!(
                "split the request by rule ({} rules, one request each), or paste the body into Work notes (render --format servicenow)",
                request.rules.len()
            )
        } else {
            "split the rule's destinations over several requests, or paste the body into Work notes (render --format servicenow)".into()
        }),
    });
    let mut found: Vec<Diagnostic> = found.into_iter().collect();
    at_levels(request, settings, &mut found);
    found
}

/// Days after which the vendored Public Suffix List is called old.
const PSL_STALE_DAYS: i64 = 180;

/// The Public Suffix List's date and age, as `--list-lints` shows it.
pub fn psl_age(today: NaiveDate) -> String {
    let Ok(date) = NaiveDate::parse_from_str(PUBLIC_SUFFIX_LIST_DATE, "%Y-%m-%d") else {
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
pub fn level(request: &Request, settings: &Settings, lint: Lint) -> Level {
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

/// Days before `expires` when `expires-soon` starts to warn.
const EXPIRY_WARNING_DAYS: i64 = 14;
/// ServiceNow's usual short-description limit.
const TITLE_LIMIT: usize = 160;

/// Runs every lint that is not allowed; warnings come in file order.
pub fn check(source: &Source, request: &Request, settings: &Settings) -> Vec<Diagnostic> {
    let mut lints = Lints {
        source,
        out: Vec::new(),
    };
    lints.title(request);
    lints.expiry(request, settings.today);
    for rule in &request.rules {
        lints.rule(rule, settings.max_port_range);
    }
    lints.duplicates(request);
    // `policy::flows` gives one flow per rule and destination, in this order.
    let flows = crate::policy::flows(request);
    let paired: Vec<(&Flow, &Destination)> = flows
        .iter()
        .zip(request.rules.iter().flat_map(|r| &r.destinations))
        .collect();
    lints.allow_deny_overlap(&paired);
    lints.zones(request, &paired, &settings.zones);
    lints.expressible(&paired, &settings.targets);
    lints.raw_html(request);
    lints.hidden_characters();
    let mut out = lints.out;
    at_levels(request, settings, &mut out);
    out.sort_by_key(|d| (d.span.start, d.code.map(Lint::name)));
    out
}

/// Drops the findings of allowed lints and makes those of denied lints errors.
pub fn at_levels(request: &Request, settings: &Settings, diags: &mut Vec<Diagnostic>) {
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

struct Lints<'a> {
    source: &'a Source,
    out: Vec<Diagnostic>,
}

impl Lints<'_> {
    fn warn(&mut self, code: Lint, span: Span, message: String, help: String) {
        self.out.push(Diagnostic {
            severity: Severity::Warning,
            code: Some(code),
            message,
            span,
            help: Some(help),
        });
    }

    fn line(&self, span: &Span) -> usize {
        self.source.position(span.start).line
    }

    /// Raw HTML in a text: pulldown-cmark sees it as HTML, every format shows it as text.
    fn raw_html(&mut self, request: &Request) {
        use pulldown_cmark::{Event, Parser};
        for (key, span, text) in &request.spans.markdown {
            let html = Parser::new(text).find_map(|e| match e {
                Event::Html(h) | Event::InlineHtml(h) => Some(h.trim().to_string()),
                _ => None,
            });
            if let Some(html) = html {
                // The first tag is enough to recognise it.
                let first = html.find('>').map_or(html.as_str(), |end| &html[..=end]);
                let shown: String = first.chars().take(60).collect();
                self.warn(
                    Lint::RawHtml,
                    span.clone(),
                    format!("`{key}` holds raw HTML (`{shown}`): the ticket shows it as text, not as markup"),
                    "write Markdown instead (**bold**, [text](https://...)), or write \\< for a literal <".into(),
                );
            }
        }
    }

    /// Bidi controls and zero-width characters anywhere in the file (every
    /// text value and comment): they make a line read otherwise than it is.
    /// A byte order mark at the very start is not text.
    fn hidden_characters(&mut self) {
        use crate::diagnostic::{is_bidi_control, is_zero_width};
        let text = self.source.text.as_str();
        let found: Vec<(usize, char)> = text
            .char_indices()
            .filter(|&(i, c)| {
                is_bidi_control(c) || (is_zero_width(c) && !(i == 0 && c == '\u{feff}'))
            })
            .collect();
        for (at, c) in found {
            let (what, help) = if is_bidi_control(c) {
                (
                    "reorders how the line is shown",
                    "delete it; right-to-left text needs no control characters",
                )
            } else {
                (
                    "is invisible: the text holds more than a reviewer sees",
                    "delete it (retype the text if it was pasted)",
                )
            };
            self.warn(
                Lint::HiddenCharacters,
                at..at + c.len_utf8(),
                format!("U+{:04X} ({}) {what}", u32::from(c), char_name(c)),
                help.into(),
            );
        }
    }

    fn title(&mut self, request: &Request) {
        let len = request.title.chars().count();
        if len > TITLE_LIMIT {
            self.warn(
                Lint::LongTitle,
                request.spans.title.clone(),
                format!("the title is {len} characters; ServiceNow short descriptions are often cut at {TITLE_LIMIT}"),
                "shorten the title; details belong in `request`".into(),
            );
        }
    }

    fn expiry(&mut self, request: &Request, today: NaiveDate) {
        if matches!(request.status, Status::Rejected | Status::Withdrawn) {
            return;
        }
        let Some(expires) = request.expires else {
            self.temporary_without_expiry(request);
            return;
        };
        let days = (expires - today).num_days();
        let span = request.spans.expires.clone();
        if days < 0 {
            self.warn(
                Lint::Expired,
                span,
                format!("the request expired on {expires} ({})", days_away(days)),
                "remove the rules from the firewall, or set a new `expires` date".into(),
            );
        } else if days <= EXPIRY_WARNING_DAYS {
            self.warn(
                Lint::ExpiresSoon,
                span,
                format!("the request expires on {expires}, {}", days_away(days)),
                "plan the removal, or extend `expires` with a new approval".into(),
            );
        }
    }

    fn temporary_without_expiry(&mut self, request: &Request) {
        const WORDS: &[&str] = &[
            "temporary",
            "temporarily",
            "trial",
            "pilot",
            "until",
            "proof of concept",
        ];
        for span in &request.spans.prose {
            let text = self
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
                self.warn(
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

    fn rule(&mut self, rule: &Rule, max_port_range: u32) {
        if rule.sources.is_empty() {
            self.warn(
                Lint::MissingSource,
                rule.span.start..rule.span.start,
                "this rule has no `sources`: it would open the path from any host".into(),
                "add sources = [\"10.188.50.0/24\"] (the hosts that open the connections)".into(),
            );
        }
        for source in &rule.sources {
            if let Some(why) = too_wide(&source.value) {
                self.warn(
                    Lint::AnySource,
                    source.span.clone(),
                    format!("source `{}` {why}", source.value),
                    "name the hosts or subnet that open the connections".into(),
                );
            }
        }
        for dest in &rule.destinations {
            self.destination(dest);
        }
        for port in &rule.ports {
            let width = u32::from(port.high) - u32::from(port.low) + 1;
            if width > max_port_range {
                self.warn(
                    Lint::WidePortRange,
                    port.span.clone(),
                    format!(
                        "port range {port} opens {width} ports (more than {max_port_range} port{})",
                        if max_port_range == 1 { "" } else { "s" }
                    ),
                    "list the ports the application uses, or raise --max-port-range".into(),
                );
            }
            let found = match rule.action {
                Action::Allow => cleartext(rule.protocol, port),
                Action::Deny => Vec::new(),
            };
            let message = match found.as_slice() {
                [] => None,
                [(_, why)] if port.low == port.high => {
                    Some(format!("{} port {port}: {why}", rule.protocol.as_str()))
                }
                found if found.len() > 2 => {
                    let ports: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
                    Some(format!(
                        "{} ports {port} include the cleartext ports {}",
                        rule.protocol.as_str(),
                        ports.join(", ")
                    ))
                }
                found => {
                    let each: Vec<String> = found
                        .iter()
                        .map(|(p, why)| format!("{p} ({why})"))
                        .collect();
                    Some(format!(
                        "{} ports {port} include {}",
                        rule.protocol.as_str(),
                        each.join(" and ")
                    ))
                }
            };
            if let Some(message) = message {
                self.warn(
                    Lint::CleartextPort,
                    port.span.clone(),
                    message,
                    "use the encrypted service, or allow this lint in the request with the reason"
                        .into(),
                );
            }
        }
    }

    fn destination(&mut self, dest: &Destination) {
        let written = &dest.written;
        let reserved = dest.target.network().and_then(|n| within(&n, RESERVED));
        if let Some((_, what)) = reserved {
            self.warn(
                Lint::ReservedDestination,
                dest.span.clone(),
                format!("destination `{written}` is {what}: it never crosses a corporate firewall"),
                "name the real address of the service".into(),
            );
        }
        match &dest.target {
            Target::Wildcard { domain, dotted } => {
                if !dotted {
                    self.warn(
                        Lint::WildcardWithoutDot,
                        dest.span.clone(),
                        format!("`{written}` also matches names such as `evil{domain}`"),
                        format!("write `*.{domain}`"),
                    );
                }
                self.public_suffix(dest, domain);
                if let Some(zone) = internal_zone(domain) {
                    self.warn(
                        Lint::PrivateDestinationWildcard,
                        dest.span.clone(),
                        format!("`{written}` opens every host in the internal zone `.{zone}`"),
                        "name the internal hosts the application needs".into(),
                    );
                }
                if dest.probe.is_none() {
                    self.warn(
                        Lint::WildcardWithoutProbe,
                        dest.span.clone(),
                        format!("`{written}` has no probe: its checks test the apex `{domain}`, which the wildcard does not match"),
                        format!("write {{ host = \"{written}\", probe = \"a-real-host.{domain}\" }}"),
                    );
                }
            }
            Target::Range { network } => {
                if let Some(why) = too_wide(network) {
                    self.warn(
                        Lint::AnyDestination,
                        dest.span.clone(),
                        format!("destination `{network}` {why}"),
                        "name the hosts or the smallest range the application needs".into(),
                    );
                } else if let Some((block, _)) =
                    within(network, PRIVATE).filter(|(_, widest)| network.prefix <= **widest)
                {
                    self.warn(
                        Lint::BroadPrivateRange,
                        dest.span.clone(),
                        format!("destination `{network}` spans a whole private network ({block}, /16 or wider)"),
                        "name the internal hosts or the subnet the application needs".into(),
                    );
                }
            }
            Target::Address { .. } | Target::Host { .. } => {}
        }
    }

    fn public_suffix(&mut self, dest: &Destination, domain: &str) {
        let written = &dest.written;
        let help = "name the hosts you need (a probe host shows one), or a wildcard under a domain the vendor alone controls";
        if let Some(section) = public_suffix::suffix(domain) {
            self.warn(
                Lint::WildcardPublicSuffix,
                dest.span.clone(),
                format!(
                    "`{written}` opens every name under the public suffix {} ({})",
                    shown(domain),
                    section.describe()
                ),
                help.into(),
            );
            return;
        }
        let covered = public_suffix::covered(domain);
        if let Some((first, section)) = covered.first() {
            let more = match covered.len() - 1 {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            self.warn(
                Lint::WildcardPublicSuffix,
                dest.span.clone(),
                format!(
                    "`{written}` covers the public suffix {}{more} ({})",
                    shown(first),
                    section.describe()
                ),
                help.into(),
            );
        }
    }

    /// Traffic one rule allows and another denies: the same destination, a
    /// deny inside an allowed range or wildcard, or an allow inside a denied
    /// one, for a shared protocol, port and source. The deny wins
    /// (`policy::meaning`), and `implement` writes deny rules first; the
    /// reviewer learns that the firewall must keep that order, or that an
    /// allow never takes effect.
    fn allow_deny_overlap(&mut self, flows: &[(&Flow, &Destination)]) {
        let overlap = |allow: &Flow, deny: &Flow| {
            allow.protocol == deny.protocol
                && sources_overlap(&allow.sources, &deny.sources)
                && (allow.protocol == Protocol::Icmp
                    || !allow.ports.intersection(&deny.ports).is_empty())
                && (allow.target.covers(&deny.target) || deny.target.covers(&allow.target))
        };
        let mut found = Vec::new();
        // Each deny inside (or equal to) an allow, at the deny; each allow
        // inside a wider deny, at the allow: every rule that overlaps is
        // named. Allows times denies, and most requests have no deny.
        let (denies, allows): (Vec<_>, Vec<_>) =
            flows.iter().partition(|(f, _)| f.action == Action::Deny);
        if denies.is_empty() {
            return;
        }
        for &&(deny, dest) in &denies {
            let allow = allows
                .iter()
                .find(|(f, _)| overlap(f, deny) && f.target.covers(&deny.target));
            if let Some(&&(allow, allowed_dest)) = allow {
                found.push((deny, dest, allow, allowed_dest));
            }
        }
        for &&(allow, allowed_dest) in &allows {
            // A deny at or around it, unless that pair is named already.
            let named = |deny: &Flow| {
                found
                    .iter()
                    .any(|(d, _, a, _)| std::ptr::eq(*d, deny) && std::ptr::eq(*a, allow))
            };
            let deny = denies
                .iter()
                .find(|(f, _)| overlap(allow, f) && f.target.covers(&allow.target) && !named(f));
            if let Some(&&(deny, dest)) = deny {
                found.push((deny, dest, allow, allowed_dest));
            }
        }
        for (deny, dest, allow, allowed_dest) in found {
            let what = service(deny.protocol, &allow.ports.intersection(&deny.ports));
            let (allowed_line, denied_line) =
                (self.line(&allowed_dest.span), self.line(&dest.span));
            let (span, message) = if allow.target == deny.target {
                (
                    dest.span.clone(),
                    format!(
                        "`{}` {what} is allowed by rule {} (line {allowed_line}) and denied by rule {} (line {denied_line}): the deny wins, so the firewall must keep the deny rule first",
                        dest.written, allow.rule, deny.rule,
                    ),
                )
            } else if allow.target.covers(&deny.target) {
                (
                    dest.span.clone(),
                    format!(
                        "`{}` {what} is denied by rule {} (line {denied_line}) inside `{}`, which rule {} allows (line {allowed_line}): the deny wins, so the firewall must keep the deny rule first",
                        dest.written, deny.rule, allowed_dest.written, allow.rule,
                    ),
                )
            } else {
                // All of the allow's sources and ports, or only some.
                let all = (deny.sources.is_empty()
                    || allow
                        .sources
                        .iter()
                        .all(|a| deny.sources.iter().any(|d| d.contains_network(a)))
                        && !allow.sources.is_empty())
                    && (deny.protocol == Protocol::Icmp || deny.ports.contains_all(&allow.ports));
                let effect = if all {
                    "this allow never takes effect"
                } else {
                    "this allow takes effect only outside it"
                };
                (
                    allowed_dest.span.clone(),
                    format!(
                        "`{}` {what} is allowed by rule {} (line {allowed_line}) inside `{}`, which rule {} denies (line {denied_line}): the deny wins, so {effect}",
                        allowed_dest.written, allow.rule, dest.written, deny.rule,
                    ),
                )
            };
            self.warn(
                Lint::AllowDenyOverlap,
                span,
                message,
                "fwreq implement writes deny rules first; narrow the rules so they do not overlap, or keep that order on the firewall".into(),
            );
        }
    }

    /// Destinations one of the team's platforms cannot hold: what `fwreq
    /// implement` would leave out for it.
    fn expressible(&mut self, flows: &[(&Flow, &Destination)], targets: &[Platform]) {
        for &platform in targets {
            let name = platform.name();
            for (_, dest) in flows
                .iter()
                .filter(|(flow, _)| !platform.holds(&flow.target, flow.action))
            {
                self.warn(
                    Lint::NotExpressible,
                    dest.span.clone(),
                    format!(
                        "`{}` cannot be held by {name}, one of the team's targets: `fwreq implement --target {name}` leaves it out",
                        dest.written
                    ),
                    "use addresses or ranges for this platform, or say in the ticket how the team fills a set from DNS".into(),
                );
            }
        }
    }

    /// Each flow against the team's zone policy, and sources in no zone.
    fn zones(&mut self, request: &Request, flows: &[(&Flow, &Destination)], zones: &Zones) {
        if zones.is_empty() {
            return;
        }
        for rule in &request.rules {
            for source in &rule.sources {
                if zones.of_network(&source.value).is_none() {
                    self.warn(
                        Lint::UnknownZone,
                        source.span.clone(),
                        format!(
                            "source `{}` is in none of the team's zones: judged as `{}`",
                            source.value,
                            crate::zones::INTERNET
                        ),
                        "add its network to a zone in fwreq.toml, or correct the source".into(),
                    );
                }
            }
        }
        // A deny rule closes a path: blocking a forbidden flow is what the
        // policy wants, and closing one needs no review.
        for &(flow, dest) in flows.iter().filter(|(f, _)| f.action == Action::Allow) {
            let what = service(flow.protocol, &flow.ports);
            for judged in zones.judge(flow) {
                let by = judged.by.as_deref();
                let (lint, message, help) = match judged.verdict {
                    Verdict::Allowed => continue,
                    Verdict::Forbidden => (
                        Lint::ZoneForbidden,
                        format!(
                            "`{}` {what} goes {} -> {}, which {} forbids",
                            dest.written,
                            judged.from,
                            judged.to,
                            by.unwrap_or("the zone policy")
                        ),
                        "this flow needs another way (a proxy, a DMZ host), or an exception approved and allowed here with the reason",
                    ),
                    Verdict::Review => (
                        Lint::ZoneReview,
                        format!(
                            "`{}` {what} goes {} -> {}, which needs a security review ({})",
                            dest.written,
                            judged.from,
                            judged.to,
                            by.unwrap_or("no [[zone_policy]] entry pre-approves it")
                        ),
                        "attach the review to the ticket, or ask for a [[zone_policy]] entry",
                    ),
                };
                self.warn(lint, dest.span.clone(), message, help.into());
            }
        }
    }

    /// The same flow twice, or one inside a wildcard or range of the same request.
    fn duplicates(&mut self, request: &Request) {
        for rule in &request.rules {
            for (later, earlier) in duplicates::ports(rule) {
                let message = if duplicates::contains_ports(earlier, later) {
                    let what = if later.low == later.high {
                        "port"
                    } else {
                        "port range"
                    };
                    let same = (later.low, later.high) == (earlier.low, earlier.high);
                    let how = if same { "as" } else { "inside" };
                    format!("{what} {later} is already in this rule ({how} {earlier})")
                } else if duplicates::contains_ports(later, earlier) {
                    format!("port range {later} also holds {earlier}, listed before it")
                } else {
                    format!("port range {later} overlaps {earlier} in this rule")
                };
                self.warn(
                    Lint::DuplicateDestination,
                    later.span.clone(),
                    message,
                    "list each port once".into(),
                );
            }
        }
        for dup in duplicates::destinations(request) {
            let line = self.line(&dup.by.span);
            let verb = if dup.by_is_earlier {
                "is already covered by"
            } else {
                "is also covered by"
            };
            self.warn(
                Lint::DuplicateDestination,
                dup.redundant.span.clone(),
                format!(
                    "`{}` {verb} `{}` (line {line}) for the same sources and {} ports",
                    dup.redundant.written,
                    dup.by.written,
                    dup.protocol.as_str()
                ),
                "remove one of them, or say in a comment why both are listed".into(),
            );
        }
    }
}

/// The Unicode name of a bidi control or zero-width character, in lower case.
fn char_name(c: char) -> &'static str {
    match c {
        '\u{202a}' => "left-to-right embedding",
        '\u{202b}' => "right-to-left embedding",
        '\u{202c}' => "pop directional formatting",
        '\u{202d}' => "left-to-right override",
        '\u{202e}' => "right-to-left override",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{200e}' => "left-to-right mark",
        '\u{200f}' => "right-to-left mark",
        '\u{061c}' => "arabic letter mark",
        '\u{200b}' => "zero width space",
        '\u{200c}' => "zero width non-joiner",
        '\u{200d}' => "zero width joiner",
        '\u{2060}' => "word joiner",
        '\u{2061}'..='\u{2064}' => "invisible operator",
        '\u{feff}' => "zero width no-break space",
        '\u{00ad}' => "soft hyphen",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' => "hangul filler",
        '\u{e0000}'..='\u{e007f}' => "tag character",
        _ => "invisible character",
    }
}

/// Whether some traffic comes from both source lists (empty: any source).
fn sources_overlap(a: &[Network], b: &[Network]) -> bool {
    a.is_empty()
        || b.is_empty()
        || a.iter().any(|x| {
            b.iter()
                .any(|y| x.contains_network(y) || y.contains_network(x))
        })
}

/// A name as a reader knows it: `com.cn`, or `公司.cn` (xn--55qx5d.cn) for punycode.
fn shown(ascii: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(ascii);
    if result.is_ok() && unicode != ascii {
        format!("`{unicode}` ({ascii})")
    } else {
        format!("`{ascii}`")
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

/// Why a network is "anything", if it is: /0, or shorter than /8 (v4) or /32 (v6).
fn too_wide(network: &Network) -> Option<String> {
    let limit = if network.addr.is_ipv4() { 8 } else { 32 };
    if network.prefix == 0 {
        Some("is every address on the internet".into())
    } else if network.prefix < limit {
        Some(format!("is wider than /{limit}: almost any address"))
    } else {
        None
    }
}

/// Private blocks, each with the widest prefix a destination in it may have
/// before it counts as the whole private network.
const PRIVATE: &[(&str, u8)] = &[
    ("10.0.0.0/8", 16),
    ("172.16.0.0/12", 16),
    ("192.168.0.0/16", 16),
    ("100.64.0.0/10", 16),
    ("fc00::/7", 48),
];

/// Special-purpose blocks (loopback, link-local, multicast, ...): a destination
/// in one is a copy-paste mistake.
const RESERVED: &[(&str, &str)] = &[
    ("0.0.0.0/8", "in \"this network\" (0.0.0.0/8)"),
    ("127.0.0.0/8", "a loopback address (127.0.0.0/8)"),
    (
        "169.254.0.0/16",
        "link-local (169.254.0.0/16, where cloud metadata services answer)",
    ),
    ("224.0.0.0/4", "multicast (224.0.0.0/4)"),
    ("240.0.0.0/4", "reserved (240.0.0.0/4)"),
    ("::", "the unspecified address (::)"),
    ("::1", "the loopback address (::1)"),
    ("fe80::/10", "link-local (fe80::/10)"),
    ("ff00::/8", "multicast (ff00::/8)"),
];

/// The first of `blocks` (written as CIDR) that holds all of `network`.
fn within<'a, T>(network: &Network, blocks: &'a [(&'a str, T)]) -> Option<(&'a str, &'a T)> {
    blocks.iter().find_map(|(cidr, value)| {
        let block = address_or_network(cidr).ok()?;
        block.contains_network(network).then_some((*cidr, value))
    })
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

/// Ports whose protocol is usually unencrypted: (protocol, low, high, why).
const CLEARTEXT: &[(Protocol, u16, u16, &str)] = &[
    (
        Protocol::Tcp,
        21,
        21,
        "FTP sends passwords in clear text: use SFTP (22) or FTPS",
    ),
    (Protocol::Tcp, 23, 23, "Telnet is unencrypted: use SSH (22)"),
    (
        Protocol::Tcp,
        80,
        80,
        "port 80 is plain HTTP: is 443 alone enough?",
    ),
    (
        Protocol::Tcp,
        110,
        110,
        "POP3 is unencrypted: use POP3S (995)",
    ),
    (
        Protocol::Tcp,
        143,
        143,
        "IMAP is unencrypted: use IMAPS (993)",
    ),
    (
        Protocol::Tcp,
        389,
        389,
        "LDAP is unencrypted: use LDAPS (636)",
    ),
    (
        Protocol::Tcp,
        445,
        445,
        "SMB file sharing should not cross a firewall unencrypted: use SMB 3 encryption or a VPN",
    ),
    (
        Protocol::Tcp,
        502,
        502,
        "Modbus/TCP has no authentication or encryption: keep it inside the plant zone",
    ),
    (
        Protocol::Tcp,
        512,
        514,
        "rexec/rlogin/rsh are unencrypted: use SSH (22)",
    ),
    (
        Protocol::Tcp,
        1433,
        1433,
        "SQL Server is unencrypted unless the client forces encryption: confirm it does",
    ),
    (Protocol::Tcp, 1883, 1883, "MQTT without TLS: use 8883"),
    (
        Protocol::Tcp,
        3306,
        3306,
        "MySQL is unencrypted unless TLS is required: confirm it is",
    ),
    (
        Protocol::Tcp,
        5432,
        5432,
        "PostgreSQL is unencrypted unless sslmode requires TLS: confirm it does",
    ),
    (
        Protocol::Tcp,
        5900,
        5900,
        "VNC is unencrypted: tunnel it over SSH",
    ),
    (
        Protocol::Tcp,
        8080,
        8080,
        "port 8080 is usually plain HTTP: is an HTTPS port enough?",
    ),
    (
        Protocol::Udp,
        69,
        69,
        "TFTP has no authentication or encryption",
    ),
    (
        Protocol::Udp,
        161,
        161,
        "SNMP v1/v2c sends community strings in clear text: use SNMPv3",
    ),
];

/// The cleartext ports (or port spans) inside `port`, with the reason for each.
fn cleartext(protocol: Protocol, port: &PortRange) -> Vec<(String, &'static str)> {
    CLEARTEXT
        .iter()
        .filter(|(p, low, high, _)| *p == protocol && *low <= port.high && port.low <= *high)
        .map(|(_, low, high, why)| {
            let (low, high) = ((*low).max(port.low), (*high).min(port.high));
            let name = if low == high {
                low.to_string()
            } else {
                format!("{low}-{high}")
            };
            (name, *why)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each hidden character is named as Unicode names it.
    #[test]
    fn hidden_characters_are_named() {
        let names = [
            ('\u{202a}', "left-to-right embedding"),
            ('\u{202b}', "right-to-left embedding"),
            ('\u{202c}', "pop directional formatting"),
            ('\u{202d}', "left-to-right override"),
            ('\u{202e}', "right-to-left override"),
            ('\u{2066}', "left-to-right isolate"),
            ('\u{2067}', "right-to-left isolate"),
            ('\u{2068}', "first strong isolate"),
            ('\u{2069}', "pop directional isolate"),
            ('\u{200e}', "left-to-right mark"),
            ('\u{200f}', "right-to-left mark"),
            ('\u{061c}', "arabic letter mark"),
            ('\u{200b}', "zero width space"),
            ('\u{200c}', "zero width non-joiner"),
            ('\u{200d}', "zero width joiner"),
            ('\u{2060}', "word joiner"),
            ('\u{2061}', "invisible operator"),
            ('\u{2064}', "invisible operator"),
            ('\u{feff}', "zero width no-break space"),
            ('\u{00ad}', "soft hyphen"),
            ('\u{2028}', "line separator"),
            ('\u{2029}', "paragraph separator"),
            ('\u{115f}', "hangul filler"),
            ('\u{3164}', "hangul filler"),
            ('\u{e0001}', "tag character"),
            ('\u{180e}', "invisible character"),
        ];
        for (c, name) in names {
            assert_eq!(char_name(c), name, "U+{:04X}", u32::from(c));
        }
    }

    fn settings() -> Settings {
        crate::team::Team::default().settings(
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            Levels::default(),
            None,
        )
    }

    /// The limit is ServiceNow's: 4,000 characters fit, one more does not;
    /// the help says how to split by what the request has.
    #[test]
    fn a_body_over_4000_characters_is_too_long() {
        let one = crate::validate::test_request(
            "[[rules]]\nports = [443]\ndestinations = [\"192.0.2.7\"]\n",
        );
        let two = crate::validate::test_request(
            "[[rules]]\nports = [443]\ndestinations = [\"192.0.2.7\"]\n\
             [[rules]]\nports = [80]\ndestinations = [\"192.0.2.8\"]\n",
        );
        assert!(body_length(&one, &"é".repeat(4000), &settings()).is_empty());
        let found = body_length(&one, &"é".repeat(4001), &settings());
        assert_eq!(
            found[0].message,
            "the rendered body is 4001 characters; ServiceNow's description field holds 4000 by default"
        );
        assert_eq!(
            found[0].help.as_deref(),
            Some(
                "split the rule's destinations over several requests, or paste the body into Work notes (render --format servicenow)"
            )
        );
        let found = body_length(&two, &"x".repeat(4001), &settings());
        assert_eq!(
            found[0].help.as_deref(),
            Some(
                "split the request by rule (2 rules, one request each), or paste the body into Work notes (render --format servicenow)"
            )
        );
    }

    /// The list is called old after 180 days, not on the 180th.
    #[test]
    fn the_public_suffix_list_is_old_after_180_days() {
        let date = NaiveDate::parse_from_str(PUBLIC_SUFFIX_LIST_DATE, "%Y-%m-%d").unwrap();
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

    fn net(text: &str) -> Network {
        let (addr, prefix) = text.split_once('/').unwrap();
        Network {
            addr: addr.parse().unwrap(),
            prefix: prefix.parse().unwrap(),
        }
    }

    /// No sources is any source; otherwise one list's network must hold or
    /// be held by one of the other's.
    #[test]
    fn sources_overlap_when_one_holds_the_other() {
        let a = [net("10.1.0.0/16")];
        assert!(sources_overlap(&[], &a));
        assert!(sources_overlap(&a, &[]));
        assert!(sources_overlap(&a, &[net("10.1.2.0/24")]));
        assert!(sources_overlap(&[net("10.1.2.0/24")], &a));
        assert!(!sources_overlap(&a, &[net("10.2.0.0/16")]));
        assert!(sources_overlap(
            &a,
            &[net("10.2.0.0/16"), net("10.0.0.0/8")]
        ));
    }

    /// "Almost any address" starts below /8 (IPv4) and /32 (IPv6).
    #[test]
    fn too_wide_starts_below_8_and_32() {
        let said = |text| too_wide(&net(text));
        assert_eq!(
            said("0.0.0.0/0").unwrap(),
            "is every address on the internet"
        );
        assert_eq!(said("::/0").unwrap(), "is every address on the internet");
        assert_eq!(said("10.0.0.0/8"), None);
        assert_eq!(
            said("10.0.0.0/7").unwrap(),
            "is wider than /8: almost any address"
        );
        assert_eq!(said("2001:db8::/32"), None);
        assert_eq!(
            said("2001::/31").unwrap(),
            "is wider than /32: almost any address"
        );
    }

    #[test]
    fn words_match_at_boundaries_only() {
        assert_eq!(find_word("a trial run", "trial"), Some(2));
        assert_eq!(find_word("industrial", "trial"), None);
        assert_eq!(find_word("trials", "trial"), None);
    }
}
