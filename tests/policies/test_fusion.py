"""Pure tests of fusion.py: blending the keyword and semantic rankings."""

import pytest

from memory_mcp.policies.fusion import fuse


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
