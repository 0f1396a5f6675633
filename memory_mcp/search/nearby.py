"""A write's near-duplicate check, read while the model embeds the write's text.

`remember` embeds the new text, then looks in its scope for a memory the text only rewords.
What that search reads does not depend on the vector: the in-memory copy's catch-up with the
vector change log (a statement) and, while the copy is searched exactly (under COARSE_FROM
rows), the scope's rows, gathered out of the whole matrix (the bulk of the search's time).
Both are done on a helper thread while the model runs on the caller's (onnxruntime and the
tokenizer let go of the GIL), so once the vector is known only its product with the gathered
rows is left. The result is the one the search would give on the copy as it stood when the
rows were read; a write landing after that is what the writer's raced-fold check is for.
The gathered rows of the filters written to last are kept (Blocks): the next write into the
same scope only adds the rows the copy gained since, instead of masking and gathering
its scope again (0.6 ms of CPU a write at 10k memories, the helper's whole work under load).
They hold at most as many rows as NEAR_BLOCKS filters' blocks could (each at most a
GATHER_SHARE-th of the copy): as many small scopes as fit, the least recently used let go.
"""

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from memory_mcp.models import MemoryFilter
from memory_mcp.search.columns import grow
from memory_mcp.search.vecfile import dot, top

T = TypeVar("T")
NEAR_BLOCKS = 2  # the rows kept: up to as many as this many largest blocks hold
# The copy's columns a block is read from: ids, float32 vectors, expiry (epoch micros).
BlockSource = tuple[np.ndarray, np.ndarray, np.ndarray]
Mask = Callable[[slice], np.ndarray | None]  # which rows of a span pass a filter (None: none)


@dataclass(frozen=True)
class Gathered:
    """Rows of the copy that pass a filter: their ids and exact float32 vectors."""

    ids: np.ndarray
    vectors: np.ndarray

    def best(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(id, cosine) of the k rows closest to `query`, best first (as the copy's exact
        search ranks them: same products, same order of ties)."""
        if not len(self.ids):
            return []
        scores = dot(self.vectors, np.asarray(query, np.float32))
        return [(int(self.ids[i]), float(scores[i])) for i in top(scores, k)]


class _Block:
    """One filter's rows, gathered in copy order, grown in place (a Gathered handed out
    views the rows it had: appending past them, or into new arrays, leaves them as they
    were). Rows [0, upto) of the copy were looked at, the copy having `drops` dropped."""

    def __init__(self, flt: MemoryFilter, drops: int, dim: int) -> None:
        self.flt, self.drops, self.upto, self.size = flt, drops, 0, 0
        self.ids = np.zeros(0, np.int64)
        self.vectors = np.zeros((0, dim), np.float32)
        self.expires = np.zeros(0, np.int64)

    def extend(self, rows: np.ndarray, columns: BlockSource) -> None:
        need = self.size + len(rows)
        grow(self, ("ids", "vectors", "expires"), self.size, need, 64)
        at = slice(self.size, need)
        self.ids[at], self.vectors[at], self.expires[at] = (col[rows] for col in columns)
        self.size = need


class Blocks:
    """The rows near-duplicate searches score, kept gathered between writes (the copy's
    lock held by the caller). A row only ever joins a copy at its end, and every other
    change drops a row first: a block is grown while the copy's drop count stands, else
    gathered again (a block of another count never grows again: let go). Expiry is checked
    at each use (rows expired when a block grew stay expired). Most recently used last;
    writes spread over many small scopes keep all of theirs that fit NEAR_BLOCKS large
    blocks' rows (speed.py's 9 scopes at 10k memories, written to at random: 4 kept instead
    of 2, the helper's CPU a write 300-390 -> 260-330 us, 3.6 -> 7.0 MB kept)."""

    def __init__(self) -> None:
        self._blocks: list[_Block] = []

    def nbytes(self) -> int:
        """What the kept rows hold (at most 1/share of the copy's rows a filter)."""
        return sum(b.ids.nbytes + b.vectors.nbytes + b.expires.nbytes for b in self._blocks)

    def gathered(
        self,
        flt: MemoryFilter,
        now: int,
        drops: int,
        size: int,
        mask: Mask,
        columns: BlockSource,
        share: int,
    ) -> Gathered | None:
        """The rows of the copy's first `size` that pass `flt` at `now` (epoch micros), as
        a search gathers them; None where more than 1/`share` of the rows pass (a full pass
        is then cheaper than a gather, and no block is kept)."""
        block = next((b for b in self._blocks if b.flt == flt and b.drops == drops), None)
        if block is None:
            block = _Block(flt, drops, columns[1].shape[1])
            self._blocks = [b for b in self._blocks if b.flt != flt and b.drops == drops]
        else:
            self._blocks.remove(block)
        self._blocks.append(block)
        if block.upto < size:
            passing = mask(slice(block.upto, size))
            rows = np.zeros(0, np.int64) if passing is None else np.flatnonzero(passing)
            if (block.size + len(rows)) * share > size:
                self._blocks.remove(block)
                return None
            block.extend(rows + block.upto, columns)
            block.upto = size
            self._let_go(NEAR_BLOCKS * size // share)
        ids, vectors = block.ids[: block.size], block.vectors[: block.size]
        if not flt.include_expired:
            live = block.expires[: block.size] > now
            if not live.all():
                ids, vectors = ids[live], vectors[live]
        return None if len(ids) * share > size else Gathered(ids, vectors)

    def _let_go(self, rows: int) -> None:
        """Let go of the least recently used blocks until those kept hold at most `rows`
        rows (the last used stays, within one share of the copy)."""
        while len(self._blocks) > 1 and sum(b.size for b in self._blocks) > rows:
            del self._blocks[0]


@dataclass(frozen=True)
class Prepared:
    """What a near-duplicate search read before its query was known. `rows` None: the search
    needs the query first (a coarse pass, SQL) and runs as usual once it is there."""

    rows: Gathered | None = None
    head: int | None = None  # the vector log position `rows` reflect
    flt: MemoryFilter | None = None  # the filter they pass


class Helper:
    """One thread that reads ahead for writes (started at the first one, idle otherwise).
    One is enough: what it does holds the copy's lock, so two would take turns anyway."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._closed = False

    def submit(self, fn: Callable[[], T]) -> Future[T] | None:
        """Run `fn` on the helper; None once closed (the caller runs it itself)."""
        with self._lock:
            if self._closed:
                return None
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="memory-mcp-near")
            return self._pool.submit(fn)

    def close(self) -> None:
        """No more work; what runs finishes on its own (it is short)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False)


def alongside(
    helper: Helper, ahead: Callable[[], Prepared], main: Callable[[], T]
) -> tuple[T, Prepared]:
    """`main()` on this thread with `ahead()` on the helper meanwhile; both results. An
    error of `main` wins (what `ahead` read is then of no use), once `ahead` is done. If the
    helper never got to `ahead` (a busy machine: no core to spare), this thread runs it:
    never later than one after the other."""
    future = helper.submit(ahead)
    if future is None:
        return main(), ahead()
    try:
        result = main()
    except BaseException:
        if not future.cancel():
            future.exception()  # wait for it: nothing of this write runs on after it failed
        raise
    if future.cancel():
        return result, ahead()
    return result, future.result()
