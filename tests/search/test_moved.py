"""Recall's feedback search, bounded by the first pass (search/moved.py): the same answer as a
full pass, for any state of the copy and any filter."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from memory_mcp.models import MemoryFilter
from memory_mcp.policies.feedback import feedback_query
from memory_mcp.search import vecindex
from memory_mcp.search.vecindex import VectorCache
from memory_mcp.service import MemoryService
from tests.search.test_vecindex import unit_rows

NOW = datetime(2026, 6, 1, tzinfo=UTC)
K = 40


def clustered(n: int, dim: int, seed: int) -> np.ndarray:
    """Rows around a few dozen centres, as sentence embeddings sit."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(30, dim))
    return centres[rng.integers(0, 30, n)] + rng.normal(scale=0.8, size=(n, dim))


def moved_from(cache: VectorCache, q: np.ndarray, flt: MemoryFilter) -> np.ndarray:
    """The query moved towards its three best hits, as recall moves it."""
    first = cache.search(q, flt, NOW, K)
    assert first is not None
    held = cache.vectors_of([mid for mid, _ in first[:3]])
    moved = feedback_query(q, [(held[mid], score) for mid, score in first[:3]])
    assert moved is not None
    return moved


def full_pass(cache: VectorCache, q: np.ndarray, flt: MemoryFilter) -> list[tuple[int, float]]:
    found = cache.search(q, flt, NOW, K)  # no origin: every row scored
    assert found is not None
    return found


def bounded_pass(
    cache: VectorCache, q: np.ndarray, flt: MemoryFilter, origin: np.ndarray
) -> list[tuple[int, float]]:
    found = cache.search(q, flt, NOW, K, origin=origin)
    assert found is not None
    return found


def same(a: list[tuple[int, float]], b: list[tuple[int, float]]) -> None:
    assert [s for _, s in a] == pytest.approx([s for _, s in b], abs=1e-6)
    assert {i for i, _ in a} == {i for i, _ in b}  # ties may swap places, never members


@pytest.fixture
def bounded(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each moved search was answered from the bound (True) or by a full pass."""
    answered: list[bool] = []
    real: Callable[..., Any] = vecindex.moved_top

    def spy(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        answered.append(found is not None)
        return found

    monkeypatch.setattr(vecindex, "moved_top", spy)
    return answered


@pytest.mark.parametrize("dim", [16, 384])
def test_the_bounded_search_finds_what_a_full_pass_finds(dim: int, bounded: list[bool]) -> None:
    rows = unit_rows(clustered(6_000, dim, seed=dim))
    cache = VectorCache(dim)
    cache.add(rows)
    rng = np.random.default_rng(3)
    for q in rows.vectors[rng.integers(0, 6_000, 40)] + rng.normal(scale=0.3, size=(40, dim)):
        q = (q / np.linalg.norm(q)).astype(np.float32)
        moved = moved_from(cache, q, MemoryFilter())
        expected = full_pass(cache, moved, MemoryFilter())
        cache.search(q, MemoryFilter(), NOW, K)  # the first pass again, as recall runs it
        same(bounded_pass(cache, moved, MemoryFilter(), q), expected)
    assert sum(bounded) >= 30  # the bound answered, not the fallback


def test_a_write_between_the_passes_is_seen(bounded: list[bool]) -> None:
    rows = unit_rows(clustered(3_000, 32, seed=5))
    cache = VectorCache(32)
    cache.add(rows)
    q = rows.vectors[10]
    moved = moved_from(cache, q, MemoryFilter())
    cache.search(q, MemoryFilter(), NOW, K)
    best = full_pass(cache, moved, MemoryFilter())[0][0]
    cache.search(q, MemoryFilter(), NOW, K)
    # Between the passes: the best row goes, and a row pointing exactly at `moved` arrives.
    cache.apply([best], unit_rows(moved[None, :].astype(np.float64), start=50_000), head=1)
    found = bounded_pass(cache, moved, MemoryFilter(), q)
    assert found[0] == (50_000, pytest.approx(1.0, abs=1e-5))
    assert best not in {i for i, _ in found}
    assert bounded == []  # that first pass was of another state: not even consulted


def test_another_filter_or_query_gets_a_full_pass(bounded: list[bool]) -> None:
    data = clustered(4_000, 32, seed=7)
    rows = unit_rows(data, scopes=["a", "b"] * 2_000)
    cache = VectorCache(32)
    cache.add(rows)
    q, other = rows.vectors[0], rows.vectors[1]
    only_b = MemoryFilter(scopes=["b"])
    moved = moved_from(cache, q, MemoryFilter())
    cache.search(q, MemoryFilter(), NOW, K)
    found = bounded_pass(cache, moved, only_b, q)  # first pass without the filter
    same(found, full_pass(cache, moved, only_b))
    assert {rows.scopes[i - 1] for i, _ in found} == {"b"}
    cache.search(other, MemoryFilter(), NOW, K)
    same(bounded_pass(cache, moved, MemoryFilter(), q), full_pass(cache, moved, MemoryFilter()))
    assert bounded == []  # neither pass was of q with that filter: not even consulted


def test_rows_longer_than_one_are_bounded_by_the_longest(bounded: list[bool]) -> None:
    """An embedder whose vectors are not unit length (the copy stores what it is given): the
    bound grows with the longest row, so a long row far from the query is still found."""
    rows = unit_rows(clustered(5_000, 16, seed=9))
    rng = np.random.default_rng(9)
    rows.vectors[:] *= rng.uniform(0.5, 3.0, size=(5_000, 1)).astype(np.float32)
    cache = VectorCache(16)
    cache.add(rows)
    for q in rows.vectors[rng.integers(0, 5_000, 20)]:
        q = (q / np.linalg.norm(q)).astype(np.float32)
        moved = moved_from(cache, q, MemoryFilter())
        expected = full_pass(cache, moved, MemoryFilter())
        cache.search(q, MemoryFilter(), NOW, K)
        same(bounded_pass(cache, moved, MemoryFilter(), q), expected)


def test_recall_asks_its_feedback_search_from_the_first_pass(
    service: MemoryService, bounded: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the service: the semantic leg's second search hands over the query it moved
    from, and the hits are those of a recall that scores every row again."""
    words = ["apple", "pear", "plum", "fig", "kiwi", "lime", "date", "grape", "melon", "peach"]
    rng = np.random.default_rng(11)
    items = [{"content": " ".join(rng.choice(words, 4)) + f" note {i}"} for i in range(1_500)]
    service.remember_many(items)
    service.semantic.load_cache()
    query = "which notes mention plum and fig"
    found = service.recall(query, 8)
    assert bounded  # the bound was consulted
    bounded.clear()
    monkeypatch.setattr(vecindex, "moved_top", lambda *_, **__: None)  # a full pass again
    again = service.recall(query, 8)
    assert [(h.id, h.score) for h in found.hits] == [(h.id, h.score) for h in again.hits]
