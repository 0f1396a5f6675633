"""Step 7: principals (team use)."""

from typing import Any


def principals(c: Any) -> None:
    """Team use (SQLite's step 7): principals with their grants and one hashed token each,
    and the principal that made each change in the history."""
    for statement in PRINCIPALS:
        c.execute(statement)


PRINCIPALS = [
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
