"""Writes that take memories out of sight or out of the file: forget (and its undo,
restore), purge and scrub. Each is one transaction, and each works even when the database
is full (under a size cap it uses the spare pages; on a full disk, the reserve: room.py), or
the way out of a full database would be blocked by the fullness itself.
"""

import json
import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from memory_mcp.errors import StorageError
from memory_mcp.storage import audit
from memory_mcp.storage.contract import Restored
from memory_mcp.storage.records import Rehearsed, purge_ends
from memory_mcp.storage.sqlite import db, decisions, history, room, vectors
from memory_mcp.storage.sqlite.base import SqliteBase, require_row, require_unchanged
from memory_mcp.storage.sqlite.db import Connection, storage_errors, transaction
from memory_mcp.storage.sqlite.rowchanges import fold_edited, set_fields, update_row
from memory_mcp.timestamps import expired_by, utc_now

logger = logging.getLogger(__name__)
T = TypeVar("T")

_SCRUBBED_FIELDS = ("content", "context", "tags", "metadata")


class SqliteRemovals(SqliteBase):
    def set_forgotten(
        self, ids: Iterable[int], reason: str | None, client: str | None = None
    ) -> tuple[list[int], list[int]]:
        """Soft-delete: returns (newly forgotten, already forgotten). Unknown ids raise."""
        return self._toggle_forgotten(list(ids), True, reason, client)[:2]

    def restore(
        self, ids: Iterable[int], client: str | None = None, replaced: bool = True
    ) -> Restored:
        """Undo forget (see the contract). Unknown ids raise."""
        return Restored(*self._toggle_forgotten(list(ids), False, None, client, replaced))

    def _toggle_forgotten(
        self,
        ids: list[int],
        forget: bool,
        reason: str | None,
        client: str | None,
        replaced: bool = True,
    ) -> tuple[list[int], list[int], dict[int, list[int]], dict[int, int]]:
        """(changed, unchanged, the copies each restored memory took in, the correction each
        restored memory folded into)."""
        now = utc_now()

        def toggle(
            c: Connection,
        ) -> tuple[list[int], list[int], dict[int, list[int]], dict[int, int]]:
            took: dict[int, list[int]] = {}
            went: dict[int, int] = {}
            changed: list[int] = []
            unchanged: list[int] = []
            for memory_id in dict.fromkeys(ids):
                row = require_row(c, memory_id)
                if (row["forgotten_at"] is None) != forget:
                    # not forgotten: restore undoes a replacement (a key's value stays)
                    if forget or not (replaced and decisions.reinstate(c, row, client)):
                        unchanged.append(memory_id)
                        continue
                else:
                    if not forget:
                        # back among the current values: settle its key first
                        decisions.settle_key(c, dict(row) | {"forgotten_at": None}, client)
                    c.execute(
                        """
                        update memories set forgotten_at = :at, forget_reason = :reason
                        where id = :id
                        """,
                        {"id": memory_id, "at": now if forget else None, "reason": reason},
                    )
                    action = "forget" if forget else "restore"
                    history.record(c, memory_id, action, client, reason=reason)
                # restored, its text stored again meanwhile: one memory of it (or, the copy
                # a correction, folded into that one, as an edit is)
                if not forget:
                    into, folded = fold_edited(c, memory_id, client)
                    if into != memory_id:
                        went[memory_id] = into
                    elif folded:
                        took[memory_id] = sorted(folded)
                changed.append(memory_id)
            return changed, unchanged, took, went

        return self._making_room(toggle)

    def purge(
        self,
        ids: Iterable[int],
        client: str | None = None,
        action: str = "purge",
        unchanged_since: Mapping[int, datetime] | None = None,
        follow: Callable[[str], bool] | None = None,
        listed: Collection[int] | None = None,
        rehearse: bool = False,
    ) -> list[int]:
        """Hard delete (explicit CLI purge only): the row, its index entries (triggers) and
        vector, and every text its history held; the history keeps when, who and what action.
        Freed space is zeroed (secure_delete) and the log emptied after: no byte is left.
        `follow`: what the purge brought back already expired goes too; `listed`, `rehearse`:
        see the contract."""

        def delete(c: Connection) -> list[int]:
            purged: list[int] = []
            back: list[int] = []
            now, todo = utc_now(), list(dict.fromkeys(ids))
            for memory_id, since in (unchanged_since or {}).items():  # all as confirmed,
                require_unchanged(c, memory_id, since)  # a chain's member too, before any goes
            while todo:
                brought: list[int] = []
                for memory_id in todo:
                    gone = require_unchanged(c, memory_id, None)
                    successor, ended = gone["superseded_by"], expired_by(gone["expires_at"], now)
                    c.execute("delete from memories where id = :id", {"id": memory_id})
                    history.erase(c, memory_id, action)
                    history.record(c, memory_id, action, client)
                    brought += decisions.reinstate_replaced(
                        c, memory_id, client, successor=successor, ended=ended
                    )
                    purged.append(memory_id)
                back += brought
                todo = _expired_among(c, brought, now, follow) if follow else []
            for memory_id in dict.fromkeys(back):  # current again: one memory of each text,
                if memory_id not in purged:  # as a restore, or into a correction saying it
                    fold_edited(c, memory_id, client)
            return purge_ends(purged, listed, rehearse)

        try:
            purged = self._making_room(delete)
        except Rehearsed as rehearsed:  # rolled back
            return rehearsed.ids
        if purged:
            self._empty_log()
        return purged

    def scrub(
        self, ids: Iterable[int], text: str, client: str | None = None
    ) -> dict[int, tuple[bool, int]]:
        """Replace `text` (each spelling a field stores it in: audit.Erasure) with SCRUBBED
        in memories and their history, in one transaction:
        per id, (memory changed, history entries changed). Changed content drops the vector
        (re-embedded by set_vectors)."""
        if not text:
            raise ValueError("scrub needs the text to remove")

        erasure = audit.Erasure(text)

        def scrub_one(c: Connection, memory_id: int) -> tuple[bool, int]:
            row = require_row(c, memory_id)
            named = _scrub_names(c, row, erasure, client)
            row = require_row(c, memory_id)
            current = {k: row[k] for k in _SCRUBBED_FIELDS}
            current.update(tags=json.loads(row["tags"]), metadata=json.loads(row["metadata"]))
            erased = {k: erasure.in_field(k, v) for k, v in current.items()}
            fields = {k: v for k, v in erased.items() if v != current[k]}
            if fields:
                set_fields(c, memory_id, fields)
                if "content" in fields and vectors.has_table(c):
                    vectors.delete(c, memory_id)
            entries = history.scrub(c, memory_id, erasure.in_record)
            changed = bool(fields) or named
            if changed or entries:
                history.record(c, memory_id, "scrub", client, memory=changed, entries=entries)
            return changed, entries

        result = self._making_room(lambda c: {i: scrub_one(c, i) for i in dict.fromkeys(ids)})
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
            db.spare_room(self._connection()),
            transaction(self.conn) as conn,
        ):
            self._refuse_unsafe_schema(conn)  # a purge must reach the keyword index too
            return work(conn)

    def _empty_log(self) -> None:
        """After text was deleted: copy the log into the (zeroed) file and truncate it; on a
        file, outside the store's lock and between other writers' writes, however long an
        open read elsewhere delays it (db.empty_log_between_writes)."""
        try:
            if self.path is None:
                with self._lock:
                    emptied = db.empty_log(self.conn)
            else:
                emptied = db.empty_log_between_writes(self.path, self._busy_ms)
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


def _scrub_names(c: Connection, row: Any, erasure: audit.Erasure, client: str | None) -> bool:
    """The text out of the key, scope and forget reason of `row` (audit.scrubbed_names);
    whether any held it. The memory leaves a key or scope slot as an edit would (what it
    superseded there is current again, one holding the new slot is settled), recorded as an
    edit whose before the history's scrub then erases."""
    slot, reason = audit.scrubbed_names(row, erasure)
    if slot:
        update_row(c, row, slot, client)
    if reason is not None:
        c.execute(
            "update memories set forget_reason = :reason where id = :id",
            {"reason": reason, "id": row["id"]},
        )
    return bool(slot) or reason is not None


def _expired_among(
    c: Connection, ids: list[int], now: str, follow: Callable[[str], bool]
) -> list[int]:
    """Of `ids` (brought back by a purge), those expired by `now` in a scope `follow` takes."""
    rows = c.execute(
        """select id, scope from memories
           where id in (select value from json_each(:ids)) and expires_at <= :now order by id""",
        {"ids": json.dumps(list(dict.fromkeys(ids))), "now": now},
    ).fetchall()
    return [int(r["id"]) for r in rows if follow(r["scope"])]
