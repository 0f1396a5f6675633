"""A write's near-duplicate search read ahead (search/nearby.py): the rows gathered while the
model embeds give the answer the copy's own search gives, and the helper never makes a write
wait longer or lose an error."""

import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from memory_mcp.models import MemoryFilter
from memory_mcp.search.nearby import Gathered, Helper, Prepared, alongside
from memory_mcp.search.vecindex import COARSE_FROM, VectorCache
from memory_mcp.storage.contract import VectorRows
from memory_mcp.timestamps import epoch_micros
from tests.search.test_vecindex import NOW, unit_rows

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = 3_600_000_000


def copy_of_300() -> tuple[VectorCache, np.ndarray]:
    """300 rows in eight scopes and two kinds, some hidden, some expired, over 300 hours."""
    rng = np.random.default_rng(3)
    rows = unit_rows(
        rng.normal(size=(300, 16)),
        scopes=[f"s{i % 8}" for i in range(300)],
        kinds=["fact" if i % 3 else "note" for i in range(300)],
    )
    rows.at[:] = np.arange(300) * HOUR
    rows.hidden[::7] = True
    rows.expires[::11] = 10  # long expired
    cache = VectorCache(16)
    cache.add(rows)
    return cache, rows.vectors


@pytest.mark.parametrize(
    "flt",
    [
        MemoryFilter(scopes=["s3"]),
        MemoryFilter(scopes=["s1", "s5"]),
        MemoryFilter(scopes=["s2"], kind="fact"),
        MemoryFilter(scopes=["s4"], include_expired=True),
        MemoryFilter(scopes=["s6"], since=EPOCH + timedelta(hours=100)),
        MemoryFilter(scopes=["s0"], until=EPOCH + timedelta(hours=150)),
        MemoryFilter(scopes=["nowhere"]),
    ],
)
def test_gathered_rows_answer_as_the_copys_near_search(flt: MemoryFilter) -> None:
    cache, vectors = copy_of_300()
    gathered = cache.near_rows(flt, NOW)
    assert gathered is not None
    for q in (vectors[21], vectors[150], -vectors[42]):
        assert gathered.best(q, 6) == cache.search(q, flt, NOW, 6, near_only=True)


def test_no_rows_are_gathered_where_the_search_needs_its_query() -> None:
    cache, _ = copy_of_300()
    assert cache.near_rows(MemoryFilter(tags=["red"]), NOW) is None  # SQL's filter
    assert cache.near_rows(MemoryFilter(), NOW) is None  # a full pass costs less than a gather
    compact = VectorCache(16, capacity=COARSE_FROM)  # int8 codes: ranked, then re-scored
    compact.add(unit_rows(np.random.default_rng(4).normal(size=(40, 16)), scopes=["a"] * 40))
    assert compact.near_rows(MemoryFilter(scopes=["a"]), NOW) is None


def test_rows_kept_gathered_follow_every_change_of_the_copy() -> None:
    """Between writes a scope's rows stay gathered (nearby.Blocks): rows the copy gains join
    them; a row hidden, moved away, re-embedded or deleted leaves them; one that expires
    meanwhile is not scored; each time, the answer is the copy's own near search."""
    cache, vectors = copy_of_300()
    flt, rng = MemoryFilter(scopes=["s3"]), np.random.default_rng(5)
    queries = (vectors[3], vectors[19], -vectors[27])  # ids 4, 20, 28: in s3

    def same_answers(now: datetime = NOW) -> Gathered:
        gathered = cache.near_rows(flt, now)
        assert gathered is not None
        for q in queries:
            assert gathered.best(q, 6) == cache.search(q, flt, now, 6, near_only=True)
        return gathered

    held = cache.resident_bytes()
    first = same_answers()
    kept = first.ids.copy()
    assert cache.resident_bytes() >= held + first.vectors.nbytes  # the kept rows count
    added = unit_rows(rng.normal(size=(4, 16)), start=301, scopes=["s3", "s1", "s3", "s3"])
    added.expires[3] = epoch_micros(NOW + timedelta(hours=1))
    cache.apply([], added, cache.head + 1)
    grown = same_answers()
    assert grown.ids.tolist() == [*kept.tolist(), 301, 303, 304]
    assert np.array_equal(first.ids, kept)  # what a search was handed stays as it was
    later = same_answers(NOW + timedelta(hours=2))
    assert 304 not in later.ids.tolist()
    assert {4, 20, 28} <= set(kept.tolist())
    hidden = unit_rows(vectors[[3]], start=4, scopes=["s3"])
    hidden.hidden[0] = True
    moved = unit_rows(vectors[[19]], start=20, scopes=["s5"])
    cache.apply([4, 20, 28], concat(hidden, moved), cache.head + 1)  # 28: deleted
    left = same_answers()
    assert not {4, 20, 28} & set(left.ids.tolist())
    cache.apply([], unit_rows(-vectors[[27]], start=28, scopes=["s3"]), cache.head + 1)
    assert same_answers().ids.tolist()[-1] == 28  # re-embedded: at the copy's end


def test_rows_are_no_longer_kept_once_a_scope_holds_most_of_the_copy() -> None:
    cache, _ = copy_of_300()
    flt = MemoryFilter(scopes=["s2"])
    assert cache.near_rows(flt, NOW) is not None
    many = unit_rows(
        np.random.default_rng(6).normal(size=(400, 16)), start=301, scopes=["s2"] * 400
    )
    cache.apply([], many, cache.head + 1)
    assert cache.near_rows(flt, NOW) is None  # a full pass now costs less than a gather
    q = many.vectors[7]
    assert cache.search(q, flt, NOW, 3, near_only=True)[0][0] == 308


def test_writes_spread_over_small_scopes_keep_each_gathered_within_two_blocks_rows() -> None:
    """Each of eight scopes holds an eighth of the copy: as many stay gathered as two
    blocks of a quarter of it could hold (the last used kept), not just the last two; the
    least recently used goes first, and a scope written to again is not gathered again."""
    cache, _ = copy_of_300()
    scopes = [MemoryFilter(scopes=[f"s{i}"]) for i in range(8)]

    def rows(i: int) -> Gathered:
        gathered = cache.near_rows(scopes[i], NOW)
        assert gathered is not None
        return gathered

    first = [rows(i) for i in range(4)]
    again = [rows(i) for i in (0, 1, 2, 3)]  # all four still kept: none gathered again
    assert all(np.shares_memory(a.ids, b.ids) for a, b in zip(first, again, strict=True))
    held = cache.resident_bytes()
    for i in range(4, 8):
        rows(i)
    assert not np.shares_memory(rows(0).ids, first[0].ids)  # let go, least recently used
    assert cache.resident_bytes() <= held * 2  # the rows kept stay bounded


def concat(*parts: VectorRows) -> VectorRows:
    return VectorRows(
        ids=np.concatenate([p.ids for p in parts]),
        vectors=np.concatenate([p.vectors for p in parts]),
        scopes=[s for p in parts for s in p.scopes],
        kinds=[k for p in parts for k in p.kinds],
        hidden=np.concatenate([p.hidden for p in parts]),
        at=np.concatenate([p.at for p in parts]),
        expires=np.concatenate([p.expires for p in parts]),
    )


def test_the_helper_reads_ahead_on_its_own_thread() -> None:
    helper, seen = Helper(), []
    try:
        ready = threading.Event()

        def ahead() -> Prepared:
            seen.append(threading.current_thread())
            ready.set()
            return Prepared(head=7)

        result, prepared = alongside(helper, ahead, lambda: ready.wait(60))
        assert result is True and prepared.head == 7  # ahead ran while main waited for it
        assert seen[0] is not threading.current_thread()
    finally:
        helper.close()


def test_what_the_helper_never_started_runs_on_the_callers_thread() -> None:
    """A busy machine may not get to the helper before the model is done: the write then
    reads on its own thread rather than wait for it."""
    helper, seen, release = Helper(), [], threading.Event()
    try:
        blocker = helper.submit(lambda: release.wait(60))
        assert blocker is not None

        def ahead() -> Prepared:
            seen.append(threading.current_thread())
            return Prepared(head=1)

        assert alongside(helper, ahead, lambda: "vector")[1].head == 1
        assert seen == [threading.current_thread()]
    finally:
        release.set()
        helper.close()
    seen.clear()
    assert alongside(helper, ahead, lambda: "vector")[1].head == 1  # closed: inline too
    assert seen == [threading.current_thread()]


def test_an_error_of_the_embedding_wins_once_the_read_ahead_is_done() -> None:
    helper, finished, started = Helper(), threading.Event(), threading.Event()
    try:

        def ahead() -> Prepared:
            started.set()
            finished.wait(0.2)
            finished.set()
            return Prepared()

        def main() -> None:
            # Until the helper has started `ahead` (generous: a loaded machine may take its
            # time): one it never started is cancelled, and then never runs at all.
            started.wait(60)
            raise RuntimeError("model failed")

        with pytest.raises(RuntimeError, match="model failed"):
            alongside(helper, ahead, main)
        assert finished.is_set()  # nothing of the failed write is left running
    finally:
        helper.close()
