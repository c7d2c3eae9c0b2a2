//! The `[code]...[/code]` fragment for ServiceNow journal fields (Work notes,
//! Additional comments), which render HTML between those tags where the
//! instance allows it (`glide.ui.security.allow_codetag`, the default).
//!
//! Journal text may show its line breaks as breaks, so the fragment has none
//! except inside `<pre>`, where code needs them. Square brackets become
//! entities, so no spec text can close the `[code]` block early.

use super::html::safe_events;
use pulldown_cmark::{CowStr, Event};

/// The Markdown body as one `[code]` fragment.
pub(crate) fn work_notes(markdown: &str) -> String {
    let events = safe_events(markdown).into_iter().map(|e| match e {
        Event::SoftBreak => Event::Text(CowStr::Borrowed(" ")),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    let mut out = String::new();
    out.push_str("[code]");
    // Outside <pre>...</pre> a newline only follows a tag: drop it.
    for piece in html.split_inclusive("</pre>") {
        let (flat, pre) = piece.split_at(piece.find("<pre").unwrap_or(piece.len()));
        push_flat(&mut out, flat);
        push_brackets_escaped(&mut out, pre);
    }
    out.push_str("[/code]");
    out
}

fn push_flat(out: &mut String, html: &str) {
    push_brackets_escaped(out, &html.replace('\n', ""));
}

fn push_brackets_escaped(out: &mut String, html: &str) {
    for c in html.chars() {
        match c {
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_stay_only_inside_pre() {
        assert_eq!(
            work_notes("# T\n\nline one\nline two\n\n```bash\ncurl a\ncurl b\n```\n"),
            "[code]<h1>T</h1><p>line one line two</p><pre><code class=\"language-bash\">curl a\ncurl b\n</code></pre>[/code]"
        );
    }

    #[test]
    fn spec_text_cannot_close_the_code_block() {
        assert_eq!(
            work_notes("a [/code] <script>x</script>"),
            "[code]<p>a &#91;/code&#93; &lt;script&gt;x&lt;/script&gt;</p>[/code]"
        );
    }
}
