"""Step 2: dedup, supersession, event time, expiry, provenance, history."""

from typing import Any


def lifecycle(conn: Any) -> None:
    """Dedup, supersession, event time, expiry, provenance, and the append-only history."""
    for statement in _STATEMENTS:
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


_STATEMENTS = [
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
