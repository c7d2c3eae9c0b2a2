//! `body-too-long`, measured on the rendered body (`body_length`, called by
//! the commands after rendering), and an upper bound of a ticket body's
//! length under the built-in templates, without rendering it. Rendering is most of what `check` costs (two thirds
//! of its time on 10,000 requests) and a body over the limit is rare, so a
//! body is rendered only when this bound reaches the limit.

use super::{Settings, at_levels};
use crate::diagnostic::{Diagnostic, Severity};
use crate::flows::RuleChecks;
use crate::names::Lint;
use crate::request::Request;

declare_lints! {
    /// the rendered body is over 4,000 characters, the default limit of a ServiceNow multi-line field
    ///
    /// ```toml
    /// # any request whose rendered ticket body is over 4,000 characters:
    /// # many rules, many destinations, long texts
    /// ```
    BodyTooLong = "body-too-long", Warn, None;
}

/// The default size of a ServiceNow multi-line text field (`description`).
pub(crate) const BODY_LIMIT: usize = 4000;

/// `body-too-long`: the rendered Markdown body against the field's limit, at
/// its level. Run after rendering, only when the lint is not allowed.
pub(crate) fn body_length(request: &Request, body: &str, settings: &Settings) -> Vec<Diagnostic> {
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

/// What the built-in templates write besides the request's own text and
/// its rules: every literal of the ticket once (headings, labels, code
/// fences), the RITM, REQ, submission and expiry lines with their labels
/// (about 340 characters), with room to spare. The test below holds the
/// bound over the real length for requests of every shape; a template change
/// that writes more fails it.
const FIXED: usize = 400;
/// A rule's own literals, at their longest (`Request that ICMP traffic from
/// any source to ... be denied.`, its key points' labels, its blank lines).
const PER_RULE: usize = 160;
/// What `join_and` adds after an item at most (`, and `); a list item of
/// the key points adds `  - ` and a line break (5); a line of the details
/// block, its line break (1); a `# ` comment line, 3.
const JOINED: usize = 6;
const LISTED: usize = 5;
const LINE: usize = 1;
const COMMENT: usize = 3;

/// The most characters the built-in ticket template can write for `request`
/// with these checks: each text the request holds counted as often as the
/// templates show it (a destination, source or port in the sentence and the
/// key points, a check line once), with what the templates write around it,
/// plus the literals above.
pub(crate) fn default_body_bound(request: &Request, checks: &[RuleChecks]) -> usize {
    let n = |text: &str| text.chars().count();
    let mut total = FIXED
        + [
            &request.title,
            &request.project,
            &request.request,
            &request.reason,
            &request.justification,
        ]
        .iter()
        .map(|text| n(text))
        .sum::<usize>()
        + request.change.as_deref().map_or(0, n)
        // The signature, after a blank line.
        + request.requested_by.as_deref().map_or(0, |by| n(by) + 2)
        + request
            .affected_apps
            .iter()
            .map(|app| n(app) + JOINED)
            .sum::<usize>();
    for rule in &request.rules {
        // The comment heads the rule's key points (and, as its heading, its
        // block of checks: counted below).
        total += PER_RULE
            + rule.comment.as_deref().map_or(0, n)
            // `443/8000-8050` in the sentence and in the key points.
            + rule.ports.iter().map(|p| 2 * (n(&p.to_string()) + 1)).sum::<usize>()
            + rule
                .sources
                .iter()
                .map(|s| 2 * n(&s.value.to_string()) + JOINED + LISTED)
                .sum::<usize>()
            + rule
                .destinations
                .iter()
                .map(|d| {
                    2 * n(&d.written)
                        + JOINED
                        + LISTED
                        + d.punycode.as_deref().map_or(0, |p| n(p) + 3)
                })
                .sum::<usize>();
    }
    for rule in checks {
        // `# heading`, and the blank line before the next rule's.
        total += n(&rule.heading) + COMMENT + LINE;
        total += rule
            .notes
            .iter()
            .map(|note| n(note) + COMMENT)
            .sum::<usize>();
        for dest in &rule.destinations {
            total += dest.note.as_deref().map_or(0, |note| n(note) + COMMENT)
                + n(&dest.capture)
                + LINE
                + dest
                    .checks
                    .iter()
                    .map(|check| n(&check.command) + LINE)
                    .sum::<usize>();
        }
    }
    if let Some(test) = &request.test {
        // `12. step` lines, `ssh HOST`, command lines.
        total += test.steps.iter().map(|step| n(step) + 6).sum::<usize>()
            + test.host.as_deref().map_or(0, |host| n(host) + 5)
            + test
                .commands
                .iter()
                .map(|command| n(command) + LINE)
                .sum::<usize>();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::{body_length, default_body_bound};
    use crate::lints::test_support::settings;

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

    use crate::diagnostic::Source;
    use crate::formats::Kind;
    use crate::render::Renderer;
    use crate::zones::Zones;

    /// A request of `rules` rules with `dests` destinations each, of every
    /// kind the grammar takes, with long prose when `long`.
    fn request(seed: u64, rules: usize, dests: usize, long: bool) -> String {
        let prose = if long {
            "é".repeat(300 + (seed as usize % 7) * 90)
        } else {
            "r".into()
        };
        let mut text = format!(
            "title = \"T{seed} {prose}\"\nproject = \"P\"\nrequest = \"{prose}\"\nreason = \"{prose}\"\naffected_apps = [\"A\", \"B {seed}\"]\njustification = \"{prose}\"\nritm = \"RITM0194104\"\nreq = \"REQ0190001\"\nsubmitted = 2026-11-20T09:15:00-05:00\nexpires = 2027-01-31\nrequested_by = \"Brent {seed}\"\n"
        );
        for r in 0..rules {
            let (protocol, ports) = match (seed as usize + r) % 3 {
                0 => ("tcp", "ports = [443, \"8000-8050\", 9092]\n"),
                1 => ("udp", "ports = [514]\n"),
                _ => ("icmp", ""),
            };
            let action = if r % 4 == 3 { "deny" } else { "allow" };
            // Sources of each family its destinations have (names take any).
            let kinds: Vec<usize> = (0..dests).map(|d| (seed as usize + d) % 6).collect();
            let (v4, v6) = (kinds.iter().any(|k| [2, 4].contains(k)), kinds.contains(&3));
            let mut sources = Vec::new();
            if v4 || !v6 {
                sources.extend([format!("\"10.{r}.0.0/24\""), format!("\"10.9.{r}.7\"")]);
            }
            if v6 {
                sources.push("\"2001:db8:ffff::/64\"".to_string());
            }
            // Some rules without a comment (a summary heads their checks),
            // some requests without sources (`from any source`).
            let comment = if r % 3 == 2 {
                String::new()
            } else {
                format!("comment = \"rule {r} {prose}\"\n")
            };
            let sources = if seed.is_multiple_of(5) {
                String::new()
            } else {
                format!("sources = [{}]\n", sources.join(", "))
            };
            text.push_str(&format!(
                "\n[[rules]]\n{comment}protocol = \"{protocol}\"\n{ports}action = \"{action}\"\n{sources}destinations = [\n"
            ));
            for d in 0..dests {
                let dest = match (seed as usize + d) % 6 {
                    0 => format!("\"h{d}.münchen-registry.example.com\""),
                    1 => format!(
                        "{{ host = \"*.vendor{d}.example.com\", probe = \"eu{d}.vendor{d}.example.com\" }}"
                    ),
                    2 => format!("\"203.0.113.{}\"", d % 250 + 1),
                    3 => format!("\"2001:db8::{:x}\"", d + 1),
                    4 => format!(
                        "{{ host = \"10.{}.{}.0/28\", probe = \"10.{}.{}.5\" }}",
                        r,
                        d % 250,
                        r,
                        d % 250
                    ),
                    _ => format!("\"svc-{d}.plant.example.net\""),
                };
                text.push_str(&format!("  {dest},\n"));
            }
            text.push_str("]\n");
        }
        text.push_str(&format!(
            "\n[test]\nsteps = [\"Add the rule\", \"{prose}\"]\nhost = \"brent@10.188.50.201\"\ncommands = [\"microk8s status\", \"curl -vv telnet://a.example.com:443 # {seed}\"]\n"
        ));
        text
    }

    /// The bound and the rendered length of `text`.
    fn measured(renderer: &Renderer, text: &str) -> (usize, usize) {
        let source = Source::new("t.toml", text.to_string());
        let request =
            crate::validate::load(&source).unwrap_or_else(|e| panic!("{}\n{text}", e[0].message));
        let kind = Kind::request(&request, &Zones::default());
        let Kind::Request { checks, .. } = &kind else {
            unreachable!("a request's kind")
        };
        let body = renderer.ticket(&request, &kind).expect("renders");
        (default_body_bound(&request, checks), body.chars().count())
    }

    /// Each thing a request may hold one more of grows the bound by at least
    /// what it grows the body, and by little more: the bound counts each
    /// item with what the templates write around it, not a round guess.
    #[test]
    fn one_more_of_anything_grows_the_bound_as_much_as_the_body() {
        let renderer = Renderer::new(None).expect("built-in templates");
        let base = "title = \"t\"\nproject = \"p\"\nrequest = \"r\"\nreason = \"r\"\naffected_apps = [\"a\", \"b\", \"c\"]\njustification = \"j\"\n\n[[rules]]\ncomment = \"web\"\nports = [443, 8443]\nsources = [\"10.1.0.0/24\", \"10.2.0.0/24\", \"10.3.0.0/24\"]\ndestinations = [\"a.example.com\", \"b.example.com\", \"c.example.com\"]\n\n[test]\nsteps = [\"one\"]\ncommands = [\"ls\"]\n";
        let (bound, len) = measured(&renderer, base);
        // Where one more destination goes: after the last.
        let last = "\"c.example.com\"]";
        for (what, from, to) in [
            ("an application", "\"c\"]", "\"c\", \"application-d\"]"),
            ("a port", "8443]", "8443, 9092]"),
            ("a port range", "8443]", "8443, \"8000-8050\"]"),
            (
                "a source",
                "\"10.3.0.0/24\"]",
                "\"10.3.0.0/24\", \"10.4.0.0/24\"]",
            ),
            (
                "a destination",
                last,
                "\"c.example.com\", \"d.example.com\"]",
            ),
            (
                "a Unicode destination",
                last,
                "\"c.example.com\", \"münchen.example.com\"]",
            ),
            (
                "a wildcard",
                last,
                "\"c.example.com\", { host = \"*.w.example.com\", probe = \"a.w.example.com\" }]",
            ),
            // One rule's comment heads its checks only (a rule among several
            // shows it in its key points too, which the bound counts).
            ("a longer comment", "\"web\"", "\"web and the registry\""),
            (
                "a rule",
                "\n[test]",
                "\n[[rules]]\nprotocol = \"udp\"\nports = [514]\nsources = [\"10.9.0.0/24\"]\ndestinations = [\"logs.example.com\"]\n\n[test]",
            ),
            ("a step", "\"one\"]", "\"one\", \"two\"]"),
            ("a command", "\"ls\"]", "\"ls\", \"uptime\"]"),
            (
                "a test host",
                "[test]\n",
                "[test]\nhost = \"brent@10.188.50.201\"\n",
            ),
            (
                "requested_by",
                "justification = \"j\"\n",
                "justification = \"j\"\nrequested_by = \"Brent\"\n",
            ),
        ] {
            let text = base.replacen(from, to, 1);
            assert_ne!(text, base, "{what}");
            let (more_bound, more_len) = measured(&renderer, &text);
            let (grew, body_grew) = (more_bound - bound, more_len - len);
            // A rule's literals are counted at their longest (a deny, ICMP,
            // any source).
            let spare = match what {
                "a longer comment" => 17,
                "a rule" => 40,
                _ => 12,
            };
            assert!(
                grew >= body_grew && grew <= body_grew + spare,
                "{what}: the bound grew {grew}, the body {body_grew}"
            );
        }
    }

    /// The bound is never under the real length, for the bundled examples and
    /// requests of every shape and size, and not so far over it that most
    /// bodies are rendered anyway.
    #[test]
    fn the_bound_is_never_under_the_rendered_body() {
        let renderer = Renderer::new(None).expect("built-in templates");
        let mut texts: Vec<String> = [
            include_str!("../../requests/avilla-calico-registry.toml"),
            include_str!("../../requests/albion-plant-time-and-logs.toml"),
            include_str!("../../requests/southfield-observability.toml"),
        ]
        .map(String::from)
        .to_vec();
        for seed in 0..60 {
            let (rules, dests) = (1 + seed as usize % 4, 1 + (seed as usize * 7) % 40);
            texts.push(request(seed, rules, dests, seed % 2 == 0));
        }
        for text in texts {
            let (bound, len) = measured(&renderer, &text);
            assert!(bound >= len, "bound {bound} < {len} for\n{text}");
            assert!(
                bound <= len + len / 10 + 400,
                "bound {bound} far over {len}"
            );
        }
    }
}
