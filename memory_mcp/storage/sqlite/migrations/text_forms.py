"""Step 16: one word in any Unicode form is one word in both keyword indexes."""

from typing import Any

from memory_mcp.storage.sqlite.keyword_schema import FTS_INDEXES

FORM_KEY = "keyword_form"  # meta: the form the keyword indexes hold (this step's probe)
FORM = "nfkc"


def text_forms(conn: Any) -> None:
    """policies.keyword_text.folded now drops the characters invisible inside a word (zero-width
    space, joiners, soft hyphen, bidi marks) and NFKC-normalises: NFD `café`, full-width
    `Ｐｏｓｔｇｒｅｓ` and `pass<ZWSP>phrase` were words a search for `café`, `postgres` or
    `passphrase` never met. Both indexes are rebuilt from their views (which call the new
    rule): an index removes a row by the words it was given, so none may keep the old ones."""
    for index, _ in FTS_INDEXES:
        conn.execute(f"insert into {index} ({index}) values ('rebuild')")
    conn.execute(
        "insert into meta (key, value) values (:k, :v) on conflict (key) do update set value = :v",
        {"k": FORM_KEY, "v": FORM},
    )


def applied(conn: Any) -> bool:
    row = conn.execute("select value from meta where key = :k", {"k": FORM_KEY}).fetchone()
    return row is not None and row[0] == FORM
