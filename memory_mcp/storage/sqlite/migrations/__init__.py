"""Ordered schema steps, one module a step; never edit a released step, append a new one.

A step's number is not proof of what a file holds: branches merged in another order gave one
number to different steps (a file made between two merges had step 4 = erasure and 5 =
one_current; main's order later put visible at 4). So each step has a probe in APPLIED that
tells, from the schema itself, whether its work is there, and opening a file runs every step
whose work is missing, whatever its number says (even at the newest).

The vector index is not here: its dimension is only known once the embedding model
has loaded, so the store creates it (see SqliteStore.ensure_vector_index).
"""

from collections.abc import Callable
from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import (
    FTS_INDEXES,
    KEYWORDS_FUNCTION,
    SPACED_FUNCTION,
)
from memory_mcp.storage.sqlite.migrations import (
    context,
    erasure,
    fast_keywords,
    grant_form,
    hebrew_prefixes,
    initial,
    key_spelling,
    keyword_words,
    left_slots,
    lifecycle,
    name_form,
    numbers,
    one_current,
    principals,
    scoped_history,
    script_forms,
    spaced,
    tag_form,
    text_forms,
    visible,
)

Step = Callable[[Any], None]


def _has(conn: Any, kind: str, name: str) -> bool:
    """Whether the schema holds a table, view, index or trigger of this name."""
    row = conn.execute(
        "select 1 from sqlite_master where type = :t and name = :n", {"t": kind, "n": name}
    ).fetchone()
    return row is not None


def _has_column(conn: Any, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f"pragma table_info({table})"))


def _secure_delete(conn: Any) -> bool:
    """Both keyword indexes erase deleted words at once (step 5's setting, erasure.py)."""
    return all(
        _has(conn, "table", f"{index}_config")
        and conn.execute(f"select 1 from {index}_config where k = 'secure-delete'").fetchone()
        is not None
        for index, _ in FTS_INDEXES
    )


def _source_calls(conn: Any, view: str, *functions: str) -> bool:
    """The keyword index reads its text through one of these functions."""
    row = conn.execute(
        "select sql from sqlite_master where type = 'view' and name = :n", {"n": view}
    ).fetchone()
    return row is not None and any(f in row[0] for f in functions)


APPLIED: dict[Step, Callable[[Any], bool]] = {
    initial.initial_schema: lambda c: _has(c, "table", "memories"),
    lifecycle.lifecycle: lambda c: _has(c, "table", "history"),
    context.context: lambda c: _has_column(c, "memories", "context"),
    visible.visible_keyword_index: lambda c: _has(c, "table", "memories_fts_hidden"),
    erasure.erasure: _secure_delete,
    one_current.one_current_value: lambda c: _has(c, "index", "memories_current_key"),
    principals.principals: lambda c: _has(c, "table", "principals"),
    # Step 9 rebuilds the indexes step 8 made, with their work (spacing) and more.
    spaced.spaced_keyword_index: lambda c: _source_calls(
        c, "memories_fts_source", SPACED_FUNCTION, KEYWORDS_FUNCTION
    ),
    keyword_words.keyword_words: lambda c: _source_calls(
        c, "memories_fts_source", KEYWORDS_FUNCTION
    ),
    key_spelling.one_key_spelling: lambda c: (
        c.execute("select 1 from meta where key = 'key_form'").fetchone() is not None
    ),
    numbers.numbers_after_hyphens: lambda c: True,  # nothing to do: no backup is made for it
    fast_keywords.fast_keywords: lambda c: True,
    name_form.one_name_form: name_form.applied,
    grant_form.one_grant_form: grant_form.applied,
    left_slots.settle_left_slots: left_slots.applied,
    text_forms.text_forms: text_forms.applied,
    scoped_history.scoped_history: lambda c: _has(c, "index", scoped_history.INDEX),
    tag_form.one_tag_form: tag_form.applied,
    script_forms.script_forms: script_forms.applied,
    hebrew_prefixes.hebrew_prefixes: hebrew_prefixes.applied,
}
# Steps that hold a number on SQLite without work here (their work is PostgreSQL's).
NOTHING_TO_DO = (numbers.numbers_after_hyphens, fast_keywords.fast_keywords)

MIGRATIONS: list[Step] = [
    initial.initial_schema, lifecycle.lifecycle, context.context,
    visible.visible_keyword_index, erasure.erasure, one_current.one_current_value,
    principals.principals, spaced.spaced_keyword_index, keyword_words.keyword_words,
    key_spelling.one_key_spelling, numbers.numbers_after_hyphens, name_form.one_name_form,
    grant_form.one_grant_form, fast_keywords.fast_keywords, left_slots.settle_left_slots,
    text_forms.text_forms, scoped_history.scoped_history, tag_form.one_tag_form,
    script_forms.script_forms, hebrew_prefixes.hebrew_prefixes,
]  # fmt: skip
