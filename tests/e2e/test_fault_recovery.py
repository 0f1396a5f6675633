"""A fault that is fixed while memory-mcp runs is noticed by it: no restart needed, and
nothing a write did before the fix is lost or half applied."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests import pg
from tests.e2e.test_faults import seeded, tmpfs, tool_error

SERVE = [sys.executable, "-m", "memory_mcp", "serve"]


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MEMORY_MCP_DB"}
    env["MEMORY_MCP_SEMANTIC"] = "false"
    return subprocess.run(
        [sys.executable, "-m", "memory_mcp", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@asynccontextmanager
async def serving(db: Path, log: Path) -> AsyncIterator[Client]:
    env = {"MEMORY_MCP_DB": str(db), "MEMORY_MCP_SEMANTIC": "false"}
    params = StdioServerParameters(command=SERVE[0], args=SERVE[1:], env=env)
    with log.open("a", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=60) as client:
            yield client


async def contents(client: Client, query: str) -> list[str]:
    result = await client.call_tool("recall", {"query": query})
    assert not result.is_error, result
    assert result.structured_content is not None
    return [hit["content"] for hit in result.structured_content["hits"]]


@pytest.mark.slow
@pytest.mark.anyio
async def test_a_server_on_a_read_only_file_writes_once_it_is_writable_again(
    tmp_path: Path,
) -> None:
    # It kept refusing every write until restarted, and said to restart; its `immutable`
    # connection (read-only folder, no log) would not even have seen what others wrote.
    with tmpfs(tmp_path / "ro", "8m") as mnt:
        path = seeded(mnt / "memory.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        async with serving(path, tmp_path / "server.log") as client:
            assert await contents(client, "Heron build host")  # it reads
            text = await tool_error(client, "remember", {"content": "lost?"}, "read-only")
            assert "no restart needed" in text and "restart," not in text
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
            # Another process writes first: the server must see it, then write itself.
            done = cli(path, "remember", "The Kestrel relay moved to rack 12")
            assert done.returncode == 0, done.stderr
            assert await contents(client, "Kestrel relay rack") == [
                "The Kestrel relay moved to rack 12"
            ]
            result = await client.call_tool("remember", {"content": "The Osprey cache is warm"})
            assert not result.is_error, result
            assert await contents(client, "Osprey cache") == ["The Osprey cache is warm"]
        listed = cli(path, "list", "--json")
        assert listed.returncode == 0, listed.stderr
        for text in ("Heron-7", "Kestrel relay", "Osprey cache"):
            assert text in listed.stdout
        assert "lost?" not in listed.stdout  # the refused write left nothing behind
        doctor = cli(path, "doctor")
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr


@pg.needs_postgres
@pytest.mark.anyio
async def test_a_server_whose_role_is_granted_writes_writes_without_a_restart() -> None:
    schema = pg.fresh_schema()
    owner = MemoryService.open(Settings(db=pg.url(), pg_schema=schema, semantic=False))
    owner.remember("The deploy runs on Thursdays", scope="team")
    owner.close()
    name, url = pg.fresh_role()
    pg.admin(
        f'grant usage on schema "{schema}" to "{name}"',
        f'grant select on all tables in schema "{schema}" to "{name}"',
    )
    reader = MemoryService.open(Settings(db=url, pg_schema=schema, semantic=False))
    async with Client(build_server(reader, load_model=False)) as client:
        await tool_error(client, "remember", {"content": "lost?", "scope": "team"}, "lacks")
        pg.admin(
            f'grant insert, update, delete on all tables in schema "{schema}" to "{name}"',
            f'grant usage, select on all sequences in schema "{schema}" to "{name}"',
        )
        args = {"content": "The Osprey cache is warm", "scope": "team"}
        result = await client.call_tool("remember", args)
        assert not result.is_error, result
        assert await contents(client, "Osprey cache") == ["The Osprey cache is warm"]
    assert [m.content for m in reader.list_memories()] == [
        "The Osprey cache is warm",
        "The deploy runs on Thursdays",
    ]
    reader.close()
