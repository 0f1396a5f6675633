"""Step 14: the keyword functions, a tenth of their cost, with the same words."""

from typing import Any

from memory_mcp.storage.postgres.migrations.keyword_words import (
    UNIT,
    fold_accents,
    identifiers,
    keyword_columns,
)
from memory_mcp.storage.postgres.migrations.numbers import SIGN
from memory_mcp.storage.postgres.migrations.spaced import PUNCTUATION

# Every letter step 8's translate folds lies in Latin-1 Supplement to Latin Extended-B.
HELD = "[\\u00c0-\\u024f]"


def _when_held(text: str) -> str:
    return f"case when f ~ '{HELD}' then {fold_accents(text)} else {text} end"


_FAST = [
    f"""
    create or replace function memory_keywords(t text) returns text language plpgsql
    immutable as $$
    declare f text := memory_folds(regexp_replace(t, '{SIGN}', ' ', 'g'));  -- step 11's
    begin
        return regexp_replace(regexp_replace({_when_held(identifiers("f"))},
                                             '({UNIT})', ' \\1 ', 'g'),
                              '{PUNCTUATION}', ' ', 'g') || ' ' || memory_unit_pairs(f);
    end $$
    """,
    f"""
    create or replace function memory_fts(content text, tags jsonb, context text,
        occurred_at text)
    returns tsvector language plpgsql immutable as $$
    begin return {keyword_columns("memory_english")}; end $$
    """,
    f"""
    create or replace function memory_fts_length(content text, tags jsonb, context text,
        occurred_at text)
    returns integer language plpgsql immutable as $$
    begin return tsvector_tokens({keyword_columns("english")}); end $$
    """,
    f"""
    create or replace function memory_search_text(t text) returns text language sql
    immutable as $$
    select regexp_replace({_when_held("f")}, '{PUNCTUATION}', ' ', 'g')
    from memory_folds(t) as f
    $$
    """,
]


def fast_keywords(c: Any) -> None:
    """The same keyword column and length, computed in about a tenth of the time (500 rows
    of 200 characters: the column 417 -> 52 ms, the check `doctor` makes of both 1.8-2.7
    -> 0.19 ms a row). Every row written pays this in its trigger, and `doctor` pays it for
    every row it checks (a statement of 5,000 rows had run past the 30 s statement timeout
    on a loaded machine). Two causes:
    - the SQL functions were not inlined (their bodies call to_char and a cast to
      timestamp, which are only stable, and a FROM clause): each call ran a query of its
      own. PL/pgSQL evaluates the same expressions with plans kept for the session;
    - translate() looks each character up in its list of 244 accented letters, one by one
      (0.3 ms for 200 characters): a text without an accented letter now skips it, one scan
      by a regular expression.
    The words are the same (tests/storage/test_postgres.py compares every row), so no row
    is rewritten. SQLite's step of this number has nothing to do."""
    for statement in _FAST:
        c.execute(statement)
