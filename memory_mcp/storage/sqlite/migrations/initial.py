"""Step 1: memories, the meta table, the first keyword index."""

from typing import Any


def initial_schema(conn: Any) -> None:
    for statement in _STATEMENTS:
        conn.execute(statement)


_STATEMENTS = [
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
