"""`memory-mcp serve --http`: real HTTP on loopback, bearer tokens, DNS-rebinding protection."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app

pytestmark = pytest.mark.slow

TOKEN = "test-token-" + "x" * 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(
    tmp_path: Path, *args: str, token: str | None = None
) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = dict(os.environ, MEMORY_MCP_DB=str(tmp_path / "http.db"), MEMORY_MCP_SEMANTIC="false",
               MEMORY_MCP_TOKEN_FILE=str(tmp_path / "token"))  # fmt: skip
    env.pop("MEMORY_MCP_TOKEN", None)
    if token:
        env["MEMORY_MCP_TOKEN"] = token
    log = tmp_path / f"server-{port}.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "serve", "--http", "--port", str(port), *args],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            text=True,
        )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(log.read_text())
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


@pytest.fixture
def servers() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


async def session(url: str, token: str | None) -> list[str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        tools = sorted(t.name for t in (await client.list_tools()).tools)
        stored = await client.call_tool("remember", {"content": "Shared over HTTP"})
        assert not stored.is_error
        found = await client.call_tool("recall", {"query": "HTTP"})
        assert found.structured_content and found.structured_content["hits"]
        return tools


def test_loopback_without_token(tmp_path: Path, servers: list[subprocess.Popen[str]]) -> None:
    proc, port = start(tmp_path)
    servers.append(proc)
    tools = anyio.run(session, f"http://127.0.0.1:{port}/mcp", None)
    assert tools == ["forget", "recall", "remember", "summarize"]


def test_token_is_required_when_configured(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    proc, port = start(tmp_path, token=TOKEN)
    servers.append(proc)
    url = f"http://127.0.0.1:{port}/mcp"
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert httpx2.post(url, json=ping).status_code == 401
    wrong = httpx2.post(url, json=ping, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
    assert anyio.run(session, url, TOKEN)


def test_dns_rebinding_is_refused(tmp_path: Path, servers: list[subprocess.Popen[str]]) -> None:
    proc, port = start(tmp_path)
    servers.append(proc)
    evil = httpx2.post(
        f"http://127.0.0.1:{port}/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        headers={"Host": "evil.example:80", "Accept": "application/json, text/event-stream"},
    )
    assert evil.status_code in (400, 403, 421)


def test_every_interface_generates_a_private_token(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    proc, port = start(tmp_path, "--host", "0.0.0.0", "--allow-host", "localhost")
    servers.append(proc)
    token_file = tmp_path / "token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    token = token_file.read_text().strip()
    url = f"http://localhost:{port}/mcp"
    assert httpx2.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"}).status_code == 401
    assert anyio.run(session, url, token)


def test_every_interface_needs_named_hosts(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "serve", "--http", "--host", "0.0.0.0"],
        env=dict(os.environ, MEMORY_MCP_DB=str(tmp_path / "x.db")),
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 1 and "--allow-host" in result.stderr


def test_token_command_creates_and_rotates(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"MEMORY_MCP_TOKEN_FILE": str(tmp_path / "t" / "token")}
    first = runner.invoke(app, ["token"], env=env)
    assert first.exit_code == 0
    again = runner.invoke(app, ["token"], env=env)
    rotated = runner.invoke(app, ["token", "--rotate"], env=env)
    assert first.stdout == again.stdout != rotated.stdout
    path = tmp_path / "t" / "token"
    assert path.read_text().strip() == rotated.stdout.strip()
    assert path.stat().st_mode & 0o777 == 0o600
