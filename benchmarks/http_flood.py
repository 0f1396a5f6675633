"""HTTP floods: can an authorised client still get in, and what does the flood cost?

    uv run python benchmarks/http_flood.py [--half-open 2000] [--sessions 3000]
                                           [--nofile 256] [--read-timeout 10]

Starts `memory-mcp serve --http` on loopback (a temp database, keyword-only, a bearer
token; `--nofile` caps its descriptors, soft and hard, like a small `ulimit -n`) and floods it
twice while an authorised client works (while each flood arrives, and after):

1. `--half-open` connections that never finish a request (half send nothing, half stop
   inside their headers). Prints how long the client took, and the server's descriptors
   and the flood's unclosed sockets right after it and after the read timeout.
2. `--sessions` MCP sessions opened with `initialize` and left idle. Prints how many are
   still alive, refusals (503), the server's memory before and after, and how long a new
   2025-11-25 client (which needs a session) and a 2026-07-28 one took.

Figures only; tests/adapters/test_http.py checks the same behaviour with small limits.
"""

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

TOKEN = "flood-benchmark-" + "t" * 24
ACCEPT = "application/json, text/event-stream"
PARTIAL = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workdir: Path, nofile: int | None, read_timeout: float) -> tuple[Any, int]:
    port = free_port()
    env = dict(
        os.environ,
        MEMORY_MCP_DB=str(workdir / "flood.db"),
        MEMORY_MCP_SEMANTIC="false",
        MEMORY_MCP_TOKEN=TOKEN,
        MEMORY_MCP_HTTP_READ_TIMEOUT=str(read_timeout),
    )

    def limit() -> None:
        if nofile:
            import resource

            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    log = (workdir / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "memory_mcp", "serve", "--http", "--port", str(port)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
        preexec_fn=limit,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start; see " + str(workdir / "server.log"))


def proc_figure(pid: int, what: str) -> str:
    """Open descriptors ("fds") or resident memory ("rss") of a process, Linux only."""
    try:
        if what == "fds":
            return str(len(os.listdir(f"/proc/{pid}/fd")))
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return f"{int(line.split()[1]) / 1024:.0f} MB"
    except OSError:
        pass
    return "n/a"


async def client_session(url: str, mode: str, timeout: float = 60) -> float:
    """One authorised client: list tools, remember, recall. Returns seconds taken."""
    began = time.monotonic()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with anyio.fail_after(timeout):
        async with (
            httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
            Client(streamable_http_client(url, http_client=http), mode=mode) as client,
        ):
            await client.list_tools()
            stored = await client.call_tool("remember", {"content": f"Flood survivor {began}"})
            assert not stored.is_error, stored
            found = await client.call_tool("recall", {"query": "flood survivor"})
            assert not found.is_error, found
    return time.monotonic() - began


def timed_client(url: str, mode: str) -> str:
    try:
        return f"{anyio.run(client_session, url, mode):.2f} s"
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
        return f"FAILED ({type(exc).__name__}: {exc})"


def still_open(socks: list[socket.socket]) -> int:
    count = 0
    for s in socks:
        s.setblocking(False)
        try:
            count += s.recv(1) != b""  # data would be a response; none is sent
        except BlockingIOError:
            count += 1  # nothing to read: the server has not closed it
        except OSError:
            pass
    return count


def half_open_flood(port: int, url: str, pid: int, count: int, read_timeout: float) -> None:
    print(f"\n== {count} half-open connections")

    def one(i: int) -> socket.socket | None:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            if i % 2:
                s.sendall(PARTIAL)
            return s
        except OSError:
            return None

    began = time.monotonic()
    with ThreadPoolExecutor(64) as pool:
        pending = pool.map(one, range(count))
        time.sleep(1)
        print(f"authorised client (2025-11-25) while the flood arrives: "
              f"{timed_client(url, 'legacy')}")  # fmt: skip
        made = list(pending)
    flood = [s for s in made if s is not None]
    print(f"flood made: {len(flood)} connected, {count - len(flood)} failed, "
          f"{time.monotonic() - began:.1f} s")  # fmt: skip
    print(f"server descriptors: {proc_figure(pid, 'fds')}")
    print(f"authorised client (2025-11-25) with the flood held: {timed_client(url, 'legacy')}")
    print(f"flood sockets not closed: {still_open(flood)} of {len(flood)}")
    time.sleep(read_timeout + 1)
    print(f"after the read timeout ({read_timeout:g} s) + 1 s: server descriptors "
          f"{proc_figure(pid, 'fds')}; flood sockets not closed {still_open(flood)} (a socket "
          "the kernel dropped from a full accept queue never reached the server)")  # fmt: skip
    for s in flood:
        s.close()


def session_flood(url: str, pid: int, count: int) -> None:
    print(f"\n== {count} idle sessions")
    rss_before = proc_figure(pid, "rss")
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": ACCEPT}
    params = {"protocolVersion": "2025-11-25", "capabilities": {},
              "clientInfo": {"name": "flood", "version": "1"}}  # fmt: skip
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}
    statuses: Counter[int | str] = Counter()
    ids: list[str] = []
    with httpx2.Client(headers=headers, timeout=30) as http:

        def one(_: int) -> None:
            try:
                reply = http.post(url, json=body)
            except httpx2.HTTPError as exc:
                statuses[type(exc).__name__] += 1
                return
            statuses[reply.status_code] += 1
            if "mcp-session-id" in reply.headers:
                ids.append(reply.headers["mcp-session-id"])

        began = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, range(count)))
        took = time.monotonic() - began
        print(f"opened in {took:.1f} s ({count / took:.0f}/s); statuses {dict(statuses)}")
        ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
        version = {"Mcp-Protocol-Version": "2025-11-25"}
        alive = 0
        for sid in ids:
            with contextlib.suppress(httpx2.HTTPError):
                reply = http.post(url, json=ping, headers={"Mcp-Session-Id": sid, **version})
                alive += reply.status_code == 200
    print(f"sessions still alive: {alive} of {len(ids)}")
    print(f"server memory: {rss_before} before, {proc_figure(pid, 'rss')} after")
    print(f"new client, 2025-11-25 (needs a session): {timed_client(url, 'legacy')}")
    print(f"new client, 2026-07-28 (sessionless): {timed_client(url, 'auto')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half-open", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=3000)
    parser.add_argument("--nofile", type=int, default=256, help="server descriptor limit")
    parser.add_argument("--read-timeout", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="memory-mcp-flood-") as tmp:
        proc, port = start_server(Path(tmp), args.nofile, args.read_timeout)
        url = f"http://127.0.0.1:{port}/mcp"
        try:
            fds, rss = proc_figure(proc.pid, "fds"), proc_figure(proc.pid, "rss")
            limit = args.nofile or "inherited"
            print(f"server: descriptor limit {limit}, {fds} descriptors open, {rss}")
            print(f"authorised client, no flood: {timed_client(url, 'legacy')}")
            if args.half_open:
                half_open_flood(port, url, proc.pid, args.half_open, args.read_timeout)
            if args.sessions and proc.poll() is None:
                session_flood(url, proc.pid, args.sessions)
            print(f"\nserver still running: {proc.poll() is None}")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
