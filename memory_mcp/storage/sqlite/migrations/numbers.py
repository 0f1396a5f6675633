"""Step 11: PostgreSQL's (numbers after hyphens); nothing to do on SQLite."""

from typing import Any


def numbers_after_hyphens(conn: Any) -> None:
    """Step 11 is PostgreSQL's (its parser read a hyphen before a digit as a minus sign, so
    `CR-004211` did not hold 004211); FTS5 always read that hyphen as a space: nothing to do."""
