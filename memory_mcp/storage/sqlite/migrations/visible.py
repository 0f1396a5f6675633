"""Step 4: two keyword indexes, visible memories and the rest."""

from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import FTS_INDEXES, fts_statements


def visible_keyword_index(conn: Any) -> None:
    """Two keyword indexes: `memories_fts` holds the visible memories (neither forgotten nor
    superseded) and `memories_fts_hidden` the rest, so hidden rows no longer shape the bm25
    statistics (document counts, lengths) that rank the visible ones."""
    for statement in _STATEMENTS:
        conn.execute(statement)


_STATEMENTS = [
    "drop trigger memories_fts_ai",
    "drop trigger memories_fts_ad",
    "drop trigger memories_fts_au",
    "drop table memories_fts",
    "drop view memories_fts_source",
    *(s for index, negate in FTS_INDEXES for s in fts_statements(index, negate)),
]
