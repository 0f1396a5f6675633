"""The audit trail: every mutation, when, by which client, before and after.

Rows are written by the store inside the same transaction as the change they describe. A
purge keeps them (when, which client, what action) but erases what they said the memory
held; a scrub replaces one string in them. Nothing else rewrites them.
"""

import json
from collections.abc import Callable, Sequence
from typing import Any

from memory_mcp.models import HistoryEntry
from memory_mcp.storage.audit import ACTIONS, SCRUBBED_COLUMNS, SNAPSHOT_FIELDS, names_then
from memory_mcp.storage.contract import acting_principal
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.timestamps import utc_now


def snapshot(row: Any) -> dict[str, Any]:
    """The fields a person would want to compare before and after a change."""
    snap = {name: row[name] for name in SNAPSHOT_FIELDS}
    snap["tags"] = json.loads(snap["tags"])
    snap["metadata"] = json.loads(snap["metadata"])
    return snap


def record(
    c: Connection,
    memory_id: int,
    action: str,
    client: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    when: str | None = None,
    **detail: Any,
) -> None:
    """One entry of `memory_id`'s history, at `when` (default: now)."""
    assert action in ACTIONS, action
    c.execute(
        """
        insert into history (memory_id, action, at, client, before, after, detail, principal)
        values (:memory_id, :action, :at, :client, :before, :after, :detail, :principal)
        """,
        {
            "principal": acting_principal(),
            "memory_id": memory_id,
            "action": action,
            "at": when or utc_now(),
            "client": client,
            "before": None if before is None else json.dumps(before),
            "after": None if after is None else json.dumps(after),
            "detail": json.dumps(detail, default=str),
        },
    )


def record_created(
    c: Connection, created: Sequence[tuple[int, dict[str, Any]]], action: str, client: str | None
) -> None:
    """record(memory_id, action, client, after=snapshot) for each of rows written together
    (runs.py), by one prepared statement run over them, at one time."""
    assert action in ACTIONS, action
    at, principal = utc_now(), acting_principal()
    c.executemany(
        "insert into history (memory_id, action, at, client, after, detail, principal) "
        "values (?, ?, ?, ?, ?, '{}', ?)",
        [(i, action, at, client, json.dumps(after), principal) for i, after in created],
    )


def erase(c: Connection, memory_id: int, by: str) -> None:
    """Drop every before/after/detail of a memory's history: `{"erased": by}` is all it says."""
    # Deleted and inserted again under the same ids, not updated in place: a delete lets
    # SQLite merge the pages it leaves underfull, so the room the text took is freed.
    kept = c.execute(
        "select id, memory_id, action, at, client, principal from history where memory_id = :id",
        {"id": memory_id},
    ).fetchall()
    c.execute("delete from history where memory_id = :id", {"id": memory_id})
    marker = json.dumps({"erased": by})
    c.executemany(
        "insert into history (id, memory_id, action, at, client, principal, detail) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        [(*row, marker) for row in kept],
    )


def scrub(c: Connection, memory_id: int, erase: Callable[[Any], Any]) -> int:
    """`erase` (audit.Erasure.in_record) applied to every column of a memory's history that
    says what it held; the entries it changed."""
    changed = 0
    rows = c.execute(
        "select id, before, after, detail from history where memory_id = :id", {"id": memory_id}
    ).fetchall()
    for row in rows:
        old = {k: None if row[k] is None else json.loads(row[k]) for k in SCRUBBED_COLUMNS}
        new = {k: erase(v) for k, v in old.items()}
        if new != old:
            c.execute(
                "update history set before = :before, after = :after, detail = :detail "
                "where id = :id",
                {k: None if v is None else json.dumps(v) for k, v in new.items()} | {"id": row[0]},
            )
            changed += 1
    return changed


def entries(
    c: Connection,
    memory_id: int | None = None,
    limit: int = 50,
    before_id: int | None = None,
    by: str | None = None,
    scopes: Sequence[str] | None = None,
) -> list[HistoryEntry]:
    """Newest first; one memory's trail, or the whole log; by a principal; in scopes."""
    in_scopes = (
        ""
        if scopes is None
        else """and memory_id in (select m.id from memories m
                where m.scope in (select value from json_each(:scopes)))"""
    )
    rows = c.execute(
        f"""
        select * from history
        where (:memory_id is null or memory_id = :memory_id)
          and (:before_id is null or id < :before_id)
          and (:by is null or principal = :by) {in_scopes}
        order by id desc limit :limit
        """,
        {
            "memory_id": memory_id,
            "limit": limit,
            "before_id": before_id,
            "by": by,
            "scopes": json.dumps(list(scopes or [])),
        },
    ).fetchall()
    return [
        HistoryEntry(
            id=r["id"],
            memory_id=r["memory_id"],
            action=r["action"],
            at=r["at"],
            client=r["client"],
            principal=r["principal"],
            before=None if r["before"] is None else json.loads(r["before"]),
            after=None if r["after"] is None else json.loads(r["after"]),
            detail=json.loads(r["detail"]),
        )
        for r in rows
    ]


# The first snapshot with a scope after each (memory, entry) pair, by the (memory_id, id) index.
SCOPES_AFTER = """
    select pair.value ->> 1 as entry, (
        select coalesce(
            case when json_type(h.before, '$.scope') = 'text'
                 then json_extract(h.before, '$.scope') end,
            json_extract(h.after, '$.scope'))
        from history h
        where h.memory_id = pair.value ->> 0 and h.id > pair.value ->> 1
          and (json_type(h.before, '$.scope') = 'text' or json_type(h.after, '$.scope') = 'text')
        order by h.id limit 1  -- over history_scoped (step 17): its predicate, word for word
    ) as scope
    from json_each(:pairs) pair
"""


def scopes_after(c: Connection, entries: Sequence[tuple[int, int]]) -> dict[int, str]:
    """Storage.scopes_after."""
    if not entries:
        return {}
    rows = c.execute(SCOPES_AFTER, {"pairs": json.dumps([list(p) for p in entries])})
    return {int(r["entry"]): r["scope"] for r in rows if isinstance(r["scope"], str)}


# The first change of each memory after a moment whose `before` holds a scope: that snapshot.
NAMES_AT = """
    select ids.value as id, (
        select json(h.before) from history h
        where h.memory_id = ids.value and h.at > :at
          and (json_type(h.before, '$.scope') = 'text' or json_type(h.after, '$.scope') = 'text')
          and json_type(h.before, '$.scope') = 'text'  -- (not a creation, recorded after it)
        order by h.id limit 1  -- over history_scoped (step 17): its predicate, word for word
    ) as before
    from json_each(:ids) ids
"""


def names_at(c: Connection, ids: Sequence[int], at: str) -> dict[int, tuple[str, str | None]]:
    """Storage.names_at."""
    if not ids:
        return {}
    rows = c.execute(NAMES_AT, {"ids": json.dumps(list(ids)), "at": at}).fetchall()
    return names_then((int(r["id"]), r["before"]) for r in rows)
