"""Ordered schema steps; never edit a released step, append a new one.

A step's number is not proof of what a file holds: branches merged in another order gave one
number to different steps (a file made between two merges had step 4 = _erasure and 5 =
_one_current_value; main's order later put _visible_keyword_index at 4). So each step has a
probe in APPLIED that tells, from the schema itself, whether its work is there, and opening a
file runs every step whose work is missing, whatever its number says (even at the newest).

The vector index is not here: its dimension is only known once the embedding model
has loaded, so the store creates it (see SqliteStore.ensure_vector_index).
"""

import json
from collections.abc import Callable
from typing import Any

from memory_mcp.storage.sqlite.grant_form import applied as grant_form_applied
from memory_mcp.storage.sqlite.grant_form import one_grant_form
from memory_mcp.storage.sqlite.keyword_schema import (
    FTS_INDEXES,
    KEYWORDS_FUNCTION,
    SPACED_FUNCTION,
    TAG_KEYWORDS_FUNCTION,
    TAG_WORDS_FUNCTION,
    fts_statements,
    indexed_context,
)
from memory_mcp.storage.sqlite.name_form import applied as name_form_applied
from memory_mcp.storage.sqlite.name_form import one_name_form

Step = Callable[[Any], None]


def _initial(conn: Any) -> None:
    for statement in _INITIAL:
        conn.execute(statement)


_INITIAL = [
    """
    create table meta (
        key text primary key,
        value text not null
    )
    """,
    """
    create table memories (
        id integer primary key,
        content text not null check (length(content) > 0),
        kind text not null default 'note',
        tags text not null default '[]',
        scope text not null default 'global',
        metadata text not null default '{}',
        created_at text not null,
        updated_at text not null,
        forgotten_at text,
        forget_reason text
    )
    """,
    "create index memories_scope_created on memories (scope, created_at)",
    "create index memories_created on memories (created_at)",
    """
    create virtual table memories_fts using fts5 (
        content, tags,
        content = 'memories', content_rowid = 'id',
        tokenize = 'porter unicode61'
    )
    """,
    """
    create trigger memories_fts_ai after insert on memories begin
        insert into memories_fts (rowid, content, tags) values (new.id, new.content, new.tags);
    end
    """,
    """
    create trigger memories_fts_ad after delete on memories begin
        insert into memories_fts (memories_fts, rowid, content, tags)
        values ('delete', old.id, old.content, old.tags);
    end
    """,
    """
    create trigger memories_fts_au after update of content, tags on memories begin
        insert into memories_fts (memories_fts, rowid, content, tags)
        values ('delete', old.id, old.content, old.tags);
        insert into memories_fts (rowid, content, tags) values (new.id, new.content, new.tags);
    end
    """,
]


def _lifecycle(conn: Any) -> None:
    """Dedup, supersession, event time, expiry, provenance, and the append-only history."""
    for statement in _LIFECYCLE:
        conn.execute(statement)
    # Exact-duplicate keys for rows stored before this step; the import is local because
    # migrations must not pull policy modules in at import time.
    from memory_mcp.policies.dedup import content_hash

    rows = conn.execute("select id, content from memories").fetchall()
    for memory_id, content in rows:
        conn.execute(
            "update memories set content_hash = :h where id = :id",
            {"h": content_hash(content), "id": memory_id},
        )


_LIFECYCLE = [
    "alter table memories add column content_hash text",
    "alter table memories add column key text",
    "alter table memories add column superseded_by integer",
    "alter table memories add column superseded_at text",
    "alter table memories add column occurred_at text",
    "alter table memories add column expires_at text",
    "alter table memories add column client text",
    "alter table memories add column repeat_count integer not null default 1",
    "alter table memories add column last_seen_at text",
    "create index memories_scope_hash on memories (scope, content_hash)",
    "create index memories_scope_key on memories (scope, key) where key is not null",
    "create index memories_expires on memories (expires_at) where expires_at is not null",
    """
    create table history (
        id integer primary key,
        memory_id integer not null,
        action text not null,
        at text not null,
        client text,
        before text,
        after text,
        detail text not null default '{}'
    )
    """,
    "create index history_memory on history (memory_id, id)",
]


def _context(conn: Any) -> None:
    """An optional `context` per memory, and the full-text index over content, tags, context
    and the words of the event date (read through a view, so `rebuild` recreates it all)."""
    for statement in _CONTEXT:
        conn.execute(statement)


_CONTEXT = [
    "alter table memories add column context text",
    "drop trigger memories_fts_ai",
    "drop trigger memories_fts_ad",
    "drop trigger memories_fts_au",
    "drop table memories_fts",
    f"""
    create view memories_fts_source (id, content, tags, context) as
    select m.id, m.content, m.tags, {indexed_context("m")} from memories m
    """,
    """
    create virtual table memories_fts using fts5 (
        content, tags, context,
        content = 'memories_fts_source', content_rowid = 'id',
        tokenize = 'porter unicode61'
    )
    """,
    f"""
    create trigger memories_fts_ai after insert on memories begin
        insert into memories_fts (rowid, content, tags, context)
        values (new.id, new.content, new.tags, {indexed_context("new")});
    end
    """,
    f"""
    create trigger memories_fts_ad after delete on memories begin
        insert into memories_fts (memories_fts, rowid, content, tags, context)
        values ('delete', old.id, old.content, old.tags, {indexed_context("old")});
    end
    """,
    f"""
    create trigger memories_fts_au after update of content, tags, context, occurred_at
    on memories begin
        insert into memories_fts (memories_fts, rowid, content, tags, context)
        values ('delete', old.id, old.content, old.tags, {indexed_context("old")});
        insert into memories_fts (rowid, content, tags, context)
        values (new.id, new.content, new.tags, {indexed_context("new")});
    end
    """,
    "insert into memories_fts (memories_fts) values ('rebuild')",
]


def _visible_keyword_index(conn: Any) -> None:
    """Two keyword indexes: `memories_fts` holds the visible memories (neither forgotten nor
    superseded) and `memories_fts_hidden` the rest, so hidden rows no longer shape the bm25
    statistics (document counts, lengths) that rank the visible ones."""
    for statement in _VISIBLE:
        conn.execute(statement)


_VISIBLE = [
    "drop trigger memories_fts_ai",
    "drop trigger memories_fts_ad",
    "drop trigger memories_fts_au",
    "drop table memories_fts",
    "drop view memories_fts_source",
    *(s for index, negate in FTS_INDEXES for s in fts_statements(index, negate)),
]


def _erasure(conn: Any) -> None:
    """Deleting erases: the keyword indexes remove a deleted memory's words at once (FTS5
    secure-delete) instead of leaving them in older segments until a merge, and the history
    of memories purged before this step loses its text as later purges do."""
    for index, _ in FTS_INDEXES:
        conn.execute(f"insert into {index} ({index}, rank) values ('secure-delete', 1)")
    conn.execute(
        """
        update history
        set before = null, after = null,
            detail = case when action in ('purge', 'expire') then '{}' else json_object(
                'erased', coalesce((select max(p.action) from history p
                    where p.memory_id = history.memory_id and p.action in ('purge', 'expire')),
                    'purge')) end
        where memory_id not in (select id from memories)
        """
    )
    # The keyword indexes hold no words of memories deleted before: the step before this
    # one built them afresh from `memories`.


def _one_current_value(conn: Any) -> None:
    """One current value per (scope, key), a memory superseded at most once, and an index
    on imported source ids, so the decisions writers take inside their transactions are
    backed by the schema. Rows that break the first rule (left by writers racing before
    this step) are settled first: the later-created value stays current, the others are
    superseded by it, each with a history entry."""
    from memory_mcp.timestamps import utc_now

    now = utc_now()
    clashes = conn.execute(
        f"""select scope, key from memories where key is not null and {_CURRENT}
            group by scope, key having count(*) > 1"""
    ).fetchall()
    for scope, key in clashes:
        ids = [
            int(r[0])
            for r in conn.execute(
                f"""select id from memories where scope = :scope and key = :key and {_CURRENT}
                    order by created_at, id""",
                {"scope": scope, "key": key},
            )
        ]
        for old in ids[:-1]:
            conn.execute(
                "update memories set superseded_by = :by, superseded_at = :now where id = :id",
                {"by": ids[-1], "now": now, "id": old},
            )
            conn.execute(
                """insert into history (memory_id, action, at, client, detail)
                   values (:id, 'supersede', :now, 'migration', :detail)""",
                {"id": old, "now": now, "detail": json.dumps({"by": ids[-1], "why": "key"})},
            )
    for statement in _ONE_CURRENT_VALUE:
        conn.execute(statement)


_CURRENT = "forgotten_at is null and superseded_by is null"

_ONE_CURRENT_VALUE = [
    f"""
    create unique index memories_current_key on memories (scope, key)
    where key is not null and {_CURRENT}
    """,
    """
    create trigger memories_superseded_once before update of superseded_by on memories
    when old.superseded_by is not null and new.superseded_by is not old.superseded_by
        and new.superseded_by is not null
    begin
        select raise(abort, 'memory already superseded');
    end
    """,
    """
    create index memories_imported_from on memories (
        json_extract(metadata, '$.imported_from.format'),
        json_extract(metadata, '$.imported_from.id')
    ) where json_extract(metadata, '$.imported_from.format') is not null
    """,
]


def _principals(conn: Any) -> None:
    """Team use: principals with their grants and one hashed token each, and the principal
    that made each change in the history."""
    for statement in _PRINCIPALS:
        conn.execute(statement)


_PRINCIPALS = [
    """
    create table principals (
        name text primary key,
        grants text not null default '[]',
        created_at text not null,
        token_hash text unique,
        token_created_at text,
        expires_at text,
        last_used_at text,
        revoked_at text
    )
    """,
    "alter table history add column principal text",
    "create index history_principal on history (principal, id) where principal is not null",
]


def _spaced_keyword_index(conn: Any) -> None:
    """Both keyword indexes hold the text of unspaced scripts (Chinese, Japanese, Korean)
    one character a word (policies.text.spaced), so a word is found inside a sentence: FTS5
    took a whole run of such characters, often a sentence, as one word. Tags are indexed as
    their words, no longer as JSON (which hid every tag with a non-ASCII character)."""
    for index, negate in FTS_INDEXES:
        for trigger in ("ai", "ad", "au"):
            conn.execute(f"drop trigger {index}_{trigger}")
        conn.execute(f"drop table {index}")
        conn.execute(f"drop view {index}_source")
        for statement in fts_statements(index, negate, (SPACED_FUNCTION, TAG_WORDS_FUNCTION)):
            conn.execute(statement)
        conn.execute(f"insert into {index} ({index}, rank) values ('secure-delete', 1)")


def _keyword_words(conn: Any) -> None:
    """Both keyword indexes hold the text as policies.keyword_text.indexed makes it (the
    same rules as PostgreSQL's step 9): Turkish, German and Greek case traps folded,
    identifiers such as `c++`, `c#`, `.net`, `node.js` as words of their own, and Thai, Lao,
    Khmer and Burmese split into letters with their signs, which FTS5 must keep in a word
    (tokenchars: unicode61 read the signs as separators)."""
    from memory_mcp.policies.keyword_text import cluster_chars

    tokenize = f"\"porter unicode61 tokenchars '{cluster_chars()}'\""
    functions = (KEYWORDS_FUNCTION, TAG_KEYWORDS_FUNCTION)
    for index, negate in FTS_INDEXES:
        for trigger in ("ai", "ad", "au"):
            conn.execute(f"drop trigger {index}_{trigger}")
        conn.execute(f"drop table {index}")
        conn.execute(f"drop view {index}_source")
        for statement in fts_statements(index, negate, functions, tokenize):
            conn.execute(statement)
        conn.execute(f"insert into {index} ({index}, rank) values ('secure-delete', 1)")


def _one_key_spelling(conn: Any) -> None:
    """Keys in their one spelling (policies.keys.key_form), so that "User.Editor" and
    "user.editor" are one slot. Spellings of one slot that were each current are settled as a
    later remember of the key settles them: the later-created value stays current, the
    others are superseded by it; then every key takes its form. Each change is in the
    memory's history (the spelling it had in the edit's `before`)."""
    from memory_mcp.policies.keys import settle_spellings
    from memory_mcp.storage.audit import SNAPSHOT_FIELDS
    from memory_mcp.timestamps import utc_now

    def snapshot(row: Any) -> str:
        shown = {name: row[name] for name in SNAPSHOT_FIELDS}
        return json.dumps(shown | {n: json.loads(shown[n]) for n in ("tags", "metadata")})

    now = utc_now()
    rows = {r["id"]: dict(r) for r in conn.execute("select * from memories where key is not null")}
    superseded, renamed = settle_spellings(rows.values())
    entries: list[tuple[int, str, str, str, str | None, str]] = []
    for old, by in superseded:
        conn.execute(
            "update memories set superseded_by = :by, superseded_at = :now where id = :id",
            {"by": by, "now": now, "id": old},
        )
        detail = json.dumps({"by": by, "why": "key"})
        entries.append((old, "supersede", now, snapshot(rows[old]), None, detail))
    for memory_id, form in renamed:
        conn.execute(
            "update memories set key = :key where id = :id", {"key": form, "id": memory_id}
        )
        after = snapshot(rows[memory_id] | {"key": form})
        entries.append((memory_id, "edit", now, snapshot(rows[memory_id]), after, "{}"))
    conn.executemany(
        """insert into history (memory_id, action, at, client, before, after, detail)
           values (?, ?, ?, 'migration', ?, ?, ?)""",
        entries,
    )
    conn.execute("insert into meta (key, value) values ('key_form', 'nfkc_casefold')")


def _has(conn: Any, kind: str, name: str) -> bool:
    """Whether the schema holds a table, view, index or trigger of this name."""
    row = conn.execute(
        "select 1 from sqlite_master where type = :t and name = :n", {"t": kind, "n": name}
    ).fetchone()
    return row is not None


def _has_column(conn: Any, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f"pragma table_info({table})"))


def _secure_delete(conn: Any) -> bool:
    """Both keyword indexes erase deleted words at once (the _erasure step's setting)."""
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


def _numbers_after_hyphens(conn: Any) -> None:
    """Step 11 is PostgreSQL's (its parser read a hyphen before a digit as a minus sign, so
    `CR-004211` did not hold 004211); FTS5 always read that hyphen as a space: nothing to do."""


def _fast_keywords(conn: Any) -> None:
    """Step 14 is PostgreSQL's (its keyword functions, rewritten for speed, give the same
    words); FTS5's tokenizer is not SQL: nothing to do."""


APPLIED: dict[Step, Callable[[Any], bool]] = {
    _initial: lambda c: _has(c, "table", "memories"),
    _lifecycle: lambda c: _has(c, "table", "history"),
    _context: lambda c: _has_column(c, "memories", "context"),
    _visible_keyword_index: lambda c: _has(c, "table", "memories_fts_hidden"),
    _erasure: _secure_delete,
    _one_current_value: lambda c: _has(c, "index", "memories_current_key"),
    _principals: lambda c: _has(c, "table", "principals"),
    # Step 9 rebuilds the indexes step 8 made, with their work (spacing) and more.
    _spaced_keyword_index: lambda c: _source_calls(
        c, "memories_fts_source", SPACED_FUNCTION, KEYWORDS_FUNCTION
    ),
    _keyword_words: lambda c: _source_calls(c, "memories_fts_source", KEYWORDS_FUNCTION),
    _one_key_spelling: lambda c: (
        c.execute("select 1 from meta where key = 'key_form'").fetchone() is not None
    ),
    _numbers_after_hyphens: lambda c: True,  # nothing to do: no backup is made for it
    _fast_keywords: lambda c: True,
    one_name_form: name_form_applied,
    one_grant_form: grant_form_applied,
}
# Steps that hold a number on SQLite without work here (their work is PostgreSQL's).
NOTHING_TO_DO = (_numbers_after_hyphens, _fast_keywords)

MIGRATIONS: list[Step] = [
    _initial, _lifecycle, _context, _visible_keyword_index, _erasure, _one_current_value,
    _principals, _spaced_keyword_index, _keyword_words, _one_key_spelling,
    _numbers_after_hyphens, one_name_form, one_grant_form, _fast_keywords,
]  # fmt: skip
