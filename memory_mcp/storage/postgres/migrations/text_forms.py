"""Step 16: one word in any Unicode form is one word in the keyword column."""

from typing import Any

from memory_mcp.policies.keyword_text import IGNORED, bracket
from memory_mcp.storage.postgres.migrations.initial import FTS_OF, LENGTH_OF
from memory_mcp.storage.postgres.migrations.keyword_words import folds
from memory_mcp.storage.postgres.migrations.numbers import SIGN

NON_ASCII = "[^\\u0001-\\u007f]"
_FORM = f"normalize(regexp_replace(t, '[{bracket(IGNORED, escape=True)}]', '', 'g'), nfkc)"
# policies.keyword_text.folded; a hyphen NFKC makes of a full-width one before a digit is a
# space, as step 11 made the others (memory_keywords read them before this function).
_FOLDS = f"""
    create or replace function memory_folds(t text) returns text language sql immutable as $$
    select case when t ~ '{NON_ASCII}'
        then {folds(f"regexp_replace({_FORM}, '{SIGN}', ' ', 'g')")} else t end
    $$
"""


def text_forms(c: Any) -> None:
    """SQLite's step 16: the characters invisible inside a word are dropped and the text is
    NFKC-normalised (policies.keyword_text.folded) in the column and in every search, so NFD
    `café`, full-width `Ｐｏｓｔｇｒｅｓ` and `pass<ZWSP>phrase` are the words a search for
    `café`, `postgres` or `passphrase` looks for. Only rows holding non-ASCII text are
    rewritten (the others' words are the same)."""
    c.execute(_FOLDS)
    held = " or ".join(f"{col} ~ '{NON_ASCII}'" for col in ("content", "tags::text", "context"))
    c.execute(f"update memories set fts = {FTS_OF}, doc_len = {LENGTH_OF} where {held}")


def applied(c: Any) -> bool:
    row = c.execute("select prosrc from pg_proc where oid = to_regproc('memory_folds')").fetchone()
    return row is not None and "normalize(" in str(row["prosrc"])
