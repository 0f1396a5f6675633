"""Current values that share a key, written while the index keeping one current value per
(scope, key) was missing: settled before doctor --repair makes it again, in its transaction,
as SQLite's currentkeys.py settles them (the later-stated value stays current, each other is
superseded by it with a `supersede` history entry; nothing is deleted)."""

from typing import Any

from psycopg.types.json import Json

from memory_mcp.storage.audit import SNAPSHOT_FIELDS
from memory_mcp.storage.contract import acting_principal
from memory_mcp.storage.postgres.db import Connection
from memory_mcp.timestamps import later_than, parse_stored_time, stated, utc_now

CLIENT = "doctor"
# history.record's entry, written here: history.py imports base.py, which imports restore.py
_HISTORY = """insert into history (memory_id, action, at, client, before, after, detail, principal)
              values (%s, 'supersede', %s, %s, %s, null, %s, %s)"""
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
                "update memories set superseded_by = %s, superseded_at = %s where id = %s",
                (newest["id"], at, row["id"]),
            )
            before = Json({name: row[name] for name in SNAPSHOT_FIELDS})
            detail = Json({"by": newest["id"], "why": "key"})
            c.execute(_HISTORY, (row["id"], utc_now(), CLIENT, before, detail, acting_principal()))
            settled.append(int(row["id"]))
    return settled
