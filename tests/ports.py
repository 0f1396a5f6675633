"""Servers a test starts take port 0 (`serve --http --port 0`, `ui --port 0`, or a socket
bound here for uvicorn in this process): the system picks a free port as it binds, and the
server names it in its start-up line. A port probed free and then handed to a server could
be taken by another process between the two."""

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVING = re.compile(r"serving http://(?:\[[^\]]+\]|[^/:\s]+):(\d+)/mcp")  # serve --http's line
UI_LOGIN = re.compile(r"Open (http://127\.0\.0\.1:(\d+))/login\?token=\S+")  # memory-mcp ui's
START_S = 120  # a wait for the start-up line (ends when it is written)


def announced(
    log: Path, proc: "subprocess.Popen[bytes] | subprocess.Popen[str]", pattern: re.Pattern[str]
) -> re.Match[str]:
    """`pattern` in the server's stderr (written to `log`) once the server has written it;
    the server ending first fails with its log."""
    deadline = time.monotonic() + START_S
    while True:
        text = " ".join(log.read_text(errors="replace").split())  # rich wraps long lines
        if found := pattern.search(text):
            return found
        assert proc.poll() is None, text
        assert time.monotonic() < deadline, f"the server did not start: {text}"
        time.sleep(0.05)


def serving_port(log: Path, proc: "subprocess.Popen[bytes] | subprocess.Popen[str]") -> int:
    """The port `serve --http --port 0` bound, from its start-up line."""
    return int(announced(log, proc, SERVING).group(1))


def log_file(folder: Path, stem: str = "server") -> Path:
    """A new file in `folder` for one more server's stderr (`server-0.log`, `server-1.log`)."""
    return folder / f"{stem}-{len(list(folder.glob(f'{stem}-*.log')))}.log"


@contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port held bound but not listening while the block runs: a connection to
    it is refused, and no other process can start listening there meanwhile."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])


INVALID_REQUEST = "Invalid HTTP request received."  # what uvicorn logs for a non-HTTP request


def log_an_invalid_request(port: int, log: Path) -> str:
    """Send bytes that are no HTTP request, wait for the warning it makes the server log
    (its lines are in order: whatever an earlier request logged is there by then), and
    return the log's text."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        s.recv(1000)
    deadline = time.monotonic() + START_S
    while INVALID_REQUEST not in (text := log.read_text()):
        assert time.monotonic() < deadline, text
        time.sleep(0.1)
    return text
