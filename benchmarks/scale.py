"""Scale benchmark: ingest, recall, filters, remember, import, cold start and size at 10k-1M.

Run from the repository root (a few minutes; the model comes from MEMORY_MCP_MODEL_DIR):

    uv run python benchmarks/scale.py            # N = 10k (every text embedded) and 100k
    uv run python benchmarks/scale.py --full     # N = 10k, 100k and 1M (about an hour)

Databases up to `--embed-max` memories are built with `remember_many` (every text embedded).
Larger ones store synthetic texts with generated vectors through the store's own insert path:
each vector mixes two real embeddings of a `--pool`-text pool plus noise, so neighbourhoods
are as crowded as template-made memories get. Recall always runs through the product's own
path (`MemoryService.recall`, with the in-memory vector index a server loads) using real query
embeddings, next to (a) a plain sqlite-vec float KNN over the whole table and (b) exact numpy
brute force over a float32 matrix of the same vectors, all timed per query in one interleaved
loop; recall@10 compares the product's vector leg with (b), ties counted as hits. Resident
memory per memory is the idle RSS of a server on the largest database minus that of a server
on an empty one (both with the model and the vector copy loaded), divided by N. The machine
may be shared and noisy: read the ratios, which compare figures taken in the same run.
Figures go to stdout, progress to stderr.
"""

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import floors
import numpy as np
import speed
from speed import SEED, make_items, make_queries, ms, pct, progress, table, timed, verdict

from memory_mcp.config import DEFAULT_MODEL
from memory_mcp.models import MemoryFilter
from memory_mcp.search.embed import FastEmbedEmbedder
from memory_mcp.search.vecindex import VectorCache
from memory_mcp.service import MemoryService
from memory_mcp.service.recalling import CANDIDATES_PER_HIT
from memory_mcp.storage.contract import NewRow
from memory_mcp.storage.sqlite import vectors
from memory_mcp.storage.sqlite.fts import fts_query
from memory_mcp.timestamps import format_time

LIMIT = speed.LIMIT
K = LIMIT * CANDIDATES_PER_HIT  # candidates recall asks each leg for
TARGET_RECALL_MS = {10_000: 10.0, 100_000: 25.0, 1_000_000: 100.0}
NOW = datetime.now(UTC)
SPAN_DAYS = 3 * 365  # occurred_at spread over three years, so time filters select something
INSERT_BATCH = 5_000


# -- data -----------------------------------------------------------------------------------


def dated(items: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    for item in items:
        item["occurred_at"] = (NOW - timedelta(days=rng.uniform(0, SPAN_DAYS))).isoformat()
    return items


def generated_vectors(pool: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Unit vectors mixing two pool embeddings (weights 0.5-1 / 0-0.5) plus small noise."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, len(pool), n), rng.integers(0, len(pool), n)
    w = rng.uniform(0.5, 1.0, (n, 1)).astype(np.float32)
    v = pool[a] * w + pool[b] * (1 - w) + rng.normal(0, 0.02, (n, pool.shape[1]))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def build_generated(service: MemoryService, n: int, pool: np.ndarray) -> float:
    """Synthetic texts with generated vectors via store.insert_many; returns seconds."""
    rng = random.Random(SEED + n)
    spent = 0.0
    for at in range(0, n, INSERT_BATCH):
        count = min(INSERT_BATCH, n - at)
        items = dated(make_items(count, SEED + at), SEED + at)
        vecs = generated_vectors(pool, count, SEED + at)
        rows = [
            NewRow(
                content=f"{item['content']} {speed.pool_suffix(rng)}",
                kind=item["kind"],
                tags=item["tags"],
                scope=item["scope"],
                metadata={},
                vector=vec,
                occurred_at=format_time(datetime.fromisoformat(item["occurred_at"])),
            )
            for item, vec in zip(items, vecs, strict=True)
        ]
        spent += timed(lambda rows=rows: service.store.insert_many(rows))
        if at % 100_000 == 0:
            progress(f"  inserted {at + count:,} of {n:,}")
    return spent


def matrix(service: MemoryService) -> tuple[np.ndarray, np.ndarray]:
    """(ids, float32 vectors) of every stored vector, for the exact reference."""
    ids: list[np.ndarray] = []
    vecs: list[np.ndarray] = []

    def keep(rows: vectors.VectorRows) -> None:
        ids.append(rows.ids)
        vecs.append(rows.vectors)

    service.store.vector_snapshot(service.semantic.embedder.dim, keep)
    return np.concatenate(ids), np.concatenate(vecs)


# -- measurements ---------------------------------------------------------------------------


def float32_copy(service: MemoryService) -> VectorCache:
    """The vector copy as it was before int8 codes: float32 rows (and the same PCA pass)."""
    everything = MemoryFilter(include_forgotten=True, include_superseded=True, include_expired=True)
    count = service.store.count(everything)  # sized up front, as the server's copy is
    cache = VectorCache(service.semantic.embedder.dim, capacity=count, compact=False)
    cache.generation, cache.head = service.store.vector_snapshot(cache.dim, cache.add)
    cache.prepare()
    return cache


def with_copy(service: MemoryService, cache: VectorCache, call: Callable[[], Any]) -> Any:
    """`call` with `cache` standing in for the service's own vector copy."""
    own, service.semantic.copy.cache = service.semantic.copy.cache, cache
    try:
        return call()
    finally:
        service.semantic.copy.cache = own


def query_steps(
    service: MemoryService,
    ref: tuple[np.ndarray, np.ndarray],
    query: str,
    scope: str,
    f32: VectorCache,
) -> dict[str, Callable[[], Any]]:
    ids, mat = ref
    qvec = service.semantic.embed_query(query)
    assert qvec is not None
    blob = vectors.to_blob(qvec)
    conn = service.store.conn
    match = fts_query(query) or '""'
    since = (NOW - timedelta(days=365)).isoformat()
    plain = "select memory_id, distance from memories_vec where embedding match :q and k = :k"
    return {
        "recall (product)": lambda: service.recall(query, LIMIT),
        "query embedding": lambda: service.semantic.embed_query(query),
        "FTS leg": lambda: service.store.search_fts(match, MemoryFilter(), K),
        "vector leg (product)": lambda: service.semantic.search(qvec, MemoryFilter(), K),
        "vector leg, float32 copy (before)": lambda: with_copy(
            service, f32, lambda: service.semantic.search(qvec, MemoryFilter(), K)
        ),
        "recall, float32 copy (before)": lambda: with_copy(
            service, f32, lambda: service.recall(query, LIMIT)
        ),
        "(a) plain sqlite-vec KNN": lambda: conn.execute(plain, {"q": blob, "k": K}).fetchall(),
        "(b) exact numpy": lambda: np.argpartition(-(mat @ qvec), K)[:K],
        "recall, scope filter": lambda: service.recall(query, LIMIT, scope=scope),
        "recall, kind filter": lambda: service.recall(query, LIMIT, kind="decision"),
        "recall, time filter": lambda: service.recall(query, LIMIT, since=since),
        "recall, all three": lambda: service.recall(
            query, LIMIT, scope=scope, kind="decision", since=since
        ),
    }


def recall_at_10(
    service: MemoryService, ref: tuple[np.ndarray, np.ndarray], qs: list[str]
) -> float:
    def search(q: np.ndarray) -> list[tuple[int, float]]:
        return service.semantic.search(q, MemoryFilter(), 10)

    return recall_at_10_of(service, ref, qs, search)


def recall_at_10_of(
    service: MemoryService,
    ref: tuple[np.ndarray, np.ndarray],
    qs: list[str],
    search: Callable[[np.ndarray], list[tuple[int, float]]],
) -> float:
    """Share of the product's top 10 whose cosine reaches the exact 10th best (ties count)."""
    ids, mat = ref
    order = np.argsort(ids)
    scores = []
    for query in qs:
        qvec = service.semantic.embed_query(query)
        assert qvec is not None
        sims = mat @ qvec
        tenth = np.partition(sims, -10)[-10]
        got = np.array([i for i, _ in search(qvec)])
        rows = order[np.searchsorted(ids, got, sorter=order)]
        scores.append(float(np.mean(sims[rows] >= tenth - 1e-5)))
    return float(np.mean(scores))


def measure_queries(
    service: MemoryService,
    n: int,
    ref: tuple[np.ndarray, np.ndarray],
    count: int,
    slow: int,
    f32: VectorCache,
) -> list[list[Any]]:
    """Every step per query, interleaved; the slow baseline (a) runs on the first `slow`."""
    queries = make_queries(count + 5, SEED + n)
    samples: dict[str, list[float]] = {}
    for i, (query, scope) in enumerate(queries):
        for name, step in query_steps(service, ref, query, scope, f32).items():
            if name.startswith("(a)") and i >= slow + 5:
                continue
            took = timed(step)
            if i >= 5:  # the first queries warm caches and the ONNX session
                samples.setdefault(name, []).append(took)
    product = pct(samples["recall (product)"], 0.5)
    leg = pct(samples["vector leg (product)"], 0.5)
    rows = []
    for name, values in samples.items():
        p50, p95 = pct(values, 0.5), pct(values, 0.95)
        base = leg if name.startswith(("(a)", "(b)", "vector leg, float32")) else product
        note = ""
        if name == "recall (product)":
            target = TARGET_RECALL_MS.get(n)
            note = f"p95/p50 {p95 / p50:.1f}"
            if target:
                note += f"; p50 <= {target:.0f} ms: {verdict(p50 * 1000 <= target)}"
                note += f", p95 <= 2 x p50: {verdict(p95 <= 2 * p50)}"
        rows.append([f"{n:,}", name, ms(p50), ms(p95), f"{p50 / base:.2f}", note])
    qs = [q for q, _ in queries]
    r10 = recall_at_10(service, ref, qs)
    rows.append(
        [f"{n:,}", "recall@10, vector leg vs (b)", f"{r10:.3f}", "", "", verdict(r10 >= 0.99)]
    )
    before = recall_at_10_of(
        service, ref, qs, lambda q: f32.search(q, MemoryFilter(), NOW, 10) or []
    )
    rows.append([f"{n:,}", "recall@10, float32 copy (before) vs (b)", f"{before:.3f}", "", "", ""])
    cache = service.semantic.copy.cache
    assert cache is not None
    for name, copy in (("product", cache), ("float32 copy (before)", f32)):
        per = copy.resident_bytes() / len(copy)
        rows.append([f"{n:,}", f"vector copy arrays, {name}", f"{per:,.0f} B/memory", "", "", ""])
    return rows


def measure_remember(service: MemoryService, n: int, calls: int) -> list[Any]:
    items = make_items(calls + 5, SEED + 7 * n + 1)
    embed = service.semantic.embedder.embed_documents
    base, took = [], []
    for i, item in enumerate(items):
        item["content"] += f" (call {i} at N={n})"
        b = timed(partial(embed, [item["content"]]))
        t = timed(partial(service.remember, **item))
        if i >= 5:
            base.append(b)
            took.append(t)
    p50 = pct(took, 0.5)
    return [
        f"{n:,}", ms(pct(base, 0.5)), ms(p50), ms(pct(took, 0.95)),
        f"{p50 / pct(base, 0.5):.1f}", f"p50 <= 10 ms: {verdict(p50 * 1000 <= 10)}",
    ]  # fmt: skip


# -- processes: import RSS, cold start, idle RSS ---------------------------------------------


def run_measured(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(seconds, peak RSS in MiB) of one child process.

    The peak is polled from /proc (VmHWM): getrusage's ru_maxrss would also count the pages
    of this (large) benchmark process that the child had before it exec'd."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        with contextlib.suppress(OSError, StopIteration):
            status = Path(f"/proc/{proc.pid}/status").read_text().splitlines()
            peak = max(peak, int(next(x for x in status if x.startswith("VmHWM")).split()[1]))
        time.sleep(0.05)
    if proc.returncode != 0:
        sys.exit(f"{args} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return time.perf_counter() - start, peak // 1024


def measure_import(workdir: Path, env: dict[str, str], sizes: list[int]) -> list[list[Any]]:
    """`memory-mcp import` of JSONL files of growing size: rate and peak RSS."""
    rows = []
    for n in sizes:
        path = workdir / f"import-{n}.jsonl"
        with path.open("w") as fh:
            for item in make_items(n, SEED + 11 * n):
                fh.write(json.dumps(item) + "\n")
        db = workdir / f"import-{n}.db"
        cmd = [sys.executable, "-m", "memory_mcp", "import", str(path), "--db", str(db)]
        seconds, rss = run_measured(cmd, env)
        rows.append([f"{n:,}", f"{seconds:.1f}", f"{n / seconds:.0f}", "", str(rss)])
    # The marginal rate between two files leaves out start-up and the model load.
    for before, row in zip(rows, rows[1:], strict=False):
        lines = int(row[0].replace(",", "")) - int(before[0].replace(",", ""))
        row[3] = f"{lines / (float(row[1]) - float(before[1])):.0f}"
    base = int(rows[0][4])
    for row in rows:
        row.append(f"{int(row[4]) / base:.2f}")
    return rows


def rpc(proc: subprocess.Popen[bytes], message: dict[str, Any]) -> dict[str, Any] | None:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write((json.dumps(message) + "\n").encode())
    proc.stdin.flush()
    if "id" not in message:
        return None
    reply: dict[str, Any] = json.loads(proc.stdout.readline())
    return reply


def serve_once(db: Path, env: dict[str, str], workdir: Path, wait_index: bool) -> tuple[float, int]:
    """(seconds to the tools/list reply, idle RSS in MiB once model and index are loaded)."""
    log = workdir / "serve.log"
    with log.open("w") as errlog:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "serve"],
            env={**env, "MEMORY_MCP_DB": str(db)},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errlog,
        )  # fmt: skip
        hello = {"protocolVersion": "2025-06-18", "capabilities": {},
                 "clientInfo": {"name": "scale", "version": "0"}}  # fmt: skip
        rpc(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello})
        rpc(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        reply = rpc(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        elapsed = time.perf_counter() - start
        assert reply is not None and len(reply["result"]["tools"]) >= 4, reply
        rss = 0
        if wait_index:
            deadline = time.monotonic() + 900
            while "In-memory vector index" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(2)
            status = Path(f"/proc/{proc.pid}/status").read_text()
            rss = int(next(x for x in status.splitlines() if x.startswith("VmRSS")).split()[1])
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=60)
    return elapsed, rss // 1024


def measure_cold(db: Path, n: int, env: dict[str, str], workdir: Path, spawns: int) -> list[Any]:
    floor = [timed(lambda: subprocess.run([sys.executable, "-c", "import mcp.server"], check=True))
             for _ in range(spawns)]  # fmt: skip
    starts = [serve_once(db, env, workdir, wait_index=False)[0] for _ in range(spawns)]
    _, rss = serve_once(db, env, workdir, wait_index=True)
    f50, s50 = pct(floor, 0.5), pct(starts, 0.5)
    return [
        ["import mcp.server, exit (SDK floor)", f"{f50:.3f}", "1.00", ""],
        [f"serve to tools/list, N={n:,} DB", f"{s50:.3f}", f"{s50 / f50:.2f}",
         f"<= 0.5 s: {verdict(s50 <= 0.5)}"],
        [f"idle RSS, model + vector index loaded (MiB), N={n:,}", str(rss), "", ""],
    ]  # fmt: skip


# -- main -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated N")
    parser.add_argument("--full", action="store_true", help="N = 10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=100, help="timed queries per N")
    parser.add_argument("--slow", type=int, default=30, help="queries for baseline (a)")
    parser.add_argument("--calls", type=int, default=50, help="timed remember calls per N")
    parser.add_argument("--embed-max", type=int, default=10_000, help="largest N fully embedded")
    parser.add_argument("--pool", type=int, default=4_000, help="embedded texts for larger N")
    parser.add_argument("--import-sizes", default="1000,5000", help="JSONL sizes for import")
    parser.add_argument("--spawns", type=int, default=5, help="server spawns for cold start")
    parser.add_argument("--workdir", type=Path, default=None, help="keep databases here")
    parser.add_argument(
        "--model-dir", type=Path, default=os.environ.get("MEMORY_MCP_MODEL_DIR") or None
    )
    parser.add_argument(
        "--before", type=Path, default=None, help="a checkout whose servers' RSS to show too"
    )
    args = parser.parse_args()
    text = "10000,100000,1000000" if args.full else args.sizes
    args.sizes = sorted(int(s) for s in text.split(","))
    args.import_sizes = [int(s) for s in args.import_sizes.split(",")]
    return args


def build(
    service: MemoryService, n: int, args: argparse.Namespace, state: dict[str, Any]
) -> list[Any]:
    items = dated(make_items(n, SEED), SEED)
    if n <= args.embed_max:
        if "bulk" not in state:
            seconds, state["bulk"] = speed.measure_bulk(service, items)
        else:
            seconds = timed(lambda: service.remember_many(items))
        how = "remember_many (every text embedded)"
    else:
        if "pool" not in state:
            texts = [item["content"] for item in make_items(args.pool, SEED + 3)]
            state["pool"] = service.semantic.embedder.embed_documents(texts)
        seconds = build_generated(service, n, state["pool"])
        how = "store.insert_many (generated vectors)"
    return [f"{n:,}", how, f"{seconds:.1f}", f"{n / seconds:.0f}"]


def measure_size(n: int, args: argparse.Namespace, embedder: FastEmbedEmbedder, workdir: Path,
                 state: dict[str, Any], out: dict[str, list[Any]]) -> Path:  # fmt: skip
    path = workdir / f"scale-{n}.db"
    progress(f"N={n:,}: building")
    service = speed.open_service(path, embedder, args.model_dir)
    row = build(service, n, args, state)
    service.store.conn.execute("pragma wal_checkpoint(truncate)")
    row.append(f"{service.store.size_bytes() / n:,.0f}")
    progress(f"N={n:,}: loading the in-memory vector index")
    row.append(f"{timed(service.semantic.load_cache):.1f}")
    out["builds"].append(row)
    progress(f"N={n:,}: recall")
    ref = matrix(service)
    f32 = float32_copy(service)
    out["recall"] += measure_queries(service, n, ref, args.queries, args.slow, f32)
    f32.close()
    del ref, f32
    progress(f"N={n:,}: remember")
    out["remember"].append(measure_remember(service, n, args.calls))
    service.close()
    return path


def main() -> None:
    args = parse_args()
    progress("loading the embedding model")
    embedder = FastEmbedEmbedder(DEFAULT_MODEL, args.model_dir)
    embedder.load()
    env = {
        **os.environ,
        **({"MEMORY_MCP_MODEL_DIR": str(args.model_dir)} if args.model_dir else {}),
    }
    print("memory-mcp scale benchmark")
    print(
        f"  {os.cpu_count()} CPUs, seed {SEED}, sizes {args.sizes}, {args.queries} queries per N;"
    )
    print("  ratios compare figures measured in this same run (the machine may be noisy)")
    with tempfile.TemporaryDirectory(prefix="memory-mcp-scale-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        state: dict[str, Any] = {}
        out: dict[str, list[Any]] = {"builds": [], "recall": [], "remember": []}
        path = workdir
        for n in args.sizes:
            path = measure_size(n, args, embedder, workdir, state, out)
        table("Databases (bytes/memory after a WAL checkpoint; index load: server start-up)",
              ["N", "built by", "build s", "memories/s", "bytes/memory", "index load s"],
              out["builds"])  # fmt: skip
        if "bulk" in state:
            table("Bulk import through remember_many, same texts, 256-item chunks",
                  ["path", "memories/s", "x embedder", "target"], state["bulk"])  # fmt: skip
        table(f"Recall, warm, limit {LIMIT}, k={K} per leg (ms; includes query embedding; "
              "ratio: to product recall p50, (a)/(b) to the product's vector leg)",
              ["N", "measure", "p50", "p95", "ratio", "note"], out["recall"])  # fmt: skip
        table(
            "Remember (one call, model and index loaded; baseline: embedding the text alone)",
            ["N", "embed p50", "remember p50", "p95", "x embed", "target"],
            out["remember"],
        )
        progress("import through the CLI")
        table("memory-mcp import (JSONL, every text embedded; embedder alone: see bulk table)",
              ["lines", "s", "memories/s", "marginal /s", "peak RSS MiB", "x smallest"],
              measure_import(workdir, env, args.import_sizes))  # fmt: skip
        progress("cold start and idle RSS")
        table(f"Server cold start, {args.spawns} spawns (s, p50), largest DB",
              ["case", "s", "x SDK floor", "target"],
              measure_cold(path, args.sizes[-1], env, workdir, args.spawns))  # fmt: skip
        progress("resident memory per memory")
        rss = []
        if args.before is not None:  # the same servers, running the other checkout's code
            before = {**env, "PYTHONPATH": str(args.before.resolve())}
            rss += floors.resident_rows(
                path, workdir / "empty.db", before, workdir, args.sizes[-1], f" ({args.before})"
            )
        rss += floors.resident_rows(path, workdir / "empty.db", env, workdir, args.sizes[-1])
        table("Resident memory of an idle server (model and vector copy loaded)",
              ["measure", "now", "floor in the same run", "per memory", "target"], rss)  # fmt: skip


if __name__ == "__main__":
    main()
