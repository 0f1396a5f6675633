"""Step 19: a word written with or without its marks, and an Arabic word behind its article
or with its suffix, are one word in the keyword column."""

from typing import Any

from memory_mcp.policies.keyword_text import (
    ARABIC_LETTERS,
    IGNORED,
    LETTERS,
    MARKS,
    bracket,
    stem_patterns,
)
from memory_mcp.storage.postgres.migrations.fast_keywords import HELD
from memory_mcp.storage.postgres.migrations.initial import FTS_OF, LENGTH_OF
from memory_mcp.storage.postgres.migrations.keyword_words import (
    UNIT,
    fold_accents,
    folds,
    identifiers,
)
from memory_mcp.storage.postgres.migrations.numbers import SIGN
from memory_mcp.storage.postgres.migrations.spaced import PUNCTUATION
from memory_mcp.storage.postgres.migrations.text_forms import NON_ASCII

_FORM = f"normalize(regexp_replace(t, '[{bracket(IGNORED, escape=True)}]', '', 'g'), nfkc)"
_BARE = f"regexp_replace({_FORM}, '[{bracket(MARKS, escape=True)}]', '', 'g')"
_FROM, _INTO = ("".join(pair[i] for pair in LETTERS) for i in (0, 1))
# policies.keyword_text.folded (step 16's, the marks dropped and the letters folded too).
_FOLDS = f"""
    create or replace function memory_folds(t text) returns text language sql immutable as $$
    select case when t ~ '{NON_ASCII}'
        then translate({folds(f"regexp_replace({_BARE}, '{SIGN}', ' ', 'g')")},
                       '{_FROM}', '{_INTO}')
        else t end
    $$
"""
_STEPS = "\n".join(
    f"        t := regexp_replace(t, '{pattern}', '', 'g');"
    for pattern in stem_patterns(escape=True)
)
# policies.keyword_text.stemmed.
_STEMS = f"""
    create or replace function memory_stems(t text) returns text language plpgsql
    immutable as $$
    begin
        if t !~ '[{bracket(ARABIC_LETTERS, escape=True)}]' then return t; end if;
{_STEPS}
        return t;
    end $$
"""
# Step 14's memory_keywords, the folded text stemmed.
_KEYWORDS = f"""
    create or replace function memory_keywords(t text) returns text language plpgsql
    immutable as $$
    declare f text := memory_stems(memory_folds(regexp_replace(t, '{SIGN}', ' ', 'g')));
    begin
        return regexp_replace(regexp_replace(
            case when f ~ '{HELD}' then {fold_accents(identifiers("f"))}
                 else {identifiers("f")} end,
            '({UNIT})', ' \\1 ', 'g'), '{PUNCTUATION}', ' ', 'g') || ' ' || memory_unit_pairs(f);
    end $$
"""


def script_forms(c: Any) -> None:
    """SQLite's step 19: Hebrew niqqud, Arabic harakat and tatweel are dropped, the letters
    written two ways folded (Arabic alef forms, `ى`, `ة`, Persian and Urdu `ی` `ک`, Greek
    accents) in the column and in every search (memory_folds), and the column holds Arabic
    words by their light stem (memory_stems; a search's words come stemmed from Python):
    `قهوة` never found `القهوة`, `بالقهوة` or `للقهوة`. Only rows holding non-ASCII text
    are rewritten (the others' words are the same)."""
    for statement in (_FOLDS, _STEMS, _KEYWORDS):
        c.execute(statement)
    held = " or ".join(f"{col} ~ '{NON_ASCII}'" for col in ("content", "tags::text", "context"))
    c.execute(f"update memories set fts = {FTS_OF}, doc_len = {LENGTH_OF} where {held}")


def applied(c: Any) -> bool:
    row = c.execute(
        "select prosrc from pg_proc where oid = to_regproc('memory_keywords')"
    ).fetchone()
    return row is not None and "memory_stems(" in str(row["prosrc"])
