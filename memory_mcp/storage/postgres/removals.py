"""Writes that take memories out of sight or out of the database on PostgreSQL: forget (and
its undo, restore), purge and scrub, each one transaction (sqlite/removals.py, same rules).

Purge and scrub then vacuum the tables they changed, so the dead row versions that held the
text are removed from the tables at once rather than at the next autovacuum.
"""

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

import psycopg

from memory_mcp.storage import audit
from memory_mcp.storage.contract import Restored
from memory_mcp.storage.postgres import decisions, history, vectors
from memory_mcp.storage.postgres.base import PgBase, require_row, require_unchanged
from memory_mcp.storage.postgres.db import Connection, storage_errors
from memory_mcp.storage.postgres.rowchanges import fold_edited, set_fields, update_row
from memory_mcp.storage.records import Rehearsed, purge_ends
from memory_mcp.timestamps import expired_by, utc_now

logger = logging.getLogger(__name__)

_SCRUBBED_FIELDS = ("content", "context", "tags", "metadata")


class PgRemovals(PgBase):
    def set_forgotten(
        self, ids: Iterable[int], reason: str | None, client: str | None = None
    ) -> tuple[list[int], list[int]]:
        return self._toggle_forgotten(list(ids), True, reason, client)[:2]

    def restore(
        self, ids: Iterable[int], client: str | None = None, replaced: bool = True
    ) -> Restored:
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
        took: dict[int, list[int]] = {}
        went: dict[int, int] = {}
        changed: list[int] = []
        unchanged: list[int] = []
        with self._write() as c:
            for memory_id in dict.fromkeys(ids):
                row = require_row(c, memory_id)
                if (row["forgotten_at"] is None) != forget:
                    # not forgotten: restore undoes a replacement (a key's value stays)
                    if forget or not (replaced and decisions.reinstate(c, row, client)):
                        unchanged.append(memory_id)
                        continue
                else:
                    if not forget:
                        decisions.settle_key(c, dict(row) | {"forgotten_at": None}, client)
                    c.execute(
                        "update memories set forgotten_at = %s, forget_reason = %s where id = %s",
                        (now if forget else None, reason, memory_id),
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
        """Hard delete: the row, its keyword entry (a column of it) and vector (cascade),
        and every text its history held; the history keeps when, who and what action.
        `follow`: what the purge brought back already expired goes too; `listed`, `rehearse`:
        see the contract."""
        purged: list[int] = []
        back: list[int] = []
        now, todo = utc_now(), list(dict.fromkeys(ids))
        try:
            with self._write() as c:
                for memory_id, since in (unchanged_since or {}).items():  # all as confirmed,
                    require_unchanged(c, memory_id, since)  # a chain's member too, before any goes
                while todo:
                    brought: list[int] = []
                    for memory_id in todo:
                        gone = require_unchanged(c, memory_id, None)
                        successor, ended = (
                            gone["superseded_by"],
                            expired_by(gone["expires_at"], now),
                        )
                        c.execute("delete from memories where id = %s", (memory_id,))
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
                purge_ends(purged, listed, rehearse)
        except Rehearsed as rehearsed:  # rolled back
            return rehearsed.ids
        if purged:
            self._vacuum()
        return purged

    def scrub(
        self, ids: Iterable[int], text: str, client: str | None = None
    ) -> dict[int, tuple[bool, int]]:
        if not text:
            raise ValueError("scrub needs the text to remove")

        erasure = audit.Erasure(text)

        def scrub_one(c: Connection, memory_id: int) -> tuple[bool, int]:
            row = require_row(c, memory_id)
            named = _scrub_names(c, row, erasure, client)
            row = require_row(c, memory_id)
            current = {k: row[k] for k in _SCRUBBED_FIELDS}
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

        with self._write() as c:
            result = {i: scrub_one(c, i) for i in dict.fromkeys(ids)}
        if any(changed or entries for changed, entries in result.values()):
            self._vacuum()
        return result

    def _vacuum(self) -> None:
        """Remove the dead row versions that still held deleted text (outside a transaction;
        a failure leaves the deletion done, and autovacuum gets there later). Only the
        tables' owner may vacuum them: for any other role the server skips them with a
        mere notice, which is passed on as a warning."""
        skipped: list[str] = []

        def heard(diag: psycopg.errors.Diagnostic) -> None:
            if diag.severity_nonlocalized == "WARNING" and diag.message_primary:
                skipped.append(diag.message_primary)

        def run(c: Connection) -> None:
            c.add_notice_handler(heard)
            try:
                for table in ("memories", "history"):
                    c.execute(f"vacuum {table}")
            finally:
                c.remove_notice_handler(heard)

        try:
            with storage_errors(self.where, "vacuum"):
                self._read(run)
        except Exception as exc:  # noqa: BLE001 - the deletion itself is committed
            logger.warning("The deletion is done, but vacuuming the tables was not: %s", exc)
        if skipped:
            logger.warning(
                "The deletion is done, but the server keeps the old row versions that held "
                "the text until autovacuum reaches them (%s): run `VACUUM memories, history` "
                "in schema %s as the tables' owner to remove them now.",
                "; ".join(skipped),
                self.schema,
            )


def _scrub_names(c: Connection, row: Any, erasure: audit.Erasure, client: str | None) -> bool:
    """The text out of the key, scope and forget reason of `row` (audit.scrubbed_names);
    whether any held it. The memory leaves a key or scope slot as an edit would (what it
    superseded there is current again, one holding the new slot is settled), recorded as an
    edit whose before the history's scrub then erases."""
    slot, reason = audit.scrubbed_names(row, erasure)
    if slot:
        update_row(c, row, slot, client)
    if reason is not None:
        c.execute("update memories set forget_reason = %s where id = %s", (reason, row["id"]))
    return bool(slot) or reason is not None


def _expired_among(
    c: Connection, ids: list[int], now: str, follow: Callable[[str], bool]
) -> list[int]:
    """Of `ids` (brought back by a purge), those expired by `now` in a scope `follow` takes."""
    rows = c.execute(
        """select id, scope from memories where id = any(%s) and expires_at <= %s
           order by id""",
        (list(dict.fromkeys(ids)), now),
    ).fetchall()
    return [int(r["id"]) for r in rows if follow(r["scope"])]
