"""Duplicate policy: exact duplicates by normalised hash; near duplicates by cosine, but merged
only when both texts carry the same facts (numbers, dates, names, identifiers, negations).

Cosine alone cannot tell "deploy on port 8080" from "deploy on port 8081" (MiniLM puts such
pairs above 0.95), so a cosine-only merge destroys exactly the details a memory exists to
keep. Pure functions, no I/O; the caller decides what "merge" means and keys exact
duplicates by (scope, content_hash).
"""

import functools
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple, TypeVar

from memory_mcp.config import DEFAULT_NEAR_DUPLICATE
from memory_mcp.policies.controls import shown
from memory_mcp.policies.repeats import event_day
from memory_mcp.policies.text import STOPWORDS, tokens

T = TypeVar("T")
NEGATION = "NOT"
# A sentence-initial capitalised word ("Alice", "Deployments") may be a name or not; facts()
# keeps it under this prefix and same_information() compares it leniently.
OPENER = "?"


def _words(text: str) -> list[str]:
    """A word list written as text (reads better than a list literal)."""
    return text.split()


def _forms(words: str, plurals: bool = False) -> dict[str, str]:
    """Each word mapped to itself, and with `plurals` its plain -s plural to the word too."""
    return {w: w for w in _words(words)} | ({w + "s": w for w in _words(words)} if plurals else {})


_NEGATIONS = frozenset(
    _words(
        "not no never none cannot neither nor without nobody nothing nowhere dont doesnt didnt "
        "isnt arent wasnt werent cant couldnt shouldnt wouldnt wont hasnt havent"
    )
)
_NUMBER_WORDS = dict(
    zip(
        _words(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty "
            "sixty seventy eighty ninety hundred thousand million billion dozen once twice "
            "first second third fourth fifth"
        ),
        [*map(str, range(21)), *_words("30 40 50 60 70 80 90 100 1000 1e6 1e9 12 1x 2x")]
        + _words("1st 2nd 3rd 4th 5th"),
        strict=True,
    )
)
_WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
# Lower-case words that still pin down when or how long: the weekday, the time of day, the unit.
_CALENDAR = (
    _forms(" ".join(_WEEKDAYS), plurals=True)
    | _forms("morning afternoon evening night weekend weekday", plurals=True)
    | _forms("minute hour day week month year decade", plurals=True)
    | _forms("today tomorrow yesterday tonight noon midnight pm ms")
    | _forms("hourly daily nightly weekly monthly quarterly yearly")
    | {"seconds": "second", "secs": "second", "mins": "minute", "hrs": "hour", "annually": "yearly"}
)
# Months and day abbreviations count only when capitalised: "may", "march", "sun" are words.
_MONTHS = _words(
    "january february march april may june july august september october november december"
)
_CAPITAL_DATES = (
    _forms(" ".join(_MONTHS))
    | {name[:3]: name for name in [*_MONTHS, *_WEEKDAYS]}
    | {"sept": "september", "tues": "tuesday", "thur": "thursday", "thurs": "thursday"}
)
# Switch values, temporal order, bounds and compass points: swapping one flips a memory while
# its embedding barely moves ("caching is enabled/disabled", "run migrations before/after
# deploying": cosine 0.95; "at least/at most 12 characters": 0.972).
_VALUES = _forms(
    "true false off before after least most min max minimum maximum above below "
    "north south east west northern southern eastern western"
) | {form: stem + "d" for stem in ("enable", "disable") for form in (stem, stem + "s", stem + "d")}
# Words that give a sentence a direction: "tabs over spaces", "Carol reports to Dave".
_DIRECTED = frozenset(_words("to from into onto over than instead before after by vs versus"))
_NOT_CODES = frozenset({"e.g", "i.e", "etc", "a.m", "p.m"})

_QUOTE_PAIRS = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "«": "»", "`": "`"}
_TRAILING = ".!?;:,"
_QUOTED = re.compile(
    r'"([^"\n]+)"|\u201c([^\u201d\n]+)\u201d|\u2018([^\u2019\n]+)\u2019|«([^»\n]+)»'
    r"|`([^`\n]+)`|(?<!\w)'([^'\n]+)'(?!\w)"
)
_IN_WORD_APOSTROPHE = re.compile(r"(?<=\w)[\u2019\u02bc](?=\w)")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
_DASHES = re.compile(r"[\u2013\u2014]")
_OPENERS = "([{<\"'\u201c\u2018«*"
_CLOSERS = ".,;:!?)]}>\"'\u201d\u2019»*"
_SENTENCE_END = (".", "!", "?", ":")
# Joined by code punctuation: Kestrel-00042, user.editor, snake_case, ~/.vimrc, C++, @alice.
_CODE = re.compile(r"\w[-_./@:\\#+~]|[-_./@:\\#~$]\w")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# A day of the month written as an ordinal ("the 3rd of March", "March 3rd") is that day.
_DAY_ORDINAL = re.compile(r"(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)")
_SHARED_PREFIX = 5
# Math, currency and other symbols (emoji included), but not modifiers such as skin tones.
_SYMBOLS = frozenset({"Sm", "Sc", "So"})


def normalize(text: str) -> str:
    """The exact-duplicate key: NFKC, invisible format characters dropped, casefolded,
    whitespace collapsed, then trailing sentence punctuation (``.!?;:,``) and one or more
    pairs of quotes around the whole text stripped. Never strips everything: "?!" stays "?!".
    """
    text = unicodedata.normalize("NFKC", text)
    # Text pasted from chats and web pages carries zero-width spaces and BOMs nobody sees
    # (no ASCII character is one: plain text skips the scan, a Python step per character).
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = " ".join(unicodedata.normalize("NFKC", text.casefold()).split())
    while True:
        stripped = text.rstrip(_TRAILING).rstrip()
        if len(stripped) >= 2 and _QUOTE_PAIRS.get(stripped[0]) == stripped[-1]:
            inner = stripped[1:-1]
            if stripped[0] not in inner and stripped[-1] not in inner:
                stripped = inner.strip()
        if not stripped or stripped == text:
            return text
        text = stripped


def reads_the_same(text: str) -> str:
    """What two texts a reader cannot tell apart share: normalize() of the text as shown,
    its unseen characters written out (normalize drops them, and a copy carrying an
    instruction in tag characters must not pass for its plain twin)."""
    return normalize(shown(text))


def first_of_each_text(
    items: Sequence[T], text: Callable[[T], str], place: Callable[[T], str]
) -> list[T]:
    """`items` without those reading the same as an earlier one from another place (the
    same memory stored in the project and in global: shown once, at its best rank, so a
    budget goes to distinct ones). Copies within one place are different memories (a
    superseded value and the current one) and stay."""
    seen: dict[str, str] = {}
    kept = []
    for item in items:
        key = reads_the_same(text(item))
        if seen.setdefault(key, place(item)) == place(item):
            kept.append(item)
    return kept


def content_hash(text: str) -> str:
    """sha256 hex of normalize(text)."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


Written = tuple[str, str, str | None]  # (scope, text, occurred_at) of a statement


def by_hash(
    texts: Sequence[Written], hashes: Sequence[str] | None = None
) -> dict[tuple[str, str, str | None], list[Written]]:
    """(scope, text, occurred_at) grouped under (scope, content_hash, event day): what one
    lookup of exact repeats answers for (texts that differ only in case or spacing share a
    hash; events of other days are other memories, policies/repeats.py). `hashes`: each
    text's content_hash, if known."""
    if hashes is None:
        hashes = [content_hash(text) for _, text, _ in texts]
    grouped: dict[tuple[str, str, str | None], list[Written]] = {}
    for (scope, text, occurred_at), digest in zip(texts, hashes, strict=True):
        grouped.setdefault((scope, digest, event_day(occurred_at)), []).append(
            (scope, text, occurred_at)
        )
    return grouped


Group = tuple[str, str, str | None]  # (scope, content_hash, event day): by_hash's keys


def first_repeats(matches: Iterable[tuple[Group, int, bool]]) -> dict[Group, int]:
    """For each group, the memory an exact repeat counts on, of the (group, memory id,
    undated) a lookup matched: one of the event's day before an undated one, then the oldest
    (the order of the backends' REPEAT)."""
    best: dict[Group, tuple[bool, int]] = {}
    for group, memory_id, undated in matches:
        rank = (group[2] is not None and undated, int(memory_id))
        if group not in best or rank < best[group]:
            best[group] = rank
    return {group: rank[1] for group, rank in best.items()}


def facts(text: str) -> Counter[str]:
    """The information-bearing tokens of a text, casefolded, as a multiset.

    - numbers and anything with a digit (3.12, 14:30, 8080, 2025-01-15, 1,000 -> 1000, v2);
      number words become digits ("two" -> "2", "third" -> "3rd");
    - dates and times: weekdays ("Fridays" -> "friday"), capitalised months and their
      abbreviations, times of day, frequencies ("nightly") and time units ("days" -> "day");
    - switch values, temporal order, bounds and compass points: true, false, off, enabled,
      disabled, before, after, least, most, min, max, above, below, north, south...;
    - identifiers: mixed-case or all-caps words (PostgreSQL, iOS, API) and words joined by
      code punctuation (Kestrel-00042, user.editor, snake_case, billing-api, ~/.vimrc, C++);
    - names: capitalised words inside a sentence;
    - quoted strings ("...", '...', `...`, curly quotes) as one '"text"' entry each;
    - negations (not, no, never, n't, without, none, cannot, neither, nor, nobody, nothing,
      nowhere, dont...) as one NEGATION entry each;
    - symbols (< > = +, currency, emoji such as ✅ ❌ 👍), one entry each, outside quotes.

    A capitalised non-stopword that starts a sentence ("Alice likes tea", "Deployments happen")
    may be a name or an ordinary word; it is kept as OPENER + word ("?alice") so that
    same_information() can compare it leniently.
    """
    text = _IN_WORD_APOSTROPHE.sub("'", unicodedata.normalize("NFKC", text))
    found: Counter[str] = Counter()
    for match in _QUOTED.finditer(text):
        quoted = next(group for group in match.groups() if group is not None)
        found['"' + " ".join(quoted.casefold().split()) + '"'] += 1
    text = _DASHES.sub(" ", _QUOTED.sub(" ", text))
    for line in text.splitlines():
        initial, after_number = True, False
        for chunk in _BULLET.sub("", line).split():
            word = chunk.lstrip(_OPENERS).rstrip(_CLOSERS)
            key = _classify(word, initial, after_number) if word else None
            if key is not None:
                found[key] += 1
            elif not chunk.isalnum():  # (a plain word has none: most are, checked in C)
                # The model reads most symbols as one unknown token: "Build status ✅" and
                # "Build status ❌" embed alike (cosine 1.0), "< 100ms" and "> 100ms" nearly
                # (0.987). Inside an identifier or number (~/.vimrc, $20) the key holds them.
                found.update(ch for ch in chunk if unicodedata.category(ch) in _SYMBOLS)
            # A symbol or a dash between words ("✅ The build is green") starts no sentence.
            if _has_alnum(word):
                initial = chunk.rstrip(")]}\"'\u201d\u2019»*").endswith(_SENTENCE_END)
                after_number = _has_digit(word)
    return _days_as_numbers(found)


def _days_as_numbers(found: Counter[str]) -> Counter[str]:
    """Beside a month, "3rd" is the day 3: "March 3" and "the 3rd of March" say one date."""
    if not any(key in _MONTHS for key in found):
        return found
    days = Counter({key: n for key, n in found.items() if _DAY_ORDINAL.fullmatch(key)})
    return found - days + Counter({key[:-2]: n for key, n in days.items()})


def _classify(word: str, initial: bool, after_number: bool) -> str | None:
    """The fact one cleaned word stands for, or None for an ordinary word."""
    if not _has_alnum(word):
        return None
    if word.casefold().endswith("'s"):
        word = word[:-2]
    lower = word.casefold()
    if lower in _NEGATIONS or lower.endswith("n't"):
        return NEGATION
    if _has_digit(word):
        return _THOUSANDS.sub("", lower)
    if lower in _NUMBER_WORDS:
        return _NUMBER_WORDS[lower]
    if lower in _CALENDAR:
        return _CALENDAR[lower]
    if lower in _VALUES:
        return _VALUES[lower]
    if word[0].isupper() and lower in _CAPITAL_DATES:
        return _CAPITAL_DATES[lower]
    if lower in ("am", "a.m", "p.m"):
        # "am" is a verb too; only a time makes it a fact ("9 am").
        return ("pm" if lower == "p.m" else "am") if after_number else None
    if lower in _NOT_CODES or not word[0].isalnum() and not _CODE.search(word):
        return None
    if _CODE.search(word) or _has_upper(word[1:]):
        return lower
    if not word[0].isupper() or lower == "i":
        return None
    if initial:
        return None if lower in STOPWORDS else OPENER + lower
    return lower


# Each word of every text goes through these: a check in C settles most words (a plain word
# is alphanumeric, alphabetic, lower-case), the character loop only the rest (4x faster).
def _has_alnum(word: str) -> bool:
    return word.isalnum() or any(ch.isalnum() for ch in word)


def _has_digit(word: str) -> bool:
    return not word.isalpha() and any(ch.isdigit() for ch in word)


def _has_upper(word: str) -> bool:
    return not word.islower() and any(ch.isupper() for ch in word)


def same_information(a: str, b: str) -> bool:
    """True when a and b carry the same facts() (so merging them loses nothing).

    1. Every fact except sentence-initial capitalised words (OPENER entries) must match as a
       multiset, case-insensitively.
    2. An opener counts as a name when the other text uses it as one ("Alice likes tea" /
       "Tea is what Alice likes"); otherwise it is matched when the other text contains the
       word, or one sharing its first five letters ("Deployments" ~ "deploy"). The texts differ
       when each has an opener the other never mentions: a swapped subject ("Alice likes tea"
       / "Bob likes tea"). One unmatched opener alone is rewording ("We deploy on Fridays" /
       "Deployments happen on Fridays"), since a sentence-initial word may be ordinary.
    3. A text with a letter outside ASCII (another language or script, an accented word) has
       the same words as the other, in any order: the embedding model reads English, so its
       cosine cannot tell "Мне нравится кофе" from "Мне не нравится кофе" (0.990) or
       "我喜欢喝咖啡" from "我喜欢喝茶" (0.997), and facts() knows only English negations.
    4. Role swaps differ: each text opens with a name or identifier that the other has
       elsewhere ("Alice mentors Bob" / "Bob mentors Alice"), or both use the same content
       words in another order around a direction word (to, from, over, than, before, after,
       by, ...): "tabs over spaces" / "spaces over tabs", "Carol reports to Dave" / "Dave
       reports to Carol".
    """
    (firm_a, loose_a, words_a, readable_a, subject_a) = _read(a)
    (firm_b, loose_b, words_b, readable_b, subject_b) = _read(b)
    promoted_a = Counter(w for w in loose_a if firm_b[w] > firm_a[w])
    promoted_b = Counter(w for w in loose_b if firm_a[w] > firm_b[w])
    if firm_a + promoted_a != firm_b + promoted_b:
        return False
    if not readable_a or not readable_b:
        content_a = Counter(w for w in words_a if w not in STOPWORDS)
        if content_a != Counter(w for w in words_b if w not in STOPWORDS):
            return False
    unmatched_a = [w for w in loose_a if not _mentions(set(words_b), w)]
    unmatched_b = [w for w in loose_b if not _mentions(set(words_a), w)]
    if unmatched_a and unmatched_b:
        return False
    if (
        subject_a != subject_b
        and subject_a in {*firm_b, *loose_b}
        and subject_b in {*firm_a, *loose_a}
    ):
        return False
    return not _role_swap(words_a, words_b)


class _Read(NamedTuple):
    firm: Counter[str]  # facts() without openers
    loose: frozenset[str]  # the openers, without their prefix
    words: list[str]
    readable: bool
    subject: str | None


@functools.lru_cache(maxsize=512)
def _read(text: str) -> _Read:
    """What same_information compares of a text, read once for every pair it is in (recall
    weighs each hit against the others: policies/updates.py). Never mutated."""
    firm, loose = _split(facts(text))
    return _Read(firm, frozenset(loose), tokens(text), _readable(text), _subject(text))


def subject(text: str) -> str | None:
    """The name or identifier a text opens with ("Alice prefers Zed": alice), if any."""
    return _read(text).subject


def is_near_duplicate(
    a: str, b: str, cosine: float, threshold: float = DEFAULT_NEAR_DUPLICATE
) -> bool:
    """Merge a and b: their embeddings are close (cosine >= threshold) and they carry the same
    information (same_information). Antonyms and swapped roles that no fact or direction word
    separates ("faster" / "slower", "Alice mentors Bob" / "Bob mentors Alice") rest on the
    threshold alone.
    """
    return cosine >= threshold and same_information(a, b)


def _readable(text: str) -> bool:
    """No letter outside ASCII: text whose wording the English embedding model can judge."""
    return text.isascii() or not any(ch.isalpha() and not ch.isascii() for ch in text)


def _split(found: Counter[str]) -> tuple[Counter[str], set[str]]:
    """(facts without openers, the opener words without their prefix)."""
    firm = Counter({k: n for k, n in found.items() if not k.startswith(OPENER)})
    return firm, {k[len(OPENER) :] for k in found if k.startswith(OPENER)}


def _subject(text: str) -> str | None:
    """The fact the text opens with (opener prefix dropped), if any."""
    for line in text.splitlines():
        chunks = _BULLET.sub("", line).split()
        if chunks:
            word = chunks[0].lstrip(_OPENERS).rstrip(_CLOSERS)
            key = _classify(word, True, False) if word else None
            return None if key in (None, NEGATION) else key.removeprefix(OPENER)
    return None


def _role_swap(words_a: list[str], words_b: list[str]) -> bool:
    content_a = [w for w in words_a if w not in STOPWORDS]
    content_b = [w for w in words_b if w not in STOPWORDS]
    if content_a == content_b or Counter(content_a) != Counter(content_b):
        return False
    return not _DIRECTED.isdisjoint(words_a + words_b)


def _mentions(words: set[str], word: str) -> bool:
    if word in words:
        return True
    if len(word) < _SHARED_PREFIX:
        return False
    stem = word[:_SHARED_PREFIX]
    return any(w.startswith(stem) for w in words)
