"""remote.py's own HTTP exchange against raw sockets: what a real server may do on the wire
(a reply split over writes, a connection left open after the reply, a refusal)."""

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from memory_mcp.adapters.cli import remote

Answer = Callable[[socket.socket], None]


@pytest.fixture
def serve_once() -> Iterator[Callable[[Answer], str]]:
    """A one-connection server on loopback running `answer` on the accepted socket after
    reading the request; yields a function starting it and returning its URL."""
    done = threading.Event()
    threads: list[threading.Thread] = []

    def start(answer: Answer) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]

        def run() -> None:
            with listener, listener.accept()[0] as conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(65536)
                answer(conn)
                done.wait(30)  # the connection stays open until the test ends

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{port}"

    yield start
    done.set()
    for thread in threads:
        thread.join(5)


def _ok(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def test_a_reply_with_its_length_is_read_without_waiting_for_the_close(
    serve_once: Callable[[Answer], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server (or proxy) that keeps the connection open despite `Connection: close`: the
    # reply is complete once Content-Length bytes arrived; waiting for the close instead
    # timed out and answered locally (a capture then ran twice).
    monkeypatch.setitem(remote.TIMEOUTS, "prompt", 10.0)  # under the 30 s it stays open
    url = serve_once(lambda conn: conn.sendall(_ok(b'{"a": 1}')))
    assert remote.post("prompt", url, "{}") == b'{"a": 1}'


def test_a_reply_split_over_writes_is_read_whole(
    serve_once: Callable[[Answer], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(remote.TIMEOUTS, "prompt", 10.0)  # under the 30 s it stays open
    reply = _ok(b'{"hookSpecificOutput": {"additionalContext": "x"}}')

    def answer(conn: socket.socket) -> None:
        for part in (reply[:10], reply[10:40], reply[40:]):
            conn.sendall(part)
            time.sleep(0.05)

    url = serve_once(answer)
    assert remote.post("prompt", url, "{}") == reply.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize("status", [b"401 Unauthorized", b"500 Internal Server Error"])
def test_a_refusal_is_answered_locally(
    serve_once: Callable[[Answer], str], monkeypatch: pytest.MonkeyPatch, status: bytes
) -> None:
    monkeypatch.setitem(remote.TIMEOUTS, "prompt", 10.0)  # under the 30 s it stays open
    url = serve_once(lambda conn: conn.sendall(b"HTTP/1.1 " + status + b"\r\n"
                                               b"Content-Length: 2\r\n\r\n{}"))  # fmt: skip
    assert remote.post("prompt", url, "{}") is None


def test_a_server_trickling_bytes_does_not_hold_the_hook_past_its_timeout(
    serve_once: Callable[[Answer], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each byte arrives well within the timeout, the reply never ends: the timeout is for
    # the whole exchange, so the local path still has its turn before the client gives up.
    monkeypatch.setitem(remote.TIMEOUTS, "prompt", 1.0)
    stop, trickled_all = threading.Event(), threading.Event()

    def answer(conn: socket.socket) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 600:  # ~60 s of bytes
            if stop.wait(0.1):
                return
            conn.sendall(bytes([byte]))
        trickled_all.set()

    url = serve_once(answer)
    try:
        assert remote.post("prompt", url, "{}") is None
        # Given up while the bytes still came: a timeout per read would have waited for the
        # last (ordered against the server, not timed: a loaded machine is slow throughout).
        assert not trickled_all.is_set()
    finally:
        stop.set()
