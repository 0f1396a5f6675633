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
- marks a word is written with or without are dropped, and letters written two ways are one
  (schema step 19): Hebrew niqqud and cantillation, Arabic harakat and tatweel; the Arabic
  alef forms `أ إ آ ٱ` to `ا`, `ى` to `ي`, `ة` to `ه`, Persian and Urdu `ی` and `ک` to
  Arabic `ي` and `ك`, Arabic-Indic and Persian digits to `0-9`; Russian `ё` to `е`; Greek
  tonos, dialytika and the polytonic accents (`καφές` is `καφες`); Latin letters with two
  marks (Vietnamese `ệ`, pinyin `ǖ`) and those of Latin Extended Additional (`ạ`) to their
  base letter, as FTS5 folds the others. FTS5's unicode61 read a Hebrew point or an Arabic
  haraka as a space, splitting the word, neither index folded the others, and only one of
  them folded `ạ` or `ǖ`;
- Arabic words are held by their light stem (Larkey et al.'s light10, as Lucene's Arabic
  analyzer: `stemmed`): `القهوة`, `بالقهوة`, `والقهوة` and `للقهوة` are `قهوة`'s word;
- a Hebrew word behind its one-letter prefixes (schema step 20: `ו` and, `ש` that, `כש`
  when, then one of `ב ל כ מ ה מה`: `והספר`, `בבית`, `שהספר`) is held as written and, beside
  it, without them, where three letters at least stay (`בית`, `מים`, `שלום` keep their first
  letter; `שלום` is held as `שלום לום`); a search looks for both forms, so `בית` finds
  `בבית` and `הבית`, and the word as written ranks first;
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
# Step 19. Marks dropped after NFKC: Hebrew cantillation and points (not maqaf U+05BE, paseq,
# sof pasuq: punctuation), Arabic honorifics, tatweel, harakat, superscript alef, Quranic
# marks.
MARKS = ((0x0591, 0x05BD), (0x05BF, 0x05BF), (0x05C1, 0x05C2), (0x05C4, 0x05C5),
         (0x05C7, 0x05C7), (0x0610, 0x061A), (0x0640, 0x0640), (0x064B, 0x065F),
         (0x0670, 0x0670), (0x06D6, 0x06DC), (0x06DF, 0x06E4), (0x06E7, 0x06E8),
         (0x06EA, 0x06ED))  # fmt: skip
_ARABIC_LETTERS = (("أإآٱ", "ا"), ("ى", "ي"), ("ة", "ه"), ("ی", "ي"), ("ک", "ك"))


def _greek_letters() -> list[tuple[str, str]]:
    """Each Greek letter with an accent, breathing or dialytika, and its bare letter (a
    letter's canonical decomposition never changes: Unicode's stability policy)."""
    pairs = []
    for code in [*range(0x0370, 0x0400), *range(0x1F00, 0x2000)]:
        parts = unicodedata.normalize("NFD", chr(code))
        base = parts[0]
        greek = "GREEK" in unicodedata.name(base, "")
        if (
            len(parts) > 1
            and greek
            and base.isalpha()
            and all(map(unicodedata.combining, parts[1:]))
        ):
            pairs.append((chr(code), base))
    return pairs


def _latin_letters() -> list[tuple[str, str]]:
    """Latin letters FTS5 leaves accented (`ǖ`, Vietnamese `ệ`: two marks) or PostgreSQL
    did (Latin Extended Additional, `ạ`), and their base letters: both backends now agree."""
    pairs = []
    for code in [*range(0x01C4, 0x0250), *range(0x1E00, 0x1F00)]:
        parts = unicodedata.normalize("NFD", chr(code))
        marks = parts[1:]
        plain = parts[0].isascii() and parts[0].isalpha() and marks
        if plain and all(map(unicodedata.combining, marks)) and (code >= 0x1E00 or len(marks) > 1):
            pairs.append((chr(code), parts[0]))
    return pairs


# Step 19's one-to-one letter folds (one letter to one: PostgreSQL's translate()).
LETTERS = tuple(
    [(letter, into) for letters, into in _ARABIC_LETTERS for letter in letters]
    + [(chr(zero + n), str(n)) for zero in (0x0660, 0x06F0) for n in range(10)]
    + [("ё", "е"), ("Ё", "Е")]
    + _greek_letters()
    + _latin_letters()
)
# Every letter and mark step 19 folds lies in these blocks (Latin Extended-B's end, Greek,
# Cyrillic, Hebrew, Arabic, Latin Extended Additional, Greek Extended): a text without one
# skips the step.
FOLDED_SCRIPTS = ((0x01C4, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0590, 0x06FF),
                  (0x1E00, 0x1EFF), (0x1F00, 0x1FFF))  # fmt: skip

# Step 19: Arabic words by their light stem, light10 (Larkey, Ballesteros, Connell 2002;
# Lucene's ArabicStemmer), on text already folded (so `ة` and `ية` are `ه` and `يه`): one
# prefix, the first that leaves enough letters (`و` three, the others two), then each suffix
# in turn where two letters stay before it. Patterns both Python `re` and PostgreSQL read
# alike (the prefixes cannot match at one place but `وال` and `و`, which both take longest).
ARABIC_LETTERS = ((0x0620, 0x063F), (0x0641, 0x064A), (0x066E, 0x066F), (0x0671, 0x06D3),
                  (0x06D5, 0x06D5), (0x06EE, 0x06EF), (0x06FA, 0x06FC), (0x06FF, 0x06FF),
                  (0x0750, 0x077F), (0x08A0, 0x08C9))  # fmt: skip
PREFIXES = ("وال", "بال", "كال", "فال", "ال", "لل")
SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")

# Step 20: a Hebrew word behind its one-letter prefixes, also without them: a conjunction
# (`ו`), then a relative (`ש`, `כש`), then a preposition or the article (`ב ל כ מ ה`, `מה`),
# at least one, where three letters at least stay (a shorter word is left alone: `בית` is
# not `ב` + `ית`). The prefixes longest first: Python takes the first alternative that
# matches, PostgreSQL the longest, the same one.
HEBREW_LETTERS = ((0x05D0, 0x05EA), (0x05EF, 0x05F2))
HEBREW_PREFIXES = tuple(
    sorted(
        {c + r + p for c in ("", "ו") for r in ("", "ש", "כש") for p in ("", *"בלכמה", "מה")}
        - {""},
        key=lambda prefix: (-len(prefix), prefix),
    )
)
MIN_HEBREW_STEM = 3

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


def stem_patterns(escape: bool = False) -> list[str]:
    """light10's steps, each a pattern whose matches are removed: the prefix, then each
    suffix; `escape`: the letter ranges as PostgreSQL's SQL text spells them."""
    letter = f"[{bracket(ARABIC_LETTERS, escape)}]"
    prefix = f"(?<!{letter})(?:(?:{'|'.join(PREFIXES)})(?={letter}{{2}})|و(?={letter}{{3}}))"
    return [prefix] + [f"(?<={letter}{{2}}){suffix}(?!{letter})" for suffix in SUFFIXES]


def hebrew_pattern(escape: bool = False) -> str:
    """A Hebrew word behind its prefixes: group 1 the prefixes, group 2 the rest; replaced by
    `\\1\\2 \\2` (the word as written, then without them). `escape`: as PostgreSQL's SQL
    text spells the letter ranges."""
    letter = f"[{bracket(HEBREW_LETTERS, escape)}]"
    prefixes = "|".join(HEBREW_PREFIXES)
    return f"(?<!{letter})({prefixes})({letter}{{{MIN_HEBREW_STEM},}})(?!{letter})"


HEBREW_WITHOUT = "\\1\\2 \\2"  # the replacement, the same in Python and PostgreSQL

_IGNORED = re.compile(f"[{bracket(IGNORED)}]")
_MARKS = re.compile(f"[{bracket(MARKS)}]")
_FOLD = str.maketrans(dict(FOLDS))
_LETTERS = str.maketrans(dict(LETTERS))
_SCRIPTS = re.compile(f"[{bracket(FOLDED_SCRIPTS)}]")
_ARABIC = re.compile(f"[{bracket(ARABIC_LETTERS)}]")
_STEMS = [re.compile(p) for p in stem_patterns()]
_HEBREW = re.compile(f"[{bracket(HEBREW_LETTERS)}]")
_HEBREW_WORD = re.compile(hebrew_pattern())


def folded(text: str) -> str:
    """One form of the text for both indexes and every search: invisible characters dropped,
    NFKC, marks dropped, the case traps and letter variants folded (all of which touch
    non-ASCII text alone). Folding folded text changes nothing."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", _IGNORED.sub("", text)).translate(_FOLD)
    return _MARKS.sub("", text).translate(_LETTERS) if _SCRIPTS.search(text) else text


def stemmed(text: str) -> str:
    """Folded text with each Arabic word by its light stem, and each Hebrew word behind its
    prefixes followed by the word without them (stemming a stem may shorten it again: apply
    once, to folded text)."""
    if text.isascii():
        return text
    if _ARABIC.search(text):
        for step in _STEMS:
            text = step.sub("", text)
    if _HEBREW.search(text):
        text = _HEBREW_WORD.sub(HEBREW_WITHOUT, text)
    return text


def _identifiers(text: str, search: bool) -> str:
    for pattern, index, looked_for, needs in _IDENTIFIERS:
        if needs in text:
            text = pattern.sub(looked_for if search else index, text)
    return text


def unspaced(text: str) -> bool:
    """Whether the text holds a unit of an unspaced script."""
    return not text.isascii() and _UNIT.search(text) is not None


def indexed(text: str) -> str:
    """The text as the keyword indexes hold it: folded, Arabic stemmed, identifiers' own
    words added, each unit of an unspaced script set apart by spaces."""
    text = _identifiers(stemmed(folded(text)), search=False)
    return text if text.isascii() else _UNIT.sub(r" \g<0> ", text)


def searched(text: str) -> str:
    """A query as a search reads it: folded, Arabic stemmed, identifiers as their own words."""
    return _identifiers(stemmed(folded(text)), search=True)


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
