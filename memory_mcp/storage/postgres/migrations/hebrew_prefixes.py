"""Step 20: a Hebrew word behind its one-letter prefixes is also held without them in the
keyword column (`בבית` as `בבית בית`), so `בית` finds it."""

from typing import Any

from memory_mcp.policies.keyword_text import (
    ARABIC_LETTERS,
    HEBREW_LETTERS,
    HEBREW_WITHOUT,
    bracket,
    hebrew_pattern,
    stem_patterns,
)
from memory_mcp.storage.postgres.migrations.initial import FTS_OF, LENGTH_OF

_ARABIC_STEPS = "\n".join(
    f"            t := regexp_replace(t, '{pattern}', '', 'g');"
    for pattern in stem_patterns(escape=True)
)
_HEBREW = f"[{bracket(HEBREW_LETTERS, escape=True)}]"
# policies.keyword_text.stemmed: step 19's Arabic light stems, then the Hebrew words behind
# their prefixes followed by the words without them.
_STEMS = f"""
    create or replace function memory_stems(t text) returns text language plpgsql
    immutable as $$
    begin
        if t ~ '[{bracket(ARABIC_LETTERS, escape=True)}]' then
{_ARABIC_STEPS}
        end if;
        if t ~ '{_HEBREW}' then
            t := regexp_replace(t, '{hebrew_pattern(escape=True)}', '{HEBREW_WITHOUT}', 'g');
        end if;
        return t;
    end $$
"""


def hebrew_prefixes(c: Any) -> None:
    """SQLite's step 20: memory_stems (which memory_keywords calls; a search's words come
    stemmed from Python) also holds a Hebrew word behind its prefixes without them: `והספר`,
    `בבית` and `שהספר` never met `ספר` or `בית`. Only rows holding Hebrew letters are
    rewritten (the others' words are the same)."""
    c.execute(_STEMS)
    held = " or ".join(f"{col} ~ '{_HEBREW}'" for col in ("content", "tags::text", "context"))
    c.execute(f"update memories set fts = {FTS_OF}, doc_len = {LENGTH_OF} where {held}")


def applied(c: Any) -> bool:
    row = c.execute("select prosrc from pg_proc where oid = to_regproc('memory_stems')").fetchone()
    return row is not None and HEBREW_WITHOUT in str(row["prosrc"])
