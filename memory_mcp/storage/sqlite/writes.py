"""Writes that store or change memories (insert, repeats, merge, update): each public method
is one transaction, index entries and history included. A repeat counted: repeats.py; the
changes to stored rows these share with forget, purge and scrub (removals.py): rowchanges.py."""

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from memory_mcp.policies import folding
from memory_mcp.policies.repeats import Said
from memory_mcp.storage import replacement, sources
from memory_mcp.storage.contract import Inserted, NewRow, Repeats
from memory_mcp.storage.sqlite import decisions, history, keyedmerge, vectors
from memory_mcp.storage.sqlite.base import SqliteBase, require_row, require_unchanged, to_memory
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.storage.sqlite.repeats import count_repeat
from memory_mcp.storage.sqlite.rowchanges import EDITABLE, fold, fold_edited, update_row
from memory_mcp.storage.sqlite.runs import Run
from memory_mcp.timestamps import later_than, utc_now

if TYPE_CHECKING:
    import numpy as np


COLUMNS = (
    "id", "content", "kind", "tags", "scope", "metadata", "created_at", "updated_at",
    "forgotten_at", "forget_reason", "key", "occurred_at", "expires_at", "client",
    "superseded_by", "superseded_at", "repeat_count", "last_seen_at", "content_hash", "context",
)  # fmt: skip

# A new memory's id is past every id the database ever gave, the purged ones too (their
# history stays): SQLite would reuse the highest after a purge, handing a new memory the old
# one's history and the references still naming it (a summary's sources, a client's "#12").
# (At the largest id, SQLite's own choice: a random free one.)
_NEXT_ID = """(select case when max(used) >= 9223372036854775807 then null
    else coalesce(max(used), 0) + 1 end from (
    select max(id) as used from memories union all select max(memory_id) from history))"""
_INSERT = f"""
    insert into memories ({", ".join(COLUMNS)})
    values (coalesce(:id, {_NEXT_ID}), {", ".join(":" + c for c in COLUMNS[1:])})
"""


class SqliteWrites(SqliteBase):
    def insert(
        self,
        item: NewRow,
        client: str | None = None,
        *,
        dedup: bool = False,
        replaces: int | None = None,
        once: bool = False,
    ) -> Inserted:
        """Insert one memory, or count it as a repeat; key, `replaces` and whether its source
        item was taken already (`once`) decided in the same transaction (see the contract)."""
        with self._write() as c:
            source = sources.origin(item) if once else None
            if source is not None and (held := decisions.source_held(c, source)) is not None:
                return Inserted(held, "present")
            same = decisions.visible_repeat(c, item) if dedup else None
            also = (
                [] if replaces is None else decisions.replace_target(c, replaces, item.scope, same)
            )
            if same is not None:
                if source is not None and decisions.source_counted(c, source, same["id"]):
                    return Inserted(same["id"], "present")
                sighting = {} if source is None else {"source": source}
                superseded = count_repeat(
                    c, same["id"], client, "duplicate", item.tags, item.expires_at,
                    Said.of(item), **sighting,
                )  # fmt: skip
                # A correction whose text is stored already: that memory replaces the old one
                # (a correction repeating the memory it corrects changes nothing).
                also = [old for old in also if old != same["id"] and old not in superseded]
                superseded += decisions.supersede(c, also, same["id"], client)
                return Inserted(same["id"], "duplicate", tuple(superseded))
            return _insert(c, item, "create", client, also, newest=True, made_with=self._made_with)

    def insert_many(
        self,
        items: Sequence[NewRow],
        client: str | None = None,
        action: str = "create",
        *,
        repeats: Repeats = "insert",
    ) -> list[Inserted]:
        """Insert rows (and their vectors, where given) in one transaction, each decided
        against the rows stored before it (see the contract for `repeats`); runs of new
        memories without a key are written by one statement each (runs.py)."""
        with self._write() as c:
            run = Run(c, COLUMNS, _NEXT_ID, action, client, self._made_with)
            held = None
            if repeats in ("count", "skip"):
                held = decisions.held_hashes(c, ((i.scope, i.hashed()) for i in items))
            placed = [_place(c, item, client, repeats, run, held) for item in items]
            run.write()
            return [run.written[p] if isinstance(p, int) else p for p in placed]

    def record_repeat(
        self,
        memory_id: int,
        client: str | None,
        action: str,
        add_tags: Sequence[str] = (),
        source: dict[str, str] | None = None,
        expires_at: str | None = None,
        sighting: Said | None = None,
        **detail: Any,
    ) -> bool:
        """Count another sighting of a visible memory (exact duplicate or merged rewording),
        once per import `source` item (decided here: see the contract)."""
        with self._write() as c:
            row = require_row(c, memory_id)
            if row["forgotten_at"] is not None or row["superseded_by"] is not None:
                return False
            source = sources.source_of(source)
            if source is not None:
                if decisions.source_held(c, source) is not None or decisions.source_counted(
                    c, source, memory_id
                ):
                    return True  # another run took it
                detail["source"] = source
            count_repeat(c, memory_id, client, action, add_tags, expires_at, sighting, **detail)
            return True

    def merge_into(
        self, memory_id: int, into_id: int, client: str | None = None, **detail: Any
    ) -> bool:
        """Fold `memory_id` into the earlier `into_id`, if both are visible and `memory_id`
        replaced nothing; the decision is made inside the transaction."""
        with self._write() as c:
            later, into = (require_row(c, i) for i in (memory_id, into_id))
            replaced = c.execute(
                "select 1 from memories where superseded_by = :id limit 1", {"id": memory_id}
            ).fetchone()
            if not folding.can_fold(
                folding.Copy.of_row(later, replaced is not None), folding.Copy.of_row(into, False)
            ):
                return False
            fold(c, later, into, client, **detail)
        return True

    def replace_with(self, old_id: int, new_id: int, client: str | None = None) -> bool:
        """Make stored `new_id` the replacement of `old_id` (see the contract): False when
        it is already."""
        with self._write() as c:
            old, new = require_row(c, old_id), require_row(c, new_id)
            if replacement.done_already(old, new):
                return False
            replacement.check(old, new)
            decisions.supersede(c, [old_id], new_id, client)
            return True

    def update(
        self,
        memory_id: int,
        fields: dict[str, Any],
        vector: "np.ndarray | None" = None,
        drop_vector: bool = False,
        client: str | None = None,
        fold: bool = True,
        unchanged_since: datetime | None = None,
    ) -> int:
        """Update editable fields; replace or drop the vector in step; record the edit; fold
        it with the other copies of its text (contract.py, also on `unchanged_since`): the
        id holding it now."""
        unknown = set(fields) - EDITABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        with self._write() as c:
            update_row(c, require_unchanged(c, memory_id, unchanged_since), fields, client)
            if vectors.has_table(c) and (vector is not None or drop_vector):
                vectors.delete(c, memory_id)
                if vector is not None:  # not into another model's index (then: pending)
                    vectors.insert(c, memory_id, vector, self._made_with)
            # Last, in its transaction: a remember of the text counts on one memory.
            return fold_edited(c, memory_id, client)[0] if fold else memory_id

    def fold_copies(self, ids: Sequence[int], client: str | None = None) -> list[int]:
        with self._write() as c:
            return [
                i for memory_id in dict.fromkeys(ids) for i in fold_edited(c, memory_id, client)[1]
            ]

    def move(self, ids: Sequence[int], scope: str, client: str | None = None) -> list[int]:
        with self._write() as c:
            rows = [require_row(c, memory_id) for memory_id in dict.fromkeys(ids)]  # all exist
            moving = [row["id"] for row in rows if row["scope"] != scope]
            for memory_id in moving:  # read again: moving one may supersede or restore another
                update_row(c, require_row(c, memory_id), {"scope": scope}, client, moving)
        return moving


def _place(
    c: Connection,
    item: NewRow,
    client: str | None,
    repeats: Repeats,
    run: Run,
    held: set[tuple[str, str]] | None = None,
) -> Inserted | int:
    """One row of insert_many: left out, counted, inserted, or taken into `run` (its id:
    written with the run). Whatever could read or follow a row of the run writes it first.
    `held`: the (scope, content hash) pairs a visible memory may hold (decisions.held_hashes,
    and each row inserted since); a row whose pair is not there repeats nothing."""
    digest = item.hashed()
    if run.holds_alike(item, digest):
        run.write()
    if repeats == "skip" and (before := decisions.imported_before(c, item)) is not None:
        return Inserted(before, "present")
    if repeats in ("count", "skip") and (held is None or (item.scope, digest) in held):
        same = decisions.visible_repeat(c, item, digest)
        if same is not None:
            superseded: list[int] = []
            # A key is new information even where repeats are not counted: it is taken.
            if repeats == "count" or (item.key is not None and same["key"] is None):
                run.write()
                superseded = count_repeat(
                    c, same["id"], client, "duplicate", item.tags, item.expires_at, Said.of(item)
                )
            return Inserted(same["id"], "duplicate", tuple(superseded))
    if repeats == "restore":
        if (before := decisions.restored_before(c, item, digest)) is not None:
            return Inserted(before, "present")
        if (folded := keyedmerge.fold_keyed(c, item, digest, client)) is not None:
            return folded  # the same belief: one memory of it
        if item.id is not None and decisions.id_taken(c, item.id):
            item = replace(item, id=None)
    values = row_values(item, utc_now(), digest)
    if held is not None:
        held.add((item.scope, digest))
    if (taken := run.take(item, values)) is not None:
        return taken
    run.write()
    return _insert(c, item, run.action, client, model=False, made_with=run.made_with)


def _insert(
    c: Connection,
    item: NewRow,
    action: str,
    client: str | None,
    also: Sequence[int] = (),
    newest: bool = False,
    model: bool = True,
    made_with: str | None = None,
) -> Inserted:
    """Insert a row; settle its key with the current holder (with `newest`, the new row is
    the current value; else the later-created is); supersede `also` by it. `model`: return
    the row as a Memory (a sixth of a bulk insert's time when nobody reads it). `made_with`:
    the model of `item.vector`, kept out of another model's index (vectors.insert)."""
    now = utc_now()
    if newest and item.created_at is None:  # after what it supersedes, whatever the clock
        now = later_than(now, decisions.slot_times(c, item.scope, item.key, also))
    values = row_values(item, now)
    current = item.key is not None and item.superseded_by is None and item.forgotten_at is None
    holders = decisions.key_holders(c, item.scope, item.key) if current and item.key else []
    beaten_by = previous = None
    if holders and not newest and holders[-1]["created_at"] > values["created_at"]:
        # The stored value is the later one: it stays current, and this older one gave way
        # to the value created next after it (the holder, or one between: as_of finds one),
        # and the value before it, if still current then, gave way as of its creation.
        following = decisions.next_value(c, item.scope, str(item.key), values["created_at"])
        beaten_by = following["id"]
        values.update(superseded_by=beaten_by, superseded_at=following["created_at"])
        previous = decisions.previous_value(c, item.scope, str(item.key), values["created_at"])
    elif holders:
        values["key"] = None  # given once the holders are superseded: one current value
    new_id = int(c.execute(_INSERT, values).lastrowid or 0)
    logged = 0
    if item.vector is not None and vectors.has_table(c):
        logged = vectors.insert(c, new_id, item.vector, made_with)
    embedded = logged > 0
    beaten = [] if beaten_by is not None else [h["id"] for h in holders]
    superseded = decisions.supersede(c, [*beaten, *also], new_id, client, at=now)
    if previous is not None:  # its successor stays (superseded once): it gave way sooner
        decisions.gave_way_at(c, previous["id"], values["created_at"], new_id, client)
    if values["key"] != item.key:
        c.execute("update memories set key = :key where id = :id", {"key": item.key, "id": new_id})
    # The row as stored, from the values written (every column is given; no trigger edits
    # the row itself): reading it back cost a statement per insert.
    row = values | {"id": new_id, "key": item.key, "embedded": embedded}
    pending: dict[str, Any] = (
        {"unembedded": True} if item.check_when_embedded and not embedded else {}
    )
    history.record(c, new_id, action, client, after=history.snapshot(row), **pending)
    if beaten_by is not None:
        history.record(c, new_id, "supersede", client, by=beaten_by, why="key")
    memory = to_memory(row) if model else None
    return Inserted(new_id, "created", tuple(superseded), memory, logged)


def row_values(item: NewRow, now: str, digest: str | None = None) -> dict[str, Any]:
    """The insert's parameters for a row (COLUMNS): JSON columns encoded, missing times `now`,
    the content's hash (`digest`, if known); shared by inserts and migrate's exact copies
    (transfer.py)."""
    values = {name: getattr(item, name, None) for name in COLUMNS}
    values.update(
        tags=json.dumps(item.tags),
        metadata=json.dumps(item.metadata),
        created_at=item.created_at or now,
        updated_at=item.updated_at or item.created_at or now,
        content_hash=digest or item.hashed(),
    )
    return values
