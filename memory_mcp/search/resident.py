"""The in-memory copy of the vector index as a long-running server keeps it (vecindex.py is
the copy itself): installed once loaded, brought up to date from the vector change log before
a search, told of this process's own writes, dropped and loaded again on a thread when it
falls behind or breaks. The database stays the source of truth: without a copy, searches go
to SQL. The owner (semantic.py) decides when to load one and searches it under `lock`."""

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.search.nearby import Helper, Prepared
from memory_mcp.search.vecindex import VectorCache
from memory_mcp.storage.contract import Storage, VectorRows
from memory_mcp.timestamps import NEVER, epoch_micros

logger = logging.getLogger(__name__)


class ResidentCopy:
    def __init__(self, store: Storage, stopping: threading.Event, load: Callable[[], None]) -> None:
        """`load`: builds a copy and installs it (the owner's, which checks first that the
        index is its model's); run on a thread of its own when the copy was dropped."""
        self.store = store
        self.cache: VectorCache | None = None  # only a long-running server loads one
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.helper = Helper()  # reads ahead for writes while the model runs (nearby.py)
        self._stopping = stopping  # set by the owner's stop(): no more loads
        self._load = load
        self._loading = False

    def install(self, cache: VectorCache) -> None:
        with self.lock:
            replaced, self.cache = self.cache, cache
            if replaced is not None:
                replaced.close()

    def discard(self) -> None:
        """Searches go to SQL from now on (the index is another model's), until a load."""
        with self.lock:
            dropped, self.cache = self.cache, None
        with contextlib.suppress(OSError):
            if dropped is not None:
                dropped.close()

    def close(self) -> None:
        self.helper.close()

    def catch_up(self, cache: VectorCache) -> int | None:
        """Replay the vector log into the copy (one read, usually finding nothing); the log
        position it now reflects, or None if it was dropped (rebuilt, too far behind, broken)
        and searches go to SQL while it reloads. The caller holds the lock; a database error
        is the caller's to see."""
        delta = self.store.vector_changes(cache.head, cache.dim)
        if delta is None or delta.generation != cache.generation:
            self.drop(cache)  # rebuilt or too far behind: reload without blocking
            return None
        try:
            if delta.head != cache.head:
                cache.apply(delta.ids, delta.rows, delta.head)
        except Exception:
            self.drop_broken(cache)
            return None
        return delta.head

    def prepare_near(self, flt: MemoryFilter) -> Prepared:
        """What a write's near-duplicate search with `flt` reads before its vector is known
        (nearby.py): the copy brought up to date, and the rows it would score."""
        with self.lock:
            cache = self.cache
            head = None if cache is None else self.catch_up(cache)
            if cache is None or head is None:
                return Prepared()
            try:
                return Prepared(cache.near_rows(flt, datetime.now(UTC)), head, flt)
            except Exception:
                self.drop_broken(cache)
                return Prepared()

    def stored(self, memory: Memory, vector: np.ndarray, logged: int) -> None:
        """A row this process just wrote (logged at `logged`, see Inserted): the copy, if
        it stands just before that position, adds it now, so the next search finds the
        copy current instead of reading the change log back (five statements a remember).
        Any other position is left to the next search's catch-up, as a foreign write is."""
        with self.lock:
            cache = self.cache
            if cache is None or not logged or cache.head + 1 != logged:
                return
            try:
                cache.apply([memory.id], vector_rows(memory, vector), logged)
            except Exception:
                self.drop_broken(cache)

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        """Stored vectors of `ids`: from the copy when loaded (a search just brought it up
        to date), else, and for any id it lacks, from the database."""
        with self.lock:
            cache, found = self.cache, {}
            if cache is not None:
                try:
                    found = cache.vectors_of(ids)
                except Exception:
                    self.drop_broken(cache)
        missing = [mid for mid in ids if mid not in found]
        return found | (self.store.vectors_for(missing) if missing else {})

    def drop(self, cache: VectorCache) -> None:
        """Searches go to the database (always right) while the copy loads again (caller
        holds the lock); its file goes now, not whenever the copy is collected."""
        if self.cache is cache:
            self.cache = None
        with contextlib.suppress(OSError):
            cache.close()
        self.start_load()

    def drop_broken(self, cache: VectorCache) -> None:
        """The copy is the database's servant: an error inside it (a full disk while
        appending...) drops it rather than failing the recall."""
        logger.exception("In-memory vector index failed; searching the database, reloading it")
        self.drop(cache)

    def start_load(self) -> None:
        if self._loading or self._stopping.is_set():
            return
        self._loading = True
        thread = threading.Thread(target=self.load_logged, name="memory-mcp-vectors", daemon=True)
        thread.start()
        self.thread = thread  # published once started, as in SemanticIndex.start_background

    def load_logged(self) -> None:
        try:
            self._load()
        except Exception as exc:  # noqa: BLE001 - recall keeps working through SQL
            if not self._stopping.is_set():  # else: the database closed under it, as asked
                logger.warning("In-memory vector index not loaded (searching in SQL): %s", exc)
        finally:
            self._loading = False


def vector_rows(memory: Memory, vector: np.ndarray) -> VectorRows:
    """One row as the change log would read it back (the vec0 metadata's expressions)."""
    hidden = memory.forgotten_at is not None or memory.superseded_by is not None
    at = memory.occurred_at or memory.created_at
    expires = NEVER if memory.expires_at is None else epoch_micros(memory.expires_at)
    return VectorRows(
        ids=np.array([memory.id], np.int64),
        vectors=np.asarray(vector, np.float32).reshape(1, -1),
        scopes=[memory.scope],
        kinds=[memory.kind],
        hidden=np.array([hidden]),
        at=np.array([epoch_micros(at)], np.int64),
        expires=np.array([expires], np.int64),
    )
