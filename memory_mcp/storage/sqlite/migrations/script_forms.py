"""Step 19: a word written with or without its marks, and an Arabic word behind its article
or with its suffix, are one word in both keyword indexes."""

from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import holds_form, rebuild_indexes

FORM_KEY = "keyword_scripts"  # meta: the script rules the keyword indexes hold (the probe)
FORM = "light10"


def script_forms(conn: Any) -> None:
    """policies.keyword_text now drops Hebrew niqqud, Arabic harakat and tatweel (FTS5 read
    each as a space, splitting the word), folds the letters written two ways (Arabic alef
    forms, `ى`, `ة`, Persian and Urdu `ی` `ک`, Greek accents) and holds Arabic words by
    their light stem: `قهوة` never found `القهوة`, `بالقهوة` or `للقهوة`. Both indexes are
    rebuilt from their views (which call the new rule): an index removes a row by the words
    it was given, so none may keep the old ones."""
    rebuild_indexes(conn, FORM_KEY, FORM)


def applied(conn: Any) -> bool:
    return holds_form(conn, FORM_KEY, FORM)
