"""What a write decides from the stored rows, on the connection of its own transaction.

Every function here runs inside the write transaction of the write it decides, after that
transaction took the schema's write lock (base.PgBase._write): no other writer, in this
process or another replica, can change the rows it read before the write commits. The
unique index on current (scope, key) backs the one-current-value rule in the schema too.
"""

from collections.abc import Collection, Iterable
from typing import Any

from memory_mcp.errors import InvalidInput
from memory_mcp.policies.repeats import LASTING_KINDS, event_day
from memory_mcp.storage import replacement
from memory_mcp.storage.contract import NewRow
from memory_mcp.storage.postgres import history
from memory_mcp.storage.postgres.base import require_row
from memory_mcp.storage.postgres.db import Connection
from memory_mcp.storage.sources import origin
from memory_mcp.timestamps import later_than, parse_stored_time, stated, utc_now

CURRENT = "forgotten_at is null and superseded_by is null"
LASTING = ", ".join(f"'{kind}'" for kind in LASTING_KINDS)  # kinds whose dates part nothing


def same_event(day: str, m: str = "") -> str:
    """SQL: memory `m` (a table alias and its dot, or none) may be what a statement of event
    day `day` (an SQL expression) repeats: not an event of another day (policies.repeats)."""
    return f"""({day}::text is null or {m}occurred_at is null or {m}kind in ({LASTING})
         or left({m}occurred_at, 10) = {day})"""


# `where` tails shared with the reads of the same rows (reads.find_exact, current_for_key).
# Not an event of another day (policies.repeats); one of that day before an undated one.
# A keyed statement repeats the memory of its key, else an unkeyed one (which takes the key:
# policies.repeats.adopted), never a memory of another key.
REPEAT = f"""scope = %(scope)s and content_hash = %(hash)s and {CURRENT}
    and (%(key)s::text is null or key is null or key = %(key)s)
    and {same_event("%(day)s")}
    order by %(key)s::text is not null and key is null,
        %(day)s::text is not null and occurred_at is null, id
    limit 1"""
HOLDERS = f"""scope = %(scope)s and key = %(key)s and {CURRENT}
    and id is distinct from %(besides)s::bigint order by created_at, id"""


def visible_repeat(c: Connection, item: NewRow) -> Any:
    return c.execute(
        f"select * from memories where {REPEAT}",
        {"scope": item.scope, "hash": item.hashed(), "key": item.key,
         "day": event_day(item.occurred_at, item.kind)},
    ).fetchone()  # fmt: skip


def held_hashes(c: Connection, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Of the (scope, content hash) `pairs`, those a visible memory holds: one
    statement for a batch of insert_many, not a round trip a row. A row whose pair is
    neither held at the start of its transaction nor inserted by the batch since needs no
    `visible_repeat`: it would find nothing, since nothing insert_many does makes a memory
    visible again or changes its scope or text."""
    distinct = list(set(pairs))
    if not distinct:
        return set()
    rows = c.execute(
        f"""select distinct p.scope, p.hash
            from unnest(%(scopes)s::text[], %(hashes)s::text[]) as p(scope, hash)
            join memories m on m.scope = p.scope and m.content_hash = p.hash
            where m.{CURRENT.replace(" and ", " and m.")}""",
        {"scopes": [p[0] for p in distinct], "hashes": [p[1] for p in distinct]},
    ).fetchall()
    return {(row["scope"], row["hash"]) for row in rows}


def imported_before(c: Connection, item: NewRow) -> int | None:
    source = origin(item)
    return None if source is None else source_held(c, source)


def source_held(c: Connection, source: dict[str, str]) -> int | None:
    """The memory (forgotten ones too) whose `metadata.imported_from` is this source item."""
    row = c.execute(
        """select id from memories
           where (metadata -> 'imported_from' ->> 'format') = %s
             and (metadata -> 'imported_from' ->> 'id') = %s
           order by id limit 1""",
        (source["format"], source["id"]),
    ).fetchone()
    return None if row is None else int(row["id"])


def source_counted(c: Connection, source: dict[str, str], memory_id: int) -> bool:
    """Whether a sighting of `memory_id` was already counted for this source item."""
    row = c.execute(
        """select 1 as found from history where memory_id = %s
           and (detail -> 'source' ->> 'format') = %s
           and (detail -> 'source' ->> 'id') = %s limit 1""",
        (memory_id, source["format"], source["id"]),
    ).fetchone()
    return row is not None


def restored_before(c: Connection, item: NewRow) -> int | None:
    if item.id is not None:
        row = c.execute("select content from memories where id = %s", (item.id,)).fetchone()
        if row is not None and row["content"] == item.content:
            return item.id
    row = c.execute(
        """select id from memories where scope = %(scope)s and content_hash = %(hash)s
           and (%(created)s::text is null or created_at = %(created)s) order by id limit 1""",
        {"scope": item.scope, "hash": item.hashed(), "created": item.created_at},
    ).fetchone()
    return None if row is None else int(row["id"])


def id_taken(c: Connection, memory_id: int) -> bool:
    return c.execute("select 1 from memories where id = %s", (memory_id,)).fetchone() is not None


def replace_target(c: Connection, replaces: int, scope: str, by: Any = None) -> list[int]:
    """The memory a correction replaces ([] or [it]), if it still can be (sqlite's
    decisions.replace_target)."""
    row = require_row(c, replaces)
    if by is not None and row["superseded_by"] == by["id"]:
        return []  # the same correction again (a retry, a second writer): done already
    if row["superseded_by"] is not None:
        raise InvalidInput(
            f"Memory {replaces} was already replaced by {row['superseded_by']}; "
            f"replace that one instead."
        )
    if row["scope"] != scope:
        raise InvalidInput(
            f"Memory {replaces} is in scope {row['scope']!r}, not {scope!r}: a correction is "
            f"stored in the scope of the memory it corrects. Give scope={row['scope']!r} (or "
            f"leave scope out), or move memory {replaces} first."
        )
    return [replaces]


def key_holders(c: Connection, scope: str, key: str, besides: int | None = None) -> list[Any]:
    return c.execute(
        f"select * from memories where {HOLDERS}",
        {"scope": scope, "key": key, "besides": besides},
    ).fetchall()


def next_value(c: Connection, scope: str, key: str, created_at: str) -> Any:
    """SQLite's next_value: the key's value created next after `created_at`."""
    return c.execute(
        """select id, created_at from memories
           where scope = %s and key = %s and forgotten_at is null and created_at > %s
           order by created_at, id limit 1""",
        (scope, key, created_at),
    ).fetchone()


def previous_value(c: Connection, scope: str, key: str, created_at: str) -> Any:
    """SQLite's previous_value: the key's value created last before `created_at`, if it
    was still current then."""
    return c.execute(
        """select id from (
               select id, superseded_at from memories
               where scope = %(scope)s and key = %(key)s and forgotten_at is null
                 and created_at < %(created)s order by created_at desc, id desc limit 1
           ) p where p.superseded_at > %(created)s""",
        {"scope": scope, "key": key, "created": created_at},
    ).fetchone()


def gave_way_at(c: Connection, memory_id: int, moment: str, to: int, client: str | None) -> None:
    """SQLite's gave_way_at: a superseded value's end moved back to `moment`, on record."""
    row = require_row(c, memory_id)
    c.execute("update memories set superseded_at = %s where id = %s", (moment, memory_id))
    history.record(
        c, memory_id, "supersede", client, history.snapshot(row), by=row["superseded_by"],
        why="key", gave_way_to=to, superseded_at=moment, was=row["superseded_at"],
    )  # fmt: skip


def slot_times(c: Connection, scope: str, key: str | None, also: Iterable[int]) -> list[str]:
    """SQLite's slot_times: when the latest value of the key's slot (forgotten ones too)
    or corrected memory was created or last stated."""
    if key is None and not also:  # a plain memory: nothing to read
        return []
    row = c.execute(
        """select max(created_at) as created, max(last_seen_at) as seen from memories
           where (scope = %s and key = %s) or id = any(%s::bigint[])""",
        (scope, key, list(also)),
    ).fetchone()
    return [] if row is None else [t for t in (row["created"], row["seen"]) if t is not None]


def later(a: Any, b: Any) -> bool:
    """Whether row `a` was stated after row `b` (ties: the higher id)."""
    return (parse_stored_time(stated(a)), a["id"]) > (parse_stored_time(stated(b)), b["id"])


def supersede(
    c: Connection,
    old_ids: Iterable[int],
    new_id: int,
    client: str | None,
    *,
    at: str | None = None,
    **detail: Any,
) -> list[int]:
    """As sqlite/decisions.py's: `at`, when the successor became current (else now), never
    before a memory's own creation."""
    done: list[int] = []
    now = at or utc_now()
    for old_id in dict.fromkeys(old_ids):
        row = require_row(c, old_id)
        c.execute(
            "update memories set superseded_by = %s, superseded_at = %s where id = %s",
            (new_id, later_than(now, [row["created_at"]]), old_id),
        )
        history.record(c, old_id, "supersede", client, history.snapshot(row), by=new_id, **detail)
        done.append(old_id)
    return done


def reinstate(c: Connection, row: Any, client: str | None) -> bool:
    """Restore of a superseded memory (not forgotten): current again beside what replaced
    it, unless its key's slot holds another current value (replacement.reinstatable).
    Recorded as a `restore` naming what had superseded it (`by`)."""
    holders = [] if row["key"] is None else key_holders(c, row["scope"], row["key"], row["id"])
    if not replacement.reinstatable(row, holders):
        return False
    c.execute(
        "update memories set superseded_by = null, superseded_at = null where id = %(id)s",
        {"id": row["id"]},
    )
    # `was`: as_of still finds it superseded between then and now (filters.REINSTATED_SINCE)
    history.record(
        c, row["id"], "restore", client, by=row["superseded_by"], was=row["superseded_at"]
    )
    return True


def settle_key(c: Connection, row: Any, client: str | None, since: str | None = None) -> None:
    if row["key"] is None or row["superseded_by"] is not None or row["forgotten_at"] is not None:
        return
    holders = key_holders(c, row["scope"], row["key"], besides=row["id"])
    if not holders:
        return
    # As sqlite's: dated when the later-created one was, and for a move or a re-key not
    # before its moment (`since`).
    if later(holders[-1], row):
        newest = holders[-1]
        at = _not_before(stated(newest), since)
        supersede(c, [row["id"]], newest["id"], client, at=at, why="key")
    else:
        ids = [h["id"] for h in holders]
        supersede(c, ids, row["id"], client, at=_not_before(stated(row), since), why="key")


def _not_before(moment: str, since: str | None) -> str:
    """`moment`, or `since` if that is later."""
    if since is None or parse_stored_time(since) <= parse_stored_time(moment):
        return moment
    return since


def reinstate_replaced(
    c: Connection,
    gone: int,
    client: str | None,
    slot: tuple[str, str] | None = None,
    successor: int | None = None,
    ended: str | None = None,
) -> list[int]:
    """After `gone` is purged (or, with `slot`, left that scope and key), the memories it
    superseded (there) are current again unless their key's slot holds a later value, or
    else `gone` had a `successor`, which then supersedes them (sqlite/decisions.py, same
    rule and steps; `ended` too)."""
    where = "superseded_by = %s" + (" and scope = %s and key = %s" if slot else "")
    rows = c.execute(
        f"select * from memories where {where} order by created_at, id", (gone, *(slot or ()))
    ).fetchall()
    detail: dict[str, Any] = {"replacement_moved" if slot else "replaced_by_purged": gone}
    if successor is not None and not _exists(c, successor):
        successor = None  # a pointer left dangling by an older version: nothing to follow
    for row in rows:
        _rejoin(c, row, successor, client, detail)
        if ended is not None:
            _end_with(c, row["id"], ended, gone, client)
    return [int(row["id"]) for row in rows]


def _end_with(c: Connection, memory_id: int, ended: str, gone: int, client: str | None) -> None:
    """A memory current again once `gone`, which superseded it and expired at `ended`, is
    purged: it expires then too (unless it did before), an edit on record. Expiry said the
    key's value ended there, and the key showed none since: purging the expired value (as
    `purge --expired` does) brought the value it had replaced back as current."""
    row = require_row(c, memory_id)
    own = row["expires_at"]
    if row["superseded_by"] is not None or (
        own is not None and parse_stored_time(own) <= parse_stored_time(ended)
    ):
        return
    c.execute("update memories set expires_at = %s where id = %s", (ended, memory_id))
    after = history.snapshot(require_row(c, memory_id))
    history.record(c, memory_id, "edit", client, history.snapshot(row), after, expired_with=gone)


def leave_replacer(c: Connection, row: Any, along: Collection[int], client: str | None) -> None:
    """`row` (as it was) left its key's slot, where that slot's later value superseded it:
    a key has one current value per scope, so the value of a slot it is no longer in does
    not hide it. It joins its new slot as a restored memory does (the later-created one is
    current). Moved together with what superseded it (`along`), the two stay as they were."""
    by = row["superseded_by"]
    if by is None or by in along:
        return
    holder = c.execute("select scope, key from memories where id = %s", (by,)).fetchone()
    if holder is None or (holder["scope"], holder["key"]) != (row["scope"], row["key"]):
        return  # superseded from another slot (a correction): it goes where it goes
    _rejoin(c, require_row(c, row["id"]), None, client, {"left_replacement": by})


def _rejoin(
    c: Connection, row: Any, successor: int | None, client: str | None, detail: dict[str, Any]
) -> None:
    """`row` no longer superseded by what it was: superseded by its slot's later current
    value if there is one, else by `successor`, else current (what its slot held, older,
    then superseded by it)."""
    holders = [] if row["key"] is None else key_holders(c, row["scope"], row["key"], row["id"])
    target, why = successor, "replaces"
    if row["forgotten_at"] is None and holders and later(holders[-1], row):
        target, why = holders[-1]["id"], "key"
    # Dated as settle_key dates it: when the later-created of the two was created.
    if target is not None:
        _unlink(c, row["id"], hide=True)
        supersede(c, [row["id"]], target, client, at=stated_at(c, target), why=why)
        c.execute(
            "update memories set forgotten_at = %s where id = %s",
            (row["forgotten_at"], row["id"]),
        )
    else:
        if row["forgotten_at"] is None and holders:
            supersede(c, [h["id"] for h in holders], row["id"], client, at=stated(row), why="key")
        _unlink(c, row["id"], hide=False)
    # The moment it was superseded, as restore's undo of a replacement keeps it: as_of a
    # moment between that and now reads it as superseded then (filters.REINSTATED_SINCE), by
    # a replacement that moved away or was re-keyed. Not by one purged: erased, it never was.
    kept = row["superseded_at"] is not None and "replaced_by_purged" not in detail
    was = {"was": row["superseded_at"]} if kept else {}
    history.record(c, row["id"], "restore", client, None, None, **detail, **was)


def stated_at(c: Connection, memory_id: int) -> str:
    return stated(require_row(c, memory_id))


def _exists(c: Connection, memory_id: int) -> bool:
    return c.execute("select 1 from memories where id = %s", (memory_id,)).fetchone() is not None


def _unlink(c: Connection, memory_id: int, hide: bool) -> None:
    """No longer superseded; `hide`: forgotten meanwhile (it may not be current beside its
    key's holder), until the caller puts its own forgotten_at back."""
    forgotten = "coalesce(forgotten_at, %s)" if hide else "forgotten_at"
    c.execute(
        f"""update memories set superseded_by = null, superseded_at = null,
            forgotten_at = {forgotten} where id = %s""",
        (utc_now(), memory_id) if hide else (memory_id,),
    )
