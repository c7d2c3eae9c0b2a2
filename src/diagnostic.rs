//! Diagnostics: typed problems with a byte span, rendered as text only at the edge.
//!
//! Every problem fwreq reports points at the offending value in the user's file.
//! The first line is always `PATH:LINE:COL: severity[: or [code]:] MESSAGE`, the
//! shape that editors and CI problem matchers parse; an excerpt with carets and a
//! `help:` line follow. Nothing here decides *what* is wrong; it only says it well.
//!
//! It is also the one place that escapes what a file holds before it reaches a
//! terminal ([`escape`]): excerpts, messages, paths and table cells all go
//! through it, so a file cannot send escape sequences or reorder what a
//! reviewer reads.

use crate::names::{Lint, nearest};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use unicode_width::UnicodeWidthChar;

/// How bad a problem is. Errors stop `render`; warnings are lints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem in one file, located by a byte range of the file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The lint that found it (shown by its stable name); `None` for plain errors.
    pub code: Option<Lint>,
    pub message: String,
    pub span: Range<usize>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: None,
            message: message.into(),
            span,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Why a value was refused, before it has a place in a file: the grammar
/// (`validate`), lint names (`names`), ticket numbers and the command line all
/// say it the same way, and `at` gives it its place.
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

    /// The diagnostic for this problem at `span` of a file.
    pub fn at(self, span: Range<usize>) -> Diagnostic {
        let diag = Diagnostic::error(span, self.message);
        match self.help {
            Some(help) => diag.with_help(help),
            None => diag,
        }
    }
}

/// `message (help)`, for the command line, where there is no excerpt.
/// A lint by its name, or the nearest name as help. Here rather than in
/// `names`, which imports nothing of the crate: `Invalid` is this module's.
impl std::str::FromStr for Lint {
    type Err = Invalid;

    fn from_str(name: &str) -> Result<Self, Invalid> {
        Lint::named(name).ok_or_else(|| {
            Invalid::new(format!("unknown lint `{name}`")).help(
                match nearest(name, Lint::ALL.iter().map(|l| l.name())) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => "`fwreq check --list-lints` lists them".into(),
                },
            )
        })
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match &self.help {
            Some(help) => write!(f, "{} ({help})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Invalid {}

/// A file's path and text, kept together so byte spans can become line:column.
#[derive(Debug)]
pub struct Source {
    path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            path: path.into(),
            text,
            line_starts,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The line and column of a byte offset (clamped to the text, and to
    /// the start of the character it falls inside).
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let before = &self.text[start..offset];
        // A byte order mark is not a column anyone can see.
        let column = before
            .strip_prefix('\u{feff}')
            .unwrap_or(before)
            .chars()
            .count()
            + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// A line's text (no byte order mark, no `\r`) and the byte offset in
    /// the file where that text starts.
    fn line(&self, line: usize) -> (usize, &str) {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e - 1);
        let text = self.text.get(start..end).unwrap_or("");
        let unmarked = text.strip_prefix('\u{feff}').unwrap_or(text);
        (
            start + text.len() - unmarked.len(),
            unmarked.trim_end_matches('\r'),
        )
    }
}

/// Whether a character must not reach a terminal as itself: C0 controls
/// (tab aside, which only moves the cursor), DEL, C1 controls (ESC's 8-bit
/// forms), bidi controls that reorder the line (CVE-2021-42574) and
/// zero-width characters that hide text.
pub(crate) fn is_hidden_or_control(c: char) -> bool {
    (c.is_control() && c != '\t')
        || is_bidi_control(c)
        || is_zero_width(c)
        || is_variation_selector(c)
}

/// Variation selectors, and the other invisible format characters (Unicode's
/// category Cf) not named above: a run of them after one visible character
/// can carry hidden bytes ("emoji smuggling").
#[rustfmt::skip]
fn is_variation_selector(c: char) -> bool {
    matches!(
        c,
        '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}' | '\u{0600}'..='\u{0605}'
            | '\u{06dd}' | '\u{070f}' | '\u{0890}'..='\u{0891}' | '\u{08e2}' | '\u{110bd}'
            | '\u{110cd}' | '\u{13430}'..='\u{1343f}' | '\u{1d173}'..='\u{1d17a}'
    )
}

/// The bidi controls: embeddings, overrides, isolates and marks.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Characters a reader cannot see: zero-width ones, invisible operators,
/// the soft hyphen, fillers that look like blanks, Unicode tags (which can
/// spell hidden ASCII), and the line and paragraph separators.
#[rustfmt::skip]
pub(crate) fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}' | '\u{034f}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
            | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200d}' | '\u{2028}' | '\u{2029}'
            | '\u{2060}'..='\u{2064}' | '\u{206a}'..='\u{206f}' | '\u{3164}' | '\u{feff}'
            | '\u{ffa0}' | '\u{fff9}'..='\u{fffb}' | '\u{1bca0}'..='\u{1bca3}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// How one character is shown on a terminal: itself, or `\u{..}` when it is
/// a control, bidi or zero-width character.
fn visible_char(c: char) -> String {
    if is_hidden_or_control(c) {
        format!("\\u{{{:x}}}", u32::from(c))
    } else {
        c.to_string()
    }
}

/// Terminal cells one character takes once shown.
fn shown_width(c: char) -> usize {
    if is_hidden_or_control(c) {
        visible_char(c).len()
    } else {
        UnicodeWidthChar::width(c).unwrap_or(0)
    }
}

/// Text from a user's file made safe for a terminal: every control, bidi and
/// zero-width character as `\u{..}` (ESC is `\u{1b}`, a newline `\u{a}`);
/// tabs stay. Multi-line texts go through [`escape_lines`].
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden_or_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(visible_char).collect())
}

/// [`escape`] line by line, the line breaks kept: for messages that span lines.
pub fn escape_lines(text: &str) -> String {
    text.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// Terminal styling for the excerpt; plain text when off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// `text` in the SGR colour `code` (`31` red, `1;32` bold green) when on.
    pub fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Renders one diagnostic: the `PATH:LINE:COL: ...` line, then the excerpt and help.
pub fn render(source: &Source, diag: &Diagnostic, style: Style) -> String {
    let start = source.position(diag.span.start);
    let label = match diag.code {
        Some(code) => format!("{}[{code}]", diag.severity.as_str()),
        None => diag.severity.as_str().to_string(),
    };
    let color = match diag.severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
    };
    let mut out = format!(
        "{}:{}:{}: {}: {}\n",
        escape(&source.path().display().to_string()),
        start.line,
        start.column,
        style.paint(color, &label),
        escape_lines(&diag.message)
    );
    if !source.text.is_empty() {
        let (line_start, line_text) = source.line(start.line);
        let at = floor_char_boundary(line_text, diag.span.start.saturating_sub(line_start));
        // A span that goes on past its line is marked to the line's end
        // (`floor_char_boundary` clamps to it).
        let end = floor_char_boundary(line_text, diag.span.end.saturating_sub(line_start).max(at));
        let shown = excerpt(line_text, at, end);
        let gutter = " ".repeat(start.line.to_string().len());
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{} | {}", start.line, shown.text);
        let _ = writeln!(
            out,
            "{gutter} | {}{}",
            shown.indent,
            style.paint(color, &"^".repeat(shown.carets))
        );
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(
            out,
            "  = {}: {}",
            style.paint("1;36", "help"),
            escape_lines(help)
        );
    }
    out
}

/// At most this many terminal cells of a line are shown under a diagnostic.
/// A longer line (a whole list written on one line) is cut around the marked
/// value, so every excerpt stays short however long its line is: a file with
/// thousands of errors on one line cannot make a report of gigabytes.
const EXCERPT_CELLS: usize = 120;
/// Of those, at most this many before the marked value, and at most
/// `EXCERPT_CELLS - EXCERPT_BEFORE` for the marked value itself.
const EXCERPT_BEFORE: usize = 40;

/// The line as shown under a diagnostic: escaped, cut with `…` where it is
/// too long, and what puts the carets under the marked value.
struct Excerpt {
    text: String,
    /// What goes before the carets: a space per cell, tabs kept as tabs so
    /// they line up in any terminal.
    indent: String,
    /// How many carets: the cells the marked value takes once escaped.
    carets: usize,
}

/// The excerpt of `line` with `line[at..end]` marked (byte offsets on
/// character boundaries).
fn excerpt(line: &str, at: usize, end: usize) -> Excerpt {
    let (before, marked, after) = (&line[..at], &line[at..end], &line[end..]);
    let (left, shown_marked, right) = if cells_within(line, EXCERPT_CELLS).len() == line.len() {
        (before, marked, after)
    } else {
        window(before, marked, after)
    };
    let cut_left = left.len() < before.len();
    // What is shown runs on from `at` without a gap (`right` is empty when
    // the value was cut).
    let cut_right = at + shown_marked.len() + right.len() < line.len();
    let mut text = String::new();
    let mut indent = String::new();
    if cut_left {
        text.push('…');
        indent.push(' ');
    }
    text.push_str(&escape(left));
    text.push_str(&escape(shown_marked));
    text.push_str(&escape(right));
    if cut_right {
        text.push('…');
    }
    for c in left.chars() {
        if c == '\t' {
            indent.push('\t');
        } else {
            indent.push_str(&" ".repeat(shown_width(c)));
        }
    }
    Excerpt {
        text,
        indent,
        // Carets are counted in terminal cells: a CJK character takes two.
        carets: width(shown_marked).max(1),
    }
}

/// What of a line too long to show whole is shown: the last characters
/// before the value that fit, the value (cut if it is too wide itself), then
/// what fits after it.
fn window<'a>(before: &'a str, marked: &'a str, after: &'a str) -> (&'a str, &'a str, &'a str) {
    let mut cells = 0;
    let from = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| {
            cells += cost(c);
            cells <= EXCERPT_BEFORE
        })
        .last()
        .map_or(before.len(), |(i, _)| i);
    let left = &before[from..];
    let shown = cells_within(marked, EXCERPT_CELLS - EXCERPT_BEFORE);
    let right = if shown.len() < marked.len() {
        ""
    } else {
        let used: usize = left.chars().chain(shown.chars()).map(cost).sum();
        cells_within(after, EXCERPT_CELLS.saturating_sub(used))
    };
    (left, shown, right)
}

/// What a character costs of an excerpt's budget: its cells, and at least
/// one, so that width-0 characters (combining marks, tabs) cannot make a
/// line of any length "fit".
fn cost(c: char) -> usize {
    shown_width(c).max(1)
}

/// The longest start of `text` that costs at most `cells` (looks no further
/// than it needs to).
fn cells_within(text: &str, cells: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += cost(c);
        if used > cells {
            return &text[..i];
        }
    }
    text
}

/// The terminal cells a text takes once escaped.
fn width(text: &str) -> usize {
    text.chars().map(shown_width).sum()
}

/// `at`, or the start of the character it falls inside.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Every diagnostic as plain text (no colour), one string each: for pages.
pub(crate) fn plain(source: &Source, diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .map(|d| render(source, d, Style { color: false }))
        .collect()
}

/// One diagnostic as tools read it (`fwreq check --format json`).
#[derive(Debug, Serialize)]
pub(crate) struct JsonDiagnostic {
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// Where the offending value ends (exclusive column).
    pub end: Position,
    pub severity: &'static str,
    pub code: Option<&'static str>,
    pub message: String,
    pub help: Option<String>,
}

pub(crate) fn to_json(source: &Source, diag: &Diagnostic) -> JsonDiagnostic {
    let start = source.position(diag.span.start);
    JsonDiagnostic {
        path: source.path().display().to_string(),
        line: start.line,
        column: start.column,
        end: source.position(diag.span.end.max(diag.span.start)),
        severity: diag.severity.as_str(),
        code: diag.code.map(Lint::name),
        message: diag.message.clone(),
        help: diag.help.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `message` at `span` of `src`, rendered without colour.
    fn plain(src: &Source, span: std::ops::Range<usize>, message: &str) -> String {
        render(
            src,
            &Diagnostic::error(span, message),
            Style { color: false },
        )
    }

    #[test]
    fn unknown_lint_names_get_a_suggestion() {
        assert_eq!("cleartext-port".parse::<Lint>(), Ok(Lint::CleartextPort));
        let err = "cleartext-ports".parse::<Lint>().unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `cleartext-port`?"));
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let src = Source::new("a.toml", "a = 1\nb = \"ü\" x\n".to_string());
        assert_eq!(src.position(0), Position { line: 1, column: 1 });
        assert_eq!(src.position(6), Position { line: 2, column: 1 });
        // 'x' comes after a two-byte character: byte 15, character column 9.
        assert_eq!(src.position(15), Position { line: 2, column: 9 });
    }

    /// Carets line up under tabs and cover wide characters; after those,
    /// the next caret sits under what follows.
    #[test]
    fn carets_line_up_under_tabs_and_wide_characters() {
        let wide = "a = \"公司\" \"x\"\n";
        for (line, span, want) in [
            (
                "\tports = [0]\n",
                10..11,
                "1 | \tports = [0]\n  | \t         ^\n",
            ),
            (wide, 4..12, "1 | a = \"公司\" \"x\"\n  |     ^^^^^^\n"),
            (wide, 13..16, "1 | a = \"公司\" \"x\"\n  |            ^^^\n"),
        ] {
            let text = plain(&Source::new("r.toml", line.to_string()), span, "bad");
            assert!(text.ends_with(want), "{text:?}");
        }
    }

    #[test]
    fn a_byte_order_mark_takes_no_column() {
        let src = Source::new("r.toml", "\u{feff}ports = [0]\n".to_string());
        // `0` is byte 12: three bytes of BOM, then `ports = [`.
        assert_eq!(
            src.position(12),
            Position {
                line: 1,
                column: 10
            }
        );
        let text = plain(&src, 12..13, "port 0");
        assert_eq!(
            text,
            "r.toml:1:10: error: port 0\n  |\n1 | ports = [0]\n  |          ^\n"
        );
    }

    #[test]
    fn colour_marks_the_label_and_carets_only() {
        let src = Source::new("r.toml", "ports = [80]\n".to_string());
        let diag = Diagnostic {
            severity: Severity::Warning,
            code: Some(Lint::CleartextPort),
            message: "tcp port 80".into(),
            span: 9..11,
            help: None,
        };
        let text = render(&src, &diag, Style { color: true });
        assert!(
            text.starts_with(
                "r.toml:1:10: \x1b[1;33mwarning[cleartext-port]\x1b[0m: tcp port 80\n"
            )
        );
        assert!(text.ends_with("  |          \x1b[1;33m^^\x1b[0m\n"));
    }

    #[test]
    fn controls_are_escaped_and_carets_still_line_up() {
        let src = Source::new(
            "r\u{1b}.toml",
            "a = \"\u{202e}x\" # \u{1b}]52;c;AA\u{7}\n".to_string(),
        );
        let text = render(
            &src,
            &Diagnostic::error(4..10, "bad \"\u{9b}\"").with_help("\u{7f}"),
            Style { color: false },
        );
        assert_eq!(
            text,
            "r\\u{1b}.toml:1:5: error: bad \"\\u{9b}\"\n  |\n1 | a = \"\\u{202e}x\" # \\u{1b}]52;c;AA\\u{7}\n  |     ^^^^^^^^^^^\n  = help: \\u{7f}\n"
        );
        // After an escaped character, the caret sits under what follows it.
        let text = plain(&src, 11..12, "comment");
        assert!(text.ends_with("  |                 ^\n"), "{text}");
    }

    #[test]
    fn escape_keeps_tabs_and_plain_text() {
        assert_eq!(escape("a\tb ü 公司"), "a\tb ü 公司");
        assert_eq!(
            escape("\u{0}\n\u{85}\u{200b}\u{feff}"),
            "\\u{0}\\u{a}\\u{85}\\u{200b}\\u{feff}"
        );
        assert_eq!(escape_lines("a\u{1b}\nb"), "a\\u{1b}\nb");
    }

    #[test]
    fn renders_location_excerpt_and_help() {
        let src = Source::new("r.toml", "ports = [80, 70000]\n".to_string());
        let diag = Diagnostic::error(13..18, "port 70000 is out of range").with_help("1-65535");
        let text = render(&src, &diag, Style { color: false });
        assert_eq!(
            text,
            "r.toml:1:14: error: port 70000 is out of range\n  |\n1 | ports = [80, 70000]\n  |              ^^^^^\n  = help: 1-65535\n"
        );
    }

    /// A value in the middle of a long line: 40 cells before it, the value,
    /// then what fits in 120 cells, each cut marked with `…`.
    #[test]
    fn a_long_line_is_cut_around_the_value() {
        let before = format!("a = [{}", "1, ".repeat(40));
        let after = format!("{}]", ", 2".repeat(40));
        let src = Source::new("r.toml", format!("{before}999999{after}\n"));
        let diag = Diagnostic::error(before.len()..before.len() + 6, "bad");
        let text = render(&src, &diag, Style { color: false });
        let shown = format!(
            "…{}999999{}…",
            " 1,".repeat(13) + " ",
            ", 2".repeat(24) + ", "
        );
        assert_eq!(
            text,
            format!(
                "r.toml:1:126: error: bad\n  |\n1 | {shown}\n  | {}^^^^^^\n",
                " ".repeat(41)
            )
        );
        assert_eq!(shown.chars().count(), 122, "120 cells and two cuts");
    }

    /// At either end of the line, nothing is cut on that side; a value wider
    /// than 80 cells gets 80 carets and the cut after it.
    #[test]
    fn a_long_line_is_cut_only_where_it_goes_on() {
        let line = format!("{}\n", "x".repeat(200));
        let src = Source::new("r.toml", line.clone());
        let start = plain(&src, 0..3, "bad");
        assert_eq!(
            start,
            format!(
                "r.toml:1:1: error: bad\n  |\n1 | {}…\n  | ^^^\n",
                "x".repeat(120)
            )
        );
        let end = plain(&src, 197..200, "bad");
        assert_eq!(
            end,
            format!(
                "r.toml:1:198: error: bad\n  |\n1 | …{}\n  | {}^^^\n",
                "x".repeat(43),
                " ".repeat(41)
            )
        );
        let wide = plain(&src, 10..190, "bad");
        // A value cut before the end of its line is cut all the same.
        let to_the_end = plain(&src, 10..200, "bad");
        assert_eq!(to_the_end, wide);
        assert_eq!(
            wide,
            format!(
                "r.toml:1:11: error: bad\n  |\n1 | {}…\n  | {}{}\n",
                "x".repeat(90),
                " ".repeat(10),
                "^".repeat(80)
            )
        );
    }

    /// Characters of no width (combining marks, tabs) count too: a line of
    /// them is cut like any other.
    #[test]
    fn a_line_of_zero_width_characters_is_cut_too() {
        for filler in ["\u{301}", "\t"] {
            let line = format!("a = \"!{}\"\n", filler.repeat(20_000));
            let src = Source::new("r.toml", line);
            let text = plain(&src, 5..6, "bad");
            assert!(text.len() < 1_000, "{filler:?}: {} bytes", text.len());
            assert!(text.contains("…\n"), "{text}");
        }
    }

    /// A wide character (CJK) costs its two cells: a line of them is cut
    /// at 120 cells, 60 characters, not at 120 characters.
    #[test]
    fn wide_characters_cost_their_two_cells() {
        let src = Source::new("r.toml", format!("{}\n", "公".repeat(200)));
        let text = plain(&src, 0..3, "bad");
        assert_eq!(
            text,
            format!(
                "r.toml:1:1: error: bad\n  |\n1 | {}…\n  | ^^\n",
                "公".repeat(60)
            )
        );
    }

    /// A span that ends inside a character (no parser makes one, but an
    /// excerpt must never panic) is taken back to that character's start.
    #[test]
    fn a_span_inside_a_character_is_taken_to_its_start() {
        assert_eq!(floor_char_boundary("a公b", 2), 1);
        assert_eq!(floor_char_boundary("a公b", 4), 4);
        assert_eq!(floor_char_boundary("a公b", 9), 5);
        let src = Source::new("r.toml", "a公b\n".to_string());
        assert_eq!(src.position(2), Position { line: 1, column: 2 });
        assert_eq!(src.position(4), Position { line: 1, column: 3 });
        let src = Source::new("r.toml", "a = \"公\"\n".to_string());
        let text = plain(&src, 6..7, "bad");
        assert!(text.ends_with("1 | a = \"公\"\n  |      ^\n"), "{text}");
    }

    /// Thousands of errors on one line: the report grows with their number,
    /// not with their number times the line's length.
    #[test]
    fn many_errors_on_one_long_line_make_a_short_report() {
        let values: Vec<String> = (0..5000).map(|i| format!("\"bad{i}!\"")).collect();
        let line = format!("destinations = [{}]\n", values.join(", "));
        let src = Source::new("r.toml", line.clone());
        let mut total = 0;
        let mut at = "destinations = [".len();
        for value in &values {
            total += plain(&src, at..at + value.len(), "bad").len();
            at += value.len() + 2;
        }
        assert!(line.len() > 50_000);
        assert!(total < 5000 * 400, "{total} bytes");
    }
}
