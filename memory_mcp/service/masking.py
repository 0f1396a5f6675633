"""What a caller is shown of the memories it may read, masked at the edge of the service.

A memory the caller may not read is indistinguishable from one that does not exist, so no
output names it or the scope it lives in. These masks apply to what the service hands out,
never to what its own logic works on (profiles, key slots, dedup, folds read the store):
- a memory superseded by one the caller may not read leaves `superseded_by` out and still
  reads as superseded: `superseded_at` is set (Memory.superseded, Hit.superseded);
- a history snapshot taken while the memory was in a scope the caller may not read keeps its
  field names, each valued None: the entry says what happened, not what it held there.
The owner, and a principal granted `*`, see everything as stored.
"""

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from memory_mcp.models import HistoryEntry, Hit, Memory
from memory_mcp.service import grants

if TYPE_CHECKING:
    from memory_mcp.service.context import Context

M = TypeVar("M", bound=Memory)
CHUNK = 500  # memories an export masks at a time (one read of their replacements)


def memories(ctx: "Context", found: Sequence[M]) -> list[M]:
    """`found`, each superseded by a memory the caller may not read without that id."""
    if ctx.access.reads_everything:
        return list(found)
    seen = _readable_ids(ctx, {m.superseded_by for m in found if m.superseded_by is not None})
    hidden = [m.superseded_by not in (None, *seen) for m in found]
    return [_unlinked(m) if h else m for m, h in zip(found, hidden, strict=True)]


def streamed(ctx: "Context", found: Iterable[M]) -> Iterator[M]:
    """memories() over a stream (an export), a chunk at a time."""
    if ctx.access.reads_everything:
        yield from found
        return
    each = iter(found)
    while chunk := list(islice(each, CHUNK)):
        yield from memories(ctx, chunk)


def hits(ctx: "Context", found: Sequence[Hit]) -> list[Hit]:
    """As memories(), for recall's hits."""
    if ctx.access.reads_everything:
        return list(found)
    seen = _readable_ids(ctx, {h.superseded_by for h in found if h.superseded_by is not None})

    def shown(hit: Hit) -> Hit:
        if hit.superseded_by is None or hit.superseded_by in seen:
            return hit
        when = hit.superseded_at or hit.created_at
        return hit.model_copy(update={"superseded_by": None, "superseded_at": when})

    return [shown(h) for h in found]


def entries(ctx: "Context", found: list[HistoryEntry]) -> list[HistoryEntry]:
    """A history as the caller may see it: ids of memories it may not read left out of the
    details (grants.readable_links), snapshots taken in scopes it may not read emptied."""
    linked = grants.readable_links(ctx, found)
    if ctx.access.reads_everything:
        return linked
    return [
        e.model_copy(update={"before": _snapshot(ctx, e.before), "after": _snapshot(ctx, e.after)})
        for e in linked
    ]


def _snapshot(ctx: "Context", snap: dict[str, Any] | None) -> dict[str, Any] | None:
    scope = None if snap is None else snap.get("scope")
    if snap is None or not isinstance(scope, str) or ctx.access.can_read(scope):
        return snap
    return dict.fromkeys(snap)


def _unlinked(memory: M) -> M:
    when = memory.superseded_at or memory.updated_at
    return memory.model_copy(update={"superseded_by": None, "superseded_at": when})


def _readable_ids(ctx: "Context", ids: set[int]) -> set[int]:
    if not ids:
        return set()
    found = ctx.store.get_many(sorted(ids), with_embedded=False)
    return {m.id for m in grants.readable(ctx, found)}
