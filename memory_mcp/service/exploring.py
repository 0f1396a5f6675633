"""A session's exploration events across its captures (a Stop hook captures after every
turn): which new ones to store, each in one of the session's episodes.MAX_EXPLORED slots,
and the alike count and last sighting of those stored before (service/capture.py).

A slot is the event's source id, `<session>:slot:<n>` (the request it tells of is in its
metadata, `request`): the import path stores a source id once, deciding inside its write's
transaction, so two captures at once that put two events in one slot store one, and the
session never holds more than the cap. A stronger request takes a weaker one's slot: the
weaker one gives its slot up (its source id renamed) and is forgotten, with a reason
(`memory-mcp restore` brings it back: nothing is lost).
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from memory_mcp.errors import Changed, MemoryMCPError
from memory_mcp.formats.common import Record
from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.names import strip_invisible
from memory_mcp.policies import episodes
from memory_mcp.service.lifecycle import Lifecycle
from memory_mcp.storage.contract import Storage

ALIKE = "alike"  # in an event's metadata: the requests it stands for
LAST_SEEN = "last_seen"  # …and when the last of them was made
REQUEST = "request"  # …and the source id of the request it tells of
EXACT_UNTIL = 20  # alike requests counted one by one; past it, in steps of a tenth
DISPLACED = "A more informative request of the same session took its place."
_SLOT = ":slot:"
_MAX_READ = 10_000  # the project's exploration events since the session began, read to plan


@dataclass(frozen=True)
class Recount:
    memory: Memory
    record: Record
    count: int
    last: datetime | None


@dataclass(frozen=True)
class Chosen:
    """The new events to store (in their slots, folded), the stored ones to recount, those
    giving up their slot, and the forgotten ones still holding a slot a new one takes."""

    store: list[Record]
    recount: list[Recount]
    displace: list[Memory]
    release: list[Memory]


def choose(
    store: Storage,
    scope: str,
    sid: str,
    events: list[Record],
    worths: dict[str, tuple[bool, int]],
    before: set[str],
    since: datetime | None,
) -> Chosen:
    """What this capture does with the session's exploration `events` (in order), given the
    source ids stored before (`before`) and the events as stored now."""
    stored = _events_since(store, scope, since)
    told = {_request(m): m for m in stored}  # any session's (a resumed one holds copies)
    mine = [m for m in stored if m.metadata.get("session") == sid]
    current = {_request(m): m for m in mine if m.forgotten_at is None and not m.superseded_by}
    requests = {r.source_id for r in events}
    held = {n: episodes.Held(_slot(current[r.source_id], sid)) for n, r in enumerate(events)
            if r.source_id in current}  # fmt: skip
    done = {n for n, r in enumerate(events)
            if (r.source_id in before or r.source_id in told) and n not in held}  # fmt: skip
    elsewhere = [episodes.Held(_slot(m, sid)) for s, m in current.items() if s not in requests]
    plan = episodes.plan(
        [r.content for r in events], [worths[r.source_id] for r in events], held, done,
        elsewhere,
    )  # fmt: skip
    chosen = []
    for n, (count, slot, last) in plan.store.items():
        record = events[n]
        metadata: dict[str, Any] = {**record.metadata, REQUEST: record.source_id}
        if count > 1:
            metadata |= {ALIKE: count, LAST_SEEN: _when(events[last].occurred_at)}
        content = episodes.folded(record.content, count)
        chosen.append(replace(
            record, content=content, metadata=metadata, source_id=f"{sid}{_SLOT}{slot}"
        ))  # fmt: skip
    recount = [
        Recount(current[events[n].source_id], events[n], count, events[last].occurred_at)
        for n, (count, last) in plan.recount.items()
    ]
    slots = {_slot(m, sid): m for m in current.values()}
    # A forgotten (or superseded) event keeps its slot's source id, which the import path
    # stores once: the slot is free to the plan, so its holder gives the id up first
    dead = {_slot(m, sid): m for m in mine if m.forgotten_at is not None or m.superseded_by}
    release = [dead[slot] for _, slot, _ in plan.store.values() if slot in dead]
    return Chosen(chosen, recount, [slots[slot] for slot in sorted(plan.displaced)], release)


def displace(lifecycle: Lifecycle, memory: Memory, client: str) -> None:
    """A stored event gives its slot up for a stronger one (release), then is forgotten
    with the reason."""
    if release(lifecycle, memory, client):
        lifecycle.forget([memory.id], DISPLACED, client)


def release(lifecycle: Lifecycle, memory: Memory, client: str) -> bool:
    """An event gives its slot up: its source id renamed, so the slot can be stored again.
    Refused (False), and the slot left to it, when another write changed it since it was
    read (the new one then finds the slot taken and is not stored)."""
    origin = dict(memory.metadata.get("imported_from") or {})
    origin["id"] = f"{origin.get('id')}:gave-up-for:{memory.id}"
    try:
        lifecycle.update(
            memory.id, metadata={**memory.metadata, "imported_from": origin}, client=client,
            unchanged_since=memory.changed_at,
        )  # fmt: skip
    except MemoryMCPError:  # Changed, or gone
        return False
    return True


def recount(lifecycle: Lifecycle, item: Recount, client: str) -> bool:
    """The stored event's text and metadata saying how many alike requests it stands for and
    when the last was made, in one write (refused, and left to the next capture, when another
    write changed it since it was read); False when it already says so."""
    if not needs_recount(item):
        return False
    memory, count = item.memory, item.count
    metadata = {**memory.metadata, ALIKE: count, LAST_SEEN: _when(item.last)}
    content: str | None = strip_invisible(episodes.folded(item.record.content, count))
    if not _own_text(lifecycle, memory, client):  # the user's edit (or scrub) stays as it is
        content = None
    try:
        lifecycle.update(
            memory.id, content=content, metadata=metadata, client=client,
            unchanged_since=memory.changed_at,
        )  # fmt: skip
    except Changed:  # another capture of the session wrote it meanwhile: the next one counts
        return False
    return True


def _own_text(lifecycle: Lifecycle, memory: Memory, client: str) -> bool:
    """Whether the event's text is still one a capture wrote: the last change of its text
    (its history, newest first) was made by `client`, not by someone's edit or scrub."""
    for entry in lifecycle.history(memory.id, limit=50):
        before, after = entry.before or {}, entry.after or {}
        if entry.before is None or before.get("content") != after.get("content"):
            return entry.client == client
    return True


def needs_recount(item: Recount) -> bool:
    """Whether `recount` would write (the model is loaded only then): for each new alike
    request while the count is under EXACT_UNTIL, then once it grew by a tenth. Each write
    is an edit in the event's history: a 30,000-request session captured after every turn
    wrote 30,000 of them; so it writes about a hundred, and the count is never more than a
    tenth behind."""
    stored = item.memory.metadata.get(ALIKE)
    stored = stored if isinstance(stored, int) and not isinstance(stored, bool) else 1
    if item.count <= stored:
        return False
    return stored < EXACT_UNTIL or item.count - stored >= stored // 10


def _events_since(store: Storage, scope: str, since: datetime | None) -> list[Memory]:
    flt = MemoryFilter(
        scopes=[scope], kind="event", tags=["captured", "explored"], include_superseded=True,
        include_forgotten=True, since=None if since is None else since - timedelta(seconds=1),
    )  # fmt: skip
    return store.find(flt, limit=_MAX_READ)


def _origin(memory: Memory) -> str | None:
    origin = memory.metadata.get("imported_from")
    found = origin.get("id") if isinstance(origin, dict) else None
    return found if isinstance(found, str) else None


def _request(memory: Memory) -> str | None:
    """The source id of the request an event tells of (before slots: its own source id)."""
    request = memory.metadata.get(REQUEST)
    return request if isinstance(request, str) else _origin(memory)


def _slot(memory: Memory, sid: str) -> int | None:
    """The slot an event holds (None: stored before events had one)."""
    head, sep, tail = (_origin(memory) or "").rpartition(_SLOT)
    return int(tail) if sep and head == sid and tail.isdigit() else None


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
