"""Ordered schema steps; never edit a released step, append a new one.

The vector index is not here: its dimension is only known once the embedding model
has loaded, so the store creates it (see MemoryStore.ensure_vector_index).
"""

from collections.abc import Callable
from typing import Any

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
    from memory_mcp.dedup import content_hash

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

MIGRATIONS: list[Step] = [_initial, _lifecycle]
