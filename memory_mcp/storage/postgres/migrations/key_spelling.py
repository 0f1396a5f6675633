"""Schema step 10 on PostgreSQL (see __init__.py): every key in its one spelling
(policies.keys), settled as SQLite's step of the same number settles it: of the values one
slot held current under several spellings, the later-created stays current and the others
are superseded by it; then every key takes its form. Each change is in the history."""

from typing import Any

from psycopg.types.json import Json

from memory_mcp.policies.keys import settle_spellings
from memory_mcp.storage.audit import SNAPSHOT_FIELDS
from memory_mcp.timestamps import later_than, stated, utc_now

_HISTORY = """
    insert into history (memory_id, action, before, after, detail, at, client)
    values (%s, %s, %s, %s, %s, %s, 'migration')
"""


def one_key_spelling(c: Any) -> None:
    now = utc_now()
    rows = {r["id"]: r for r in c.execute("select * from memories where key is not null")}
    superseded, renamed = settle_spellings(rows.values())
    entries: list[tuple[Any, ...]] = []
    for old, by in superseded:
        at = later_than(stated(rows[by]), [rows[old]["created_at"]])  # by the data
        c.execute(
            "update memories set superseded_by = %s, superseded_at = %s where id = %s",
            (by, at, old),
        )
        detail = Json({"by": by, "why": "key"})
        entries.append((old, "supersede", _snapshot(rows[old]), None, detail, now))
    for memory_id, form in renamed:
        c.execute("update memories set key = %s where id = %s", (form, memory_id))
        after = _snapshot(rows[memory_id] | {"key": form})
        entries.append((memory_id, "edit", _snapshot(rows[memory_id]), after, Json({}), now))
    c.cursor().executemany(_HISTORY, entries)
    c.execute("insert into meta (key, value) values ('key_form', 'nfkc_casefold')")


def applied(c: Any) -> bool:
    return c.execute("select 1 from meta where key = 'key_form'").fetchone() is not None


def _snapshot(row: Any) -> Json:
    """The history's before/after of a row (tags and metadata come decoded)."""
    return Json({name: row[name] for name in SNAPSHOT_FIELDS})
