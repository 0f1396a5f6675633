"""CPU per MCP tool call over stdio, on each side: the server's event loop and the client.

    uv run python benchmarks/mcp_cpu.py [--db FILE] [--calls 100] [--rounds 3] [--model-dir DIR]

Wall-clock figures (speed.py's "recall over MCP stdio" rows) move by milliseconds on a shared,
loaded machine; CPU time spent per call moves far less. Per round, one `memory-mcp serve` per
client: the official SDK client (`mcp.Client`) on the 2025-11-25 handshake ("legacy") and on
2026-07-28 ("auto"), and a bare JSON-RPC client (one line per message, nothing validated).
Each makes `--calls` recalls and as many remembers; the server reports its event-loop thread's
CPU time (everything MCP costs the server; the service call itself runs on a worker thread),
the client measures its own thread's, split into the SDK client's parts: parsing the line
(pydantic), checking the result against the protocol version's shape (pydantic), checking it
against the tool's output schema (jsonschema), and the rest (session, dispatcher, streams).
Without --db, a database of 1,000 synthetic memories is built first (embedding them takes a
minute or two). Figures go to stdout, progress to stderr.
"""

import argparse
import functools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
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
        marks.write(f"{time.thread_time()}\\n")
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

    def _read(self) -> list[float]:
        return [float(line) for line in self.path.read_text().split()]

    async def take(self) -> float:
        known = len(self._read())
        os.kill(int(Path(f"{self.path}.pid").read_text()), signal.SIGUSR1)
        while len(found := self._read()) <= known:
            await anyio.sleep(0.02)
        return found[-1]


async def measure(call: Any, marks: Marks, seed: int, calls: int) -> dict[str, dict[str, float]]:
    queries = [q for q, _ in make_queries(calls + 3, seed)]
    items = [
        {**item, "content": f"{item['content']} ({seed})"}
        for item in make_items(calls + 1, seed + 1)
    ]
    for query in queries[:3]:  # warm-up (the client compiles each output schema on first use)
        await call("recall", {"query": query})
    await call("remember", items[0])
    batches = {"recall": [{"query": q} for q in queries[3:]], "remember": items[1:]}
    figures = {}
    for tool, batch in batches.items():
        SPENT.clear()
        server_start, client_start = await marks.take(), time.thread_time()
        for arguments in batch:
            await call(tool, arguments)
        client = time.thread_time() - client_start
        server = await marks.take() - server_start
        per = {"server loop": server, "client": client}
        per |= {PARTS[part]: SPENT.get(part, 0.0) for part in PARTS}
        figures[tool] = {name: seconds / len(batch) * 1000 for name, seconds in per.items()}
    return figures


def server_env(db: Path, model_dir: Path | None, marks: Marks) -> dict[str, str]:
    env = {**os.environ, "MEMORY_MCP_DB": str(db), "MCP_CPU_MARKS": str(marks.path)}
    return env | ({"MEMORY_MCP_MODEL_DIR": str(model_dir)} if model_dir else {})


async def via_sdk(mode: str, db: Path, model_dir: Path | None, workdir: Path, seed: int,
                  calls: int) -> dict[str, dict[str, float]]:  # fmt: skip
    marks = Marks(workdir / f"marks-{mode}")
    log = workdir / f"server-{mode}.log"
    params = StdioServerParameters(
        command=sys.executable, args=["-c", SERVER], env=server_env(db, model_dir, marks)
    )
    with log.open("w") as errlog:
        async with Client(sdk_stdio.stdio_client(params, errlog=errlog), mode=mode) as client:
            await client.list_tools()
            while READY_LINE not in log.read_text():
                await anyio.sleep(0.2)

            async def call(name: str, arguments: dict[str, Any]) -> None:
                result = await client.call_tool(name, arguments)
                assert not result.is_error, result

            return await measure(call, marks, seed, calls)


async def via_bare(db: Path, model_dir: Path | None, workdir: Path, seed: int,
                   calls: int) -> dict[str, dict[str, float]]:  # fmt: skip
    marks = Marks(workdir / "marks-bare")
    log = workdir / "server-bare.log"
    with log.open("w") as errlog:
        proc = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errlog,
                                env=server_env(db, model_dir, marks))  # fmt: skip
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
            return await measure(call, marks, seed, calls)
        finally:
            stdin.close()
            proc.wait(60)


def build_db(path: Path, model_dir: Path | None) -> None:
    progress("building a database of 1,000 memories")
    embedder, _ = load_embedder(model_dir)
    service = open_service(path, embedder, model_dir)
    service.remember_many(make_items(1_000, 1234))
    service.close()


Samples = dict[tuple[str, str, str], list[float]]


def run(args: argparse.Namespace, db: Path, workdir: Path) -> Samples:
    """Every client once per round, in a rotating order; figures per (client, tool, measure)."""
    samples: Samples = {}
    clients = ["legacy", "auto", "bare"]
    for round_no in range(args.rounds):
        for how in clients[round_no % 3 :] + clients[: round_no % 3]:
            progress(f"round {round_no + 1}: {how}")
            seed = 1000 * round_no + clients.index(how)
            if how == "bare":
                figures = anyio.run(via_bare, db, args.model_dir, workdir, seed, args.calls)
            else:
                figures = anyio.run(via_sdk, how, db, args.model_dir, workdir, seed, args.calls)
            for tool, measures in figures.items():
                for name, value in measures.items():
                    samples.setdefault((how, tool, name), []).append(value)
    return samples


def report(samples: Samples, args: argparse.Namespace) -> None:
    def p50(how: str, tool: str, name: str) -> float:
        return statistics.median(samples[(how, tool, name)])

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a memory database (default: build 1,000)")
    parser.add_argument("--calls", type=int, default=100, help="recalls and remembers per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each client")
    parser.add_argument(
        "--model-dir", type=Path, default=os.environ.get("MEMORY_MCP_MODEL_DIR") or None
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
