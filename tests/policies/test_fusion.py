"""Pure tests of fusion.py: blending the keyword and semantic rankings."""

import pytest

from memory_mcp.policies.fusion import (
    COSINE_FULL,
    FLOOR_MIN_COSINE,
    evidence,
    fuse,
    idf,
    query_mass,
)


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


def test_a_keyword_match_on_a_small_part_of_the_query_is_weak_evidence() -> None:
    # Memory 1 matches one incidental word of a long question (BM25 2.0 of a query whose
    # terms' IDF add up to 12); min-max over the candidates alone made it the keyword leg's
    # full 1.0 and put it above the semantic leg's clear best.
    keyword = [(1, 2.0), (3, 0.5)]
    semantic = [(2, 0.6), (1, 0.3), (4, 0.2)]
    assert ids(fuse(keyword, semantic, keyword_mass=12.0))[0] == 2


def test_a_keyword_match_on_most_of_the_query_keeps_its_full_weight() -> None:
    keyword = [(1, 2.0), (3, 0.5)]
    semantic = [(2, 0.6), (1, 0.3), (4, 0.2)]
    assert fuse(keyword, semantic, keyword_mass=3.0) == fuse(keyword, semantic)
    assert ids(fuse(keyword, semantic, keyword_mass=3.0))[0] == 1


def test_query_mass_adds_the_idf_of_each_term() -> None:
    assert query_mass(0, []) == 0.0
    assert query_mass(100, [1, 1]) == pytest.approx(2 * idf(100, 1))
    assert idf(100, 1) > idf(100, 10) > idf(100, 60) > 0.0  # never negative, however common
    assert idf(3, 5) > 0.0  # a count read while others write may exceed the total


def test_evidence_is_absolute_per_leg() -> None:
    # A lone candidate is 1.0 after min-max; evidence says how strong it is on its own.
    assert evidence([], [(1, FLOOR_MIN_COSINE)], 0.0) == pytest.approx(0.0)
    assert evidence([], [(1, COSINE_FULL)], 0.0) == pytest.approx(1.0)
    half = (FLOOR_MIN_COSINE + COSINE_FULL) / 2
    assert evidence([], [(1, half), (2, 0.1)], 0.0) == pytest.approx(0.5)
    # Keyword: the best score as a share of KEYWORD_FULL_SHARE of the query's IDF mass.
    assert evidence([(1, 1.0)], [], 4.0) == pytest.approx(0.5)
    assert evidence([(1, 3.0)], [], 4.0) == pytest.approx(1.0)
    assert evidence([(1, 1.0)], [(1, 0.9)], 4.0) == pytest.approx(1.0)  # the stronger leg
    assert evidence([(1, 1.0)], [], 0.0) == pytest.approx(1.0)  # no mass known
    assert evidence([], [], 0.0) == 0.0
