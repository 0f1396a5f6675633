"""FTS5 query building (fts.py): any text gives a query FTS5 accepts (no memory database)."""

from collections.abc import Iterator

import pytest
import sqlean
from hypothesis import given
from hypothesis import strategies as st

from memory_mcp.storage.sqlite.fts import fts_query, quote

HOSTILE = [
    """" AND OR NEAR( * - : '""",
    "NOT a OR b AND c",
    'say "hello" -world',
    "col:value ^start NEAR(a b, 3) {x y}",
    "user.editor Kestrel-00042 don't",
    "émigré naïve straße 東京",
]


@pytest.fixture
def fts() -> Iterator[sqlean.Connection]:
    conn = sqlean.connect(":memory:")
    conn.execute("create virtual table docs using fts5(content, tokenize='porter unicode61')")
    conn.executemany(
        "insert into docs (content) values (?)",
        [(text,) for text in HOSTILE] + [("the editor is vim",), ("near the river",)],
    )
    yield conn
    conn.close()


def match(conn: sqlean.Connection, query: str) -> list[str]:
    rows = conn.execute(
        "select content from docs where docs match ? order by bm25(docs)", (query,)
    ).fetchall()
    return [row[0] for row in rows]


# -- fts_query ---------------------------------------------------------------------------------


def test_quote_doubles_inner_quotes() -> None:
    assert quote('say "hi"') == '"say ""hi"""'


def test_query_is_an_or_of_quoted_content_words() -> None:
    assert fts_query("What is the editor of the user?") == '"editor" OR "user"'


def test_only_stopwords_are_kept_when_nothing_else_is_left() -> None:
    assert fts_query("what is it") == '"what" OR "is" OR "it"'


def test_text_without_tokens_gives_none() -> None:
    assert fts_query("  -- ?! ") is None
    assert fts_query("") is None


def test_split_identifier_is_added_as_a_phrase() -> None:
    assert fts_query("Kestrel-00042") == '"kestrel" OR "00042" OR "kestrel 00042"'


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_gives_a_query_fts5_accepts(fts: sqlean.Connection, text: str) -> None:
    query = fts_query(text)
    assert query is not None
    assert text in match(fts, query)


def test_operator_words_are_searched_as_words(fts: sqlean.Connection) -> None:
    query = fts_query("NEAR")
    assert query is not None
    assert "near the river" in match(fts, query)


@given(st.text(max_size=60))
def test_any_text_gives_none_or_a_valid_query(text: str) -> None:
    query = fts_query(text)
    if query is None:
        return
    conn = sqlean.connect(":memory:")
    conn.execute("create virtual table docs using fts5(content, tokenize='porter unicode61')")
    conn.execute("select * from docs where docs match ?", (query,)).fetchall()
    conn.close()
