"""Step 3: a context per memory, in the keyword index with the event date's words."""

from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import indexed_context


def context(conn: Any) -> None:
    """An optional `context` per memory, and the full-text index over content, tags, context
    and the words of the event date (read through a view, so `rebuild` recreates it all)."""
    for statement in _STATEMENTS:
        conn.execute(statement)


_STATEMENTS = [
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
