"""Capped document counts of keyword terms, counted once per state of the database.

A recall needs the same counts twice, to fit its query to the ranking budget
(searching._fitted) and for its IDF mass (termstats.keyword_statistics), and questions share
their common words, whose counts walk the most postings (up to keyword_budget.count_cap()).
So counts are kept until the database changes: this connection's own writes move
`total_changes`, a commit by any other connection or process moves `pragma data_version`.
Inside a transaction nothing is kept: a count there may include rows that are rolled back.
"""

from collections.abc import Sequence

from memory_mcp.policies import keyword_budget
from memory_mcp.storage.sqlite.db import Connection, scalar

MAX_KEPT = 4_096  # distinct (index, term) counts kept before starting over


def _count(index: str) -> str:
    """A term's documents in one index, counted only as far as the cap."""
    return f"""
        select count(*) from (select 1 from {index} where {index} match :term limit :cap)
    """


class TermCounts:
    """Per connection (used under the store's lock, like the connection itself)."""

    def __init__(self) -> None:
        self._state: tuple[int, int] | None = None
        self._kept: dict[tuple[str, str, int], int] = {}

    def of(self, c: Connection, index: str, terms: Sequence[str]) -> list[int]:
        """The documents of `index` holding each (quoted FTS5) term, capped at count_cap()."""
        cap = keyword_budget.count_cap()
        if c.in_transaction:
            return [int(scalar(c, _count(index), {"term": t, "cap": cap})) for t in terms]
        state = (c.total_changes, int(scalar(c, "pragma data_version")))
        if state != self._state or len(self._kept) > MAX_KEPT:
            self._kept.clear()
            self._state = state
        counts = []
        for term in terms:
            key = (index, term, cap)
            if key not in self._kept:
                self._kept[key] = int(scalar(c, _count(index), {"term": term, "cap": cap}))
            counts.append(self._kept[key])
        return counts
