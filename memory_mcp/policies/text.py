"""Words of a text as recall and dedup see them: lowercase word tokens, and the stopwords."""

import os
import re

# Function words that carry no topic: dropping them keeps natural-language questions from
# matching every memory that says "the" while the content words decide the ranking.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    s t don didn doesn isn wasn aren weren won let lets did anything something thing things
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


# Scripts written without spaces between words: Han (CJK ideographs, radicals, the
# iteration marks), kana and Hangul syllables. Word tokenizers (FTS5's unicode61,
# PostgreSQL's parser, `\w+`) take a whole run of them, often a whole sentence, as one word,
# so a word inside it was never found. Schema step 8 made the keyword indexes hold each such
# character as a word of its own (spaced); step 9 reads text through policies.keyword_text,
# which splits these and more scripts. Never change these ranges or `spaced`: step 8 runs
# them on files it migrates, and PostgreSQL's step 8 holds a copy of the ranges.
UNSPACED_RANGES = (
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31FF),  # Bopomofo extended, CJK strokes, Katakana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3134F),  # CJK extensions B-G
)
_UNSPACED = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in UNSPACED_RANGES)
_UNSPACED_CHAR = re.compile(f"([{_UNSPACED}])")


def spaced(text: str) -> str:
    """The text as step 8's keyword indexes held it: each character of an unspaced script
    set apart by spaces (other text unchanged)."""
    return _UNSPACED_CHAR.sub(r" \1 ", text)


def trie_pattern(words: list[str]) -> str:
    """A pattern matching exactly `words` (sorted or not), as a trie: one branch per next
    character, which `re` tries at a position in one step where a flat alternation tries
    every word; the longest first where one word begins another. A run of characters the
    words of a branch all share is one literal: one recursion a character put a 1,000-letter
    bearer token past Python's recursion limit."""
    branches: dict[str, list[str]] = {}
    ends = False
    for word in sorted(words):
        if word:
            branches.setdefault(word[0], []).append(word[1:])
        else:
            ends = True
    parts = [_trie_branch(head, rest) for head, rest in branches.items()]
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return f"(?:{body})?" if ends else body


def _trie_branch(head: str, rests: list[str]) -> str:
    """`head` and the longest start every one of `rests` shares, as one literal, then the
    trie of what follows."""
    common = os.path.commonprefix(rests) if all(rests) else ""
    return re.escape(head + common) + trie_pattern([rest[len(common) :] for rest in rests])
