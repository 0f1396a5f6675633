"""Writes that store or change memories (insert, repeats, merge, update): each public method
is one transaction, index entries and history included. Forget, purge and scrub: removals.py."""

import json
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from memory_mcp.policies import folding
from memory_mcp.policies.dedup import content_hash
from memory_mcp.policies.repeats import Said, adopted, heard_context
from memory_mcp.storage import sources
from memory_mcp.storage.contract import Inserted, NewRow, Repeats
from memory_mcp.storage.sqlite import decisions, history, vectors
from memory_mcp.storage.sqlite.base import SqliteBase, require_row, to_memory
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.storage.sqlite.runs import Run
from memory_mcp.timestamps import utc_now

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

_EDITABLE = {
    "content", "kind", "tags", "scope", "metadata", "key", "occurred_at", "expires_at", "context",
}  # fmt: skip
_EDITABLECOLUMNS = sorted(_EDITABLE | {"content_hash"})

_UPDATE = f"""
    update memories set
        {", ".join(f"{c} = case when :set_{c} then :{c} else {c} end" for c in _EDITABLECOLUMNS)},
        updated_at = :now
    where id = :id
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
            if dedup and replaces is None:
                same = decisions.visible_repeat(c, item)
                if same is not None:
                    if source is not None and decisions.source_counted(c, source, same["id"]):
                        return Inserted(same["id"], "present")
                    sighting = {} if source is None else {"source": source}
                    superseded = _count_repeat(
                        c, same["id"], client, "duplicate", item.tags, item.expires_at,
                        Said.of(item), **sighting,
                    )  # fmt: skip
                    return Inserted(same["id"], "duplicate", tuple(superseded))
            also = [] if replaces is None else [decisions.replace_target(c, replaces, item.scope)]
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
                "select 1 from memories where superseded_by = :id limit 1", {"id": memory_id}
            ).fetchone()
            if not folding.can_fold(
                folding.Copy.of_row(later, replaced is not None), folding.Copy.of_row(into, False)
            ):
                return False
            fold(c, later, into, client, **detail)
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
        with self._write() as c:
            update_row(c, require_row(c, memory_id), fields, client)
            if vectors.has_table(c) and (vector is not None or drop_vector):
                vectors.delete(c, memory_id)
                if vector is not None:  # not into another model's index (then: pending)
                    vectors.insert(c, memory_id, vector, self._made_with)

    def move(self, ids: Sequence[int], scope: str, client: str | None = None) -> list[int]:
        with self._write() as c:
            rows = [require_row(c, memory_id) for memory_id in dict.fromkeys(ids)]  # all exist
            moving = [row["id"] for row in rows if row["scope"] != scope]
            for memory_id in moving:  # read again: moving one may supersede or restore another
                update_row(c, require_row(c, memory_id), {"scope": scope}, client, moving)
        return moving


def update_row(
    c: Connection, row: Any, fields: dict[str, Any], client: str | None, along: Collection[int] = ()
) -> None:
    """`update` within its transaction, but for the vector: the fields, the key slots the row
    leaves and enters, and the history entry. `along`: the ids moved with it."""
    memory_id = row["id"]
    before = history.snapshot(row)
    moved = {k: v for k, v in fields.items() if k in ("scope", "key")}
    if moved:
        decisions.settle_key(c, dict(row) | moved, client)
    set_fields(c, memory_id, fields)
    left = row["key"] is not None and any(row[k] != v for k, v in moved.items())
    if left:  # it left its key's slot: what it superseded there is that slot's value again
        for back in decisions.reinstate_replaced(c, memory_id, client, (row["scope"], row["key"])):
            fold_repeats(c, back, client)
    after = history.snapshot(require_row(c, memory_id))
    action = "move" if set(fields) == {"scope"} else "edit"
    history.record(c, memory_id, action, client, before, after)
    if left:
        decisions.leave_replacer(c, row, along, client)  # superseded in the slot it left
    if action == "move":  # not an edit: a batch of them (Markdown) may fold one edited later
        fold_repeats(c, memory_id, client)


def fold(c: Connection, later: Any, into: Any, client: str | None, **detail: Any) -> None:
    """Fold row `later` into row `into`: what `into` keeps and takes of it
    (policies.folding), both histories, and `later` deleted with its index entries (triggers)."""
    adopt = folding.taken_over(
        into, json.loads(into["metadata"]), later, json.loads(later["metadata"])
    )
    if adopt:  # what the later copy says explicitly wins, as a repeat's would
        set_fields(c, into["id"], adopt)
        detail["changed"] = sorted(adopt)
    kept = folding.keep(
        json.loads(into["tags"]),
        into["expires_at"],
        json.loads(later["tags"]),
        later["expires_at"],
        later["repeat_count"],
    )
    _keep(c, into["id"], kept, utc_now())
    detail.update(kept.detail)
    before = history.snapshot(into) if adopt else None
    after = history.snapshot(require_row(c, into["id"])) if adopt else None
    history.record(
        c, into["id"], "merge", client, before, after,
        text=later["content"], merged=later["id"], **detail,
    )  # fmt: skip
    history.record(c, later["id"], "merge", client, history.snapshot(later), into=into["id"])
    c.execute("delete from memories where id = :id", {"id": later["id"]})


def fold_repeats(c: Connection, memory_id: int, client: str | None) -> list[int]:
    """A memory just made current again (restored, moved, reinstated) stays the one memory
    of its text in its scope: the copies policies.folding picks fold into it (their ids)."""
    row = c.execute("select * from memories where id = :id", {"id": memory_id}).fetchone()
    if row is None:  # folded already into another one made current beside it
        return []
    same_text = {
        r["id"]: r
        for r in c.execute(
            """select m.*, exists (select 1 from memories r where r.superseded_by = m.id)
                   as replaced
               from memories m where scope = :scope and content_hash = :hash""",
            {"scope": row["scope"], "hash": row["content_hash"]},
        ).fetchall()
    }
    folded = folding.folded_into(
        memory_id, [folding.Copy.of_row(r, r["replaced"]) for r in same_text.values()]
    )
    for other in folded:
        fold(c, same_text[other], require_row(c, memory_id), client)
    return folded


def _keep(c: Connection, memory_id: int, kept: folding.Kept, now: str) -> None:
    """Write what a memory keeps of a sighting. Its expiry only when it changes: the vector
    index's trigger logs every write of it."""
    if kept.expires_changed:
        c.execute(
            "update memories set expires_at = :expires where id = :id",
            {"expires": kept.expires_at, "id": memory_id},
        )
    c.execute(
        """
        update memories set repeat_count = repeat_count + :n, last_seen_at = :now, tags = :tags
        where id = :id
        """,
        {"id": memory_id, "n": kept.repeats, "now": now, "tags": json.dumps(kept.tags)},
    )


def set_fields(c: Connection, memory_id: int, fields: dict[str, Any]) -> None:
    """Update editable fields (tags and metadata as values, encoded here)."""
    params = {k: json.dumps(v) if k in ("tags", "metadata") else v for k, v in fields.items()}
    if "content" in params:
        params["content_hash"] = content_hash(params["content"])
    c.execute(
        _UPDATE,
        {
            "id": memory_id,
            "now": utc_now(),
            **{f"set_{k}": 1 if k in params else 0 for k in _EDITABLECOLUMNS},
            **{k: params.get(k) for k in _EDITABLECOLUMNS},
        },
    )


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
                superseded = _count_repeat(
                    c, same["id"], client, "duplicate", item.tags, item.expires_at, Said.of(item)
                )
            return Inserted(same["id"], "duplicate", tuple(superseded))
    if repeats == "restore":
        if (before := decisions.restored_before(c, item, digest)) is not None:
            return Inserted(before, "present")
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
    values = row_values(item, now)
    current = item.key is not None and item.superseded_by is None and item.forgotten_at is None
    holders = decisions.key_holders(c, item.scope, item.key) if current and item.key else []
    beaten_by = None
    if holders and not newest and holders[-1]["created_at"] > values["created_at"]:
        beaten_by = holders[-1]["id"]  # the stored value is the later one: it stays current
        values.update(superseded_by=beaten_by, superseded_at=now)
    elif holders:
        values["key"] = None  # given once the holders are superseded: one current value
    new_id = int(c.execute(_INSERT, values).lastrowid or 0)
    logged = 0
    if item.vector is not None and vectors.has_table(c):
        logged = vectors.insert(c, new_id, item.vector, made_with)
    embedded = logged > 0
    beaten = [] if beaten_by is not None else [h["id"] for h in holders]
    superseded = decisions.supersede(c, [*beaten, *also], new_id, client)
    if values["key"] != item.key:
        c.execute("update memories set key = :key where id = :id", {"key": item.key, "id": new_id})
    # The row as stored, from the values written (every column is given; no trigger edits
    # the row itself): reading it back cost a statement per insert.
    row = values | {"id": new_id, "key": item.key, "embedded": embedded}
    history.record(c, new_id, action, client, after=history.snapshot(row))
    if beaten_by is not None:
        history.record(c, new_id, "supersede", client, by=beaten_by, why="key")
    memory = to_memory(row) if model else None
    return Inserted(new_id, "created", tuple(superseded), memory, logged)


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
    kept = folding.keep(json.loads(row["tags"]), row["expires_at"], add_tags, expires_at)
    now = utc_now()
    _keep(c, memory_id, kept, now)
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
    return adopted(row, json.loads(row["metadata"]), sighting)


def _coalesce_repeat(c: Connection, memory_id: int, client: str | None, now: str) -> bool:
    """Fold a repeat into the memory's newest history entry if that is a plain repeat too."""
    last = c.execute(
        "select id, action, client, detail from history where memory_id = :id "
        "order by id desc limit 1",
        {"id": memory_id},
    ).fetchone()
    if last is None:
        return False
    detail = folding.coalesced_repeat(
        last["action"], last["client"], json.loads(last["detail"]), client, now
    )
    if detail is not None:
        c.execute(
            "update history set detail = :detail where id = :id",
            {"detail": json.dumps(detail), "id": last["id"]},
        )
    return detail is not None


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
