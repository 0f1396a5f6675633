"""What the keyword leg's scores are measured against: how many memories the visible keyword
index holds, and how many contain each search term of a query (policies/fusion.py turns these
into the query's IDF mass, the score a memory matching every term would get)."""

from memory_mcp.storage.sqlite import ftsbudget
from memory_mcp.storage.sqlite.base import SqliteBase
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.storage.sqlite.fts import KEYWORD_INDEXES, fts_query

_INDEX = KEYWORD_INDEXES[0]  # visible memories: the statistics their ranking uses
_AVERAGES_ROWID = 1  # FTS5's record of the row count and column sizes, in its %_data table


def _varint(blob: bytes) -> int:
    """The first SQLite varint of `blob` (big-endian 7-bit groups; a 9th byte is whole)."""
    value = 0
    for i, byte in enumerate(blob[:9]):
        if i == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value
    return value


class SqliteTermStats(SqliteBase):
    def keyword_statistics(self, query: str) -> tuple[int, list[int]]:
        """(memories in the visible keyword index, memories containing each search term of
        `query`); counts stop at keyword_budget.count_cap(), past which a term carries no
        weight anyway. (0, []) when the query has no searchable word."""
        match = fts_query(query)
        if match is None:
            return 0, []

        def read(c: Connection) -> tuple[int, list[int]]:
            row = c.execute(
                f"select block from {_INDEX}_data where id = ?", (_AVERAGES_ROWID,)
            ).fetchone()
            total = 0 if row is None or not row[0] else _varint(bytes(row[0]))
            return total, self._term_counts.of(c, _INDEX, ftsbudget.terms(match))

        return self._read(read)
