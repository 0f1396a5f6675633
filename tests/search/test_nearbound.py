"""A near-duplicate search through the bound (search/nearbound.py) finds every row the full
pass finds above the floor, with the same scores, as the copy changes; and it reads only a
few rows exactly."""

from datetime import timedelta

import numpy as np
import pytest

from memory_mcp.models import MemoryFilter
from memory_mcp.search import vecindex
from memory_mcp.search.nearbound import BOUND_FROM, NearBound
from memory_mcp.search.vecindex import VectorCache
from memory_mcp.timestamps import epoch_micros
from tests.search.test_vecindex import NOW, unit_rows

DIM = 192  # more than the bound keeps (BOUND_DIMS): a residual to bound
FLOOR = 0.9


def low_rank(rng: np.random.Generator, n: int, rank: int = 24) -> np.ndarray:
    """Rows near a subspace plus noise, as sentence vectors are: most of each row lies in
    a few directions, the rest spread thin."""
    return rng.normal(size=(n, rank)) @ rng.normal(size=(rank, DIM)) + 0.3 * rng.normal(
        size=(n, DIM)
    )


def near_queries(rng: np.random.Generator, vectors: np.ndarray, n: int) -> list[np.ndarray]:
    """Rewordings of stored rows (a little noise) and unrelated queries."""
    picked = vectors[rng.choice(len(vectors), n, replace=False)]
    queries = list(picked + rng.normal(scale=0.05, size=picked.shape) / np.sqrt(DIM))
    queries += list(rng.normal(size=(n, DIM)))
    return [(q / np.linalg.norm(q)).astype(np.float32) for q in queries]


def above(found: list[tuple[int, float]] | None, floor: float) -> list[tuple[int, float]]:
    assert found is not None
    return [(i, round(s, 5)) for i, s in found if s >= floor]


def assert_bound_finds_what_the_full_pass_does(
    cache: VectorCache, queries: list[np.ndarray], flt: MemoryFilter, now: object = NOW
) -> None:
    for q in queries:
        full = cache.search(q, flt, NOW, 5)
        bounded = cache.search(q, flt, NOW, 5, near_only=True, floor=FLOOR)
        assert above(bounded, FLOOR) == above(full, FLOOR)


def test_the_bound_finds_every_row_the_full_pass_finds_above_the_floor() -> None:
    rng = np.random.default_rng(11)
    vectors = low_rank(rng, BOUND_FROM + 500)
    rows = unit_rows(vectors, scopes=["main"] * (len(vectors) - 200) + ["side"] * 200)
    rows.hidden[::13] = True
    rows.expires[::17] = epoch_micros(NOW - timedelta(days=1))
    cache = VectorCache(DIM)
    cache.add(rows)
    queries = near_queries(rng, rows.vectors, 60)
    for flt in (MemoryFilter(scopes=["main"]), MemoryFilter(scopes=["side"], kind="note")):
        assert_bound_finds_what_the_full_pass_does(cache, queries, flt)
    assert cache._bound is not None  # the searches took it
    found = [len(cache._bound.candidates(q, len(cache), FLOOR)) for q in queries]
    assert sorted(found)[len(found) // 2] <= 20  # a few rows scored exactly, not thousands


def test_the_bound_follows_rows_added_changed_and_compacted_away() -> None:
    rng = np.random.default_rng(12)
    vectors = low_rank(rng, BOUND_FROM + 100)
    cache = VectorCache(DIM)
    cache.add(unit_rows(vectors, scopes=["main"] * len(vectors)))
    flt = MemoryFilter(scopes=["main"])
    queries = near_queries(rng, unit_rows(vectors).vectors, 20)
    assert_bound_finds_what_the_full_pass_does(cache, queries, flt)
    start = len(vectors) + 1
    elsewhere = low_rank(np.random.default_rng(99), 300)  # near another subspace: rows
    added = unit_rows(elsewhere, start=start, scopes=["main"] * 300)  # the basis fits badly
    cache.apply([], added, cache.head + 1)
    assert_bound_finds_what_the_full_pass_does(cache, near_queries(rng, added.vectors, 20), flt)
    dropped = list(range(1, 1500))  # past the compaction's threshold: rows move
    cache.apply(dropped, unit_rows(vectors[:0]), cache.head + 1)
    assert_bound_finds_what_the_full_pass_does(cache, queries, flt)
    for q in queries:
        found = cache.search(q, flt, NOW, 5, near_only=True, floor=FLOOR)
        assert found is not None and not {i for i, _ in found} & set(dropped)


@pytest.mark.parametrize("dims", [8, 192])
def test_no_row_above_the_floor_is_left_out(dims: int) -> None:
    """The bound's promise on its own: every row whose cosine reaches the floor is a
    candidate, whatever the rows (random ones fit no basis well)."""
    rng = np.random.default_rng(dims)
    rows = rng.normal(size=(3000, dims)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    bound = NearBound.fit(rows[:1000])
    bound.put(1000, rows[1000:])
    for q in [*rows[::150], *(rows[::97] + 0.2 * rng.normal(size=(31, dims)))]:
        q = (q / np.linalg.norm(q)).astype(np.float32)
        for floor in (0.5, 0.9, 0.99):
            reach = set(np.flatnonzero(rows @ q >= floor).tolist())
            assert reach <= set(bound.candidates(q, len(rows), floor).tolist())


def test_a_copy_grown_past_the_coarse_pass_lets_go_of_the_bound_and_the_kept_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past COARSE_FROM rows near searches take the coarse pass: what served them before
    (the bound, rows kept gathered for a scope) is no longer held."""
    monkeypatch.setattr(vecindex, "COARSE_FROM", BOUND_FROM + 1000)  # (20,000: slow to fit)
    rng = np.random.default_rng(13)
    dim, small = 2 * vecindex.COARSE_DIMS, BOUND_FROM + 500
    scopes = ["a"] * (small // 8) + ["b"] * (small - small // 8)
    cache = VectorCache(dim, compact=False)
    cache.add(unit_rows(rng.normal(size=(small, dim)), scopes=scopes))
    cache.prepare()
    assert cache.near_rows(MemoryFilter(scopes=["a"]), NOW) is not None  # kept gathered
    q = unit_rows(rng.normal(size=(1, dim))).vectors[0]
    b = MemoryFilter(scopes=["b"])
    assert cache.search(q, b, NOW, 5, near_only=True, floor=FLOOR) == []
    assert cache._bound is not None and cache._near_blocks.nbytes() > 0
    more = unit_rows(rng.normal(size=(1000, dim)), start=small + 1, scopes=["b"] * 1000)
    cache.apply([], more, cache.head + 1)
    assert cache.search(q, b, NOW, 5, near_only=True, floor=FLOOR) == []
    assert cache.near_rows(MemoryFilter(scopes=["a"]), NOW) is None
    assert cache._bound is None and cache._near_blocks.nbytes() == 0
