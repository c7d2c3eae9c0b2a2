//! IDNA2008 on the Unicode form of a name: RFC 5891 section 5.4 for each
//! label (NFC, hyphens, no leading mark, each code point's RFC 5892 derived
//! property and the CONTEXTJ and CONTEXTO rules) and the RFC 5893 Bidi rule
//! over the whole name. What a registry can hold, no more and no less: UTS 46
//! (the `idna` crate) maps what people type, and these rules judge the result.
//!
//! The tables are data (`data/idna2008-tables.txt`, refreshed by
//! `data/refresh-idna-tables.sh`), compiled by `build.rs` into sorted ranges:
//! one binary search per code point, nothing parsed at start.

/// A code point's RFC 5892 derived property; one in no range is DISALLOWED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Pvalid,
    ContextJ,
    ContextO,
    Unassigned,
}

/// `PROPS` (first, last, class, bidi class, mark), `JOINING`, `SCRIPT` and
/// `CCC` (first, last, value), `DECOMPOSITION` (code point, first, second or
/// 0), `COMPOSITION` (first, second, composite) and `COMPOSES_BACKWARDS`
/// (the second code points of those pairs), made by `build.rs`.
mod tables {
    use super::Class;
    include!(concat!(env!("OUT_DIR"), "/idna2008.rs"));
}

/// The Unicode version of the tables (shown by `fwreq --version`).
pub const UNICODE_VERSION: &str = env!("FWREQ_IDNA_UNICODE");

/// Why IDNA2008 refuses a name: the code point and the rule, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub help: &'static str,
}

impl Refusal {
    fn new(message: String, help: &'static str) -> Self {
        Refusal { message, help }
    }
}

/// `` `·` (U+00B7) ``, or the name of a character that cannot be seen.
fn show(c: char) -> String {
    match c {
        '\u{200C}' => "U+200C (zero width non-joiner)".into(),
        '\u{200D}' => "U+200D (zero width joiner)".into(),
        _ => format!("`{c}` (U+{:04X})", u32::from(c)),
    }
}

struct Props {
    class: Option<Class>,
    bidi: &'static str,
    mark: bool,
}

/// The properties of a code point; ASCII, common in Unicode labels too
/// (`münchen-api`), without a search.
fn props(c: char) -> Props {
    let (class, bidi) = match c {
        'a'..='z' => (Some(Class::Pvalid), "L"),
        '0'..='9' => (Some(Class::Pvalid), "EN"),
        '-' => (Some(Class::Pvalid), "ES"),
        _ if c.is_ascii() => (None, ""),
        _ => return table_props(c),
    };
    Props {
        class,
        bidi,
        mark: false,
    }
}

fn table_props(c: char) -> Props {
    let cp = u32::from(c);
    let i = tables::PROPS.partition_point(|r| r.1 < cp);
    match tables::PROPS.get(i) {
        Some(&(first, _, class, bidi, mark)) if first <= cp => Props {
            class: Some(class),
            bidi,
            mark,
        },
        _ => Props {
            class: None,
            bidi: "",
            mark: false,
        },
    }
}

/// The value of the range holding `c` in a sorted table of disjoint ranges.
fn lookup<T: Copy>(table: &[(u32, u32, T)], c: char) -> Option<T> {
    let cp = u32::from(c);
    let i = table.partition_point(|r| r.1 < cp);
    table.get(i).filter(|r| r.0 <= cp).map(|r| r.2)
}

/// The canonical combining class (0 for a starter); 9 is the virama.
fn ccc(c: char) -> u8 {
    lookup(tables::CCC, c).unwrap_or(0)
}

// Hangul syllables decompose and compose by arithmetic (Unicode 3.12).
const S_BASE: u32 = 0xAC00;
const L_BASE: u32 = 0x1100;
const V_BASE: u32 = 0x1161;
const T_BASE: u32 = 0x11A7;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
const S_COUNT: u32 = 19 * V_COUNT * T_COUNT;

/// Appends the canonical decomposition of `c` (NFD, before reordering).
fn decompose(c: char, out: &mut Vec<char>) {
    let cp = u32::from(c);
    if (S_BASE..S_BASE + S_COUNT).contains(&cp) {
        let s = cp - S_BASE;
        let jamo = [
            L_BASE + s / (V_COUNT * T_COUNT),
            V_BASE + (s % (V_COUNT * T_COUNT)) / T_COUNT,
            T_BASE + s % T_COUNT,
        ];
        let n = if s.is_multiple_of(T_COUNT) { 2 } else { 3 };
        out.extend(jamo[..n].iter().filter_map(|&j| char::from_u32(j)));
        return;
    }
    match tables::DECOMPOSITION.binary_search_by_key(&cp, |d| d.0) {
        Ok(i) => {
            let (_, first, second) = tables::DECOMPOSITION[i];
            for part in [first, second].into_iter().filter(|&p| p != 0) {
                if let Some(part) = char::from_u32(part) {
                    decompose(part, out);
                }
            }
        }
        Err(_) => out.push(c),
    }
}

/// A modern vowel jamo: composes with a leading consonant before it.
fn is_vowel_jamo(cp: u32) -> bool {
    (V_BASE..V_BASE + V_COUNT).contains(&cp)
}

/// A trailing consonant jamo (from U+11A8): composes with an LV syllable.
fn is_trailing_jamo(cp: u32) -> bool {
    (T_BASE + 1..T_BASE + T_COUNT).contains(&cp)
}

/// The primary composite of a pair, if there is one.
fn compose(first: char, second: char) -> Option<char> {
    let (a, b) = (u32::from(first), u32::from(second));
    if (L_BASE..L_BASE + 19).contains(&a) && is_vowel_jamo(b) {
        return char::from_u32(S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT);
    }
    if (S_BASE..S_BASE + S_COUNT).contains(&a)
        && (a - S_BASE).is_multiple_of(T_COUNT)
        && is_trailing_jamo(b)
    {
        return char::from_u32(a + (b - T_BASE));
    }
    let i = tables::COMPOSITION
        .binary_search_by_key(&(a, b), |c| (c.0, c.1))
        .ok()?;
    char::from_u32(tables::COMPOSITION[i].2)
}

/// Whether a label is in NFC: UAX 15's quick check (combining classes in
/// order, nothing that may compose with the character before it) answers
/// for most labels; the rest are normalized and compared.
fn is_nfc(label: &[char]) -> bool {
    let mut last = 0;
    for &c in label {
        // ASCII is all starters, and composes with nothing before it.
        if c.is_ascii() {
            last = 0;
            continue;
        }
        let class = ccc(c);
        let cp = u32::from(c);
        let maybe = is_vowel_jamo(cp)
            || is_trailing_jamo(cp)
            || tables::COMPOSES_BACKWARDS.binary_search(&cp).is_ok();
        if maybe || (class != 0 && last > class) {
            return nfc(label) == label;
        }
        last = class;
    }
    true
}

/// A label in NFC by the tables' Unicode version (UAX 15: canonical
/// decomposition, reordering, canonical composition).
pub(crate) fn to_nfc(label: &str) -> String {
    nfc(&label.chars().collect::<Vec<_>>())
        .into_iter()
        .collect()
}

fn nfc(label: &[char]) -> Vec<char> {
    let mut nfd = Vec::with_capacity(label.len() + 4);
    for &c in label {
        decompose(c, &mut nfd);
    }
    // Canonical ordering: marks by combining class, stable.
    let mut start = 0;
    while start < nfd.len() {
        let end = start + nfd[start..].iter().take_while(|c| ccc(**c) != 0).count();
        nfd[start..end].sort_by_key(|c| ccc(*c));
        start = end + 1;
    }
    let mut nfc: Vec<char> = Vec::with_capacity(nfd.len());
    let mut starter: Option<usize> = None;
    let mut last_ccc = 0;
    for c in nfd {
        let class = ccc(c);
        if let Some(s) = starter {
            let adjacent = s + 1 == nfc.len();
            let blocked = !adjacent && (last_ccc == 0 || last_ccc >= class);
            if !blocked && let Some(composite) = compose(nfc[s], c) {
                nfc[s] = composite;
                continue;
            }
        }
        if class == 0 {
            starter = Some(nfc.len());
        }
        last_ccc = class;
        nfc.push(c);
    }
    nfc
}

fn joining(c: char) -> Option<&'static str> {
    lookup(tables::JOINING, c)
}

fn in_script(c: char, scripts: &[&str]) -> bool {
    lookup(tables::SCRIPT, c).is_some_and(|s| scripts.contains(&s))
}

/// Checks one label (Unicode form, lower case as UTS 46 leaves it) by
/// RFC 5891 section 5.4, in its order: NFC, hyphens, leading mark, then each
/// code point's class and context rule. The Bidi rule is [`check_bidi`]'s.
pub(crate) fn check_label(label: &str) -> Result<(), Refusal> {
    // ASCII is NFC, and its PVALID code points are `a-z`, `0-9` and `-`:
    // the usual labels skip the table look-ups.
    let ascii = label.is_ascii();
    let chars: Vec<char> = if ascii {
        Vec::new()
    } else {
        label.chars().collect()
    };
    if !ascii && !is_nfc(&chars) {
        return Err(Refusal::new(
            format!("the label `{label}` is not in Unicode normalization form C"),
            "write each letter with its marks composed (NFC), as keyboards type them",
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(Refusal::new(
            format!("the label `{label}` starts or ends with a hyphen"),
            "IDNA2008 refuses such labels: no registry holds them",
        ));
    }
    if label.chars().skip(2).take(2).eq("--".chars()) {
        return Err(Refusal::new(
            format!("the label `{label}` has `--` in its third and fourth characters"),
            "IDNA2008 refuses such labels: no registry holds them",
        ));
    }
    if ascii {
        return match label
            .chars()
            .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-'))
        {
            Some(c) => Err(disallowed(c)),
            None => Ok(()),
        };
    }
    if let Some(&first) = chars.first()
        && props(first).mark
    {
        return Err(Refusal::new(
            format!(
                "{} is a combining mark and may not begin a label",
                show(first)
            ),
            "a mark belongs to the letter before it (RFC 5891 section 5.4)",
        ));
    }
    for (i, &c) in chars.iter().enumerate() {
        match props(c).class {
            Some(Class::Pvalid) => {}
            Some(Class::ContextJ) => contextj(&chars, i)?,
            Some(Class::ContextO) => contexto(&chars, i)?,
            Some(Class::Unassigned) => {
                return Err(Refusal::new(
                    format!(
                        "{} is not allowed in a name: it is not assigned in Unicode {UNICODE_VERSION}",
                        show(c)
                    ),
                    "check the name; the IDNA2008 tables are refreshed by data/refresh-idna-tables.sh",
                ));
            }
            None => return Err(disallowed(c)),
        }
    }
    Ok(())
}

fn disallowed(c: char) -> Refusal {
    Refusal::new(
        format!("{} is not allowed in a name", show(c)),
        "IDNA2008 names hold letters, digits and hyphens; symbols and punctuation cannot be registered",
    )
}

/// RFC 5892 appendix A.1 and A.2: the joiners shape the letters around them.
fn contextj(chars: &[char], i: usize) -> Result<(), Refusal> {
    let after_virama = i > 0 && ccc(chars[i - 1]) == 9;
    if after_virama {
        return Ok(());
    }
    if chars[i] == '\u{200D}' {
        return Err(Refusal::new(
            format!("{} is allowed only after a virama", show(chars[i])),
            "a joiner asks for a conjunct form (e.g. ශ්‍රී): it follows the virama sign",
        ));
    }
    // ZWNJ: a left- or dual-joining letter before, a right- or dual-joining
    // one after, with transparent marks skipped on either side.
    let joins = |c: &char, sides: &[&str]| joining(*c).is_some_and(|t| sides.contains(&t));
    let before = chars[..i].iter().rev().find(|c| joining(**c) != Some("T"));
    let after = chars[i + 1..].iter().find(|c| joining(**c) != Some("T"));
    if before.is_some_and(|c| joins(c, &["L", "D"])) && after.is_some_and(|c| joins(c, &["R", "D"]))
    {
        return Ok(());
    }
    Err(Refusal::new(
        format!(
            "{} is allowed only after a virama, or between two letters that would join",
            show(chars[i])
        ),
        "a non-joiner keeps two joining letters (Arabic, Syriac, ...) apart; elsewhere it is invisible and refused",
    ))
}

/// RFC 5892 appendix A.3 to A.9: punctuation and digits that a script needs
/// in one place only.
fn contexto(chars: &[char], i: usize) -> Result<(), Refusal> {
    let c = chars[i];
    let (ok, rule) = match c {
        '\u{00B7}' => (
            i > 0 && chars[i - 1] == 'l' && chars.get(i + 1) == Some(&'l'),
            "is allowed only between two `l` (Catalan `l·l`)",
        ),
        '\u{0375}' => (
            chars.get(i + 1).is_some_and(|n| in_script(*n, &["Greek"])),
            "is allowed only before a Greek letter",
        ),
        '\u{05F3}' | '\u{05F4}' => (
            i > 0 && in_script(chars[i - 1], &["Hebrew"]),
            "is allowed only after a Hebrew letter",
        ),
        '\u{30FB}' => (
            chars
                .iter()
                .any(|n| *n != '\u{30FB}' && in_script(*n, &["Hiragana", "Katakana", "Han"])),
            "is allowed only in a label that holds Hiragana, Katakana or Han",
        ),
        '\u{0660}'..='\u{0669}' => (
            !chars.iter().any(|n| ('\u{06F0}'..='\u{06F9}').contains(n)),
            "may not share a label with Extended Arabic-Indic digits (U+06F0 to U+06F9)",
        ),
        '\u{06F0}'..='\u{06F9}' => (
            !chars.iter().any(|n| ('\u{0660}'..='\u{0669}').contains(n)),
            "may not share a label with Arabic-Indic digits (U+0660 to U+0669)",
        ),
        _ => (false, "has no context rule in these tables"),
    };
    if ok {
        return Ok(());
    }
    Err(Refusal::new(
        format!("{} {rule}", show(c)),
        "IDNA2008 allows this character only where its script needs it (RFC 5892 appendix A)",
    ))
}

/// The RFC 5893 Bidi rule: once any label holds a right-to-left character
/// (bidi class R, AL or AN), every label of the name must keep one direction,
/// so that the name reads the same in every display order. The labels are in
/// Unicode form and have passed [`check_label`].
pub(crate) fn check_bidi(labels: &[&str]) -> Result<(), Refusal> {
    let rtl_name = labels.iter().any(|l| {
        !l.is_ascii()
            && l.chars()
                .any(|c| matches!(props(c).bidi, "R" | "AL" | "AN"))
    });
    if !rtl_name {
        return Ok(());
    }
    for label in labels {
        check_bidi_label(label)?;
    }
    Ok(())
}

/// What every label of a right-to-left name is told when it breaks the rule.
const BIDI_HELP: &str =
    "a name with right-to-left labels follows the Bidi rule of RFC 5893 in every label";

/// A label's direction under RFC 5893: its name, the bidi classes a label
/// of it may hold (rule 2 or 5) and those it may end with (rule 3 or 6),
/// each with the rule's number.
struct Direction {
    name: &'static str,
    holds: (&'static [&'static str], u8),
    ends: (&'static [&'static str], u8),
}

const RIGHT_TO_LEFT: Direction = Direction {
    name: "right-to-left",
    holds: (
        &["R", "AL", "AN", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"],
        2,
    ),
    ends: (&["R", "AL", "EN", "AN"], 3),
};

const LEFT_TO_RIGHT: Direction = Direction {
    name: "left-to-right",
    holds: (&["L", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"], 5),
    ends: (&["L", "EN"], 6),
};

/// One label of a right-to-left name against RFC 5893 rules 1 to 6: one
/// direction from its first character, only characters of that direction,
/// one kind of digits, and an end of that direction.
fn check_bidi_label(label: &str) -> Result<(), Refusal> {
    let bidi: Vec<(char, &str)> = label.chars().map(|c| (c, props(c).bidi)).collect();
    let Some(&(first, first_bidi)) = bidi.first() else {
        return Ok(());
    };
    let rtl = match first_bidi {
        "R" | "AL" => true,
        "L" => false,
        _ => {
            return Err(Refusal::new(
                format!(
                    "the label `{label}` begins with {}, which has no direction of its own; in a name with right-to-left labels each label begins with a letter (RFC 5893 rule 1)",
                    show(first)
                ),
                BIDI_HELP,
            ));
        }
    };
    let direction = if rtl { &RIGHT_TO_LEFT } else { &LEFT_TO_RIGHT };
    let mut digits = None;
    for &(c, class) in &bidi {
        let (holds, rule) = direction.holds;
        if !holds.contains(&class) {
            return Err(Refusal::new(
                format!(
                    "{} may not stand in the {} label `{label}` (RFC 5893 rule {rule})",
                    show(c),
                    direction.name
                ),
                BIDI_HELP,
            ));
        }
        if rtl && matches!(class, "AN" | "EN") {
            match digits {
                None => digits = Some(class),
                Some(kind) if kind != class => {
                    return Err(Refusal::new(
                        format!(
                            "{} mixes European and Arabic-Indic digits in the right-to-left label `{label}` (RFC 5893 rule 4)",
                            show(c)
                        ),
                        BIDI_HELP,
                    ));
                }
                Some(_) => {}
            }
        }
    }
    bidi_end(label, direction, &bidi)
}

/// RFC 5893 rules 3 and 6: a label ends (before any NSM) with a letter or
/// digit of its direction.
fn bidi_end(label: &str, direction: &Direction, bidi: &[(char, &str)]) -> Result<(), Refusal> {
    if let Some(&(last, class)) = bidi.iter().rev().find(|(_, class)| *class != "NSM") {
        let (ends, rule) = direction.ends;
        if !ends.contains(&class) {
            return Err(Refusal::new(
                format!(
                    "the {} label `{label}` ends with {}; it must end with a letter or digit of its direction (RFC 5893 rule {rule})",
                    direction.name,
                    show(last)
                ),
                BIDI_HELP,
            ));
        }
    }
    Ok(())
}

/// Every label by [`check_label`], then the name by [`check_bidi`].
pub fn check_name(labels: &[&str]) -> Result<(), Refusal> {
    for label in labels {
        check_label(label)?;
    }
    check_bidi(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(labels: &[&str]) -> String {
        check_name(labels).expect_err(&labels.join(".")).message
    }

    #[test]
    fn derived_properties_come_from_the_tables() {
        assert!(UNICODE_VERSION.split('.').count() == 3, "{UNICODE_VERSION}");
        assert_eq!(props('a').class, Some(Class::Pvalid));
        assert_eq!(props('\u{200C}').class, Some(Class::ContextJ));
        assert_eq!(props('\u{00B7}').class, Some(Class::ContextO));
        assert_eq!(props('A').class, None, "upper case is DISALLOWED");
        assert_eq!(props('\u{303B}').class, None);
        assert_eq!(props('\u{0378}').class, Some(Class::Unassigned));
        assert!(ccc('\u{094D}') == 9 && props('\u{0301}').mark);
        assert_eq!(props('\u{05D0}').bidi, "R");
        assert_eq!(joining('\u{0628}'), Some("D"));
        assert!(in_script('\u{03B1}', &["Greek"]));
    }

    #[test]
    fn label_rules_of_rfc_5891() {
        assert!(refusal(&["e\u{301}t\u{e9}"]).contains("not in Unicode normalization form C"));
        assert!(refusal(&["-ab"]).contains("starts or ends with a hyphen"));
        assert!(refusal(&["ab--c\u{e9}"]).contains("third and fourth"));
        assert!(refusal(&["\u{301}a"]).contains("U+0301) is a combining mark and may not begin"));
        assert!(refusal(&["\u{303B}"]).contains("`〻` (U+303B) is not allowed in a name"));
        assert!(refusal(&["a\u{3031}"]).contains("(U+3031) is not allowed in a name"));
        assert!(refusal(&["a\u{0378}"]).contains("not assigned in Unicode"));
        assert!(refusal(&["Ab"]).contains("`A` (U+0041) is not allowed in a name"));
        assert!(refusal(&["a_b"]).contains("`_` (U+005F) is not allowed in a name"));
    }

    /// Hangul composes by arithmetic (UAX 15): an LV syllable takes a
    /// trailing consonant from U+11A8 on, never U+11A7 (a vowel).
    #[test]
    fn hangul_composes_by_its_arithmetic() {
        assert_eq!(compose('\u{1100}', '\u{1161}'), Some('\u{AC00}'));
        assert_eq!(compose('\u{AC00}', '\u{11A8}'), Some('\u{AC01}'));
        assert_eq!(compose('\u{AC00}', '\u{11C2}'), Some('\u{AC1B}'));
        assert_eq!(compose('\u{AC00}', '\u{11A7}'), None);
        assert_eq!(compose('\u{AC01}', '\u{11A8}'), None, "LVT takes no more");
        // Only the 19 modern leading consonants and 21 vowels compose.
        assert_eq!(compose('\u{1113}', '\u{1161}'), None, "an old consonant");
        assert_eq!(compose('\u{1100}', '\u{1176}'), None, "an old vowel");
        assert_eq!(compose('\u{AC00}', '\u{11C3}'), None, "an old final");
        assert_eq!(compose('\u{1100}', 'a'), None);
        // Past the last syllable (U+D7A3) nothing takes a trailing consonant.
        assert_eq!(compose('\u{D7A4}', '\u{11A8}'), None);
        // Syllables decompose by the same arithmetic and come back whole:
        // 한국어 (LVT, LVT, LV), the first and the last syllable.
        for word in ["\u{D55C}\u{AD6D}\u{C5B4}", "\u{AC00}", "\u{D7A3}"] {
            let mut jamo = Vec::new();
            for c in word.chars() {
                decompose(c, &mut jamo);
            }
            assert_eq!(to_nfc(&jamo.iter().collect::<String>()), word);
        }
        let mut jamo = Vec::new();
        decompose('\u{D55C}', &mut jamo);
        assert_eq!(jamo, ['\u{1112}', '\u{1161}', '\u{11AB}'], "한 is ㅎ ㅏ ㄴ");
    }

    /// Hebrew geresh and gershayim only after a Hebrew letter.
    #[test]
    fn geresh_follows_a_hebrew_letter() {
        assert!(check_label("\u{05D0}\u{05F3}").is_ok());
        assert!(check_label("a\u{05F3}").is_err());
        assert!(check_label("ab\u{05F4}").is_err());
    }

    #[test]
    fn ascii_without_a_search_is_as_in_the_tables() {
        for c in (0..128u8).map(char::from) {
            let (fast, table) = (props(c), table_props(c));
            assert_eq!(
                (fast.class, fast.bidi, fast.mark),
                (table.class, table.bidi, table.mark),
                "{c:?}"
            );
            assert_eq!(ccc(c), 0);
            assert!(
                tables::COMPOSES_BACKWARDS
                    .binary_search(&u32::from(c))
                    .is_err()
            );
        }
    }

    #[test]
    fn nfc_by_the_tables() {
        let nfc = |s: &str| is_nfc(&s.chars().collect::<Vec<_>>());
        assert!(nfc("caf\u{e9}") && nfc("\u{1EB9}\u{301}") && nfc("\u{AC00}"));
        assert!(!nfc("cafe\u{301}"), "composes");
        assert!(
            !nfc("\u{e9}\u{323}"),
            "a mark of a lower class after a composed letter"
        );
        assert!(!nfc("a\u{301}\u{316}"), "marks out of order");
        assert!(!nfc("e\u{316}\u{301}"), "e and U+0301 compose past U+0316");
        assert!(!nfc("\u{1100}\u{1161}"), "Hangul jamo compose");
        assert_eq!(to_nfc("\u{1100}\u{1161}\u{11A8}"), "\u{AC01}");
        assert_eq!(to_nfc("e\u{316}\u{301}"), "\u{e9}\u{316}");
        // Marks that compose with nothing, out of order: the quick check
        // alone must see it.
        assert!(!nfc("a\u{363}\u{359}"), "230 before 220");
        assert!(nfc("a\u{359}\u{363}"));
        // A trailing consonant after an LV syllable composes.
        assert!(!nfc("\u{AC00}\u{11A8}") && !nfc("\u{AC00}\u{11C2}"));
        // A mark of the same class between blocks the composition.
        assert_eq!(to_nfc("e\u{363}\u{301}"), "e\u{363}\u{301}");
    }

    #[test]
    fn contextj_joiners_after_a_virama_or_between_joining_letters() {
        // ZWJ and ZWNJ after a virama: Sinhala ශ්‍රී, Devanagari क्‌ष.
        assert_eq!(check_name(&["ශ්\u{200D}රී"]), Ok(()));
        assert_eq!(check_name(&["क्\u{200C}ष"]), Ok(()));
        // ZWNJ between a dual-joining and a right-joining letter (Persian
        // می‌خواهم), with a transparent mark skipped.
        assert_eq!(check_name(&["می\u{200C}خواهم"]), Ok(()));
        assert_eq!(check_name(&["بِ\u{200C}ب"]), Ok(()));
        assert!(
            refusal(&["a\u{200D}b"])
                .contains("U+200D (zero width joiner) is allowed only after a virama")
        );
        assert!(refusal(&["a\u{200C}b"]).contains("U+200C (zero width non-joiner) is allowed only after a virama, or between two letters that would join"));
        // A right-joining letter before ZWNJ does not join to the left.
        assert!(refusal(&["ا\u{200C}ب"]).contains("U+200C"));
    }

    /// Each name accepted (`None`), or refused with a message holding the words.
    fn judged(cases: &[(&[&str], Option<&str>)]) {
        for (labels, want) in cases {
            match want {
                None => assert_eq!(check_name(labels), Ok(()), "{labels:?}"),
                Some(words) => assert!(refusal(labels).contains(words), "{labels:?}"),
            }
        }
    }

    #[test]
    fn contexto_characters_where_their_script_needs_them() {
        judged(&[
            (&["col·legi"], None),
            (
                &["co·legi"],
                Some("`·` (U+00B7) is allowed only between two `l`"),
            ),
            (&["l·"], Some("between two `l`")),
            (&["ελλάς͵α"], None),
            (
                &["ab͵c"],
                Some("(U+0375) is allowed only before a Greek letter"),
            ),
            (&["ελλάς͵"], Some("before a Greek letter")),
            (&["א׳ב"], None),
            (&["אב״ג"], None),
            (
                &["׳א"],
                Some("(U+05F3) is allowed only after a Hebrew letter"),
            ),
            (&["日本・ネット"], None),
            (&["ひらがな・"], None),
            (
                &["ab・cd"],
                Some("(U+30FB) is allowed only in a label that holds Hiragana, Katakana or Han"),
            ),
            (&["\u{0628}\u{0661}\u{0662}"], None),
            (&["\u{0628}\u{06F1}\u{06F2}"], None),
            (
                &["\u{0628}\u{0661}\u{06F2}"],
                Some("`١` (U+0661) may not share a label with Extended Arabic-Indic digits"),
            ),
            (
                &["\u{0628}\u{06F2}\u{0661}"],
                Some("`۲` (U+06F2) may not share a label with Arabic-Indic digits"),
            ),
        ]);
    }

    #[test]
    fn bidi_rule_over_the_whole_name() {
        judged(&[
            (&["שלום", "example"], None),
            (&["مثال", "إختبار"], None),
            (&["a1", "example"], None),
            // Rule 1: in a name with a right-to-left label, every label begins
            // with a letter; alone, `3com` would be fine.
            (&["3com", "example"], None),
            (
                &["שלום", "3com"],
                Some(
                    "the label `3com` begins with `3` (U+0033), which has no direction of its own",
                ),
            ),
            // Rule 2: no left-to-right letter in a right-to-left label.
            (
                &["שaלום"],
                Some(
                    "`a` (U+0061) may not stand in the right-to-left label `שaלום` (RFC 5893 rule 2)",
                ),
            ),
            // Rule 3: a right-to-left label ends with a letter or digit.
            (&["של-ם-"], Some("hyphen")),
            (
                &["שלם\u{02B9}"],
                Some(
                    "the right-to-left label `שלםʹ` ends with `ʹ` (U+02B9); it must end with a letter or digit of its direction (RFC 5893 rule 3)",
                ),
            ),
            (&["שלם1"], None),
            // Rule 4: European and Arabic-Indic digits are not mixed.
            (
                &["\u{0628}1\u{0661}"],
                Some("mixes European and Arabic-Indic digits"),
            ),
            // Rule 5: no right-to-left character in a left-to-right label.
            (
                &["ab\u{0661}"],
                Some("left-to-right label `ab١` (RFC 5893 rule 5)"),
            ),
            // Rule 6: a left-to-right label ends with a letter or digit.
            (&["ab\u{02B9}"], None),
            (&["שלום", "ab\u{02B9}"], Some("(RFC 5893 rule 6)")),
        ]);
    }
}
