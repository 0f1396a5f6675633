"""Schema step 18 on PostgreSQL (see __init__.py): every tag in its one spelling, as
SQLite's step of the same number settles it (names.settled_tags: folded as keys are, tags
that become one kept once); each change is an edit in the memory's history."""

from typing import Any

from psycopg.types.json import Json

from memory_mcp.names import settled_tags
from memory_mcp.storage.audit import SNAPSHOT_FIELDS
from memory_mcp.timestamps import utc_now

_HISTORY = """
    insert into history (memory_id, action, before, after, detail, at, client)
    values (%s, 'edit', %s, %s, '{}', %s, 'migration')
"""


def one_tag_form(c: Any) -> None:
    now = utc_now()
    changed = []  # only the rows that change are held, then read whole
    with c.cursor(name="tag_form") as scan:  # on the server: streamed, however many rows
        scan.execute("select id, tags from memories where tags <> '[]'::jsonb")
        for row in scan:
            if (settled := settled_tags(list(row["tags"]))) != row["tags"]:
                changed.append((row["id"], settled))
    entries = []
    for memory_id, tags in changed:
        before = c.execute(
            f"select {', '.join(SNAPSHOT_FIELDS)} from memories where id = %s", (memory_id,)
        ).fetchone()
        c.execute("update memories set tags = %s where id = %s", (Json(tags), memory_id))
        entries.append((memory_id, Json(dict(before)), Json(dict(before) | {"tags": tags}), now))
    c.cursor().executemany(_HISTORY, entries)
    c.execute("insert into meta (key, value) values ('tag_form', 'nfkc_casefold')")


def applied(c: Any) -> bool:
    return c.execute("select 1 from meta where key = 'tag_form'").fetchone() is not None
