"""The definition of SQLite's two keyword indexes, as the schema steps (migrations/) make it:
a view of the text each indexes, the FTS5 table over it, and the triggers keeping it in step."""

import json
from collections.abc import Callable
from typing import Any

# "8 May 2023" from an ISO-8601 time: the FTS index cannot call Python.
_DATE_WORDS = """
    case when {t} is null then '' else
        cast(cast(strftime('%d', {t}) as integer) as text) || ' ' ||
        case strftime('%m', {t})
            when '01' then 'January' when '02' then 'February' when '03' then 'March'
            when '04' then 'April' when '05' then 'May' when '06' then 'June'
            when '07' then 'July' when '08' then 'August' when '09' then 'September'
            when '10' then 'October' when '11' then 'November' when '12' then 'December'
        end || ' ' || strftime('%Y', {t})
    end
"""


def indexed_context(row: str) -> str:
    """The FTS `context` column of a `memories` row: its context, then its event date."""
    date_words = _DATE_WORDS.format(t=f"{row}.occurred_at")
    return f"trim(coalesce({row}.context, '') || ' ' || {date_words})"


_VISIBLE_ROW = "{r}.forgotten_at is null and {r}.superseded_by is null"
FTS_INDEXES = (("memories_fts", ""), ("memories_fts_hidden", "not "))

# Registered on every connection (db.connect) under these names: step 8's text of a column
# (policies.text.spaced) and of a JSON list of tags (its words joined by spaces); step 9's
# (policies.keyword_text.indexed) of each.
SPACED_FUNCTION = "memory_mcp_spaced"
TAG_WORDS_FUNCTION = "memory_mcp_tag_words"
KEYWORDS_FUNCTION = "memory_mcp_keywords"
TAG_KEYWORDS_FUNCTION = "memory_mcp_tag_keywords"
PLAIN_TOKENIZER = "'porter unicode61'"


def fts_statements(
    index: str,
    negate: str,
    functions: tuple[str, str] | None = None,
    tokenize: str = PLAIN_TOKENIZER,
) -> list[str]:
    """The source view, FTS5 table and triggers of one keyword index: a row is in it while
    `negate` + visible holds; an update moves it between the two. `functions` (step 8 on):
    the text and tags functions each column's text goes through (the tags as words: their
    JSON escapes every non-ASCII character, `café` was indexed as `caf`, `u00e9`)."""
    source = f"{index}_source"

    def columns(row: str) -> str:
        if functions is None:
            return f"{row}.content, {row}.tags, {indexed_context(row)}"
        text, tags = functions
        return f"{text}({row}.content), {tags}({row}.tags), {text}({indexed_context(row)})"

    def when(row: str) -> str:
        return f"{negate}({_VISIBLE_ROW.format(r=row)})"

    def add(row: str) -> str:
        return f"""insert into {index} (rowid, content, tags, context)
            select {row}.id, {columns(row)}
            where {when(row)};"""

    def remove(row: str) -> str:
        return f"""insert into {index} ({index}, rowid, content, tags, context)
            select 'delete', {row}.id, {columns(row)}
            where {when(row)};"""

    return [
        f"""
        create view {source} (id, content, tags, context) as
        select m.id, {columns("m")} from memories m where {when("m")}
        """,
        f"""
        create virtual table {index} using fts5 (
            content, tags, context,
            content = '{source}', content_rowid = 'id',
            tokenize = {tokenize}
        )
        """,
        f"create trigger {index}_ai after insert on memories begin {add('new')} end",
        f"create trigger {index}_ad after delete on memories begin {remove('old')} end",
        f"""
        create trigger {index}_au after update of
            content, tags, context, occurred_at, forgotten_at, superseded_by
        on memories begin {remove("old")} {add("new")} end
        """,
        f"insert into {index} ({index}) values ('rebuild')",
    ]


# The registered functions' bodies (db.connect gives them the policies' rules): NULL and
# anything not text pass through as they are.
def text_function(words: Callable[[str], str]) -> Callable[[str | None], str | None]:
    """A text's indexed words (anything else as it is)."""

    def text(value: str | None) -> str | None:
        return words(value) if isinstance(value, str) else value

    return text


def tags_function(words: Callable[[str], str]) -> Callable[[str | None], str | None]:
    """A JSON list of tags as indexed words, joined by spaces (anything else as it is)."""

    def tags(value: str | None) -> str | None:
        if not isinstance(value, str):
            return value
        try:
            found = json.loads(value)
        except ValueError:
            return words(value)
        if not isinstance(found, list):
            return words(value)
        return words(" ".join(str(w) for w in found))

    return tags


def rebuild_indexes(conn: Any, probe: str, form: str) -> None:
    """A keyword rule changed: both indexes rebuilt from their views (which call the new
    rule; an index removes a row by the words it was given, so none may keep the old ones),
    and meta's `probe` set to `form`, what holds_form() reads to tell the step is done."""
    for index, _ in FTS_INDEXES:
        conn.execute(f"insert into {index} ({index}) values ('rebuild')")
    conn.execute(
        "insert into meta (key, value) values (:k, :v) on conflict (key) do update set value = :v",
        {"k": probe, "v": form},
    )


def holds_form(conn: Any, probe: str, form: str) -> bool:
    """Whether the keyword indexes were rebuilt for `form` (rebuild_indexes)."""
    row = conn.execute("select value from meta where key = :k", {"k": probe}).fetchone()
    return row is not None and row[0] == form
