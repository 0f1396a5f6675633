"""Pure tests of search.py: FTS5 query building and score fusion (no memory database)."""

from collections.abc import Iterator

import pytest
import sqlean
from hypothesis import given
from hypothesis import strategies as st

from memory_mcp.policies.search import fts_query, fuse, quote

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


# -- fuse --------------------------------------------------------------------------------------


def ids(ranked: list[tuple[int, float]]) -> list[int]:
    return [memory_id for memory_id, _ in ranked]


def test_empty_inputs_give_nothing() -> None:
    assert fuse([], []) == []


def test_keyword_only_keeps_bm25_order() -> None:
    keyword = [(3, 9.0), (1, 4.0), (7, 3.9), (2, 0.5)]
    ranked = fuse(keyword, [])
    assert ids(ranked) == [3, 1, 7, 2]
    assert ranked[0][1] == pytest.approx(1.0)


def test_semantic_only_keeps_cosine_order() -> None:
    assert ids(fuse([], [(5, 0.8), (6, 0.7), (4, 0.2)])) == [5, 6, 4]


def test_strong_in_both_outranks_strong_in_one() -> None:
    keyword = [(1, 10.0), (2, 9.5), (3, 1.0)]
    semantic = [(4, 0.9), (2, 0.88), (5, 0.3)]
    ranked = fuse(keyword, semantic)
    assert ids(ranked)[0] == 2
    assert set(ids(ranked)) == {1, 2, 3, 4, 5}


def test_scores_lie_between_zero_and_one() -> None:
    ranked = fuse([(1, 8.0), (2, 3.0)], [(1, 0.9), (3, 0.1)])
    assert ranked[0] == (1, pytest.approx(1.0))
    assert all(0.0 <= score <= 1.0 for _, score in ranked)


def test_clear_keyword_winner_survives_a_flat_semantic_list() -> None:
    # Rank fusion puts 1 third (it is last in the semantic list); score fusion sees that 1 is
    # far ahead on keywords while the semantic scores barely differ.
    keyword = [(1, 20.0), (2, 5.0), (3, 4.0)]
    semantic = [(3, 0.51), (2, 0.50), (4, 0.495), (5, 0.492), (1, 0.49)]
    assert ids(fuse(keyword, semantic))[0] == 1


def test_keyword_weight_moves_the_balance() -> None:
    keyword = [(1, 5.0), (2, 1.0)]
    semantic = [(2, 0.9), (1, 0.1)]
    assert ids(fuse(keyword, semantic, keyword_weight=0.8)) == [1, 2]
    assert ids(fuse(keyword, semantic, keyword_weight=0.2)) == [2, 1]


def test_ties_keep_keyword_order_then_semantic_order() -> None:
    ranked = fuse([(8, 2.0), (9, 2.0)], [(6, 0.5), (5, 0.5)], keyword_weight=0.5)
    assert ids(ranked) == [8, 9, 6, 5]
