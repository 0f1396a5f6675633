"""Schema step 15 on PostgreSQL (see __init__.py): a key's value no longer stays hidden by
the value of a slot it is not in, settled as SQLite's step of the same number settles it
(policies.keys.rejoin_left_slots): each memory superseded through its key by one that holds
another slot now joins its own slot, current unless the slot holds a later value, with a
`restore` history entry ({"left_replacement": id}) and a `supersede` for each that follows."""

from typing import Any

from psycopg.types.json import Json

from memory_mcp.policies.keys import rejoin_left_slots
from memory_mcp.storage.audit import SNAPSHOT_FIELDS
from memory_mcp.storage.postgres.migrations.initial import CURRENT_KEY, SUPERSEDED_ONCE
from memory_mcp.timestamps import later_than, stated, utc_now

_STRANDED = """
    select m.id, m.superseded_by from memories m
    join memories s on s.id = m.superseded_by
    where m.key is not null and (s.key is null or s.key <> m.key or s.scope <> m.scope)
      and coalesce(
            (select h.detail ->> 'why' from history h
             where h.memory_id = m.id and h.action = 'supersede' order by h.id desc limit 1),
            case when s.key is null then 'replaces' else 'key' end) = 'key'
"""
_HISTORY = """
    insert into history (memory_id, action, before, after, detail, at, client)
    values (%s, %s, %s, null, %s, %s, 'migration')
"""


def settle_left_slots(c: Any) -> None:
    now = utc_now()
    left = {int(r["id"]): int(r["superseded_by"]) for r in c.execute(_STRANDED)}
    if left:
        rows: dict[int, Any] = {}  # the rows of the slots those memories are in
        slots = c.execute(
            "select distinct scope, key from memories where id = any(%s)", (list(left),)
        ).fetchall()
        for slot in slots:
            found = c.execute(
                "select * from memories where scope = %s and key = %s", (slot["scope"], slot["key"])
            )
            rows.update((r["id"], r) for r in found)
        superseded, settled = rejoin_left_slots(rows.values(), left)
        # The index and the trigger hold of the end state, not of each row on the way.
        c.execute("drop index memories_current_key")
        c.execute("drop trigger memories_superseded_once on memories")
        for memory_id, by in [*settled, *superseded]:
            c.execute(
                "update memories set superseded_by = %s, superseded_at = %s where id = %s",
                (by, None if by is None else _gave_way(rows, memory_id, by), memory_id),
            )
        entries: list[tuple[Any, ...]] = [
            (old, "supersede", _snapshot(rows[old]), Json({"by": by, "why": "key"}), now)
            for old, by in superseded
        ]
        entries += [
            (i, "restore", None, Json({"left_replacement": left[i]}), now) for i, _ in settled
        ]
        c.cursor().executemany(_HISTORY, entries)
        c.execute(CURRENT_KEY)
        c.execute(SUPERSEDED_ONCE)
    c.execute("insert into meta (key, value) values ('left_slots', 'settled')")


def applied(c: Any) -> bool:
    return c.execute("select 1 from meta where key = 'left_slots'").fetchone() is not None


def _snapshot(row: Any) -> Json:
    """The history's before of a row (tags and metadata come decoded)."""
    return Json({name: row[name] for name in SNAPSHOT_FIELDS})


def _gave_way(rows: dict[int, Any], memory_id: int, by: int) -> str:
    """When a memory superseded by `by` gave way, by the data: `by`'s statement (not the
    upgrade's day), never before its own creation."""
    return later_than(stated(rows[by]), [rows[memory_id]["created_at"]])
