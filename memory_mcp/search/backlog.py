"""Embedding the memories stored without a vector: at start (every one), and, in a server,
those other processes store while it runs.

A hook's capture, a `MEMORY_MCP_SEMANTIC=false` or offline command, a process whose model is
not the index's: each stores rows without a vector and leaves them to a process with the
model. A server embeds the backlog it finds at start; after that it notices newer rows by the
highest memory id (one index lookup at any size), checked at most every CHECK_EVERY_S when it
is asked to embed (a recall or a write), and embeds them on a background thread, scanning only
the ids after the last it looked at (less OVERLAP: on PostgreSQL a lower id can commit after
a higher one).
"""

import logging
import threading
import time
from collections.abc import Callable

import numpy as np

from memory_mcp.search.embed import Embedder
from memory_mcp.storage.contract import Progress, Storage

logger = logging.getLogger(__name__)

EMBED_BATCH = 64
CHECK_EVERY_S = 2.0
OVERLAP = 256

Embedded = Callable[[list[tuple[int, np.ndarray]]], None]  # (id, vector) just stored


def embed_pending(
    store: Storage,
    embedder: Embedder,
    stopping: threading.Event,
    told: Embedded | None = None,
    progress: Progress | None = None,
    after: int = 0,
) -> int:
    """Embed every memory without a vector after id `after`, in batches (each one
    transaction); `told` hears of each batch's vectors. Returns how many were stored."""
    # counts() scans every table; only a progress report needs it (not each write's fill)
    counts = store.counts() if progress is not None else None
    filled = 0
    while not stopping.is_set() and (batch := store.pending_embeddings(EMBED_BATCH, after)):
        vectors = embedder.embed_documents([content for _, content in batch])
        # With the text embedded: a row edited since waits for its new text's vector.
        filled += store.set_vectors(
            [(mid, text, vec) for (mid, text), vec in zip(batch, vectors, strict=True)]
        )
        if told is not None:
            told([(mid, vec) for (mid, _), vec in zip(batch, vectors, strict=True)])
        after = batch[-1][0]
        if progress is not None and counts is not None:
            progress(counts["vec"] + filled, counts["memories"])
    return filled


# Embed the rows without a vector after this id: how many; None: not now (the model is not
# ready, or the index is another model's), the rows wait for a later check.
Fill = Callable[[int], int | None]


class Newcomers:
    def __init__(self, store: Storage, fill: Fill, stopping: threading.Event) -> None:
        self.store, self._fill, self._stopping = store, fill, stopping
        self.known: int | None = None  # every row up to this id was looked at (None: off)
        self._at = 0.0
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def watch_from(self, known: int) -> None:
        """Start watching: every row up to `known` was embedded (or looked at)."""
        self.known = known

    def check(self) -> None:
        """On the request path: at most every CHECK_EVERY_S one read of the highest id; rows
        past the last one looked at are embedded on a background thread."""
        known = self.known
        if known is None or self._stopping.is_set():
            return
        with self._lock:
            now = time.monotonic()
            busy = self.thread is not None and self.thread.is_alive()
            if busy or now - self._at < CHECK_EVERY_S:
                return
            self._at = now
        last = self.store.last_memory_id()
        if last <= known:
            return
        thread = threading.Thread(
            target=self._embed, args=(known, last), name="memory-mcp-newcomers", daemon=True
        )
        with self._lock:
            if self.thread is not None and self.thread.is_alive():
                return
            thread.start()
            self.thread = thread

    def _embed(self, known: int, last: int) -> None:
        try:
            filled = self._fill(max(0, known - OVERLAP))
        except Exception as exc:  # noqa: BLE001 - the next check tries again
            if not self._stopping.is_set():
                logger.warning("Embedding memories stored by other processes failed: %s", exc)
            return
        if filled is None:
            return
        self.known = max(last, self.known or 0)
        if filled:
            logger.info("Embedded %d memories other processes stored without a vector", filled)
