"""Writes to memories: each public method is one transaction, index entries and history included."""

import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from memory_mcp.policies.dedup import content_hash
from memory_mcp.storage.contract import NewRow
from memory_mcp.storage.sqlite import history, vectors
from memory_mcp.storage.sqlite.base import SqliteBase, require_row
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.timestamps import utc_now

_COLUMNS = (
    "id", "content", "kind", "tags", "scope", "metadata", "created_at", "updated_at",
    "forgotten_at", "forget_reason", "key", "occurred_at", "expires_at", "client",
    "superseded_by", "superseded_at", "repeat_count", "last_seen_at", "content_hash", "context",
)  # fmt: skip

_INSERT = f"""
    insert into memories ({", ".join(_COLUMNS)})
    values ({", ".join(":" + c for c in _COLUMNS)})
"""

_EDITABLE = {
    "content", "kind", "tags", "scope", "metadata", "key", "occurred_at", "expires_at", "context",
}  # fmt: skip

_EDITABLE_COLUMNS = sorted(_EDITABLE | {"content_hash"})

_UPDATE = f"""
    update memories set
        {", ".join(f"{c} = case when :set_{c} then :{c} else {c} end" for c in _EDITABLE_COLUMNS)},
        updated_at = :now
    where id = :id
"""


class SqliteWrites(SqliteBase):
    def insert(
        self, item: NewRow, client: str | None = None, supersedes: Sequence[int] = ()
    ) -> int:
        """Insert one memory; the ones it `supersedes` are marked so in the same transaction."""
        with self._write() as c:
            new_id = _insert(c, item, "create", client)
            now = utc_now()
            for old_id in supersedes:
                row = require_row(c, old_id)
                c.execute(
                    """update memories set superseded_by = :new, superseded_at = :now
                       where id = :old""",
                    {"new": new_id, "now": now, "old": old_id},
                )
                history.record(c, old_id, "supersede", client, history.snapshot(row), by=new_id)
        return new_id

    def insert_many(
        self, items: Sequence[NewRow], client: str | None = None, action: str = "create"
    ) -> list[int]:
        """Insert rows (and their vectors, where given) in one transaction."""
        with self._write() as c:
            return [_insert(c, item, action, client) for item in items]

    def record_repeat(
        self,
        memory_id: int,
        client: str | None,
        action: str,
        add_tags: Sequence[str] = (),
        **detail: Any,
    ) -> None:
        """Count another sighting of a memory (exact duplicate or merged rewording)."""
        with self._write() as c:
            row = require_row(c, memory_id)
            tags = list(dict.fromkeys([*json.loads(row["tags"]), *add_tags]))
            c.execute(
                """
                update memories set repeat_count = repeat_count + 1, last_seen_at = :now,
                    tags = :tags
                where id = :id
                """,
                {"id": memory_id, "now": utc_now(), "tags": json.dumps(tags)},
            )
            history.record(c, memory_id, action, client, **detail)

    def merge_into(
        self, memory_id: int, into_id: int, client: str | None = None, **detail: Any
    ) -> bool:
        """Fold `memory_id` into the earlier `into_id`, if both are visible and `memory_id`
        replaced nothing; the decision is made inside the transaction."""
        with self._write() as c:
            rows = [require_row(c, i) for i in (memory_id, into_id)]
            if (
                any(r["forgotten_at"] or r["superseded_by"] for r in rows)
                or c.execute(
                    "select 1 from memories where superseded_by = :id limit 1", {"id": memory_id}
                ).fetchone()
            ):
                return False
            later, into = rows
            tags = list(dict.fromkeys([*json.loads(into["tags"]), *json.loads(later["tags"])]))
            c.execute(
                """
                update memories set repeat_count = repeat_count + :n, last_seen_at = :now,
                    tags = :tags
                where id = :id
                """,
                {"id": into_id, "n": later["repeat_count"], "now": utc_now(),
                 "tags": json.dumps(tags)},
            )  # fmt: skip
            history.record(
                c, into_id, "merge", client, text=later["content"], merged=memory_id, **detail
            )
            history.record(c, memory_id, "merge", client, history.snapshot(later), into=into_id)
            c.execute("delete from memories where id = :id", {"id": memory_id})
        return True

    def update(
        self,
        memory_id: int,
        fields: dict[str, Any],
        vector: np.ndarray | None = None,
        drop_vector: bool = False,
        client: str | None = None,
    ) -> None:
        """Update editable fields; replace or drop the vector in step; record the edit."""
        unknown = set(fields) - _EDITABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        params = {k: json.dumps(v) if k in ("tags", "metadata") else v for k, v in fields.items()}
        if "content" in params:
            params["content_hash"] = content_hash(params["content"])
        with self._write() as c:
            before = history.snapshot(require_row(c, memory_id))
            c.execute(
                _UPDATE,
                {
                    "id": memory_id,
                    "now": utc_now(),
                    **{f"set_{k}": 1 if k in params else 0 for k in _EDITABLE_COLUMNS},
                    **{k: params.get(k) for k in _EDITABLE_COLUMNS},
                },
            )
            after = history.snapshot(require_row(c, memory_id))
            action = "move" if set(fields) == {"scope"} else "edit"
            history.record(c, memory_id, action, client, before, after)
            if vectors.has_table(c) and (vector is not None or drop_vector):
                vectors.delete(c, memory_id)
                if vector is not None:
                    vectors.insert(c, memory_id, vector)

    def set_forgotten(
        self, ids: Iterable[int], reason: str | None, client: str | None = None
    ) -> tuple[list[int], list[int]]:
        """Soft-delete: returns (newly forgotten, already forgotten). Unknown ids raise."""
        return self._toggle_forgotten(list(ids), True, reason, client)

    def restore(self, ids: Iterable[int], client: str | None = None) -> tuple[list[int], list[int]]:
        """Undo forget: returns (restored, were not forgotten). Unknown ids raise."""
        return self._toggle_forgotten(list(ids), False, None, client)

    def _toggle_forgotten(
        self, ids: list[int], forget: bool, reason: str | None, client: str | None
    ) -> tuple[list[int], list[int]]:
        changed: list[int] = []
        unchanged: list[int] = []
        now = utc_now()
        with self._write() as c:
            for memory_id in dict.fromkeys(ids):
                row = require_row(c, memory_id)
                if (row["forgotten_at"] is None) != forget:
                    unchanged.append(memory_id)
                    continue
                c.execute(
                    """
                    update memories set forgotten_at = :at, forget_reason = :reason
                    where id = :id
                    """,
                    {"id": memory_id, "at": now if forget else None, "reason": reason},
                )
                action = "forget" if forget else "restore"
                history.record(c, memory_id, action, client, reason=reason)
                changed.append(memory_id)
        return changed, unchanged

    def purge(
        self, ids: Iterable[int], client: str | None = None, action: str = "purge"
    ) -> list[int]:
        """Hard delete (explicit CLI purge only); triggers clear FTS and vectors."""
        with self._write() as c:
            purged = []
            for memory_id in dict.fromkeys(ids):
                row = require_row(c, memory_id)
                history.record(c, memory_id, action, client, history.snapshot(row))
                c.execute("delete from memories where id = :id", {"id": memory_id})
                purged.append(memory_id)
        return purged


def _insert(c: Connection, item: NewRow, action: str, client: str | None) -> int:
    now = utc_now()
    values = {name: getattr(item, name, None) for name in _COLUMNS}
    values.update(
        tags=json.dumps(item.tags),
        metadata=json.dumps(item.metadata),
        created_at=item.created_at or now,
        updated_at=item.updated_at or item.created_at or now,
        content_hash=content_hash(item.content),
    )
    new_id = int(c.execute(_INSERT, values).lastrowid or 0)
    if item.vector is not None and vectors.has_table(c):
        vectors.insert(c, new_id, item.vector)
    row = require_row(c, new_id)
    history.record(c, new_id, action, client, after=history.snapshot(row))
    return new_id
