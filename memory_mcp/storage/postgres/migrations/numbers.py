"""Step 11: a hyphen before a digit is a space in the keyword column."""

from typing import Any

from memory_mcp.storage.postgres.migrations.initial import FTS_OF, LENGTH_OF
from memory_mcp.storage.postgres.migrations.keyword_words import keywords_function

SIGN = "-(?=[0-9])"  # a hyphen before a digit, which the parser reads as a minus sign


def numbers_after_hyphens(c: Any) -> None:
    """Step 11: a hyphen before a digit is a space, as FTS5 reads it. The parser read
    `CR-004211`, `2023-05-08` or `12-34` as a word and signed numbers (`-004211`, `-05`), so a
    search for 004211, 05 or 34 found nothing. Only rows holding such a hyphen are rewritten."""
    c.execute(keywords_function("create or replace", f"regexp_replace(t, '{SIGN}', ' ', 'g')"))
    held = " or ".join(f"{column} ~ '{SIGN}'" for column in ("content", "tags::text", "context"))
    c.execute(f"update memories set fts = {FTS_OF}, doc_len = {LENGTH_OF} where {held}")
