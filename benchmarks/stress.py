"""Stress: many server processes and a CLI import on one database file; nothing lost.

    uv run python benchmarks/stress.py [--procs 8] [--writes 250] [--import-count 1000]
                                       [--race-procs 6] [--race-rounds 20] [--import-race 3000]
                                       [--skip-servers]
                                       [--model-dir DIR | --keyword-only] [--keep DIR]

Starts `--procs` `memory-mcp serve` processes on one SQLite file, each driven by its own MCP
SDK client over stdio. Each client makes `--writes` writes (every content unique), and
between them recalls its own earlier writes, forgets some, and corrects some (`remember`
with `replaces`). Meanwhile `memory-mcp import` loads `--import-count` memories into the
same file. Then it checks that every acknowledged write is present exactly once with its id,
forgets and corrections took effect, no call failed, `PRAGMA integrity_check` is ok and
memories / full-text / vector counts agree, and prints counts and latencies (p50/p95/max),
including the time servers waited for the write lock (logged by db.transaction at -vv).
tests/test_stress.py runs a small keyword-only version of the same.

Then the races (benchmarks/races.py): `--race-procs` processes make the same request at the
same moment, `--race-rounds` times (the same text, a value of the same key, a correction of
the same memory, the same remember_many batch), and two processes import the same mem0,
knowledge-graph and JSONL file of `--import-race` items at once; it prints in how many
rounds a text was stored twice, a key got several current values or a memory was replaced
more than once, and how many imported items were stored twice (all 0 when the promises hold).
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from benchmarks import races
from memory_mcp.storage.sqlite import db
from memory_mcp.storage.sqlite.fts import KEYWORD_INDEXES
from memory_mcp.storage.sqlite.maintenance import FTS_CHECKS

SEED = 5
LOCK_WAIT = re.compile(r"Waited ([0-9.]+) ms for the write lock")
MODEL_READY_S = 300
WORDS = [
    "amber", "basalt", "cobalt", "delta", "ember", "fjord", "granite", "harbor", "indigo",
    "juniper", "kelp", "lagoon", "meadow", "nickel", "orchard", "pebble", "quartz", "river",
    "saffron", "tundra", "umber", "velvet", "willow", "xenon", "yarrow", "zinc",
]  # fmt: skip

# Rows of both keyword indexes together: each holds every memory once, visible or hidden.
FTS_ROWS = "select " + " + ".join(f"(select count(*) from {i}_docsize)" for i in KEYWORD_INDEXES)


@dataclass
class ClientLog:
    """What one client saw: acknowledged writes, forgets, corrections, latencies, failures."""

    index: int
    written: dict[int, str] = field(default_factory=dict)  # id -> content, acknowledged
    forgotten: set[int] = field(default_factory=set)
    replaced: dict[int, int] = field(default_factory=dict)  # old id -> new id
    statuses: Counter[str] = field(default_factory=Counter)
    latency: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    recall_misses: int = 0
    started: float = 0.0
    finished: float = 0.0

    def timed(self, tool: str, seconds: float) -> None:
        self.latency.setdefault(tool, []).append(seconds)


@dataclass
class Report:
    procs: int
    writes: int
    imported: int
    seconds: float
    logs: list[ClientLog]
    import_seconds: float
    import_returncode: int
    import_stderr: str
    checks: dict[str, Any]
    lock_waits_ms: list[float]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def content_for(client: int, n: int, rng: random.Random) -> str:
    words = " ".join(rng.sample(WORDS, 4))
    return f"Stress client {client} write {n}: {words} marker S{client:02d}W{n:05d}."


async def drive(
    index: int,
    params: StdioServerParameters,
    errlog: Any,
    writes: int,
    ready: list[int],
    start: anyio.Event,
) -> ClientLog:
    log = ClientLog(index)
    rng = random.Random(SEED * 1000 + index)
    transport = stdio_client(params, errlog=errlog)
    async with Client(transport, mode="legacy", read_timeout_seconds=120) as client:

        async def call(tool: str, args: dict[str, Any]) -> dict[str, Any] | None:
            began = time.perf_counter()
            try:
                result = await client.call_tool(tool, args)
            except Exception as exc:  # noqa: BLE001 - a failure to count, not to hide
                log.failures.append(f"{tool}: {type(exc).__name__}: {exc}")
                return None
            log.timed(tool, time.perf_counter() - began)
            if result.is_error:
                text = " ".join(getattr(b, "text", "") for b in result.content)
                log.failures.append(f"{tool}: {text}")
                return None
            return dict(result.structured_content or {})

        await wait_until_ready(client)
        ready.append(index)
        await start.wait()
        log.started = time.perf_counter()
        for n in range(writes):
            args: dict[str, Any] = {"content": content_for(index, n, rng), "tags": [f"c{index}"]}
            live = sorted(set(log.written) - log.forgotten - set(log.replaced))
            if n % 9 == 8 and live:  # a correction supersedes an earlier write
                args["replaces"] = rng.choice(live)
            stored = await call("remember", args)
            if stored is None:
                continue
            log.statuses[stored["status"]] += 1
            log.written[stored["id"]] = args["content"]
            for old in stored.get("supersedes", []):
                log.replaced[old] = stored["id"]
            if n % 3 == 0 and log.written:  # read your own write back through search
                target = rng.choice(sorted(log.written))
                marker = log.written[target].rsplit(" ", 1)[-1].rstrip(".")
                found = await call("recall", {"query": marker, "include_superseded": True})
                hit_ids = [] if found is None else [h["id"] for h in found["hits"]]
                if found is not None and target not in hit_ids and target not in log.forgotten:
                    log.recall_misses += 1
            if n % 10 == 5 and live:
                victim = rng.choice(live)
                if await call("forget", {"ids": [victim], "reason": "stress"}) is not None:
                    log.forgotten.add(victim)
        log.finished = time.perf_counter()
    return log


async def wait_until_ready(client: Client) -> None:
    """Until the server's model has loaded (recall says hybrid), or it never will."""
    with anyio.fail_after(MODEL_READY_S):
        while True:
            result = await client.call_tool("recall", {"query": "warm up"})
            content = result.structured_content or {}
            note = content.get("note") or ""
            if content.get("mode") == "hybrid" or (note and "still loading" not in note):
                return
            await anyio.sleep(0.2)


def write_import_file(path: Path, count: int) -> list[str]:
    rng = random.Random(SEED)
    contents = []
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            words = " ".join(rng.sample(WORDS, 5))
            content = f"Imported fact {n}: {words} marker IMP{n:06d}."
            contents.append(content)
            fh.write(json.dumps({"content": content, "kind": "fact", "scope": "imported"}) + "\n")
    return contents


async def run_clients(
    procs: int, writes: int, env: dict[str, str], workdir: Path, import_cmd: list[str]
) -> tuple[list[ClientLog], float, subprocess.CompletedProcess[bytes] | None, float]:
    """All clients (and the import) start together once every server is ready."""
    logs: list[ClientLog] = []
    ready: list[int] = []
    start = anyio.Event()
    imported: list[Any] = [None, 0.0]
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "memory_mcp", "-vv", "serve"], env=env
    )

    async def one(i: int, errlog: Any) -> None:
        logs.append(await drive(i, params, errlog, writes, ready, start))

    async def importer() -> None:
        await start.wait()
        began = time.perf_counter()
        imported[0] = await anyio.run_process(import_cmd, env=env, check=False)
        imported[1] = time.perf_counter() - began

    errlogs = [(workdir / f"server-{i}.log").open("w") for i in range(procs)]
    try:
        async with anyio.create_task_group() as tg:
            for i in range(procs):
                tg.start_soon(one, i, errlogs[i])
            tg.start_soon(importer)
            with anyio.fail_after(MODEL_READY_S):
                while len(ready) < procs:
                    await anyio.sleep(0.1)
            began = time.perf_counter()
            start.set()
        seconds = time.perf_counter() - began
    finally:
        for fh in errlogs:
            fh.close()
    return sorted(logs, key=lambda log: log.index), seconds, imported[0], imported[1]


def verify(
    path: Path, logs: list[ClientLog], imported: list[str], expect_vectors: bool
) -> tuple[dict[str, Any], list[str]]:
    """The promises, checked on the file itself after every process has exited."""
    problems: list[str] = []
    conn = db.connect(path)
    rows = {
        r["id"]: r
        for r in conn.execute("select id, content, forgotten_at, superseded_by from memories")
    }
    by_content = Counter(r["content"] for r in rows.values())
    acked = {i: c for log in logs for i, c in log.written.items()}
    for memory_id, content in acked.items():
        if by_content[content] != 1:
            problems.append(f"acknowledged write present {by_content[content]} times: {content}")
        elif memory_id not in rows or rows[memory_id]["content"] != content:
            problems.append(f"acknowledged write {memory_id} has other content")
    for log in logs:
        for memory_id in log.forgotten:
            if rows[memory_id]["forgotten_at"] is None:
                problems.append(f"forgotten memory {memory_id} is visible")
        for old, new in log.replaced.items():
            if rows[old]["superseded_by"] != new:
                problems.append(f"memory {old} not superseded by {new}")
        problems += [f"client {log.index} failed call: {f}" for f in log.failures[:5]]
        if log.recall_misses:
            problems.append(f"client {log.index}: {log.recall_misses} own writes not recalled")
    missing_imports = [c for c in imported if by_content[c] != 1]
    if missing_imports:
        problems.append(f"{len(missing_imports)} imported memories missing or doubled")
    counts = {
        "memories": db.scalar(conn, "select count(*) from memories"),
        "fts": db.scalar(conn, FTS_ROWS),
        "vectors": db.scalar(conn, "select count(*) from memories_vec")
        if db.scalar(conn, "select count(*) from sqlite_master where name = 'memories_vec'")
        else 0,
        "history": db.scalar(conn, "select count(*) from history"),
    }
    expected = len(acked) + len(imported)
    if counts["memories"] != expected:
        problems.append(f"{counts['memories']} memories, expected {expected}")
    if counts["fts"] != counts["memories"]:
        problems.append(f"full-text rows {counts['fts']} != memories {counts['memories']}")
    if expect_vectors and counts["vectors"] != counts["memories"]:
        problems.append(f"vectors {counts['vectors']} != memories {counts['memories']}")
    integrity = "; ".join(str(r[0]) for r in conn.execute("pragma integrity_check"))
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    try:
        for check in FTS_CHECKS:
            conn.execute(check)
        fts_ok = True
    except db.DatabaseError as exc:
        fts_ok = False
        problems.append(f"FTS integrity-check: {exc}")
    conn.close()
    return counts | {"expected": expected, "integrity": integrity, "fts_ok": fts_ok}, problems


def run_stress(
    procs: int,
    writes: int,
    import_count: int,
    workdir: Path,
    model_dir: Path | None,
) -> Report:
    """Run the whole scenario in `workdir`; `model_dir=None` means keyword-only servers."""
    path = workdir / "stress.db"
    no_model = workdir / "no-model"
    no_model.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {
        "MEMORY_MCP_DB": str(path),
        "MEMORY_MCP_MODEL_DIR": str(model_dir or no_model),
        "COLUMNS": "200",  # keep each log line whole for the lock-wait parser
    }
    jsonl = workdir / "import.jsonl"
    imported = write_import_file(jsonl, import_count)
    import_cmd = [sys.executable, "-m", "memory_mcp", "-vv", "import", str(jsonl)]
    logs, seconds, result, import_seconds = anyio.run(
        run_clients, procs, writes, env, workdir, import_cmd
    )
    checks, problems = verify(path, logs, imported, expect_vectors=model_dir is not None)
    import_stderr = "" if result is None else result.stderr.decode("utf-8", "replace")
    if result is None or result.returncode != 0:
        problems.append(f"import failed: {import_stderr[-500:]}")
    waits = [
        float(m.group(1))
        for log_file in [*workdir.glob("server-*.log")]
        for m in LOCK_WAIT.finditer(log_file.read_text("utf-8", errors="replace"))
    ] + [float(m.group(1)) for m in LOCK_WAIT.finditer(import_stderr)]
    return Report(
        procs, writes, import_count, seconds, logs, import_seconds,
        -1 if result is None else result.returncode, import_stderr, checks, waits, problems,
    )  # fmt: skip


# -- printing -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def print_report(report: Report) -> None:
    logs = report.logs
    calls = sum((Counter({t: len(v) for t, v in log.latency.items()}) for log in logs), Counter())
    statuses = sum((log.statuses for log in logs), Counter())
    failures = sum(len(log.failures) for log in logs)
    print(
        f"stress: {report.procs} server processes x {report.writes} writes, plus a CLI import "
        f"of {report.imported} memories, on one file"
    )
    clients = max(log.finished for log in logs) - min(log.started for log in logs)
    print(
        f"wall time {report.seconds:.1f} s: the clients' calls took {clients:.1f} s, the "
        f"import (loading its own model, embedding every text) {report.import_seconds:.1f} s "
        f"(exit {report.import_returncode})"
    )
    print(
        "calls: "
        + ", ".join(f"{tool} {n}" for tool, n in sorted(calls.items()))
        + f"; failed {failures}"
    )
    print("remember outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    acked = sum(len(log.written) for log in logs)
    print(
        f"acknowledged writes {acked}, forgotten {sum(len(log.forgotten) for log in logs)}, "
        f"corrected {sum(len(log.replaced) for log in logs)}, own-write recall misses "
        f"{sum(log.recall_misses for log in logs)}"
    )
    c = report.checks
    print(
        f"file: memories {c['memories']} (expected {c['expected']}), full-text {c['fts']}, "
        f"vectors {c['vectors']}, history {c['history']}; integrity_check {c['integrity']}; "
        f"FTS integrity-check {'ok' if c['fts_ok'] else 'FAILED'}"
    )
    print(f"{'latency ms':<22}{'n':>7}{'p50':>9}{'p95':>9}{'max':>9}")
    rows = {t: [s * 1000 for log in logs for s in log.latency.get(t, [])] for t in calls}
    rows["write-lock wait"] = report.lock_waits_ms
    for name, values in rows.items():
        if values:
            print(
                f"{name:<22}{len(values):>7}{pct(values, 0.5):>9.2f}{pct(values, 0.95):>9.2f}"
                f"{max(values):>9.2f}"
            )
    if report.lock_waits_ms:
        print(
            f"write-lock wait: mean {statistics.fmean(report.lock_waits_ms):.2f} ms over "
            f"{len(report.lock_waits_ms)} write transactions (servers and import)"
        )
    print("verdict: " + ("OK, nothing lost" if report.ok else "PROBLEMS"))
    for problem in report.problems[:20]:
        print(f"  - {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--writes", type=int, default=250)
    parser.add_argument("--import-count", type=int, default=1000)
    parser.add_argument("--model-dir", type=Path, default=os.environ.get("MEMORY_MCP_MODEL_DIR"))
    parser.add_argument("--keyword-only", action="store_true", help="servers without a model")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--race-procs", type=int, default=6)
    parser.add_argument("--race-rounds", type=int, default=20, help="0 skips the write races")
    parser.add_argument("--import-race", type=int, default=3000, help="items; 0 skips")
    parser.add_argument("--skip-servers", action="store_true", help="only the races")
    args = parser.parse_args()
    model_dir = None if args.keyword_only else args.model_dir
    if model_dir is None and not args.keyword_only:
        parser.error("give --model-dir (or MEMORY_MCP_MODEL_DIR) or --keyword-only")
    ok = True
    with tempfile.TemporaryDirectory(prefix="memory-mcp-stress-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if not args.skip_servers:
            report = run_stress(args.procs, args.writes, args.import_count, workdir, model_dir)
            print_report(report)
            ok = report.ok
        if args.race_rounds:
            writes = races.run_write_races(workdir, args.race_procs, args.race_rounds, model_dir)
            races.print_write_races(writes)
            ok = ok and writes.ok
        if args.import_race:
            imports = races.run_import_races(workdir, args.import_race, model_dir)
            races.print_import_races(imports)
            ok = ok and all(r.ok for r in imports)
    print("races and servers: " + ("OK" if ok else "PROBLEMS"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
