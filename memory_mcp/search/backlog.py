"""Embedding the memories stored without a vector: at start (every one), and, in a server,
those other processes store while it runs.

A hook's capture, a `MEMORY_MCP_SEMANTIC=false` or offline command, a process whose model is
not the index's: each stores rows without a vector and leaves them to a process with the
model. A server embeds the backlog it finds at start; after that it notices newer rows by the
highest memory id (one index lookup at any size), checked at most every CHECK_EVERY_S when it
is asked to embed (a recall or a write), and embeds them on a background thread, scanning only
the ids after the last it looked at (less OVERLAP: on PostgreSQL a lower id can commit after
a higher one). A row such a process edits loses its vector; the vector change log (its head is
one lookup too) names those rows, and they are embedded again the same way. A backlog a
process could not store (a read-only PostgreSQL role, a read-only file) is tried again every
RETRY_WRITE_S, so a role granted the right to write later fills it without a
restart.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from memory_mcp.errors import ReadOnly, StorageError, of_one_batch
from memory_mcp.search.embed import Embedder
from memory_mcp.storage.contract import Progress, Storage

if TYPE_CHECKING:
    import numpy as np


logger = logging.getLogger(__name__)

EMBED_BATCH = 64
CHECK_EVERY_S = 2.0
OVERLAP = 256
RETRY_WRITE_S = 30.0  # how often a backlog the database refused to store is tried again

Embedded = Callable[[list[tuple[int, "np.ndarray"]]], None]  # (id, vector) just stored
Refused = Callable[[ReadOnly], None]  # told when the database may not be written by us


def embed_pending(
    store: Storage,
    embedder: Embedder,
    stopping: threading.Event,
    told: Embedded | None = None,
    progress: Progress | None = None,
    after: int = 0,
    refused: Refused | None = None,
    upto: int | None = None,
) -> int:
    """Embed every memory without a vector after id `after`, in batches (each one
    transaction); `told` hears of each batch's vectors, `refused` of a database that may only
    be read (else a warning says it); `upto`: no row after that id. Returns how many were
    stored. The first batch is one row: a database that refuses the write (a read-only role,
    tried again every RETRY_WRITE_S) costs one embedding, not a batch's."""
    # counts() scans every table: only a progress report needs it (not each write's fill),
    # and only once there is something to embed (not at every start of a server).
    counts = None
    filled, size = 0, 1
    try:
        while not stopping.is_set() and (batch := store.pending_embeddings(size, after)):
            if upto is not None and not (batch := [row for row in batch if row[0] <= upto]):
                break
            if progress is not None and counts is None:
                counts = store.counts()
            size = EMBED_BATCH
            vectors = embedder.embed_documents([content for _, content in batch])
            # With the text embedded: a row edited since waits for its new text's vector.
            filled += store.set_vectors(
                [(mid, text, vec) for (mid, text), vec in zip(batch, vectors, strict=True)]
            )
            after = batch[-1][0]
            if progress is not None and counts is not None:
                progress(counts["vec"] + filled, counts["memories"])
            if told is not None:  # after progress: its checks read the database
                told([(mid, vec) for (mid, _), vec in zip(batch, vectors, strict=True)])
    except ReadOnly as exc:
        # A process that may only read (a read-only PostgreSQL role) leaves these rows to one
        # that may write, and searches what has vectors meanwhile. (A reindex never gets
        # here: replacing the vector table already needs the owner.)
        if refused is not None:
            refused(exc)
        else:
            _warn_read_only(exc)
    return filled


class StartingFill:
    """How far a starting process is with the backlog it embeds before semantic search is on
    (recall stays keyword-only meanwhile): for the note recall and stats show, which said
    "the model is still loading" for the minutes a large backlog takes after it loaded."""

    def __init__(self) -> None:
        self.running = False
        self.done = self.total = 0

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def fill(self, fill: Callable[[Progress], int]) -> int | None:
        """fill_what_fits(fill), with its progress kept for note() while it runs."""
        self.running = True
        try:
            return fill_what_fits(lambda: fill(self.progress))
        finally:
            self.running = False

    def note(self) -> str | None:
        if not self.running:
            return None
        left = max(self.total - self.done, 0)
        counted = f" ({left:,} left)" if self.total else ""
        return (
            "The embedding model is loaded and is embedding the memories stored without a "
            f"vector{counted}; recall is keyword-only until it is done."
        )


def _warn_read_only(exc: ReadOnly) -> None:
    logger.warning(
        "Memories stored without a vector are found by keyword only until a process "
        "that may write embeds them: %s",
        exc,
    )


def fill_what_fits(fill: Callable[[], int]) -> int | None:
    """Embed the backlog (`fill`) as far as the database takes it: a full disk or size cap
    midway leaves the rest to keyword search, said in a warning, and returns None. (Where
    it propagated, a server's semantic search stayed "loading" for good.)"""
    try:
        return fill()
    except StorageError as exc:
        logger.warning(
            "Memories stored without a vector are found by keyword only until they can be "
            "embedded: %s",
            of_one_batch(exc),
        )
        return None


# Embed the rows without a vector after this id: how many; None: not now (the model is not
# ready, or the index is another model's), the rows wait for a later check.
Fill = Callable[[int], int | None]


class Newcomers:
    def __init__(
        self, store: Storage, embedder: Embedder | None, fill: Fill, stopping: threading.Event
    ) -> None:
        self.store, self.embedder, self._fill, self._stopping = store, embedder, fill, stopping
        # Every row up to this id, and every vector change up to this log position, was
        # looked at (None: not watching, as in a one-shot command).
        self.known: tuple[int, int] | None = None
        self._at = 0.0
        # When the database last refused our vectors (it may only be read): the backlog is
        # tried again RETRY_WRITE_S later (None: nothing refused).
        self._refused_at: float | None = None
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def refused(self, exc: ReadOnly) -> None:
        """The database would not store vectors: said once, tried again later (check)."""
        if self._refused_at is None:
            _warn_read_only(exc)
        self._refused_at = time.monotonic()

    def watch_from(self, known: int, logged: int) -> None:
        """Start watching past memory id `known` and vector log position `logged`."""
        self.known = (known, logged)

    def check(self) -> None:
        """On the request path: at most every CHECK_EVERY_S, read the highest id and the
        vector log's head (two index lookups); anything past them is embedded on a thread."""
        known = self.known
        if known is None or self._stopping.is_set():
            return
        with self._lock:
            now = time.monotonic()
            busy = self.thread is not None and self.thread.is_alive()
            if busy or now - self._at < CHECK_EVERY_S:
                return
            self._at = now
            refused = self._refused_at
            retry = refused is not None and now - refused >= RETRY_WRITE_S
        now_at = (self.store.last_memory_id(), self.store.vector_log_head()[1])
        if not retry and now_at[0] <= known[0] and now_at[1] <= known[1]:
            return
        thread = threading.Thread(
            target=self._embed, args=(known, now_at, retry), name="memory-mcp-newcomers",
            daemon=True,
        )  # fmt: skip
        with self._lock:
            if self.thread is not None and self.thread.is_alive():
                return
            thread.start()
            self.thread = thread

    def _embed(self, known: tuple[int, int], now_at: tuple[int, int], retry: bool) -> None:
        """Embed what is new since `known`; with `retry`, the whole backlog the database
        refused before (a role still read-only refuses its first row: embed_pending)."""
        try:
            if retry:
                refused = self._refused_at
                if self._fill(0) is None or self._refused_at != refused:
                    return  # not now, or refused again (refused() moved its time on)
                self._refused_at = None
            filled = self._fill(max(0, known[0] - OVERLAP))
            if filled is None:
                return
            edited = self._embed_edited(known[1])
            if edited is None:  # too far behind to tell which: every row without a vector
                edited = self._fill(0) or 0
            filled += edited
        except Exception as exc:  # noqa: BLE001 - the next check tries again
            if not self._stopping.is_set():
                logger.warning("Embedding memories stored by other processes failed: %s", exc)
            return
        self.known = now_at
        if filled:
            logger.info("Embedded %d memories other processes stored without a vector", filled)

    def _embed_edited(self, logged: int) -> int | None:
        """Rows whose vector went since log position `logged` (another process without the
        model changed their text): embedded again. None: the log no longer reaches back
        that far (a full scan for rows without a vector follows). Only the ids are read:
        most changes since are this server's own writes, whose vectors it has."""
        assert self.embedder is not None
        gone = self.store.vectors_lost(logged)
        if gone is None:
            return None
        filled = 0
        for start in range(0, len(gone), EMBED_BATCH):
            batch = self.store.get_many(gone[start : start + EMBED_BATCH])
            edited = [(m.id, m.content) for m in batch if not m.embedded]  # purged: not there
            if self._stopping.is_set():
                break
            if edited:
                vectors = self.embedder.embed_documents([text for _, text in edited])
                rows = [(mid, text, vec) for (mid, text), vec in zip(edited, vectors, strict=True)]
                filled += self.store.set_vectors(rows)
        return filled
