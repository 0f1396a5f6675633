"""Cold start of the stdio server against `import mcp.server`, optionally A/B with another checkout.

    uv run python benchmarks/startup.py [--rounds 9] [--baseline /tmp/base]

Each round spawns, in turn: `python -c "import mcp.server"` (the SDK's floor), then
`python -m memory_mcp serve` of this checkout (and of `--baseline`, a copy of another commit,
e.g. `git archive main | tar -x -C /tmp/base`, run with the same interpreter and packages),
each on a new empty database. A server is timed from spawn to its tools/list reply, and to its
first recall reply; the process's CPU (user + system, from its exit) is for the whole run, up
to the recall. Rounds interleave the cases, so load from other processes hits all alike: read
the ratios against `import mcp.server` of the same run.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# os._exit: the import alone, without tearing the modules down (the server never does either)
FLOOR = "import os, mcp.server; os._exit(0)"
REPO = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
HELLO = {
    "protocolVersion": "2025-06-18",
    "capabilities": {},
    "clientInfo": {"name": "startup", "version": "0"},
}


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def floor_once() -> dict[str, float]:
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR], check=True)
    return {"tools/list": time.perf_counter() - start, "cpu": _cpu() - cpu}


# The SDK alone answering: a bare MCPServer with four no-op tools over stdio.
BARE = """
from mcp.server import MCPServer
server = MCPServer("bare")
for name in ("remember", "recall", "forget", "summarize"):
    server.tool(name=name)(lambda query: query)
server.run()
"""


def serve_once(
    checkout: Path | None, db: Path, model_dir: str | None, argv: tuple[str, ...] = ()
) -> dict[str, float]:
    """Spawn → initialize → tools/list → recall with bare JSON-RPC lines; seconds to each."""
    env = {**os.environ, "MEMORY_MCP_DB": str(db)}
    if model_dir:
        env["MEMORY_MCP_MODEL_DIR"] = model_dir
    if checkout is not None:  # (-m puts the working directory first on sys.path)
        env["PYTHONPATH"] = str(checkout)
    cpu, start = _cpu(), time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *(argv or ("-m", "memory_mcp", "serve"))],
        env=env,
        cwd=checkout or REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    times: dict[str, float] = {}

    def call(ident: int, method: str, params: dict[str, object]) -> dict[str, object]:
        message = {"jsonrpc": "2.0", "id": ident, "method": method, "params": params}
        proc.stdin.write((json.dumps(message) + "\n").encode())  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        while True:
            line = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
            if line.get("id") == ident:
                assert "error" not in line, line
                return dict(line["result"])

    call(1, "initialize", HELLO)
    proc.stdin.write(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}\n')
    proc.stdin.flush()
    tools = call(2, "tools/list", {})
    times["tools/list"] = time.perf_counter() - start
    times["cpu to tools/list"] = process_cpu(proc.pid)
    assert len(tools["tools"]) == 4  # type: ignore[arg-type]
    found = call(3, "tools/call", {"name": "recall", "arguments": {"query": "editor"}})
    times["first recall"] = time.perf_counter() - start
    assert not found.get("isError"), found  # (the bare server echoes the query)
    proc.stdin.close()
    proc.wait(timeout=60)
    times["cpu"] = _cpu() - cpu
    return times


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument(
        "--model-dir", default=os.environ.get("MEMORY_MCP_MODEL_DIR"), help="for the recall"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="memory-mcp-startup-") as tmp:
        fresh = iter(range(1_000_000))

        def db() -> Path:
            return Path(tmp) / f"m{next(fresh)}.db"

        cases: dict[str, Callable[[], dict[str, float]]] = {
            "import mcp.server (floor)": floor_once,
            "bare MCPServer, 4 no-op tools": lambda: serve_once(None, db(), None, ("-c", BARE)),
            "serve, this checkout": lambda: serve_once(None, db(), args.model_dir),
        }
        if args.baseline is not None:
            base = args.baseline.resolve()
            cases[f"serve, {base}"] = lambda: serve_once(base, db(), args.model_dir)
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
        for r in range(args.rounds):
            print(f"round {r + 1}/{args.rounds}", file=sys.stderr)
            for name, case in cases.items():
                samples[name].append(case())
    report(samples, args.rounds)


def report(samples: dict[str, list[dict[str, float]]], rounds: int) -> None:
    def p50(name: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[name] if key in s)

    floor = "import mcp.server (floor)"
    wall0, cpu0 = p50(floor, "tools/list"), p50(floor, "cpu")
    print(f"Cold start, medians of {rounds} interleaved rounds (s; x = ratio to the floor)")
    print(
        f"{'case':<40} {'wall to tools/list':>18} {'CPU to tools/list':>18}"
        f" {'wall to 1st recall':>18} {'CPU, whole run':>15}"
    )
    for name in samples:
        wall, cpu = p50(name, "tools/list"), p50(name, "cpu")
        early = p50(name, "cpu to tools/list") if name != floor else cpu
        first = f"{p50(name, 'first recall'):.3f}" if name != floor else "-"
        print(
            f"{name:<40} {wall:>9.3f} {wall / wall0:>6.2f}x {early:>10.2f} {early / cpu0:>6.2f}x"
            f" {first:>18} {cpu:>15.3f}"
        )


if __name__ == "__main__":
    main()
