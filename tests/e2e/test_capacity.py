"""A full database is not stuck: at the size cap and on a full disk, writes fail cleanly and
the way out the message recommends (purge; forget too) works. The cap counts the log."""

from pathlib import Path

import pytest
from mcp import Client
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.errors import StorageError
from memory_mcp.service import MemoryService
from memory_mcp.storage.sqlite import room
from memory_mcp.storage.sqlite.companions import WAL, beside
from tests.conftest import FakeEmbedder
from tests.e2e.test_faults import tmpfs

MB = 1024 * 1024


def on_disk(path: Path) -> int:
    """What the database takes on disk: the file, its log and its reserve (not the -shm)."""
    files = [path, beside(path, WAL), room.reserve_path(path)]
    return sum(f.stat().st_size for f in files if f.exists())


def text(i: int, words: int) -> str:
    return f"memory {i}: " + " ".join(f"w{i}x{j}" for j in range(words))


def purge_cli(path: Path, ids: list[int], monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    args = ["--db", str(path), "purge", *map(str, ids), "--yes"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (result.stderr, result.exception)
    return result.stderr


@pytest.mark.anyio
async def test_the_cap_counts_the_log_and_the_recommended_purge_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "capped.db"
    service = MemoryService.open(Settings(db=path, max_db_mb=1), embedder=FakeEmbedder())
    assert service.semantic.ensure()
    made: list[int] = []
    async with Client(build_server(service, load_model=False)) as client:
        message = ""
        for i in range(2000):  # big memories: their index merges are large transactions
            result = await client.call_tool("remember", {"content": text(i, 200)})
            assert on_disk(path) <= MB, "the file, its log and reserve exceed the cap"
            if result.is_error:
                message = result.content[0].text  # type: ignore[union-attr]
                break
            made.append(result.structured_content["id"])  # type: ignore[index]
        assert "size limit (MEMORY_MCP_MAX_DB_MB)" in message and "memory-mcp purge" in message
        assert (await client.call_tool("remember", {"content": text(99_999, 200)})).is_error
        forgot = await client.call_tool("forget", {"ids": made[:5], "reason": "at the cap"})
        assert not forgot.is_error, forgot

        # What the message recommends, from another process's CLI, the server still running.
        said = purge_cli(path, made[: len(made) // 2], monkeypatch, MEMORY_MCP_MAX_DB_MB="1")
        assert "Purged #" in said
        assert on_disk(path) <= MB
        for i in range(5):  # the purged room is used again
            again = await client.call_tool("remember", {"content": text(10_000 + i, 200)})
            assert not again.is_error, again
            assert on_disk(path) <= MB
    assert service.doctor().healthy
    service.close()


def test_purge_and_forget_work_on_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tmpfs(tmp_path / "full", "16m") as mnt:
        path = mnt / "memory.db"
        service = MemoryService.open(Settings(db=path, semantic=False))
        reserved = room.reserve_path(path).exists()  # kept while the disk has room
        ballast = mnt / "ballast"
        free = room.shutil.disk_usage(mnt).free
        ballast.write_bytes(b"x" * (free - 600 * 1024))
        made: list[int] = []
        with pytest.raises(StorageError, match="disk is full") as caught:
            for i in range(2000):
                made.append(service.remember(text(i, 400)).id)
        assert "memory-mcp purge" in str(caught.value)
        assert made
        assert service.forget(made[:1]).forgotten == made[:1]
        said = purge_cli(path, made[1 : len(made) // 2], monkeypatch)
        assert "Purged #" in said
        service.remember("fits again, in the room the purge freed")
        assert reserved
        assert service.doctor().healthy
        service.close()
