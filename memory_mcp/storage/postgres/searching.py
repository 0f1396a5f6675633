"""The two legs of recall on PostgreSQL: tsvector ranking over the keyword column (GIN), and
pgvector cosine search (HNSW), both with the filters inside the query."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from psycopg import sql

from memory_mcp.models import MemoryFilter
from memory_mcp.policies.text import STOPWORDS, tokens
from memory_mcp.storage.contract import ColumnWeights
from memory_mcp.storage.postgres.base import PgBase, now
from memory_mcp.storage.postgres.db import Connection
from memory_mcp.storage.postgres.filters import memory_conditions, where
from memory_mcp.storage.postgres.vectors import as_array

EF_SEARCH_MAX = 1000  # pgvector's ceiling for hnsw.ef_search


def query_parts(text: str) -> tuple[list[str], list[str]]:
    """(words, phrases) of any text: the words that are not stopwords (unless nothing else
    is left), and each chunk the tokenizer splits (`Kestrel-00042`) as a phrase, so an exact
    identifier outranks memories sharing only one part (as the SQLite side's fts_query)."""
    words = tokens(text)
    if not words:
        return [], []
    content = [w for w in words if w not in STOPWORDS] or words
    phrases = []
    for chunk in text.split():
        parts = tokens(chunk)
        if len(parts) > 1:
            phrases.append(" ".join(parts))
    return list(dict.fromkeys(content)), list(dict.fromkeys(phrases))


def tsquery(words: list[str], phrases: list[str]) -> sql.Composable:
    """An OR of the words and phrases, each parsed by PostgreSQL itself (never as tsquery
    syntax), inlined as literals."""
    return sql.SQL(" || ").join(
        [sql.SQL("plainto_tsquery('english', {})").format(sql.Literal(w)) for w in words]
        + [sql.SQL("phraseto_tsquery('english', {})").format(sql.Literal(p)) for p in phrases]
    )


class PgSearch(PgBase):
    vector_version: tuple[int, ...] = (0, 8)

    def search_keywords(
        self, query: str, flt: MemoryFilter, k: int, weights: ColumnWeights = (1.0, 1.0, 1.0)
    ) -> list[tuple[int, float]]:
        """(id, ts_rank) best first; [] when the text has no searchable word. The weights
        scale content, tags and context (the tsvector's A, B and C labels). ts_rank reads
        only the row it ranks, so hidden rows never change the scores of visible ones."""
        words, phrases = query_parts(query)
        if not words:
            return []
        conds, params = memory_conditions(flt, now())
        statement = sql.SQL(
            """
            with q as (select ({q}) as q)
            select m.id, ts_rank(%(w)s::float4[], m.fts, q.q) as score
            from memories m, q where numnode(q.q) > 0 and m.fts @@ q.q {conds}
            order by score desc, m.id desc limit %(k)s
            """
        ).format(q=tsquery(words, phrases), conds=sql.SQL(where(conds, "and")))
        params.update(k=k, w=[0.0, weights[2], weights[1], weights[0]])
        rows = self._read(lambda c: c.execute(statement, params).fetchall())
        return [(int(r["id"]), float(r["score"])) for r in rows]

    def search_vectors(
        self, query: np.ndarray, flt: MemoryFilter, k: int
    ) -> list[tuple[int, float]]:
        """(id, cosine similarity) best first. The filter is part of the index scan's query:
        pgvector 0.8's iterative scan keeps reading the HNSW graph until k rows pass it (or,
        for a selective filter, the planner reads the few matching rows exactly)."""
        conds, params = memory_conditions(flt, now())
        statement = f"""
            with near as materialized (
                select v.memory_id, v.embedding <=> %(q)s as distance
                from memory_vectors v join memories m on m.id = v.memory_id
                {where(conds)} order by distance limit %(k)s
            ) select memory_id, distance from near order by distance, memory_id
        """
        params.update(q=np.asarray(query, dtype=np.float32), k=k)

        def fetch(c: Connection) -> list[Any]:
            with c.transaction():
                _tune_scan(c, k, self.vector_version)
                return c.execute(statement, params).fetchall()

        rows = self._read(fetch)
        return [(int(r["memory_id"]), 1.0 - float(r["distance"])) for r in rows]

    def vectors_for(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        if not self.has_vector_index():
            return {}
        rows = self._read(
            lambda c: c.execute(
                "select memory_id, embedding from memory_vectors where memory_id = any(%s)",
                (list(ids),),
            ).fetchall()
        )
        return {int(r["memory_id"]): as_array(r["embedding"]) for r in rows}


def _tune_scan(c: Connection, k: int, version: tuple[int, ...]) -> None:
    """For this transaction: search at least k candidates, iteratively where supported."""
    c.execute(
        "select set_config('hnsw.ef_search', %s, true)", (str(min(max(k, 40), EF_SEARCH_MAX)),)
    )
    if version >= (0, 8):
        c.execute("select set_config('hnsw.iterative_scan', 'relaxed_order', true)")
