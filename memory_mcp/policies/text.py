"""Words of a text as recall and dedup see them: lowercase word tokens, and the stopwords."""

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
# so a word inside it was never found. The keyword indexes hold each such character as a
# word of its own (spaced), and searches look for each pair of neighbours (search_words).
# Never change these ranges without a schema step that rebuilds both keyword indexes: an index
# removes a row by the words it was given, and PostgreSQL's step 8 holds a copy of them.
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
_UNSPACED_RUN = re.compile(f"([{_UNSPACED}]+)")


def spaced(text: str) -> str:
    """The text as the keyword indexes hold it: each character of an unspaced script
    set apart by spaces (other text unchanged)."""
    return _UNSPACED_CHAR.sub(r" \1 ", text)


def search_words(text: str) -> list[str]:
    """What a keyword search looks for: the word tokens, and in a run of an unspaced script
    each pair of neighbouring characters as a two-word phrase ("数 据", "据 库" for 数据库;
    a character alone when the run is one), which matches the run anywhere in a sentence."""
    words: list[str] = []
    for i, piece in enumerate(_UNSPACED_RUN.split(text)):
        if i % 2 == 0:  # split() with one group alternates other text and runs
            words += tokens(piece)
        else:
            words += [" ".join(piece[j : j + 2]) for j in range(max(len(piece) - 1, 1))]
    return words
