"""What storing a bulk item costs the CPU, without the model: `remember_many` over speed.py's
synthetic memories with an embedder that hands out fixed vectors (no inference), so nearly
all the CPU measured is the write path's own (checks, redaction, SQLite, history).

    uv run python benchmarks/bulk_cpu.py [--items 10240] [--rounds 3] [--statements]

Bulk import runs at about 6/(6+S) of the embedder's own rate when the model costs ~6 ms of
CPU an item and storing S ms (both cores busy, no idle time): this is S. Figures are thread
CPU times (the caller's thread, where a bulk write stores; the process's, less the fake
embedder's), best of `--rounds` fresh databases; `--statements` adds each SQL statement's
share of the caller's CPU. Compare runs of two versions interleaved on the same machine.
"""

import argparse
import collections
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from memory_mcp.config import DEFAULT_MODEL, Settings
from memory_mcp.service import MemoryService
from memory_mcp.storage.sqlite import db

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import SEED, make_items  # noqa: E402

DIM = 384  # the default model's: vectors of its size, so vec0 stores as much as in use


class FixedVectors:
    """An embedder that costs nothing: unit vectors from a fixed pool, in turn."""

    model_name = DEFAULT_MODEL

    def __init__(self) -> None:
        pool = np.random.default_rng(1).standard_normal((4096, DIM)).astype(np.float32)
        self.pool = pool / np.linalg.norm(pool, axis=1, keepdims=True)
        self.cpu = 0.0

    @property
    def dim(self) -> int:
        return DIM

    def load(self) -> None:
        pass

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        started = time.thread_time()
        vectors = self.pool[np.arange(len(texts)) % len(self.pool)].copy()
        self.cpu += time.thread_time() - started
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self.pool[0].copy()


def traced(tally: collections.Counter[str]) -> None:
    """Count each statement's CPU on the caller's thread (the store's connection class)."""
    main = threading.main_thread()
    for name in ("execute", "executemany"):
        original = getattr(db.Connection, name)

        def timed(self: Any, sql: str, *args: Any, _original: Any = original) -> Any:
            if threading.current_thread() is not main:
                return _original(self, sql, *args)
            started = time.thread_time()
            try:
                return _original(self, sql, *args)
            finally:
                tally[" ".join(sql.split())[:80]] += time.thread_time() - started

        setattr(db.Connection, name, timed)


def one_round(items: int, tally: collections.Counter[str]) -> tuple[float, float]:
    """(caller's thread, process less the embedder) CPU ms an item, on a fresh database."""
    with tempfile.TemporaryDirectory(prefix="memory-mcp-bulk-cpu-") as tmp:
        embedder = FixedVectors()
        service = MemoryService.open(Settings(db=Path(tmp) / "bulk.db"), embedder=embedder)
        if not service.semantic.ensure():
            sys.exit(f"semantic search unavailable: {service.semantic.note}")
        service.remember_many(make_items(256, SEED))  # statements prepared, thread started
        batch = make_items(items, SEED + 1)
        tally.clear()
        thread, process = time.thread_time(), time.process_time()
        service.remember_many(batch)
        thread, process = time.thread_time() - thread, time.process_time() - process
        service.close()
    return thread / items * 1e3, (process - embedder.cpu) / items * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_240)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--statements", action="store_true", help="CPU per SQL statement")
    args = parser.parse_args()
    tally: collections.Counter[str] = collections.Counter()
    if args.statements:
        traced(tally)
    best: tuple[float, float] | None = None
    shares: list[tuple[str, float]] = []
    for round_no in range(args.rounds):
        thread, process = one_round(args.items, tally)
        print(f"round {round_no + 1}: caller {thread:.3f} ms/item, process {process:.3f}")
        if best is None or thread < best[0]:
            best, shares = (thread, process), tally.most_common(8)
    assert best is not None
    print(f"best of {args.rounds}: caller {best[0]:.3f} ms/item, process {best[1]:.3f}")
    for sql, seconds in shares:
        print(f"  {seconds / args.items * 1e3:.4f} ms/item  {sql}")


if __name__ == "__main__":
    main()
