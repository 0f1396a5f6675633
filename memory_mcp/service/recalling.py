"""The recall path: filters, the scopes a recall covers, hybrid search, fusion, hit order."""

from collections.abc import Sequence
from datetime import datetime

from memory_mcp.errors import InvalidInput, NotFound
from memory_mcp.models import Hit, Memory, MemoryFilter, RecallResult
from memory_mcp.policies import budget, inputs
from memory_mcp.policies.fusion import FTS_WEIGHTS, fuse
from memory_mcp.policies.times import parse_time
from memory_mcp.service.context import ALL_SCOPES, MIN_BUDGET, Part, validated

CANDIDATES_PER_HIT = 4  # each leg of hybrid recall proposes 4 x limit candidates


class Recaller(Part):
    def recall(
        self,
        query: str | None = None,
        limit: int | None = None,
        scope: str | None = None,
        kind: str | None = None,
        tags: list[str] | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        *,
        time_field: str = "occurred",
        include_superseded: bool = False,
        as_of: str | datetime | None = None,
        max_tokens: int | None = None,
        ids: Sequence[int] | None = None,
        reference_time: str | datetime | None = None,
        project: str | None = None,
    ) -> RecallResult:
        """Check the inputs, then fetch by ids or search the scopes in view."""
        inputs.check_query(query=query)
        inputs.check_text(scope=scope, tags=tags, project=project)
        inputs.check_length("query", query, self.settings.max_query_chars)
        if ids:
            ids = inputs.check_ids(ids, self.settings.max_ids)
            return self._recall_ids(ids)
        if not query or not query.strip():
            raise InvalidInput("query must not be empty: say what to look for (or pass ids).")
        limit = self.ctx.limit(limit)
        project_scope = self.ctx.project_scope(project)
        flt = make_filter(
            scopes=self.recall_scopes(scope, project_scope),
            kind=kind, tags=tags, since=since, until=until, time_field=time_field,
            include_superseded=include_superseded, as_of=as_of, reference_time=reference_time,
        )  # fmt: skip
        weighted_scope = project_scope if scope is None else None
        return self._search(query, flt, limit, weighted_scope, max_tokens)

    def _search(
        self,
        query: str,
        flt: MemoryFilter,
        limit: int,
        weighted_scope: str | None,
        max_tokens: int | None,
    ) -> RecallResult:
        """Both legs fused, the project's hits first, fitted to the token budget if one is set."""
        pool = limit * CANDIDATES_PER_HIT
        keyword = self.store.search_keywords(query, flt, pool, FTS_WEIGHTS)
        qvec = self.semantic.embed_query(query)
        semantic = [] if qvec is None else self.semantic.search(qvec, flt, pool)
        ranked = fuse(keyword, semantic)
        if max_tokens is None and weighted_scope is None:
            ranked = ranked[:limit]  # nothing below can reorder: fetch only what is shown
        hits = self._hits(ranked, weighted_scope)
        if max_tokens is not None:
            if max_tokens < MIN_BUDGET:
                raise InvalidInput(f"max_tokens must be at least {MIN_BUDGET}.")
            hits = budget.fit(hits, self.store.vectors_for([h.id for h in hits]), max_tokens, limit)
        return RecallResult(
            mode="keyword" if qvec is None else "hybrid", hits=hits[:limit], note=self.semantic.note
        )

    def _recall_ids(self, ids: Sequence[int]) -> RecallResult:
        memories = self.store.get_many(list(ids), with_embedded=False)
        missing = sorted(set(ids) - {m.id for m in memories})
        if missing:
            raise NotFound(f"No memory with id {', '.join(map(str, missing))}.")
        hits = [_hit(m, 1.0) for m in memories]
        return RecallResult(mode="keyword" if not self.semantic.ready else "hybrid", hits=hits)

    def recall_scopes(self, scope: str | None, project_scope: str | None) -> list[str]:
        """An explicit scope (`*` = all); else the project and global together; else all."""
        if scope is not None:
            return [] if scope.strip() == ALL_SCOPES else [scope]
        if project_scope is not None:
            return [project_scope, self.settings.default_scope]
        return []

    def _hits(self, ranked: list[tuple[int, float]], project_scope: str | None) -> list[Hit]:
        """Memories for ranked ids; with a project in context its hits come first (each group
        keeps its relevance order), as the project's own facts override global ones."""
        found = self.store.get_many([mid for mid, _ in ranked], with_embedded=False)
        memories = {m.id: m for m in found}
        hits = [_hit(memories[mid], score) for mid, score in ranked if mid in memories]
        if project_scope is not None:
            hits.sort(key=lambda h: h.scope != project_scope)  # stable: keeps score order
        return hits


def make_filter(
    scope: str | None = None,
    kind: str | None = None,
    tags: list[str] | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    include_forgotten: bool = False,
    *,
    scopes: list[str] | None = None,
    time_field: str = "occurred",
    include_superseded: bool = False,
    include_expired: bool = False,
    as_of: str | datetime | None = None,
    reference_time: str | datetime | None = None,
) -> MemoryFilter:
    """Validate filter arguments; dates may be relative to `reference_time` (or now)."""
    inputs.check_text(scope=scope, scopes=scopes, kind=kind, tags=tags)
    reference = parse_time(reference_time, "reference_time")
    start = parse_time(since, "since", reference=reference)
    end = parse_time(until, "until", reference=reference)
    if start and end and start >= end:
        raise InvalidInput(f"since ({since}) must be earlier than until ({until}).")
    if scopes is None:
        scopes = [] if scope is None or scope.strip() == ALL_SCOPES else [scope]
    return validated(
        MemoryFilter,
        scopes=scopes,
        kind=kind,
        tags=tags or [],
        since=start,
        until=end,
        time_field=time_field,
        include_forgotten=include_forgotten,
        include_superseded=include_superseded,
        include_expired=include_expired,
        as_of=parse_time(as_of, "as_of", reference=reference),
    )


def _hit(memory: Memory, score: float) -> Hit:
    return Hit(
        id=memory.id,
        content=memory.content,
        kind=memory.kind,
        tags=memory.tags,
        scope=memory.scope,
        created_at=memory.created_at,
        occurred_at=memory.occurred_at,
        key=memory.key,
        client=memory.client,
        superseded_by=memory.superseded_by,
        score=round(score, 6),
    )
