"""The recall path: filters, the scopes a recall covers, hybrid search, fusion, hit order."""

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import numpy as np

from memory_mcp.errors import InvalidInput
from memory_mcp.models import STORED_DATA_NOTICE, Hit, Memory, MemoryFilter, RecallResult, wire_json
from memory_mcp.names import WILDCARD, clean_scope, no_such_scope
from memory_mcp.policies import budget, inputs, updates
from memory_mcp.policies.dedup import first_of_each_text
from memory_mcp.policies.feedback import FEEDBACK_DEPTH, feedback_query
from memory_mcp.policies.fusion import (
    FTS_WEIGHTS,
    evidence,
    fuse,
    prefer_scope,
    query_mass,
    supported,
)
from memory_mcp.service import grants, masking
from memory_mcp.service.context import ALL_SCOPES, Part, named_then
from memory_mcp.service.filters import make_filter as make_filter

CANDIDATES_PER_HIT = 4  # each leg of hybrid recall proposes 4 x limit candidates
# With a reranker configured (search/rerank.py), it reorders this many of the best fused
# candidates (or `limit`, when more are asked for): misses mostly sit just below the cut.
RERANK_DEPTH = 30
# The candidates the floor left out that are read as a first hit's later value: the closest
# few to one of them (a read of their rows, when any is close at all).
LATER_READ = 4


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
        offset: int = 0,
    ) -> RecallResult:
        """Check the inputs, then fetch by ids or search the scopes in view. `offset`: skip
        that many of the best hits of the same ranking (the web UI's further pages)."""
        if offset < 0:
            raise InvalidInput(f"offset must be 0 or more, not {offset}.")
        inputs.check_query(query=query)
        inputs.check_text(scope=scope, tags=tags, project=project)
        inputs.check_scope(scope)
        inputs.check_length("query", query, self.settings.max_query_chars)
        if ids:
            ids = inputs.check_ids(ids, self.settings.max_ids)
            return self._recall_ids(ids, max_tokens)
        if not query or not query.strip():
            raise InvalidInput("query must not be empty: say what to look for (or pass ids).")
        limit = self.ctx.limit(limit)
        project_scope = self.ctx.project_scope(project)
        flt = make_filter(
            scopes=self.recall_scopes(scope, project_scope),
            kind=kind, tags=tags, since=since, until=until, time_field=time_field,
            include_superseded=include_superseded, as_of=as_of, reference_time=reference_time,
        )  # fmt: skip
        preferred = project_scope if scope is None else None
        result = self._search(query, flt, limit, preferred, max_tokens, offset)
        if result.hits or scope is None or WILDCARD in scope:
            return result
        return result.model_copy(update={"note": self._no_such_scope(scope, result.note)})

    def _no_such_scope(self, scope: str, note: str | None) -> str | None:
        """An empty recall in a scope no memory the caller may read is in (a guessed or
        mistyped name) says so, with the nearest readable scope, so the caller can retry."""
        counts = self.store.group_counts("scope")
        said = no_such_scope(clean_scope(scope), [s for s in counts if self.ctx.access.can_read(s)])
        if said is None:
            return note
        return f"{note} {said}." if note else f"{said}."

    def _search(
        self,
        query: str,
        flt: MemoryFilter,
        limit: int,
        project_scope: str | None,
        max_tokens: int | None,
        offset: int = 0,
    ) -> RecallResult:
        """Both legs fused, above the relevance floor, fitted to the reply's token budget;
        the scores shown scaled by the strength of the best evidence (fusion.evidence).
        `offset`: the best that many left out (the candidate pool is still `limit`'s)."""
        tokens = self.ctx.reply_tokens(max_tokens)
        mode, ranked, strength = self._relevant(query, flt, limit)
        # Nothing below reorders: fetch only what may be shown.
        upto = limit + offset if max_tokens is None and project_scope is None else None
        # Sliced after masking: a page cut from what is shown, so pages partition it exactly.
        hits, said, withheld = self._hits(ranked, project_scope, upto)
        if withheld & {mid for mid, _ in ranked[:FEEDBACK_DEPTH]}:
            # A first hit withheld since it was ranked (a memory its summary cites moved out
            # of the caller's scopes meanwhile) drew the feedback round: ranked once more, as
            # the next page will be, so that pages still partition one ranking.
            mode, ranked, strength = self._relevant(query, flt, limit)
            hits, said, _ = self._hits(ranked, project_scope, upto)
        hits = named_then(self.store, hits[offset:], flt.as_of)
        if mode == "hybrid":
            hits = self._with_newer(hits, said)
        # The reply without its hits, costed with the largest `omitted` it can carry.
        frame = RecallResult(
            mode=mode, hits=[], omitted=limit, note=self.semantic.note, notice=STORED_DATA_NOTICE
        )
        room = tokens - budget.estimate_tokens(wire_json(frame))
        if max_tokens is None:  # relevance order; long contents share what the cap leaves
            chosen, omitted = budget.fit(hits, {}, room, limit, diversify=False)
        else:
            vectors = self.store.vectors_for([h.id for h in hits])
            chosen, omitted = budget.fit(hits, vectors, room, limit)
        shown = [h.model_copy(update={"score": round(h.score * strength, 3)}) for h in chosen]
        return frame.model_copy(update={"hits": shown, "omitted": omitted})

    def _with_newer(self, hits: list[Hit], said: dict[int, datetime]) -> list[Hit]:
        """Each hit that a hit said later may update names it (policies/updates.py): the
        model reading "port 5433" first learns that a later memory says otherwise. `said`:
        when each was last stated (a repeat counted since its creation)."""
        ids = [h.id for h in hits if updates.standing(h)]
        if len(ids) < 2:
            return hits
        found = updates.newer_values(hits, self.semantic.copy.vectors(ids), said)
        return [h.model_copy(update={"newer": found[h.id]}) if h.id in found else h for h in hits]

    def relevant(
        self, query: str, flt: MemoryFilter, limit: int
    ) -> tuple[Literal["hybrid", "keyword"], list[tuple[int, float]]]:
        """The search mode, and (id, fused score) best first of the candidates that clear the
        relevance floor (fusion.py): each leg proposes CANDIDATES_PER_HIT x limit."""
        mode, ranked, _ = self._relevant(query, flt, limit, measure=False)
        return mode, ranked

    def _relevant(
        self, query: str, flt: MemoryFilter, limit: int, measure: bool = True
    ) -> tuple[Literal["hybrid", "keyword"], list[tuple[int, float]], float]:
        """relevant(), and (`measure`) the strength of its best evidence (fusion.evidence),
        else 0."""
        pool = limit * CANDIDATES_PER_HIT
        qvec = self.semantic.embed_query(query)
        mode: Literal["hybrid", "keyword"] = "keyword" if qvec is None else "hybrid"
        allowed = grants.restrict(self.ctx, flt)
        if allowed is None:  # the caller may read none of the scopes asked
            return mode, [], 0.0
        flt = allowed
        keyword = self.store.search_keywords(query, flt, pool, FTS_WEIGHTS)
        semantic = [] if qvec is None else self.semantic.search(qvec, flt, pool)
        keyword, semantic = _without(
            masking.withheld(self.ctx, keyword + semantic), keyword, semantic
        )
        # The query's IDF mass weighs the keyword leg against the other, and measures evidence:
        # not read when neither is asked for.
        wanted = keyword and (semantic or measure)
        mass = query_mass(*self.store.keyword_statistics(query)) if wanted else 0.0
        # How much of the query the keyword leg matched only matters against another leg: a
        # keyword-only recall ranks as BM25 does (its scores still say how much it matched).
        weigh = mass if semantic else 0.0
        ranked = _fused(keyword, semantic, weigh)
        # Evidence is measured against the query itself: the feedback round's vector is
        # moved towards the best hits, so their cosines with it are inflated.
        strength = evidence(keyword, semantic, mass) if ranked and measure else 0.0
        if qvec is not None and semantic and ranked:  # the semantic leg asks again (feedback.py)
            moved = self._feedback(qvec, ranked)
            if moved is not None:
                moved_leg = self.semantic.search(moved, flt, pool, origin=qvec)
                (moved_leg,) = _without(masking.withheld(self.ctx, moved_leg), moved_leg)
                # A candidate that cleared the floor against the query itself stays: the moved
                # query is nearer the best hits, so its gap floor would drop the others
                # ("where do I live": "I live in Berlin" 0.50 -> 0.68, "I moved to Lisbon
                # last month" 0.36 -> 0.41, a gap past FLOOR_COSINE_GAP).
                ranked = _fused(keyword, moved_leg, weigh, supported(keyword, semantic))
                semantic = semantic + moved_leg
        kept = {mid for mid, _ in ranked}
        below = list(dict.fromkeys(mid for mid, _ in keyword + semantic if mid not in kept))
        return mode, self._with_later(self._reranked(query, ranked, limit), below), strength

    def _with_later(
        self, ranked: list[tuple[int, float]], below: list[int]
    ) -> list[tuple[int, float]]:
        """Each of the first candidates that a candidate the floor left out (`below`) may
        update (said later, saying it changes something: policies/updates.later_values) has
        it right after it, at its score: an old value never comes alone because its update
        is worded otherwise. In the ranking itself, so every page of one ranking agrees."""
        heads = [mid for mid, _ in ranked[: updates.NAMED_FIRST]]
        # Ids grow with every write: one stored before every head is no later value (unless
        # said again since; a repeat of an old text, or an import of older history, is the
        # case this leaves to `newer` and to the floor). Not read, so most recalls read none.
        if not heads:
            return ranked
        below = [mid for mid in below if mid > min(heads)]
        if not below:
            return ranked
        vectors = self.semantic.copy.vectors(heads + below)
        close = updates.close_to_any(heads, below, vectors)[:LATER_READ]
        if not close:
            return ranked
        rows = {m.id: m for m in self.store.get_many(heads + close, with_embedded=False)}
        said = {mid: _last_said(m) for mid, m in rows.items()}
        firsts = [rows[mid] for mid in heads if mid in rows]
        later = updates.later_values(firsts, [rows[c] for c in close if c in rows], vectors, said)
        placed: list[tuple[int, float]] = []
        for mid, score in ranked:
            placed.append((mid, score))
            if mid in later:
                placed.append((later[mid].id, score))
        return placed

    def _feedback(self, qvec: np.ndarray, ranked: list[tuple[int, float]]) -> np.ndarray | None:
        """The query vector moved towards the best FEEDBACK_DEPTH fused hits."""
        best = ranked[:FEEDBACK_DEPTH]
        vectors = self.semantic.copy.vectors([mid for mid, _ in best])
        return feedback_query(qvec, [(vectors[mid], s) for mid, s in best if mid in vectors])

    def _reranked(
        self, query: str, ranked: list[tuple[int, float]], limit: int
    ) -> list[tuple[int, float]]:
        """The best RERANK_DEPTH candidates in the reranker's order, when one is configured
        and works; their scores stay the fused ones, handed out best first in the new order."""
        reranker = self.ctx.reranker
        head, tail = ranked[: max(RERANK_DEPTH, limit)], ranked[max(RERANK_DEPTH, limit) :]
        if reranker is None or len(head) < 2:
            return ranked
        texts = {m.id: m.content for m in self.store.get_many([mid for mid, _ in head], False)}
        kept = [mid for mid, _ in head if mid in texts]
        scores = reranker.score(query, [texts[mid] for mid in kept])
        if scores is None:
            return ranked
        order = sorted(range(len(kept)), key=lambda i: -scores[i])
        fused = sorted((score for mid, score in head if mid in texts), reverse=True)
        return [(kept[i], fused[rank]) for rank, i in enumerate(order)] + tail

    def _recall_ids(self, ids: Sequence[int], max_tokens: int | None) -> RecallResult:
        """The memories in full, in the order asked, as many as the reply cap holds."""
        memories = self.store.get_many(list(ids), with_embedded=False)
        missing = sorted(set(ids) - {m.id for m in grants.readable(self.ctx, memories)})
        if missing:  # not stored, or not readable by this caller: the same answer
            raise grants.not_found(self.ctx, missing)
        frame = RecallResult(
            mode="keyword" if not self.semantic.ready else "hybrid", hits=[],
            omitted=len(ids), note=self.semantic.note, notice=STORED_DATA_NOTICE,
        )  # fmt: skip
        room = self.ctx.reply_tokens(max_tokens) - budget.estimate_tokens(wire_json(frame))
        shown = masking.hits(self.ctx, [_hit(m, 1.0) for m in memories])
        hits, omitted = budget.fit_whole(shown, room)
        return frame.model_copy(update={"hits": hits, "omitted": omitted})

    def recall_scopes(self, scope: str | None, project_scope: str | None) -> list[str]:
        """An explicit scope (`*` = all); else the project and global together; else all."""
        if scope is not None:
            return [] if scope.strip() == ALL_SCOPES else [scope]
        if project_scope is not None:
            return [project_scope, self.ctx.default_scope]
        return []

    def _hits(
        self, ranked: list[tuple[int, float]], project_scope: str | None, upto: int | None = None
    ) -> tuple[list[Hit], dict[int, datetime], set[int]]:
        """Memories for ranked ids, by relevance; the project's win near-ties (fusion.py). A
        text stored in several scopes (the project and global) comes once, at its best
        place. With `upto`, the first that many distinct ones, read a window at a time. As
        the caller is shown them (masking.hits): a summary whose text became withheld after
        ranking (a memory it cites moved meanwhile) is left out before any page is cut.
        With them, when each was last stated (its creation, or a repeat counted since), and
        the ids left out as withheld."""
        hits: list[Hit] = []
        said: dict[int, datetime] = {}
        withheld: set[int] = set()
        start, window = 0, upto or len(ranked)
        while start < len(ranked) and (upto is None or len(hits) < upto):
            part = ranked[start : start + window]
            start += window
            found = self.store.get_many([mid for mid, _ in part], with_embedded=False)
            memories = {m.id: m for m in found}
            said |= {m.id: _last_said(m) for m in found}
            part_hits = [_hit(memories[mid], score) for mid, score in part if mid in memories]
            shown = masking.hits(self.ctx, part_hits, by_text=True)
            withheld |= {h.id for h in part_hits} - {h.id for h in shown}
            hits += shown
            if len({h.scope for h in hits}) > 1:  # one scope holds each text once
                hits = first_of_each_text(prefer_scope(hits, project_scope), _content, _scope)
        return prefer_scope(hits, project_scope)[:upto], said, withheld


def _without(left_out: set[int], *legs: list[tuple[int, float]]) -> list[list[tuple[int, float]]]:
    """Each leg without the candidates `left_out`."""
    return [[(mid, s) for mid, s in leg if mid not in left_out] for leg in legs]


def _fused(
    keyword: list[tuple[int, float]],
    semantic: list[tuple[int, float]],
    mass: float,
    cleared: set[int] | frozenset[int] = frozenset(),
) -> list[tuple[int, float]]:
    """Both legs fused, best first, keeping the candidates above the relevance floor (or
    among those `cleared` already)."""
    floor = supported(keyword, semantic) | cleared
    return [(mid, s) for mid, s in fuse(keyword, semantic, keyword_mass=mass) if mid in floor]


def _last_said(memory: Memory) -> datetime:
    """When it was last stated: its creation, or a repeat counted since."""
    return max(memory.created_at, memory.last_seen_at or memory.created_at)


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
        superseded_at=memory.superseded_at,
        score=round(score, 3),
    )


def _content(hit: Hit) -> str:
    return hit.content


def _scope(hit: Hit) -> str:
    return hit.scope
