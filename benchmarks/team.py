"""A team on one PostgreSQL: two `serve --http` replicas, eight HTTP clients, one replica killed.

Part 1 (replicas): two replicas on one PostgreSQL schema and 8 MCP clients over HTTP spread
over them, each making --calls calls of a mixed workload (remember, some with keys every client
shares; recall; forget of its own memories); halfway, replica 2 is killed (SIGKILL) and its
clients carry on against replica 1. Then the same workload on one replica over SQLite. Printed
per run: throughput, p50/p95 per tool, calls that failed (in flight at the kill: never
acknowledged), lost acknowledged writes and duplicated ones (must be 0), key conflicts resolved
(values superseded by a concurrent write of the same key; one current value per key left),
and the row counts of memories, keyword index and vectors.

Part 2 (index): --sizes memories with clustered 384-d vectors in a store of each backend;
recall@10 of pgvector's HNSW search against exact cosine, and vector search p50/p95 on
PostgreSQL next to SQLite (sqlite-vec, the store's own search) in the same run.

    uv run python benchmarks/team.py --pg postgresql://... [--calls 60] [--sizes 10000,100000]
        [--keyword-only] [--skip-index | --skip-replicas]

Keyword-only unless MEMORY_MCP_MODEL_DIR (or --model-dir) names the embedding model.

Measured on a shared 2-core VM (other jobs running), MiniLM on, --calls 40 (8 clients):
- PostgreSQL 15, 2 replicas, one killed halfway: 42 calls/s; p50/p95 remember 168/388 ms,
  recall 106/323 ms, forget 90/255 ms; 4 in-flight calls broken by the kill, 0 of 144
  acknowledged writes lost, 0 duplicated, 37 key conflicts resolved (one current value per
  key); rows 144 memories = 144 keyword entries = 144 vectors.
- SQLite, 1 replica: 68 calls/s; remember 88/260 ms, recall 57/258 ms; 0 lost, 0 duplicated.
- HNSW recall@10 against exact cosine (clustered 384-d): 1.000 at 10k and at 100k; vector
  search p50/p95 on PostgreSQL 0.9/5.0 ms at 10k, 1.9/6.7 ms at 100k; SQLite's store-level
  search (sqlite-vec, exact; an SQLite server searches its in-memory copy instead) 8.7/17.7 ms
  and 73/128 ms. Loading 100k rows through insert_many: PostgreSQL 529 s, SQLite 34 s (each
  row is decided in its transaction: about five round trips per row on PostgreSQL).
"""

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import anyio
import httpx2
import numpy as np
import psycopg
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.storage import open_storage
from memory_mcp.storage.contract import NewRow

TOKEN = "team-benchmark-" + "t" * 24
CLIENTS = 8
SHARED_KEYS = [f"team.setting.{i}" for i in range(4)]
EVERYTHING = MemoryFilter(include_forgotten=True, include_superseded=True, include_expired=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(db: str, schema: str, workdir: Path, n: int, model_dir: str | None) -> Any:
    port = free_port()
    env = dict(
        os.environ, MEMORY_MCP_DB=db, MEMORY_MCP_PG_SCHEMA=schema, MEMORY_MCP_TOKEN=TOKEN,
        MEMORY_MCP_SEMANTIC="true" if model_dir else "false", MEMORY_MCP_MODEL_DIR=model_dir or "",
    )  # fmt: skip
    log = (workdir / f"replica-{n}.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "memory_mcp", "serve", "--http", "--port", str(port)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                proc.url = f"http://127.0.0.1:{port}/mcp"  # type: ignore[attr-defined]
                return proc
        time.sleep(0.2)
    raise SystemExit(f"replica {n} did not start; see {workdir}")


class Tally:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.failed: Counter[str] = Counter()
        self.acknowledged: dict[int, str] = {}  # id -> content of every acknowledged remember
        self.forgotten: set[int] = set()


async def one_client(
    n: int, urls: list[str], calls: int, tally: Tally, killed: anyio.Event
) -> None:
    rng = random.Random(n)
    mine: list[int] = []
    headers = {"Authorization": f"Bearer {TOKEN}"}
    i = 0
    while i < calls:
        url = urls[n % len(urls)] if not killed.is_set() else urls[0]
        try:
            async with (
                httpx2.AsyncClient(headers=headers, timeout=60) as http,
                Client(streamable_http_client(url, http_client=http)) as client,
            ):
                while i < calls:
                    if killed.is_set() and url != urls[0]:
                        break  # its replica is gone: carry on against the first one
                    i += 1
                    await one_call(client, n, i, rng, mine, tally)
        except Exception:  # noqa: BLE001 - a call in flight on the killed replica
            tally.failed["session"] += 1
            await anyio.sleep(0.1)


async def one_call(
    client: Any, n: int, i: int, rng: random.Random, mine: list[int], tally: Tally
) -> None:
    roll = rng.random()
    if roll < 0.5:
        tool = "remember"
        args: dict[str, Any] = {
            "content": f"client {n} note {i}: the build cache lives on disk {rng.randrange(1000)}"
        }
        if rng.random() < 0.3:
            args = {
                "content": f"setting chosen by client {n} at call {i}",
                "key": rng.choice(SHARED_KEYS),
            }
    elif roll < 0.85:
        tool, args = "recall", {"query": rng.choice(["build cache", "team setting", f"client {n}"])}
    else:
        if not mine:
            return
        tool, args = "forget", {"ids": [mine.pop(rng.randrange(len(mine)))]}
    started = time.perf_counter()
    try:
        result = await client.call_tool(tool, args)
    except Exception:
        tally.failed[tool] += 1
        raise
    tally.latency[tool].append((time.perf_counter() - started) * 1000)
    if result.is_error:
        tally.failed[tool] += 1
        return
    data = result.structured_content or {}
    if tool == "remember":
        tally.acknowledged[int(data["id"])] = args["content"]
        if "key" not in args:
            mine.append(int(data["id"]))
    elif tool == "forget":
        tally.forgotten.update(args["ids"])


def replicas_run(
    label: str, db: str, schema: str, replicas: int, calls: int, model_dir: str | None, kill: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        procs = [start(db, schema, Path(tmp), n, model_dir) for n in range(replicas)]
        tally = Tally()
        killed = anyio.Event()

        async def run() -> float:
            started = time.perf_counter()
            async with anyio.create_task_group() as tg:
                for n in range(CLIENTS):
                    tg.start_soon(one_client, n, [p.url for p in procs], calls, tally, killed)
                if kill and replicas > 1:  # halfway through the calls
                    while sum(map(len, tally.latency.values())) < calls * CLIENTS // 2:
                        await anyio.sleep(0.01)
                    procs[-1].send_signal(signal.SIGKILL)
                    killed.set()
            return time.perf_counter() - started

        elapsed = anyio.run(run)
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(30)
    report(label, db, schema, tally, elapsed, kill and replicas > 1)


def report(label: str, db: str, schema: str, tally: Tally, elapsed: float, killed: bool) -> None:
    store = open_storage(Settings(db=db, pg_schema=schema, semantic=False), create=False)
    done = sum(len(v) for v in tally.latency.values())
    print(f"\n== {label}: {done} calls in {elapsed:.1f} s = {done / elapsed:.0f} calls/s"
          + (" (replica 2 killed halfway)" if killed else ""))  # fmt: skip
    for tool, values in sorted(tally.latency.items()):
        p50, p95 = np.percentile(values, [50, 95])
        print(f"  {tool:<9} n={len(values):>5}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
              f"failed {tally.failed[tool]}")  # fmt: skip
    print(f"  sessions broken by the kill: {tally.failed['session']}")
    stored = {m.id: m for m in store.iter_all()}
    lost = [
        i
        for i, content in tally.acknowledged.items()
        if stored.get(i) is None or stored[i].content != content
    ]
    texts = Counter(m.content for m in stored.values())
    duplicated = sum(n - 1 for n in texts.values() if n > 1)
    unforgotten = [i for i in tally.forgotten if i in stored and stored[i].forgotten_at is None]
    print(f"  acknowledged writes {len(tally.acknowledged)}: lost {len(lost)}, duplicated "
          f"{duplicated}; forgets not applied {len(unforgotten)}")  # fmt: skip
    current = {key: len(store.current_for_key("global", key)) for key in SHARED_KEYS}
    superseded = sum(1 for m in stored.values() if m.key in SHARED_KEYS and m.superseded_by)
    print(f"  key conflicts resolved: {superseded} values superseded; current values per key "
          f"{sorted(current.values())} (must all be 1)")  # fmt: skip
    counts = store.counts()
    print(f"  rows: memories {counts['memories']}, keyword index {counts['fts']}, vectors "
          f"{counts['vec']}, orphan vectors {counts['orphan_vec']}")  # fmt: skip
    store.close()


def clustered(centers: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors around the given centers (like embeddings: topics, and texts on them)."""
    noise = rng.standard_normal((n, centers.shape[1])).astype(np.float32)
    v = centers[rng.integers(0, len(centers), n)] + 0.6 * noise
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def index_run(pg_url: str, sizes: list[int], queries: int = 100, dim: int = 384) -> None:
    rng = np.random.default_rng(11)
    print("\n== vector index: HNSW recall@10 against exact cosine; vector search latency")
    for size in sizes:
        centers = rng.standard_normal((max(size // 100, 1), dim)).astype(np.float32)
        data = clustered(centers, size, rng)
        probe = clustered(centers, queries, rng)
        exact = np.argsort(-(probe @ data.T), axis=1)[:, :10]
        with tempfile.TemporaryDirectory() as tmp:
            for backend in ("postgresql", "sqlite"):
                schema = f"bench_index_{os.getpid()}_{size}"
                db = pg_url if backend == "postgresql" else str(Path(tmp) / "index.db")
                store = open_storage(Settings(db=db, pg_schema=schema, semantic=False))
                store.ensure_vector_index("bench/clustered", dim)
                began = time.perf_counter()
                ids: list[int] = []
                for start in range(0, size, 1000):
                    rows = [
                        NewRow(f"doc {j}", "note", [], "global", {}, data[j])
                        for j in range(start, min(size, start + 1000))
                    ]
                    ids += [r.id for r in store.insert_many(rows)]
                loaded = time.perf_counter() - began
                position = {memory_id: j for j, memory_id in enumerate(ids)}
                found, times = [], []
                for q in probe:
                    t = time.perf_counter()
                    hits = store.search_vectors(q, MemoryFilter(), 10)
                    times.append((time.perf_counter() - t) * 1000)
                    found.append([position[i] for i, _ in hits])
                recall = np.mean(
                    [len(set(f) & set(e)) / 10 for f, e in zip(found, exact, strict=True)]
                )
                p50, p95 = np.percentile(times, [50, 95])
                print(f"  {backend:<10} {size:>7} memories: recall@10 {recall:.3f}, search p50 "
                      f"{p50:.1f} ms p95 {p95:.1f} ms (loaded in {loaded:.0f} s)")  # fmt: skip
                store.close()
                if backend == "postgresql":
                    drop(pg_url, schema)


def drop(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'drop schema if exists "{schema}" cascade')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default=os.environ.get("MEMORY_MCP_TEST_PG_URL"))
    parser.add_argument("--calls", type=int, default=60, help="calls per client")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--model-dir", default=os.environ.get("MEMORY_MCP_MODEL_DIR"))
    parser.add_argument("--keyword-only", action="store_true")
    parser.add_argument("--skip-index", action="store_true")
    parser.add_argument("--skip-replicas", action="store_true")
    args = parser.parse_args()
    if not args.pg:
        raise SystemExit("give --pg postgresql://... (or set MEMORY_MCP_TEST_PG_URL)")
    model_dir = None if args.keyword_only else args.model_dir
    print(f"semantic search: {'on (' + model_dir + ')' if model_dir else 'off'}")
    if not args.skip_replicas:
        schema = f"bench_team_{os.getpid()}"
        try:
            replicas_run("PostgreSQL, 2 replicas", args.pg, schema, 2, args.calls, model_dir, True)
        finally:
            drop(args.pg, schema)
        with tempfile.TemporaryDirectory() as tmp:
            db = str(Path(tmp) / "team.db")
            replicas_run("SQLite, 1 replica", db, "unused", 1, args.calls, model_dir, False)
    if not args.skip_index:
        index_run(args.pg, [int(s) for s in args.sizes.split(",") if s])


if __name__ == "__main__":
    main()
