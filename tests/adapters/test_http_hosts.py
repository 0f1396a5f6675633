"""`serve --http --allow-host`: the names clients reach the server under, also through a
reverse proxy in front (TLS), which presents the name without the server's port. Real HTTP."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.adapters.team_server import OWNER_TOKEN, serving

ACCEPT = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}
CLIENT = {"name": "t", "version": "1"}
PARAMS = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": CLIENT}
OPEN = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": PARAMS}


@pytest.fixture
def service(tmp_path: Path) -> Iterator[MemoryService]:
    svc = MemoryService.open(Settings(db=tmp_path / "hosts.db", semantic=False))
    yield svc
    svc.close()


def _open(url: str, host: str, origin: str | None = None) -> int:
    """The status of an initialize with these headers: 421 (Host) or 403 (Origin) if refused."""
    headers = ACCEPT | {"Host": host, "Authorization": f"Bearer {OWNER_TOKEN}"}
    if origin:
        headers["Origin"] = origin
    return httpx2.post(url, json=OPEN, headers=headers, timeout=10).status_code


def test_behind_a_reverse_proxy_the_name_alone_is_accepted(service: MemoryService) -> None:
    """A TLS proxy on 443 sends `Host: memory.example` and a browser `Origin:
    https://memory.example`: the tools, the hooks and the web UI's forms all take them."""
    with serving(service, allow_hosts=["Memory.Example"]) as url:
        port = url.split(":")[2].split("/")[0]
        assert _open(url, "memory.example", "https://memory.example") == 200
        assert _open(url, f"memory.example:{port}") == 200
        assert _open(url, "memory.example:9999") == 421  # another port is another server
        assert _open(url, "evil.example") == 421
        assert _open(url, "memory.example", "https://evil.example") == 403
        hooks = url.replace("/mcp", "/hooks/prompt")
        headers = {"Host": "memory.example", "Origin": "https://memory.example",
                   "Authorization": f"Bearer {OWNER_TOKEN}"}  # fmt: skip
        hook = {"hook_event_name": "UserPromptSubmit", "prompt": "hello"}
        assert httpx2.post(hooks, json=hook, headers=headers).status_code == 200
        ui = url.replace("/mcp", "/ui")
        with httpx2.Client(headers={"Host": "memory.example"}, timeout=10) as web:
            form = re.search(r'name="csrf" value="([^"]+)"', web.get(f"{ui}/login").text)
            assert form is not None
            login = web.post(
                f"{ui}/login",
                data={"csrf": form.group(1), "token": OWNER_TOKEN},
                headers={"Origin": "https://memory.example"},
            )
            assert login.status_code == 303, login.text


def test_a_name_with_a_port_is_exactly_that(service: MemoryService) -> None:
    with serving(service, allow_hosts=["memory.example:8443"]) as url:
        assert _open(url, "memory.example:8443", "https://memory.example:8443") == 200
        assert _open(url, "memory.example") == 421
        assert _open(url, url.split("/")[2]) == 200  # loopback as before


@pytest.mark.parametrize("given", ["http://memory.example", "memory.example/mcp", "*", "x:99999"])
def test_an_allow_host_no_client_could_send_is_refused(tmp_path: Path, given: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "serve", "--http", "--allow-host", given],
        env=dict(os.environ, MEMORY_MCP_DB=str(tmp_path / "x.db"), MEMORY_MCP_SEMANTIC="false"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "--allow-host takes a host name" in result.stderr
    assert "Traceback" not in result.stderr
