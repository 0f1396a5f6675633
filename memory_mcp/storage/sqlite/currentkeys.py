"""Current values that share a key, written while the index keeping one current value per
(scope, key) was missing (dropped by hand, a dump restored without it): settled before
doctor --repair makes the index again, in its transaction, so the repair cannot fail on
them. In each slot the later-stated value (timestamps.stated; the later id on a tie) stays
current and each other is superseded by it, with a `supersede` history entry holding what it
said ({"by": id, "why": "key"}), as a write of that key would have left it. Nothing is
deleted: `memory-mcp history ID` shows each, `restore` brings one back."""

from typing import Any

from memory_mcp.storage.sqlite import history
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.timestamps import later_than, parse_stored_time, stated

CLIENT = "doctor"
_CURRENT = "key is not null and forgotten_at is null and superseded_by is null"
_SHARED = f"""
    select * from memories where {_CURRENT} and (scope, key) in (
        select scope, key from memories where {_CURRENT}
        group by scope, key having count(*) > 1)
"""


def settle(c: Connection) -> list[int]:
    """Supersede all but the newest current value of each key held by several; their ids."""
    slots: dict[tuple[str, str], list[Any]] = {}
    for row in c.execute(_SHARED).fetchall():
        slots.setdefault((row["scope"], row["key"]), []).append(row)
    settled = []
    for rows in slots.values():
        rows.sort(key=lambda r: (parse_stored_time(stated(r)), r["id"]))
        newest = rows[-1]
        for row in rows[:-1]:
            at = later_than(stated(newest), [str(row["created_at"])])
            c.execute(
                "update memories set superseded_by = :by, superseded_at = :at where id = :id",
                {"by": newest["id"], "at": at, "id": row["id"]},
            )
            before = history.snapshot(row)
            history.record(c, row["id"], "supersede", CLIENT, before, by=newest["id"], why="key")
            settled.append(int(row["id"]))
    return settled
