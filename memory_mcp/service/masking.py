"""What a caller is shown of the memories it may read, masked at the edge of the service.

A memory the caller may not read is indistinguishable from one that does not exist, so no
output names it or the scope it lives in. These masks apply to what the service hands out,
never to what its own logic works on (profiles, key slots, dedup, folds read the store):
- a memory superseded by one the caller may not read leaves `superseded_by` out and still
  reads as superseded: `superseded_at` is set (Memory.superseded, Hit.superseded);
- a saved summary cites a memory the caller may not read as `#?` (as one purged since), and
  its `sources` and `scopes` metadata keep only what the caller may read;
- a history snapshot taken while the memory was in a scope the caller may not read keeps its
  field names, each valued None, and an entry made while it was there has no details: the
  entry says what happened, not what the memory held there.
The owner, and a principal granted `*`, see everything as stored.
"""

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from memory_mcp.models import HistoryEntry, Hit, Memory
from memory_mcp.policies import summarize
from memory_mcp.service import grants

if TYPE_CHECKING:
    from memory_mcp.service.context import Context

M = TypeVar("M", bound=Memory)
CHUNK = 500  # memories an export masks at a time (one read of their replacements)
SUMMARY = "summary"  # the kind of a saved summary
TRAIL_SCAN = 10_000  # newest entries of a memory read to tell where it was (repeats coalesce)


def memories(ctx: "Context", found: Sequence[M]) -> list[M]:
    """`found` as the caller is shown them: no id or scope it may not read (see above)."""
    if ctx.access.reads_everything:
        return list(found)
    named = {m.superseded_by for m in found if m.superseded_by is not None}
    for m in found:
        named |= _cited(m.kind, m.content, m.metadata)
    seen = _readable_ids(ctx, named)
    return [_memory(ctx, m, seen) for m in found]


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
    named = {h.superseded_by for h in found if h.superseded_by is not None}
    for h in found:
        named |= _cited(h.kind, h.content, {})
    seen = _readable_ids(ctx, named)

    def shown(hit: Hit) -> Hit:
        update: dict[str, Any] = {}
        if hit.superseded_by is not None and hit.superseded_by not in seen:
            update = {"superseded_by": None, "superseded_at": hit.superseded_at or hit.created_at}
        if hit.kind == SUMMARY and (text := _recited(hit.content, seen)) != hit.content:
            update["content"] = text
        return hit.model_copy(update=update) if update else hit

    return [shown(h) for h in found]


def entries(ctx: "Context", found: list[HistoryEntry]) -> list[HistoryEntry]:
    """A history as the caller may see it: ids of memories it may not read left out of the
    details (grants.readable_links), snapshots taken in scopes it may not read emptied and
    details of entries made there dropped, a summary's citations masked as memories() masks
    them."""
    linked = grants.readable_links(ctx, found)
    if ctx.access.reads_everything:
        return linked
    snaps = [s for e in linked for s in (e.before, e.after) if s is not None]
    named: set[int] = set()
    for snap in snaps:
        named |= _cited(snap.get("kind"), snap.get("content"), snap.get("metadata"))
    seen = _readable_ids(ctx, named)
    then = _scopes_then(ctx, linked)

    def shown(e: HistoryEntry) -> HistoryEntry:
        hidden = (where := then.get(e.id)) is not None and not ctx.access.can_read(where)
        detail = {} if hidden else e.detail
        before, after = _snapshot(ctx, e.before, seen), _snapshot(ctx, e.after, seen)
        return e.model_copy(update={"before": before, "after": after, "detail": detail})

    return [shown(e) for e in linked]


def _scopes_then(ctx: "Context", found: list[HistoryEntry]) -> dict[int, str]:
    """Entry id -> the scope its memory was in just after it, where known: its own snapshot
    says so, or, walking the memory's whole trail (a page, or `log --by`, holds part of it)
    from its scope now back in time, the scope the next entry found it in (only snapshotted
    writes change a scope)."""
    trails: dict[int, list[HistoryEntry]] = {}
    for e in found:
        trails.setdefault(e.memory_id, []).append(e)
    now = {m.id: m.scope for m in ctx.store.get_many(sorted(trails), with_embedded=False)}
    then: dict[int, str] = {}
    for memory_id, trail in trails.items():
        whole = {e.id: e for e in [*ctx.store.history(memory_id, TRAIL_SCAN), *trail]}
        later = now.get(memory_id)
        for e in sorted(whole.values(), key=lambda e: e.id, reverse=True):
            where = _scope_of(e.after) or later
            if where is not None:
                then[e.id] = where
            later = _scope_of(e.before) or where
    return then


def _scope_of(snap: dict[str, Any] | None) -> str | None:
    scope = None if snap is None else snap.get("scope")
    return scope if isinstance(scope, str) else None


def _snapshot(ctx: "Context", snap: dict[str, Any] | None, seen: set[int]) -> dict[str, Any] | None:
    if snap is None:
        return None
    scope = snap.get("scope")
    if isinstance(scope, str) and not ctx.access.can_read(scope):
        return dict.fromkeys(snap)
    content, metadata = snap.get("content"), snap.get("metadata")
    if snap.get("kind") != SUMMARY or not isinstance(content, str):
        return snap
    shown = {**snap, "content": _recited(content, seen)}
    if isinstance(metadata, dict):
        shown["metadata"] = _summary_metadata(ctx, metadata, seen)
    return shown


def _memory(ctx: "Context", memory: M, seen: set[int]) -> M:
    update: dict[str, Any] = {}
    if memory.superseded_by is not None and memory.superseded_by not in seen:
        when = memory.superseded_at or memory.updated_at
        update = {"superseded_by": None, "superseded_at": when}
    if memory.kind == SUMMARY:
        text = _recited(memory.content, seen)
        metadata = _summary_metadata(ctx, memory.metadata, seen)
        if text != memory.content or metadata != memory.metadata:
            update |= {"content": text, "metadata": metadata}
    return memory.model_copy(update=update) if update else memory


def _cited(kind: Any, content: Any, metadata: Any) -> set[int]:
    """Every memory a saved summary names: its text's citations, its `sources`."""
    if kind != SUMMARY or not isinstance(content, str):
        return set()
    cited: set[int] = set()

    def note(memory_id: int) -> int:
        cited.add(memory_id)
        return memory_id

    summarize.recite(content, note)
    sources = metadata.get("sources") if isinstance(metadata, dict) else None
    if isinstance(sources, list):
        cited |= {i for i in sources if isinstance(i, int) and not isinstance(i, bool)}
    return cited


def _recited(content: str, seen: set[int]) -> str:
    """A summary's text citing only what the caller may read (any other as `#?`)."""
    return summarize.recite(content, lambda i: i if i in seen else 0)


def _summary_metadata(ctx: "Context", metadata: dict[str, Any], seen: set[int]) -> dict[str, Any]:
    shown = dict(metadata)
    if isinstance(sources := metadata.get("sources"), list):
        shown["sources"] = [i for i in sources if i in seen]
    if isinstance(scopes := metadata.get("scopes"), list):
        shown["scopes"] = [s for s in scopes if isinstance(s, str) and ctx.access.can_read(s)]
    return shown


def _readable_ids(ctx: "Context", ids: set[int]) -> set[int]:
    if not ids:
        return set()
    found = ctx.store.get_many(sorted(ids), with_embedded=False)
    return {m.id for m in grants.readable(ctx, found)}
