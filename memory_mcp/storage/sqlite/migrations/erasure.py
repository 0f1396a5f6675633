"""Step 5: deleting erases (FTS5 secure-delete; purged history without text)."""

from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import FTS_INDEXES


def erasure(conn: Any) -> None:
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
