"""Recall over `serve --http` with 1, 4 and 16 concurrent clients, 1 and N worker processes
(`--workers`), optionally A/B with a checkout.

    uv run python benchmarks/concurrency.py [--n 2000] [--seconds 10] [--workers 1,2]
        [--rounds 1] [--baseline /tmp/base]

Builds one database of --n synthetic memories (speed.py's), copies it for each server, starts
`python -m memory_mcp serve --http --workers W` of this checkout for each W (and of
--baseline, e.g. `git archive main | tar -x -C /tmp/base`, with one worker and the same
interpreter and packages), waits until each worker has its model and vector copy loaded,
then runs the loads interleaved: for each round and client count, each server in turn.
Every client is a thread with its own session and connection, calling recall back to back
(floors.py). Prints requests per second and p95 latency, throughput against one client on
the same server and against one worker at the same client count, the cores the server's
processes kept busy, and their resident memory once loaded.
"""

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from floors import READY_LINE, _http_load, free_port, make_common_queries, rss_bytes
from speed import SEED, load_embedder, make_items, progress
from startup import process_cpu

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

REPO = Path(__file__).resolve().parent.parent
CLIENTS = (1, 4, 16)
Figures = dict[str, dict[int, list[tuple[float, float, float]]]]


def build(path: Path, n: int, model_dir: Path | None) -> None:
    embedder, _ = load_embedder(model_dir)
    service = MemoryService.open(Settings(db=path, model_dir=model_dir), embedder=embedder)
    try:
        items = make_items(n, SEED)
        for i in range(0, n, 256):
            service.remember_many(items[i : i + 256])
    finally:
        service.close()


class Server:
    def __init__(
        self, checkout: Path, db: Path, env: dict[str, str], log: Path, workers: int
    ) -> None:
        port = free_port()
        # its own (absent) token file: one the user's servers made would demand a token
        env = {**env, "MEMORY_MCP_DB": str(db), "PYTHONPATH": str(checkout),
               "MEMORY_MCP_TOKEN_FILE": str(log.with_suffix(".no-token"))}  # fmt: skip
        more = ["--workers", str(workers)] if workers > 1 else []
        self.log, self.workers = log, workers
        with log.open("w") as errlog:  # (-m puts the working directory first on sys.path)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "memory_mcp", "serve", "--http", "--port", str(port),
                 *more],
                env=env, cwd=checkout, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=errlog,
            )  # fmt: skip
        self.url = f"http://127.0.0.1:{port}/mcp"

    def wait_ready(self, timeout: float = 900) -> None:
        """Every worker logged its vector copy loaded."""
        deadline = time.monotonic() + timeout
        while self.log.read_text().count(READY_LINE) < self.workers:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                sys.exit(f"the server never got ready; see {self.log}")
            time.sleep(0.2)

    def pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [self.proc.pid, *(int(p) for p in children.read_text().split())]

    def cpu(self) -> float:
        return sum(process_cpu(pid) for pid in self.pids())

    def rss_mb(self) -> float:
        return sum(rss_bytes(pid) for pid in self.pids()) / 1e6

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def _spin(seconds: float, out: Any) -> None:
    began, cpu = time.monotonic(), time.process_time()
    while time.monotonic() - began < seconds:
        pass
    out.put(time.process_time() - cpu)


def capacity(processes: int, seconds: float = 2.0) -> float:
    """Cores `processes` busy-looping processes get right now: the machine's own limit on the
    ratio N workers can reach (other processes on a shared machine take their share)."""
    import multiprocessing

    out: Any = multiprocessing.Queue()
    spinners = [multiprocessing.Process(target=_spin, args=(seconds, out))
                for _ in range(processes)]  # fmt: skip
    for p in spinners:
        p.start()
    for p in spinners:
        p.join()
    return sum(out.get() for _ in spinners) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per client count")
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}", help="e.g. 1,2")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved repetitions")
    parser.add_argument("--baseline", type=Path)
    parser.add_argument(
        "--model-dir", type=Path, default=os.environ.get("MEMORY_MCP_MODEL_DIR") or None
    )
    args = parser.parse_args()
    import httpx2

    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    setups = [(f"this checkout, {w} worker{'s' if w > 1 else ''}", REPO, w)
              for w in (int(x) for x in args.workers.split(","))]  # fmt: skip
    if args.baseline is not None:
        setups.append((f"{args.baseline}, 1 worker", args.baseline.resolve(), 1))
    queries = make_common_queries(500, SEED + 1)
    env = dict(os.environ)
    if args.model_dir:
        env["MEMORY_MCP_MODEL_DIR"] = str(args.model_dir)
    with tempfile.TemporaryDirectory(prefix="memory-mcp-concurrency-") as tmp:
        work = Path(tmp)
        progress(f"building {args.n:,} memories")
        build(work / "built.db", args.n, args.model_dir)
        servers: dict[str, Server] = {}
        for i, (name, checkout, workers) in enumerate(setups):
            shutil.copy(work / "built.db", work / f"s{i}.db")
            servers[name] = Server(checkout, work / f"s{i}.db", env, work / f"s{i}.log", workers)
        try:
            for server in servers.values():
                server.wait_ready()
            rss = {name: server.rss_mb() for name, server in servers.items()}
            figures: Figures = {name: {c: [] for c in CLIENTS} for name in servers}
            most = max(server.workers for server in servers.values())
            machine: dict[tuple[int, int], float] = {}
            for r in range(args.rounds):
                for c in CLIENTS:
                    machine[(r, c)] = capacity(most) / capacity(1)
                    for name, server in servers.items():
                        progress(f"round {r + 1}: {name}: {c} clients")
                        cpu = server.cpu()
                        began = time.monotonic()
                        rate, p95, _ = _http_load(httpx2, server.url, queries, c, args.seconds)
                        busy = (server.cpu() - cpu) / (time.monotonic() - began)  # cores
                        figures[name][c].append((rate, p95, busy))
        finally:
            for server in servers.values():
                server.stop()
    report(figures, rss, machine, args)


def report(
    figures: Figures,
    rss: dict[str, float],
    machine: dict[tuple[int, int], float],
    args: argparse.Namespace,
) -> None:
    cores = os.cpu_count() or 1
    one_worker = next(iter(figures))
    print(f"Recall over serve --http, {args.n:,} memories, {args.seconds:.0f} s per load, "
          f"{cores} cores")  # fmt: skip
    print(
        f"{'server':<34} {'round':>5} {'clients':>7} {'req/s':>8} {'p95 ms':>8}"
        f" {'x 1 client':>18} {'x ' + one_worker.split(', ')[-1]:>12}"
        f" {'cores busy':>10} {'CPU/req':>9} {'RSS MB':>7} {'machine':>8}"
    )
    for name, rows in figures.items():
        for r in range(args.rounds):
            one = rows[1][r][0]
            for c, runs in rows.items():
                rate, p95, busy = runs[r]
                base = figures[one_worker][c][r][0]
                print(
                    f"{name:<34} {r + 1:>5} {c:>7} {rate:>8.1f} {p95 * 1e3:>8.1f}"
                    f" {rate / one:>5.2f}x (ideal {min(c, cores)}x)"
                    f" {rate / base:>11.2f}x {busy:>10.2f} {busy / rate * 1e3:>6.1f} ms"
                    f" {rss[name]:>7.0f} {machine[(r, c)]:>7.2f}x"
                )
    print(
        "machine: cores N busy-loop processes got over the cores one got, measured just before"
        " each client count (N: the most workers): the most N workers could reach then"
    )


if __name__ == "__main__":
    main()
