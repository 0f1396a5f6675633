"""The two legs of recall in SQL: FTS5 bm25 over the keyword index, sqlite-vec KNN."""

import json
from collections.abc import Sequence

import numpy as np

from memory_mcp.models import MemoryFilter
from memory_mcp.storage.contract import ColumnWeights
from memory_mcp.storage.sqlite import ftsbudget, vectors
from memory_mcp.storage.sqlite.base import SqliteBase, now
from memory_mcp.storage.sqlite.db import Connection, scalar
from memory_mcp.storage.sqlite.filters import memory_conditions, vector_conditions, where
from memory_mcp.storage.sqlite.fts import fts_query

MAX_KNN_K = 4096  # sqlite-vec's ceiling for `k = ?`

MIN_ID = -(2**63)  # below every rowid: no floor

# A term's documents, counted only as far as the plan needs (ftsbudget.count_cap).
_FTS_COUNT = """
    select count(*) from (select 1 from memories_fts where memories_fts match :term limit :cap)
"""
# The id of the n-th newest match: FTS5 walks its doclists backwards and stops there.
_NTH_NEWEST = """
    select rowid from memories_fts where memories_fts match :match
    order by rowid desc limit 1 offset :n
"""


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
        On a large table the query is first fitted to a ranking budget (ftsbudget.py).
        """
        conds, params = memory_conditions(flt, now())
        sql = f"""
            select m.id, -bm25(memories_fts, :w_content, :w_tags, :w_context) as score
            from memories_fts join memories m on m.id = memories_fts.rowid
            where memories_fts match :match and memories_fts.rowid >= :floor
            {where(conds, "and")}
            order by score desc limit :k
        """
        params.update(k=k, w_content=weights[0], w_tags=weights[1], w_context=weights[2])

        def fetch(c: Connection) -> list[tuple[int, float]]:
            cap = {"cap": ftsbudget.count_cap()}
            counts = [int(scalar(c, _FTS_COUNT, {"term": t} | cap)) for t in ftsbudget.terms(match)]
            plan = ftsbudget.plan(match, counts)
            floor = MIN_ID
            if plan.newest is not None:
                nth = c.execute(_NTH_NEWEST, {"match": plan.match, "n": plan.newest - 1})
                row = nth.fetchone()
                floor = MIN_ID if row is None else int(row[0])
            params.update(match=plan.match, floor=floor)
            return [(int(r[0]), float(r[1])) for r in c.execute(sql, params)]

        return self._read(fetch)

    def search_vectors(
        self, query: np.ndarray, flt: MemoryFilter, k: int
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

    def vectors_for(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        if not self.has_vector_index():
            return {}
        rows = self._read(
            lambda c: c.execute(
                """
                select memory_id, embedding from memories_vec
                where memory_id in (select value from json_each(:ids))
                """,
                {"ids": json.dumps(list(ids))},
            ).fetchall()
        )
        return {int(r[0]): np.frombuffer(r[1], dtype="<f4") for r in rows}
