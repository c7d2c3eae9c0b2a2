//! `raw-html`: a text pulldown-cmark reads as HTML, which every output shows as text.

use super::{Context, Found};
use crate::names::Lint;

declare_lints! {
    /// a text holds raw HTML, which every output shows as text (write Markdown instead)
    ///
    /// ```toml
    /// request = "Open <b>443</b> from the plant to the registry"
    /// ```
    RawHtml = "raw-html", Warn, Some(raw_html);
}

fn raw_html(cx: &Context, found: &mut Found) {
    use pulldown_cmark::{Event, Parser};
    // HTML, a block or inline, starts with `<`: a text without one is not
    // parsed at all.
    for (key, span, text) in cx
        .request
        .spans
        .markdown
        .iter()
        .filter(|(_, _, t)| t.contains('<'))
    {
        let html = Parser::new(text).find_map(|e| match e {
            Event::Html(h) | Event::InlineHtml(h) => Some(h.trim().to_string()),
            _ => None,
        });
        if let Some(html) = html {
            // The first tag is enough to recognise it.
            let first = html.find('>').map_or(html.as_str(), |end| &html[..=end]);
            let shown: String = first.chars().take(60).collect();
            found.warn(
                Lint::RawHtml,
                span.clone(),
                format!("`{key}` holds raw HTML (`{shown}`): the ticket shows it as text, not as markup"),
                "write Markdown instead (**bold**, [text](https://...)), or write \\< for a literal <".into(),
            );
        }
    }
}
