"""Maintenance under load: backup, doctor and the keyword rebuild while another process writes.

    uv run python benchmarks/maintenance_load.py [--memories 20000] [--rate 20]
                                                 [--busy-ms 5000] [--db PATH] [--keep]

Builds (or reuses, with --db) a database of `--memories` memories of ~800 characters with
384-d vectors (20,000 make ~90 MB; 125,000 make ~540 MB, the size issue 11 measured; one in
ten is forgotten, so both keyword indexes, visible and hidden, hold rows), then
runs each maintenance step once without and once with a writer: a separate process adding a
memory with its vector `--rate` times a second, waiting at most `--busy-ms` for the lock.
It prints how long each step took, how many of the writer's writes failed with a lock error,
and the writer's longest write. The steps: `backup` (with a progress callback, as the CLI
shows a bar; given up after --timeout seconds), `doctor` (--doctor-runs times: how many
verdicts were "unhealthy" on a healthy file), the keyword-index rebuild that `reindex` and
`doctor --repair` run, and `doctor --repair` after one keyword entry is dropped.
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from memory_mcp.storage.contract import NewRow
from memory_mcp.storage.sqlite import open_store

DIM = 384
MODEL = "bench/random-vectors"
WORDS = [f"w{i}" for i in range(5000)] + ["amber", "basalt", "cobalt", "delta", "ember"]
BATCH = 2000
FORGOTTEN_EVERY = 10  # one memory in ten is in the hidden memories' keyword index


def texts(rng: random.Random, n: int, chars: int = 800) -> list[str]:
    out = []
    for _ in range(n):
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < chars:
            words.append(rng.choice(WORDS))
        out.append(" ".join(words))
    return out


def unit_vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def build(path: Path, memories: int, seed: int = 1) -> None:
    store = open_store(path, 5000)
    store.ensure_vector_index(MODEL, DIM)
    have = store.counts()["memories"]
    rng, nrng = random.Random(seed + have), np.random.default_rng(seed + have)
    for at in range(have, memories, BATCH):
        n = min(BATCH, memories - at)
        rows = [
            NewRow(content=t, kind="note", tags=[f"t{rng.randrange(50)}"], scope="global",
                   metadata={}, vector=v)
            for t, v in zip(texts(rng, n), unit_vectors(nrng, n), strict=True)
        ]  # fmt: skip
        ids = [x.id for x in store.insert_many(rows)]
        store.set_forgotten(ids[::FORGOTTEN_EVERY], None)
        print(f"  built {at + n:,} of {memories:,}", file=sys.stderr)
    store.close()


# -- the writer process ----------------------------------------------------------------------


def writer_main(path: Path, rate: float, busy_ms: int) -> None:
    """Write `rate` memories a second until stdin closes; print what happened as JSON."""
    store = open_store(path, busy_ms)
    rng, nrng = random.Random(), np.random.default_rng()
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    latencies, errors = [], []
    print("ready", flush=True)
    while not stop.is_set():
        began = time.perf_counter()
        row = NewRow(content=texts(rng, 1)[0], kind="note", tags=[], scope="global",
                     metadata={}, vector=unit_vectors(nrng, 1)[0])  # fmt: skip
        try:
            store.insert(row)
            latencies.append(time.perf_counter() - began)
        except Exception as exc:  # noqa: BLE001 - every failure is counted
            errors.append(str(exc))
        time.sleep(max(0.0, 1 / rate - (time.perf_counter() - began)))
    store.close()
    print(json.dumps({"latencies": latencies, "errors": errors}), flush=True)


@contextmanager
def writer(path: Path, rate: float, busy_ms: int) -> Iterator[dict[str, Any]]:
    """A writer process for the block; the dict gets its figures when the block ends."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--writer", str(path), "--rate", str(rate),
         "--busy-ms", str(busy_ms)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)  # a few writes before the step starts
    figures: dict[str, Any] = {}
    try:
        yield figures
    finally:
        out, _ = proc.communicate(input="", timeout=120)
        done = json.loads(out.strip().splitlines()[-1])
        lat = done["latencies"] or [0.0]
        figures.update(
            writes=len(done["latencies"]),
            lock_errors=sum("lock" in e for e in done["errors"]),
            other_errors=[e for e in done["errors"] if "lock" not in e][:3],
            p50_ms=statistics.median(lat) * 1000,
            max_ms=max(lat) * 1000,
        )


# -- the steps -------------------------------------------------------------------------------


def backup(path: Path, out: Path, timeout: float) -> dict[str, Any]:
    service = MemoryService.open(Settings(db=path, semantic=False))
    began, calls = time.perf_counter(), [0]

    def progress(done: int, total: int) -> None:
        calls[0] += 1
        if time.perf_counter() - began > timeout:
            raise TimeoutError(f"not finished after {timeout:.0f} s")

    try:
        report = service.backup(out, overwrite=True, progress=progress)
        result = f"{report.memories:,} memories, integrity {report.integrity}"
    except Exception as exc:  # noqa: BLE001 - the figure to print
        result = f"FAILED: {type(exc).__name__}: {exc}"[:120]
    finally:
        service.close()
        for leftover in out.parent.glob(f".{out.name}.*"):
            leftover.unlink()
    return {"seconds": time.perf_counter() - began, "result": result}


def doctor(path: Path, runs: int) -> dict[str, Any]:
    service = MemoryService.open(Settings(db=path, semantic=False))
    began = time.perf_counter()
    verdicts = [service.doctor().healthy for _ in range(runs)]
    service.close()
    seconds = (time.perf_counter() - began) / runs
    return {"seconds": seconds, "result": f"{verdicts.count(False)} of {runs} unhealthy"}


def rebuild(path: Path) -> dict[str, Any]:
    store = open_store(path, 5000)
    began = time.perf_counter()
    store.rebuild_keyword_index()
    seconds = time.perf_counter() - began
    counts = store.counts()
    store.close()
    agree = f"fts {counts['fts']:,}, memories {counts['memories']:,}"
    return {"seconds": seconds, "result": agree}


def repair(path: Path) -> dict[str, Any]:
    store = open_store(path, 5000)
    store.conn.execute(
        "insert into memories_fts (memories_fts, rowid, content, tags, context) "
        "select 'delete', id, content, tags, context from memories_fts_source "
        "where id = (select min(id) from memories_fts_source)"  # a visible memory
    )
    store.close()
    service = MemoryService.open(Settings(db=path, semantic=False))
    began = time.perf_counter()
    report = service.doctor(repair=True)
    seconds = time.perf_counter() - began
    service.close()
    verdict = "healthy" if report.healthy else "UNHEALTHY"
    return {"seconds": seconds, "result": f"{verdict} after: {'; '.join(report.repaired)}"}


def run(args: argparse.Namespace, path: Path, workdir: Path) -> list[tuple[str, dict[str, Any]]]:
    steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("backup", lambda: backup(path, workdir / "copy.db", args.timeout)),
        ("doctor", lambda: doctor(path, args.doctor_runs)),
        ("keyword rebuild (reindex)", lambda: rebuild(path)),
        ("doctor --repair", lambda: repair(path)),
    ]
    rows = []
    for name, step in steps:
        if name in ("backup", "doctor"):
            rows.append((f"{name}, no writer", step()))
        with writer(path, args.rate, args.busy_ms) as load:
            figures = step()
        rows.append((f"{name}, writer {args.rate:g}/s", figures | load))
        print(f"  {rows[-1][0]}: {figures['seconds']:.1f} s", file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=20.0, help="writer's writes a second")
    parser.add_argument("--busy-ms", type=int, default=5000, help="writer's busy timeout")
    parser.add_argument("--timeout", type=float, default=150.0, help="give a backup up after")
    parser.add_argument("--doctor-runs", type=int, default=5)
    parser.add_argument("--db", type=Path, help="reuse (or build and keep) this database")
    parser.add_argument("--writer", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        writer_main(args.writer, args.rate, args.busy_ms)
        return
    with tempfile.TemporaryDirectory(prefix="maintenance-load-") as tmp:
        path = args.db or Path(tmp) / "memory.db"
        build(path, args.memories)
        size = path.stat().st_size / 1e6
        rows = run(args, path, Path(tmp))
    print(f"\n{args.memories:,} memories, {size:.0f} MB; writer busy timeout {args.busy_ms} ms\n")
    head = f"{'step':38} {'seconds':>8} {'writes':>6} {'lock err':>8} {'max wait':>9}  result"
    print(head)
    print("-" * len(head))
    for name, f in rows:
        load = (
            f"{f['writes']:>6} {f['lock_errors']:>8} {f['max_ms']:>7.0f}ms"
            if "writes" in f
            else f"{'':>6} {'':>8} {'':>9}"
        )
        print(f"{name:38} {f['seconds']:>8.2f} {load}  {f['result']}")
        for other in f.get("other_errors", []):
            print(f"{'':38} writer error: {other[:100]}")


if __name__ == "__main__":
    main()
