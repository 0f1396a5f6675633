"""Step 15: a key's value no longer stays hidden by the value of a slot it is not in.

Before commit a6bff80, a key's old value moved to another scope (or re-keyed) alone stayed
superseded by the value it left behind, and before ab2ee8c a value stayed superseded by one
that moved away: hidden in its own slot (scope, key) by another slot's value. Each such
memory is settled as a move settles it today (policies.keys.rejoin_left_slots): it joins
its own slot, current unless the slot holds a later value; a `restore` history entry names
what it left ({"left_replacement": id}), a `supersede` entry each supersession that follows.
A correction (`replaces`) from another slot is about that memory wherever it is: kept.
"""

import json
from typing import Any

from memory_mcp.storage.sqlite.migrations.one_current import STATEMENTS

# Superseded through the key (the history says so; an entry without a reason: by a keyed
# memory) by a memory that holds another slot now.
STRANDED = """
    select m.id, m.superseded_by from memories m
    join memories s on s.id = m.superseded_by
    where m.key is not null and (s.key is null or s.key != m.key or s.scope != m.scope)
      and coalesce(
            (select json_extract(h.detail, '$.why') from history h
             where h.memory_id = m.id and h.action = 'supersede' order by h.id desc limit 1),
            case when s.key is null then 'replaces' else 'key' end) = 'key'
"""
_HISTORY = """
    insert into history (memory_id, action, at, client, before, after, detail)
    values (?, ?, ?, 'migration', ?, null, ?)
"""


def settle_left_slots(conn: Any) -> None:
    from memory_mcp.policies.keys import rejoin_left_slots
    from memory_mcp.storage.audit import SNAPSHOT_FIELDS
    from memory_mcp.timestamps import utc_now

    def snapshot(row: Any) -> str:
        shown = {name: row[name] for name in SNAPSHOT_FIELDS}
        return json.dumps(shown | {n: json.loads(shown[n]) for n in ("tags", "metadata")})

    now = utc_now()
    left = {int(r[0]): int(r[1]) for r in conn.execute(STRANDED)}
    if left:
        rows: dict[int, Any] = {}  # the rows of the slots those memories are in
        slots = conn.execute(
            "select distinct scope, key from memories where id in (select value from json_each(?))",
            (json.dumps(list(left)),),
        ).fetchall()
        for scope, key in slots:
            found = conn.execute("select * from memories where scope = ? and key = ?", (scope, key))
            rows.update((r["id"], r) for r in found)
        superseded, settled = rejoin_left_slots(rows.values(), left)
        # The one-current-value index and the superseded-once trigger hold of the end state,
        # not of each row on the way to it: made again once every row has its value.
        conn.execute("drop index memories_current_key")
        conn.execute("drop trigger memories_superseded_once")
        for memory_id, by in [*settled, *superseded]:
            conn.execute(
                "update memories set superseded_by = ?, superseded_at = ? where id = ?",
                (by, None if by is None else _gave_way(rows, memory_id, by), memory_id),
            )
        entries: list[tuple[int, str, str, str | None, str]] = [
            (old, "supersede", now, snapshot(rows[old]), json.dumps({"by": by, "why": "key"}))
            for old, by in superseded
        ]
        entries += [
            (i, "restore", now, None, json.dumps({"left_replacement": left[i]})) for i, _ in settled
        ]
        conn.executemany(_HISTORY, entries)
        for statement in STATEMENTS[:2]:
            conn.execute(statement)
    conn.execute("insert into meta (key, value) values ('left_slots', 'settled')")


def applied(conn: Any) -> bool:
    return conn.execute("select 1 from meta where key = 'left_slots'").fetchone() is not None


def _gave_way(rows: dict[int, Any], memory_id: int, by: int) -> str:
    """When a memory superseded by `by` gave way, by the data: `by`'s statement (not the
    upgrade's day), never before its own creation."""
    from memory_mcp.timestamps import later_than, stated

    return later_than(stated(rows[by]), [rows[memory_id]["created_at"]])
