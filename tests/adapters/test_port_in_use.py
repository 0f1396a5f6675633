"""`serve --http` and `ui` on a port another program holds: one line saying what to do, exit 1,
before anything loads (no database opened, no model loading, no uvicorn traceback)."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


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
