"""Compact resident vectors for the in-memory index: int8 codes in memory, float32 on disk.

Why: the copy held every vector as 384 float32s (1.5 KB per memory; 1.5 GB at 1M). It now
holds each as 384 int8 codes and one float32 scale (max |component| / 127): a cosine from the
codes is within ~5e-4 of the exact one, enough to pick the best few of the candidates. The
exact float32 vectors go to an unlinked temporary file next to the database; the few best are
read back from it (one small read each, from the OS page cache when hot) and scored exactly,
so the scores returned are the ones sqlite-vec computes. The file is private to the copy:
written as rows arrive, rewritten when the copy compacts, gone when the process ends.
"""

import ctypes
import ctypes.util
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO

import numpy as np

CHUNK = 8_192  # rows decoded at a time by a full scan (bounded temporaries)
_PREAD = hasattr(os, "pread")  # not on Windows: seek and read there


def release_free_memory() -> None:
    """Return freed heap pages to the system (glibc keeps them otherwise: loading 100k
    vectors in batches left ~80 MB of freed temporaries resident, measured). No-op where
    there is no glibc malloc_trim."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # musl and others: nothing to do
        return


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 codes, float32 scale per row): row ~= codes * scale."""
    vectors = np.asarray(vectors, np.float32)
    peak = np.abs(vectors).max(axis=1) if len(vectors) else np.zeros(0, np.float32)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.rint(vectors / scale[:, None]).astype(np.int8)
    return codes, scale


def decode(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    result: np.ndarray = codes.astype(np.float32) * scale[:, None]
    return result


def dot(rows: np.ndarray, q: np.ndarray) -> np.ndarray:
    """rows @ q on this thread: OpenBLAS's threaded gemv stalls on a busy 2-core machine
    (8 ms instead of 1 ms at 20k rows, 171 ms against einsum's 93 ms at 1M; measured)."""
    result: np.ndarray = np.einsum("ij,j->i", rows, q)
    return result


def top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, best first (ties in index order)."""
    if len(scores) > k:
        part = np.argpartition(-scores, k)[:k]
        return part[np.argsort(-scores[part], kind="stable")]
    return np.argsort(-scores, kind="stable")


def rough_scores(codes: np.ndarray, scale: np.ndarray, q: np.ndarray) -> np.ndarray:
    """codes @ q * scale, decoded CHUNK rows at a time."""
    out = np.empty(len(codes), np.float32)
    for at in range(0, len(codes), CHUNK):
        part = codes[at : at + CHUNK].astype(np.float32)
        out[at : at + CHUNK] = np.einsum("ij,j->i", part, q)
    out *= scale
    return out


class ExactFile:
    """Append-only float32 rows in an unlinked temporary file; row r at r * dim * 4."""

    def __init__(self, dim: int, folder: Path | None = None) -> None:
        self.dim = dim
        self._row_bytes = dim * 4
        self._folder = folder if folder is not None and folder.is_dir() else None
        # Opened at the first row: a small float32 copy never writes one, and needs neither
        # a descriptor nor a writable folder.
        self._file: BinaryIO | None = None
        self._lock = threading.Lock()
        self.rows = 0

    def _open(self) -> BinaryIO:
        # Unlinked at once on POSIX (deleted on close on Windows); mode 0600 either way.
        # Unbuffered: every write reaches the file before a positioned read looks for it.
        # The database's folder first (a temporary folder may be memory-backed); the system's
        # temporary folder if that one is read-only.
        try:
            return tempfile.TemporaryFile(
                prefix=".memory-mcp-vectors-", dir=self._folder, buffering=0
            )
        except OSError:
            if self._folder is None:
                raise
            return tempfile.TemporaryFile(prefix=".memory-mcp-vectors-", buffering=0)

    def _opened(self) -> BinaryIO:  # call with the lock held
        if self._file is None:
            self._file = self._open()
        return self._file

    def append(self, vectors: np.ndarray) -> np.ndarray:
        """Write rows at the end; returns their row numbers."""
        data = np.ascontiguousarray(vectors, dtype="<f4")
        with self._lock:
            start, file = self.rows, self._opened()
            file.seek(start * self._row_bytes)
            _write_all(file, data.tobytes())
            self.rows += len(data)
        return np.arange(start, start + len(data), dtype=np.int64)

    def read(self, rows: np.ndarray) -> np.ndarray:
        """The float32 rows at these row numbers, in this order (one positioned read each)."""
        out = np.empty((len(rows), self.dim), np.float32)
        size = self._row_bytes
        with self._lock:
            file = self._opened()
            if _PREAD:
                fd = file.fileno()
                for i, row in enumerate(rows.tolist()):
                    out[i] = np.frombuffer(os.pread(fd, size, row * size), dtype="<f4")
            else:
                for i, row in enumerate(rows.tolist()):
                    file.seek(row * size)
                    out[i] = np.frombuffer(file.read(size), dtype="<f4")
        return out

    def rewrite(self, rows: np.ndarray) -> np.ndarray:
        """Keep only these rows (in this order) in a fresh file; returns their new numbers."""
        fresh = self._open()
        for at in range(0, len(rows), CHUNK):
            _write_all(
                fresh, np.ascontiguousarray(self.read(rows[at : at + CHUNK]), "<f4").tobytes()
            )
        with self._lock:
            if self._file is not None:
                self._file.close()
            self._file, self.rows = fresh, len(rows)
        return np.arange(len(rows), dtype=np.int64)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()

    def __del__(self) -> None:  # a copy dropped for a reload lets go of its file
        file = getattr(self, "_file", None)
        if file is not None:
            file.close()


def _write_all(file: BinaryIO, data: bytes) -> None:
    """Write all of `data` to an unbuffered file: a raw write may write only part of it (a
    full disk, a file size limit), and the next one then raises the reason."""
    view = memoryview(data)
    while view:
        written = file.write(view)
        if not written:
            raise OSError("the in-memory index's vectors file takes no more bytes")
        view = view[written:]


class Slots:
    """memory id -> row of the copy: an int32 array indexed by id (4 bytes per id, where a
    dict took ~100 per entry), and a dict for the odd id far beyond the others."""

    def __init__(self) -> None:
        self._dense = np.full(0, -1, np.int32)
        self._sparse: dict[int, int] = {}
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def add(self, ids: np.ndarray, slots: np.ndarray) -> None:
        """Map ids that are not mapped yet."""
        near = ids < max(1 << 20, 4 * (self.count + len(ids)))
        if near.any():
            need = int(ids[near].max()) + 1
            if need > len(self._dense):
                grown = np.full(max(need, len(self._dense) * 5 // 4), -1, np.int32)
                grown[: len(self._dense)] = self._dense
                self._dense = grown
            self._dense[ids[near]] = slots[near]
        self._sparse.update(zip(ids[~near].tolist(), slots[~near].tolist(), strict=True))
        self.count += len(ids)

    def get(self, memory_id: int) -> int | None:
        if 0 <= memory_id < len(self._dense) and self._dense[memory_id] >= 0:
            return int(self._dense[memory_id])
        return self._sparse.get(memory_id)

    def pop(self, memory_id: int) -> int | None:
        if 0 <= memory_id < len(self._dense) and self._dense[memory_id] >= 0:
            slot = int(self._dense[memory_id])
            self._dense[memory_id] = -1
        elif (found := self._sparse.pop(memory_id, None)) is not None:
            slot = found
        else:
            return None
        self.count -= 1
        return slot

    def reset(self, ids: np.ndarray) -> None:
        """Map ids[i] -> i, forgetting the rest."""
        self._dense[:] = -1
        self._sparse.clear()
        self.count = 0
        self.add(ids, np.arange(len(ids), dtype=np.int32))

    def nbytes(self) -> int:
        return int(self._dense.nbytes) + 100 * len(self._sparse)
