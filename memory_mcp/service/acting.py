"""MemoryService acting for one caller of a shared server (a team principal): the same parts,
bound to a context whose grants bound every read and write and whose history records the
principal. MemoryService inherits this; the store, model and background work stay shared."""

import copy
from typing import Self

from memory_mcp.policies.access import Access
from memory_mcp.service import grants
from memory_mcp.service.briefing import Briefer
from memory_mcp.service.bulk import BulkWriter
from memory_mcp.service.capture import Capturer
from memory_mcp.service.context import Context
from memory_mcp.service.exchange import Exchange
from memory_mcp.service.lifecycle import Lifecycle
from memory_mcp.service.maintenance import Maintenance
from memory_mcp.service.profile import Profiler
from memory_mcp.service.recalling import Recaller
from memory_mcp.service.summaries import Summarizer
from memory_mcp.service.team import Team
from memory_mcp.service.writing import Writer
from memory_mcp.storage.contract import Storage


class ActingAs:
    _ctx: Context
    store: Storage
    _writer: Writer
    _bulk: BulkWriter
    _recaller: Recaller
    _lifecycle: Lifecycle
    _summarizer: Summarizer
    _exchange: Exchange
    _maintenance: Maintenance
    _profiler: Profiler
    _capturer: Capturer
    _briefer: Briefer
    team: Team

    def as_principal(self, access: Access) -> Self:
        """This service acting for one caller: its grants bound every method and the history
        records its principal. Cheap: the store, model and background work are shared.
        Already acting as `access` (the owner's service asked for the owner): itself."""
        if access == self._ctx.access:
            return self
        view = copy.copy(self)
        ctx = view._ctx = grants.scoped(self._ctx, access)
        view.store = ctx.store
        view._writer = self._writer.bind(ctx)
        view._bulk = self._bulk.bind(ctx)
        view._recaller = self._recaller.bind(ctx)
        view._lifecycle = self._lifecycle.bind(ctx)
        view._summarizer = Summarizer(ctx, view._recaller)
        view._exchange = Exchange(ctx, view._writer, view._lifecycle, view._recaller)
        view._maintenance = self._maintenance.bind(ctx)
        view._profiler = Profiler(ctx)
        view._capturer = Capturer(view._writer, view._lifecycle)
        view._briefer = Briefer(view._recaller, view._profiler)
        view.team = self.team.bind(ctx)
        return view

    @property
    def access(self) -> Access:  # who this service acts for (the owner, unless a view)
        return self._ctx.access
