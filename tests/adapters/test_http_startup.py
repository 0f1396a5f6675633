"""`serve --http` and `ui` starting: on a port another program holds, one line saying what to
do, exit 1, before anything loads (no database opened, no model loading, no uvicorn
traceback); on a free one, a plain INFO sentence saying where it serves."""

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ports import announced


@pytest.fixture
def held_port() -> Iterator[int]:
    """A loopback port a real listening socket (another program, for the server) holds."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


@pytest.mark.parametrize(
    "command",
    [["serve", "--http"], ["serve", "--http", "--workers", "2"], ["ui", "--no-browser"]],
    ids=["serve-http", "serve-http-workers", "ui"],
)
def test_a_port_in_use_fails_at_once_with_one_line(
    tmp_path: Path, held_port: int, command: list[str]
) -> None:
    db = tmp_path / "memory.db"
    env = dict(os.environ, MEMORY_MCP_DB=str(db), MEMORY_MCP_TOKEN_FILE=str(tmp_path / "token"))
    result = subprocess.run(
        [sys.executable, "-m", "memory_mcp", *command, "--port", str(held_port)],
        env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1, result.stderr
    assert f"Port {held_port} on 127.0.0.1 is already in use" in lines[0]
    assert "--port" in lines[0] and "Errno" not in lines[0]
    assert not db.exists()  # nothing was opened, let alone the model loaded
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["serve", "--http"], "INFO memory-mcp {v} serving http://127.0.0.1:{port}/mcp: clients "
         "on this machine connect without a token (loopback)."),
        (["ui", "--no-browser"], "INFO memory-mcp web UI on http://127.0.0.1:{port}/ (Ctrl+C to "
         "stop)."),
    ],
    ids=["serve-http", "ui"],
)  # fmt: skip
def test_the_startup_line_is_one_plain_info_sentence(
    tmp_path: Path, command: list[str], expected: str
) -> None:
    """It was a WARNING reading `... (no token (loopback))`. With `--port 0` the system picks
    a free port as the server binds, and this line names it: that port answers."""
    from memory_mcp import __version__

    env = dict(os.environ, MEMORY_MCP_DB=str(tmp_path / "m.db"), MEMORY_MCP_SEMANTIC="false",
               MEMORY_MCP_TOKEN_FILE=str(tmp_path / "token"), COLUMNS="300")  # fmt: skip
    env.pop("MEMORY_MCP_TOKEN", None)
    log = tmp_path / "server.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", *command, "--port", "0"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    try:
        port = int(announced(log, proc, re.compile(r"http://127\.0\.0\.1:(\d+)/")).group(1))
        with socket.create_connection(("127.0.0.1", port), timeout=30):
            pass  # listening
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    lines = [" ".join(line.split()) for line in log.read_text().splitlines()]
    wanted = expected.format(v=__version__, port=port)
    assert port != 0 and any(line.endswith(wanted) for line in lines), lines
    assert not any("WARNING" in line for line in lines), lines
