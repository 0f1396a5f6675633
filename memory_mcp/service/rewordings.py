"""A write's near-duplicate search: the stored memory a text only rewords, and which of two
rewordings folds into the other."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.policies import dedup as dedup_module
from memory_mcp.policies.budget import snippet
from memory_mcp.policies.repeats import event_day, same_event
from memory_mcp.policies.updates import change_floor, may_list, standing, standing_kind
from memory_mcp.remembered import Similar
from memory_mcp.search.nearby import Prepared
from memory_mcp.service.context import Context
from memory_mcp.storage.contract import Storage
from memory_mcp.timestamps import format_time

if TYPE_CHECKING:
    import numpy as np


NEAR_DUPLICATE_CANDIDATES = 5
SIMILAR_SHOWN = 3
# A similar memory's text in remember's answer: enough to tell whether the new one replaces
# it (recall(ids=[id]) reads it whole); three whole notes of 20,000 characters would not fit.
SIMILAR_TOKENS = 80


@dataclass(frozen=True)
class Nearby:
    """What a new text's neighbours in its scope are: the memory it only rewords, if any, and
    the current ones close to it that it does not reword (an older value, perhaps)."""

    duplicate: tuple[Memory, float] | None = None
    similar: tuple[Memory, ...] = ()


def near_duplicate(
    ctx: Context,
    scope: str,
    content: str,
    vector: "np.ndarray",
    later: Memory | None = None,
    occurred_at: str | None = None,
    ahead: Prepared | None = None,  # what it read while `vector` was being embedded
    either: bool = False,
) -> tuple[Memory, float] | None:
    """(memory, cosine) of a memory in `scope` that `content` (an event at `occurred_at`)
    only rewords, never an event of another day; for a stored memory (`later`), one of
    its day (or both undated: folding it would lose its date), stored before it unless
    `either`."""
    threshold = ctx.settings.near_duplicate
    k = NEAR_DUPLICATE_CANDIDATES + (later is not None)  # it finds itself too
    flt = MemoryFilter(scopes=[scope])
    close = _close(ctx, vector, flt, k, ahead, threshold)
    close.pop(later.id if later is not None else -1, None)  # it finds itself
    if not close:
        return None
    return _rewording(ctx, close, content, later, occurred_at, either)


def look_near(
    ctx: Context,
    scope: str,
    content: str,
    vector: "np.ndarray",
    kind: str,
    occurred_at: str | None = None,
    ahead: Prepared | None = None,
) -> Nearby:
    """near_duplicate() for a text about to be stored, and, when it rewords none, the
    current memories it may update, closest first: standing statements (policies/updates.py:
    an event or a dated note is an episode, not a value) at SIMILAR_COSINE or closer, or
    closer than CHANGE_SIMILAR_COSINE when the text says it changes something, about the
    same person or subject. Read by the same search and one query."""
    threshold = ctx.settings.near_duplicate
    values = standing_kind(kind, occurred_at)
    floor = min(threshold, change_floor(content) if values else threshold)
    flt = MemoryFilter(scopes=[scope])
    close = _close(ctx, vector, flt, NEAR_DUPLICATE_CANDIDATES, ahead, floor)
    if not close:
        return Nearby()
    rows = {m.id: m for m in ctx.store.get_many(list(close), with_embedded=False)}
    duplicate = _rewording(
        ctx, {i: c for i, c in close.items() if c >= threshold}, content, None, occurred_at,
        False, rows,
    )  # fmt: skip
    if duplicate is not None or not values:
        return Nearby(duplicate)
    similar = [
        rows[memory_id]
        for memory_id, cosine in close.items()  # best first
        if memory_id in rows
        and standing(rows[memory_id])
        and may_list(rows[memory_id].content, content, cosine)
    ]
    return Nearby(None, tuple(similar[:SIMILAR_SHOWN]))


def as_similar(memory: Memory) -> Similar:
    """A memory as remember names it among the similar ones: its text a snippet at most."""
    short = snippet(memory.content, SIMILAR_TOKENS)
    cut = short != memory.content
    return Similar(id=memory.id, content=short, created_at=memory.created_at, truncated=cut)


def _close(
    ctx: Context,
    vector: "np.ndarray",
    flt: MemoryFilter,
    k: int,
    ahead: Prepared | None,
    floor: float,
) -> dict[int, float]:
    """(id: cosine) of the k nearest at `floor` or closer, best first (rows read in one
    query afterwards, not one per candidate)."""
    found = ctx.semantic.search_near(vector, flt, k, ahead, floor)
    return {memory_id: cosine for memory_id, cosine in found if cosine >= floor}


def _rewording(
    ctx: Context,
    close: dict[int, float],
    content: str,
    later: Memory | None,
    occurred_at: str | None,
    either: bool,
    rows: dict[int, Memory] | None = None,
) -> tuple[Memory, float] | None:
    """Of the `close` memories (id: cosine, best first), the one `content` only rewords."""
    threshold = ctx.settings.near_duplicate
    if rows is None:
        rows = {m.id: m for m in ctx.store.get_many(list(close), with_embedded=False)}
    for existing in (rows[i] for i in close if i in rows):
        cosine = close[existing.id]
        if not _same_event(existing, later, occurred_at):
            continue
        if dedup_module.content_hash(existing.content) == dedup_module.content_hash(content):
            return None  # stored by another writer since: the insert counts the repeat
        if later is not None and not (either or _stored_before(existing, later)):
            continue
        if dedup_module.is_near_duplicate(existing.content, content, cosine, threshold):
            return existing, cosine
    return None


def _same_event(existing: Memory, later: Memory | None, occurred_at: str | None) -> bool:
    """Whether a rewording can fold into `existing`: not an event of another day, and a
    stored `later` only into the same day (or both undated), whose date a fold keeps."""
    day = _event_day(existing)
    if later is not None:
        return day == _event_day(later)
    return same_event(day, occurred_at)


def _event_day(memory: Memory) -> str | None:
    moment = memory.occurred_at  # as stored
    return event_day(None if moment is None else format_time(moment), memory.kind)


def fold_pair(store: Storage, memory: Memory, other: Memory, cosine: float) -> None:
    """Fold the later of two rewordings into the earlier (a keyed one never folds away)."""
    if _stored_before(other, memory):
        store.merge_into(memory.id, other.id, memory.client, cosine=cosine)
    elif other.key is None:
        store.merge_into(other.id, memory.id, other.client, cosine=cosine)


def _stored_before(a: Memory, b: Memory) -> bool:
    return (a.created_at, a.id) < (b.created_at, b.id)
