"""Faults of the file and the model: each gives a clear message, never a traceback.

CLI: one red line on stderr and exit 1. MCP: a tool error, and the server keeps serving
(when it started without a usable database, every call retries the open).
"""

import contextlib
import functools
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.errors import ReadOnly, SchemaMismatch, StorageError
from memory_mcp.search.embed import FastEmbedEmbedder
from memory_mcp.service import MemoryService
from memory_mcp.service.migration import migrate
from memory_mcp.storage import open_storage
from memory_mcp.storage.sqlite import db
from memory_mcp.storage.sqlite.migrations import MIGRATIONS
from tests.conftest import FakeEmbedder

HOLD_LOCK = """
import sys, time, sqlean
conn = sqlean.connect(sys.argv[1], isolation_level=None)
conn.execute("begin immediate")
conn.execute("create table if not exists lock_holder (x)")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("rollback")
conn.close()
"""


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the CLI; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    monkeypatch.delenv("MEMORY_MCP_DB", raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args))
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return invoke


def one_red_line(stderr: str, *words: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip() and "keyword-only" not in line]
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    for word in words:
        assert word in lines[0], lines[0]


def seeded(path: Path) -> Path:
    service = MemoryService.open(Settings(db=path, semantic=False))
    service.remember("Seeded memory about the Heron-7 build host")
    service.close()
    return path


@contextlib.contextmanager
def lock_held(path: Path) -> Iterator[None]:
    """Another process holds the write lock until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield
    finally:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.close()
        proc.wait(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A small tmpfs (Linux, root): a real full disk / read-only filesystem."""
    where.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("needs root on Linux to mount a small filesystem")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


async def tool_error(client: Client, tool: str, args: dict[str, Any], *words: str) -> str:
    result = await client.call_tool(tool, args)
    assert result.is_error, result
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith(f"Error executing tool {tool}: "), text
    for word in words:
        assert word in text, text
    return text


# -- locked for longer than busy_timeout -------------------------------------------------------


def test_locked_database_cli(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = seeded(tmp_path / "locked.db")
    monkeypatch.setenv("MEMORY_MCP_BUSY_TIMEOUT_MS", "300")
    with lock_held(path):
        code, _, err = cli("--db", str(path), "remember", "blocked write")
        assert code == 1
        one_red_line(err, "another process held its lock", "300 ms", "Nothing was changed")
        code, out, _ = cli("--db", str(path), "recall", "Heron-7")  # WAL: reads go on
        assert code == 0 and "Heron-7" in out
    assert cli("--db", str(path), "remember", "after the lock")[0] == 0


@pytest.mark.anyio
async def test_locked_database_mcp(tmp_path: Path) -> None:
    path = seeded(tmp_path / "locked.db")
    service = MemoryService.open(Settings(db=path, semantic=False, busy_timeout_ms=300))
    async with Client(build_server(service, load_model=False)) as client:
        with lock_held(path):
            await tool_error(client, "remember", {"content": "x"}, "held its lock")
            await tool_error(client, "forget", {"ids": [1]}, "held its lock")
            assert not (await client.call_tool("recall", {"query": "Heron-7"})).is_error
        stored = await client.call_tool("remember", {"content": "after the lock"})
        assert not stored.is_error
    service.close()


@pytest.mark.anyio
async def test_server_started_while_locked_heals_by_itself(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db.connect(path).close()  # an empty file whose migration is blocked
    opener = functools.partial(
        MemoryService.open, Settings(db=path, semantic=False, busy_timeout_ms=200)
    )
    async with Client(build_server(opener, load_model=False)) as client:
        with lock_held(path):
            await tool_error(client, "recall", {"query": "x"}, "held its lock")
        stored = await client.call_tool("remember", {"content": "once the lock is gone"})
        assert not stored.is_error


# -- read-only, full disk, size cap ------------------------------------------------------------


def test_read_only_filesystem(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with tmpfs(tmp_path / "ro", "4m") as mnt:
        path = seeded(mnt / "memory.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        code, _, err = cli("--db", str(path), "remember", "cannot land")
        assert code == 1
        one_red_line(err, "read-only", "Nothing was changed")
        service = MemoryService.open(Settings(db=path, semantic=False))  # it reads
        with pytest.raises(ReadOnly, match="read-only"):
            service.remember("nor this")
        service.close()


@pytest.mark.anyio
async def test_read_only_database_mcp(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "4m") as mnt:
        path = seeded(mnt / "memory.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        opener = functools.partial(MemoryService.open, Settings(db=path, semantic=False))
        async with Client(build_server(opener, load_model=False)) as client:
            for _ in range(2):  # and it keeps answering
                await tool_error(client, "remember", {"content": "x"}, "read-only")


@pytest.mark.anyio
@pytest.mark.parametrize("how", ["restored over", "removed"])
async def test_a_database_file_replaced_under_a_running_server_takes_no_write(
    tmp_path: Path, how: str
) -> None:
    """The server's connection stayed on the file it had opened: after a backup was renamed
    over it (or it was deleted), `remember` answered "created", and the memory went into a
    file nothing would open again. Now every call says what happened and what to do, the
    file at the path is left as it was, and a restarted server uses it."""
    path = seeded(tmp_path / "memory.db")
    copy = seeded(tmp_path / "restored.db")  # a backup: one memory
    opener = functools.partial(MemoryService.open, Settings(db=path, semantic=False))
    async with Client(build_server(opener, load_model=False)) as client:
        await client.call_tool("remember", {"content": "Written before the file changed"})
        for name in ("memory.db-wal", "memory.db-shm"):  # as a restore by hand does
            (tmp_path / name).unlink(missing_ok=True)
        if how == "removed":
            path.unlink()
        else:
            os.replace(copy, path)
        gone = "removed" if how == "removed" else "replaced by another file"
        for tool, args in (
            ("remember", {"content": "The relay is R-17"}),
            ("recall", {"query": "relay"}),
        ):
            await tool_error(client, tool, args, gone, "Restart")
    if how == "removed":
        assert not path.exists()
        return
    restarted = MemoryService.open(Settings(db=path, semantic=False))
    try:
        assert [m.content for m in restarted.list_memories()] == [
            "Seeded memory about the Heron-7 build host"
        ]
        restarted.remember("The relay is R-17")  # the file at the path takes writes again
    finally:
        restarted.close()


def test_full_disk(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with tmpfs(tmp_path / "full", "1m") as mnt:
        path = mnt / "memory.db"
        ballast = mnt / "ballast"
        ballast.write_bytes(b"x" * 256 * 1024)
        service = MemoryService.open(Settings(db=path, semantic=False))
        stored = 0
        with pytest.raises(StorageError, match="disk is full") as caught:
            for i in range(1000):
                service.remember(f"memory {i} " + "filler words " * 400)
                stored += 1
        assert "Nothing was changed" in str(caught.value)
        report = service.doctor()
        assert report.healthy and report.memories == stored
        code, _, err = cli("--db", str(path), "remember", "big " * 4000)
        assert code == 1
        one_red_line(err, "disk is full")
        ballast.unlink()  # room again: writes work
        service.remember("fits now")
        assert service.doctor().healthy
        service.close()


def test_an_import_that_fills_the_disk_says_what_stayed_and_resumes(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # It said "Nothing was changed" while the batches before the full one had been stored.
    lines = [
        json.dumps({"id": i, "content": f"Imported fact {i} about the Heron-{i} build host"})
        for i in range(1, 3001)
    ]
    source = tmp_path / "big.jsonl"
    source.write_text("\n".join(lines) + "\n")
    with tmpfs(tmp_path / "full", "8m") as mnt:
        path = mnt / "memory.db"
        ballast = mnt / "ballast"
        ballast.write_bytes(b"x" * 7 * 1024 * 1024)
        code, _, err = cli("--db", str(path), "import", str(source))
        assert code == 1
        one_red_line(err, "stopped partway", "disk is full", "run the same import again")
        assert "Nothing was changed" not in err
        service = MemoryService.open(Settings(db=path, semantic=False))
        kept = service.doctor()
        assert kept.healthy and 0 < kept.memories < 3000
        assert f"The {kept.memories} memories the earlier batches created stay" in err
        service.close()
        ballast.unlink()  # room again: the same import carries on
        code, _, err = cli("--db", str(path), "import", str(source))
        assert code == 0, err
        service = MemoryService.open(Settings(db=path, semantic=False))
        assert service.doctor().memories == 3000
        service.close()


def test_an_import_from_another_format_that_hits_the_cap_says_what_stayed(tmp_path: Path) -> None:
    entity = {
        "type": "entity",
        "name": "Heron",
        "entityType": "host",
        "observations": [f"Observation {i}: " + "build log words " * 8 for i in range(3000)],
    }
    source = tmp_path / "memory.jsonl"
    source.write_text(json.dumps(entity) + "\n")
    service = MemoryService.open(Settings(db=tmp_path / "capped.db", semantic=False, max_db_mb=1))
    with pytest.raises(StorageError, match="stopped partway") as caught:
        service.import_from("kg-jsonl", source)
    assert "Nothing was changed" not in str(caught.value)
    kept = service.doctor()
    assert kept.healthy and 0 < kept.memories < 3000
    assert f"The {kept.memories} memories the earlier batches created stay" in str(caught.value)
    service.close()


def test_a_migration_into_a_capped_target_says_what_stayed_and_resumes(tmp_path: Path) -> None:
    source = MemoryService.open(Settings(db=tmp_path / "source.db", semantic=False))
    lines = [
        json.dumps({"id": i, "content": f"Fact {i}: " + "words " * 60}) for i in range(1, 2001)
    ]
    (tmp_path / "facts.jsonl").write_text("\n".join(lines) + "\n")
    source.import_jsonl(tmp_path / "facts.jsonl")
    capped = Settings(db=tmp_path / "target.db", semantic=False, max_db_mb=1)
    target = open_storage(capped)
    with pytest.raises(StorageError, match="The migrate stopped partway") as caught:
        migrate(source.store, target)
    assert "Nothing was changed" not in str(caught.value)
    assert "run the same migrate again" in str(caught.value)
    target.close()
    roomy = open_storage(Settings(db=tmp_path / "target.db", semantic=False))
    assert migrate(source.store, roomy).memories == 2000  # re-run: it carries on
    roomy.close()
    source.close()


def test_no_room_for_the_vector_index_to_grow_is_the_size_limit(tmp_path: Path) -> None:
    # sqlite-vec adds ~1024 vectors' room at a time; without it, it said only "Internal
    # sqlite-vec error: Could not insert a new vector chunk".
    settings = Settings(db=tmp_path / "capped.db", max_db_mb=2)
    service = MemoryService.open(settings, embedder=FakeEmbedder(dim=1024))
    assert service.semantic.ensure()
    with pytest.raises(StorageError, match=r"size limit \(MEMORY_MCP_MAX_DB_MB\)"):
        service.remember("The first memory needs the vector index's first chunk")
    assert service.doctor().healthy
    service.close()


def test_a_backup_onto_a_full_disk_names_that_disk(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # SQLite says "database or disk is full" for the copy's disk too: it was reported as
    # the database's size cap (which was not even set), with advice to purge memories.
    path = seeded(tmp_path / "memory.db")
    with tmpfs(tmp_path / "small", "64k") as mnt:
        code, _, err = cli("--db", str(path), "backup", str(mnt / "copy.db"))
        assert code == 1
        one_red_line(err, f"Cannot back up to {mnt / 'copy.db'}: the disk there is full")
        assert "MEMORY_MCP_MAX_DB_MB" not in err and "purge" not in err
        assert list(mnt.iterdir()) == []  # no partial copy left behind
    assert MemoryService.open(Settings(db=path, semantic=False)).doctor().memories == 1


@pytest.mark.anyio
async def test_size_cap_is_a_tool_error(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "capped.db", semantic=False, max_db_mb=1)
    service = MemoryService.open(settings)
    async with Client(build_server(service, load_model=False)) as client:
        text = ""
        for i in range(200):
            result = await client.call_tool("remember", {"content": f"{i} " + "pad " * 4000})
            if result.is_error:
                text = result.content[0].text  # type: ignore[union-attr]
                break
        assert "size limit (MEMORY_MCP_MAX_DB_MB)" in text
        assert not (await client.call_tool("recall", {"query": "pad"})).is_error
    assert service.doctor().healthy
    service.close()


# -- schema versions ---------------------------------------------------------------------------


def future_db(path: Path) -> bytes:
    seeded(path)
    conn = db.connect(path)
    conn.execute(f"pragma user_version = {len(MIGRATIONS) + 1}")
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    return path.read_bytes()


def test_newer_schema_cli(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "future.db"
    before = future_db(path)
    for args in (["remember", "x"], ["recall", "x"], ["stats"]):
        code, _, err = cli("--db", str(path), *args)
        assert code == 1
        one_red_line(err, "newer than this memory-mcp", "not modified")
    assert path.read_bytes() == before


@pytest.mark.anyio
async def test_newer_schema_mcp(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    before = future_db(path)
    opener = functools.partial(MemoryService.open, Settings(db=path, semantic=False))
    async with Client(build_server(opener, load_model=False)) as client:
        for tool, args in (("remember", {"content": "x"}), ("recall", {"query": "x"})):
            await tool_error(client, tool, args, "newer than this memory-mcp")
    assert path.read_bytes() == before


def test_older_schema_is_backed_up_then_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = db.connect(path)
    with db.transaction(conn):
        MIGRATIONS[0](conn)
        conn.execute("pragma user_version = 1")
    conn.execute(
        "insert into memories (content, created_at, updated_at) values (:c, :t, :t)",
        {"c": "from version one", "t": "2024-01-01T00:00:00.000000Z"},
    )
    conn.close()
    service = MemoryService.open(Settings(db=path, semantic=False))
    assert service.recall("version one").hits[0].content == "from version one"
    assert service.doctor().healthy
    service.close()
    backup = db.connect(tmp_path / "old.db.v1.bak")
    assert db.schema_version(backup) == 1
    assert db.scalar(backup, "select content from memories") == "from version one"
    assert db.scalar(backup, "pragma integrity_check") == "ok"
    assert not list(tmp_path.glob(".*partial"))


def test_not_a_database(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "notes.txt"
    path.write_text("this is not SQLite " * 100)
    code, _, err = cli("--db", str(path), "recall", "x")
    assert code == 1
    one_red_line(err, "not an SQLite database", "check the path")


# -- the model: missing, truncated, another dimension -----------------------------------------


def keyword_only_note(service: MemoryService, *words: str) -> None:
    assert not service.semantic.ensure()
    result = service.recall("Heron-7")
    assert result.mode == "keyword" and result.hits
    assert result.note is not None
    for word in words:
        assert word in result.note, result.note
    assert service.remember("still storing while keyword-only").status == "created"


def test_missing_model_dir_means_keyword_only(tmp_path: Path) -> None:
    path = seeded(tmp_path / "m.db")
    embedder = FastEmbedEmbedder("sentence-transformers/all-MiniLM-L6-v2", tmp_path / "nowhere")
    service = MemoryService.open(Settings(db=path), embedder=embedder)
    keyword_only_note(service, "no model.onnx", "MEMORY_MCP_MODEL_DIR")
    service.close()


@pytest.mark.model
def test_truncated_model_means_keyword_only(tmp_path: Path, model_dir: Path) -> None:
    broken = tmp_path / "broken-model"
    shutil.copytree(model_dir, broken, ignore=shutil.ignore_patterns("model.onnx"))
    (broken / "model.onnx").write_bytes((model_dir / "model.onnx").read_bytes()[:4096])
    path = seeded(tmp_path / "m.db")
    embedder = FastEmbedEmbedder("sentence-transformers/all-MiniLM-L6-v2", broken)
    service = MemoryService.open(Settings(db=path), embedder=embedder)
    keyword_only_note(service, "Cannot load embedding model", str(broken))
    service.close()


@pytest.mark.model
def test_model_of_another_dimension(tmp_path: Path, real_embedder: FastEmbedEmbedder, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.db"
    fake = MemoryService.open(Settings(db=path), embedder=FakeEmbedder(dim=8))
    assert fake.semantic.ensure()
    fake.remember("Seeded memory about the Heron-7 build host")
    fake.close()
    service = MemoryService.open(Settings(db=path), embedder=real_embedder)
    keyword_only_note(service, "8-d", "384-d", "memory-mcp reindex")
    with pytest.raises(SchemaMismatch, match="reindex"):
        service.store.ensure_vector_index(real_embedder.model_name, real_embedder.dim)
    assert service.reindex() == 2
    assert service.recall("which machine compiles our code?").mode == "hybrid"
    service.close()


def test_a_killed_backup_leaves_no_partial_file_after_the_next(tmp_path: Path) -> None:
    """kill -9 mid-copy leaves a hidden partial file; the next `memory-mcp backup` into that
    folder sweeps it (issue 11)."""
    source = tmp_path / "src.db"
    conn = db.connect(source)
    db.migrate(conn, source)
    with db.transaction(conn):
        conn.executemany(
            "insert into memories (content, created_at, updated_at) values (:c, 'a', 'a')",
            ({"c": f"{'x' * 4000} {i}"} for i in range(10_000)),
        )
    conn.close()
    out = tmp_path / "backups"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {"MEMORY_MCP_DB": str(source), "MEMORY_MCP_SEMANTIC": "false"}
    copy = (
        "import sys; from pathlib import Path; from memory_mcp.storage.sqlite import db; "
        "db.backup_copy(db.connect(sys.argv[1]), Path(sys.argv[2]))"
    )
    proc = subprocess.Popen([sys.executable, "-c", copy, str(source), str(out / "first.db")])
    try:
        while proc.poll() is None and not any(p.stat().st_size for p in out.glob(".*.partial")):
            time.sleep(0.001)
    finally:
        proc.kill()
        proc.wait()
    if (out / "first.db").exists():
        pytest.skip("the backup finished before it could be killed")
    assert list(out.glob(".first.db.*.partial")), "the killed copy left nothing to sweep"
    cli = [sys.executable, "-m", "memory_mcp", "backup", str(out / "second.db")]
    done = subprocess.run(cli, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["second.db"]
