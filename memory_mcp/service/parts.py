"""The parts of MemoryService, each built (and its module imported) on first use: `memory-mcp
list` needs the lifecycle part alone, not the writer, recall, the importers, numpy or the
model. A server builds them all at once, on the thread that opens the service (`build_all`).

A principal's view (acting.py) has parts of its own, bound to its context: those that keep
state across calls are the owner's, bound (`Part.bind`); the others are made anew over the
view's parts."""

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from memory_mcp.service.context import Context

if TYPE_CHECKING:
    from memory_mcp.service.briefing import Briefer
    from memory_mcp.service.bulk import BulkWriter
    from memory_mcp.service.capture import Capturer
    from memory_mcp.service.exchange import Exchange
    from memory_mcp.service.later import Later
    from memory_mcp.service.lifecycle import Lifecycle
    from memory_mcp.service.maintenance import Maintenance
    from memory_mcp.service.profile import Profiler
    from memory_mcp.service.recalling import Recaller
    from memory_mcp.service.summaries import Summarizer
    from memory_mcp.service.team import Team
    from memory_mcp.service.writing import Writer

T = TypeVar("T")

NAMES = ("writer", "bulk", "recaller", "lifecycle", "summarizer", "exchange", "maintenance",
         "profiler", "capturer", "briefer", "team", "later")  # fmt: skip


class Parts:
    def __init__(self, ctx: Context, owner: "Parts | None" = None) -> None:
        self.ctx = ctx
        self._owner = owner  # a view's: the owner's parts, whose state its bound ones share
        self._built: dict[str, Any] = {}
        self._lock = threading.RLock()  # (a part built from others builds them inside)
        if owner is None:  # the writer folds what the backlog embeds, built or not yet
            ctx.semantic.on_embedded = lambda done: self.writer.fold_embedded(done)

    def acting(self, ctx: Context) -> "Parts":
        """The parts of a view acting in `ctx` (a principal's), built on first use too."""
        return Parts(ctx, self._owner or self)

    def build_all(self) -> None:
        """Build every part now, and what the first search needs (a server, before its
        first call needs one)."""
        for name in NAMES:
            getattr(self, name)
        self.ctx.semantic.prepare()

    def _part(self, name: str, build: Callable[[], T]) -> T:
        part = self._built.get(name)
        if part is None:
            with self._lock:
                part = self._built.get(name)
                if part is None:
                    part = self._built[name] = build()
        return part

    def _bound(self, name: str, build: Callable[[], T]) -> T:
        """A part that keeps state: the owner's, bound to this context, in a view."""
        owner = self._owner
        if owner is None:
            return self._part(name, build)
        return self._part(name, lambda: cast(T, getattr(owner, name).bind(self.ctx)))

    @property
    def writer(self) -> "Writer":
        from memory_mcp.service.writing import Writer

        return self._bound("writer", lambda: Writer(self.ctx))

    @property
    def bulk(self) -> "BulkWriter":
        from memory_mcp.service.bulk import BulkWriter

        return self._bound("bulk", lambda: BulkWriter(self.ctx))

    @property
    def recaller(self) -> "Recaller":
        from memory_mcp.service.recalling import Recaller

        return self._bound("recaller", lambda: Recaller(self.ctx))

    @property
    def lifecycle(self) -> "Lifecycle":
        from memory_mcp.service.lifecycle import Lifecycle

        return self._bound("lifecycle", lambda: Lifecycle(self.ctx))

    @property
    def later(self) -> "Later":
        from memory_mcp.service.later import Later

        return self._bound("later", lambda: Later(self.ctx))

    @property
    def maintenance(self) -> "Maintenance":
        from memory_mcp.service.maintenance import Maintenance

        return self._bound("maintenance", lambda: Maintenance(self.ctx))

    @property
    def team(self) -> "Team":
        from memory_mcp.service.team import Team

        return self._bound("team", lambda: Team(self.ctx))

    @property
    def summarizer(self) -> "Summarizer":
        from memory_mcp.service.summaries import Summarizer

        return self._part("summarizer", lambda: Summarizer(self.ctx, self.recaller))

    @property
    def exchange(self) -> "Exchange":
        from memory_mcp.service.exchange import Exchange

        return self._part(
            "exchange", lambda: Exchange(self.ctx, self.writer, self.lifecycle, self.recaller)
        )

    @property
    def profiler(self) -> "Profiler":
        from memory_mcp.service.profile import Profiler

        return self._part("profiler", lambda: Profiler(self.ctx))

    @property
    def capturer(self) -> "Capturer":
        from memory_mcp.service.capture import Capturer

        return self._part("capturer", lambda: Capturer(self.writer, self.lifecycle))

    @property
    def briefer(self) -> "Briefer":
        from memory_mcp.service.briefing import Briefer

        return self._part("briefer", lambda: Briefer(self.recaller, self.profiler))
