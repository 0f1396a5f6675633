"""The keyword leg's cost bound, shared by both backends."""

from memory_mcp.policies.keyword_budget import count_cap, fit


def test_terms_within_the_budget_are_all_ranked() -> None:
    assert fit([10, 20, 30], budget=100) == ([0, 1, 2], False)


def test_the_rarest_terms_that_fit_are_kept_in_query_order() -> None:
    # 900 is over the budget on its own; 50 + 1 fit; the positions keep the query's order.
    assert fit([900, 1, 50], budget=100) == ([1, 2], False)
    assert fit([60, 30, 30, 5], budget=100) == ([1, 2, 3], False)


def test_only_common_terms_rank_the_newest_matches() -> None:
    assert fit([300, 200], budget=100) == ([0, 1], True)
    cap = count_cap(100)  # counts stopped at the cap plan the same as exact ones
    assert fit([cap, cap], budget=100) == fit([5_000, 7_000], budget=100)
