"""Schema step 12 (see __init__.py): every scope and tag in its one Unicode form
(names.name_form), settled as policies.keys.settle_names says: values of one key that were
each current in two spellings of a scope, now one, leave the later-created current and the
others superseded by it. Each change is in the memory's history (client `migration`)."""

import json
from typing import Any

from memory_mcp.policies.keys import settle_names
from memory_mcp.storage.audit import SNAPSHOT_FIELDS
from memory_mcp.timestamps import later_than, stated, utc_now

_HISTORY = """
    insert into history (memory_id, action, at, client, before, after, detail)
    values (?, ?, ?, 'migration', ?, ?, ?)
"""


def one_name_form(conn: Any) -> None:
    now = utc_now()
    rows = [
        dict(r) | {"tags": json.loads(r["tags"])}
        for r in conn.execute(
            """select id, scope, tags, key, created_at, last_seen_at, forgotten_at,
                      superseded_by from memories"""
        )
    ]
    superseded, renamed = settle_names(rows)
    changed = [old for old, _ in superseded] + [memory_id for memory_id, _, _ in renamed]
    snap = {memory_id: _snapshot(conn, memory_id) for memory_id in dict.fromkeys(changed)}
    entries: list[tuple[int, str, str, str, str | None, str]] = []
    held = {row["id"]: row for row in rows}
    for old, by in superseded:  # first: a renamed scope must not hold two current values
        at = later_than(stated(held[by]), [held[old]["created_at"]])  # by the data
        conn.execute(
            "update memories set superseded_by = ?, superseded_at = ? where id = ?",
            (by, at, old),
        )
        detail = json.dumps({"by": by, "why": "key"})
        entries.append((old, "supersede", now, json.dumps(snap[old]), None, detail))
    for memory_id, scope, tags in renamed:
        conn.execute(
            "update memories set scope = ?, tags = ? where id = ?",
            (scope, json.dumps(tags), memory_id),
        )
        before = snap[memory_id]
        after = json.dumps(before | {"scope": scope, "tags": tags})
        entries.append((memory_id, "edit", now, json.dumps(before), after, "{}"))
    conn.executemany(_HISTORY, entries)
    conn.execute("insert into meta (key, value) values ('name_form', 'nfc')")


def applied(conn: Any) -> bool:
    return conn.execute("select 1 from meta where key = 'name_form'").fetchone() is not None


def _snapshot(conn: Any, memory_id: int) -> dict[str, Any]:
    row = conn.execute(
        f"select {', '.join(SNAPSHOT_FIELDS)} from memories where id = ?", (memory_id,)
    ).fetchone()
    shown = {name: row[name] for name in SNAPSHOT_FIELDS}
    return shown | {n: json.loads(shown[n]) for n in ("tags", "metadata")}
