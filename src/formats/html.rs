//! Markdown to HTML that is safe to open: spec text may hold `<script>`,
//! `onerror=` or `javascript:` links, and none of it may become a live element
//! or attribute. pulldown-cmark passes raw HTML through and keeps every link
//! target, so its events are filtered before its HTML writer sees them: raw
//! HTML becomes text, links keep their target only for http, https and mailto,
//! and images become their alt text (a page loads nothing from outside).

use super::Ticket;
use crate::render::Renderer;
use minijinja::context;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// The parser options every format uses (GitHub-style tables and strikethrough).
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES.union(Options::ENABLE_STRIKETHROUGH)
}

/// Whether a link target may stay a link: it must start with one of these
/// schemes as written. The writer percent-encodes anything else before it (a
/// space, a control character), so a browser would read such a target as a
/// relative path, not as the scheme after it.
fn allowed_link(dest: &str) -> bool {
    ["http://", "https://", "mailto:"].iter().any(|scheme| {
        dest.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    })
}

/// The Markdown's events with everything that could become markup made inert.
pub(crate) fn safe_events(markdown: &str) -> Vec<Event<'_>> {
    let mut events = Vec::new();
    // For each open link or image: whether its start tag was kept.
    let mut open: Vec<bool> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Html(text) | Event::InlineHtml(text) => events.push(Event::Text(text)),
            Event::Start(Tag::HtmlBlock) => events.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::Paragraph)),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let keep = allowed_link(&dest_url);
                open.push(keep);
                if keep {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if open.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            // An image's alt text stays, as text: nothing is loaded.
            Event::Start(Tag::Image { .. }) => open.push(false),
            Event::End(TagEnd::Image) => {
                open.pop();
            }
            Event::FootnoteReference(label) => {
                events.push(Event::Text(CowStr::from(format!("[^{label}]"))));
            }
            other => events.push(other),
        }
    }
    events
}

/// The Markdown as a safe HTML fragment. Code blocks scroll sideways, so
/// each takes the keyboard focus (`tabindex="0"`): arrow keys then scroll it.
/// Spec text cannot write a `<pre>` of its own (raw HTML is text here).
pub fn fragment(markdown: &str) -> String {
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, safe_events(markdown).into_iter());
    out.replace("<pre>", "<pre tabindex=\"0\">")
}

/// What one page (`page.html.j2`) shows: a ticket with its lint warnings,
/// or a request's errors in place of a ticket (`site`).
#[derive(Debug, Default)]
pub struct Page<'a> {
    pub title: &'a str,
    /// The Markdown body; empty for a request with errors.
    pub markdown: &'a str,
    /// Diagnostics as text, as `check` prints them.
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
    /// The link back to a site's index.
    pub home: Option<String>,
}

impl<'a> Page<'a> {
    /// A ticket's page, before any warnings.
    pub fn of(ticket: &'a Ticket) -> Self {
        Page {
            title: &ticket.title,
            markdown: &ticket.markdown,
            ..Page::default()
        }
    }
}

/// One complete, self-contained page: the Markdown made safe, the Markdown
/// itself for the copy button, and the diagnostics.
pub(crate) fn page(renderer: &Renderer, page: Page) -> anyhow::Result<String> {
    renderer
        .page(
            "page.html.j2",
            context! {
                title => page.title,
                body => minijinja::Value::from_safe_string(fragment(page.markdown)),
                markdown => page.markdown,
                warnings => page.warnings,
                errors => page.errors,
                home => page.home,
            },
        )
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_becomes_text() {
        assert_eq!(
            fragment("a <b onclick=\"x()\">b</b>\n\n<script>alert(1)</script>\n"),
            "<p>a &lt;b onclick=\"x()\"&gt;b&lt;/b&gt;</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;\n</p>\n"
        );
    }

    #[test]
    fn only_web_and_mail_links_keep_their_target() {
        assert_eq!(
            fragment(
                "[a](https://example.com) [b](javascript:alert(1)) [c]( JavaScript:x) <mailto:a@example.com> [d](data:text/html,x) [e](/relative)"
            ),
            "<p><a href=\"https://example.com\">a</a> b c <a href=\"mailto:a@example.com\">mailto:a@example.com</a> d e</p>\n"
        );
    }

    /// A browser reads `%01https://...` or `%20https://...` as a path, so
    /// such a target is no link at all; a scheme in capitals still is.
    #[test]
    fn a_link_is_judged_by_its_target_as_written() {
        assert_eq!(
            fragment(
                "[a](<\u{1}https://example.com>) [b](< https://example.com>) [c](HTTPS://example.com) [d](<http:>)"
            ),
            "<p>a b <a href=\"HTTPS://example.com\">c</a> d</p>\n"
        );
    }

    /// Request fields may hold GitHub tables and strikethrough; every format
    /// parses them alike.
    #[test]
    fn tables_and_strikethrough_render() {
        assert_eq!(
            fragment("| port | why |\n|---|---|\n| 443 | ~~old~~ new |\n"),
            "<table><thead><tr><th>port</th><th>why</th></tr></thead><tbody>\n<tr><td>443</td><td><del>old</del> new</td></tr>\n</tbody></table>\n"
        );
    }

    #[test]
    fn images_become_their_alt_text() {
        assert_eq!(
            fragment("![tracker](https://evil.example/p.gif) ![x](javascript:y)"),
            "<p>tracker x</p>\n"
        );
    }
}
