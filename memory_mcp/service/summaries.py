"""Summaries: the memories on a topic, scope or window clustered into themes, optionally saved."""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from memory_mcp.config import MAX_RECALL_LIMIT
from memory_mcp.models import Memory, Summary
from memory_mcp.policies import inputs, summarize
from memory_mcp.policies.redact import redact_fields
from memory_mcp.service import grants, masking
from memory_mcp.service.context import Context, Part
from memory_mcp.service.masking import DRAWN_FROM
from memory_mcp.service.recalling import Recaller, make_filter
from memory_mcp.storage.contract import NewRow, Tally

SUMMARY_POOL = 500  # newest memories a query-less summary finds themes in


class Summarizer(Part):
    def __init__(self, ctx: Context, recaller: Recaller) -> None:
        super().__init__(ctx)
        self.recaller = recaller

    def summarize(
        self,
        query: str | None = None,
        scope: str | None = None,
        kind: str | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        limit: int | None = None,
        *,
        max_tokens: int | None = None,
        save: bool = False,
        project: str | None = None,
        client: str | None = None,
    ) -> Summary:
        """A query draws on recall's best hits; without one, on the newest memories."""
        inputs.check_query(query=query)
        inputs.check_text(scope=scope, project=project)
        inputs.check_scope(scope)
        inputs.check_length("query", query, self.settings.max_query_chars)
        limit = self.ctx.limit(10 if limit is None else limit)
        tokens = self.ctx.reply_tokens(max_tokens)
        project_scope = self.ctx.project_scope(project)
        scopes_ = self.recaller.recall_scopes(scope, project_scope)
        flt = make_filter(scopes=scopes_, kind=kind, since=since, until=until)
        relevance: dict[int, float] | None = None
        tallies: list[Tally] = []
        if query and query.strip():
            _, ranked = self.recaller.relevant(query, flt, MAX_RECALL_LIMIT)
            relevance = dict(ranked[:MAX_RECALL_LIMIT])  # only what clears the relevance floor
            pool = self.store.get_many(list(relevance), with_embedded=False)
        elif (allowed := grants.restrict(self.ctx, flt)) is None:
            pool = []
        else:  # themes from the newest; the counts and dates of every match
            pool = self.store.find(allowed, limit=SUMMARY_POOL, with_embedded=False)
            tallies = self.store.tally(allowed)
        if kind != "summary":  # summaries never summarize earlier summaries
            pool = [m for m in pool if m.kind != "summary"]
            tallies = [t for t in tallies if t.kind != "summary"]
        else:  # its statements quote saved summaries: as the caller is shown them
            pool = masking.memories(self.ctx, pool, by_text=relevance is not None)
        extent = summarize.Extent.of(pool) if relevance is not None else _extent(tallies)
        groups = summarize.clusters(pool, self.store.vectors_for([m.id for m in pool]), relevance)
        summary = summarize.build(groups, pool, extent, limit, tokens)
        if save and summary.clusters:
            sources, drawn = _quoted(groups[: len(summary.clusters)], pool, extent)
            summary.saved_id = self._save_summary(
                summary, sources, drawn, query, scopes_, project_scope, client
            )
        return summary

    def _save_summary(
        self,
        summary: Summary,
        sources: list[int],
        drawn: list[str],
        query: str | None,
        scopes_: list[str],
        project_scope: str | None,
        client: str | None,
    ) -> int:
        """Store the summary as a `summary` memory linked to its sources (left untouched); the
        same summary saved again (nothing changed since) is counted as a repeat, not stored
        twice. `drawn`, every scope it counted, tells who may read its text (masking.py)."""
        scope = scopes_[0] if len(scopes_) == 1 else self.ctx.write_scope(project_scope)
        grants.check_write(self.ctx, scope)
        # Its text quotes memories (already redacted); the query is the caller's own words.
        metadata = {"sources": sources, "query": query, "scopes": scopes_, DRAWN_FROM: drawn}
        cleaned = redact_fields(content=summary.text, metadata=metadata).fields
        vectors = self.semantic.embed_documents([cleaned["content"]])
        return self.store.insert(
            NewRow(
                content=cleaned["content"],
                kind="summary",
                tags=["summary"],
                scope=scope,
                metadata=cleaned["metadata"],
                vector=None if vectors is None else vectors[0],
                client=client,
            ),
            client=client,
            dedup=True,
        ).id


def _quoted(
    shown: Sequence[Sequence[Memory]], pool: Sequence[Memory], extent: summarize.Extent
) -> tuple[list[int], list[str]]:
    """What a saved summary quotes: its sources, every member of the themes it shows (a
    theme's label draws on all of them, its citation may list fewer to fit a budget), and
    every scope it drew on (its counts', its pool's, and those a summary in its pool drew
    on, as masking shows it to the caller: a summary of summaries quotes their text)."""
    sources = sorted({m.id for group in shown for m in group})
    drawn = set(extent.scopes) | {m.scope for m in pool}
    for m in pool:
        drawn |= masking.drawn_scopes(m.metadata) if m.kind == "summary" else set()
    return sources, sorted(drawn)


def _extent(tallies: Sequence[Tally]) -> summarize.Extent:
    """What a summary says of all the memories storage counted, per scope and kind."""
    scopes: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for t in tallies:
        scopes[t.scope] += t.count
        kinds[t.kind] += t.count
    return summarize.Extent(
        sum(t.count for t in tallies),
        scopes,
        kinds,
        min((t.first_at for t in tallies), default=None),
        max((t.last_at for t in tallies), default=None),
    )
