//! `hidden-characters`: bidi controls and zero-width characters anywhere in
//! the file (every text value and comment): they make a line read otherwise
//! than it is.

use super::{Context, Found};
use crate::diagnostic::{is_bidi_control, is_zero_width};
use crate::names::Lint;

declare_lints! {
    /// a bidi control or zero-width character in the file: what a reviewer sees is not what it says (CVE-2021-42574)
    ///
    /// ```toml
    /// # the file holds U+202E (right-to-left override) itself where this shows
    /// # \u202E: the TOML escape alone is plain text in the file and is not found
    /// title = "Open 443 to the registry \u202E for the rollout"
    /// ```
    HiddenCharacters = "hidden-characters", Warn, Some(hidden_characters);
}

/// Each one at its position. A byte order mark at the very start is not text.
fn hidden_characters(cx: &Context, found: &mut Found) {
    let text = cx.source.text.as_str();
    // Every hidden character is outside ASCII: the scan starts at the first
    // byte that is (most files have none).
    let first = text
        .bytes()
        .position(|b| !b.is_ascii())
        .unwrap_or(text.len());
    let hidden = text[first..]
        .char_indices()
        .map(|(i, c)| (first + i, c))
        .filter(|&(i, c)| is_bidi_control(c) || (is_zero_width(c) && !(i == 0 && c == '\u{feff}')));
    for (at, c) in hidden {
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
        found.warn(
            Lint::HiddenCharacters,
            at..at + c.len_utf8(),
            format!("U+{:04X} ({}) {what}", u32::from(c), char_name(c)),
            help.into(),
        );
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
}
