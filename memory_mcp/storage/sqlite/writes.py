"""Writes to memories: each public method is one transaction, index entries and history included."""

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

from memory_mcp.errors import StorageError
from memory_mcp.policies.dedup import content_hash
from memory_mcp.storage.contract import SCRUBBED, NewRow
from memory_mcp.storage.sqlite import db, history, room, vectors
from memory_mcp.storage.sqlite.base import SqliteBase, require_row
from memory_mcp.storage.sqlite.db import Connection, storage_errors, transaction
from memory_mcp.timestamps import utc_now

logger = logging.getLogger(__name__)
T = TypeVar("T")

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

_SCRUBBED_FIELDS = ("content", "context", "tags", "metadata")

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
        with self._write() as c:
            before = history.snapshot(require_row(c, memory_id))
            _set_fields(c, memory_id, fields)
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
        now = utc_now()

        def toggle(c: Connection) -> tuple[list[int], list[int]]:
            changed: list[int] = []
            unchanged: list[int] = []
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

        return self._making_room(toggle)

    def purge(
        self, ids: Iterable[int], client: str | None = None, action: str = "purge"
    ) -> list[int]:
        """Hard delete (explicit CLI purge only): the row, its index entries (triggers) and
        vector, and every text its history held; the history keeps when, who and what action.
        Freed space is zeroed (secure_delete) and the log emptied after: no byte is left."""

        def delete(c: Connection) -> list[int]:
            purged = []
            for memory_id in dict.fromkeys(ids):
                require_row(c, memory_id)
                c.execute("delete from memories where id = :id", {"id": memory_id})
                history.erase(c, memory_id, action)
                history.record(c, memory_id, action, client)
                purged.append(memory_id)
            return purged

        purged = self._making_room(delete)
        if purged:
            self._empty_log()
        return purged

    def scrub(
        self, ids: Iterable[int], text: str, client: str | None = None
    ) -> dict[int, tuple[bool, int]]:
        """Replace `text` with SCRUBBED in memories and their history, in one transaction:
        per id, (memory changed, history entries changed). Changed content drops the vector
        (re-embedded by set_vectors)."""
        if not text:
            raise ValueError("scrub needs the text to remove")

        def scrubbed(value: Any) -> Any:
            return history.replace_in(value, lambda s: s.replace(text, SCRUBBED))

        def replace(c: Connection, memory_id: int) -> tuple[bool, int]:
            row = require_row(c, memory_id)
            current = {k: row[k] for k in _SCRUBBED_FIELDS}
            current.update(tags=json.loads(row["tags"]), metadata=json.loads(row["metadata"]))
            fields = {k: scrubbed(v) for k, v in current.items() if scrubbed(v) != v}
            if fields:
                _set_fields(c, memory_id, fields)
                if "content" in fields and vectors.has_table(c):
                    vectors.delete(c, memory_id)
            entries = history.scrub(c, memory_id, text, SCRUBBED)
            if fields or entries:
                history.record(c, memory_id, "scrub", client, memory=bool(fields), entries=entries)
            return bool(fields), entries

        result = self._making_room(lambda c: {i: replace(c, i) for i in dict.fromkeys(ids)})
        if any(changed or entries for changed, entries in result.values()):
            self._empty_log()
        return result

    def _making_room(self, work: Callable[[Connection], T]) -> T:
        """Run a write that deletes or hides, even when the database is full: under a size
        cap it may use the spare pages; on a full disk it gives the reserve file's room back
        to the disk and tries once more (see room.py)."""
        try:
            return self._spare_write(work)
        except StorageError as exc:
            full = "full" in str(exc.__cause__).lower() and room.disk_full(self.path)
            if not (full and self.path is not None and room.release_reserve(self.path)):
                raise
        logger.warning("The disk is full: memory-mcp used its reserve to make room.")
        return self._spare_write(work)

    def _spare_write(self, work: Callable[[Connection], T]) -> T:
        with (
            self._lock,
            storage_errors(self.path, self._busy_ms, "write"),
            db.spare_room(self.conn),
            transaction(self.conn) as conn,
        ):
            return work(conn)

    def _empty_log(self) -> None:
        """After text was deleted: copy the log into the (zeroed) file and truncate it."""
        with self._lock:
            try:
                emptied = db.empty_log(self.conn)
            except db.DatabaseError as exc:
                logger.warning("The deletion is done, but the write-ahead log was not: %s", exc)
                return
        if not emptied:
            logger.warning(
                "The deletion is done, but another process was reading, so the write-ahead log "
                "(%s-wal) still holds the old text until the next purge, scrub or close.",
                self.path,
            )
        elif self.path is not None:
            room.keep_reserve(self.path, self.conn.reserve_bytes)  # again, if it was used


def _set_fields(c: Connection, memory_id: int, fields: dict[str, Any]) -> None:
    """Update editable fields (tags and metadata as values, encoded here)."""
    params = {k: json.dumps(v) if k in ("tags", "metadata") else v for k, v in fields.items()}
    if "content" in params:
        params["content_hash"] = content_hash(params["content"])
    c.execute(
        _UPDATE,
        {
            "id": memory_id,
            "now": utc_now(),
            **{f"set_{k}": 1 if k in params else 0 for k in _EDITABLE_COLUMNS},
            **{k: params.get(k) for k in _EDITABLE_COLUMNS},
        },
    )


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
