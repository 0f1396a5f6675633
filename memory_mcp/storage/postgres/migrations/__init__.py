"""Ordered schema steps of the PostgreSQL backend; never edit a released step, append one.

Version numbers are the SQLite side's (memory_mcp/storage/sqlite/migrations/): a database
at version N holds the same facts whichever backend it is on. PostgreSQL support arrived at
version 6, so its first step builds everything SQLite's steps 1-6 built; a step 7 added to
SQLite gets its PostgreSQL twin here, with the same number: one module a step, named here.

The vector table is not here: its dimension is only known once the embedding model has
loaded (see vectors.py), as on SQLite.
"""

from collections.abc import Callable
from typing import Any

from memory_mcp.storage.postgres.migrations import (
    fast_keywords,
    grant_form,
    hebrew_prefixes,
    initial,
    key_spelling,
    keyword_words,
    left_slots,
    name_form,
    numbers,
    principals,
    scoped_history,
    script_forms,
    spaced,
    tag_form,
    text_forms,
)
from memory_mcp.storage.postgres.migrations.initial import CURRENT, FTS_OF, LENGTH_OF

Step = Callable[[Any], None]


def _has_table(c: Any, name: str) -> bool:
    """Whether the schema (the connection's search path) holds this table."""
    row = c.execute("select to_regclass(%s) is not null as e", (name,)).fetchone()
    return bool(row["e"])


def _has_function(c: Any, name: str) -> bool:
    row = c.execute("select to_regproc(%s) is not null as e", (name,)).fetchone()
    return bool(row["e"])


def _source(c: Any, function: str) -> str:
    row = c.execute("select prosrc from pg_proc where oid = to_regproc(%s)", (function,)).fetchone()
    return str(row["prosrc"]) if row else ""


# Whether each step's work is in the schema, whatever its version rows say: a number that a
# merge gave to another step in some database must not skip or repeat one (as on SQLite).
APPLIED: dict[Step, Callable[[Any], bool]] = {
    initial.initial_schema: lambda c: _has_table(c, "memories"),
    principals.principals: lambda c: _has_table(c, "principals"),
    spaced.spaced_keyword_text: lambda c: _has_function(c, "memory_words"),
    keyword_words.keyword_words: lambda c: _has_function(c, "memory_keywords"),
    key_spelling.one_key_spelling: key_spelling.applied,
    numbers.numbers_after_hyphens: lambda c: numbers.SIGN in _source(c, "memory_keywords"),
    name_form.one_name_form: name_form.applied,
    grant_form.one_grant_form: grant_form.applied,
    fast_keywords.fast_keywords: lambda c: fast_keywords.HELD in _source(c, "memory_keywords"),
    left_slots.settle_left_slots: left_slots.applied,
    text_forms.text_forms: text_forms.applied,
    scoped_history.scoped_history: lambda c: _has_table(c, scoped_history.INDEX),
    tag_form.one_tag_form: tag_form.applied,
    script_forms.script_forms: script_forms.applied,
    hebrew_prefixes.hebrew_prefixes: hebrew_prefixes.applied,
}

TARGET = 20
MIGRATIONS: list[tuple[int, Step]] = [
    (6, initial.initial_schema), (7, principals.principals), (8, spaced.spaced_keyword_text),
    (9, keyword_words.keyword_words), (10, key_spelling.one_key_spelling),
    (11, numbers.numbers_after_hyphens), (12, name_form.one_name_form),
    (13, grant_form.one_grant_form), (14, fast_keywords.fast_keywords),
    (15, left_slots.settle_left_slots), (16, text_forms.text_forms),
    (17, scoped_history.scoped_history), (18, tag_form.one_tag_form),
    (19, script_forms.script_forms), (20, hebrew_prefixes.hebrew_prefixes),
]  # fmt: skip

__all__ = ["APPLIED", "CURRENT", "FTS_OF", "LENGTH_OF", "MIGRATIONS", "TARGET", "Step"]
