"""Step 6: one current value per (scope, key), superseded at most once."""

import json
from typing import Any


def one_current_value(conn: Any) -> None:
    """One current value per (scope, key), a memory superseded at most once, and an index
    on imported source ids, so the decisions writers take inside their transactions are
    backed by the schema. Rows that break the first rule (left by writers racing before
    this step) are settled first: the later-created value stays current, the others are
    superseded by it, each with a history entry."""
    from memory_mcp.timestamps import later_than, utc_now

    now = utc_now()
    clashes = conn.execute(
        f"""select scope, key from memories where key is not null and {_CURRENT}
            group by scope, key having count(*) > 1"""
    ).fetchall()
    for scope, key in clashes:
        found = conn.execute(
            f"""select id, created_at from memories
                where scope = :scope and key = :key and {_CURRENT} order by created_at, id""",
            {"scope": scope, "key": key},
        ).fetchall()
        ids = [int(r[0]) for r in found]
        for old, created in [(int(r[0]), str(r[1])) for r in found[:-1]]:
            # Dated by the data: the later value's creation (not the upgrade's day).
            at = later_than(str(found[-1][1]), [created])
            conn.execute(
                "update memories set superseded_by = :by, superseded_at = :at where id = :id",
                {"by": ids[-1], "at": at, "id": old},
            )
            conn.execute(
                """insert into history (memory_id, action, at, client, detail)
                   values (:id, 'supersede', :now, 'migration', :detail)""",
                {"id": old, "now": now, "detail": json.dumps({"by": ids[-1], "why": "key"})},
            )
    for statement in STATEMENTS:
        conn.execute(statement)


_CURRENT = "forgotten_at is null and superseded_by is null"

STATEMENTS = [
    f"""
    create unique index memories_current_key on memories (scope, key)
    where key is not null and {_CURRENT}
    """,
    """
    create trigger memories_superseded_once before update of superseded_by on memories
    when old.superseded_by is not null and new.superseded_by is not old.superseded_by
        and new.superseded_by is not null
    begin
        select raise(abort, 'memory already superseded');
    end
    """,
    """
    create index memories_imported_from on memories (
        json_extract(metadata, '$.imported_from.format'),
        json_extract(metadata, '$.imported_from.id')
    ) where json_extract(metadata, '$.imported_from.format') is not null
    """,
]
