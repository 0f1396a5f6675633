"""A stop signal (SIGTERM, SIGINT) to `memory-mcp serve` stops it gracefully: it reads no new
request, answers those under way (at most 10 s), closes the database and exits 0; a second
signal ends it at once. Before, the stdio server exited at the signal: a `remember` under way
could be committed with its reply lost, or not committed and never answered.

A call is held under way without any timing: the client offers MCP roots and answers the
server's roots/list only when the test says so (the first call waits for that answer)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.adapters.test_http import make_repo

pytestmark = pytest.mark.slow

PROJECT = "gitlab.com/acme/gizmo"
WAIT_S = 60  # for what must happen (a log line, an exit): a bound, not a measure


class Stdio:
    """`memory-mcp serve` with raw JSON-RPC on its stdin and stdout; stderr collected."""

    def __init__(self, tmp_path: Path, busy_timeout_s: int = 5) -> None:
        self.db = tmp_path / "m.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
        env |= {"MEMORY_MCP_DB": str(self.db), "MEMORY_MCP_SEMANTIC": "false",
                "MEMORY_MCP_BUSY_TIMEOUT_MS": str(busy_timeout_s * 1000)}  # fmt: skip
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        self.log: list[str] = []
        self._logged = threading.Condition()
        threading.Thread(target=self._collect, daemon=True).start()
        self.repo = make_repo(tmp_path)

    def _collect(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._logged:
                self.log.append(line.decode(errors="replace"))
                self._logged.notify_all()

    def logged(self, text: str) -> None:
        """Wait until the server has logged `text`."""
        with self._logged:
            found = self._logged.wait_for(lambda: any(text in x for x in self.log), WAIT_S)
        assert found, "".join(self.log)

    def send(self, **message: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n")
        self.proc.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "".join(self.log)
        message: dict[str, Any] = json.loads(line)  # stdout carries nothing but the protocol
        return message

    def start(self, roots: bool = True) -> None:
        hello = {"protocolVersion": "2025-06-18", "capabilities": {"roots": {}} if roots else {},
                 "clientInfo": {"name": "stopper", "version": "1"}}  # fmt: skip
        self.send(id=0, method="initialize", params=hello)
        assert self.receive()["id"] == 0
        self.send(method="notifications/initialized")

    def remember(self, request_id: int, content: str) -> None:
        params = {"name": "remember", "arguments": {"content": content}}
        self.send(id=request_id, method="tools/call", params=params)

    def answer_roots(self, request_id: object) -> None:
        roots = {"roots": [{"uri": self.repo.as_uri(), "name": "gizmo"}]}
        self.send(id=request_id, result=roots)

    def exit_code(self) -> int:
        return self.proc.wait(timeout=WAIT_S)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.__exit__(None, None, None)


def stored(db: Path) -> list[tuple[str, str]]:
    """(content, scope) of every memory in `db`, read after the server has exited."""
    service = MemoryService.open(Settings(db=db, semantic=False))
    try:
        return [(m.content, m.scope) for m in service.list_memories(limit=50)]
    finally:
        service.close()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_call_under_way_at_the_signal_is_answered_and_committed(
    tmp_path: Path, stop: signal.Signals
) -> None:
    server = Stdio(tmp_path)
    try:
        server.start()
        server.remember(1, "Gizmo releases are cut on Tuesdays")
        asked = server.receive()
        assert asked["method"] == "roots/list"  # the call is under way, waiting for the client
        server.proc.send_signal(stop)
        server.logged(f"Stopping ({stop.name})")
        # A new request is refused at once, saying why; the client's answer still goes in.
        server.remember(2, "Sent after the signal")
        refused = server.receive()
        assert refused["id"] == 2 and "server is stopping" in refused["error"]["message"]
        server.answer_roots(asked["id"])
        reply = server.receive()
        assert reply["id"] == 1, reply
        assert reply["result"]["structuredContent"]["scope"] == PROJECT
        assert server.exit_code() == 0, "".join(server.log)
    finally:
        server.close()
    assert stored(server.db) == [("Gizmo releases are cut on Tuesdays", PROJECT)]
    assert not Path(f"{server.db}-wal").exists()  # closed cleanly: its log folded in


def test_a_second_signal_stops_at_once(tmp_path: Path) -> None:
    server = Stdio(tmp_path)
    try:
        server.start()
        server.remember(1, "Never answered: the client never gives its roots")
        assert server.receive()["method"] == "roots/list"
        server.proc.send_signal(signal.SIGTERM)
        server.logged("Stopping (SIGTERM)")
        server.proc.send_signal(signal.SIGTERM)
        assert server.exit_code() == 128 + signal.SIGTERM
        assert server.proc.stdout is not None and server.proc.stdout.read() == b""  # no reply
        assert any("Stopping at once" in line for line in server.log), server.log
    finally:
        server.close()


def test_an_idle_server_exits_0_at_once(tmp_path: Path) -> None:
    server = Stdio(tmp_path)
    try:
        server.start(roots=False)
        server.remember(1, "Answered before the signal")
        assert server.receive()["id"] == 1
        server.proc.send_signal(signal.SIGTERM)
        assert server.exit_code() == 0, "".join(server.log)
        # Nothing under way, and so nothing waited for: a server that sat out the 10 s it
        # gives a call would have ended with 143, saying what it stopped without.
        said = " ".join("".join(server.log).split())
        assert "answering the 0 request(s) under way first" in said, said
        assert "still unanswered" not in said, said
    finally:
        server.close()
    assert stored(server.db) == [("Answered before the signal", "global")]
    assert not Path(f"{server.db}-wal").exists()


def test_a_call_still_running_after_the_grace_is_given_up_and_said(tmp_path: Path) -> None:
    """The wait is bounded: a call held by the database's write lock (taken here) is given
    10 s, then the server ends without it (143), says so, and its write is not committed."""
    server = Stdio(tmp_path, busy_timeout_s=WAIT_S * 2)
    lock = None
    try:
        server.start(roots=False)
        server.remember(1, "Stored before the lock")
        assert server.receive()["id"] == 1
        lock = sqlite3.connect(server.db, isolation_level=None)
        lock.execute("begin immediate")
        server.remember(2, "Held by the lock")
        server.send(id=3, method="ping")  # read in order: once it is answered, 2 was read
        assert server.receive()["id"] == 3
        server.proc.send_signal(signal.SIGTERM)
        assert server.exit_code() == 128 + signal.SIGTERM, "".join(server.log)
        assert any("1 request(s) still unanswered 10 s after SIGTERM" in x for x in server.log)
        assert server.proc.stdout is not None and server.proc.stdout.read() == b""
    finally:
        if lock is not None:
            lock.execute("rollback")
            lock.close()
        server.close()
    assert stored(server.db) == [("Stored before the lock", "global")]
