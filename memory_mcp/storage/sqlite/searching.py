"""The two legs of recall in SQL: FTS5 bm25 over the keyword index, sqlite-vec KNN."""

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from memory_mcp.models import MemoryFilter
from memory_mcp.storage.contract import ColumnWeights
from memory_mcp.storage.sqlite import ftsbudget, vectors
from memory_mcp.storage.sqlite.base import SqliteBase, now
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.storage.sqlite.filters import memory_conditions, vector_conditions, where
from memory_mcp.storage.sqlite.fts import KEYWORD_INDEXES, MIN_ID, fts_query

if TYPE_CHECKING:
    import numpy as np


MAX_KNN_K = 4096  # sqlite-vec's ceiling for `k = ?`


def _nth_newest(index: str) -> str:
    """The id of the n-th newest match: FTS5 walks its doclists backwards and stops there."""
    return f"""
        select rowid from {index} where {index} match :match
        order by rowid desc limit 1 offset :n
    """


def _fts_ranked(index: str, arms: Sequence[str] = ("match",)) -> str:
    """Every match of one index, best first (read lazily: SQLite sorts, we take the head);
    matches that score alike newest first, as on PostgreSQL (bm25.py), so a cut at k keeps
    the same ones on both backends (SQLite's sorter alone gave the oldest). `arms`: the
    parameters holding the MATCH expressions whose matches are ranked together (a plan's
    arms, ftsbudget.py); a memory in two comes twice, its full score first."""
    score = f"-bm25({index}, :w_content, :w_tags, :w_context)"
    ranked = f"select rowid as id, {score} as score from {index} where {index} match"
    union = " union all ".join(f"{ranked} :{arm} and rowid >= :floor" for arm in arms)
    return f"{union} order by score desc, id desc"


def _passing(conds: list[str]) -> str:
    """Which of the ids :ids meet the filter's conditions."""
    return f"""
        select m.id from memories m
        where m.id in (select value from json_each(:ids)) {where(conds, "and")}
    """


FIRST_CHECK = 64  # best matches whose rows are checked first; each further batch is 4x


def _best_passing(
    c: Connection, index: str, conds: list[str], params: dict[str, Any], k: int
) -> list[tuple[int, float]]:
    """The k best matches that meet the filter: the same as one statement joining every
    match to its row, but only the best few rows are read (bm25 alone is about half the
    cost of a match; reading its row for the conditions was the other half). A memory the
    plan's arms give twice counts once, with its first (full) score."""
    cursor = c.execute(_fts_ranked(index, params["arms"]), params)
    try:  # closed early: an unfinished statement would hold its read snapshot open
        found: list[tuple[int, float]] = []
        seen: set[int] = set()
        size = max(FIRST_CHECK, 2 * k)
        while len(found) < k and (batch := cursor.fetchmany(size)):
            fresh = []
            for memory_id, score in batch:
                if memory_id not in seen:
                    seen.add(memory_id)
                    fresh.append((int(memory_id), float(score)))
            if conds:
                ids = json.dumps([i for i, _ in fresh])
                ok = {r[0] for r in c.execute(_passing(conds), params | {"ids": ids})}
                fresh = [hit for hit in fresh if hit[0] in ok]
            found += fresh
            size *= 4
        return found[:k]
    finally:
        cursor.close()


def admits_hidden(flt: MemoryFilter) -> bool:
    """Whether a filter can match forgotten or superseded memories."""
    return flt.include_forgotten or flt.include_superseded or flt.as_of is not None


class SqliteSearch(SqliteBase):
    def search_keywords(
        self, query: str, flt: MemoryFilter, k: int, weights: ColumnWeights = (1.0, 1.0, 1.0)
    ) -> list[tuple[int, float]]:
        """(id, score) best first for the words of `query`; [] when it has no searchable word."""
        match = fts_query(query)
        return [] if match is None else self.search_fts(match, flt, k, weights)

    def search_fts(
        self, match: str, flt: MemoryFilter, k: int, weights: ColumnWeights = (1.0, 1.0, 1.0)
    ) -> list[tuple[int, float]]:
        """(id, bm25) best first; bm25 is negated so higher is better.

        `weights` scale the columns content, tags and context (with the event date's words).
        Visible memories have their own index, so forgotten and superseded rows never change
        their ranking; a filter that admits hidden rows also searches theirs (its scores come
        from its own statistics). In each index searched, a query matching many rows is
        first fitted to a ranking budget (ftsbudget.py).
        """
        conds, params = memory_conditions(flt, now())
        params.update(k=k, w_content=weights[0], w_tags=weights[1], w_context=weights[2])
        indexes = KEYWORD_INDEXES if admits_hidden(flt) else KEYWORD_INDEXES[:1]

        def fetch(c: Connection) -> list[tuple[int, float]]:
            found = [
                hit
                for index in indexes
                for hit in _best_passing(c, index, conds, self._fitted(c, index, match, params), k)
            ]
            return sorted(found, key=lambda hit: -hit[1])[:k]

        return self._read(fetch)

    def _fitted(
        self, c: Connection, index: str, match: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        """`params` with the query and id floor fitted to the ranking budget in one index
        (each index is bounded on its own: its terms' counts, its n-th newest match)."""
        counts = self._term_counts.of(c, index, ftsbudget.terms(match))
        plan = ftsbudget.plan(match, counts)
        floor = MIN_ID
        if plan.newest is not None:
            newest: dict[str, Any] = {"match": plan.match, "n": plan.newest - 1}
            row = c.execute(_nth_newest(index), newest).fetchone()
            floor = MIN_ID if row is None else int(row[0])
        arms = plan.arms()
        return params | arms | {"arms": tuple(arms), "floor": floor}

    def search_vectors(
        self, query: "np.ndarray", flt: MemoryFilter, k: int
    ) -> list[tuple[int, float]]:
        """(id, cosine similarity) best first, filters applied inside the KNN scan."""
        conds, params = vector_conditions(flt, now())
        sql = f"""
            select memory_id, distance from memories_vec
            where embedding match :q and k = :k {where(conds, "and")}
        """
        params.update(q=vectors.to_blob(query), k=min(k, MAX_KNN_K))
        rows = self._read(lambda c: c.execute(sql, params).fetchall())
        return [(int(r[0]), 1.0 - float(r[1])) for r in rows]

    def vectors_for(self, ids: Sequence[int]) -> "dict[int, np.ndarray]":
        # memories drives the join: vec0 answers `memory_id = ?` with a point lookup, where
        # `memory_id in (...)` on vec0 itself scanned every vector (~50 ms per call at 100k).
        if not self.has_vector_index():
            return {}
        rows = self._read(
            lambda c: c.execute(
                """
                select v.memory_id, v.embedding
                from memories m join memories_vec v on v.memory_id = m.id
                where m.id in (select value from json_each(:ids))
                """,
                {"ids": json.dumps(list(ids))},
            ).fetchall()
        )
        import numpy as np  # (a command that only reads text never imports it)

        return {int(r[0]): np.frombuffer(r[1], dtype="<f4") for r in rows}
