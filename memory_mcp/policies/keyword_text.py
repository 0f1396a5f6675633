"""Text as both keyword indexes hold it (schema step 9), and the words a search looks for.

The same rules run in Python (SQLite's index calls `indexed` through a registered function;
every search runs `search_words`) and in SQL (PostgreSQL's `memory_keywords`, built from the
patterns below), so the two backends find the same memories:
- one word in any Unicode form is one word (schema step 16): characters that are invisible
  inside a word (zero-width space, joiners, soft hyphen, bidi marks) are dropped, then the
  text is NFKC-normalised: NFD `café` is NFC `café`, full-width `Ｐｏｓｔｇｒｅｓ １５` is
  `Postgres 15`, the ligature `ﬁ` is `fi`;
- case traps that the tokenizers' own lowercasing leaves apart are folded next: Turkish
  dotless `ı` and dotted `İ` to `i`, German `ß` to `ss`, Greek final `ς` to `σ`;
- identifiers whose meaning lives in their punctuation get a word of their own beside their
  plain parts: `c++` -> `cplusplus`, `c#` -> `csharp`, `.net` -> `dotnet`, and a dotted name
  `node.js` -> `nodejs` and `dotjs` (so `.js` finds it). A search for `c++`, `c#` or `.net`
  looks for that word alone (`C++` no longer finds `C#`), one for `node.js` for the word
  and its parts;
- scripts written without spaces between words are split into units, each a word: a Chinese,
  Japanese or Korean character, or a Thai, Lao, Khmer or Burmese letter with the vowel signs,
  tone marks and stacked consonants written onto it. A search looks for each pair of
  neighbouring units, which finds a word inside a sentence.
Never change these rules without a schema step that rebuilds both keyword indexes: an index
removes a row by the words it was given.
"""

import re
import unicodedata

from memory_mcp.policies.text import UNSPACED_RANGES, tokens

# Invisible inside a word, dropped before NFKC (which keeps them): soft hyphen, zero-width
# space, non-joiner and joiner, left-to-right and right-to-left marks, the bidi embeddings
# and overrides, word joiner, the bidi isolates, and the zero-width no-break space (BOM).
IGNORED = ((0x00AD, 0x00AD), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2060),
           (0x2066, 0x2069), (0xFEFF, 0xFEFF))  # fmt: skip
FOLDS = (("ı", "i"), ("İ", "i"), ("ß", "ss"), ("ẞ", "ss"), ("ς", "σ"))

# Letters and digits of Thai, Lao, Burmese (and its extension A) and Khmer (and its symbols),
# the signs written onto them, and the two that stack the next consonant under the one
# before (Burmese virama, Khmer coeng): Unicode 14 categories, frozen here.
CLUSTER_BASES = (
    (0x0E01, 0x0E30), (0x0E32, 0x0E33), (0x0E40, 0x0E46), (0x0E50, 0x0E59), (0x0E81, 0x0E82),
    (0x0E84, 0x0E84), (0x0E86, 0x0E8A), (0x0E8C, 0x0EA3), (0x0EA5, 0x0EA5), (0x0EA7, 0x0EB0),
    (0x0EB2, 0x0EB3), (0x0EBD, 0x0EBD), (0x0EC0, 0x0EC4), (0x0EC6, 0x0EC6), (0x0ED0, 0x0ED9),
    (0x0EDC, 0x0EDF), (0x1000, 0x102A), (0x103F, 0x1049), (0x1050, 0x1055), (0x105A, 0x105D),
    (0x1061, 0x1061), (0x1065, 0x1066), (0x106E, 0x1070), (0x1075, 0x1081), (0x108E, 0x108E),
    (0x1090, 0x1099), (0x1780, 0x17B3), (0x17D7, 0x17D7), (0x17DC, 0x17DC), (0x17E0, 0x17E9),
    (0x17F0, 0x17F9), (0x19E0, 0x19FF), (0xAA60, 0xAA76), (0xAA7A, 0xAA7A), (0xAA7E, 0xAA7F),
)  # fmt: skip
CLUSTER_MARKS = (
    (0x0E31, 0x0E31), (0x0E34, 0x0E3A), (0x0E47, 0x0E4E), (0x0EB1, 0x0EB1), (0x0EB4, 0x0EBC),
    (0x0EC8, 0x0ECD), (0x102B, 0x1038), (0x103A, 0x103E), (0x1056, 0x1059), (0x105E, 0x1060),
    (0x1062, 0x1064), (0x1067, 0x106D), (0x1071, 0x1074), (0x1082, 0x108D), (0x108F, 0x108F),
    (0x109A, 0x109D), (0x17B4, 0x17D1), (0x17D3, 0x17D3), (0x17DD, 0x17DD), (0xAA7B, 0xAA7D),
)  # fmt: skip
STACKERS = ((0x1039, 0x1039), (0x17D2, 0x17D2))


def bracket(ranges: tuple[tuple[int, int], ...], escape: bool = False) -> str:
    """A bracket expression's inside; `escape`: as `\\uXXXX` (PostgreSQL's SQL text)."""

    def char(code: int) -> str:
        if not escape:
            return chr(code)
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return "".join(f"{char(lo)}-{char(hi)}" for lo, hi in ranges)


def unit_pattern(escape: bool = False) -> str:
    """One unit of an unspaced script: a CJK character, or a letter with what is written
    onto it. Unambiguous, so Python's first match and PostgreSQL's longest are the same."""
    cjk, base = bracket(UNSPACED_RANGES, escape), bracket(CLUSTER_BASES, escape)
    mark, stack = bracket(CLUSTER_MARKS, escape), bracket(STACKERS, escape)
    return f"[{cjk}]|[{base}](?:[{mark}]|[{stack}][{base}]?)*"


def cluster_chars() -> str:
    """Every character of a unit outside CJK: FTS5's unicode61 must keep them in words
    (it reads the signs as separators and so split `ก่อน` into `ก`, `อน`)."""
    ranges = CLUSTER_BASES + CLUSTER_MARKS + STACKERS
    return "".join(chr(c) for lo, hi in ranges for c in range(lo, hi + 1))


# ASCII word characters: the identifier rules read ASCII alone, the same on both backends.
_W = "0-9A-Za-z_"
_NAME = "([A-Za-z][0-9A-Za-z]*)"
# (pattern, what the index holds, what a search looks for): Python `re` and PostgreSQL
# regular expressions read these patterns and replacements alike.
IDENTIFIERS = (
    (f"(?<![{_W}+#.]){_NAME}\\+\\+(?![{_W}+#])", "\\1++ \\1plusplus", "\\1plusplus"),
    (f"(?<![{_W}+#.]){_NAME}#(?![{_W}+#])", "\\1# \\1sharp", "\\1sharp"),
    (f"(?<![{_W}.])\\.{_NAME}(?![{_W}])", ".\\1 dot\\1", "dot\\1"),
    (
        f"(?<![{_W}.]){_NAME}\\.{_NAME}(?![{_W}]|\\.[{_W}])",
        "\\1.\\2 \\1\\2 dot\\2",
        "\\1.\\2 \\1\\2",
    ),
)
# Each rule with the characters it cannot match without (the index calls `indexed` for every
# text of every row written: skipping the rules a text cannot meet makes it ~4x cheaper).
_IDENTIFIERS = [
    (re.compile(p), index, search, needs)
    for (p, index, search), needs in zip(IDENTIFIERS, ("++", "#", ".", "."), strict=True)
]
_UNIT = re.compile(unit_pattern())
_RUN = re.compile(f"((?:{unit_pattern()})+)")
_FOLD = str.maketrans({a: b for a, b in FOLDS})


_IGNORED = re.compile(f"[{bracket(IGNORED)}]")


def folded(text: str) -> str:
    """One form of the text for both indexes and every search: invisible characters dropped,
    NFKC, the case traps folded (all of which touch non-ASCII text alone)."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", _IGNORED.sub("", text))
    return text.translate(_FOLD)


def _identifiers(text: str, search: bool) -> str:
    for pattern, index, looked_for, needs in _IDENTIFIERS:
        if needs in text:
            text = pattern.sub(looked_for if search else index, text)
    return text


def unspaced(text: str) -> bool:
    """Whether the text holds a unit of an unspaced script."""
    return not text.isascii() and _UNIT.search(text) is not None


def indexed(text: str) -> str:
    """The text as the keyword indexes hold it: folded, identifiers' own words added, each
    unit of an unspaced script set apart by spaces."""
    text = _identifiers(folded(text), search=False)
    return text if text.isascii() else _UNIT.sub(r" \g<0> ", text)


def searched(text: str) -> str:
    """A query as a search reads it: folded, identifiers as their own words."""
    return _identifiers(folded(text), search=True)


def words(text: str) -> list[str]:
    """The words of `searched` text as the index holds them: word tokens, and each unit of
    an unspaced script."""
    found: list[str] = []
    for i, piece in enumerate(_RUN.split(text)):
        if i % 2 == 0:  # split() with one group alternates other text and runs
            found += [folded(t) for t in tokens(piece)]  # lower() makes a final sigma again
        else:
            found += _UNIT.findall(piece)
    return found


def search_words(text: str, pair: str = " ") -> list[str]:
    """What a keyword search looks for: the word tokens, and in a run of an unspaced script
    each pair of neighbouring units joined by `pair` (a space: a two-word phrase, as SQLite
    matches them; nothing: one word, as PostgreSQL's index holds them), a unit alone when
    the run is one."""
    found: list[str] = []
    for i, piece in enumerate(_RUN.split(searched(text))):
        if i % 2 == 0:
            found += words(piece)
        else:
            units = _UNIT.findall(piece)
            found += [pair.join(units[j : j + 2]) for j in range(max(len(units) - 1, 1))]
    return found
