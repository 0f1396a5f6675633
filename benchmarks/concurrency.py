"""Recall over `serve --http` with 1, 4 and 16 concurrent clients, optionally A/B with a checkout.

    uv run python benchmarks/concurrency.py [--n 2000] [--seconds 10] [--baseline /tmp/base]

Builds one database of --n synthetic memories (speed.py's), copies it for each server, starts
`python -m memory_mcp serve --http` of this checkout (and of --baseline, e.g. `git archive main
| tar -x -C /tmp/base`, with the same interpreter and packages), waits until each has its model
and vector copy loaded, then runs the loads interleaved: for each client count, each server in
turn. Every client is a thread with its own session, calling recall back to back (floors.py).
Prints requests per second and p95 latency, and throughput against one client x the cores.
"""

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from floors import READY_LINE, _http_load, free_port, make_common_queries, wait_for_line
from speed import SEED, load_embedder, make_items, progress
from startup import process_cpu

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

REPO = Path(__file__).resolve().parent.parent
CLIENTS = (1, 4, 16)


def build(path: Path, n: int, model_dir: Path | None) -> None:
    embedder, _ = load_embedder(model_dir)
    service = MemoryService.open(Settings(db=path, model_dir=model_dir), embedder=embedder)
    try:
        items = make_items(n, SEED)
        for i in range(0, n, 256):
            service.remember_many(items[i : i + 256])
    finally:
        service.close()


def start(checkout: Path, db: Path, env: dict[str, str], log: Path) -> tuple[Any, str]:
    port = free_port()
    env = {**env, "MEMORY_MCP_DB": str(db), "PYTHONPATH": str(checkout)}
    with log.open("w") as errlog:  # (-m puts the working directory first on sys.path)
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "serve", "--http", "--port", str(port)],
            env=env,
            cwd=checkout,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errlog,
        )
    return proc, f"http://127.0.0.1:{port}/mcp"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per client count")
    parser.add_argument("--baseline", type=Path)
    parser.add_argument(
        "--model-dir", type=Path, default=os.environ.get("MEMORY_MCP_MODEL_DIR") or None
    )
    args = parser.parse_args()
    import httpx2

    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    checkouts = {"this checkout": REPO}
    if args.baseline is not None:
        checkouts[str(args.baseline)] = args.baseline.resolve()
    queries = make_common_queries(500, SEED + 1)
    env = dict(os.environ)
    if args.model_dir:
        env["MEMORY_MCP_MODEL_DIR"] = str(args.model_dir)
    with tempfile.TemporaryDirectory(prefix="memory-mcp-concurrency-") as tmp:
        work = Path(tmp)
        progress(f"building {args.n:,} memories")
        build(work / "built.db", args.n, args.model_dir)
        servers = {}
        for i, (name, checkout) in enumerate(checkouts.items()):
            shutil.copy(work / "built.db", work / f"s{i}.db")
            servers[name] = start(checkout, work / f"s{i}.db", env, work / f"s{i}.log")
        try:
            for i in range(len(servers)):
                wait_for_line(work / f"s{i}.log", READY_LINE, 900)
            figures: dict[str, dict[int, tuple[float, float, float]]] = {n: {} for n in servers}
            for c in CLIENTS:
                for name, (proc, url) in servers.items():
                    progress(f"{name}: {c} clients")
                    cpu = process_cpu(proc.pid)
                    rate, p95 = _http_load(httpx2, url, queries, c, args.seconds)
                    busy = (process_cpu(proc.pid) - cpu) / args.seconds  # cores, roughly
                    figures[name][c] = (rate, p95, busy)
        finally:
            for proc, _ in servers.values():
                proc.terminate()
                proc.wait(timeout=60)
    report(figures, args)


def report(
    figures: dict[str, dict[int, tuple[float, float, float]]], args: argparse.Namespace
) -> None:
    cores = os.cpu_count() or 1
    print(f"Recall over serve --http, {args.n:,} memories, {args.seconds:.0f} s per load")
    print(
        f"{'server':<28} {'clients':>7} {'req/s':>8} {'p95 ms':>8} {'x 1 client':>18}"
        f" {'server cores busy':>18} {'server CPU/req':>15}"
    )
    for name, rows in figures.items():
        one = rows[1][0]
        for c, (rate, p95, busy) in rows.items():
            print(
                f"{name:<28} {c:>7} {rate:>8.1f} {p95 * 1e3:>8.1f}"
                f" {rate / one:>5.2f}x (ideal {min(c, cores)}x)"
                f" {busy:>18.2f} {busy / rate * 1e3:>12.1f} ms"
            )


if __name__ == "__main__":
    main()
