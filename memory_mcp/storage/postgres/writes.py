"""Writes that store or change memories on PostgreSQL (insert, repeats, merge, update): each
public method is one transaction, index entries and history included (sqlite/writes.py, the
same decisions). Forget, purge and scrub: removals.py."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np

from memory_mcp.policies import folding
from memory_mcp.policies.folding import Copy
from memory_mcp.policies.repeats import Said, adopted, heard_context
from memory_mcp.storage import replacement, sources
from memory_mcp.storage.contract import Inserted, NewRow, Repeats
from memory_mcp.storage.postgres import decisions, history, keyedmerge, vectors
from memory_mcp.storage.postgres.base import (
    PgBase,
    as_json,
    as_jsonb,
    require_row,
    require_unchanged,
    to_memory,
)
from memory_mcp.storage.postgres.db import Connection
from memory_mcp.storage.postgres.rowchanges import (
    EDITABLE,
    fold,
    fold_edited,
    keep,
    set_fields,
    update_row,
)
from memory_mcp.timestamps import later_than, utc_now

COLUMNS = (
    "id", "content", "kind", "tags", "scope", "metadata", "created_at", "updated_at",
    "forgotten_at", "forget_reason", "key", "occurred_at", "expires_at", "client",
    "superseded_by", "superseded_at", "repeat_count", "last_seen_at", "content_hash", "context",
)  # fmt: skip


def _insert_sql(columns: tuple[str, ...]) -> str:
    return f"""
        insert into memories ({", ".join(columns)})
        values ({", ".join(f"%({c})s" for c in columns)})
        returning *
    """


_INSERT_WITH_ID = _insert_sql(COLUMNS)
_INSERT = _insert_sql(COLUMNS[1:])  # the database numbers it


class PgWrites(PgBase):
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
            if item.vector is not None and self._foreign_index(c):
                item = replace(item, vector=None)
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
                superseded = _count_repeat(
                    c, same["id"], client, "duplicate", item.tags, item.expires_at,
                    Said.of(item), **sighting,
                )  # fmt: skip
                # A correction whose text is stored already: that memory replaces the old one
                # (a correction repeating the memory it corrects changes nothing).
                also = [old for old in also if old != same["id"] and old not in superseded]
                superseded += decisions.supersede(c, also, same["id"], client)
                return Inserted(same["id"], "duplicate", tuple(superseded))
            return _insert(c, item, "create", client, also, newest=True)

    def insert_many(
        self,
        items: Sequence[NewRow],
        client: str | None = None,
        action: str = "create",
        *,
        repeats: Repeats = "insert",
    ) -> list[Inserted]:
        """Insert rows (and their vectors, where given) in one transaction, each decided
        against the rows stored before it (see the contract for `repeats`)."""
        with self._write() as c:
            if any(i.vector is not None for i in items) and self._foreign_index(c):
                items = [replace(i, vector=None) for i in items]
            # Looked up once, not once a row: only a write (holding our lock) adds or drops it.
            table = vectors.has_table(c)
            held = None
            if repeats in ("count", "skip"):
                held = decisions.held_hashes(c, ((i.scope, i.hashed()) for i in items))
            return [_place(c, item, action, client, repeats, table, held) for item in items]

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
            _count_repeat(c, memory_id, client, action, add_tags, expires_at, sighting, **detail)
            return True

    def merge_into(
        self, memory_id: int, into_id: int, client: str | None = None, **detail: Any
    ) -> bool:
        """Fold `memory_id` into the earlier `into_id`, if both are visible and `memory_id`
        replaced nothing; the decision is made inside the transaction."""
        with self._write() as c:
            later, into = (require_row(c, i) for i in (memory_id, into_id))
            replaced = c.execute(
                "select 1 from memories where superseded_by = %s limit 1", (memory_id,)
            ).fetchone()
            if not folding.can_fold(
                Copy.of_row(later, replaced is not None), Copy.of_row(into, False)
            ):
                return False
            fold(c, later, into, client, **detail)
        return True

    def replace_with(self, old_id: int, new_id: int, client: str | None = None) -> bool:
        """Make stored `new_id` the replacement of `old_id` (see the contract): False when
        it is already."""
        with self._write() as c:
            rows = {i: require_row(c, i, lock=True) for i in sorted({old_id, new_id})}
            old, new = rows[old_id], rows[new_id]  # locked in one order: no deadlock
            if replacement.done_already(old, new):
                return False
            replacement.check(old, new)
            decisions.supersede(c, [old_id], new_id, client)
            return True

    def update(
        self,
        memory_id: int,
        fields: dict[str, Any],
        vector: np.ndarray | None = None,
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
            if vector is not None and self._foreign_index(c):
                vector, drop_vector = None, True  # the old text's vector must go either way
            update_row(c, require_unchanged(c, memory_id, unchanged_since), fields, client)
            if (vector is not None or drop_vector) and vectors.has_table(c):
                vectors.delete(c, memory_id)
                if vector is not None:
                    vectors.insert(c, memory_id, vector)
            # Last, in its transaction: a remember of the text counts on one memory.
            return fold_edited(c, memory_id, client)[0] if fold else memory_id

    def fold_copies(self, ids: Sequence[int], client: str | None = None) -> list[int]:
        with self._write() as c:
            return [
                i for memory_id in dict.fromkeys(ids) for i in fold_edited(c, memory_id, client)[1]
            ]

    def move(self, ids: Sequence[int], scope: str, client: str | None = None) -> list[int]:
        with self._write() as c:
            # all exist, and stay until the commit (locked in one order: no deadlock)
            rows = {i: require_row(c, i, lock=True) for i in sorted(set(ids))}
            moving = [i for i in dict.fromkeys(ids) if rows[i]["scope"] != scope]
            for memory_id in moving:  # read again: moving one may supersede or restore another
                update_row(c, require_row(c, memory_id), {"scope": scope}, client, moving)
        return moving


def _place(
    c: Connection,
    item: NewRow,
    action: str,
    client: str | None,
    repeats: Repeats,
    vectors_table: bool | None = None,
    held: set[tuple[str, str]] | None = None,
) -> Inserted:
    """One row of insert_many: left out, counted, or inserted (see the contract). `held`:
    the (scope, content hash) pairs a visible memory may hold (decisions.held_hashes, and
    each row inserted since); a row whose pair is not there repeats nothing."""
    if repeats == "skip" and (before := decisions.imported_before(c, item)) is not None:
        return Inserted(before, "present")
    pair = (item.scope, item.hashed())
    looked_up = repeats in ("count", "skip") and (held is None or pair in held)
    if looked_up and (same := decisions.visible_repeat(c, item)) is not None:
        superseded: list[int] = []
        # A key is new information even where repeats are not counted: it is taken.
        if repeats == "count" or (item.key is not None and same["key"] is None):
            superseded = _count_repeat(
                c, same["id"], client, "duplicate", item.tags, item.expires_at, Said.of(item)
            )
        return Inserted(same["id"], "duplicate", tuple(superseded))
    if repeats == "restore":
        if (before := decisions.restored_before(c, item)) is not None:
            return Inserted(before, "present")
        if (folded := keyedmerge.fold_keyed(c, item, client)) is not None:
            return folded  # the same belief: one memory of it
        if item.id is not None and decisions.id_taken(c, item.id):
            item = replace(item, id=None)
    if held is not None:
        held.add(pair)
    return _insert(c, item, action, client, vectors_table=vectors_table)


def _insert(
    c: Connection,
    item: NewRow,
    action: str,
    client: str | None,
    also: Sequence[int] = (),
    newest: bool = False,
    vectors_table: bool | None = None,
) -> Inserted:
    """Insert a row; settle its key with the current holder (with `newest`, the new row is
    the current value; else the later-created is); supersede `also` by it. `vectors_table`:
    whether the vector index exists, if the caller knows (else it is looked up)."""
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
    statement = _INSERT if item.id is None else _INSERT_WITH_ID
    row = _one(c.execute(statement, values).fetchone())  # as stored: its triggers ran
    new_id = int(row["id"])
    if item.id is not None:  # an id given by an import: new ids continue after it
        c.execute(
            """select setval(pg_get_serial_sequence('memories', 'id'),
                             greatest(%s, (select max(id) from memories)))""",
            (item.id,),
        )
    if vectors_table is None and item.vector is not None:
        vectors_table = vectors.has_table(c)
    embedded = item.vector is not None and bool(vectors_table)
    if embedded and item.vector is not None:
        vectors.insert(c, new_id, item.vector)
    beaten = [] if beaten_by is not None else [h["id"] for h in holders]
    superseded = decisions.supersede(c, [*beaten, *also], new_id, client, at=now)
    if previous is not None:  # its successor stays (superseded once): it gave way sooner
        decisions.gave_way_at(c, previous["id"], values["created_at"], new_id, client)
    if values["key"] != item.key:
        c.execute("update memories set key = %s where id = %s", (item.key, new_id))
        row = require_row(c, new_id)
    pending: dict[str, Any] = (
        {"unembedded": True} if item.check_when_embedded and not embedded else {}
    )
    history.record(c, new_id, action, client, after=history.snapshot(row), **pending)
    if beaten_by is not None:
        history.record(c, new_id, "supersede", client, by=beaten_by, why="key")
    memory = to_memory(dict(row) | {"embedded": embedded})
    return Inserted(new_id, "created", tuple(superseded), memory)


def _count_repeat(
    c: Connection,
    memory_id: int,
    client: str | None,
    action: str,
    add_tags: Sequence[str] = (),
    expires_at: str | None = None,
    sighting: Said | None = None,
    **detail: Any,
) -> list[int]:
    """Another sighting: repeat count, last seen, new tags, and the sighting's expiry
    (`expires_at`, None: never) when it outlives the memory's; what else the `sighting`
    says explicitly (policies.repeats.adopted: kind, metadata, a date, a key, a context) is
    set, the history entry showing it before and after; a key it takes supersedes the
    slot's current value (the repeat is the later statement). Back-to-back exact repeats
    with nothing new share one history entry (a count, the last time, the clients), so a
    memory said 20,000 times keeps a short history. Returns the ids it superseded."""
    row = require_row(c, memory_id)
    adopt = _adopted(row, sighting)
    superseded: list[int] = []
    if adopt:
        if "key" in adopt:
            holders = decisions.key_holders(c, row["scope"], adopt["key"], besides=memory_id)
            superseded = decisions.supersede(
                c, [h["id"] for h in holders], memory_id, client, why="key"
            )
        set_fields(c, memory_id, adopt)
        detail["changed"] = sorted(adopt)
    if (heard := heard_context(row["context"], sighting)) is not None:
        detail["heard_context"] = heard
    kept = folding.keep(row["tags"], row["expires_at"], add_tags, expires_at)
    now = utc_now()
    keep(c, memory_id, kept, now)
    detail.update(kept.detail)
    if kept.tags_added:
        detail["tags_added"] = kept.tags_added
    elif action == "duplicate" and not detail and _coalesce_repeat(c, memory_id, client, now):
        return superseded
    before = history.snapshot(row) if adopt else None
    after = history.snapshot(require_row(c, memory_id)) if adopt else None
    history.record(c, memory_id, action, client, before, after, **detail)
    return superseded


def _adopted(row: Any, sighting: Said | None) -> dict[str, Any]:
    if sighting is None:
        return {}
    return adopted(row, dict(row["metadata"]), sighting)


def _coalesce_repeat(c: Connection, memory_id: int, client: str | None, now: str) -> bool:
    """Fold a repeat into the memory's newest history entry if that is a plain repeat too."""
    last = c.execute(
        "select id, action, client, detail from history where memory_id = %s "
        "order by id desc limit 1",
        (memory_id,),
    ).fetchone()
    if last is None:
        return False
    detail = folding.coalesced_repeat(
        last["action"], last["client"], dict(last["detail"]), client, now
    )
    if detail is not None:
        c.execute("update history set detail = %s where id = %s", (as_json(detail), last["id"]))
    return detail is not None


def _one(row: Any) -> Any:
    assert row is not None
    return row


def row_values(item: NewRow, now: str) -> dict[str, Any]:
    """The insert's parameters for a row (COLUMNS): JSON columns encoded, missing times `now`,
    the content's hash; shared by inserts and migrate's exact copies (transfer.py)."""
    values = {name: getattr(item, name, None) for name in COLUMNS}
    values.update(
        tags=as_jsonb(item.tags),
        metadata=as_json(item.metadata),
        created_at=item.created_at or now,
        updated_at=item.updated_at or item.created_at or now,
        content_hash=item.hashed(),
    )
    return values
