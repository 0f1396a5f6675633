"""A write's near-duplicate check, read while the model embeds the write's text.

`remember` embeds the new text, then looks in its scope for a memory the text only rewords.
What that search reads does not depend on the vector: the in-memory copy's catch-up with the
vector change log (a statement) and, while the copy is searched exactly (under COARSE_FROM
rows), the scope's rows, gathered out of the whole matrix (the bulk of the search's time).
Both are done on a helper thread while the model runs on the caller's (onnxruntime and the
tokenizer let go of the GIL), so once the vector is known only its product with the gathered
rows is left. The result is the one the search would give on the copy as it stood when the
rows were read; a write landing after that is what the writer's raced-fold check is for.
"""

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from memory_mcp.models import MemoryFilter
from memory_mcp.search.vecfile import dot, top

T = TypeVar("T")


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
