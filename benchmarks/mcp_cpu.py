"""CPU per MCP tool call over stdio, on each side: the server's event loop and the client.

    uv run python benchmarks/mcp_cpu.py [--db FILE] [--calls 100] [--rounds 3] [--model-dir DIR]
                                        [--old DIR]

Wall-clock figures (speed.py's "recall over MCP stdio" rows) move by milliseconds on a shared,
loaded machine; CPU time spent per call moves far less. Per round, one `memory-mcp serve` per
client: the official SDK client (`mcp.Client`) on the 2025-11-25 handshake ("legacy") and on
2026-07-28 ("auto"), and a bare JSON-RPC client (one line per message, nothing validated).
Each makes `--calls` recalls and as many remembers; the server reports its event-loop thread's
CPU time (everything MCP costs the server, besides a recall made on the loop: calls.py) and
its whole process's (the service call included, wherever it runs),
the client measures its own thread's, split into the SDK client's parts: parsing the line
(pydantic), checking the result against the protocol version's shape (pydantic), checking it
against the tool's output schema (jsonschema), and the rest (session, dispatcher, streams).
Without --db, a database of 1,000 synthetic memories is built first (embedding them takes a
minute or two). With --old (a checkout of other code, e.g. `git worktree add /tmp/old REV`),
each client talks to a server on that code and one on this, each on its own copy of the
database, calling them in turn call by call (so both meet the same load), and the table
shows old -> new, with the median wall-clock time of a call. Figures go to stdout, progress
to stderr.
"""

import argparse
import contextlib
import functools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp.client.stdio as sdk_stdio
from floors import HELLO, READY_LINE
from mcp import Client, StdioServerParameters
from mcp.client.session import ClientSession
from mcp_types import methods
from speed import load_embedder, make_items, make_queries, open_service, progress, table

# The server, as `python -m memory_mcp serve`, reporting its main thread's CPU time on SIGUSR1.
SERVER = """
import os, runpy, signal, sys, time
def mark(*_):
    with open(os.environ["MCP_CPU_MARKS"], "a") as marks:
        marks.write(f"{time.thread_time()} {time.process_time()}\\n")
signal.signal(signal.SIGUSR1, mark)
with open(os.environ["MCP_CPU_MARKS"] + ".pid", "w") as pid:
    pid.write(str(os.getpid()))
sys.argv = ["memory-mcp", "serve"]
runpy.run_module("memory_mcp", run_name="__main__")
"""
PARTS = {
    "parse": "parse the line (pydantic)",
    "shape": "result shape for the version (pydantic)",
    "schema": "output schema check (jsonschema)",
}
SPENT: dict[str, float] = {}


def _counted(part: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def counted(*args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[part] = SPENT.get(part, 0.0) + time.thread_time() - start

    return counted


def _counted_async(part: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def counted(*args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return await fn(*args, **kwargs)
        finally:
            SPENT[part] = SPENT.get(part, 0.0) + time.thread_time() - start

    return counted


def count_sdk_parts() -> None:
    """Wrap the SDK client's per-reply steps with CPU counters (this process only)."""
    sdk_stdio._parse_line = _counted("parse", sdk_stdio._parse_line)  # type: ignore[attr-defined]
    methods.validate_server_result = _counted("shape", methods.validate_server_result)
    ClientSession.validate_tool_result = _counted_async(  # type: ignore[method-assign]
        "schema", ClientSession.validate_tool_result
    )


class Marks:
    """The server's event-loop CPU seconds, read at each SIGUSR1 we send it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("")

    def _read(self) -> list[tuple[float, float]]:
        lines = self.path.read_text().splitlines()
        return [(float(a), float(b)) for a, b in (line.split() for line in lines)]

    async def take(self) -> tuple[float, float]:
        """(the event-loop thread's CPU seconds, the whole process's)."""
        known = len(self._read())
        os.kill(int(Path(f"{self.path}.pid").read_text()), signal.SIGUSR1)
        while len(found := self._read()) <= known:
            await anyio.sleep(0.02)
        return found[-1]


Call = Callable[[str, dict[str, Any]], Awaitable[None]]
Figures = dict[str, dict[str, dict[str, float]]]  # code -> tool -> measure -> ms per call


async def measure(servers: dict[str, tuple[Call, Marks]], seed: int, calls: int) -> Figures:
    """The same calls on each server (with two: interleaved call by call, in alternating
    order, so that both meet the same load); CPU per call on each side, per server, and the
    median wall-clock time of a call (a thread hop costs waiting more than CPU)."""
    queries = [q for q, _ in make_queries(calls + 3, seed)]
    items = [
        {**item, "content": f"{item['content']} ({seed})"}
        for item in make_items(calls + 1, seed + 1)
    ]
    for call, _ in servers.values():
        for query in queries[:3]:  # warm-up (the client compiles each output schema once)
            await call("recall", {"query": query})
        await call("remember", items[0])
    batches = {"recall": [{"query": q} for q in queries[3:]], "remember": items[1:]}
    figures: Figures = {code: {} for code in servers}
    labels = list(servers)
    for tool, batch in batches.items():
        spent = {code: {"client": 0.0} | dict.fromkeys(PARTS, 0.0) for code in servers}
        walls: dict[str, list[float]] = {code: [] for code in servers}
        starts = {code: await marks.take() for code, (_, marks) in servers.items()}
        for number, arguments in enumerate(batch):
            for code in labels[number % 2 :] + labels[: number % 2]:
                before, client_start = dict(SPENT), time.thread_time()
                wall_start = time.perf_counter()
                await servers[code][0](tool, arguments)
                walls[code].append(time.perf_counter() - wall_start)
                spent[code]["client"] += time.thread_time() - client_start
                for part in PARTS:
                    spent[code][part] += SPENT.get(part, 0.0) - before.get(part, 0.0)
        for code, (_, marks) in servers.items():
            loop, process = await marks.take()
            per = {
                "server loop": loop - starts[code][0],
                "server process": process - starts[code][1],
                "client": spent[code]["client"],
            }
            per |= {PARTS[part]: spent[code][part] for part in PARTS}
            figures[code][tool] = {name: sec / len(batch) * 1000 for name, sec in per.items()}
            figures[code][tool]["wall p50"] = statistics.median(walls[code]) * 1000
    return figures


def server_env(db: Path, model_dir: Path | None, marks: Marks, code: Path | None) -> dict[str, str]:
    """The server's environment; `code`: a checkout whose memory_mcp it runs instead of ours
    (the server's working directory is not ours, so `-c` does not put ours first)."""
    env = {**os.environ, "MEMORY_MCP_DB": str(db), "MCP_CPU_MARKS": str(marks.path)}
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    return env | ({"MEMORY_MCP_MODEL_DIR": str(model_dir)} if model_dir else {})


@asynccontextmanager
async def via_sdk(mode: str, db: Path, model_dir: Path | None, workdir: Path,
                  code: Path | None) -> AsyncIterator[tuple[Call, Marks]]:  # fmt: skip
    marks = Marks(workdir / f"marks-{db.stem}")
    log = workdir / f"server-{db.stem}.log"
    params = StdioServerParameters(
        command=sys.executable, args=["-c", SERVER], cwd=workdir,
        env=server_env(db, model_dir, marks, code),
    )  # fmt: skip
    with log.open("w") as errlog:
        async with Client(sdk_stdio.stdio_client(params, errlog=errlog), mode=mode) as client:
            await client.list_tools()
            while READY_LINE not in log.read_text():
                await anyio.sleep(0.2)

            async def call(name: str, arguments: dict[str, Any]) -> None:
                result = await client.call_tool(name, arguments)
                assert not result.is_error, result

            yield call, marks


@asynccontextmanager
async def via_bare(db: Path, model_dir: Path | None, workdir: Path,
                   code: Path | None) -> AsyncIterator[tuple[Call, Marks]]:  # fmt: skip
    marks = Marks(workdir / f"marks-{db.stem}")
    log = workdir / f"server-{db.stem}.log"
    with log.open("w") as errlog:
        proc = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errlog, cwd=workdir,
                                env=server_env(db, model_dir, marks, code))  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout, sent = proc.stdin, proc.stdout, [0]

        def rpc(method: str, params: dict[str, Any] | None = None) -> Any:
            sent[0] += 1
            message = {"jsonrpc": "2.0", "method": method, "id": sent[0], "params": params or {}}
            stdin.write((json.dumps(message) + "\n").encode())
            stdin.flush()
            return json.loads(stdout.readline())["result"]

        rpc("initialize", HELLO)
        stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        rpc("tools/list")
        while READY_LINE not in log.read_text():
            await anyio.sleep(0.2)

        async def call(name: str, arguments: dict[str, Any]) -> None:
            result = rpc("tools/call", {"name": name, "arguments": arguments})
            assert not result.get("isError"), result

        try:
            yield call, marks
        finally:
            stdin.close()
            proc.wait(60)


def build_db(path: Path, model_dir: Path | None) -> None:
    progress("building a database of 1,000 memories")
    embedder, _ = load_embedder(model_dir)
    service = open_service(path, embedder, model_dir)
    service.remember_many(make_items(1_000, 1234))
    service.close()


Samples = dict[tuple[str, str, str, str], list[float]]  # (code, client, tool, measure)


async def one_client(how: str, dbs: dict[str, tuple[Path, Path | None]],
                     args: argparse.Namespace, workdir: Path, seed: int) -> Figures:  # fmt: skip
    """One client of kind `how` per server (one per code, each on its own database copy)."""
    async with contextlib.AsyncExitStack() as stack:
        servers = {}
        for code, (db, checkout) in dbs.items():
            if how == "bare":
                opened = via_bare(db, args.model_dir, workdir, checkout)
            else:
                opened = via_sdk(how, db, args.model_dir, workdir, checkout)
            servers[code] = await stack.enter_async_context(opened)
        return await measure(servers, seed, args.calls)


def run(args: argparse.Namespace, db: Path, workdir: Path) -> Samples:
    """Every client once per round, in a rotating order (with --old: a server on each code,
    called in turn); figures per (code, client, tool, measure)."""
    dbs: dict[str, tuple[Path, Path | None]] = {"new": (db, None)}
    if args.old is not None:
        dbs["old"] = (workdir / "old.db", args.old)
        dbs["old"][0].write_bytes(db.read_bytes())
    samples: Samples = {}
    clients = ["legacy", "auto", "bare"]
    for round_no in range(args.rounds):
        for how in clients[round_no % 3 :] + clients[: round_no % 3]:
            progress(f"round {round_no + 1}: {how}")
            seed = 1000 * round_no + clients.index(how)
            figures = anyio.run(one_client, how, dbs, args, workdir, seed)
            for code, tools in figures.items():
                for tool, measures in tools.items():
                    for name, value in measures.items():
                        samples.setdefault((code, how, tool, name), []).append(value)
    return samples


def report(samples: Samples, args: argparse.Namespace) -> None:
    def p50(how: str, tool: str, name: str, code: str = "new") -> float:
        return statistics.median(samples[(code, how, tool, name)])

    if args.old is not None:
        report_pairs(p50, args)
        return

    labels = {"legacy": "SDK client, 2025-11-25", "auto": "SDK client, 2026-07-28",
              "bare": "bare JSON-RPC"}  # fmt: skip
    rows = []
    for tool in ("recall", "remember"):
        for how, label in labels.items():
            server, client = p50(how, tool, "server loop"), p50(how, tool, "client")
            parts = [f"{p50(how, tool, PARTS[p]):.3f}" if how != "bare" else "" for p in PARTS]
            rest = client - sum(p50(how, tool, PARTS[p]) for p in PARTS)
            base = p50("bare", tool, "server loop")
            shown_rest = f"{rest:.3f}" if how != "bare" else ""
            rows.append([tool, label, f"{server:.3f}", f"{server / base:.2f}", f"{client:.3f}",
                         *parts, shown_rest])  # fmt: skip
    title = (f"CPU per call, ms (median of {args.rounds} rounds of {args.calls} calls); "
             "server loop x the bare client's")  # fmt: skip
    header = ["tool", "client", "server loop", "x bare", "client", *PARTS.values(), "client rest"]
    table(title, header, rows)


def report_pairs(p50: Callable[..., float], args: argparse.Namespace) -> None:
    """Old -> new per client and tool: the server loop, the server process and the client,
    with their ratios."""
    labels = {"legacy": "SDK client, 2025-11-25", "auto": "SDK client, 2026-07-28",
              "bare": "bare JSON-RPC"}  # fmt: skip
    rows = []
    for tool in ("recall", "remember"):
        for how, label in labels.items():
            row = [tool, label]
            for name in ("wall p50", "server loop", "server process", "client"):
                old, new = p50(how, tool, name, "old"), p50(how, tool, name)
                row += [f"{old:.3f} -> {new:.3f}", f"{new / old:.2f}"]
            rows.append(row)
    title = (f"CPU per call, ms, old ({args.old}) -> new (median of {args.rounds} rounds of "
             f"{args.calls} calls, old and new interleaved call by call)")  # fmt: skip
    header = ["tool", "client", "wall p50", "new/old", "server loop", "new/old",
              "server process", "new/old", "client", "new/old"]  # fmt: skip
    table(title, header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a memory database (default: build 1,000)")
    parser.add_argument("--calls", type=int, default=100, help="recalls and remembers per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each client")
    parser.add_argument(
        "--model-dir", type=Path, default=os.environ.get("MEMORY_MCP_MODEL_DIR") or None
    )
    parser.add_argument(
        "--old", type=Path, help="a checkout of other code to compare with, call for call"
    )
    args = parser.parse_args()
    count_sdk_parts()
    with tempfile.TemporaryDirectory(prefix="memory-mcp-cpu-") as tmp:
        workdir = Path(tmp)
        db = workdir / "memories.db"
        if args.db is None:
            build_db(db, args.model_dir)
        else:  # a copy: the remembers would grow the caller's database
            db.write_bytes(args.db.read_bytes())
        report(run(args, db, workdir), args)


if __name__ == "__main__":
    main()
