"""Step 10: keys in their one spelling."""

import json
from typing import Any


def one_key_spelling(conn: Any) -> None:
    """Keys in their one spelling (policies.keys.key_form), so that "User.Editor" and
    "user.editor" are one slot. Spellings of one slot that were each current are settled as a
    later remember of the key settles them: the later-created value stays current, the
    others are superseded by it; then every key takes its form. Each change is in the
    memory's history (the spelling it had in the edit's `before`)."""
    from memory_mcp.policies.keys import settle_spellings
    from memory_mcp.storage.audit import SNAPSHOT_FIELDS
    from memory_mcp.timestamps import later_than, stated, utc_now

    def snapshot(row: Any) -> str:
        shown = {name: row[name] for name in SNAPSHOT_FIELDS}
        return json.dumps(shown | {n: json.loads(shown[n]) for n in ("tags", "metadata")})

    now = utc_now()
    rows = {r["id"]: dict(r) for r in conn.execute("select * from memories where key is not null")}
    superseded, renamed = settle_spellings(rows.values())
    entries: list[tuple[int, str, str, str, str | None, str]] = []
    for old, by in superseded:
        # Dated by the data: when the value it gave way to was stated (not the upgrade's
        # day), never before its own creation.
        at = later_than(stated(rows[by]), [rows[old]["created_at"]])
        conn.execute(
            "update memories set superseded_by = :by, superseded_at = :at where id = :id",
            {"by": by, "at": at, "id": old},
        )
        detail = json.dumps({"by": by, "why": "key"})
        entries.append((old, "supersede", now, snapshot(rows[old]), None, detail))
    for memory_id, form in renamed:
        conn.execute(
            "update memories set key = :key where id = :id", {"key": form, "id": memory_id}
        )
        after = snapshot(rows[memory_id] | {"key": form})
        entries.append((memory_id, "edit", now, snapshot(rows[memory_id]), after, "{}"))
    conn.executemany(
        """insert into history (memory_id, action, at, client, before, after, detail)
           values (?, ?, ?, 'migration', ?, ?, ?)""",
        entries,
    )
    conn.execute("insert into meta (key, value) values ('key_form', 'nfkc_casefold')")
