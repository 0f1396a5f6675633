"""Step 8: the keyword column spaces unspaced scripts, reads ASCII punctuation as a space
and folds Latin accents, as FTS5 does."""

import unicodedata
from typing import Any

from memory_mcp.policies.text import UNSPACED_RANGES
from memory_mcp.storage.postgres.migrations.initial import FTS_OF


def _pg_escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


# policies.text.UNSPACED_RANGES as a regular expression bracket, frozen in step 8.
_UNSPACED = "".join(f"{_pg_escape(lo)}-{_pg_escape(hi)}" for lo, hi in UNSPACED_RANGES)


def spaced_keyword_text(c: Any) -> None:
    """SQLite's step 8: the keyword column holds the text of unspaced scripts (Chinese,
    Japanese, Korean) one character a word (policies.text.spaced), so a word is found inside
    a sentence: the parser took a whole run of such characters as one word. And, as FTS5
    does, it reads ASCII punctuation other than `-` and `'` as a space (the parser kept a
    file path, host, e-mail address or version, `src/app/main.py`, `v1.2.3`, as one word
    without its parts, so `main.py` or `1.2.3` was never found on PostgreSQL alone), and
    Latin letters without their accents (`cafe` finds `café`)."""
    for statement in _SPACED:
        c.execute(statement)


# ASCII punctuation but `-` (hyphenated words: the parser keeps them whole and their parts)
# and `'` (O'Brien).
PUNCTUATION = '[]!"#$%&()*+,./:;<=>?@[\\\\^_`{|}~]+'


def _folded() -> tuple[str, str]:
    """The Latin letters with diacritics (U+00C0-U+024F) and their base letters, as FTS5's
    unicode61 folds them (`é` to `e`; `ß` and `ı` stay)."""
    pairs = []
    for code in range(0xC0, 0x250):
        parts = unicodedata.normalize("NFKD", chr(code))
        base, marks = parts[0], parts[1:]
        if marks and base.isascii() and base.isalpha() and all(map(unicodedata.combining, marks)):
            pairs.append((chr(code), base))
    return "".join(p[0] for p in pairs), "".join(p[1] for p in pairs)


ACCENTED, BASES = _folded()

_SPACED = [
    f"""
    create function memory_words(t text) returns text language sql immutable as $$
    select regexp_replace(regexp_replace(translate(t, '{ACCENTED}', '{BASES}'),
                          '([{_UNSPACED}])', ' \\1 ', 'g'), '{PUNCTUATION}', ' ', 'g')
    $$
    """,
    """
    create or replace function memory_fts(content text, tags jsonb, context text,
        occurred_at text)
    returns tsvector language sql immutable as $$
    select setweight(to_tsvector('english', memory_words(content)), 'A') ||
           setweight(to_tsvector('english', memory_words(tags::text)), 'B') ||
           setweight(to_tsvector('english', memory_words(trim(coalesce(context, '') || ' ' ||
               case when occurred_at is null then ''
               else to_char(cast(occurred_at as timestamp), 'FMDD FMMonth YYYY') end))), 'C')
    $$
    """,
    f"""
    update memories set fts = {FTS_OF}, doc_len = tsvector_tokens({FTS_OF})
    where fts is distinct from {FTS_OF}
    """,
]
