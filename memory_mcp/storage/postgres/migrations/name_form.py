"""Schema step 12 on PostgreSQL (see __init__.py): every scope and tag in its one Unicode
form, settled as SQLite's step of the same number settles it (policies.keys.settle_names):
values of one key that were each current in two spellings of a scope, now one, leave the
later-created current and the others superseded by it. Each change is in the history."""

from typing import Any

from psycopg.types.json import Json

from memory_mcp.policies.keys import settle_names
from memory_mcp.storage.audit import SNAPSHOT_FIELDS
from memory_mcp.timestamps import later_than, stated, utc_now

_HISTORY = """
    insert into history (memory_id, action, before, after, detail, at, client)
    values (%s, %s, %s, %s, %s, %s, 'migration')
"""


def one_name_form(c: Any) -> None:
    now = utc_now()
    rows = list(
        c.execute(
            """select id, scope, tags, key, created_at, last_seen_at, forgotten_at,
                      superseded_by from memories"""
        )
    )
    superseded, renamed = settle_names(rows)
    changed = dict.fromkeys([old for old, _ in superseded] + [i for i, _, _ in renamed])
    snap = {memory_id: _snapshot(c, memory_id) for memory_id in changed}
    entries: list[tuple[Any, ...]] = []
    held = {row["id"]: row for row in rows}
    for old, by in superseded:  # first: a renamed scope must not hold two current values
        at = later_than(stated(held[by]), [held[old]["created_at"]])  # by the data
        c.execute(
            "update memories set superseded_by = %s, superseded_at = %s where id = %s",
            (by, at, old),
        )
        detail = Json({"by": by, "why": "key"})
        entries.append((old, "supersede", Json(snap[old]), None, detail, now))
    for memory_id, scope, tags in renamed:
        c.execute(
            "update memories set scope = %s, tags = %s where id = %s",
            (scope, Json(tags), memory_id),
        )
        after = Json(snap[memory_id] | {"scope": scope, "tags": tags})
        entries.append((memory_id, "edit", Json(snap[memory_id]), after, Json({}), now))
    c.cursor().executemany(_HISTORY, entries)
    c.execute("insert into meta (key, value) values ('name_form', 'nfc')")


def applied(c: Any) -> bool:
    return c.execute("select 1 from meta where key = 'name_form'").fetchone() is not None


def _snapshot(c: Any, memory_id: int) -> dict[str, Any]:
    row = c.execute(
        f"select {', '.join(SNAPSHOT_FIELDS)} from memories where id = %s", (memory_id,)
    ).fetchone()
    return {name: row[name] for name in SNAPSHOT_FIELDS}
