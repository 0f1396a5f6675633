"""MemoryService acting for one caller of a shared server (a team principal): the same parts,
bound to a context whose grants bound every read and write and whose history records the
principal. MemoryService inherits this; the store, model and background work stay shared."""

import copy
from typing import TYPE_CHECKING, Self

from memory_mcp.policies.access import Access
from memory_mcp.service import grants
from memory_mcp.service.context import Context
from memory_mcp.service.parts import Parts
from memory_mcp.storage.contract import Storage

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


class ActingAs:
    _ctx: Context
    _parts: Parts  # built on first use (parts.py)
    store: Storage

    def as_principal(self, access: Access) -> Self:
        """This service acting for one caller: its grants bound every method and the history
        records its principal. Cheap: the store, model and background work are shared.
        Already acting as `access` (the owner's service asked for the owner): itself."""
        if access == self._ctx.access:
            return self
        view = copy.copy(self)
        ctx = view._ctx = grants.scoped(self._ctx, access)
        view.store = ctx.store
        view._parts = self._parts.acting(ctx)
        return view

    @property
    def team(self) -> "Team":  # principals and tokens of a shared server
        return self._parts.team

    @property
    def _writer(self) -> "Writer":
        return self._parts.writer

    @property
    def _bulk(self) -> "BulkWriter":
        return self._parts.bulk

    @property
    def _recaller(self) -> "Recaller":
        return self._parts.recaller

    @property
    def _lifecycle(self) -> "Lifecycle":
        return self._parts.lifecycle

    @property
    def _later(self) -> "Later":
        return self._parts.later

    @property
    def _summarizer(self) -> "Summarizer":
        return self._parts.summarizer

    @property
    def _exchange(self) -> "Exchange":
        return self._parts.exchange

    @property
    def _maintenance(self) -> "Maintenance":
        return self._parts.maintenance

    @property
    def _profiler(self) -> "Profiler":
        return self._parts.profiler

    @property
    def _capturer(self) -> "Capturer":
        return self._parts.capturer

    @property
    def _briefer(self) -> "Briefer":
        return self._parts.briefer

    @property
    def access(self) -> Access:  # who this service acts for (the owner, unless a view)
        return self._ctx.access
