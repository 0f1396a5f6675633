"""Step 7: principals (team use) and who made each change."""

from typing import Any


def principals(conn: Any) -> None:
    """Team use: principals with their grants and one hashed token each, and the principal
    that made each change in the history."""
    for statement in _STATEMENTS:
        conn.execute(statement)


_STATEMENTS = [
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
