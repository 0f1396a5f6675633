"""The semantic leg: model loading (in the background when serving), index checks, embedding.

Until the model is ready, or when it cannot load, recall runs keyword-only and says why;
memories stored meanwhile get their vectors once it is ready (or by `memory-mcp reindex`).
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from memory_mcp.errors import ReadOnly, SchemaMismatch, StorageError
from memory_mcp.models import MemoryFilter
from memory_mcp.search.backlog import (
    Embedded,
    Newcomers,
    StartingFill,
    embed_pending,
    fill_what_fits,
)
from memory_mcp.search.embed import Embedder, EmbedderUnavailable
from memory_mcp.search.index_model import IndexModel
from memory_mcp.storage.contract import Progress, Storage

# The in-memory copy (resident.py, vecindex.py, nearby.py) and numpy are imported where used:
# a command that reads no vector (`list`, `show`, `stats`) never loads them.
if TYPE_CHECKING:
    import numpy as np

    from memory_mcp.search.nearby import Prepared
    from memory_mcp.search.resident import ResidentCopy
    from memory_mcp.search.vecindex import VectorCache


logger = logging.getLogger(__name__)

State = Literal["off", "idle", "loading", "ready", "failed", "mismatch"]
NOTES: dict[State, str] = {
    "off": "Semantic search is disabled by configuration; recall is keyword-only.",
    "idle": "The embedding model is not loaded by this command "
    "(`memory-mcp model status` shows whether it is available).",
    "loading": "The embedding model is still loading; recall is keyword-only for now.",
}


class _FirstUse:
    """SemanticIndex's in-memory copy of the vector index (resident.py), made and loaded on
    first use: it imports numpy, which a command that reads no vector never needs."""

    store: Storage
    embedder: Embedder | None
    _still_ours: Callable[[int | None], bool]  # (SemanticIndex's)
    _stopping: threading.Event
    _making: threading.Lock
    _copy: "ResidentCopy | None" = None

    @property
    def copy(self) -> "ResidentCopy":
        with self._making:
            if self._copy is None:
                from memory_mcp.search.resident import ResidentCopy

                self._copy = ResidentCopy(self.store, self._stopping, self.load_cache)
            return self._copy

    def load_cache(self) -> None:
        """Build the in-memory copy of the vector index now (blocking)."""
        from memory_mcp.search.vecindex import VectorCache

        assert self.embedder is not None
        if not self._still_ours(self.store.vector_log_head()[0]):
            return
        started = time.perf_counter()
        everything = MemoryFilter(
            include_forgotten=True, include_superseded=True, include_expired=True
        )  # a plain count(*): counts() also scans the vec0 table for orphans
        db = Path(self.store.location)  # the exact vectors' file goes next to the database
        folder = db.parent if db.is_file() else None
        cache = VectorCache(self.embedder.dim, capacity=self.store.count(everything), folder=folder)
        cache.generation, cache.head = self.store.vector_snapshot(cache.dim, cache.add)
        cache.prepare()
        self.copy.install(cache)
        logger.info(
            "In-memory vector index: %d vectors in %.1fs", len(cache), time.perf_counter() - started
        )

    def prepare(self) -> None:
        """Import and make now what the first search needs (a server, before its first
        call: a recall would otherwise import them while the model loads)."""
        self.copy  # noqa: B018 - made for its imports (resident, vecindex, nearby, numpy)

    def _made_copy(self) -> "ResidentCopy | None":
        with self._making:
            return self._copy


class SemanticIndex(_FirstUse):
    def __init__(self, store: Storage, embedder: Embedder | None) -> None:
        self.store = store
        self.embedder = embedder
        self.state: State = "off" if embedder is None else "idle"
        self.reason: str | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.starting = StartingFill()  # the backlog a start embeds before "ready"
        # Told of each batch of backlog vectors (memories stored before the model was ready),
        # so the service can merge a rewording now that it can compare meanings.
        self.on_embedded: Embedded | None = None
        # Set by stop(): background work ends at its next step, not under a closing database.
        self._stopping = threading.Event()
        self._making = threading.Lock()  # the copy is made on first use (_FirstUse)
        self._model: IndexModel | None = None  # is the index still our model's? (lazily)
        self._outdated = False  # it was found to be another model's (state "mismatch")
        self._seen = threading.local()  # the log position a thread's last write check saw
        self.newcomers = Newcomers(store, embedder, self._fill_newcomers, self._stopping)
        # The CLI's loader, run at the first call that needs the model (an embedding, the
        # backlog): a bad option is refused before the seconds a model takes to load.
        self.load_on_demand: Callable[[], None] | None = None

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    @property
    def note(self) -> str | None:
        """Why semantic search is off right now, for recall results and stats."""
        if self.state in ("failed", "mismatch"):
            return f"Semantic search is off: {self.reason}"
        return (self.state == "loading" and self.starting.note()) or NOTES.get(self.state)

    def start_background(self) -> None:
        """Load the model, then the in-memory vector copy, on a daemon thread."""
        with self._lock:
            if self.state != "idle" or self._thread is not None:
                return
            self.state = "loading"
            # Published once started: stop() and ensure(), on other threads and without the
            # lock, join whatever they find there (joining an unstarted thread raises).
            thread = threading.Thread(
                target=self._activate_and_cache, name="memory-mcp-model", daemon=True
            )
            thread.start()
            self._thread = thread

    def _activate_and_cache(self) -> None:
        try:
            self._activate(background=True)
            if self.ready and not self._stopping.is_set() and self.store.wants_vector_copy():
                self.copy.load_logged()
        except Exception:
            if not self._stopping.is_set():
                raise
            # stop() closed the database under us: expected, nothing to report

    def stop(self, wait: float = 5.0) -> bool:
        """End background work: it stops at its next step; wait up to `wait` seconds for it.
        Returns whether none is left running (a model download or load cannot be cut short)."""
        self._stopping.set()
        if copy := self._made_copy():
            copy.close()
        deadline = time.monotonic() + wait
        threads = (self._thread, copy.thread if copy else None, self.newcomers.thread)
        for thread in threads:
            if thread is not None and thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))
        return _none_left(threads, wait)

    def ensure(self, backlog: bool = True) -> bool:
        """Load the model now (CLI use); returns whether semantic search is available.
        `backlog`: embed first every memory stored without a vector (all of them, which can
        take minutes); without it, only what this process stores gets a vector (a hook that
        must finish within its client's timeout), and the backlog waits for a server."""
        with self._lock:  # as start_background decides: load here or wait for its thread
            thread = self._thread
            here = thread is None and self.state == "idle"
            if here:
                self.state = "loading"
        if thread is not None:
            thread.join()
        elif here:
            self._activate(backlog=backlog)
        return self.ready

    def _activate(self, background: bool = False, backlog: bool = True) -> None:
        assert self.embedder is not None
        try:
            self.embedder.load()
            if self._stopping.is_set():
                return
            self.store.ensure_vector_index(self.embedder.model_name, self.embedder.dim)
        except (EmbedderUnavailable, ReadOnly) as exc:  # ReadOnly: a role that may not make
            self._fail("failed", str(exc), background)  # the vector table
            return
        except SchemaMismatch as exc:
            self._fail("mismatch", str(exc), background)
            return
        # The backlog there now is embedded before recall reports "hybrid" (but for what a full
        # database refuses: it waits); the second pass catches rows stored meanwhile, up to
        # `known` (unbounded, the first ran as long as writes came, each stored unembedded).
        if not backlog:
            self.state = "ready"
            return
        bound = self.store.last_memory_id()
        first = self.starting.fill(lambda progress: self._fill(progress, upto=bound))
        self.state = "ready"
        known = (self.store.last_memory_id(), self.store.vector_log_head()[1])
        filled = 0 if first is None else first + (fill_what_fits(self._fill) or 0)
        if background:  # a server: from now on it embeds what other processes store
            self.newcomers.watch_from(*known)
        if filled:
            logger.info("Embedded %d memories stored while the model was loading", filled)

    def _fail(self, state: State, reason: str, background: bool) -> None:
        """Record why; a background load logs it (a caller of ensure() reports the note)."""
        self.state, self.reason = state, reason
        level = logging.WARNING if background else logging.INFO
        logger.log(level, "Semantic search is off, recall is keyword-only: %s", reason)

    def _wanted(self) -> None:
        """The model is needed now: load it if the CLI left that to this moment."""
        load = self.load_on_demand
        if load is not None and self.state == "idle":
            self.load_on_demand = None
            load()

    def embed_documents(self, texts: list[str]) -> "np.ndarray | None":
        """One vector per text; a text repeated in the batch is embedded once."""
        self._wanted()
        self._look_around()
        if not self.ready or self.embedder is None:
            return None
        unique = list(dict.fromkeys(texts))
        vectors = self.embedder.embed_documents(unique)
        if len(unique) == len(texts):
            return vectors
        row = {text: i for i, text in enumerate(unique)}
        return vectors[[row[text] for text in texts]]

    def _look_around(self) -> None:
        """Before an embedding: others' new rows (backlog.py); is the index ours again?"""
        self.newcomers.check()
        if self._outdated:
            self._still_ours(self.store.vector_log_head()[0])

    def embed_query(self, text: str) -> "np.ndarray | None":
        self._wanted()
        self._look_around()
        if not self.ready or self.embedder is None:
            return None
        return self.embedder.embed_query(text)

    # -- nearest neighbours ---------------------------------------------------------------

    def search(
        self,
        query: "np.ndarray",
        flt: MemoryFilter,
        k: int,
        near_only: bool = False,
        origin: "np.ndarray | None" = None,
        floor: float | None = None,
    ) -> list[tuple[int, float]]:
        """(id, cosine) best first: from the in-memory copy when loaded, else sqlite-vec.
        Either way the filter is applied inside the search. `near_only`: only near
        duplicates matter, above `floor` if given; `origin`: the query this one was moved
        from, searched just before (see VectorCache.search)."""
        with self.copy.lock:
            cache = self.copy.cache
            found = (
                None
                if cache is None
                else self._search_cache(cache, query, flt, k, near_only, origin, floor)
            )
        if found is not None:
            return found
        generation = None
        if cache is not None or near_only:  # the copy just went (a new generation?), or a
            # write's duplicate check, which notes where the log stood (see searched_at)
            generation, self._seen.head = self.store.vector_log_head()
        try:
            return self.store.search_vectors(query, flt, k) if self._still_ours(generation) else []
        except StorageError:  # another width of vectors, say: was the index rebuilt?
            if self._still_ours(self.store.vector_log_head()[0]):
                raise
            return []

    def searched_at(self) -> int | None:
        """The vector log position this thread's last near-duplicate search saw, once."""
        head, self._seen.head = getattr(self._seen, "head", None), None
        return head

    def _still_ours(self, generation: int | None = None) -> bool:
        """Whether the index is still our model's (index_model.py); if not, semantic search
        is off here, with the reason, rather than mixing two models or failing on widths."""
        if self.embedder is None:
            return True
        if self._model is None:
            self._model = IndexModel(self.store, (self.embedder.model_name, self.embedder.dim))
        theirs = self._model.foreign(generation)
        if theirs is None and self._outdated:
            self.state, self.reason, self._outdated = "ready", None, False
            logger.info("The vector index is this model's again: semantic search is back on")
            self.copy.start_load()
        elif theirs is not None:
            switching = not self._outdated or self.state == "ready"
            self.state, self.reason, self._outdated = "mismatch", self._model.reason(theirs), True
            if not switching:
                return False
            logger.warning("Semantic search is off, recall is keyword-only: %s", self.reason)
            self.copy.discard()
        return theirs is None

    def searches_in_memory(self) -> bool:
        """Whether searches read only this machine now: SQLite, the loaded copy or no vectors."""
        return self.store.wants_vector_copy() and (not self.ready or self.copy.cache is not None)

    def _search_cache(
        self,
        cache: "VectorCache",
        query: "np.ndarray",
        flt: MemoryFilter,
        k: int,
        near_only: bool,
        origin: "np.ndarray | None",
        floor: float | None = None,
    ) -> list[tuple[int, float]] | None:
        """Bring the copy up to date, but not for recall's feedback search (`origin`): one
        recall, one view of the index. None: search in SQL."""
        head = None if origin is not None else self.copy.catch_up(cache)
        if origin is None and head is None:
            return None
        self._seen.head = head if near_only else None
        return self._copy_search(cache, query, flt, k, near_only, origin, floor)

    def _copy_search(
        self,
        cache: "VectorCache",
        query: "np.ndarray",
        flt: MemoryFilter,
        k: int,
        near_only: bool,
        origin: "np.ndarray | None",
        floor: float | None,
    ) -> list[tuple[int, float]] | None:
        """The copy's own search as it stands (lock held). None: the filter needs SQL, or
        the copy broke (dropped, to be built again). No database is read here."""
        try:
            return cache.search(query, flt, datetime.now(UTC), k, near_only, origin, floor)
        except Exception:
            self.copy.drop_broken(cache)
            return None

    # -- a write's near-duplicate check (nearby.py) ----------------------------------------

    def embed_near(self, text: str, scope: str | None) -> "tuple[np.ndarray | None, Prepared]":
        """`text`'s vector (None: no model ready) and, for a write that then looks for a near
        duplicate in `scope`, what that search reads, prepared on the helper meanwhile."""
        from memory_mcp.search.nearby import Prepared, alongside

        if scope is None or self.copy.cache is None:  # nothing to read ahead (SQL needs q)
            vectors, prepared = self.embed_documents([text]), Prepared()
        else:
            flt = MemoryFilter(scopes=[scope])
            vectors, prepared = alongside(
                self.copy.helper,
                lambda: self.copy.prepare_near(flt),
                lambda: self.embed_documents([text]),
            )
        return (None if vectors is None else vectors[0]), prepared

    def search_near(
        self, query: "np.ndarray", flt: MemoryFilter, k: int, ahead: "Prepared | None", floor: float
    ) -> list[tuple[int, float]]:
        """search(query, flt, k, near_only=True, floor=floor), from what `ahead` read: its
        rows, or a copy it brought up to date (read once, not again after the embedding;
        the answer reflects the log at least as far as `ahead.head`, which the writer's
        raced-fold check goes by)."""
        if ahead is None or ahead.head is None or ahead.flt != flt:
            return self.search(query, flt, k, near_only=True, floor=floor)
        if ahead.rows is not None:
            self._seen.head = ahead.head
            return ahead.rows.best(query, k)
        with self.copy.lock:
            cache = self.copy.cache
            found = None
            if cache is not None and cache.head >= ahead.head:
                found = self._copy_search(cache, query, flt, k, True, None, floor)
        if found is None:  # dropped meanwhile, or a filter the copy cannot apply: as usual
            return self.search(query, flt, k, near_only=True, floor=floor)
        self._seen.head = ahead.head
        return found

    def fill_pending(self, progress: Progress | None = None) -> int:
        """Embed every memory that has no vector yet, in batches (each one transaction)."""
        self._wanted()
        if not self.ready:
            return 0
        return self._fill(progress)

    def _fill_newcomers(self, after: int) -> int | None:
        """Embed rows without a vector after id `after` (backlog.py); None: not now."""
        if not self.ready or not self._still_ours(self.store.vector_log_head()[0]):
            return None  # another model's index: its rows are not ours to embed
        return self._fill(after=after)

    def _fill(self, progress: Progress | None = None, announce: bool = True, after: int = 0,
              upto: int | None = None) -> int:  # fmt: skip
        assert self.embedder is not None
        told = (self.on_embedded if announce else None, progress, after, self.newcomers.refused)
        return embed_pending(self.store, self.embedder, self._stopping, *told, upto=upto)

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the vector index with the configured model and re-embed every memory."""
        if self.embedder is None:
            raise EmbedderUnavailable("Semantic search is disabled; nothing to reindex.")
        self._wanted()
        thread = self._thread
        if thread is not None:
            thread.join()
        self.embedder.load()
        wanted = (self.embedder.model_name, self.embedder.dim)
        # An interrupted reindex for the same model resumes: its vectors so far are good.
        if self.store.reindex_pending() != wanted or self.store.vector_index_info() != wanted:
            self.store.reset_vector_index(*wanted)
        else:
            logger.info("Resuming an interrupted reindex with %s", wanted[0])
        self.state, self.reason = "ready", None
        filled = self._fill(progress, announce=False)  # re-embedding is not a new write
        self.store.finish_reindex()
        return filled


def _none_left(threads: tuple[threading.Thread | None, ...], wait: float) -> bool:
    """Whether none of `threads` is still running after stop's wait; a load cannot be cut
    short, so one still running (besides the caller's own) is said, with the wait it got."""
    alive = [t for t in threads if t is not None and t.is_alive()]
    if waited := [t.name for t in alive if t is not threading.current_thread()]:
        logger.info("Not waiting longer than %g s for %s: ending without it.", wait,
                    ", ".join(waited))  # fmt: skip
    return not alive
