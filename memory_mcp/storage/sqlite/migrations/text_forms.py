"""Step 16: one word in any Unicode form is one word in both keyword indexes."""

from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import holds_form, rebuild_indexes

FORM_KEY = "keyword_form"  # meta: the form the keyword indexes hold (this step's probe)
FORM = "nfkc"


def text_forms(conn: Any) -> None:
    """policies.keyword_text.folded now drops the characters invisible inside a word (zero-width
    space, joiners, soft hyphen, bidi marks) and NFKC-normalises: NFD `café`, full-width
    `Ｐｏｓｔｇｒｅｓ` and `pass<ZWSP>phrase` were words a search for `café`, `postgres` or
    `passphrase` never met. Both indexes are rebuilt from their views (which call the new
    rule): an index removes a row by the words it was given, so none may keep the old ones."""
    rebuild_indexes(conn, FORM_KEY, FORM)


def applied(conn: Any) -> bool:
    return holds_form(conn, FORM_KEY, FORM)
