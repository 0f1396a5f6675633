"""MEMORY_MCP_DURABILITY reaches the connection the server and the CLI write through.

`full` (the default) is SQLite's synchronous=FULL (2): the log is synced at every commit, so
an acknowledged write survives power loss. `normal` (1) syncs at checkpoints only.
benchmarks/durability.py counts the fsyncs each level makes.
"""

import functools
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from memory_mcp.storage.sqlite import db

FULL, NORMAL = 2, 1


@pytest.fixture
def pragmas(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(synchronous, secure_delete) of every connection the database is opened with."""
    seen: list[tuple[int, int]] = []
    real = db.connect

    def spy(*args: Any, **kwargs: Any) -> db.Connection:
        conn = real(*args, **kwargs)
        seen.append(
            (db.scalar(conn, "pragma synchronous"), db.scalar(conn, "pragma secure_delete"))
        )
        return conn

    monkeypatch.setattr(db, "connect", spy)
    return seen


@pytest.mark.parametrize(("level", "expected"), [(None, FULL), ("full", FULL), ("normal", NORMAL)])
def test_the_cli_writes_with_the_durability_asked_for(
    level: str | None,
    expected: int,
    pragmas: list[tuple[int, int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    if level is not None:
        monkeypatch.setenv("MEMORY_MCP_DURABILITY", level)
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "m.db"), "remember", "durable?"])
    assert result.exit_code == 0, result.stderr
    assert pragmas == [(expected, 1)]


@pytest.mark.anyio
@pytest.mark.parametrize(("level", "expected"), [(None, FULL), ("normal", NORMAL)])
async def test_the_server_writes_with_the_durability_asked_for(
    level: str | None,
    expected: int,
    pragmas: list[tuple[int, int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MEMORY_MCP_DB", str(tmp_path / "m.db"))
    if level is not None:
        monkeypatch.setenv("MEMORY_MCP_DURABILITY", level)
    opener = functools.partial(MemoryService.open, Settings(semantic=False))  # as `serve` does
    async with Client(build_server(opener, load_model=False)) as client:
        assert not (await client.call_tool("remember", {"content": "durable?"})).is_error
    assert pragmas == [(expected, 1)]


def test_an_unknown_durability_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMORY_MCP_DURABILITY", "extreme")
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "m.db"), "stats"])
    assert result.exit_code == 1
    assert "Invalid setting" in result.stderr and "'normal' or 'full'" in result.stderr
