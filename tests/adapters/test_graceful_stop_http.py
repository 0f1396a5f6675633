"""`serve --http` (one process, or workers) stops gracefully on SIGTERM/SIGINT: it accepts no
new connection, answers the requests under way, closes the database and exits 0; a client's
open event stream (the MCP GET stream, which never ends by itself) does not hold it up; a
second signal ends it at once. Before, uvicorn waited without limit for every connection, so
one client holding its GET stream (the SDK's client opens one) kept a stopped server running,
a second SIGTERM did nothing, and a clean stop exited 143.

A request is held under way without any timing: it is sent with `Expect: 100-continue`, and
its body only once the server has said `100 Continue` (the app is reading it) and has logged
that it is stopping."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.adapters.test_graceful_stop import WAIT_S, stored
from tests.ports import serving_port

pytestmark = pytest.mark.slow

ACCEPT = {"Accept": "application/json, text/event-stream"}


def start(
    tmp_path: Path, workers: int, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str, Path]:
    """`serve --http` on loopback without a token: the process, its /mcp URL, its log file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {"MEMORY_MCP_DB": str(tmp_path / "http.db"), "MEMORY_MCP_SEMANTIC": "false",
            "MEMORY_MCP_TOKEN_FILE": str(tmp_path / "token"), **(extra_env or {})}  # fmt: skip
    log = tmp_path / "server.log"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "serve", "--http", "--port", "0",
             "--workers", str(workers)],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    port = serving_port(log, proc)  # --port 0: the start-up line names the one bound
    if workers > 1:
        wait_for(log, "serving (pid", proc, count=workers)
    return proc, f"http://127.0.0.1:{port}/mcp", log


def wait_for(log: Path, text: str, proc: subprocess.Popen[bytes], count: int = 1) -> None:
    """Wait until the server has logged `text` (`count` times)."""
    deadline = time.monotonic() + WAIT_S
    while log.read_text(errors="replace").count(text) < count:
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


def open_session(url: str) -> dict[str, str]:
    """A 2025-11-25 session, initialized: the headers its requests carry."""
    hello = {"protocolVersion": "2025-11-25", "capabilities": {},
             "clientInfo": {"name": "stopper", "version": "1"}}  # fmt: skip
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello}
    opened = httpx2.post(url, headers=ACCEPT, timeout=WAIT_S, json=initialize)
    headers = ACCEPT | {"mcp-session-id": opened.headers["mcp-session-id"],
                        "mcp-protocol-version": "2025-11-25"}  # fmt: skip
    done = httpx2.post(url, headers=headers, timeout=WAIT_S,
                       json={"jsonrpc": "2.0", "method": "notifications/initialized"})  # fmt: skip
    assert done.status_code == 202
    return headers


class HeldRequest:
    """A POST whose body the client sends only when told (`finish`)."""

    def __init__(self, url: str, headers: dict[str, str], body: dict[str, Any]) -> None:
        self.body = json.dumps(body).encode()
        host_port = url.split("/")[2]
        host, port = host_port.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=WAIT_S)
        head = ["POST /mcp HTTP/1.1", f"Host: {host_port}", "Content-Type: application/json",
                f"Content-Length: {len(self.body)}", "Expect: 100-continue",
                *(f"{k}: {v}" for k, v in headers.items())]  # fmt: skip
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        self.received = b""
        while b"\r\n\r\n" not in self.received:
            self.received += self.sock.recv(65536)
        assert self.received.startswith(b"HTTP/1.1 100 "), self.received  # the app reads it
        self.received = self.received.split(b"\r\n\r\n", 1)[1]

    def finish(self) -> dict[str, Any]:
        """Send the body; the JSON-RPC reply, once the server has sent it all and closed."""
        self.sock.sendall(self.body)
        while chunk := self.sock.recv(65536):
            self.received += chunk
        self.sock.close()
        head, _, body = self.received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 "), self.received
        text = body.decode()
        if b"text/event-stream" in head:  # chunked event stream: the data line holds it
            text = next(line for line in text.splitlines() if line.startswith("data:"))[5:]
        else:  # one JSON body (chunked or not)
            text = text[text.index("{") : text.rindex("}") + 1]
        reply: dict[str, Any] = json.loads(text)
        return reply


def remember(content: str) -> dict[str, Any]:
    params = {"name": "remember", "arguments": {"content": content}}
    return {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_request_under_way_at_the_signal_is_answered_and_committed(
    tmp_path: Path, workers: int, stop: signal.Signals
) -> None:
    proc, url, log = start(tmp_path, workers)
    try:
        held = HeldRequest(url, open_session(url), remember("Widgets ship on Mondays"))
        proc.send_signal(stop)
        wait_for(log, f"Stopping ({stop.name})", proc, count=workers)  # each worker says it
        reply = held.finish()
        assert reply["result"]["structuredContent"]["scope"] == "global", reply
        assert proc.wait(timeout=WAIT_S) == 0, log.read_text()
    finally:
        proc.kill()
        proc.wait()
    assert stored(tmp_path / "http.db") == [("Widgets ship on Mondays", "global")]
    assert not Path(f"{tmp_path / 'http.db'}-wal").exists()  # closed cleanly


def test_an_open_event_stream_does_not_hold_the_stop_up(tmp_path: Path) -> None:
    """The stream a 2025-11-25 client opens with a GET for the server's own messages (the
    SDK's client opens one) is closed at the stop: it carries no reply to any call."""
    proc, url, log = start(tmp_path, 1)
    try:
        headers = open_session(url)
        with httpx2.stream("GET", url, headers=headers, timeout=WAIT_S) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=WAIT_S) == 0, log.read_text()
    finally:
        proc.kill()
        proc.wait()


def test_a_second_signal_stops_http_at_once(tmp_path: Path) -> None:
    proc, url, log = start(tmp_path, 1)
    try:
        held = HeldRequest(url, open_session(url), remember("Never sent"))
        proc.send_signal(signal.SIGTERM)
        wait_for(log, "Stopping (SIGTERM)", proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=WAIT_S) == 128 + signal.SIGTERM
        assert "Stopping at once" in log.read_text()
        held.sock.close()
    finally:
        proc.kill()
        proc.wait()


def test_a_reply_due_in_a_started_event_stream_is_not_cut(tmp_path: Path) -> None:
    """A 2025-11-25 session's call is answered in an event stream that begins before the tool
    runs. sse-starlette ended every event stream of a server shutting down, so the reply of
    a call under way was lost. The call is held by the database's write lock, taken here."""
    proc, url, log = start(tmp_path, 1, {"MEMORY_MCP_BUSY_TIMEOUT_MS": str(WAIT_S * 1000)})
    try:
        headers = open_session(url)
        assert httpx2.post(url, headers=headers, json=remember("First, to create the file"),
                           timeout=WAIT_S).status_code == 200  # fmt: skip
        lock = sqlite3.connect(tmp_path / "http.db", isolation_level=None)
        lock.execute("begin immediate")  # the server's next write waits for it
        call = remember("Held by the lock")
        with httpx2.stream("POST", url, headers=headers, json=call, timeout=WAIT_S) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            proc.send_signal(signal.SIGTERM)
            wait_for(log, "Stopping (SIGTERM)", proc)
            time.sleep(1.5)  # sse-starlette looked for a shutdown every 0.5 s
            lock.execute("commit")
            lock.close()
            data = [line for line in stream.iter_lines() if line.startswith("data:")]
        reply = json.loads(data[-1][5:]) if data else {}
        assert reply.get("id") == 7 and "result" in reply, (data, log.read_text())
        assert proc.wait(timeout=WAIT_S) == 0, log.read_text()
    finally:
        proc.kill()
        proc.wait()
    assert ("Held by the lock", "global") in stored(tmp_path / "http.db")
