"""Step 19: a word written with or without its marks, and an Arabic word behind its article
or with its suffix, are one word in the keyword column."""

from typing import Any

from memory_mcp.policies.keyword_text import (
    ARABIC_LETTERS,
    FOLDED_SCRIPTS,
    IGNORED,
    LETTERS,
    MARKS,
    bracket,
    stem_patterns,
)
from memory_mcp.storage.postgres.migrations.fast_keywords import HELD
from memory_mcp.storage.postgres.migrations.initial import FTS_OF, LENGTH_OF
from memory_mcp.storage.postgres.migrations.keyword_words import (
    UNIT,
    fold_accents,
    folds,
    identifiers,
)
from memory_mcp.storage.postgres.migrations.numbers import SIGN
from memory_mcp.storage.postgres.migrations.spaced import PUNCTUATION
from memory_mcp.storage.postgres.migrations.text_forms import NON_ASCII

_FORM = f"normalize(regexp_replace(t, '[{bracket(IGNORED, escape=True)}]', '', 'g'), nfkc)"


def _by_block() -> str:
    """PL/pgSQL dropping the marks and folding the letters of each block the text holds:
    translate() looks each character up in its list one by one, so a list per block keeps
    an Arabic text's from running through every Greek letter."""
    steps = []
    for lo, hi in FOLDED_SCRIPTS:
        marks = tuple((a, b) for a, b in MARKS if lo <= a and b <= hi)
        pairs = [(a, b) for a, b in LETTERS if lo <= ord(a) <= hi]
        body = "f"
        if marks:
            body = f"regexp_replace({body}, '[{bracket(marks, escape=True)}]', '', 'g')"
        if pairs:
            letters, into = ("".join(pair[i] for pair in pairs) for i in (0, 1))
            body = f"translate({body}, '{letters}', '{into}')"
        block = bracket(((lo, hi),), escape=True)
        steps.append(f"if f ~ '[{block}]' then f := {body}; end if;")
    return "\n            ".join(steps)


# policies.keyword_text.folded: step 16's, then in a text of the scripts step 19 folds, the
# marks dropped and the letters folded (a digit folded after a hyphen is step 11's too).
_FOLDS = f"""
    create or replace function memory_folds(t text) returns text language plpgsql
    immutable as $$
    declare f text;
    begin
        if t !~ '{NON_ASCII}' then return t; end if;
        f := {folds(f"regexp_replace({_FORM}, '{SIGN}', ' ', 'g')")};
        if f ~ '[{bracket(FOLDED_SCRIPTS, escape=True)}]' then
            {_by_block()}
            f := regexp_replace(f, '{SIGN}', ' ', 'g');
        end if;
        return f;
    end $$
"""
_STEPS = "\n".join(
    f"        t := regexp_replace(t, '{pattern}', '', 'g');"
    for pattern in stem_patterns(escape=True)
)
# policies.keyword_text.stemmed.
_STEMS = f"""
    create or replace function memory_stems(t text) returns text language plpgsql
    immutable as $$
    begin
        if t !~ '[{bracket(ARABIC_LETTERS, escape=True)}]' then return t; end if;
{_STEPS}
        return t;
    end $$
"""
# Step 14's memory_keywords, the folded text stemmed.
_KEYWORDS = f"""
    create or replace function memory_keywords(t text) returns text language plpgsql
    immutable as $$
    declare f text := memory_stems(memory_folds(regexp_replace(t, '{SIGN}', ' ', 'g')));
    begin
        return regexp_replace(regexp_replace(
            case when f ~ '{HELD}' then {fold_accents(identifiers("f"))}
                 else {identifiers("f")} end,
            '({UNIT})', ' \\1 ', 'g'), '{PUNCTUATION}', ' ', 'g') || ' ' || memory_unit_pairs(f);
    end $$
"""


def script_forms(c: Any) -> None:
    """SQLite's step 19: Hebrew niqqud, Arabic harakat and tatweel are dropped, the letters
    written two ways folded (Arabic alef forms, `ى`, `ة`, Persian and Urdu `ی` `ک`, Greek
    accents) in the column and in every search (memory_folds), and the column holds Arabic
    words by their light stem (memory_stems; a search's words come stemmed from Python):
    `قهوة` never found `القهوة`, `بالقهوة` or `للقهوة`. Only rows holding non-ASCII text
    are rewritten (the others' words are the same)."""
    for statement in (_FOLDS, _STEMS, _KEYWORDS):
        c.execute(statement)
    held = " or ".join(f"{col} ~ '{NON_ASCII}'" for col in ("content", "tags::text", "context"))
    c.execute(f"update memories set fts = {FTS_OF}, doc_len = {LENGTH_OF} where {held}")


def applied(c: Any) -> bool:
    row = c.execute(
        "select prosrc from pg_proc where oid = to_regproc('memory_keywords')"
    ).fetchone()
    return row is not None and "memory_stems(" in str(row["prosrc"])
