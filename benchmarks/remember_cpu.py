"""Where `remember` spends its CPU beyond the embedding: thread CPU per phase, at 10k memories.

    uv run python benchmarks/remember_cpu.py --db FILE [--writes 300] [--rounds 3]
                                             [--model-dir DIR]

The model embeds every text first (the database's, built into FILE if it does not exist:
speed.py's 10,000 synthetic memories; and the texts to remember), then `remember` runs with
an embedder that hands those same vectors back: the near-duplicate checks find what they
would find with the model, and nearly all the CPU measured is the write path's own. The
vector copy is loaded as a server loads it. Each round stores the same new texts into a
fresh copy of FILE; per phase, the caller's thread CPU per write (the read-ahead, which a
server runs on its helper thread while the model embeds, runs here on the caller: the
embedding takes no time). Figures are thread CPU, steadier than wall-clock time on a loaded
machine; compare two versions with interleaved runs.
"""

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from memory_mcp.config import DEFAULT_MODEL, Settings
from memory_mcp.service import MemoryService, rewordings, writing

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import SEED, ensure_db, load_embedder, make_items  # noqa: E402


class Vectors:
    """An embedder handing back vectors the model made before (no inference)."""

    model_name = DEFAULT_MODEL

    def __init__(self, known: dict[str, np.ndarray]) -> None:
        self.known = known

    @property
    def dim(self) -> int:
        return len(next(iter(self.known.values())))

    def load(self) -> None:
        pass

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.known[text] for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self.known[text].copy()


PHASES: list[tuple[Any, str, str]] = [
    (writing.Writer, "_new_memory", "checks, redaction, the new memory"),
    (writing.Writer, "_repeat_of", "exact repeat look-up (before embedding)"),
    (None, "embed_near", "near-duplicate read-ahead (a helper's, in a server)"),
    (writing, "look_near", "near-duplicate search, similar rows"),
    (rewordings, "_rewording", "  of which: rewording check (facts)"),
    (writing.Writer, "_insert", "insert: one transaction, commit included"),
    (None, "stored", "vector copy updated"),
]


def timed(spent: dict[str, float], label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.thread_time() - started

    return wrapper


def one_round(db: Path, known: dict[str, np.ndarray], items: list[dict[str, Any]]) -> Any:
    """(thread CPU ms a write, {phase: ms a write}) on a fresh copy of `db`."""
    spent: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="memory-mcp-remember-cpu-") as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copy(db, copy)
        service = MemoryService.open(Settings(db=copy), embedder=Vectors(known))
        assert service.semantic.ensure()
        service.semantic.load_cache()  # as a server does
        for item in items[:10]:
            service.remember(**item)  # warm-up
        owners = {"embed_near": service.semantic, "stored": service.semantic.copy}
        saved = []
        for owner, name, label in PHASES:
            owner = owners.get(name, owner)
            saved.append((owner, name, getattr(owner, name)))
            setattr(owner, name, timed(spent, label, getattr(owner, name)))
        try:
            started = time.thread_time()
            for item in items[10:]:
                service.remember(**item)
            total = time.thread_time() - started
        finally:
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)
            service.close()
    n = len(items) - 10
    return total / n * 1e3, {label: s / n * 1e3 for label, s in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    embedder, _ = load_embedder(args.model_dir)
    ensure_db(args.db, embedder, args.model_dir)
    items = make_items(args.writes + 10, SEED + 99)
    texts = list(dict.fromkeys(item["content"] for item in items))
    known = dict(zip(texts, embedder.embed_documents(texts), strict=True))
    rounds = [one_round(args.db, known, items) for _ in range(args.rounds)]
    total, phases = min(rounds, key=lambda r: r[0])
    print(f"remember beyond the embedding, best of {args.rounds}: {total:.3f} ms thread CPU")
    for _, _, label in PHASES:
        print(f"  {phases.get(label, 0.0):7.3f} ms  {label}")
    shown = sum(v for k, v in phases.items() if not k.startswith("  "))
    print(f"  {total - shown:7.3f} ms  the rest (result, arguments, times, grants)")


if __name__ == "__main__":
    main()
