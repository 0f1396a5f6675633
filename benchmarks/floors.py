"""Each figure next to its floor measured in the same run: the rows of the speed issue.

Used by speed.py (the "limits" table) and scale.py (resident memory per memory). Every
measure here is interleaved with its floor, so load from other processes hits both alike;
read the ratios. Servers run as real subprocesses (`python -m memory_mcp serve`), reached
with the SDK's client and with a bare JSON-RPC client (one line per message, no schema
validation), so the two show what our side and the client's side each cost.
"""

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import numpy as np
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from speed import _slots, ms, pct, progress, timed

from memory_mcp.models import MemoryFilter
from memory_mcp.policies.fusion import FTS_WEIGHTS as WEIGHTS
from memory_mcp.service import MemoryService
from memory_mcp.service.recalling import CANDIDATES_PER_HIT
from memory_mcp.storage.sqlite.fts import fts_query

LIMIT = 8
K = LIMIT * CANDIDATES_PER_HIT
READY_LINE = "In-memory vector index"  # logged once the model and the vector copy are loaded
HELLO = {
    "protocolVersion": "2025-06-18",
    "capabilities": {},
    "clientInfo": {"name": "floors", "version": "0"},
}

# Questions full of words that many memories share (team, decide, project names, the...).
COMMON_QUERIES = [
    "what did the {project} team decide about {code}-{num}",
    "what does the team know about the {component} in {env} for {project}",
    "what did we decide about the {lib} version for the {project} release",
    "tell me everything about the {component} and the {bug} in {project}",
    "which database does the {component} use in {env} and who owns it",
    "what should I know about {project} before the release on {date}",
]


def make_common_queries(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(COMMON_QUERIES).format(**_slots(rng)) for _ in range(n)]


# -- servers as subprocesses ------------------------------------------------------------------


class StdioServer:
    """`python -m memory_mcp serve` on a database, spoken to with bare JSON-RPC lines."""

    def __init__(self, db: Path, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._errlog = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "serve"],
            env={**env, "MEMORY_MCP_DB": str(db)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errlog,
        )
        self._next = 10
        self.call("initialize", HELLO)
        self.notify("notifications/initialized")

    def notify(self, method: str) -> None:
        self._send({"jsonrpc": "2.0", "method": method})

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._next += 1
        self._send({"jsonrpc": "2.0", "id": self._next, "method": method, "params": params or {}})
        assert self.proc.stdout is not None
        reply: dict[str, Any] = json.loads(self.proc.stdout.readline())
        assert "result" in reply, reply
        return reply["result"]

    def tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = self.call("tools/call", {"name": name, "arguments": arguments})
        assert not result.get("isError"), result
        return result

    def _send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def wait_ready(self, timeout: float = 900) -> None:
        wait_for_line(self.log, READY_LINE, timeout)

    def rss_bytes(self) -> int:
        return rss_bytes(self.proc.pid)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self._errlog.close()


def wait_for_line(log: Path, line: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while line not in log.read_text():
        if time.monotonic() > deadline:
            sys.exit(f"the server never logged {line!r}; see {log}")
        time.sleep(0.2)


def rss_bytes(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(x for x in status if x.startswith("VmRSS")).split()[1]) * 1024


# -- recall and remember over MCP stdio -------------------------------------------------------


async def _over_stdio(
    db: Path,
    env: dict[str, str],
    workdir: Path,
    service: MemoryService,
    queries: list[str],
    items: list[dict[str, Any]],
) -> dict[str, list[float]]:
    """Two phases, one server alive in each (a bare JSON-RPC client's, then the SDK
    client's), so their model threads never compete: per query, in-process recall and recall
    over stdio; per item, service.remember and remember over stdio, each after one embedding
    of the same text (its floor). Each phase has its own in-process figures, to compare with
    the same load."""
    samples: dict[str, list[float]] = {}
    embed = service.semantic.embedder.embed_documents

    def add(name: str, seconds: float) -> None:
        samples.setdefault(name, []).append(seconds)

    async def phase(how: str, call: Callable[[str, dict[str, Any]], Any]) -> None:
        for i, query in enumerate(queries):
            inside = timed(lambda q=query: service.recall(q, LIMIT))
            start = time.perf_counter()
            await call("recall", {"query": query})
            if i >= 3:  # warm-up
                add(f"recall in-process ({how})", inside)
                add(f"recall {how}", time.perf_counter() - start)
        for item in items:
            # Each remember next to one embedding of the very text it stores: the two texts
            # differ (each is stored once) and an embedding's cost grows with its length.
            one = {**item, "content": f"{item['content']} (in-process, {how})"}
            sent = {**item, "content": f"{item['content']} (over stdio, {how})"}
            add(f"embed one ({how})", timed(lambda t=one["content"]: embed([t])))
            add(f"remember in-process ({how})", timed(lambda x=one: service.remember(**x)))
            add(f"embed sent ({how})", timed(lambda t=sent["content"]: embed([t])))
            start = time.perf_counter()
            await call("remember", sent)
            add(f"remember {how}", time.perf_counter() - start)

    bare = StdioServer(db, env, workdir / "bare.log")
    bare.wait_ready()

    async def bare_call(name: str, arguments: dict[str, Any]) -> Any:
        return bare.tool(name, arguments)

    await phase("bare", bare_call)
    bare.close()
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "memory_mcp", "serve"],
        env={**env, "MEMORY_MCP_DB": str(db)},
    )
    with (workdir / "sdk.log").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            await client.list_tools()  # the model starts loading after the handshake
            wait_for_line(workdir / "sdk.log", READY_LINE, 900)

            async def sdk_call(name: str, arguments: dict[str, Any]) -> Any:
                result = await client.call_tool(name, arguments)
                assert not result.is_error, result
                return result

            await phase("sdk", sdk_call)
    return samples


def recall_floor_samples(
    service: MemoryService, queries: list[str], mat: np.ndarray
) -> dict[str, list[float]]:
    """Recall next to its parts' floors: query embedding, exact numpy, FTS5 alone."""
    samples: dict[str, list[float]] = {}
    store, semantic = service.store, service.semantic
    everything = MemoryFilter()
    for i, query in enumerate(queries):
        qvec = semantic.embed_query(query)
        assert qvec is not None
        match = fts_query(query) or '""'
        steps: dict[str, Callable[[], Any]] = {
            "recall": lambda q=query: service.recall(q, LIMIT),
            "query embedding": lambda q=query: semantic.embed_query(q),
            "exact numpy": lambda v=qvec: np.argpartition(-np.einsum("ij,j->i", mat, v), K)[:K],
            "FTS5 alone": lambda m=match: store.search_fts(m, everything, K),
        }
        for name, step in steps.items():
            took = timed(step)
            if i >= 5:
                samples.setdefault(name, []).append(took)
    return samples


def all_vectors(service: MemoryService) -> np.ndarray:
    parts: list[np.ndarray] = []
    service.store.vector_snapshot(service.semantic.embedder.dim, lambda r: parts.append(r.vectors))
    return np.concatenate(parts) if parts else np.zeros((0, 384), np.float32)


def limit_rows(
    service: MemoryService,
    db: Path,
    env: dict[str, str],
    workdir: Path,
    queries: list[str],
    items: list[dict[str, Any]],
) -> list[list[str]]:
    """The issue's rows for recall and remember, each next to its floor."""
    s = recall_floor_samples(service, queries, all_vectors(service))
    p = {name: pct(values, 0.5) for name, values in s.items()}
    floor = p["query embedding"] + p["exact numpy"] + p["FTS5 alone"]
    rows = [
        ["recall in-process", ms(p["recall"]),
         f"embedding {ms(p['query embedding'])} + numpy {ms(p['exact numpy'])} "
         f"+ FTS5 {ms(p['FTS5 alone'])} = {ms(floor)}",
         f"{p['recall'] / floor:.2f}x", "<= 1.3x"],
    ]  # fmt: skip
    progress("recall and remember over MCP stdio (one server at a time)")
    over = anyio.run(_over_stdio, db, env, workdir, service, queries, items)
    q = {name: pct(values, 0.5) for name, values in over.items()}
    for how, label in (("bare", "bare JSON-RPC"), ("sdk", "SDK client")):
        base = q[f"recall in-process ({how})"]
        rows.append([f"recall over MCP stdio ({label})", ms(q[f"recall {how}"]),
                     f"in-process recall {ms(base)}",
                     f"+{ms(q[f'recall {how}'] - base)} ms", "<= +1.5 ms"])  # fmt: skip
    for how, label in (("bare", "bare JSON-RPC"), ("sdk", "SDK client")):
        for name, floor, target in ((f"remember in-process ({how})", "one", "<= 1.2x"),
                                    (f"remember {how}", "sent", "<= 1.6x")):  # fmt: skip
            one = q[f"embed {floor} ({how})"]
            shown = name if "in-process" in name else f"remember over MCP ({label})"
            rows.append([shown, ms(q[name]), f"one embedding {ms(one)}",
                         f"{q[name] / one:.2f}x", target])  # fmt: skip
    return rows


# -- common words ---------------------------------------------------------------------------


def budget_keyword_leg(store: Any, query: str) -> list[tuple[int, float]]:
    """The keyword leg as it ranked before rare-first scoring (issue 17), through the same
    statement and filter steps: past the budget, only the rarest terms that fit were ranked,
    scored with those terms alone."""
    from memory_mcp.policies import keyword_budget
    from memory_mcp.storage.sqlite import searching
    from memory_mcp.storage.sqlite.base import now
    from memory_mcp.storage.sqlite.filters import memory_conditions
    from memory_mcp.storage.sqlite.ftsbudget import terms

    match = fts_query(query)
    if match is None:
        return []
    conds, params = memory_conditions(MemoryFilter(), now())
    params.update(k=K, w_content=WEIGHTS[0], w_tags=WEIGHTS[1], w_context=WEIGHTS[2])

    def run(c: Any) -> list[tuple[int, float]]:
        parts = terms(match)
        kept, newest_only = keyword_budget.fit(store._term_counts.of(c, "memories_fts", parts))
        fitted = " OR ".join(parts[i] for i in kept)
        floor = -(2**63)
        if newest_only:
            newest = {"match": fitted, "n": keyword_budget.POSTINGS_BUDGET - 1}
            row = c.execute(searching._nth_newest("memories_fts"), newest).fetchone()
            floor = floor if row is None else int(row[0])
        old = params | {"match": fitted, "floor": floor, "arms": ("match",)}
        return searching._best_passing(c, "memories_fts", conds, old, K)

    found: list[tuple[int, float]] = store._read(run)
    return found


RARE_DOCS = (2, 40)  # how many memories a stand-in word appears in
COMMON_DOCS = 40  # a query word in more memories than this is swapped in the twin


def rare_twins(store: Any, queries: list[str], seed: int) -> list[str]:
    """Each question with every word found in over COMMON_DOCS memories swapped for a word
    of the same database found in RARE_DOCS of them: the same shape and length (so the same
    embedding and statement costs), only rarer words. SQLite only (it reads fts5vocab)."""
    conn = store.conn
    conn.execute(
        "create virtual table if not exists temp.vocab using fts5vocab(main, memories_fts, row)"
    )
    low, high = RARE_DOCS
    rare = [
        r[0]
        for r in conn.execute("select term from temp.vocab where doc between ? and ?", (low, high))
    ]
    rng = random.Random(seed)

    def swapped(word: str) -> str:
        counts = store.keyword_statistics(word)[1]
        return rng.choice(rare) if counts and max(counts) > COMMON_DOCS else word

    return [" ".join(swapped(w) for w in q.split()) for q in queries]


EXACT_TOP = 10  # the top whose agreement with the exact ranking is printed


def exact_share(store: Any, query: str, found: list[tuple[int, float]]) -> float:
    """How much of the keyword leg's top EXACT_TOP the exact BM25 ranking (every query term,
    every match of the visible index, the leg's default weights) also has in its top, ties
    counted as agreeing: a hit agrees when its exact score reaches the exact EXACT_TOP-th
    (so identical memories ranked in another order are not a difference)."""
    match = fts_query(query)
    if match is None:
        return 1.0
    sql = """
        select rowid, -bm25(memories_fts, 1.0, 1.0, 0.5) from memories_fts
        where memories_fts match :match order by 2 desc
    """
    exact = {
        int(r[0]): float(r[1])
        for r in store._read(lambda c: c.execute(sql, {"match": match}).fetchall())
    }
    if not exact:
        return 1.0
    top = min(EXACT_TOP, len(exact))
    bar = sorted(exact.values(), reverse=True)[top - 1] - 1e-9
    return sum(1 for i, _ in found[:top] if exact.get(i, -1e300) >= bar) / top


def exactness_rows(store: Any, n: int, common: list[str], ordinary: list[str]) -> list[Any]:
    """The keyword leg's top against the exact BM25 ranking, common-word questions next to
    ordinary ones (mean share over the questions; issue 17 asks >= 0.99), now and before."""
    rows = []
    legs = (("now", lambda q: store.search_keywords(q, MemoryFilter(), K, WEIGHTS)),
            ("budget (before)", lambda q: budget_keyword_leg(store, q)))  # fmt: skip
    for label, leg in legs:
        shares = {}
        for kind, queries in (("common", common), ("ordinary", ordinary)):
            found = [leg(q) for q in queries]
            shares[kind] = np.mean(
                [exact_share(store, q, f) for q, f in zip(queries, found, strict=True)]
            )
        rows.append([f"keyword leg's top {EXACT_TOP} as exact BM25's, {label}, N={n:,}",
                     f"common {shares['common']:.3f}", f"ordinary queries {shares['ordinary']:.3f}",
                     "-", ">= 0.99"])  # fmt: skip
    return rows


def common_word_rows(service: MemoryService, n: int, ordinary: list[str], count: int) -> list[Any]:
    """Recall and its keyword leg for questions full of common words, next to (1) the same
    questions with their common words swapped for rare ones (rare_twins: the fair floor, as
    long and shaped alike) and (2) the shorter ordinary queries of the other rows, in one
    interleaved loop; the keyword leg also as the budget ranked it before (issue 17)."""
    common = make_common_queries(count + 5, 7 * n)
    store = service.store
    twins = rare_twins(store, common, n)
    samples: dict[str, list[float]] = {}
    for i, (c, t, o) in enumerate(zip(common, twins, ordinary, strict=False)):
        steps: dict[str, Callable[[], Any]] = {
            "common recall": lambda q=c: service.recall(q, LIMIT),
            "twin recall": lambda q=t: service.recall(q, LIMIT),
            "ordinary recall": lambda q=o: service.recall(q, LIMIT),
        }
        for kind, q in (("common", c), ("twin", t), ("ordinary", o)):
            steps[f"{kind} keyword leg"] = lambda q=q: store.search_keywords(
                q, MemoryFilter(), K, WEIGHTS
            )
            steps[f"{kind} keyword leg, budget (before)"] = lambda q=q: budget_keyword_leg(store, q)
        for name, step in steps.items():
            took = timed(step)
            if i >= 5:
                samples.setdefault(name, []).append(took)
    rows = []
    pairs = [("recall", "twin"), ("keyword leg", "twin"), ("recall", "ordinary")]
    pairs += [("keyword leg", "ordinary"), ("keyword leg, budget (before)", "twin")]
    pairs += [("keyword leg, budget (before)", "ordinary")]
    for kind, floor in pairs:
        c, o = samples[f"common {kind}"], samples[f"{floor} {kind}"]
        label = "same questions, rare words" if floor == "twin" else "ordinary (shorter) queries"
        rows.append([f"common-word {kind}, N={n:,}", f"{ms(pct(c, 0.5))} / {ms(pct(c, 0.95))}",
                     f"{label} {ms(pct(o, 0.5))} / {ms(pct(o, 0.95))}",
                     f"{pct(c, 0.5) / pct(o, 0.5):.2f}x / {pct(c, 0.95) / pct(o, 0.95):.2f}x",
                     "p50 and p95 ~1x"])  # fmt: skip
    now, old = samples["common keyword leg"], samples["common keyword leg, budget (before)"]
    rows.append([f"common-word keyword leg now against before, N={n:,}",
                 f"{ms(pct(now, 0.5))} / {ms(pct(now, 0.95))}",
                 f"budget (before) {ms(pct(old, 0.5))} / {ms(pct(old, 0.95))}",
                 f"{pct(now, 0.5) / pct(old, 0.5):.2f}x / {pct(now, 0.95) / pct(old, 0.95):.2f}x",
                 "-"])  # fmt: skip
    rows += exactness_rows(store, n, common[5:], ordinary[5:])
    return rows


# -- HTTP concurrency -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_rows(
    db: Path,
    env: dict[str, str],
    workdir: Path,
    queries: list[str],
    seconds: float,
    embedder: Any,
    model_dir: Path | None,
    old: Path | None = None,
    rounds: int = 1,
) -> list[list[str]]:
    """recall req/s and p95 with 1, 4 and 16 concurrent clients on one `serve --http` with one
    worker process and with one per core (`--workers`), the loads interleaved, each next to
    its floor: the same number of threads calling `MemoryService.recall` in this process on
    a copy of the same database, with no HTTP in between. That floor is what one process
    reaches on this machine at that concurrency (the model's threads already spread one
    embedding over the cores), so 1 worker at ~1x means HTTP costs little and requests
    overlap, and more workers above 1x means the extra processes add throughput.

    Each load also shows the server's CPU time per request (every process of it, from
    /proc; Linux only) next to this process's CPU per recall in the floor's load: what one
    request costs the server, free of the client's share of the cores and of the machine's
    other load. With `old` (a checkout of other code), the same servers on that code run
    too, each load interleaved with ours, and a last column gives ours / old. With `rounds`
    above 1, every load is repeated that many times, in alternating order, and each figure
    is its median (a shared machine's load swings within a run)."""
    import logging
    import shutil

    import httpx2
    import speed

    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    cores = os.cpu_count() or 1
    codes = {"": None} if old is None else {"old": old, "new": None}
    servers: dict[tuple[str, int], tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for code, checkout in codes.items():
            for workers in dict.fromkeys((1, cores)):
                servers[(code, workers)] = _start_http(db, env, workdir, code, checkout, workers)
        floor_db = workdir / "http-floor.db"
        shutil.copy(db, floor_db)
        service = speed.open_service(floor_db, embedder, model_dir)
        service.semantic.load_cache()  # as a server does
        floors: dict[int, list[tuple[float, float, float]]] = {}
        figures: dict[tuple[str, int, int], list[tuple[float, float, float]]] = {}
        for r in range(rounds):
            for c in (1, 4, 16):
                progress(f"HTTP: round {r + 1} of {rounds}, {c} client(s)")
                floor = _cpu_per_call(partial(_threads_load, service, queries, c, seconds))
                floors.setdefault(c, []).append(floor)
                order = list(servers.items())
                for key, (proc, url) in order if (c + r) % 2 else order[::-1]:  # both orders
                    load = partial(_http_load, httpx2, url, queries, c, seconds)
                    figures.setdefault((*key, c), []).append(_cpu_per_call(load, proc.pid))
        service.close()
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=60)
    return _http_table(
        {c: _medians(runs) for c, runs in floors.items()},
        {key: _medians(runs) for key, runs in figures.items()},
        old is not None,
    )


def _medians(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Each figure's median over the rounds (one load each)."""
    rate, p95, cpu = (statistics.median(values) for values in zip(*runs, strict=True))
    return rate, p95, cpu


def _start_http(
    db: Path, env: dict[str, str], workdir: Path, code: str, checkout: Path | None, workers: int
) -> tuple[subprocess.Popen[bytes], str]:
    """A `serve --http --workers N` on its own copy of `db`, once every worker is ready; on
    `checkout`'s code (its own .venv if it has one) when given."""
    import shutil

    port, log = free_port(), workdir / f"http-{code}{workers}.log"
    copy = workdir / f"http-{code}{workers}.db"
    shutil.copy(db, copy)
    python, extra = sys.executable, {}
    if checkout is not None and (checkout / ".venv" / "bin" / "python").exists():
        python = str(checkout / ".venv" / "bin" / "python")
    elif checkout is not None:
        extra["PYTHONPATH"] = str(checkout)
    with log.open("w") as errlog:
        proc = subprocess.Popen(
            [python, "-m", "memory_mcp", "serve", "--http", "--port", str(port),
             "--workers", str(workers)],
            # its own token file (none): one the user's own servers made would
            # demand a token of the benchmark's loopback clients
            env={**env, **extra, "MEMORY_MCP_DB": str(copy),
                 "MEMORY_MCP_TOKEN_FILE": str(workdir / "no-token")},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=errlog,
        )  # fmt: skip
    deadline = time.monotonic() + 900
    while log.read_text().count(READY_LINE) < workers:  # every worker loaded
        if time.monotonic() > deadline or proc.poll() is not None:
            sys.exit(f"the server never got ready; see {log}")
        time.sleep(0.2)
    return proc, f"http://127.0.0.1:{port}/mcp"


def _cpu_per_call(
    load: Callable[[], tuple[float, float, int]], pid: int | None = None
) -> tuple[float, float, float]:
    """(calls a second, p95, CPU seconds per call) of `load`: the CPU of process `pid` and
    its children, or of this process when None."""
    before = process_tree_cpu(pid) if pid else time.process_time()
    rate, p95, calls = load()
    after = process_tree_cpu(pid) if pid else time.process_time()
    return rate, p95, (after - before) / max(calls, 1)


def process_tree_cpu(pid: int) -> float:
    """User + system CPU seconds of `pid` and its descendants so far (nan off Linux)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, todo = 0.0, [pid]
    while todo:
        one = todo.pop()
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{one}/task/{one}/children").read_text().split()
        except OSError:
            if one == pid:
                return float("nan")
            continue  # a child that ended meanwhile
        total += (int(fields[11]) + int(fields[12])) / tick
        todo += [int(child) for child in children]
    return total


def _http_table(
    floors: dict[int, tuple[float, float, float]],
    figures: dict[tuple[str, int, int], tuple[float, float, float]],
    paired: bool,
) -> list[list[str]]:
    rows = []
    for (code, w, c), (rate, p95, cpu) in sorted(figures.items(), key=lambda f: f[0][::-1]):
        floor, floor_p95, floor_cpu = floors[c]
        what = f"{c} client{'s' if c > 1 else ''}, {w} worker{'s' if w > 1 else ''}"
        what += f" ({code})" if code else ""
        rows.append(
            [f"HTTP recall, {what}", f"{rate:.1f} req/s, p95 {ms(p95)}",
             f"{c} thread{'s' if c > 1 else ''} in-process {floor:.1f} req/s, p95 {ms(floor_p95)}",
             f"{rate / floor:.2f}x", "~1x" if w == 1 else ">= 1x"]
        )  # fmt: skip
        rows.append(
            [f"  server CPU per recall, {what}", f"{cpu * 1000:.1f} ms",
             f"in-process {floor_cpu * 1000:.1f} ms", f"{cpu / floor_cpu:.2f}x", "<= 1.1x"]
        )  # fmt: skip
        if paired and code == "new":
            old_rate, old_p95, old_cpu = figures[("old", w, c)]
            rows[-2][-1] += f"; new/old {rate / old_rate:.2f}x, p95 {p95 / old_p95:.2f}x"
            rows[-1][-1] += f"; new/old {cpu / old_cpu:.2f}x"
    return rows


def _threads_load(
    service: Any, queries: list[str], clients: int, seconds: float
) -> tuple[float, float, int]:
    """`clients` threads calling the service's recall until time is up: the floor of the HTTP
    rows (the same queries in the same order as `_http_load` sends them)."""

    def caller(c: int, took: list[float], stop: float) -> None:
        i = c
        while time.monotonic() < stop:
            i += clients
            start = time.perf_counter()
            service.recall(queries[i % len(queries)])
            took.append(time.perf_counter() - start)

    return _threads(caller, clients, seconds)


def _threads(
    caller: Callable[[int, list[float], float], None], clients: int, seconds: float
) -> tuple[float, float, int]:
    """Run `caller(c, took, stop)` on `clients` threads until `stop`; (calls a second, p95,
    calls). Each appends its calls' durations to `took` (list.append is atomic)."""
    took: list[float] = []
    stop = time.monotonic() + seconds
    began = time.monotonic()
    threads = [threading.Thread(target=caller, args=(c, took, stop)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - began
    return len(took) / wall, pct(took, 0.95), len(took)


def _http_load(
    httpx2: Any, url: str, queries: list[str], clients: int, seconds: float
) -> tuple[float, float, int]:
    """Each client thread: its own session (initialize), then recall calls until time is up."""
    headers = {"Accept": "application/json, text/event-stream"}

    def client(c: int, took: list[float], stop: float) -> None:
        with httpx2.Client(headers=headers, timeout=120) as http:
            init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": HELLO}
            reply = http.post(url, json=init)
            sid = reply.headers.get("mcp-session-id")
            extra = {"Mcp-Session-Id": sid} if sid else {}
            extra["Mcp-Protocol-Version"] = HELLO["protocolVersion"]
            note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
            http.post(url, json=note, headers=extra)
            i = c
            while time.monotonic() < stop:
                i += clients
                body = {"jsonrpc": "2.0", "id": i, "method": "tools/call",
                        "params": {"name": "recall",
                                   "arguments": {"query": queries[i % len(queries)]}}}  # fmt: skip
                start = time.perf_counter()
                r = http.post(url, json=body, headers=extra)
                elapsed = time.perf_counter() - start
                assert r.status_code == 200, r.text
                took.append(elapsed)

    return _threads(client, clients, seconds)


# -- resident memory ------------------------------------------------------------------------


def rss_parts(pid: int) -> dict[str, int]:
    """VmRSS and its anonymous part (RssAnon: the heap, arrays; the rest is mapped files,
    such as SQLite's memory-mapped database pages, which the kernel may drop)."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {
        key: int(next(x for x in status if x.startswith(key)).split()[1]) * 1024
        for key in ("VmRSS", "RssAnon")
    }


def resident_rows(
    db: Path, empty: Path, env: dict[str, str], workdir: Path, n: int, label: str = ""
) -> list[Any]:
    """Idle RSS of a server on the N-memory database minus one on an empty database (both
    with the model and the vector copy loaded), per memory: all of it, and the anonymous
    part. `label` names the code measured (env may point PYTHONPATH at another checkout)."""
    sizes = {}
    for name, path in (("empty", empty), ("full", db)):
        server = StdioServer(path, env, workdir / f"rss-{name}.log")
        with suppress(Exception):
            server.tool("remember", {"content": f"warm-up memory for the {name} server"})
        server.wait_ready()
        server.tool("recall", {"query": "warm-up"})
        time.sleep(1)
        sizes[name] = rss_parts(server.proc.pid)
        server.close()
    rows = []
    for key, what in (("VmRSS", "idle RSS"), ("RssAnon", "idle RSS, anonymous part")):
        full, base = sizes["full"][key], sizes["empty"][key]
        rows.append(
            [f"{what}, N={n:,}{label}", f"{full / 2**20:,.0f} MiB",
             f"empty DB {base / 2**20:,.0f} MiB", f"{(full - base) / n:,.0f} B/memory",
             "<= 1,024 B/memory at 1M"]
        )  # fmt: skip
    return rows


# -- the table ------------------------------------------------------------------------------


def run(
    args: Any, embedder: Any, workdir: Path, state: dict[str, Any], cold: list[list[Any]]
) -> None:
    """Print the issue's table: every row next to its floor from this run."""
    import speed

    env = {
        **os.environ,
        **({"MEMORY_MCP_MODEL_DIR": str(args.model_dir)} if args.model_dir else {}),
    }
    paths: dict[int, Path] = state["paths"]
    n = min(paths, key=lambda size: abs(size - 10_000))
    rows: list[list[Any]] = []
    service = speed.open_service(paths[n], embedder, args.model_dir)
    service.semantic.load_cache()  # as a server does
    queries = [q for q, _ in speed.make_queries(args.queries + 5, speed.SEED + 5)]
    items = speed.make_items(max(20, args.calls // 2), speed.SEED + 555)
    progress(f"limits: recall and remember at N={n:,}")
    rows += limit_rows(service, paths[n], env, workdir, queries, items)
    if "bulk" in state:
        bulk_n, bulk = state["bulk"]
        rate, embed_rate = float(bulk[1][1]), float(bulk[0][1])
        rows.append([f"bulk import (remember_many), N={bulk_n:,}", f"{rate:.0f}/s",
                     f"embedder batch rate {embed_rate:.0f}/s", f"{rate / embed_rate:.2f}x",
                     ">= 0.95x"])  # fmt: skip
    sdk = next(r for r in cold if r[0].startswith("import mcp.server"))
    ours = next(r for r in cold if r[0] == "server, new empty DB")
    rows.append(["cold start to tools/list", f"{ours[1]} s", f"import mcp.server {sdk[1]} s",
                 f"{float(ours[1]) / float(sdk[1]):.2f}x", "<= 1.03x"])  # fmt: skip
    service.close()
    for size in args.common_at:
        progress(f"limits: common-word recall at N={size:,}")
        rows += common_at(args, embedder, workdir, state, size)
    progress("limits: HTTP concurrency")
    rows += http_rows(paths[n], env, workdir, queries, args.http_seconds, embedder, args.model_dir,
                      args.http_old, args.http_rounds)  # fmt: skip
    speed.table(
        f"Limits: each figure next to its floor in this run (N={n:,} unless said; p50, ms)",
        ["measure", "now", "floor in the same run", "ratio", "target"],
        rows,
    )


def http_only(args: Any, embedder: Any, workdir: Path) -> None:
    """speed.py --only-http: the HTTP rows alone, on a database of the largest --sizes N
    (built once into --workdir, every text embedded)."""
    import speed

    workdir.mkdir(parents=True, exist_ok=True)
    n = args.sizes[-1]
    path = workdir / f"memories-{n}.db"
    if not path.exists():
        progress(f"building N={n:,}")
        service = speed.open_service(path, embedder, args.model_dir)
        speed.build_embedded(service, speed.make_items(n, speed.SEED))
        service.close()
    env = {
        **os.environ,
        **({"MEMORY_MCP_MODEL_DIR": str(args.model_dir)} if args.model_dir else {}),
    }
    queries = [q for q, _ in speed.make_queries(args.queries + 5, speed.SEED + 5)]
    rows = http_rows(path, env, workdir, queries, args.http_seconds, embedder, args.model_dir,
                     args.http_old, args.http_rounds)  # fmt: skip
    header = ["measure", "now", "floor in the same run", "ratio", "target"]
    speed.table(f"HTTP concurrency, N={n:,} (p95, ms; CPU per request)", header, rows)


def common_only(args: Any, embedder: Any, workdir: Path, state: dict[str, Any]) -> None:
    """speed.py --only-common: the common-word rows alone, at each --common-at size."""
    import speed

    workdir.mkdir(parents=True, exist_ok=True)
    state["paths"] = {}
    rows: list[list[Any]] = []
    for size in args.common_at:
        progress(f"common-word recall at N={size:,}")
        rows += common_at(args, embedder, workdir, state, size)
    header = ["measure", "now", "floor", "ratio", "target"]
    speed.table("Common words (p50 / p95, ms)", header, rows)


def common_at(
    args: Any, embedder: Any, workdir: Path, state: dict[str, Any], n: int
) -> list[list[Any]]:
    import speed

    path = state["paths"].get(n) or workdir / f"common-{n}.db"
    built = path.exists() and n not in state["paths"]  # a kept --workdir's, built before
    service = speed.open_service(path, embedder, args.model_dir)
    if n not in state["paths"] and not built:
        items = speed.make_items(n, speed.SEED)
        if "pool" not in state:
            texts = [item["content"] for item in items[: args.pool]]
            state["pool"] = embedder.embed_documents(texts)
        speed.build_pooled(service, items, state["pool"])
    service.semantic.load_cache()
    ordinary = [q for q, _ in speed.make_queries(args.queries + 5, speed.SEED + n)]
    rows = common_word_rows(service, n, ordinary, args.queries)
    service.close()
    return rows
