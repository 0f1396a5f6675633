"""The keyword leg's cost bound on large tables."""

from collections.abc import Callable
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.policies import keyword_budget
from memory_mcp.service import MemoryService
from memory_mcp.storage.sqlite.fts import fts_query
from memory_mcp.storage.sqlite.ftsbudget import KeywordPlan, plan
from tests.statements import sent
from tests.storage.rows import row


def test_queries_within_budget_are_untouched() -> None:
    match = '"editor" OR "alice"'
    assert plan(match, [10, 20], budget=100) == KeywordPlan(match)


def test_the_rarest_terms_matches_are_ranked_with_the_commonest_as_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    match = '"database" OR "kestrel 00042" OR "host"'
    kept = '"kestrel 00042" OR "host"'
    fitted = KeywordPlan(kept, rest='"database"', rare=kept)
    assert plan(match, [900, 1, 50], budget=100) == fitted
    assert fitted.arms() == {"both": f'({kept}) AND ("database")', "rare_only": kept}
    # Past RARE_BUDGET, a kept term's matches are ranked only beside a rarer or common term.
    monkeypatch.setattr(keyword_budget, "RARE_BUDGET", 10)
    tiered = KeywordPlan(kept, rest='"database"', rare='"kestrel 00042"', mid='"host"')
    assert plan(match, [900, 1, 50], budget=100) == tiered
    assert tiered.arms() == {
        "both": f'({kept}) AND ("database")',
        "rare_mid": '("kestrel 00042") AND ("host")',
        "rare_only": '("kestrel 00042") NOT ("host")',
    }


def test_only_common_terms_rank_the_newest_matches() -> None:
    match = '"editor" OR "prefer"'
    assert plan(match, [300, 200], budget=100) == KeywordPlan(match, newest=100)
    # Counts capped just past the budget plan the same way.
    assert plan(match, [101, 101], budget=100) == KeywordPlan(match, newest=100)


def test_store_applies_the_plan(service: MemoryService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyword_budget, "POSTINGS_BUDGET", 4)
    service.remember_many([{"content": f"common words number {i}"} for i in range(10)])
    rare = service.remember("common words and a rare kestrel").id
    store, everything = service.store, MemoryFilter()
    match = fts_query("common kestrel")
    assert match is not None
    # "common" (11 documents) is over the budget: only the rare term's match is ranked,
    # scored with both terms.
    assert [i for i, _ in store.search_fts(match, everything, 20)] == [rare]
    # Only common terms (11 documents each, budget 4): the 4 newest matches are ranked.
    found = [i for i, _ in store.search_fts(fts_query("common words") or "", everything, 20)]
    assert sorted(found) == [rare - 3, rare - 2, rare - 1, rare]


@pytest.mark.parametrize("far_id", [1_000_000, 2**63 - 1])
def test_the_bound_holds_for_sparse_and_huge_ids(
    service: MemoryService, monkeypatch: pytest.MonkeyPatch, far_id: int
) -> None:
    """Imports keep their ids: one far-off id must not hide the matches (issue 11, #11)."""
    monkeypatch.setattr(keyword_budget, "POSTINGS_BUDGET", 40)
    store, everything = service.store, MemoryFilter()
    dense = [x.id for x in store.insert_many([row(f"common word number {i}") for i in range(100)])]
    store.insert(row("an imported memory without it", id=far_id))
    found = [i for i, _ in store.search_fts('"common"', everything, 100)]
    assert sorted(found) == dense[-40:]  # the newest 40 matches, ranked
    # Past 2**63-1 SQLite picks new ids at random: the bound still ranks 40 matches.
    later = [x.id for x in store.insert_many([row(f"common word again {i}") for i in range(30)])]
    found = [i for i, _ in store.search_fts('"common"', everything, 100)]
    assert len(found) == 40 and set(found) <= set(dense + later)
    assert sorted(found) == sorted(dense + later)[-40:]


def test_each_keyword_index_ranks_its_own_newest_matches(
    service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Visible and hidden memories have separate indexes: newer forgotten rows must not
    narrow the visible window, and a search of both ranks each one's newest matches."""
    monkeypatch.setattr(keyword_budget, "POSTINGS_BUDGET", 40)
    store = service.store
    shown = [x.id for x in store.insert_many([row(f"common shown {i}") for i in range(100)])]
    gone = [x.id for x in store.insert_many([row(f"common gone {i}") for i in range(100)])]
    store.set_forgotten(gone, None)
    found = [i for i, _ in store.search_fts('"common"', MemoryFilter(), 200)]
    assert sorted(found) == shown[-40:]
    both = MemoryFilter(include_forgotten=True)
    found = [i for i, _ in store.search_fts('"common"', both, 200)]
    assert sorted(found) == shown[-40:] + gone[-40:]


def _counts_sent(service: MemoryService, action: Callable[[], Any]) -> int:
    """How many term counts `action` ran on the store's connection."""
    counting = "select count(*) from (select 1 from memories_fts"
    return sum(counting in statement for statement in sent(service, action))


@pytest.mark.sqlite_only
def test_a_recall_counts_each_term_once(service: MemoryService) -> None:
    """Fitting the query to the budget and its IDF mass need the same counts: once each."""
    service.remember_many([{"content": f"billing team decision number {i}"} for i in range(20)])
    assert _counts_sent(service, lambda: service.recall("what did the billing team decide")) == 3
    # Until the database changes, the same words are not counted again.
    assert _counts_sent(service, lambda: service.recall("billing team decide quickly")) == 1


@pytest.mark.sqlite_only
def test_kept_counts_follow_every_write(service: MemoryService, settings: Settings) -> None:
    store = service.store
    service.remember_many([{"content": f"kestrel note {i}"} for i in range(3)])
    assert store.keyword_statistics("kestrel")[1] == [3]
    service.remember("another kestrel note")  # this connection's write
    assert store.keyword_statistics("kestrel")[1] == [4]
    other = MemoryService.open(settings)  # another connection's commit
    try:
        other.remember("a kestrel from elsewhere")
    finally:
        other.close()
    assert store.keyword_statistics("kestrel")[1] == [5]
    service.forget([m.id for m in store.find(MemoryFilter())][:2], reason="test")
    assert store.keyword_statistics("kestrel")[1] == [3]  # the visible index lost two
