#!/usr/bin/env python3
"""Writes tests/idna2008/vectors.txt: labels and the verdict of the reference
implementation of IDNA2008, for the differential test in tests/idna2008.rs.

The reference is `idna.encode(label, uts46=False)` of the PyPI package `idna`
(RFC 5891-5893: NFC, hyphens, leading mark, derived property, CONTEXTJ and
CONTEXTO rules, Bidi rule per label). Its tables are Unicode 18.0.0, but it
reads bidi classes, combining classes, general categories and NFC from
Python's `unicodedata`, which is older (Unicode 14.0 on Python 3.11): every
label with a character added since would be refused for an "unknown
direction". So `unicodedata2` of the same Unicode version is put in its place.

Regenerate (same seed, same packages: the same file):

    python3 -m venv /tmp/idna-ref
    /tmp/idna-ref/bin/pip install idna==3.20 unicodedata2==18.0.0
    /tmp/idna-ref/bin/python tests/idna2008/generate-vectors.py
    cargo test --test idna2008

After data/refresh-idna-tables.sh moves to new packages, install those here too
(the script refuses a Unicode version other than the tables').

The labels: for every group of PVALID code points (grouped by the first word
of the character name, about the script: LATIN, DEVANAGARI, CJK, ...), plain
letters, letters with marks, a leading mark, virama with ZWJ or ZWNJ, stray
joiners, digits of the script and others, hyphens, a disallowed or
unassigned code point, a decomposed (not NFC) letter, and a right-to-left
letter among left-to-right ones; then each CONTEXTO rule kept and broken,
ZWNJ between Arabic-type joining letters, labels for each Bidi rule, and
marks in either order, precomposed letters before marks and conjoining
Hangul jamo (NFC).
One line a label: `accept -` or `refuse CODE` (the reference's error code),
`=` when UTS 46 mapping leaves the label as it is (else `~`), then the
label's code points in hex.
"""

import os
import random
import sys
from importlib.metadata import version

import idna
import idna.core
import idna.idnadata as d
import unicodedata2 as u

idna.core.unicodedata = u
if d.__version__ != u.unidata_version:
    sys.exit(f"idna tables are Unicode {d.__version__}, unicodedata2 {u.unidata_version}")
tables = os.path.join(os.path.dirname(__file__), "..", "..", "data", "idna2008-tables.txt")
with open(tables, encoding="ascii") as f:
    if f"# UNICODE: {d.__version__}\n" not in f.read():
        sys.exit(f"data/idna2008-tables.txt is not Unicode {d.__version__}: install the idna "
                 "and unicodedata2 that data/refresh-idna-tables.sh used")

rng = random.Random(18)


def codepoints(cls):
    return [cp for r in d.codepoint_classes[cls] for cp in range(r >> 32, r & 0xFFFFFFFF)]


def joining(jt):
    return [chr(cp) for r in d.joining_types[jt] for cp in range(r >> 32, r & 0xFFFFFFFF)]


def script(name):
    return [chr(cp) for r in d.scripts[name] for cp in range(r >> 32, r & 0xFFFFFFFF)]


PVALID = [chr(cp) for cp in codepoints("PVALID")]
VALID = set(PVALID) | {chr(cp) for cp in codepoints("CONTEXTJ") + codepoints("CONTEXTO")}
SEPARATORS = set(".\u3002\uff0e\uff61")
DISALLOWED = [chr(cp) for cp in range(0x20, 0x30000)
              if chr(cp) not in VALID and u.category(chr(cp)) not in ("Cn", "Cs", "Co", "Cc")
              and chr(cp) not in SEPARATORS]
UNASSIGNED = [chr(cp) for cp in range(0x300, 0x30000) if u.category(chr(cp)) == "Cn"]
MARKS = [c for c in PVALID if u.category(c)[0] == "M"]
VIRAMAS = [c for c in PVALID if u.combining(c) == 9]
DIGITS = [c for c in PVALID if u.category(c) == "Nd"]
RTL = [c for c in PVALID if u.bidirectional(c) in ("R", "AL")]
LTR = [c for c in PVALID if u.bidirectional(c) == "L" and u.category(c)[0] == "L"]
ON = [c for c in PVALID if u.bidirectional(c) == "ON"]
DECOMPOSABLE = [c for c in PVALID if u.normalize("NFD", c) != c]
AN = [chr(cp) for cp in range(0x660, 0x66A)]
EXT = [chr(cp) for cp in range(0x6F0, 0x6FA)]
ZWNJ, ZWJ = "\u200c", "\u200d"
JOIN_LEFT = joining("L") + joining("D")
JOIN_RIGHT = joining("R") + joining("D")
TRANSPARENT = [c for c in joining("T") if c in VALID]
JAMO_L = [chr(cp) for cp in range(0x1100, 0x1113)]
JAMO_V = [chr(cp) for cp in range(0x1161, 0x1176)]
JAMO_T = [chr(cp) for cp in range(0x11A8, 0x11C3)]


def group_of(c):
    words = u.name(c, "?").split()
    two = {"OLD", "NEW", "TAI", "INSCRIPTIONAL", "IMPERIAL", "LINEAR", "SMALL", "OL", "NAG"}
    return " ".join(words[:2]) if words[0] in two else words[0]


groups = {}
for c in PVALID:
    groups.setdefault(group_of(c), []).append(c)


def pick(pool, n=1):
    return "".join(rng.choice(pool) for _ in range(n))


def insert(label, text):
    i = rng.randrange(len(label) + 1)
    return label[:i] + text + label[i:]


def group_labels(chars):
    """Labels from one group of PVALID code points."""
    letters = [c for c in chars if u.category(c)[0] != "M"] or chars
    marks = [c for c in chars if u.category(c)[0] == "M"] or MARKS
    viramas = [c for c in chars if u.combining(c) == 9] or VIRAMAS
    digits = [c for c in chars if u.category(c) == "Nd"] or DIGITS
    word = lambda n=None: pick(letters, n or rng.randint(1, 6))
    out = [word() for _ in range(6)]
    out += [word(2) + pick(marks) + word(rng.randint(0, 3)) for _ in range(3)]
    out += [word(1) + pick(marks, 2) for _ in range(2)]
    out.append(pick(marks) + word(2))
    out += [word(1) + pick(viramas) + rng.choice([ZWJ, ZWNJ, ""]) + word(1) for _ in range(3)]
    out.append(insert(word(3), rng.choice([ZWJ, ZWNJ])))
    out.append(word(2) + pick(digits, rng.randint(1, 3)))
    out.append(word(2) + pick(DIGITS) + pick(digits))
    out.append(insert(word(4), "-"))
    out.append(word(2) + "--" + word(2))
    out.append(insert(word(3), pick(DISALLOWED)))
    out.append(insert(word(3), pick(UNASSIGNED)))
    out.append(word(1) + u.normalize("NFD", rng.choice(DECOMPOSABLE)))
    out.append(insert(word(3), pick(RTL)))
    out.append(word(3) + pick(ON))
    return out


def context_labels():
    """CONTEXTJ, CONTEXTO and Bidi rules, each kept and broken."""
    latin = groups["LATIN"]
    greek = script("Greek")
    greek = [c for c in greek if c in VALID and u.category(c)[0] == "L"]
    hebrew = [c for c in script("Hebrew") if c in VALID and u.category(c)[0] == "L"]
    kana_han = [c for c in script("Hiragana") + script("Katakana") + script("Han") if c in VALID]
    arabic = [c for c in groups["ARABIC"] if u.category(c)[0] == "L"]
    word = lambda pool, n=None: pick(pool, n or rng.randint(1, 4))
    out = []
    for _ in range(60):
        out.append(word(latin) + "l\u00b7l" + word(latin))
        out.append(insert(word(latin, 4), "\u00b7"))
        out.append(word(greek) + "\u0375" + word(greek))
        out.append(word(greek) + "\u0375" + rng.choice([word(latin), ""]))
        out.append(word(hebrew) + rng.choice("\u05f3\u05f4") + word(hebrew, rng.randint(0, 3)))
        out.append(rng.choice("\u05f3\u05f4") + word(hebrew))
        out.append(word(latin) + rng.choice("\u05f3\u05f4"))
        out.append(insert(word(kana_han), "\u30fb"))
        out.append(insert(word(latin + hebrew), "\u30fb"))
        out.append("\u30fb" * rng.randint(1, 2))
        out.append(word(arabic) + word(AN, 2) + rng.choice(["", word(arabic)]))
        out.append(word(arabic) + word(EXT, 2) + rng.choice(["", word(arabic)]))
        out.append(word(arabic) + pick(AN) + pick(EXT))
        out.append(word(arabic) + word(AN) + pick("0123456789"))
        out.append(word(latin) + pick(AN + EXT))
        # ZWNJ: joining letters around it, with transparent marks between.
        left = pick(JOIN_LEFT + joining("R") + latin)
        right = pick(JOIN_RIGHT + joining("L") + latin)
        marks = rng.choice(["", pick(TRANSPARENT)])
        out.append(left + marks + ZWNJ + rng.choice(["", pick(TRANSPARENT)]) + right)
        out.append(pick(JOIN_LEFT) + ZWNJ)
        out.append(word(arabic) + rng.choice([ZWJ, ZWNJ]) + word(arabic))
        # Bidi: right-to-left letters with left-to-right ones, digits of
        # both kinds, marks, ON and ES at either end.
        rtl = word(RTL)
        out.append(rtl + pick(LTR) + rtl)
        out.append(pick(RTL) + pick(DIGITS + ["1", "2"]) + rng.choice(["", pick(RTL)]))
        out.append(pick("0123456789") + rtl)
        out.append(rtl + pick(ON))
        out.append(rtl + pick(MARKS))
        out.append(rtl + "-" + word(RTL))
        out.append(pick(LTR) + pick(RTL))
        out.append(word(LTR) + pick(AN))
        out.append(word(hebrew) + pick(EXT) + pick("0123456789"))
        # NFC: marks in either order, a precomposed letter before a mark,
        # conjoining Hangul jamo.
        out.append(pick(LTR) + pick(MARKS) + pick(MARKS))
        out.append(rng.choice(DECOMPOSABLE) + pick(MARKS))
        out.append(pick(JAMO_L) + pick(JAMO_V) + rng.choice(["", pick(JAMO_T)]))
    return out


def verdict(label):
    try:
        idna.encode(label, uts46=False)
        return "accept", "-"
    except idna.IDNAError as e:
        return "refuse", e.code or type(e).__name__


def uts46(label):
    """`=` when UTS 46 mapping (without STD3 rules, as fwreq maps) leaves the
    label as it is, `~` when it maps or refuses it."""
    try:
        return "=" if idna.uts46_remap(label, std3_rules=False) == label else "~"
    except idna.IDNAError:
        return "~"


labels = []
for name in sorted(groups):
    labels += group_labels(groups[name])
labels += context_labels()
seen, lines, counts = set(), [], {"accept": 0, "refuse": 0}
for label in labels:
    if not label or label in seen or len(label.encode("punycode")) > 55:
        continue
    seen.add(label)
    v, code = verdict(label)
    counts[v] += 1
    lines.append(f"{v} {code} {uts46(label)} " + " ".join(f"{ord(c):04X}" for c in label))

out = os.path.join(os.path.dirname(__file__), "vectors.txt")
with open(out, "w", encoding="ascii", newline="\n") as f:
    f.write(f"# IDNA2008 verdicts of idna {version('idna')} (uts46=False) with unicodedata2 "
            f"{version('unicodedata2')}, Unicode {d.__version__}, for tests/idna2008.rs.\n")
    f.write(f"# Made by tests/idna2008/generate-vectors.py (seed 18); {len(lines)} labels from "
            f"{len(groups)} groups, {counts['accept']} accepted, {counts['refuse']} refused.\n")
    f.write("# VERDICT CODE UTS46 CODEPOINT... (UTS46: `=` when UTS 46 maps nothing)\n")
    f.write("\n".join(lines) + "\n")
print(f"{out}: {len(lines)} labels, {counts}")
