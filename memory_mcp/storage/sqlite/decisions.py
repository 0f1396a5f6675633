"""What a write decides from the stored rows, on the connection of its own transaction.

Every function here runs inside the write transaction (BEGIN IMMEDIATE) of the write it
decides, so no other process can change the rows it read before that write lands: is the
row an exact repeat, who holds its key, can that memory still be replaced, was this import
item or exported row stored before. Settling a key (one current value per scope and key)
writes too, in the same transaction.
"""

import json
from collections.abc import Collection, Iterable
from typing import Any

from memory_mcp.errors import InvalidInput
from memory_mcp.policies.dedup import content_hash
from memory_mcp.policies.repeats import LASTING_KINDS, event_day
from memory_mcp.storage import replacement
from memory_mcp.storage.contract import NewRow
from memory_mcp.storage.sources import origin
from memory_mcp.storage.sqlite import history
from memory_mcp.storage.sqlite.base import require_row
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.storage.sqlite.runs import json_safe
from memory_mcp.timestamps import later_than, parse_stored_time, stated, utc_now

CURRENT = "forgotten_at is null and superseded_by is null"
LASTING = ", ".join(f"'{kind}'" for kind in LASTING_KINDS)  # kinds whose dates part nothing


def same_event(day: str, m: str = "") -> str:
    """SQL: memory `m` (a table alias and its dot, or none) may be what a statement of event
    day `day` (an SQL expression) repeats: not an event of another day (policies.repeats)."""
    return f"""({day} is null or {m}occurred_at is null or {m}kind in ({LASTING})
         or substr({m}occurred_at, 1, 10) = {day})"""


# `where` tails shared with the reads of the same rows (reads.find_exact, current_for_key).
# Not an event of another day (policies.repeats); one of that day before an undated one.
# A keyed statement repeats the memory of its key, else an unkeyed one (which takes the key:
# policies.repeats.adopted), never a memory of another key.
REPEAT = f"""scope = :scope and content_hash = :hash and {CURRENT}
    and (:key is null or key is null or key = :key)
    and {same_event(":day")}
    order by :key is not null and key is null, :day is not null and occurred_at is null, id
    limit 1"""
HOLDERS = f"""scope = :scope and key = :key and {CURRENT}
    and id is not :besides order by created_at, id"""


def visible_repeat(c: Connection, item: NewRow, digest: str | None = None) -> Any:
    """A visible memory in the item's scope with its normalised content (its hash `digest`,
    if known; and its key, when it has one; no event of another day), the oldest first;
    None if there is none."""
    return c.execute(
        f"select * from memories where {REPEAT}",
        {"scope": item.scope, "hash": digest or content_hash(item.content), "key": item.key,
         "day": event_day(item.occurred_at, item.kind)},
    ).fetchone()  # fmt: skip


def held_hashes(c: Connection, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Of the (scope, content hash) `pairs`, those a visible memory holds: one
    statement for a batch of insert_many, where a look-up a row cost about a tenth of
    storing it. A row whose pair is neither held at the start of its transaction nor
    inserted by the batch since needs no `visible_repeat`: it would find nothing, since
    nothing insert_many does makes a memory visible again or changes its scope or text.
    A scope JSON could not carry as it is (a lone surrogate) is counted held: looked up."""
    distinct = set(pairs)
    plain = [pair for pair in distinct if json_safe(pair)]
    rows = c.execute(
        # json_each first (cross join keeps it outer): one index probe a pair
        f"""select distinct p.value ->> 0, p.value ->> 1
            from json_each(:pairs) p cross join memories m
            on m.scope = p.value ->> 0 and m.content_hash = p.value ->> 1
            where m.{CURRENT.replace(" and ", " and m.")}""",
        {"pairs": json.dumps(plain)},
    ).fetchall()
    return {(row[0], row[1]) for row in rows} | (distinct - set(plain))


def imported_before(c: Connection, item: NewRow) -> int | None:
    """The memory that already holds the source item named by `metadata.imported_from`."""
    source = origin(item)
    return None if source is None else source_held(c, source)


def source_held(c: Connection, source: dict[str, str]) -> int | None:
    """The memory (forgotten ones too) whose `metadata.imported_from` is this source item."""
    row = c.execute(
        """select id from memories
           where json_extract(metadata, '$.imported_from.format') = :format
             and json_extract(metadata, '$.imported_from.id') = :id
           order by id limit 1""",
        {"format": source["format"], "id": source["id"]},
    ).fetchone()
    return None if row is None else int(row[0])


def source_counted(c: Connection, source: dict[str, str], memory_id: int) -> bool:
    """Whether a sighting of `memory_id` was already counted for this source item."""
    return (
        c.execute(
            """select 1 from history where memory_id = :memory_id
               and json_extract(detail, '$.source.format') = :format
               and json_extract(detail, '$.source.id') = :id limit 1""",
            {"memory_id": memory_id, **source},
        ).fetchone()
        is not None
    )


def restored_before(c: Connection, item: NewRow, digest: str | None = None) -> int | None:
    """The memory an exported row became on an earlier import (or was all along): its own id
    with the same content, else the same normalised content (its hash `digest`, if known)
    and creation time in its scope."""
    if item.id is not None:
        row = c.execute("select content from memories where id = :id", {"id": item.id}).fetchone()
        if row is not None and row["content"] == item.content:
            return item.id
    row = c.execute(
        """select id from memories where scope = :scope and content_hash = :hash
           and (:created is null or created_at = :created) order by id limit 1""",
        {
            "scope": item.scope,
            "hash": digest or content_hash(item.content),
            "created": item.created_at,
        },  # fmt: skip
    ).fetchone()
    return None if row is None else int(row[0])


def id_taken(c: Connection, memory_id: int) -> bool:
    return (
        c.execute("select 1 from memories where id = :id", {"id": memory_id}).fetchone() is not None
    )


def replace_target(c: Connection, replaces: int, scope: str, by: Any = None) -> list[int]:
    """The memory a correction replaces ([] or [it]), if it still can be: it exists, nothing
    replaced it yet, and it lives in the correction's scope. `by`: the stored row the
    correction repeats, if any; what that one replaced already is done, not refused."""
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
    """The current (visible, unsuperseded) rows holding (scope, key), oldest first."""
    return c.execute(
        f"select * from memories where {HOLDERS}",
        {"scope": scope, "key": key, "besides": besides},
    ).fetchall()


def next_value(c: Connection, scope: str, key: str, created_at: str) -> Any:
    """The key's value created next after `created_at` (forgotten ones aside): what an older
    value written now (an import) gave way to, and when; None when none is later."""
    return c.execute(
        """select id, created_at from memories
           where scope = :scope and key = :key and forgotten_at is null
             and created_at > :created order by created_at, id limit 1""",
        {"scope": scope, "key": key, "created": created_at},
    ).fetchone()


def previous_value(c: Connection, scope: str, key: str, created_at: str) -> Any:
    """The key's value created last before `created_at` (forgotten ones aside) if it was
    still current then (superseded later: by a value created after `created_at`), else None:
    what an older value written now (an import) supersedes, as of its own creation."""
    return c.execute(
        """select id from (
               select id, superseded_at from memories
               where scope = :scope and key = :key and forgotten_at is null
                 and created_at < :created order by created_at desc, id desc limit 1
           ) where superseded_at > :created""",
        {"scope": scope, "key": key, "created": created_at},
    ).fetchone()


def gave_way_at(c: Connection, memory_id: int, moment: str, to: int, client: str | None) -> None:
    """Move a superseded value's end back to `moment`: an older value imported after it was
    superseded (`to`) fell between it and its successor, and is the current one from `moment`
    on. On record as a `supersede` entry (its successor stays; `was`: the end it had)."""
    row = require_row(c, memory_id)
    c.execute(
        "update memories set superseded_at = :at where id = :id", {"at": moment, "id": memory_id}
    )
    history.record(
        c, memory_id, "supersede", client, history.snapshot(row), by=row["superseded_by"],
        why="key", gave_way_to=to, superseded_at=moment, was=row["superseded_at"],
    )  # fmt: skip


def slot_times(c: Connection, scope: str, key: str | None, also: Iterable[int]) -> list[str]:
    """When the latest of the memories a new one may supersede was created or last stated
    (a repeat: `later` compares these): the values its key's slot held (forgotten ones too:
    a restore compares with them) and the memories it corrects; none when there are none."""
    if key is None and not also:  # a plain memory: nothing to read
        return []
    row = c.execute(
        """select max(created_at), max(last_seen_at) from memories
           where (scope = :scope and key = :key) or id in (select value from json_each(:also))""",
        {"scope": scope, "key": key, "also": json.dumps(list(also))},
    ).fetchone()
    return [t for t in row or () if t is not None]  # none: no such memory, or never repeated


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
    """Mark memories superseded by `new_id`, each with its history entry. `at`: when the
    successor became current (its own creation: an insert's time, later than the clock
    after it stepped back; a restored, moved or re-keyed value's), so as_of finds one of the
    two current at every moment; else now. Never before a memory's own creation (a clock
    stepped back): it was current once."""
    done: list[int] = []
    now = at or utc_now()
    for old_id in dict.fromkeys(old_ids):
        row = require_row(c, old_id)
        c.execute(
            "update memories set superseded_by = :new, superseded_at = :now where id = :old",
            {"new": new_id, "now": later_than(now, [row["created_at"]]), "old": old_id},
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
        "update memories set superseded_by = null, superseded_at = null where id = :id",
        {"id": row["id"]},
    )
    # `was`: as_of still finds it superseded between then and now (filters.REINSTATED_SINCE)
    history.record(
        c, row["id"], "restore", client, by=row["superseded_by"], was=row["superseded_at"]
    )
    return True


def settle_key(c: Connection, row: Any, client: str | None, since: str | None = None) -> None:
    """Before `row` becomes current under its (scope, key) (restored, moved, re-keyed): the
    later-created of it and the current holder stays current, the other is superseded by it.
    `row` may carry the scope and key it is about to get."""
    if row["key"] is None or row["superseded_by"] is not None or row["forgotten_at"] is not None:
        return
    holders = key_holders(c, row["scope"], row["key"], besides=row["id"])
    if not holders:
        return
    # Dated when the later-created one was: the moment as_of takes it as the slot's value;
    # for a move or a re-key (`since`: its moment, the history entry's), not before it, when
    # the two first shared the slot (as_of reads the scope and key each had then).
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
    """After `gone` is purged, the memories it superseded: a pointer to a deleted memory
    would hide them for good (and an export would not say what the database does). Each is
    current again, unless its key's slot holds a later current value, which then supersedes
    it instead (a chain a -> gone -> d becomes a -> d). With `slot` (scope, key): `gone`
    left that slot (moved or re-keyed), and only what it superseded there comes back (a key
    has one current value per scope: one elsewhere says nothing of this scope's). Without such
    a value, what superseded `gone` (its `successor`, read before the purge) supersedes them:
    `replaces` corrected a -> gone -> d, and purging the middle correction must not bring the
    first, twice corrected, back as current beside d. `ended`: `gone` had expired then (see
    _end_with)."""
    where = "superseded_by = :gone" + (" and scope = :scope and key = :key" if slot else "")
    scope, key = slot or (None, None)
    rows = c.execute(
        f"select * from memories where {where} order by created_at, id",
        {"gone": gone, "scope": scope, "key": key},
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
    c.execute("update memories set expires_at = :at where id = :id", {"at": ended, "id": memory_id})
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
    holder = c.execute("select scope, key from memories where id = :id", {"id": by}).fetchone()
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
        # superseded_by changes only from null (a trigger), and the row may not be
        # current beside the holder (the key's index): step through forgotten.
        _unlink(c, row["id"], hide=True)
        supersede(c, [row["id"]], target, client, at=stated_at(c, target), why=why)
        _set_forgotten_at(c, row["id"], row["forgotten_at"])
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
    found = c.execute("select 1 from memories where id = :id", {"id": memory_id}).fetchone()
    return found is not None


def _unlink(c: Connection, memory_id: int, hide: bool) -> None:
    """No longer superseded; `hide`: forgotten meanwhile (it may not be current beside its
    key's holder), until the caller puts its own forgotten_at back."""
    forgotten = "coalesce(forgotten_at, :now)" if hide else "forgotten_at"
    c.execute(
        f"""update memories set superseded_by = null, superseded_at = null,
            forgotten_at = {forgotten} where id = :id""",
        {"id": memory_id, "now": utc_now()},
    )


def _set_forgotten_at(c: Connection, memory_id: int, value: str | None) -> None:
    c.execute(
        "update memories set forgotten_at = :at where id = :id", {"at": value, "id": memory_id}
    )
