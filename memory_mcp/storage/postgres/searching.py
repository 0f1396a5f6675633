"""The two legs of recall on PostgreSQL: tsvector ranking over the keyword column (GIN), and
pgvector cosine search (HNSW), both with the filters inside the query."""

from collections.abc import Sequence

import numpy as np

from memory_mcp.models import MemoryFilter
from memory_mcp.policies import keyword_budget
from memory_mcp.policies.keyword_text import search_words, searched, unspaced, words
from memory_mcp.policies.text import STOPWORDS
from memory_mcp.storage.contract import ColumnWeights
from memory_mcp.storage.postgres import bm25
from memory_mcp.storage.postgres.base import PgBase, now
from memory_mcp.storage.postgres.db import Connection
from memory_mcp.storage.postgres.filters import memory_conditions, visible_only, where
from memory_mcp.storage.postgres.vectors import as_array


def query_parts(text: str) -> tuple[list[str], list[str]]:
    """(words, chunks) of any text: the words that are not stopwords (unless nothing else
    is left), and each hyphenated chunk (`Kestrel-00042`): PostgreSQL's parser keeps it
    whole as well as its parts, so an exact identifier outranks memories sharing only one
    part (as the SQLite side's phrases do; not one with a stopword part, `mother-in-law`:
    the column keeps stopwords, so `in` would be searched too). Scripts written without
    spaces come as pairs of
    neighbouring units, each one word, as the keyword column holds them; `c++`, `c#` or
    `.net` as its own word (policies.keyword_text)."""
    found = search_words(text, pair="")
    if not found:
        return [], []
    content = [w for w in found if w not in STOPWORDS] or found
    phrases = []
    for chunk in searched(text).split():
        parts = words(chunk)
        hyphenated = "-" in chunk and len(parts) > 1 and not unspaced(chunk)
        if hyphenated and not STOPWORDS.intersection(parts):
            phrases.append(chunk)
    return list(dict.fromkeys(content)), list(dict.fromkeys(phrases))


class PgSearch(PgBase):
    def search_keywords(
        self, query: str, flt: MemoryFilter, k: int, weights: ColumnWeights = (1.0, 1.0, 1.0)
    ) -> list[tuple[int, float]]:
        """(id, bm25) best first; [] when the text has no searchable word (bm25.py). The
        weights scale content, tags and context (the tsvector's A, B and C labels)."""
        words, chunks = query_parts(query)
        if not words:
            return []
        conds, params = memory_conditions(flt, now())
        # The visible index; a filter that admits hidden rows also ranks theirs, each by
        # its own statistics (as the SQLite side's two FTS5 tables).
        indexes = (True,) if visible_only(flt) else (True, False)

        terms = [*words, *chunks]
        key = (tuple(terms), keyword_budget.count_cap())

        def fetch(c: Connection) -> list[tuple[int, float]]:
            shown = bm25.survey(c, terms, True, key[1])  # kept for keyword_statistics
            self._surveys.keep(key, shown)
            found = [
                hit
                for visible in indexes
                for hit in bm25.rank(
                    c,
                    terms,
                    where(conds, "and"),
                    params,
                    visible,
                    k,
                    weights,
                    shown if visible else None,
                )  # fmt: skip
            ]
            return sorted(found, key=lambda hit: -hit[1])[:k]

        return self._read(fetch)

    def keyword_statistics(self, query: str) -> tuple[int, list[int]]:
        """(memories in the visible keyword index, memories containing each search term of
        `query`, counted up to bm25's cap): the terms and counts bm25.rank uses."""
        words, chunks = query_parts(query)
        if not words:
            return 0, []

        terms = [*words, *chunks]
        key = (tuple(terms), keyword_budget.count_cap())
        # A recall's search_keywords read this survey just before (surveys.py).
        surveyed = self._surveys.take(key) or self._read(
            lambda c: bm25.survey(c, terms, True, key[1])
        )
        found, counts, n, _ = surveyed
        return (n, counts) if found else (0, [])

    def search_vectors(
        self, query: np.ndarray, flt: MemoryFilter, k: int
    ) -> list[tuple[int, float]]:
        """(id, cosine similarity) best first. The filter is part of the index scan's query:
        pgvector 0.8's iterative scan (a session setting, db._settings) keeps reading the
        HNSW graph until k rows pass it; for a selective filter the planner may read the
        few matching rows exactly instead. The outer sort puts a relaxed order right."""
        conds, params = memory_conditions(flt, now())
        statement = f"""
            with near as materialized (
                select v.memory_id, v.embedding <=> %(q)s as distance
                from memory_vectors v join memories m on m.id = v.memory_id
                {where(conds)} order by distance limit %(k)s
            ) select memory_id, distance from near order by distance, memory_id
        """
        params.update(q=np.asarray(query, dtype=np.float32), k=k)

        rows = self._read(lambda c: c.execute(statement, params).fetchall())
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
