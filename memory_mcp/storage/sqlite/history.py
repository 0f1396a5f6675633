"""The append-only audit trail: every mutation, when, by which client, before and after.

Rows are written by the store inside the same transaction as the change they describe, and
survive a purge of the memory itself (that is the point of an audit trail).
"""

import json
from typing import Any

from memory_mcp.models import HistoryEntry
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.timestamps import utc_now

ACTIONS = (
    "create", "duplicate", "merge", "supersede", "edit", "move",
    "forget", "restore", "purge", "import", "expire",
)  # fmt: skip

SNAPSHOT_FIELDS = ("content", "kind", "tags", "scope", "key", "metadata")


def snapshot(row: Any) -> dict[str, Any]:
    """The fields a person would want to compare before and after a change."""
    snap = {name: row[name] for name in SNAPSHOT_FIELDS}
    snap["tags"] = json.loads(snap["tags"])
    snap["metadata"] = json.loads(snap["metadata"])
    return snap


def record(
    c: Connection,
    memory_id: int,
    action: str,
    client: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **detail: Any,
) -> None:
    assert action in ACTIONS, action
    c.execute(
        """
        insert into history (memory_id, action, at, client, before, after, detail)
        values (:memory_id, :action, :at, :client, :before, :after, :detail)
        """,
        {
            "memory_id": memory_id,
            "action": action,
            "at": utc_now(),
            "client": client,
            "before": None if before is None else json.dumps(before),
            "after": None if after is None else json.dumps(after),
            "detail": json.dumps(detail, default=str),
        },
    )


def entries(
    c: Connection, memory_id: int | None = None, limit: int = 50, before_id: int | None = None
) -> list[HistoryEntry]:
    """Newest first; one memory's trail, or the whole log."""
    rows = c.execute(
        """
        select * from history
        where (:memory_id is null or memory_id = :memory_id)
          and (:before_id is null or id < :before_id)
        order by id desc limit :limit
        """,
        {"memory_id": memory_id, "limit": limit, "before_id": before_id},
    ).fetchall()
    return [
        HistoryEntry(
            id=r["id"],
            memory_id=r["memory_id"],
            action=r["action"],
            at=r["at"],
            client=r["client"],
            before=None if r["before"] is None else json.loads(r["before"]),
            after=None if r["after"] is None else json.loads(r["after"]),
            detail=json.loads(r["detail"]),
        )
        for r in rows
    ]
