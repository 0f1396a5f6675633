"""Schema step 18 (see __init__.py): every tag in its one spelling (names.tag_form: folded
as keys and the keyword index fold, so full-width `ｄｅｐｌｏｙ` is `deploy`); tags of one memory
that become one are kept once (names.settled_tags). Each change is an edit in the memory's
history (client `migration`), with the tags before and after."""

import json
from typing import Any

from memory_mcp.names import settled_tags
from memory_mcp.storage.audit import SNAPSHOT_FIELDS
from memory_mcp.timestamps import utc_now

_HISTORY = """
    insert into history (memory_id, action, at, client, before, after, detail)
    values (?, 'edit', ?, 'migration', ?, ?, '{}')
"""


def one_tag_form(conn: Any) -> None:
    now = utc_now()
    changed = []  # only the rows that change are held, then read whole: a streamed scan
    for row in conn.execute("select id, tags from memories where tags != '[]'"):
        tags = json.loads(row["tags"])
        if (settled := settled_tags(tags)) != tags:
            changed.append((row["id"], settled))
    entries = []
    for memory_id, tags in changed:
        before = _snapshot(conn, memory_id)
        conn.execute("update memories set tags = ? where id = ?", (json.dumps(tags), memory_id))
        after = before | {"tags": tags}
        entries.append((memory_id, now, json.dumps(before), json.dumps(after)))
    conn.executemany(_HISTORY, entries)
    conn.execute("insert into meta (key, value) values ('tag_form', 'nfkc_casefold')")


def _snapshot(conn: Any, memory_id: int) -> dict[str, Any]:
    row = conn.execute(
        f"select {', '.join(SNAPSHOT_FIELDS)} from memories where id = ?", (memory_id,)
    ).fetchone()
    shown = {name: row[name] for name in SNAPSHOT_FIELDS}
    return shown | {n: json.loads(shown[n]) for n in ("tags", "metadata")}


def applied(conn: Any) -> bool:
    return conn.execute("select 1 from meta where key = 'tag_form'").fetchone() is not None
