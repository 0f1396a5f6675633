"""Step 9: the keyword indexes hold policies.keyword_text.indexed's words."""

from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import (
    FTS_INDEXES,
    KEYWORDS_FUNCTION,
    TAG_KEYWORDS_FUNCTION,
    fts_statements,
)


def keyword_words(conn: Any) -> None:
    """Both keyword indexes hold the text as policies.keyword_text.indexed makes it (the
    same rules as PostgreSQL's step 9): Turkish, German and Greek case traps folded,
    identifiers such as `c++`, `c#`, `.net`, `node.js` as words of their own, and Thai, Lao,
    Khmer and Burmese split into letters with their signs, which FTS5 must keep in a word
    (tokenchars: unicode61 read the signs as separators)."""
    from memory_mcp.policies.keyword_text import cluster_chars

    tokenize = f"\"porter unicode61 tokenchars '{cluster_chars()}'\""
    functions = (KEYWORDS_FUNCTION, TAG_KEYWORDS_FUNCTION)
    for index, negate in FTS_INDEXES:
        for trigger in ("ai", "ad", "au"):
            conn.execute(f"drop trigger {index}_{trigger}")
        conn.execute(f"drop table {index}")
        conn.execute(f"drop view {index}_source")
        for statement in fts_statements(index, negate, functions, tokenize):
            conn.execute(statement)
        conn.execute(f"insert into {index} ({index}, rank) values ('secure-delete', 1)")
