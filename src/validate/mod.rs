//! Validation: from the raw TOML model to a trusted `Request`, or diagnostics.
//!
//! Every problem is collected (not just the first) and points at the value that
//! is wrong. A request comes out only when there is no error, so later stages
//! never see an unchecked value.

pub mod host;
pub mod idna2008;
pub mod port;

use crate::diagnostic::{Diagnostic, Source};
use crate::names::{self, nearest};
use crate::request::{
    Destination, Located, Network, Offset, Req, Request, Ritm, Rule, Span, Spans, Submitted,
    Target, TestHost, TestProcess,
};
use crate::spec::{self, Protocol, RawDestination, RawRule, RawSpec, RawTest};
use chrono::NaiveDate;
use toml::Spanned;
use toml::value::Datetime;

pub(crate) use crate::diagnostic::Invalid;

/// A valid request: the six keys every request needs, then `rest` (rules,
/// and any other keys), for the unit tests of later stages.
#[cfg(test)]
pub(crate) fn test_request(rest: &str) -> Request {
    let text = format!(
        "title = \"t\"\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\"]\njustification = \"j\"\n{rest}"
    );
    load(&Source::new("t.toml", text)).expect("a valid test request")
}

/// Reads and validates one spec. `Err` holds every error found.
pub fn load(source: &Source) -> Result<Request, Vec<Diagnostic>> {
    if source.text.trim().is_empty() {
        return Err(vec![Diagnostic::error(0..0, "the file is empty").with_help(
            "a request needs title, project, request, reason, affected_apps, justification and [[rules]]",
        )]);
    }
    let raw = spec::parse(&source.text).map_err(|errors| match not_a_request(&source.text) {
        Some(diag) => vec![diag],
        None => {
            let mut diags: Vec<Diagnostic> =
                errors.iter().map(|e| toml_error(e, &source.text)).collect();
            diags.sort_by_key(|d| d.span.start);
            diags
        }
    })?;
    let mut v = Validator::default();
    let request = v.request(raw);
    match request {
        Some(r) if v.diags.is_empty() => Ok(r),
        _ => {
            // In file order, as a person reads them.
            v.diags.sort_by_key(|d| d.span.start);
            Err(v.diags)
        }
    }
}

/// A TOML file that is not a request at all (a `Cargo.toml` picked up by a
/// directory walk) gets one clear error instead of a list of unknown keys.
fn not_a_request(text: &str) -> Option<Diagnostic> {
    let table: toml::Table = toml::from_str(text).ok()?;
    // A misspelt key (`titel`) still marks a request: its error suggests the key.
    let looks_like_request = table
        .keys()
        .any(|k| nearest(k, TOP_LEVEL_KEYS.iter().copied()).is_some());
    (!looks_like_request).then(|| {
        Diagnostic::error(
            0..0,
            "not a request spec: it has none of `title`, `project`, `rules`",
        )
        .with_help("fwreq reads request specs; keep other TOML files out of the paths you check")
    })
}

/// Turns toml's error into a diagnostic, adding a suggestion for misspelt keys.
fn toml_error(err: &toml::de::Error, text: &str) -> Diagnostic {
    let len = text.len();
    let span = err.span().unwrap_or(0..0);
    let span = span.start.min(len)..span.end.min(len);
    let message = err.message().trim_end().to_string();
    let diag = Diagnostic::error(span.clone(), message.clone());
    let written = text.get(span).unwrap_or("").trim_start();
    if let Some(help) = misplaced_key(&message) {
        return diag.with_help(help);
    }
    if message.starts_with("invalid type: map, expected a sequence")
        && written.starts_with("[rules]")
    {
        return diag.with_help(
            "write [[rules]], with two brackets: each rule is one table in a list of rules",
        );
    }
    if message.starts_with("invalid type: sequence") && written.starts_with("[[test]]") {
        return diag.with_help("write [test], with one bracket: a request has one test process");
    }
    if let Some(help) = common_mistake(&message, written, text, diag.span.start) {
        return diag.with_help(help);
    }
    match suggest_key(&message) {
        Some(key) => diag.with_help(format!("did you mean `{key}`?")),
        None => diag,
    }
}

/// Help for the TOML mistakes people make most in a request, where the
/// parser's own words ("invalid date", "invalid float") point elsewhere: a
/// port range or an address left unquoted, one value where a list belongs,
/// a key without `=`, a list left open.
fn common_mistake(message: &str, written: &str, text: &str, at: usize) -> Option<String> {
    let bare = written
        .split(|c: char| c == ',' || c == ']' || c.is_whitespace())
        .next()
        .unwrap_or("");
    let unquoted = message.starts_with("invalid date")
        || message.starts_with("invalid time")
        || message.starts_with("invalid float")
        || message.starts_with("invalid integer")
        || message.starts_with("invalid number")
        || message.starts_with("extra characters")
        || message.starts_with("string values must be quoted");
    // The whole value as written on its line, for the message.
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let value = line
        .split_once('=')
        .map(|(_, v)| v.trim().trim_start_matches('[').trim_end_matches(']'))
        .unwrap_or(bare);
    let item = value
        .split(',')
        .map(str::trim)
        .find(|v| !v.starts_with('"'))
        .unwrap_or(value);
    if unquoted {
        let range = item.split_once('-').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && (a.bytes().chain(b.bytes())).all(|c| c.is_ascii_digit())
        });
        if range {
            return Some(format!(
                "a port range is text: write it in quotes, \"{item}\""
            ));
        }
        let address = !item.is_empty()
            && item.contains(['.', ':'])
            && item
                .bytes()
                .all(|c| c.is_ascii_hexdigit() || b".:/".contains(&c));
        if address {
            return Some(format!(
                "an address or network is text: write it in quotes, \"{item}\""
            ));
        }
    }
    let scalar = ["integer", "string", "float", "boolean"]
        .iter()
        .any(|t| message.starts_with(&format!("invalid type: {t} ")));
    if scalar && message.ends_with("expected a sequence") {
        let key = line.split_once('=').map(|(k, _)| k.trim()).unwrap_or("");
        let one = line.split_once('=').map(|(_, v)| v.trim()).unwrap_or("");
        if !key.is_empty() && !one.is_empty() {
            return Some(format!(
                "`{key}` takes a list, even of one: write {key} = [{one}]"
            ));
        }
    }
    if message.starts_with("key with no value") {
        return Some("write `key = value`, with `=` between them".into());
    }
    if message.starts_with("missing comma between array elements") {
        return Some(
            "items of a list are separated by commas, and the list ends with `]`: is the `]` of the list above missing?".into(),
        );
    }
    None
}

/// A top-level key written after `[[rules]]` (or `[test]`), where TOML puts
/// it inside that table: say to move it up.
fn misplaced_key(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, expected) = rest.split_once('`')?;
    let table = if expected.contains("`destinations`") {
        "[[rules]]"
    } else if expected.contains("`commands`") {
        "[test]"
    } else {
        return None;
    };
    TOP_LEVEL_KEYS.contains(&key).then(|| {
        format!(
            "`{key}` is a top-level key: move it above the first {table} (below a table header, TOML puts it inside that table)"
        )
    })
}

/// Every top-level key of a request, as `RawSpec` has them.
pub(crate) const TOP_LEVEL_KEYS: &[&str] = &[
    "title",
    "project",
    "request",
    "reason",
    "affected_apps",
    "justification",
    "change",
    "requested_by",
    "ritm",
    "req",
    "submitted",
    "status",
    "expires",
    "rules",
    "test",
    "allow",
    "fields",
];

/// For `unknown field `x`, expected one of `a`, `b`` (or `unknown variant`):
/// the nearest expected name.
fn suggest_key(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (unknown, expected) = rest.split_once('`')?;
    nearest(unknown, expected.split('`').skip(1).step_by(2)).map(str::to_string)
}

/// Keys whose text a reviewer reads (searched by the `missing-expiry-for-temporary` lint).
const PROSE: &[&str] = &[
    "title",
    "request",
    "reason",
    "justification",
    "change",
    "comment",
];

#[derive(Default)]
struct Validator {
    diags: Vec<Diagnostic>,
    /// Rules seen so far: the number of the one being checked.
    rules: usize,
    prose: Vec<Span>,
    markdown: Vec<(String, Span, String)>,
    /// Team fields as written: the request's, then each rule's.
    fields: Vec<crate::field_values::Written>,
}

impl Validator {
    /// Checks one value with `f`; a failure is recorded at the value's span.
    fn check<T, U>(
        &mut self,
        value: Spanned<T>,
        f: impl FnOnce(T) -> Result<U, Invalid>,
    ) -> Option<U> {
        let span = value.span();
        f(value.into_inner())
            .map_err(|invalid| self.diags.push(invalid.at(span)))
            .ok()
    }

    fn missing(&mut self, span: Span, key: &str, what: &str) {
        self.diags.push(
            Diagnostic::error(span, format!("missing required key `{key}`"))
                .with_help(format!("add {key} = {what}")),
        );
    }

    fn required<T>(&mut self, value: Option<T>, key: &str, what: &str) -> Option<T> {
        if value.is_none() {
            self.missing(0..0, key, what);
        }
        value
    }

    /// Text that must not be blank; `single_line` for headings, list items and
    /// anything that lands in a shell comment.
    fn text(&mut self, value: Spanned<String>, key: &str, single_line: bool) -> Option<String> {
        if PROSE.contains(&key) {
            self.prose.push(value.span());
        }
        let span = value.span();
        let text = self.check(value, |text| text_value(&text, key, single_line))?;
        // Every text here reaches the Markdown body (the `raw-html` lint reads them).
        self.markdown.push((key.to_string(), span, text.clone()));
        Some(text)
    }

    fn opt_text(
        &mut self,
        value: Option<Spanned<String>>,
        key: &str,
        single_line: bool,
    ) -> Option<String> {
        value.and_then(|v| self.text(v, key, single_line))
    }

    /// A list that must have at least one item, each checked by `item`.
    fn list<T, U>(
        &mut self,
        list: Spanned<Vec<T>>,
        key: &str,
        mut item: impl FnMut(&mut Self, T) -> Option<U>,
    ) -> Option<Vec<U>> {
        let items = self.check(list, |items| {
            if items.is_empty() {
                Err(Invalid::new(format!("`{key}` is empty")).help("give at least one"))
            } else {
                Ok(items)
            }
        })?;
        self.all(items, |v, i| item(v, i))
    }

    /// Checks every item (so every error is reported); `None` if any failed.
    fn all<T, U>(
        &mut self,
        items: Vec<T>,
        mut item: impl FnMut(&mut Self, T) -> Option<U>,
    ) -> Option<Vec<U>> {
        let checked: Vec<Option<U>> = items.into_iter().map(|i| item(self, i)).collect();
        checked.into_iter().collect()
    }

    fn request(&mut self, raw: RawSpec) -> Option<Request> {
        let what = "\"...\"";
        let title = self.required(raw.title, "title", what);
        let project = self.required(raw.project, "project", what);
        let request = self.required(raw.request, "request", what);
        let reason = self.required(raw.reason, "reason", what);
        let apps = self.required(raw.affected_apps, "affected_apps", "[\"...\"]");
        let justification = self.required(raw.justification, "justification", what);
        let rules = self.required(raw.rules, "rules", "a [[rules]] table");

        self.fields
            .push(crate::field_values::Written::new(raw.fields));
        let title_span = title.as_ref().map(Spanned::span).unwrap_or_default();
        let expires_span = raw.expires.as_ref().map(Spanned::span).unwrap_or_default();
        let title = title.and_then(|v| self.text(v, "title", true));
        let project = project.and_then(|v| self.text(v, "project", true));
        let request = request.and_then(|v| self.text(v, "request", false));
        let reason = reason.and_then(|v| self.text(v, "reason", false));
        let justification = justification.and_then(|v| self.text(v, "justification", false));
        let affected_apps = apps.map(|apps| {
            self.list(apps, "affected_apps", |v, item| {
                v.text(item, "affected_apps", true)
            })
        });
        let change = self.opt_text(raw.change, "change", false);
        let requested_by = self.opt_text(raw.requested_by, "requested_by", true);
        let ritm = raw.ritm.and_then(|v| self.check(v, |t| t.parse::<Ritm>()));
        let req = raw.req.and_then(|v| self.check(v, |t| t.parse::<Req>()));
        let submitted = raw.submitted.and_then(|v| self.check(v, submitted));
        let expires = raw.expires.and_then(|v| self.check(v, expires));
        let rules = rules.map(|rules| self.list(rules, "rules", |v, rule| v.rule(rule)));
        let test = raw.test.and_then(|t| self.test(t.into_inner()));
        let allow = match raw.allow {
            Some(names) => self.all(names, |v, name| v.check(name, |n| n.parse::<names::Lint>())),
            None => Some(Vec::new()),
        };

        Some(Request {
            title: title?,
            project: project?,
            request: request?,
            reason: reason?,
            affected_apps: affected_apps??,
            justification: justification?,
            change,
            requested_by,
            ritm,
            req,
            submitted,
            status: raw.status.map(Spanned::into_inner).unwrap_or_default(),
            expires,
            rules: rules??,
            test,
            allow: allow?,
            fields: Vec::new(),
            spans: Spans {
                fields: std::mem::take(&mut self.fields),
                title: title_span,
                expires: expires_span,
                prose: std::mem::take(&mut self.prose),
                markdown: std::mem::take(&mut self.markdown),
            },
        })
    }

    fn rule(&mut self, rule: Spanned<RawRule>) -> Option<Rule> {
        self.rules += 1;
        let span = rule.span();
        let raw = rule.into_inner();
        self.fields
            .push(crate::field_values::Written::new(raw.fields));
        let protocol = raw.protocol.map(Spanned::into_inner).unwrap_or_default();
        // The comment heads the rule's block of shell lines.
        let comment = raw.comment.and_then(|c| {
            let span = c.span();
            let text = self.text(c, "comment", true)?;
            self.check(Spanned::new(span, text), |t| {
                fence_free(t, "a rule comment")
            })
        });
        let ports = match (protocol, raw.ports) {
            (Protocol::Icmp, Some(ports)) => self.check(ports, |_| {
                Err(Invalid::new("icmp has no ports").help("remove `ports` from this rule"))
            }),
            (Protocol::Icmp, None) => Some(Vec::new()),
            (_, None) => {
                self.missing(header(&span), "ports", "[443]");
                None
            }
            (_, Some(ports)) => self.list(ports, "ports", |v, p| {
                let span = p.span();
                v.check(p, |raw| port::port(&raw, span))
            }),
        };
        let sources = raw.sources.map(|s| {
            self.list(s, "sources", |v, src| {
                let span = src.span();
                v.check(src, |text| {
                    placeholder(&text, "sources")?;
                    host::address_or_network(&text).map(|value| Located { value, span })
                })
            })
        });
        let destinations = match raw.destinations {
            Some(d) => self.list(d, "destinations", |v, dest| v.destination(dest)),
            None => {
                self.missing(header(&span), "destinations", "[\"host.example.com\"]");
                None
            }
        };
        let sources = match sources {
            Some(s) => s?,
            None => Vec::new(),
        };
        let destinations = destinations?;
        self.families(&sources, &destinations);
        Some(Rule {
            comment,
            protocol,
            ports: ports?,
            action: raw.action.map(Spanned::into_inner).unwrap_or_default(),
            sources,
            destinations,
            fields: Vec::new(),
            span,
        })
    }

    /// An address destination with no source of its family, or a source
    /// with no destination of its family (names may be either): no packet
    /// goes from an IPv4 address to an IPv6 one, so such a pair means
    /// nothing, and a firewall would drop it or never match it.
    fn families(&mut self, sources: &[Located<Network>], destinations: &[Destination]) {
        if sources.is_empty() {
            return;
        }
        let family = |v6: bool| if v6 { "IPv6" } else { "IPv4" };
        let number = self.rules;
        for dest in destinations {
            let Some(network) = dest.target.network() else {
                continue;
            };
            let v6 = network.addr.is_ipv6();
            if sources.iter().all(|s| s.value.addr.is_ipv6() != v6) {
                self.diags.push(
                    Diagnostic::error(
                        dest.span.clone(),
                        format!(
                            "rule {number}: destination `{}` is {}, but every source of this rule is {}: no packet goes from one to the other",
                            dest.written,
                            family(v6),
                            family(!v6)
                        ),
                    )
                    .with_help(format!(
                        "put it in a rule of its own with {} sources, or correct the address",
                        family(v6)
                    )),
                );
            }
        }
        let names = destinations.iter().any(|d| d.target.network().is_none());
        for source in sources {
            let v6 = source.value.addr.is_ipv6();
            let reached = destinations
                .iter()
                .filter_map(|d| d.target.network())
                .any(|n| n.addr.is_ipv6() == v6);
            if !names && !reached {
                self.diags.push(
                    Diagnostic::error(
                        source.span.clone(),
                        format!(
                            "rule {number}: source `{}` is {}, but every destination of this rule is {}: no packet goes from one to the other",
                            source.value,
                            family(v6),
                            family(!v6)
                        ),
                    )
                    .with_help(format!(
                        "give this rule an {} destination, or move the source to a rule that has one",
                        family(v6)
                    )),
                );
            }
        }
    }

    fn destination(&mut self, dest: Spanned<RawDestination>) -> Option<Destination> {
        let span = dest.span();
        let (host, probe) = match dest.into_inner() {
            RawDestination::Name(name) => (Spanned::new(span, name), None),
            RawDestination::Table { host, probe } => (host, probe),
        };
        let span = host.span();
        let written = host.get_ref().clone();
        let target = self.check(host, |text| {
            placeholder(&text, "destinations")?;
            host::destination(&text)
        })?;
        let probe = match probe {
            None => None,
            Some(p) => Some(self.check(p, |text| probe_of(&target, &text))?),
        };
        let punycode = (!written.is_ascii()).then(|| target.to_string());
        Some(Destination {
            written,
            target,
            probe,
            punycode,
            span,
        })
    }

    fn test(&mut self, raw: RawTest) -> Option<TestProcess> {
        let steps = self.all(raw.steps, |v, s| v.text(s, "steps", true));
        let host = raw.host.and_then(|h| self.check(h, ssh_host));
        let commands = self.all(raw.commands, |v, c| v.check(c, test_command));
        Some(TestProcess {
            steps: steps?,
            host,
            commands: commands?,
        })
    }
}

/// Text that is not blank, has no control characters, and (if asked) one line.
pub(crate) fn text_value(text: &str, key: &str, single_line: bool) -> Result<String, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::new(format!("`{key}` is empty")));
    }
    placeholder(text, key)?;
    // U+2028 and U+2029 end a line too, for YAML and many editors.
    if single_line && text.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
        return Err(Invalid::new(format!("`{key}` must be a single line"))
            .help("use a plain \"...\" string without line breaks"));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !"\n\r\t".contains(*c) || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(Invalid::new(format!(
            "`{key}` holds the control character `{}`",
            c.escape_default()
        )));
    }
    // A ticket holds text; YAML (Cilium, Aerleon) and XML (PAN-OS) parsers
    // refuse a file with a noncharacter, so it is refused here, at its line.
    if let Some(c) = text.chars().find(|&c| crate::text::is_noncharacter(c)) {
        return Err(Invalid::new(format!(
            "`{key}` holds the noncharacter U+{:04X}",
            u32::from(c)
        ))
        .help("delete it: it is no text and another system's parser refuses it"));
    }
    // A CR that does not end a line sends a terminal's cursor back: what is
    // shown there is then another sentence than the one pasted.
    if text
        .match_indices('\r')
        .any(|(i, _)| !text[i..].starts_with("\r\n"))
    {
        return Err(
            Invalid::new(format!("`{key}` holds a carriage return (`\\r`) that ends no line"))
                .help("end lines with a line feed alone; a lone `\\r` makes a terminal show other text than the ticket holds"),
        );
    }
    Ok(text.to_string())
}

/// A `[test] commands` line: shown in the ticket's code block and pasted into
/// a shell, so no fence that ends the block, and no control or bidi character
/// (ESC starts terminal sequences, OSC 52 writes the clipboard, a CR hides
/// what came before it, a bidi control reorders what is shown).
fn test_command(text: String) -> Result<String, Invalid> {
    let text = fence_free(text, "a test command")?;
    let hidden = text
        .chars()
        .find(|&c| c != '\t' && (c.is_control() || crate::diagnostic::is_bidi_control(c)));
    match hidden {
        Some(c) => Err(Invalid::new(format!(
            "a test command holds the character `{}`, which a terminal would act on",
            c.escape_unicode()
        ))
        .help("write the command as plain text on one line; escapes such as `\\033` stay text")),
        None => Ok(text),
    }
}

/// A starter's `TODO: ...` value (`fwreq new`) not yet filled in: its text
/// after `TODO:` says what to write.
pub(crate) fn placeholder(text: &str, key: &str) -> Result<(), Invalid> {
    match text.trim_start().strip_prefix("TODO") {
        Some(rest) => Err(
            Invalid::new(format!("`{key}` still holds the starter's placeholder"))
                .help(rest.trim_start_matches([':', ' ']).trim().to_string()),
        ),
        None => Ok(()),
    }
}

/// A date and time; the offset is kept when given, the fraction of a second dropped.
pub(crate) fn submitted(dt: Datetime) -> Result<Submitted, Invalid> {
    let at = dt.date.zip(dt.time).and_then(|(d, t)| {
        NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))?
            .and_hms_opt(
                u32::from(t.hour),
                u32::from(t.minute),
                u32::from(t.second.unwrap_or(0)),
            )
    });
    let offset = dt.offset.map(|o| match o {
        toml::value::Offset::Z => Offset::Z,
        toml::value::Offset::Custom { minutes } => Offset::Minutes(minutes),
    });
    at.map(|at| Submitted { at, offset }).ok_or_else(|| {
        Invalid::new("`submitted` needs a date and a time")
            .help("write e.g. submitted = 2025-03-14T16:28:49")
    })
}

fn expires(dt: Datetime) -> Result<NaiveDate, Invalid> {
    dt.date
        .filter(|_| dt.time.is_none())
        .and_then(|d| {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        })
        .ok_or_else(|| {
            Invalid::new("`expires` takes a date only").help("write e.g. expires = 2026-03-14")
        })
}

/// A probe must be one concrete host that the wildcard or range actually covers.
fn probe_of(target: &Target, text: &str) -> Result<TestHost, Invalid> {
    let tested = host::probe_host(text)?;
    let probe = tested.target();
    match target {
        Target::Range { network } if target.covers(&probe) => {
            network_or_broadcast(network, &probe)?;
            Ok(tested)
        }
        Target::Wildcard { .. } if target.covers(&probe) => Ok(tested),
        Target::Wildcard { .. } => Err(Invalid::new(format!(
            "probe `{text}` is not covered by the wildcard"
        ))
        .help("a wildcard's probe is a hostname under it")),
        Target::Range { network } => {
            Err(Invalid::new(format!("probe `{text}` is outside {network}"))
                .help("a range's probe is an address inside it"))
        }
        Target::Host { .. } | Target::Address { .. } => {
            Err(Invalid::new("only wildcards and CIDR ranges take a probe")
                .help("a plain host or address is tested directly"))
        }
    }
}

/// In an IPv4 range of /30 or wider, the first address names the network and
/// the last is broadcast: neither is a host to test.
fn network_or_broadcast(network: &Network, probe: &Target) -> Result<(), Invalid> {
    let (std::net::IpAddr::V4(base), Target::Address { address }) = (network.addr, probe) else {
        return Ok(());
    };
    if network.prefix > 30 {
        return Ok(());
    }
    let first = u32::from(base);
    let last = first | (u32::MAX >> network.prefix);
    let (low, high) = (
        std::net::Ipv4Addr::from(first + 1),
        std::net::Ipv4Addr::from(last - 1),
    );
    let what = if *address == std::net::IpAddr::V4(base) {
        "the network address"
    } else if *address == std::net::IpAddr::V4(std::net::Ipv4Addr::from(last)) {
        "the broadcast address"
    } else {
        return Ok(());
    };
    Err(Invalid::new(format!(
        "probe `{address}` is {what} of {network}, not a host"
    ))
    .help(format!("pick a host address from {low} to {high}")))
}

/// `[user@]host` for the `ssh` line: rendered into a shell block, so strict.
fn ssh_host(text: String) -> Result<String, Invalid> {
    let (user, host) = match text.split_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, text.as_str()),
    };
    let user_ok = user.is_none_or(|u| {
        u.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && u.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    });
    // A name goes into the `ssh` line in its ASCII (punycode) form.
    let host = if host.parse::<std::net::IpAddr>().is_ok() {
        Some(host.to_string())
    } else {
        host::hostname(host).ok().map(|h| h.to_string())
    };
    if let (true, Some(host)) = (user_ok, host) {
        Ok(match user {
            Some(user) => format!("{user}@{host}"),
            None => host,
        })
    } else {
        Err(Invalid::new(format!("`{text}` is not an ssh destination"))
            .help("write user@host, e.g. brent@10.188.50.201"))
    }
}

/// Text that goes inside a ```bash block of the ticket must not close it.
/// (Test commands are otherwise the user's own lines, kept verbatim.)
fn fence_free(text: String, what: &str) -> Result<String, Invalid> {
    if text.contains("```") {
        Err(Invalid::new(format!(
            "{what} may not contain ``` (it would end the code block)"
        )))
    } else {
        Ok(text)
    }
}

/// The first line of a table, where a missing key is reported.
fn header(span: &Span) -> Span {
    span.start..span.start
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test command is plain text: ESC (and with it OSC 52), a CR, other
    /// controls and bidi controls are refused; a tab and plain text pass.
    #[test]
    fn a_test_command_holds_no_character_a_terminal_acts_on() {
        let refused = |t: &str| test_command(t.to_string()).err().map(|e| e.message);
        let acted_on = |c: &str| {
            Some(format!(
                "a test command holds the character `{c}`, which a terminal would act on"
            ))
        };
        for (text, want) in [
            ("curl -vv telnet://a.example.com:443", None),
            ("printf 'a\tb'\t# tab", None),
            ("echo \x1b]52;c;ZXZpbA==\x07", acted_on("\\u{1b}")),
            ("rm -rf ~ \r echo harmless", acted_on("\\u{d}")),
            ("ls \u{202e}txt.exe", acted_on("\\u{202e}")),
            (
                "a ``` b",
                Some("a test command may not contain ``` (it would end the code block)".into()),
            ),
        ] {
            assert_eq!(refused(text), want, "{text:?}");
        }
    }

    /// Prose may span lines (LF or CRLF), but a CR that ends no line is
    /// refused: a terminal would show the text after it over the text before.
    #[test]
    fn prose_refuses_a_carriage_return_that_ends_no_line() {
        let text = |t: &str| text_value(t, "request", false).map_err(|e| e.message);
        assert_eq!(text("one\ntwo").as_deref(), Ok("one\ntwo"));
        assert_eq!(text("one\r\ntwo").as_deref(), Ok("one\r\ntwo"));
        let lone = Err("`request` holds a carriage return (`\\r`) that ends no line".to_string());
        assert_eq!(text("open 443\rclose everything"), lone);
        assert_eq!(text("a\r\nb\rc"), lone);
    }

    /// A noncharacter is refused anywhere in prose, by its code point; the
    /// characters beside the ranges' ends are text.
    #[test]
    fn prose_refuses_a_noncharacter() {
        let text = |t: &str| text_value(t, "title", true).map_err(|e| e.message);
        for (c, said) in [
            ('\u{fffe}', "U+FFFE"),
            ('\u{ffff}', "U+FFFF"),
            ('\u{fdd0}', "U+FDD0"),
            ('\u{fdef}', "U+FDEF"),
            ('\u{1fffe}', "U+1FFFE"),
            ('\u{10ffff}', "U+10FFFF"),
        ] {
            assert_eq!(
                text(&format!("a{c}b")),
                Err(format!("`title` holds the noncharacter {said}"))
            );
        }
        for c in ['\u{fdcf}', '\u{fdf0}', '\u{fffd}', '\u{1fffd}'] {
            let ok = format!("a{c}b");
            assert_eq!(text(&ok).as_deref(), Ok(ok.as_str()));
        }
    }

    /// The `ssh` line's destination: a user name as a shell account is
    /// spelt (a letter or `_` first), then a host or address.
    #[test]
    fn an_ssh_destination_is_a_plain_user_and_host() {
        let ok = |t: &str| ssh_host(t.to_string()).ok();
        assert_eq!(
            ok("brent@10.188.50.201").as_deref(),
            Some("brent@10.188.50.201")
        );
        assert_eq!(
            ok("_svc.ops-1@jump.example.com").as_deref(),
            Some("_svc.ops-1@jump.example.com")
        );
        assert_eq!(ok("jump.example.com").as_deref(), Some("jump.example.com"));
        assert_eq!(
            ok("brent@bücher.example").as_deref(),
            Some("brent@xn--bcher-kva.example")
        );
        for bad in [
            "1brent@host.example",
            "br;ent@host.example",
            "-o@host.example",
            "@host.example",
            "brent@",
            "brent@a b",
        ] {
            assert_eq!(ok(bad), None, "{bad}");
        }
    }

    #[test]
    fn suggests_the_nearest_key() {
        let msg = "unknown field `destination`, expected one of `comment`, `protocol`, `ports`, `destinations`";
        assert_eq!(suggest_key(msg).as_deref(), Some("destinations"));
        let msg = "unknown variant `tpc`, expected one of `tcp`, `udp`, `icmp`";
        assert_eq!(suggest_key(msg).as_deref(), Some("tcp"));
        let msg = "unknown field `colour`, expected one of `title`, `project`";
        assert_eq!(suggest_key(msg), None);
        let msg = "unknown variant `TCP`, expected one of `tcp`, `udp`, `icmp`";
        assert_eq!(suggest_key(msg).as_deref(), Some("tcp"));
    }
}
