"""The in-memory copy of the vector index: same answers as sqlite-vec, kept in step by vec_log."""

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memory_mcp.models import MemoryFilter
from memory_mcp.search import vecfile, vecindex
from memory_mcp.search.vecindex import VectorCache
from memory_mcp.service import MemoryService
from memory_mcp.storage.contract import VectorRows
from memory_mcp.storage.sqlite import vectors
from memory_mcp.timestamps import NEVER
from tests.conftest import FakeEmbedder

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def unit_rows(vecs: np.ndarray, start: int = 1, **columns: list[str]) -> VectorRows:
    n = len(vecs)
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    return VectorRows(
        ids=np.arange(start, start + n, dtype=np.int64),
        vectors=vecs,
        scopes=columns.get("scopes", ["global"] * n),
        kinds=columns.get("kinds", ["note"] * n),
        hidden=np.zeros(n, bool),
        at=np.full(n, 0, np.int64),
        expires=np.full(n, NEVER, np.int64),
    )


def exact(rows: VectorRows, q: np.ndarray, k: int) -> list[int]:
    sims = rows.vectors @ q
    return [int(rows.ids[i]) for i in np.argsort(-sims, kind="stable")[:k]]


def test_exact_search_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    rows = unit_rows(rng.normal(size=(300, 16)))
    cache = VectorCache(16)
    cache.add(rows)
    q = rows.vectors[7]
    found = cache.search(q, MemoryFilter(), NOW, 10)
    assert found is not None
    assert [i for i, _ in found] == exact(rows, q, 10)
    assert found[0] == (8, pytest.approx(1.0))


def test_coarse_pass_keeps_recall_and_applies_filters_inside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vecindex, "COARSE_FROM", 1_000)
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(40, 384))
    noise = rng.normal(scale=0.6, size=(6_000, 384))
    data = centers[rng.integers(0, 40, 6_000)] + noise
    scopes = ["bulk"] * 5_997 + ["rare"] * 3
    rows = unit_rows(data, scopes=scopes)
    cache = VectorCache(384)
    cache.add(rows)
    assert cache._ensure_basis()
    hits = []
    for q in rows.vectors[rng.integers(0, 6_000, 30)] + 0.1:
        q = q / np.linalg.norm(q)
        found = cache.search(q, MemoryFilter(), NOW, 10)
        assert found is not None
        hits.append(len({i for i, _ in found} & set(exact(rows, q, 10))) / 10)
    assert np.mean(hits) >= 0.98
    # A selective filter is applied before the top-k is taken, not after: the three rows of
    # "rare" come back however far they are from the query.
    found = cache.search(rows.vectors[0], MemoryFilter(scopes=["rare"]), NOW, 10)
    assert found is not None and sorted(i for i, _ in found) == [5_998, 5_999, 6_000]
    assert cache.search(rows.vectors[0], MemoryFilter(scopes=["nowhere"]), NOW, 10) == []
    # Near-duplicate lookups read a few clusters only, and still find every close rewording.
    for i in rng.integers(0, 5_997, 30):
        near = rows.vectors[i] + rng.normal(scale=0.01, size=384)
        near /= np.linalg.norm(near)
        found = cache.search(near, MemoryFilter(), NOW, 5, near_only=True)
        assert found is not None and found[0][0] == i + 1 and found[0][1] >= 0.96
    near = rows.vectors[5_998] + rng.normal(scale=0.01, size=384)
    found = cache.search(near / np.linalg.norm(near), MemoryFilter(scopes=["rare"]), NOW, 5, True)
    assert found is not None and found[0][0] == 5_999
    assert cache.search(near, MemoryFilter(scopes=["nowhere"]), NOW, 5, near_only=True) == []
    # Rows added after the clusters were listed are found too (read from the tail).
    extra = unit_rows(
        centers[rng.integers(0, 40, 50)] + rng.normal(scale=0.6, size=(50, 384)), 7_001
    )
    cache.apply([], extra, head=1)
    near = extra.vectors[17] + rng.normal(scale=0.01, size=384)
    found = cache.search(near / np.linalg.norm(near), MemoryFilter(), NOW, 5, near_only=True)
    assert found is not None and found[0][0] == 7_018


def test_filters_mirror_the_vec0_conditions() -> None:
    rows = unit_rows(
        np.eye(4, 8) + 0.01, scopes=["a", "a", "b", "b"], kinds=["fact", "note", "fact", "note"]
    )
    hour = 3_600_000_000
    rows.at[:] = [0, hour, 2 * hour, 3 * hour]
    rows.hidden[3] = True
    rows.expires[1] = 10  # long expired
    cache = VectorCache(8)
    cache.add(rows)
    q = np.ones(8, np.float32) / np.sqrt(8)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)

    def ids(**flt: object) -> list[int]:
        found = cache.search(q, MemoryFilter(**flt), NOW, 10)  # type: ignore[arg-type]
        assert found is not None
        return sorted(i for i, _ in found)

    assert ids() == [1, 3]
    assert ids(include_expired=True) == [1, 2, 3]
    assert ids(scopes=["b"]) == [3]
    assert ids(kind="fact") == [1, 3]
    assert ids(since=epoch + timedelta(minutes=30)) == [3]
    assert ids(until=epoch + timedelta(minutes=30)) == [1]
    assert cache.search(q, MemoryFilter(tags=["t"]), NOW, 10) is None  # SQL's job


@pytest.fixture
def cached(service: MemoryService) -> Iterator[MemoryService]:
    service.semantic.load_cache()
    assert service.semantic.copy.cache is not None
    yield service


def both(service: MemoryService, text: str, flt: MemoryFilter) -> tuple[dict[int, float], ...]:
    """What the in-memory copy and sqlite-vec answer for one query (k above the row count)."""
    q = service.semantic.embed_query(text)
    assert q is not None
    mine = service.semantic.search(q, flt, 100)
    theirs = service.store.search_vectors(q, flt, 100)
    return (
        {i: round(s, 4) for i, s in mine},
        {i: round(s, 4) for i, s in theirs},
    )


FILTERS = [
    MemoryFilter(),
    MemoryFilter(scopes=["a"]),
    MemoryFilter(kind="fact"),
    MemoryFilter(scopes=["a", "b"], kind="decision"),
    MemoryFilter(tags=["red"]),
]


def check_same(service: MemoryService) -> None:
    assert service.semantic.copy.cache is not None
    for flt in FILTERS:
        mine, theirs = both(service, "apples and pears in the garden", flt)
        assert mine == theirs, flt


def test_cached_search_follows_every_kind_of_write(cached: MemoryService) -> None:
    s = cached
    made = [
        s.remember(f"{fruit} grow in the {place}", kind=kind, scope=scope, tags=[color]).id
        for fruit, place, kind, scope, color in [
            ("apples", "garden", "fact", "a", "red"),
            ("pears", "orchard", "decision", "a", "green"),
            ("plums", "garden", "fact", "b", "red"),
            ("figs", "greenhouse", "decision", "b", "green"),
            ("cherries", "garden", "note", "c", "red"),
        ]
    ]
    check_same(s)
    s.forget([made[0]])
    s.update(made[1], content="pears and apples grow in the orchard")
    s.move([made[2]], "a")
    s.remember("quinces grow in the garden", kind="fact", scope="a", key="fruit.q")
    s.remember("medlars grow in the garden", kind="fact", scope="a", key="fruit.q")
    s.purge([made[3]])
    s.remember_many(
        [{"content": f"apple variety {i} in the garden", "scope": "a"} for i in range(30)]
    )
    check_same(s)
    s.restore([made[0]])
    check_same(s)


def test_writes_from_another_process_reach_the_copy(
    cached: MemoryService, settings: object, embedder: FakeEmbedder
) -> None:
    other = MemoryService.open(cached.settings, embedder=embedder)
    assert other.semantic.ensure()
    try:
        new = other.remember("apples in a stranger's garden", scope="a").id
        check_same(cached)
        other.forget([new])
        check_same(cached)
    finally:
        other.close()


def test_an_own_write_after_anothers_is_caught_up_through_the_log(
    cached: MemoryService, embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """remember adds its row to the copy itself only when the copy stands just before it;
    another writer's change logged between the copy's check and this insert makes the
    copy leave both to the next search, which replays them from the log."""
    s = cached
    s.remember("apples in the garden", scope="a")
    other = MemoryService.open(s.settings, embedder=embedder)
    assert other.semantic.ensure()
    store_insert = s.store.insert

    def insert_after_another(*args: Any, **kwargs: Any) -> Any:
        other.remember("pears in a stranger's garden", scope="a")
        return store_insert(*args, **kwargs)

    try:
        monkeypatch.setattr(s.store, "insert", insert_after_another)
        # (keyed: no near-duplicate check, whose second look would replay the log at once)
        mine = s.remember("plums in the orchard", scope="b", key="fruit.plums").id
        monkeypatch.undo()
        cache = s.semantic.copy.cache
        assert cache is not None and mine not in cache.vectors_of([mine])  # left to the log
        check_same(s)
        assert (cache.generation, cache.head) == s.store.vector_log_head()
        assert mine in cache.vectors_of([mine])
    finally:
        other.close()


def wait_for_cache(service: MemoryService) -> None:
    deadline = time.monotonic() + 60  # a loaded machine can be 10x slower
    while service.semantic.copy.cache is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert service.semantic.copy.cache is not None


def test_rebuilt_or_far_behind_index_reloads(
    cached: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = cached
    s.remember("apples in the garden", scope="a")
    check_same(s)
    assert s.doctor(repair=True).healthy  # repair bumps the generation
    assert ids_of(s, "apples") != []  # answered (from SQL) while the copy reloads
    wait_for_cache(s)
    check_same(s)
    monkeypatch.setattr(vectors, "LOG_KEEP", 3)
    monkeypatch.setattr(vectors, "TRIM_EVERY", 1)
    for i in range(6):
        s.remember(f"pears number {i} in the garden", scope="b")
    q = s.semantic.embed_query("pears")
    assert q is not None
    assert len(s.semantic.search(q, MemoryFilter(), 100)) == 7  # via SQL, reload started
    wait_for_cache(s)
    check_same(s)


def test_a_dropped_copy_lets_go_of_its_file_at_once(cached: MemoryService) -> None:
    s = cached
    s.remember("apples in the garden", scope="a")
    old = s.semantic.copy.cache
    assert old is not None
    old._exact.append(np.zeros((1, old.dim), np.float32))  # the file a large copy holds
    file = old._exact._file
    assert file is not None and not file.closed
    s.semantic.reindex()  # a new generation: the copy is dropped and reloaded
    q = s.semantic.embed_query("apples")
    assert q is not None and len(s.semantic.search(q, MemoryFilter(), 10)) == 1
    assert s.semantic.copy.cache is not old
    assert file.closed
    wait_for_cache(s)
    check_same(s)


def test_a_copy_that_fails_is_dropped_and_recall_answers_from_the_database(
    cached: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error inside the copy (a full disk while appending, say) made recall fail; the
    database is always right, so the search goes there and the copy is loaded again."""
    s = cached
    s.remember("apples in the garden", scope="a")
    broken = s.semantic.copy.cache
    assert broken is not None

    def fail(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(broken, "search", fail)
    monkeypatch.setattr(broken, "vectors_of", fail)
    q = s.semantic.embed_query("apples")
    assert q is not None
    assert [mid for mid, _ in s.semantic.search(q, MemoryFilter(), 10)] == ids_of(s, "apples")
    assert s.semantic.copy.cache is not broken
    wait_for_cache(s)
    assert s.semantic.copy.cache is not None and s.semantic.copy.cache is not broken
    check_same(s)


def test_a_small_copy_opens_no_file_and_a_read_only_folder_is_no_obstacle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = VectorCache(16, capacity=10, folder=tmp_path)
    small.add(unit_rows(np.random.default_rng(1).normal(size=(10, 16))))
    assert small._exact._file is None  # float32 rows: no descriptor, no folder needed
    monkeypatch.setattr(vecindex, "COARSE_FROM", 100)
    locked = tmp_path / "locked"  # a database folder this process may not write in
    locked.mkdir()
    real = tempfile.TemporaryFile

    def refused_in_locked(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("dir") == locked:
            raise PermissionError(13, "Permission denied", str(locked))
        return real(*args, **kwargs)

    monkeypatch.setattr(vecfile.tempfile, "TemporaryFile", refused_in_locked)
    big = VectorCache(16, capacity=300, folder=locked)
    rows = unit_rows(np.random.default_rng(2).normal(size=(300, 16)))
    big.add(rows)  # int8 codes: the exact rows go to the system's temporary folder
    found = big.search(rows.vectors[4], MemoryFilter(), NOW, 1)
    assert found is not None and found[0] == (5, pytest.approx(1.0))
    big.close()


def ids_of(service: MemoryService, query: str) -> list[int]:
    return [h.id for h in service.recall(query).hits]


def test_a_text_repeated_in_a_batch_is_embedded_once(service: MemoryService) -> None:
    embedder = service.semantic.embedder
    assert embedder is not None
    seen: list[list[str]] = []
    original = embedder.embed_documents

    def spy(texts: list[str]) -> np.ndarray:
        seen.append(texts)
        return original(texts)

    embedder.embed_documents = spy  # type: ignore[method-assign]
    out = service.semantic.embed_documents(["a b", "c d", "a b"])
    assert out is not None and seen == [["a b", "c d"]]
    assert np.array_equal(out[0], out[2]) and not np.array_equal(out[0], out[1])


def test_vectors_come_from_the_copy_and_match_the_database(cached: MemoryService) -> None:
    """Feedback (policies/feedback.py) reads the best hits' vectors from the copy: the same
    vectors the database holds, also right after an edit, and none for unknown ids."""
    s = cached
    ids = [s.remember(f"{fruit} grow in the garden").id for fruit in ("apples", "pears")]
    s.update(ids[0], content="apples and plums grow in the orchard")
    s.semantic.search(np.ones(8, np.float32) / np.sqrt(8), MemoryFilter(), 5)  # syncs the copy
    assert s.semantic.copy.cache is not None and ids[0] in s.semantic.copy.cache.vectors_of(ids)
    mine, theirs = s.semantic.copy.vectors([*ids, 999]), s.store.vectors_for(ids)
    assert mine.keys() == theirs.keys() == set(ids)
    for mid in ids:
        assert np.allclose(mine[mid], theirs[mid])


def clustered(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    centers = rng.normal(size=(60, dim))
    return centers[rng.integers(0, 60, n)] + rng.normal(scale=0.7, size=(n, dim))


@pytest.mark.parametrize(
    ("shape", "dim"), [("clustered", 384), ("random", 128), ("clustered", 128)]
)
def test_compact_copy_keeps_recall_at_10_against_exact_cosine(
    shape: str, dim: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past COARSE_FROM the copy holds int8 codes; the best candidates are re-scored from
    float32, so the top 10 match exact cosine and the scores are the exact ones. At 384
    dimensions the PCA pass picks the candidates; at 128 (too few for it) the codes of all."""
    monkeypatch.setattr(vecindex, "COARSE_FROM", 1_000)
    rng = np.random.default_rng(7)
    data = rng.normal(size=(4_000, dim)) if shape == "random" else clustered(rng, 4_000, dim)
    rows = unit_rows(data)
    cache = VectorCache(dim, capacity=4_000)
    cache.add(rows)
    cache.prepare()
    assert cache._cols.codes.dtype == np.int8
    hits = []
    for i in rng.integers(0, 4_000, 60):
        q = rows.vectors[i] + rng.normal(scale=0.05, size=dim).astype(np.float32)
        q = (q / np.linalg.norm(q)).astype(np.float32)
        found = cache.search(q, MemoryFilter(), NOW, 10)
        assert found is not None
        hits.append(len({i for i, _ in found} & set(exact(rows, q, 10))) / 10)
        exact_scores = rows.vectors[[i - 1 for i, _ in found]] @ q
        assert [s for _, s in found] == pytest.approx(exact_scores.tolist(), abs=1e-6)
    assert np.mean(hits) >= 0.99


def test_a_copy_that_grows_past_coarse_from_turns_compact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Small copies keep float32 (exact, fastest); one that grows large holds int8 codes and
    stays under 1 KB per memory, with the same answers as before the switch."""
    monkeypatch.setattr(vecindex, "COARSE_FROM", 1_000)
    rng = np.random.default_rng(3)
    rows = unit_rows(clustered(rng, 3_000, 384))
    cache = VectorCache(384)
    cache.add(rows)
    assert cache._cols.codes.dtype == np.float32
    q = rows.vectors[5]
    before = cache.search(q, MemoryFilter(), NOW, 10)
    cache.prepare()  # as a search past COARSE_FROM does
    assert cache._cols.codes.dtype == np.int8
    assert cache.resident_bytes() / len(cache) <= 900  # the float32 row alone was 1,536
    held = cache.vectors_of([int(rows.ids[5]), 10**9])  # feedback's read: the exact row
    assert list(held) == [int(rows.ids[5])] and np.allclose(held[int(rows.ids[5])], q)
    after = cache.search(q, MemoryFilter(), NOW, 10)
    assert before is not None and after is not None
    assert [i for i, _ in after] == [i for i, _ in before]
    assert [s for _, s in after] == pytest.approx([s for _, s in before], abs=1e-6)
    # rows added and replaced afterwards are coded too, and compaction keeps them exact
    cache.apply(list(range(1, 2_001)), unit_rows(rows.vectors[:100] * 1.0, start=9_001), head=1)
    found = cache.search(rows.vectors[50], MemoryFilter(), NOW, 1)
    assert found is not None and found[0][0] == 9_051 and found[0][1] == pytest.approx(1.0)


def test_ids_far_apart_are_kept_apart() -> None:
    """The id -> row map is an array indexed by id; an id far beyond the others still maps."""
    rng = np.random.default_rng(5)
    cache = VectorCache(16)
    cache.add(unit_rows(rng.normal(size=(10, 16))))
    far = unit_rows(rng.normal(size=(2, 16)), start=2**40)
    cache.apply([], far, head=1)
    assert len(cache) == 12
    found = cache.search(far.vectors[1], MemoryFilter(), NOW, 1)
    assert found is not None and found[0][0] == 2**40 + 1
    cache.apply([2**40 + 1, 3], unit_rows(far.vectors[1:], start=2**40 + 1), head=2)
    assert len(cache) == 11
    found = cache.search(far.vectors[1], MemoryFilter(), NOW, 12)
    assert found is not None and [i for i, _ in found].count(2**40 + 1) == 1
    assert 3 not in [i for i, _ in found]


def test_the_exact_vectors_file_leaves_no_name_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The float32 rows go to an unlinked temporary file in the given folder: nothing in the
    folder names it (nothing to sweep after a crash, nothing another user could open)."""
    monkeypatch.setattr(vecindex, "COARSE_FROM", 100)
    rng = np.random.default_rng(9)
    rows = unit_rows(rng.normal(size=(300, 16)))
    cache = VectorCache(16, capacity=300, folder=tmp_path)
    cache.add(rows)
    found = cache.search(rows.vectors[4], MemoryFilter(), NOW, 1)
    assert found is not None and found[0] == (5, pytest.approx(1.0))
    if sys.platform != "win32":  # there the file is named until it is closed
        assert list(tmp_path.iterdir()) == []
    cache.close()


@pytest.mark.skipif(sys.platform != "linux", reason="a file size limit (RLIMIT_FSIZE)")
def test_a_vectors_file_that_takes_only_part_of_a_write_raises() -> None:
    """A raw write may write only part of the rows (a full disk, a file size limit): the
    copy says so at once rather than counting rows that are not in the file."""
    script = """
import resource, signal, sys
import numpy as np
from memory_mcp.search.vecfile import ExactFile
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
exact = ExactFile(4)
resource.setrlimit(resource.RLIMIT_FSIZE, (100, resource.RLIM_INFINITY))
try:
    exact.append(np.ones((10, 4), np.float32))  # 160 bytes: 100 are written
except OSError:
    sys.exit(0 if exact.rows == 0 else 2)
sys.exit(1)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
