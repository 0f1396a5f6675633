"""Step 14: PostgreSQL's (faster keyword functions); nothing to do on SQLite."""

from typing import Any


def fast_keywords(conn: Any) -> None:
    """Step 14 is PostgreSQL's (its keyword functions, rewritten for speed, give the same
    words); FTS5's tokenizer is not SQL: nothing to do."""
