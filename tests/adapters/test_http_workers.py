"""`serve --http --workers 2`: real server processes on one port. Connections are pinned to a
chosen worker (Linux: the accepted socket is found in /proc), so a session, a login or a rate
limit used on one worker and then on the other is tested for certain, not by chance."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests import pg
from tests.ports import log_file, serving_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="finds sockets in /proc"),
]

ACCEPT = "application/json, text/event-stream"
HELLO = {"protocolVersion": "2025-11-25", "capabilities": {},
         "clientInfo": {"name": "pinned-client", "version": "7"}}  # fmt: skip


class Server:
    def __init__(self, tmp_path: Path, db: str, env: dict[str, str], workers: int = 2) -> None:
        self.log = log_file(tmp_path)
        self.token_file = tmp_path / "token"
        full = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
        full |= {"MEMORY_MCP_DB": db, "MEMORY_MCP_SEMANTIC": "false",
                 "MEMORY_MCP_TOKEN_FILE": str(self.token_file), **env}  # fmt: skip
        with self.log.open("w") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "memory_mcp", "serve", "--http", "--port", "0",
                 "--workers", str(workers)],
                env=full, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip
        self.port = serving_port(self.log, self.proc)  # the one the system picked
        self.wait_serving(workers)

    def wait_serving(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(self.log.read_text())
            pids = self.children()
            if len(pids) == count and all(f"serving (pid {p})" in self.text() for p in pids):
                return
            time.sleep(0.1)
        raise AssertionError(f"workers did not start:\n{self.log.read_text()}")

    def text(self) -> str:
        """The log, its lines as rich wrapped them joined again."""
        return " ".join(self.log.read_text().split())

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def connection(self, worker: int) -> http.client.HTTPConnection:
        """A keep-alive connection that worker pid `worker` accepted."""
        for _ in range(200):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.connect()
            owner = accepted_by(self.port, conn.sock.getsockname()[1], self.children())
            if owner == worker:
                return conn
            conn.close()
        raise AssertionError(f"no connection reached worker {worker}")

    def pinned(self) -> list[http.client.HTTPConnection]:
        return [self.connection(pid) for pid in self.children()]

    def stop(self, signum: int = signal.SIGINT) -> int:
        workers = self.children()
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout=30)
        assert not [pid for pid in workers if alive(pid)], "a worker outlived the server"
        return code


def accepted_by(port: int, client_port: int, pids: list[int], wait: float = 2.0) -> int | None:
    """Which of `pids` holds the server side of the connection from `client_port`."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        inode = _server_inode(port, client_port)
        if inode is not None:
            target = f"socket:[{inode}]"
            for pid in pids:
                try:
                    fds = os.listdir(f"/proc/{pid}/fd")
                except OSError:
                    continue
                for fd in fds:
                    try:
                        if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                            return pid
                    except OSError:
                        continue
        time.sleep(0.02)
    return None


def _server_inode(port: int, client_port: int) -> str | None:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            ports = (int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16))
            if ports == (port, client_port) and inode != "0":
                return inode
    return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def post(
    conn: http.client.HTTPConnection,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
    path: str = "/mcp",
) -> tuple[int, dict[str, str], Any]:
    """A JSON-RPC POST; the reply's JSON (from an SSE stream too), or None."""
    sent = {"Content-Type": "application/json", "Accept": ACCEPT, **(headers or {})}
    conn.request("POST", path, json.dumps(body), sent)
    reply = conn.getresponse()
    text = reply.read().decode()
    found = None
    for line in text.splitlines():
        if line.startswith("data: "):
            found = json.loads(line[6:])
    if found is None and text.startswith("{"):
        found = json.loads(text)
    return reply.status, {k.lower(): v for k, v in reply.getheaders()}, found


def call(conn: http.client.HTTPConnection, session: dict[str, str], tool: str, **args: Any) -> Any:
    body = {"jsonrpc": "2.0", "id": 9, "method": "tools/call",
            "params": {"name": tool, "arguments": args}}  # fmt: skip
    status, _, reply = post(conn, body, session)
    assert status == 200, reply
    assert not reply["result"].get("isError"), reply
    return reply["result"]["structuredContent"]


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


def database(kind: str, tmp_path: Path) -> tuple[str, dict[str, str]]:
    if kind == "sqlite":
        return str(tmp_path / "w.db"), {}
    return pg.url(), {"MEMORY_MCP_PG_SCHEMA": pg.fresh_schema()}


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pg.needs_postgres)])
def test_a_session_and_a_write_on_one_worker_serve_on_the_other(
    tmp_path: Path, servers: list[Server], kind: str
) -> None:
    db, env = database(kind, tmp_path)
    server = Server(tmp_path, db, env)
    servers.append(server)
    a, b = server.pinned()
    status, headers, _ = post(a, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                  "params": HELLO})  # fmt: skip
    assert status == 200 and "mcp-session-id" in headers
    session = {"Mcp-Session-Id": headers["mcp-session-id"],
               "Mcp-Protocol-Version": "2025-11-25"}  # fmt: skip
    assert post(b, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)[0] == 202
    stored = call(b, session, "remember", content="The deploy key lives in vault seven")
    body = {"jsonrpc": "2.0", "id": 4, "method": "tools/list"}
    status, headers, listed = post(a, body, session)  # one JSON body: no stream to set up
    assert (status, headers["content-type"]) == (200, "application/json") and listed["result"]
    found = call(a, session, "recall", query="deploy key vault")
    assert stored["id"] in [hit["id"] for hit in found["hits"]]  # written on b, read on a
    # Both at once, the same fact: one memory, decided inside each write's transaction.
    same = "The on-call rota is kept in the ops wiki"
    with ThreadPoolExecutor(2) as pool:
        ids = set(pool.map(lambda c: call(c, session, "remember", content=same)["id"], [a, b]))
    assert len(ids) == 1
    hook = {"session_id": "s", "cwd": str(tmp_path), "hook_event_name": "UserPromptSubmit",
            "prompt": "where does the deploy key live?"}  # fmt: skip
    assert post(b, hook, path="/hooks/prompt")[0] == 200
    assert post(a, hook, {"Host": "evil.example:80"}, path="/hooks/prompt")[0] == 421
    assert post(a, {"jsonrpc": "2.0", "id": 2, "method": "ping"}, {"Host": "evil.example"})[0] in (
        400,
        403,
        421,
    )  # DNS-rebinding protection on every worker
    forged = dict(session, **{"Mcp-Session-Id": session["Mcp-Session-Id"][:-2] + "00"})
    assert post(a, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, forged)[0] == 404
    a.request("GET", "/mcp", headers={"Accept": "text/event-stream", **session})
    assert a.getresponse().status == 405  # no stream for server messages: it sends none
    a.close()
    b.close()
    settings = Settings(db=db, semantic=False, **({"pg_schema": env["MEMORY_MCP_PG_SCHEMA"]}
                                                   if env else {}))  # fmt: skip
    service = MemoryService.open(settings)
    try:  # the client's name, declared to worker a, labels the write worker b made
        assert service.get(stored["id"]).client == "pinned-client 7"
    finally:
        service.close()
    assert server.stop(signal.SIGINT) == 0  # every worker stopped gracefully


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_the_sdk_client_works_across_workers(
    tmp_path: Path, servers: list[Server], mode: str
) -> None:
    """The SDK client on 2025-11-25 (a session) and 2026-07-28 (none), a new connection for
    every request, so that they spread over both workers."""
    server = Server(tmp_path, str(tmp_path / "w.db"), {})
    servers.append(server)
    url = f"http://127.0.0.1:{server.port}/mcp"

    async def run() -> None:
        limits = httpx2.Limits(max_keepalive_connections=0)
        async with (
            httpx2.AsyncClient(limits=limits, timeout=30) as http,
            Client(streamable_http_client(url, http_client=http), mode=mode) as client,
        ):
            assert len((await client.list_tools()).tools) == 4
            for i in range(8):
                stored = await client.call_tool("remember", {"content": f"Gadget {i} is blue"})
                assert not stored.is_error and stored.structured_content is not None
                found = await client.call_tool("recall", {"query": f"Gadget {i}"})
                assert found.structured_content is not None
                hits = [h["id"] for h in found.structured_content["hits"]]
                assert stored.structured_content["id"] in hits

    anyio.run(run)
    assert server.stop(signal.SIGTERM) == 0


def test_a_log_file_gets_whole_timed_lines_from_every_worker(
    tmp_path: Path, servers: list[Server]
) -> None:
    """The supervisor and each worker logged through rich even into a file (systemd, docker,
    a redirect): each record wrapped at 80 columns, rich's dates, and uvicorn's own lines
    beside them. One server process writes plain lines there; the workers now do too."""
    server = Server(tmp_path, str(tmp_path / "w.db"), {})
    servers.append(server)
    for _ in server.children():  # an invalid request: uvicorn's own line, from a worker
        with socket.create_connection(("127.0.0.1", server.port)) as s:
            s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            s.recv(1000)
    deadline = time.monotonic() + 120
    while "Invalid HTTP request received." not in server.log.read_text():
        assert time.monotonic() < deadline, server.log.read_text()
        time.sleep(0.1)
    assert server.stop(signal.SIGTERM) == 0
    lines = server.log.read_text().splitlines()
    timed = re.compile(r"^\d\d:\d\d:\d\d (INFO|WARNING) ")
    assert all(timed.match(line) for line in lines), lines
    assert any(line.endswith("(loopback).") and "2 worker processes" in line for line in lines)
    assert any(re.search(r" worker [01]: Invalid HTTP request received\.$", ln) for ln in lines)


def test_logins_rate_limits_and_revocations_hold_across_workers(
    tmp_path: Path, servers: list[Server]
) -> None:
    db = tmp_path / "team.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    _, alice = service.team.add("alice", [])
    _, bob = service.team.add("bob", [])
    service.close()
    server = Server(tmp_path, str(db), {"MEMORY_MCP_HTTP_RATE_LIMIT": "30"})  # bursts of 5
    servers.append(server)
    assert server.text().count("Generated a bearer token") == 1  # once, by the parent
    owner = server.token_file.read_text().strip()
    a, b = server.pinned()
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    as_alice = {"Authorization": f"Bearer {alice}"}
    statuses = [post((a, b)[i % 2], ping, as_alice)[0] for i in range(6)]
    assert 429 not in statuses[:5] and statuses[5] == 429  # one limit, not one per worker
    assert post(a, ping, {"Authorization": f"Bearer {owner}"})[0] != 429  # the owner: none

    a.request("GET", "/ui/login", headers={"Host": f"127.0.0.1:{server.port}"})
    page = a.getresponse().read().decode()
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    host = {"Host": f"127.0.0.1:{server.port}", "Origin": f"http://127.0.0.1:{server.port}",
            "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    b.request("POST", "/ui/login", f"csrf={csrf}&token={bob}", host)  # the form from a, to b
    logged_in = b.getresponse()
    logged_in.read()
    assert logged_in.status == 303, logged_in.status
    cookie = logged_in.getheader("set-cookie", "").split(";", 1)[0]
    home = logged_in.getheader("location", "")  # the login's marked address, /ui/s/MARK/
    assert home.startswith("/ui/s/"), home
    for conn in (a, b):
        conn.request("GET", home, headers={"Host": host["Host"], "Cookie": cookie})
        shown = conn.getresponse()
        shown.read()
        assert shown.status == 200  # the login made on b holds on a
    service = MemoryService.open(Settings(db=db, semantic=False))
    service.team.revoke("bob")
    service.close()
    for conn in (a, b):  # and its revocation ends it on both, at once
        conn.request("GET", home, headers={"Host": host["Host"], "Cookie": cookie})
        ended = conn.getresponse()
        ended.read()
        assert ended.status == 303 and ended.getheader("location", "").endswith("/ui/login")
    a.close()
    b.close()


def test_a_crashed_worker_is_replaced_and_none_outlives_the_server(
    tmp_path: Path, servers: list[Server]
) -> None:
    server = Server(tmp_path, str(tmp_path / "w.db"), {})
    servers.append(server)
    first, second = server.children()
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (first in server.children()
                                            or len(server.children()) < 2):  # fmt: skip
        time.sleep(0.1)
    assert first not in server.children() and second in server.children()
    server.wait_serving(2)
    assert "Worker 0 ended (exit code -9): starting it again" in server.text()
    (new,) = set(server.children()) - {second}
    conn = server.connection(new)  # the new one serves
    assert post(conn, {"jsonrpc": "2.0", "id": 1, "method": "ping"})[0] == 200
    conn.close()
    workers = server.children()
    server.proc.kill()  # the parent dies without a word: its workers see their pipe close
    server.proc.wait()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
