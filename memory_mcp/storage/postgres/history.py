"""The audit trail on PostgreSQL: every mutation, when, by which client, before and after.

Rows are written inside the transaction of the change they describe; purge erases what they
said, scrub replaces one string in them (memory_mcp/storage/sqlite/history.py, the same rules).
"""

from collections.abc import Callable, Sequence
from typing import Any

from memory_mcp.models import HistoryEntry
from memory_mcp.storage.audit import ACTIONS, SCRUBBED_COLUMNS, SNAPSHOT_FIELDS, names_then
from memory_mcp.storage.contract import acting_principal
from memory_mcp.storage.postgres.base import as_json
from memory_mcp.storage.postgres.db import Connection
from memory_mcp.timestamps import utc_now


def snapshot(row: Any) -> dict[str, Any]:
    """The fields a person would want to compare before and after a change."""
    snap = {name: row[name] for name in SNAPSHOT_FIELDS}
    snap["tags"] = list(snap["tags"])
    snap["metadata"] = dict(snap["metadata"])
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
        values (%s, %s, %s, %s, %s, %s, %s, %s)
        """,
        (
            memory_id,
            action,
            when or utc_now(),
            client,
            None if before is None else as_json(before),
            None if after is None else as_json(after),
            as_json(detail),
            acting_principal(),
        ),
    )


def erase(c: Connection, memory_id: int, by: str) -> None:
    """Drop every before/after/detail of a memory's history: `{"erased": by}` is all it says."""
    c.execute(
        "update history set before = null, after = null, detail = %s where memory_id = %s",
        (as_json({"erased": by}), memory_id),
    )


def scrub(c: Connection, memory_id: int, erase: Callable[[Any], Any]) -> int:
    """`erase` (audit.Erasure.in_record) applied to every column of a memory's history that
    says what it held; the entries it changed."""
    changed = 0
    rows = c.execute(
        "select id, before, after, detail from history where memory_id = %s", (memory_id,)
    ).fetchall()
    for row in rows:
        old = {k: row[k] for k in SCRUBBED_COLUMNS}
        new = {k: erase(v) for k, v in old.items()}
        if new != old:
            c.execute(
                "update history set before = %s, after = %s, detail = %s where id = %s",
                (
                    *(None if new[k] is None else as_json(new[k]) for k in SCRUBBED_COLUMNS),
                    row["id"],
                ),
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
        else "and exists (select 1 from memories m where m.id = history.memory_id"
        " and m.scope = any(%(scopes)s))"
    )
    rows = c.execute(
        f"""
        select * from history
        where (%(memory_id)s::bigint is null or memory_id = %(memory_id)s)
          and (%(before_id)s::bigint is null or id < %(before_id)s)
          and (%(by)s::text is null or principal = %(by)s) {in_scopes}
        order by id desc limit %(limit)s
        """,
        {
            "memory_id": memory_id,
            "limit": limit,
            "before_id": before_id,
            "by": by,
            "scopes": list(scopes or []),
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
            before=r["before"],
            after=r["after"],
            detail=r["detail"],
        )
        for r in rows
    ]


# The first snapshot with a scope after each (memory, entry) pair, by the (memory_id, id) index.
SCOPES_AFTER = """
    select pair.entry, (
        select coalesce(
            case when json_typeof(h.before -> 'scope') = 'string' then h.before ->> 'scope' end,
            h.after ->> 'scope')
        from history h
        where h.memory_id = pair.memory_id and h.id > pair.entry
          and json_typeof(h.before -> 'scope') = 'string'
        order by h.id limit 1  -- over history_scoped (step 17): its predicate, word for word
    ) as scope
    from unnest(%(memories)s::bigint[], %(entries)s::bigint[]) as pair(memory_id, entry)
"""


def scopes_after(c: Connection, entries: Sequence[tuple[int, int]]) -> dict[int, str]:
    """Storage.scopes_after."""
    if not entries:
        return {}
    params = {"memories": [m for m, _ in entries], "entries": [e for _, e in entries]}
    rows = c.execute(SCOPES_AFTER, params).fetchall()
    return {int(r["entry"]): r["scope"] for r in rows if isinstance(r["scope"], str)}


# sqlite's history.NAMES_AT.
NAMES_AT = """
    select i as id, (
        select h.before::text from history h
        where h.memory_id = i and h.at > %(at)s
          and json_typeof(h.before -> 'scope') = 'string'
        order by h.id limit 1
    ) as before
    from unnest(%(ids)s::bigint[]) i
"""


def names_at(c: Connection, ids: Sequence[int], at: str) -> dict[int, tuple[str, str | None]]:
    """Storage.names_at."""
    if not ids:
        return {}
    rows = c.execute(NAMES_AT, {"ids": list(ids), "at": at}).fetchall()
    return names_then((int(r["id"]), r["before"]) for r in rows)
