"""The stdio server opens no network socket, and no tool argument reaches the filesystem."""

import os
import re
import sys
from pathlib import Path

import pytest

from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.e2e.test_e2e_stdio import RawSession

NET_TABLES = ("tcp", "tcp6", "udp", "udp6")


def inet_socket_inodes(pid: int) -> set[str]:
    """Inodes of this process's sockets that are TCP/UDP (unix socketpairs are not network)."""
    mine = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        match = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(fd))
        if match:
            mine.add(match.group(1))
    inet = set()
    for table in NET_TABLES:
        path = Path(f"/proc/{pid}/net/{table}")
        if path.exists():
            for line in path.read_text().splitlines()[1:]:
                inet.add(line.split()[9])
    return mine & inet


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_stdio_server_opens_no_network_socket(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MEMORY_MCP_DB": str(tmp_path / "s.db"),
        "MEMORY_MCP_MODEL_DIR": str(tmp_path / "no-model"),
    }
    session = RawSession(
        [sys.executable, "-m", "memory_mcp", "serve"], env, tmp_path / "stderr.log"
    )
    try:
        session.request(
            "initialize",
            {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "security-test", "version": "0"},
            },
        )
        session.notify("notifications/initialized")
        session.call("remember", {"content": "no sockets here"})
        session.call("recall", {"query": "sockets"})
        assert inet_socket_inodes(session.proc.pid) == set()
    finally:
        session.close()


def test_no_tool_parameter_names_a_path(service: MemoryService) -> None:
    """Audit aid: the tool schemas have no file/path/uri-like parameter."""
    import anyio
    from mcp import Client

    async def schemas() -> dict[str, set[str]]:
        async with Client(build_server(service, load_model=False)) as client:
            tools = (await client.list_tools()).tools
            return {t.name: set(t.input_schema["properties"]) for t in tools}

    found = anyio.run(schemas)
    suspicious = {
        (tool, name)
        for tool, names in found.items()
        for name in names
        if re.search(r"path|file|dir|uri|url|db", name)
    }
    assert suspicious == set()


def test_path_like_arguments_are_just_text(settings: Settings, service: MemoryService) -> None:
    stored = service.remember("../../etc/passwd", scope="/etc", tags=["file:///etc/shadow"])
    assert stored.scope == "/etc" and stored.content == "../../etc/passwd"
    assert service.recall("etc passwd", scope="/etc").hits[0].id == stored.id
    assert sorted(p.name for p in Path(settings.db).parent.iterdir()) == [
        "memory.db",
        "memory.db-reserve",
        "memory.db-shm",
        "memory.db-wal",
    ]
