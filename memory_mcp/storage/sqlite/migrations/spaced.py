"""Step 8: unspaced scripts indexed one character a word; tags as words."""

from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import (
    FTS_INDEXES,
    SPACED_FUNCTION,
    TAG_WORDS_FUNCTION,
    fts_statements,
)


def spaced_keyword_index(conn: Any) -> None:
    """Both keyword indexes hold the text of unspaced scripts (Chinese, Japanese, Korean)
    one character a word (policies.text.spaced), so a word is found inside a sentence: FTS5
    took a whole run of such characters, often a sentence, as one word. Tags are indexed as
    their words, no longer as JSON (which hid every tag with a non-ASCII character)."""
    for index, negate in FTS_INDEXES:
        for trigger in ("ai", "ad", "au"):
            conn.execute(f"drop trigger {index}_{trigger}")
        conn.execute(f"drop table {index}")
        conn.execute(f"drop view {index}_source")
        for statement in fts_statements(index, negate, (SPACED_FUNCTION, TAG_WORDS_FUNCTION)):
            conn.execute(statement)
        conn.execute(f"insert into {index} ({index}, rank) values ('secure-delete', 1)")
