"""What a caller is shown of the memories it may read, masked at the edge of the service.

A memory the caller may not read is indistinguishable from one that does not exist, so no
output names it or the scope it lives in. These masks apply to what the service hands out,
never to what its own logic works on (key slots, dedup, folds read the store; the profile
takes only a saved summary's text from here):
- a memory superseded by one the caller may not read leaves `superseded_by` out and still
  reads as superseded: `superseded_at` is set (Memory.superseded, Hit.superseded);
- a saved summary quotes the memories it cites: unless the caller may read every one (every
  scope the summary drew on, `drawn_from`, and every memory it cites now), its text is
  withheld (WITHHELD stands for it); else a memory purged since is cited as `#?`. Its
  `sources`, `scopes` and `drawn_from` metadata keep only what the caller may read, and a
  search by text (`by_text`) leaves a withheld summary out: its text is what matched;
- a history entry's detail naming another memory (HISTORY_LINKS) names only one the caller
  may read, now or where it was folded away;
- a history snapshot taken while the memory was in a scope the caller may not read keeps its
  field names, each valued None, and an entry made while it was there has no details: the
  entry says what happened, not what the memory held there.
The owner, and a principal granted `*`, see everything as stored.
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar, cast

from memory_mcp.models import HistoryEntry, Hit, Memory
from memory_mcp.service import grants
from memory_mcp.storage.contract import HISTORY_LINKS

if TYPE_CHECKING:
    from memory_mcp.service.context import Context

M = TypeVar("M", bound=Memory)
S = TypeVar("S", bound=Memory | Hit)
CHUNK = 500  # memories an export masks at a time (one read of their replacements)
SUMMARY = "summary"  # the kind of a saved summary
ALL_SCOPES = "*"  # drawn on every scope, or on scopes no longer known
DRAWN_FROM = "drawn_from"  # a saved summary's metadata: every scope it counted (summaries.py)
WITHHELD = "(A saved summary of memories you may not read: its text is withheld.)"


def memories(ctx: "Context", found: Sequence[M], by_text: bool = False) -> list[M]:
    """`found` as the caller is shown them: no id, scope or text it may not read (see above).
    `by_text`: found by what they say (a query), so a summary whose text is withheld is left
    out, as what matched was that text."""
    if ctx.access.reads_everything:
        return list(found)
    return _masked(ctx, found, {m.id: m.metadata for m in found}, by_text)


def withheld(ctx: "Context", candidates: Sequence[tuple[int, float]]) -> set[int]:
    """The ids among a search's (id, score) candidates of saved summaries whose text the
    caller may not read: left out before ranking, as a search by text leaves them out of
    what it shows (a candidate never shown must not push down, nor rescale the scores of,
    those that are). None for the owner or a principal granted `*`."""
    if ctx.access.reads_everything or not candidates:
        return set()
    # Their kinds alone, then the few summaries among them whole: 160 candidates of 2.7 KB
    # took 2.5 ms on SQLite and 8.4 ms on PostgreSQL read whole, 0.18 and 0.5 ms so.
    kinds = ctx.store.kinds(list(dict.fromkeys(i for i, _ in candidates)))
    if not (ids := [i for i, kind in kinds.items() if kind == SUMMARY]):
        return set()
    summaries = ctx.store.get_many(ids, with_embedded=False)
    return {m.id for m in summaries} - {m.id for m in memories(ctx, summaries, by_text=True)}


def streamed(ctx: "Context", found: Iterable[M]) -> Iterator[M]:
    """memories() over a stream (an export), a chunk at a time."""
    if ctx.access.reads_everything:
        yield from found
        return
    each = iter(found)
    while chunk := list(islice(each, CHUNK)):
        yield from memories(ctx, chunk)


def hits(ctx: "Context", found: Sequence[Hit], by_text: bool = False) -> list[Hit]:
    """As memories(), for recall's hits (a saved summary's metadata read from the store)."""
    if ctx.access.reads_everything:
        return list(found)
    summaries = [h.id for h in found if h.kind == SUMMARY]
    stored = ctx.store.get_many(summaries, with_embedded=False) if summaries else []
    return _masked(ctx, found, {m.id: m.metadata for m in stored}, by_text)


def _masked(
    ctx: "Context", found: Sequence[S], metadata: dict[int, dict[str, Any]], by_text: bool
) -> list[S]:
    named = {m.superseded_by for m in found if m.superseded_by is not None}
    for m in found:
        named |= _cited(m.kind, m.content, metadata.get(m.id, {}))
    seen, hidden = _lookup(ctx, named)

    def shown(item: S) -> S | None:
        update: dict[str, Any] = {}
        if item.superseded_by is not None and item.superseded_by not in seen:
            when = item.superseded_at or _changed_at(item)
            update = {"superseded_by": None, "superseded_at": when}
        if item.kind == SUMMARY:
            meta = metadata.get(item.id, {})
            if by_text and _withheld(ctx, item.content, meta, hidden):
                return None
            was = {"content": item.content, "metadata": meta}
            summary = _summary(ctx, {"kind": SUMMARY, **was}, seen, hidden)
            fields = ["content", "metadata"] if isinstance(item, Memory) else ["content"]
            update |= {k: summary[k] for k in fields if summary[k] != was[k]}
        return cast(S, item.model_copy(update=update)) if update else item

    return [m for m in map(shown, found) if m is not None]


def _changed_at(item: Memory | Hit) -> datetime:
    return item.updated_at if isinstance(item, Memory) else item.created_at


def entries(ctx: "Context", found: list[HistoryEntry]) -> list[HistoryEntry]:
    """A history as the caller may see it: a detail naming another memory (HISTORY_LINKS)
    left out unless the caller may read it, now or, for a copy folded away, where it was
    folded (any other id, a purged memory's too, is not the caller's to know); snapshots
    taken in scopes it may not read emptied and details of entries made there dropped; a
    summary masked as memories() masks it."""
    if ctx.access.reads_everything:
        return list(found)
    links = {v for e in found for k in HISTORY_LINKS if isinstance(v := e.detail.get(k), int)}
    named = set(links)
    for snap in (s for e in found for s in (e.before, e.after) if s is not None):
        named |= _cited(snap.get("kind"), snap.get("content"), snap.get("metadata"))
    seen, hidden = _lookup(ctx, named)
    linked = seen | {i for i in links - seen - hidden if grants.read_where_folded(ctx, i)}
    then = _scopes_then(ctx, found)

    def shown(e: HistoryEntry) -> HistoryEntry:
        elsewhere = (where := then.get(e.id)) is not None and not ctx.access.can_read(where)
        detail = {k: v for k, v in e.detail.items() if k not in HISTORY_LINKS or v in linked}
        detail = {} if elsewhere else detail
        before = _snapshot(ctx, e.before, seen, hidden)
        after = _snapshot(ctx, e.after, seen, hidden)
        return e.model_copy(update={"before": before, "after": after, "detail": detail})

    return [shown(e) for e in found]


def _scopes_then(ctx: "Context", found: list[HistoryEntry]) -> dict[int, str]:
    """Entry id -> the scope its memory was in just after it: its own snapshot says so, or
    the next snapshot of the memory's whole trail (a page, or `log --by`, holds part of it)
    that holds a scope found it there (only snapshotted writes change a scope), or it is
    still where it is now."""
    asked = [(e.memory_id, e.id) for e in found if _scope_of(e.after) is None]
    later = ctx.store.scopes_after(asked) if asked else {}
    ids = sorted({m for m, e in asked if e not in later})
    now = {m.id: m.scope for m in ctx.store.get_many(ids, with_embedded=False)} if ids else {}
    then: dict[int, str] = {}
    for e in found:
        where = _scope_of(e.after) or later.get(e.id) or now.get(e.memory_id)
        if where is not None:
            then[e.id] = where
    return then


def _scope_of(snap: dict[str, Any] | None) -> str | None:
    scope = None if snap is None else snap.get("scope")
    return scope if isinstance(scope, str) else None


def _snapshot(
    ctx: "Context", snap: dict[str, Any] | None, seen: set[int], hidden: set[int]
) -> dict[str, Any] | None:
    if snap is None:
        return None
    scope = snap.get("scope")
    if isinstance(scope, str) and not ctx.access.can_read(scope):
        return dict.fromkeys(snap)
    if snap.get("kind") != SUMMARY or not isinstance(snap.get("content"), str):
        return snap
    return {**snap, **_summary(ctx, snap, seen, hidden)}


def _summary(
    ctx: "Context", summary: dict[str, Any], seen: set[int], hidden: set[int]
) -> dict[str, Any]:
    """A saved summary's content and metadata (both present in `summary`) as the caller is
    shown them: its text withheld unless the caller may read every memory it quotes (every
    scope it drew on, every memory it cites now), else citing only what it may read."""
    content, metadata = summary["content"], summary.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    shown = dict(metadata)
    if isinstance(sources := metadata.get("sources"), list):
        shown["sources"] = [i for i in sources if i in seen]
    for field in ("scopes", DRAWN_FROM):
        if isinstance(scopes := metadata.get(field), list):
            shown[field] = [s for s in scopes if isinstance(s, str) and ctx.access.can_read(s)]
    if _withheld(ctx, content, metadata, hidden):
        return {"content": WITHHELD, "metadata": shown}
    from memory_mcp.policies import summarize  # (its clustering imports numpy: only here)

    text = summarize.recite(content, lambda i: i if i in seen else 0)  # any other as `#?`
    return {"content": text, "metadata": shown if shown != metadata else summary.get("metadata")}


def _withheld(ctx: "Context", content: str, metadata: dict[str, Any], hidden: set[int]) -> bool:
    """Whether a saved summary quotes a memory the caller may not read (its text withheld)."""
    return bool(_cited(SUMMARY, content, metadata) & hidden) or not _drawn_readable(ctx, metadata)


def drawn_scopes(metadata: dict[str, Any]) -> set[str]:
    """The scopes a summary drew on, as its metadata records them: `drawn_from`; for one
    saved before that was recorded, the scopes it was asked for, or `*` (every scope: only
    the owner's to read) when it named none; none for one written by hand (no `sources`)."""
    if DRAWN_FROM not in metadata and "sources" not in metadata:
        return set()
    drawn = metadata.get(DRAWN_FROM, metadata.get("scopes"))
    if not isinstance(drawn, list) or (not drawn and DRAWN_FROM not in metadata):
        return {ALL_SCOPES}
    return {s if isinstance(s, str) else ALL_SCOPES for s in drawn}


def _drawn_readable(ctx: "Context", metadata: dict[str, Any]) -> bool:
    """Whether the caller may read every scope a saved summary drew on (drawn_scopes)."""
    return all(s != ALL_SCOPES and ctx.access.can_read(s) for s in drawn_scopes(metadata))


def _cited(kind: Any, content: Any, metadata: Any) -> set[int]:
    """Every memory a saved summary names: its text's citations, its `sources`."""
    if kind != SUMMARY or not isinstance(content, str):
        return set()
    cited: set[int] = set()

    def note(memory_id: int) -> int:
        cited.add(memory_id)
        return memory_id

    from memory_mcp.policies import summarize

    summarize.recite(content, note)
    sources = metadata.get("sources") if isinstance(metadata, dict) else None
    if isinstance(sources, list):
        cited |= {i for i in sources if isinstance(i, int) and not isinstance(i, bool)}
    return cited


def _lookup(ctx: "Context", ids: set[int]) -> tuple[set[int], set[int]]:
    """(the ids the caller may read, the ids of memories there that it may not read); an id
    in neither is no memory now (purged)."""
    if not ids:
        return set(), set()
    found = ctx.store.get_many(sorted(ids), with_embedded=False)
    seen = {m.id for m in grants.readable(ctx, found)}
    return seen, {m.id for m in found} - seen
