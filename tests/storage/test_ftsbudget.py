"""The keyword leg's cost bound on large tables."""

import pytest

from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService
from memory_mcp.storage.sqlite import ftsbudget
from memory_mcp.storage.sqlite.fts import fts_query
from memory_mcp.storage.sqlite.ftsbudget import KeywordPlan, plan


def test_queries_within_budget_are_untouched() -> None:
    match = '"editor" OR "alice"'
    assert plan(match, [10, 20], budget=100) == KeywordPlan(match)


def test_commonest_terms_are_dropped_first() -> None:
    match = '"database" OR "kestrel 00042" OR "host"'
    assert plan(match, [900, 1, 50], budget=100) == KeywordPlan('"kestrel 00042" OR "host"')


def test_only_common_terms_rank_the_newest_rows() -> None:
    match = '"editor" OR "prefer"'
    assert plan(match, [300, 200], budget=100) == KeywordPlan(match, 0.2)


def test_store_applies_the_plan(service: MemoryService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ftsbudget, "POSTINGS_BUDGET", 4)
    service.remember_many([{"content": f"common words number {i}"} for i in range(10)])
    rare = service.remember("common words and a rare kestrel").id
    store, everything = service.store, MemoryFilter()
    match = fts_query("common kestrel")
    assert match is not None
    # "common" (11 documents) is dropped: only the rare term is ranked.
    assert [i for i, _ in store.search_fts(match, everything, 20)] == [rare]
    # Only common terms (22 matches for a budget of 4): the newest 4/22 of 11 rows are ranked.
    found = [i for i, _ in store.search_fts(fts_query("common words") or "", everything, 20)]
    assert sorted(found) == [rare - 1, rare]
