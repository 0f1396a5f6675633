"""A session's exploration events across its captures (a Stop hook captures after every
turn): which new ones to store, each in one of the session's episodes.MAX_EXPLORED slots,
and the alike count and last sighting of those stored before (service/capture.py).

A slot is a key, `session.<id>.explored.<n>`, so the storage's rule of one current value
per key keeps the cap inside each write's transaction: two captures at once that put two
events in one slot leave one current, the other superseded by it. A stronger event takes a
weaker one's slot the same way, and the weaker one stays, superseded (nothing is lost).
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from memory_mcp.errors import Changed
from memory_mcp.formats.common import Record
from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.names import MAX_KEY_CHARS, strip_invisible
from memory_mcp.policies import episodes
from memory_mcp.policies.keys import key_form
from memory_mcp.service.lifecycle import Lifecycle
from memory_mcp.storage.contract import Storage

ALIKE = "alike"  # in an event's metadata: the requests it stands for
LAST_SEEN = "last_seen"  # …and when the last of them was made
_SLOT = ".explored."
_MAX_READ = 10_000  # a session's events, displaced ones included, read to plan a capture


@dataclass(frozen=True)
class Recount:
    memory: Memory
    record: Record
    count: int
    last: datetime | None


@dataclass(frozen=True)
class Chosen:
    """The new events to store (keyed, folded) and the stored ones to recount."""

    store: list[Record]
    recount: list[Recount]


def choose(
    store: Storage,
    scope: str,
    sid: str,
    events: list[Record],
    worths: dict[str, tuple[bool, int]],
    before: set[str],
    since: datetime | None,
) -> Chosen:
    """What this capture stores of the session's exploration `events` (in order), given
    those stored before (`before`: source ids) and the session's events as stored now."""
    stored = _session_events(store, scope, sid, since)
    current = {_source(m): m for m in stored if m.forgotten_at is None and not m.superseded_by}
    mine = {r.source_id for r in events}
    held = {n: episodes.Held(_slot(current[r.source_id])) for n, r in enumerate(events)
            if r.source_id in current}  # fmt: skip
    taken = before | {_source(m) for m in stored} - {None}
    done = {n for n, r in enumerate(events) if r.source_id in taken and n not in held}
    elsewhere = [episodes.Held(_slot(m)) for s, m in current.items() if s not in mine]
    plan = episodes.plan(
        [r.content for r in events], [worths[r.source_id] for r in events], held,
        done - set(held), elsewhere,
    )  # fmt: skip
    chosen = []
    for n, (count, slot, last) in plan.store.items():
        record = events[n]
        metadata: dict[str, Any] = dict(record.metadata)
        if count > 1:
            metadata |= {ALIKE: count, LAST_SEEN: _when(events[last].occurred_at)}
        content = episodes.folded(record.content, count)
        chosen.append(replace(record, content=content, metadata=metadata, key=_key(sid, slot)))
    recount = [
        Recount(current[events[n].source_id], events[n], count, events[last].occurred_at)
        for n, (count, last) in plan.recount.items()
    ]
    return Chosen(chosen, recount)


def recount(lifecycle: Lifecycle, item: Recount, client: str) -> bool:
    """The stored event's text and metadata saying how many alike requests it stands for and
    when the last was made, in one write (refused, and left to the next capture, when another
    write changed it since it was read); False when it already says so."""
    memory, count = item.memory, item.count
    metadata = dict(memory.metadata)
    if count > 1:
        metadata |= {ALIKE: count, LAST_SEEN: _when(item.last)}
    content = strip_invisible(episodes.folded(item.record.content, count))
    if count <= 1 or (content == memory.content and metadata == memory.metadata):
        return False
    try:
        lifecycle.update(
            memory.id, content=content, metadata=metadata, client=client,
            unchanged_since=memory.changed_at,
        )  # fmt: skip
    except Changed:  # another capture of the session wrote it meanwhile: the next one counts
        return False
    return True


def needs_recount(item: Recount) -> bool:
    """Whether `recount` would write (the model is loaded only then)."""
    wanted = {ALIKE: item.count, LAST_SEEN: _when(item.last)}
    return item.count > 1 and any(item.memory.metadata.get(k) != v for k, v in wanted.items())


def _session_events(store: Storage, scope: str, sid: str, since: datetime | None) -> list[Memory]:
    flt = MemoryFilter(
        scopes=[scope], kind="event", tags=["captured", "explored"], include_superseded=True,
        since=None if since is None else since - timedelta(seconds=1),
    )  # fmt: skip
    return [m for m in store.find(flt, limit=_MAX_READ) if m.metadata.get("session") == sid]


def _source(memory: Memory) -> str | None:
    origin = memory.metadata.get("imported_from")
    found = origin.get("id") if isinstance(origin, dict) else None
    return found if isinstance(found, str) else None


def _slot(memory: Memory) -> int | None:
    """The slot an event holds (None: stored before events had one)."""
    head, sep, tail = (memory.key or "").rpartition(_SLOT)
    return int(tail) if sep and tail.isdigit() else None


def _key(sid: str, slot: int) -> str:
    suffix = f"{_SLOT}{slot}"
    return key_form(f"session.{sid}")[: MAX_KEY_CHARS - len(suffix)] + suffix


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
