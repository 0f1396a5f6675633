"""Worker processes for the race tests: several processes doing the same thing at once.

Each worker opens its own service on the shared file, then, step after step, waits at a
barrier with the others and makes the same request they all make, and reports what it got.
The embedder is a fake as slow as a real model's single-text call, so the time between
reading the file and writing it is as long as in a real server.
Lives outside the test module so `spawn` children import it without pytest's collection.
"""

import hashlib
import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from memory_mcp.config import Settings
from memory_mcp.errors import MemoryMCPError
from memory_mcp.service import MemoryService

EMBED_SECONDS = 0.02  # all-MiniLM-L6-v2 on one short text, on a laptop core
Outcome = tuple[str, Any]  # (status, or "refused" / "crashed"; id or message)
Step = Callable[[MemoryService, int, int], Any]


class SlowEmbedder:
    """Deterministic 8-d vectors from the words, after a real model's delay."""

    model_name = "fake/slow"
    dim = 8

    def load(self) -> None:
        pass

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        time.sleep(EMBED_SECONDS)
        return np.stack([self.embed_query(t) for t in texts]) if texts else np.zeros((0, 8))

    def embed_query(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in text.lower().split():
            digest = hashlib.sha256(word.encode()).digest()
            vec[digest[0] % self.dim] += 1.0 + digest[1] / 255
        return vec / np.linalg.norm(vec)


def same_content(service: MemoryService, rnd: int, worker: int) -> Outcome:
    made = service.remember(f"Round {rnd}: the build server is kestrel-{rnd}", scope="race")
    return made.status, made.id


def same_key(service: MemoryService, rnd: int, worker: int) -> Outcome:
    made = service.remember(
        f"Round {rnd}: the editor is number {worker}", scope="race", key=f"editor.{rnd}"
    )
    return made.status, made.id


def same_replaces(service: MemoryService, rnd: int, worker: int) -> Outcome:
    made = service.remember(f"Round {rnd}: correction from worker {worker}", replaces=TARGETS[rnd])
    return made.status, made.id


def same_bulk(service: MemoryService, rnd: int, worker: int) -> Outcome:
    made = service.remember_many([{"content": f"Bulk round {rnd} fact {i}"} for i in range(3)])
    return "bulk", made


def same_import(service: MemoryService, rnd: int, worker: int) -> Outcome:
    fmt, path = IMPORTS[rnd]
    if fmt == "jsonl":
        report: Any = service.import_jsonl(Path(path))
    else:
        report = service.import_from(fmt, Path(path), scope="imported")
    return "imported", report.created


STEPS: dict[str, Step] = {
    "same-content": same_content,
    "same-key": same_key,
    "same-replaces": same_replaces,
    "same-bulk": same_bulk,
    "same-import": same_import,
}
TARGETS: list[int] = []  # the memory each round corrects (same-replaces)
IMPORTS: list[tuple[str, str]] = []  # the file each round imports (same-import)


def work(
    db: str,
    steps: list[str],
    worker: int,
    rounds: int,
    shared: tuple[list[int], list[tuple[str, str]]],
    barrier: Any,
    results: Any,
) -> None:
    TARGETS[:], IMPORTS[:] = shared
    service = MemoryService.open(Settings(db=Path(db)), embedder=SlowEmbedder())
    service.semantic.ensure()
    out: dict[str, list[Outcome]] = {step: [] for step in steps}
    try:
        for rnd in range(rounds):
            for step in steps:
                barrier.wait(timeout=60)
                try:
                    out[step].append(STEPS[step](service, rnd, worker))
                except MemoryMCPError as exc:
                    out[step].append(("refused", str(exc)))
                except Exception as exc:  # noqa: BLE001 - a crash is a result to assert on
                    out[step].append(("crashed", f"{type(exc).__name__}: {exc}"))
    finally:
        service.close()
        results.put((worker, out))


def race(
    db: Path,
    steps: list[str],
    workers: int,
    rounds: int,
    targets: list[int] | None = None,
    imports: list[tuple[str, str]] | None = None,
) -> dict[str, list[list[Outcome]]]:
    """Run `steps` in `workers` processes for `rounds` rounds, all at once each time.

    Returns, per step, each round's outcomes (one per worker)."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(workers)
    results = ctx.Queue()
    shared = (targets or [], imports or [])
    procs = [
        ctx.Process(target=work, args=(str(db), steps, w, rounds, shared, barrier, results))
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    collected = dict(results.get(timeout=240) for _ in procs)
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0, f"a worker exited with {proc.exitcode}"
    return {
        step: [[collected[w][step][rnd] for w in range(workers)] for rnd in range(rounds)]
        for step in steps
    }
