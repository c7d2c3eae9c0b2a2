//! Validation: from the raw TOML model to a trusted `Request`, or diagnostics.
//!
//! Every problem is collected (not just the first) and points at the value that
//! is wrong. A request comes out only when there is no error, so later stages
//! never see an unchecked value.

pub mod host;
pub mod port;

use crate::diagnostic::{Diagnostic, Source};
use crate::lints;
use crate::request::{Destination, Located, Request, Rule, Span, Spans, Target, TestProcess};
use crate::spec::{self, Protocol, RawDestination, RawRule, RawSpec, RawTest};
use chrono::NaiveDate;
use toml::Spanned;
use toml::value::Datetime;

/// Why a value failed the grammar, before it has a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub help: Option<String>,
}

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Invalid {
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn at(self, span: Span) -> Diagnostic {
        let diag = Diagnostic::error(span, self.message);
        match self.help {
            Some(help) => diag.with_help(help),
            None => diag,
        }
    }
}

/// Reads and validates one spec. `Err` holds every error found.
pub fn load(source: &Source) -> Result<Request, Vec<Diagnostic>> {
    if source.text.trim().is_empty() {
        return Err(vec![Diagnostic::error(0..0, "the file is empty").with_help(
            "a request needs title, project, request, reason, affected_apps, justification and [[rules]]",
        )]);
    }
    let raw = spec::parse(&source.text).map_err(|e| {
        vec![not_a_request(&source.text).unwrap_or_else(|| toml_error(&e, source.text.len()))]
    })?;
    let mut v = Validator::default();
    let request = v.request(raw);
    match request {
        Some(r) if v.diags.is_empty() => Ok(r),
        _ => Err(v.diags),
    }
}

/// A TOML file that is not a request at all (a `Cargo.toml` picked up by a
/// directory walk) gets one clear error instead of a list of unknown keys.
fn not_a_request(text: &str) -> Option<Diagnostic> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let looks_like_request = ["title", "project", "rules"]
        .iter()
        .any(|k| table.contains_key(*k));
    (!looks_like_request).then(|| {
        Diagnostic::error(
            0..0,
            "not a request spec: it has none of `title`, `project`, `rules`",
        )
        .with_help("fwreq reads request specs; keep other TOML files out of the paths you check")
    })
}

/// Turns toml's error into a diagnostic, adding a suggestion for misspelt keys.
fn toml_error(err: &toml::de::Error, len: usize) -> Diagnostic {
    let span = err.span().unwrap_or(0..0);
    let span = span.start.min(len)..span.end.min(len);
    let message = err.message().trim_end().to_string();
    let diag = Diagnostic::error(span, message.clone());
    match suggest_key(&message) {
        Some(key) => diag.with_help(format!("did you mean `{key}`?")),
        None => diag,
    }
}

/// For `unknown field `x`, expected one of `a`, `b`` (or `unknown variant`):
/// the nearest expected name.
fn suggest_key(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (unknown, expected) = rest.split_once('`')?;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|k| (strsim::damerau_levenshtein(unknown, k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 3) && *d < k.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.to_string())
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
    prose: Vec<Span>,
}

impl Validator {
    fn error(&mut self, span: Span, invalid: Invalid) {
        self.diags.push(invalid.at(span));
    }

    fn missing(&mut self, span: Span, key: &str, what: &str) {
        self.diags.push(
            Diagnostic::error(span, format!("missing required key `{key}`"))
                .with_help(format!("add {key} = {what}")),
        );
    }

    fn required<T>(&mut self, value: Option<T>, span: &Span, key: &str, what: &str) -> Option<T> {
        if value.is_none() {
            self.missing(span.clone(), key, what);
        }
        value
    }

    /// Text that must be present and not blank; `single_line` for headings and lists.
    fn text(&mut self, value: Spanned<String>, key: &str, single_line: bool) -> Option<String> {
        let span = value.span();
        if PROSE.contains(&key) {
            self.prose.push(span.clone());
        }
        let text = value.into_inner().trim().to_string();
        if text.is_empty() {
            self.error(span, Invalid::new(format!("`{key}` is empty")));
            None
        } else if single_line && text.contains(['\n', '\r']) {
            self.error(
                span,
                Invalid::new(format!("`{key}` must be a single line"))
                    .help("use a plain \"...\" string without line breaks"),
            );
            None
        } else if let Some(c) = text
            .chars()
            .find(|c| c.is_control() && !"\n\r\t".contains(*c))
        {
            self.error(
                span,
                Invalid::new(format!(
                    "`{key}` holds the control character `{}`",
                    c.escape_default()
                )),
            );
            None
        } else {
            Some(text)
        }
    }

    fn opt_text(
        &mut self,
        value: Option<Spanned<String>>,
        key: &str,
        single_line: bool,
    ) -> Option<String> {
        value.and_then(|v| self.text(v, key, single_line))
    }

    fn request(&mut self, raw: RawSpec) -> Option<Request> {
        let top = 0..0;
        let what = "\"...\"";
        let title = self.required(raw.title, &top, "title", what);
        let project = self.required(raw.project, &top, "project", what);
        let request = self.required(raw.request, &top, "request", what);
        let reason = self.required(raw.reason, &top, "reason", what);
        let apps = self.required(raw.affected_apps, &top, "affected_apps", "[\"...\"]");
        let justification = self.required(raw.justification, &top, "justification", what);
        let rules = self.required(raw.rules, &top, "rules", "a [[rules]] table");

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
        let ritm = raw.ritm.and_then(|v| self.ticket_number(v, "RITM"));
        let req = raw.req.and_then(|v| self.ticket_number(v, "REQ"));
        let submitted = raw.submitted.and_then(|v| self.submitted(v));
        let expires = raw.expires.and_then(|v| self.expires(v));
        let rules = rules.map(|rules| self.list(rules, "rules", |v, rule| v.rule(rule)));
        let test = raw.test.and_then(|t| self.test(t));
        let allow = raw.allow.map(|a| self.allow(a)).unwrap_or(Some(Vec::new()));

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
            spans: Spans {
                title: title_span,
                expires: expires_span,
                prose: std::mem::take(&mut self.prose),
            },
        })
    }

    /// A list that must have at least one item, each checked by `item`.
    fn list<T, U>(
        &mut self,
        list: Spanned<Vec<T>>,
        key: &str,
        mut item: impl FnMut(&mut Self, T) -> Option<U>,
    ) -> Option<Vec<U>> {
        let span = list.span();
        let items = list.into_inner();
        if items.is_empty() {
            self.error(
                span,
                Invalid::new(format!("`{key}` is empty")).help("give at least one"),
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for i in items {
            match item(self, i) {
                Some(u) => out.push(u),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn ticket_number(&mut self, value: Spanned<String>, prefix: &str) -> Option<String> {
        let span = value.span();
        let text = value.into_inner();
        let digits = text.strip_prefix(prefix);
        if digits.is_some_and(|d| d.len() == 7 && d.chars().all(|c| c.is_ascii_digit())) {
            Some(text)
        } else {
            self.error(
                span,
                Invalid::new(format!("`{text}` is not a {prefix} number")).help(format!(
                    "write {prefix} and seven digits, e.g. {prefix}0194104"
                )),
            );
            None
        }
    }

    fn submitted(&mut self, value: Spanned<Datetime>) -> Option<String> {
        let span = value.span();
        let dt = value.into_inner();
        match (dt.date, dt.time) {
            (Some(d), Some(t)) => Some(format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                d.year,
                d.month,
                d.day,
                t.hour,
                t.minute,
                t.second.unwrap_or(0)
            )),
            _ => {
                self.error(
                    span,
                    Invalid::new("`submitted` needs a date and a time")
                        .help("write e.g. submitted = 2025-03-14T16:28:49"),
                );
                None
            }
        }
    }

    fn expires(&mut self, value: Spanned<Datetime>) -> Option<NaiveDate> {
        let span = value.span();
        let dt = value.into_inner();
        let date = dt.date.filter(|_| dt.time.is_none()).and_then(|d| {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        });
        match date {
            Some(date) => Some(date),
            None => {
                self.error(
                    span,
                    Invalid::new("`expires` takes a date only")
                        .help("write e.g. expires = 2026-03-14"),
                );
                None
            }
        }
    }

    fn rule(&mut self, rule: Spanned<RawRule>) -> Option<Rule> {
        let span = rule.span();
        let raw = rule.into_inner();
        let protocol = raw.protocol.map(Spanned::into_inner).unwrap_or_default();
        let comment = self.opt_text(raw.comment, "comment", true);
        let ports = match (protocol, raw.ports) {
            (Protocol::Icmp, Some(ports)) => {
                self.error(
                    ports.span(),
                    Invalid::new("icmp has no ports").help("remove `ports` from this rule"),
                );
                None
            }
            (Protocol::Icmp, None) => Some(Vec::new()),
            (_, None) => {
                self.missing(header(&span), "ports", "[443]");
                None
            }
            (_, Some(ports)) => self.list(ports, "ports", |v, p| {
                let span = p.span();
                port::port(p.get_ref(), span.clone())
                    .map_err(|e| v.error(span, e))
                    .ok()
            }),
        };
        let sources = raw.sources.map(|s| {
            self.list(s, "sources", |v, src| {
                let span = src.span();
                host::address_or_network(src.get_ref())
                    .map(|value| Located {
                        value,
                        span: span.clone(),
                    })
                    .map_err(|e| v.error(span, e))
                    .ok()
            })
        });
        let destinations = match raw.destinations {
            Some(d) => self.list(d, "destinations", |v, dest| v.destination(dest)),
            None => {
                self.missing(header(&span), "destinations", "[\"host.example.com\"]");
                None
            }
        };
        Some(Rule {
            comment,
            protocol,
            ports: ports?,
            action: raw.action.map(Spanned::into_inner).unwrap_or_default(),
            sources: match sources {
                Some(s) => s?,
                None => Vec::new(),
            },
            destinations: destinations?,
            span,
        })
    }

    fn destination(&mut self, dest: Spanned<RawDestination>) -> Option<Destination> {
        let RawDestination { host, probe, .. } = dest.into_inner();
        let span = host.span();
        let written = host.into_inner();
        let target = host::destination(&written)
            .map_err(|e| self.error(span.clone(), e))
            .ok()?;
        let probe = match probe {
            None => None,
            Some(p) => Some(self.probe(&target, p)?),
        };
        Some(Destination {
            written,
            target,
            probe,
            span,
        })
    }

    /// A probe must be a concrete host that the wildcard or range actually covers.
    fn probe(&mut self, target: &Target, probe: Spanned<String>) -> Option<String> {
        let span = probe.span();
        let text = probe.into_inner();
        let checked = host::probe_host(&text).and_then(|p| match (target, &p) {
            (Target::Wildcard { domain, dotted }, Target::Host { name }) => {
                let covered = if *dotted {
                    name.ends_with(&format!(".{domain}"))
                } else {
                    name.ends_with(domain.as_str())
                };
                if covered {
                    Ok(name.clone())
                } else {
                    Err(Invalid::new(format!(
                        "probe `{text}` is not covered by the wildcard"
                    )))
                }
            }
            (Target::Range { network }, Target::Address { address }) => {
                if address.is_ipv4() == network.addr.is_ipv4()
                    && host::mask(*address, network.prefix) == network.addr
                {
                    Ok(address.to_string())
                } else {
                    Err(Invalid::new(format!("probe `{text}` is outside {network}")))
                }
            }
            (Target::Wildcard { .. }, _) => {
                Err(Invalid::new("a wildcard's probe is a hostname under it"))
            }
            (Target::Range { .. }, _) => {
                Err(Invalid::new("a range's probe is an address inside it"))
            }
            _ => Err(Invalid::new("only wildcards and CIDR ranges take a probe")
                .help("a plain host or address is tested directly")),
        });
        checked.map_err(|e| self.error(span, e)).ok()
    }

    fn test(&mut self, test: Spanned<RawTest>) -> Option<TestProcess> {
        let raw = test.into_inner();
        let steps: Vec<_> = raw
            .steps
            .into_iter()
            .map(|s| self.text(s, "steps", true))
            .collect();
        let host = raw.host.and_then(|h| self.ssh_host(h));
        let commands: Vec<_> = raw.commands.into_iter().map(|c| self.command(c)).collect();
        Some(TestProcess {
            steps: steps.into_iter().collect::<Option<_>>()?,
            host,
            commands: commands.into_iter().collect::<Option<_>>()?,
        })
    }

    /// Lint names silenced for this request; unknown names are errors.
    fn allow(&mut self, list: Vec<Spanned<String>>) -> Option<Vec<String>> {
        let mut ok = true;
        let mut names = Vec::new();
        for item in list {
            let span = item.span();
            let name = item.into_inner();
            match lints::check_name(&name) {
                Ok(()) => names.push(name),
                Err(invalid) => {
                    ok = false;
                    self.error(span, invalid);
                }
            }
        }
        ok.then_some(names)
    }

    /// `[user@]host` for the `ssh` line: rendered into a shell block, so strict.
    fn ssh_host(&mut self, value: Spanned<String>) -> Option<String> {
        let span = value.span();
        let text = value.into_inner();
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
        let host_ok = host::address_or_network(host)
            .map(|n| n.prefix == crate::request::Network::max_prefix(n.addr))
            .unwrap_or(false)
            || host::hostname(host).is_ok();
        if user_ok && host_ok {
            Some(text)
        } else {
            self.error(
                span,
                Invalid::new(format!("`{text}` is not an ssh destination"))
                    .help("write user@host, e.g. brent@10.188.50.201"),
            );
            None
        }
    }

    /// Test commands are the user's own shell lines, kept verbatim; only a code
    /// fence is refused, since it would end the block in the ticket.
    fn command(&mut self, value: Spanned<String>) -> Option<String> {
        let span = value.span();
        let text = value.into_inner();
        if text.contains("```") {
            self.error(
                span,
                Invalid::new("a test command may not contain ``` (it would end the code block)"),
            );
            None
        } else {
            Some(text)
        }
    }
}

/// The first line of a table, where a missing key is reported.
fn header(span: &Span) -> Span {
    span.start..span.start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_key() {
        let msg = "unknown field `destination`, expected one of `comment`, `protocol`, `ports`, `destinations`";
        assert_eq!(suggest_key(msg).as_deref(), Some("destinations"));
        let msg = "unknown variant `tpc`, expected one of `tcp`, `udp`, `icmp`";
        assert_eq!(suggest_key(msg).as_deref(), Some("tcp"));
        let msg = "unknown field `colour`, expected one of `title`, `project`";
        assert_eq!(suggest_key(msg), None);
    }
}
