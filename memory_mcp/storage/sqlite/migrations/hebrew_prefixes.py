"""Step 20: a Hebrew word behind its one-letter prefixes is also held without them in both
keyword indexes (`בבית` as `בבית בית`), so `בית` finds it."""

from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import holds_form, rebuild_indexes

FORM_KEY = "keyword_hebrew"  # meta: the Hebrew rule the keyword indexes hold (the probe)
FORM = "prefixes"


def hebrew_prefixes(conn: Any) -> None:
    """policies.keyword_text now holds a Hebrew word behind its prefixes (`ו ש כש`, then
    `ב ל כ מ ה מה`) as written and without them, where three letters stay: `והספר`,
    `בבית` and `שהספר` never met `ספר` or `בית`. Both indexes are rebuilt from their views
    (which call the new rule): an index removes a row by the words it was given, so none
    may keep the old ones."""
    rebuild_indexes(conn, FORM_KEY, FORM)


def applied(conn: Any) -> bool:
    return holds_form(conn, FORM_KEY, FORM)
