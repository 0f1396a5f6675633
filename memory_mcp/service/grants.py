"""Grants applied: every part of the service asks here what the caller may see and change.

The caller is `ctx.access` (policies/access.py). A memory the caller may not read is reported
exactly like one that does not exist; filters are narrowed to the readable scopes before they
reach storage, so searches, pages and counts only ever cover what the caller may read.
"""

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from memory_mcp.errors import Forbidden, NotFound
from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.policies.access import Access, forbidden_write
from memory_mcp.storage.contract import Storage, acting_as

if TYPE_CHECKING:
    from memory_mcp.service.context import Context


def scoped(ctx: "Context", access: Access) -> "Context":
    """The same context acting as `access`: its writes record the principal in history."""
    store = ctx.store
    base = store._store if isinstance(store, _Acting) else store  # noqa: SLF001
    acting = base if access.principal is None else cast(Storage, _Acting(base, access.principal))
    return dataclasses.replace(ctx, store=acting, access=access)


class _Acting:
    """The store, with every call made as `principal` (recorded in the history it writes)."""

    def __init__(self, store: Storage, principal: str) -> None:
        self._store = store
        self._principal = principal

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            with acting_as(self._principal):
                return attr(*args, **kwargs)

        return call


def restrict(ctx: "Context", flt: MemoryFilter) -> MemoryFilter | None:
    """`flt` narrowed to the scopes the caller may read (every readable scope when it names
    none); None when that leaves no scope, i.e. nothing can match."""
    access = ctx.access
    if access.reads_everything:
        return flt
    readable = access.readable(flt.scopes or ctx.store.scope_names())
    if not readable:
        return None
    return flt.model_copy(update={"scopes": readable})


def readable_scopes(ctx: "Context") -> list[str] | None:
    """Every scope holding a memory the caller may read; None: all of them (the owner)."""
    if ctx.access.reads_everything:
        return None
    return ctx.access.readable(ctx.store.scope_names())


def readable(ctx: "Context", memories: Iterable[Memory]) -> list[Memory]:
    return [m for m in memories if ctx.access.can_read(m.scope)]


def require_readable(ctx: "Context", ids: Sequence[int]) -> list[Memory]:
    """The memories, in the order asked; NotFound names every id that does not exist or
    that the caller may not read (the two are indistinguishable)."""
    found = {m.id: m for m in readable(ctx, ctx.store.get_many(list(ids), with_embedded=False))}
    missing = [i for i in dict.fromkeys(ids) if i not in found]
    if missing:
        raise not_found(ctx, missing)
    return [found[i] for i in ids]


def read_where_folded(ctx: "Context", memory_id: int) -> bool:
    """Whether `memory_id`, gone, was folded away in a scope the caller reads."""
    fold = _fold(ctx, memory_id)
    return fold is not None and ctx.access.can_read(fold[1])


def _fold(ctx: "Context", memory_id: int) -> tuple[int, str] | None:
    """(the memory it was folded into, the scope it was in then), by its merge entry (its
    last); None for a memory not folded away."""
    newest = ctx.store.history(memory_id, limit=1)
    if not newest or newest[0].action != "merge" or "into" not in newest[0].detail:
        return None
    scope = (newest[0].before or {}).get("scope")
    return int(newest[0].detail["into"]), scope if isinstance(scope, str) else ""


MERGE_HOPS = 8  # a copy folded into one that was folded in turn, and so on


def not_found(ctx: "Context", missing: Sequence[int]) -> NotFound:
    """NotFound naming the ids; for one folded into another memory (a repeat restored or
    moved beside it, a rewording stored while the model loaded), the memory that holds it
    now: an id a client was given must not just vanish. Only for an id the caller could
    read when it was folded: the memory it went into may have moved to a scope the caller
    reads since, and an id the caller never could read must get the answer of one that
    never existed."""
    notes = []
    for memory_id in missing:
        into = merged_into(ctx, memory_id)
        if into is not None:
            notes.append(f"#{memory_id} was merged into #{into}, which says the same: use {into}.")
    return NotFound(" ".join([f"No memory with id {', '.join(map(str, missing))}.", *notes]))


def merged_into(ctx: "Context", memory_id: int) -> int | None:
    """Where `memory_id` went, following folds while each folded copy was in a scope the
    caller reads (its merge entry's snapshot says which); None past any other."""
    into = None
    for _ in range(MERGE_HOPS):
        fold = _fold(ctx, memory_id)
        if fold is None:
            break
        if not ctx.access.reads_everything and not ctx.access.can_read(fold[1]):
            return None
        into = memory_id = fold[0]
    if into is None:
        return None
    memory = ctx.store.get_many([into], with_embedded=False)
    return into if readable(ctx, memory) else None


def require_writable(ctx: "Context", ids: Sequence[int]) -> list[Memory]:
    """As require_readable, and Forbidden unless the caller may write every one's scope."""
    memories = require_readable(ctx, ids)
    for memory in memories:
        check_write(ctx, memory.scope)
    return memories


def check_write(ctx: "Context", scope: str) -> None:
    if not ctx.access.can_write(scope):
        raise Forbidden(forbidden_write(scope))


def owner_only(ctx: "Context", what: str) -> None:
    """Whole-database work (reindex, doctor, backup, purge of everything expired...)."""
    if not ctx.access.unrestricted:
        raise Forbidden(f"Only the database owner may {what}.")
