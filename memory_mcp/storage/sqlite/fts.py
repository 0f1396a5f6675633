"""The keyword indexes' names, and FTS5 MATCH expressions that any user text is safe to produce."""

import functools

from memory_mcp.policies.keyword_text import search_words, searched, words
from memory_mcp.policies.text import STOPWORDS

# The keyword index is two FTS5 tables: visible memories (neither forgotten nor superseded),
# and the rest (migrations/visible.py made them; that released step spells them).
KEYWORD_INDEXES = ("memories_fts", "memories_fts_hidden")
MIN_ID = -(2**63)  # below every rowid


def quote(term: str) -> str:
    """An FTS5 string literal: double quotes, inner quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


# A recall reads its query's expression twice (the search, the terms' statistics): ~30 us.
@functools.lru_cache(maxsize=64)
def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression that any text is safe to produce: an OR of quoted terms.

    Stopwords are dropped (unless nothing else is left) so a question need not match every
    word. A chunk that the tokenizer splits (`Kestrel-00042`, `user.editor`) is also added
    as a quoted phrase, so the exact identifier outranks memories sharing only one part.
    Scripts written without spaces are searched as pairs of neighbouring units (a CJK
    character, a Thai letter with its signs), each a quoted phrase; `c++`, `c#` or `.net` as
    its own word (policies.keyword_text, whose rules the index's text follows).
    Returns None when the text has no searchable token at all.
    """
    looked_for = search_words(text)
    if not looked_for:
        return None
    content = [w for w in looked_for if w not in STOPWORDS] or looked_for
    terms = list(dict.fromkeys(content))
    phrases = []
    for chunk in searched(text).split():
        parts = words(chunk)
        if len(parts) > 1:
            phrases.append(" ".join(parts))
    return " OR ".join(quote(t) for t in dict.fromkeys(terms + phrases))
