"""backup (consistent while others write), doctor (drift found and repaired), reindex resume."""

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder

WRITER = """
import sys
from memory_mcp import MemoryService, Settings
service = MemoryService.open(Settings(db=sys.argv[1], semantic=False))
for i in range(int(sys.argv[2])):
    service.remember(f"writer memory {i} during the backup")
print("done")
"""


@pytest.mark.sqlite_only
def test_backup_while_another_process_writes(service: MemoryService, tmp_path: Path) -> None:
    for i in range(50):
        service.remember(f"memory {i} before the backup")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(service.store.path), "400"],
        stdout=subprocess.PIPE,
        text=True,
    )
    copies = []
    while writer.poll() is None:
        copies.append(service.backup(tmp_path / f"copy-{len(copies) % 20}.db", overwrite=True))
        time.sleep(0.02)
    assert writer.communicate(timeout=120)[0].strip() == "done"
    assert any(50 < c.memories < 450 for c in copies), "no copy was taken mid-write"
    copies = copies[-20:]
    for report in copies:
        assert report.integrity == "ok" and 50 <= report.memories <= 450
        copy = MemoryService.open(Settings(db=Path(report.path), semantic=False))
        assert copy.doctor().healthy
        assert copy.store.counts()["memories"] == report.memories
        copy.close()
        assert Path(report.path).stat().st_mode & 0o777 == 0o600


@pytest.mark.sqlite_only
def test_backup_refuses_to_clobber(service: MemoryService, tmp_path: Path) -> None:
    assert service.store.path is not None
    with pytest.raises(InvalidInput, match="database itself"):
        service.backup(service.store.path)
    (tmp_path / "taken.db").write_text("x")
    with pytest.raises(InvalidInput, match="--force"):
        service.backup(tmp_path / "taken.db")
    assert service.backup(tmp_path / "taken.db", overwrite=True).integrity == "ok"


@pytest.mark.sqlite_only
def test_no_export_or_backup_replaces_the_databases_own_files(
    service: MemoryService, tmp_path: Path
) -> None:
    """`export memory.db --force` renamed the JSONL over the database: every memory gone
    (`backup` only compared the database's own path, so its -wal with --force went too)."""
    assert service.store.path is not None
    service.remember("Keep me")
    database = service.store.path
    (tmp_path / "link.db").symlink_to(database)
    (tmp_path / "hard.db").hardlink_to(database)
    (tmp_path / "sub").mkdir()
    targets = [database, *(Path(f"{database}{end}") for end in ("-wal", "-shm", "-journal"))]
    targets += [tmp_path / "hard.db", tmp_path / "sub/../memory.db"]
    for target in targets:
        with pytest.raises(InvalidInput, match="nothing was written"):
            service.export_jsonl(target, overwrite=True)
        with pytest.raises(InvalidInput, match="nothing was written"):
            service.backup(target, overwrite=True)
    with pytest.raises(InvalidInput, match="database itself"):
        service.backup(tmp_path / "link.db", overwrite=True)
    assert [m.content for m in service.list_memories()] == ["Keep me"]
    assert service.doctor().healthy
    assert service.export_jsonl(tmp_path / "memories.jsonl") == 1


def test_backup_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    source = tmp_path / "src.db"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", str(source), "remember", "backed up"]).exit_code == 0
    result = runner.invoke(app, ["--db", str(source), "backup", str(tmp_path / "b.db")])
    assert result.exit_code == 0, result.output
    assert "Backed up 1 memory " in result.stderr and "integrity ok" in result.stderr
    again = runner.invoke(app, ["--db", str(source), "backup", str(tmp_path / "b.db")])
    assert again.exit_code == 1 and "--force" in again.stderr


def drifted(service: MemoryService) -> list[int]:
    ids = [service.remember(f"drift test memory number {i}").id for i in range(6)]
    c = service.store.conn
    # FTS loses an entry, a vector loses its memory, one memory loses its vector, and one
    # vector's metadata goes stale (as if written by a buggy or older version).
    c.execute(
        "insert into memories_fts (memories_fts, rowid, content, tags) "
        "select 'delete', id, content, tags from memories where id = :id",
        {"id": ids[0]},
    )
    c.execute("drop trigger memories_vec_ad")
    c.execute("delete from memories where id = :id", {"id": ids[1]})
    c.execute("insert into memories_fts (memories_fts) values ('rebuild')")
    c.execute("delete from memories_vec where memory_id = :id", {"id": ids[2]})
    c.execute("update memories_vec set scope = 'elsewhere' where memory_id = :id", {"id": ids[3]})
    c.execute("update memories_vec set hidden = 1 where memory_id = :id", {"id": ids[4]})
    return ids


@pytest.mark.sqlite_only
def test_doctor_finds_and_repairs_every_kind_of_drift(service: MemoryService) -> None:
    ids = drifted(service)
    service.store.conn.execute(
        "insert into memories_fts (memories_fts, rowid, content, tags) "
        "select 'delete', id, content, tags from memories where id = :id",
        {"id": ids[5]},
    )
    report = service.doctor()
    assert not report.healthy
    assert report.fts_rows == report.memories - 1 and not report.fts_ok
    assert report.orphan_vectors == 1
    assert report.missing_vectors == 1
    assert report.vector_metadata_drift == 2
    fixed = service.doctor(repair=True)
    assert fixed.healthy, fixed
    assert fixed.missing_vectors == 0 and fixed.vector_metadata_drift == 0
    assert len(fixed.repaired) == 5  # the trigger dropped to orphan a vector is made again
    assert "memories_vec_ad" in fixed.repaired[0] and not fixed.missing_index_parts
    assert service.recall("drift test memory number 4").hits  # visible again


def test_reindex_resumes_after_an_interruption(service: MemoryService, tmp_path: Path) -> None:
    for i in range(200):
        service.remember(f"reindex memory {i} about topic {i % 7}")
    embedder = FakeEmbedder()

    class Crash(Exception):
        pass

    calls = 0

    def flaky(texts: list[str]):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:  # dies after the first batch is stored
            raise Crash
        return FakeEmbedder.embed_documents(embedder, texts)

    service.semantic.embedder.embed_documents = flaky  # type: ignore[union-attr, method-assign]
    with pytest.raises(Crash):
        service.reindex()
    counts = service.store.counts()
    assert 0 < counts["vec"] < counts["memories"] == 200
    assert service.doctor().reindex_interrupted
    service.semantic.embedder.embed_documents = embedder.embed_documents  # type: ignore[union-attr, method-assign]
    assert service.reindex() == 200 - counts["vec"]  # resumed, not restarted
    assert service.store.counts()["vec"] == 200
    assert not service.doctor().reindex_interrupted
    assert service.reindex() == 200  # a new reindex re-embeds everything
    assert service.store.integrity_check() == "ok"


# The store's reads a doctor makes, each its own statement or snapshot.
DIAGNOSIS = (
    "counts",
    "has_vector_index",
    "integrity_check",
    "keyword_index_ok",
    "vector_metadata_drift",
    "reindex_pending",
    "scope_names",
)


@contextmanager
def steady_writer(settings: Settings) -> Iterator[MemoryService]:
    """Another connection writing from a thread without pause, the table kept the same size:
    it remembers a memory (with its vector), then forgets and deletes the one before. A
    doctor's cost follows the row count (PostgreSQL's keyword check recomputes every row's
    entry), and a writer that only added rows grew the table during each doctor by a share
    of it, and the next doctor's cost with it: geometric growth, 146 s on PostgreSQL alone,
    past the 300 s timeout on a loaded CI machine. Yields the service it writes through."""
    other = MemoryService.open(
        settings.model_copy(update={"busy_timeout_ms": 5000}), embedder=FakeEmbedder()
    )
    assert other.semantic.ensure()
    stop, errors = threading.Event(), []

    def write() -> None:
        i, before = 0, None
        while not stop.is_set():
            try:
                new = other.remember(f"concurrent write {i}").id
                if before is not None:
                    other.forget([before])
                    other.purge([before])
                before = new
            except Exception as exc:  # noqa: BLE001 - the test reports every failure
                errors.append(str(exc))
            i += 1

    thread = threading.Thread(target=write)
    thread.start()
    try:
        yield other
    finally:
        stop.set()
        thread.join()
        other.close()
    assert not errors, errors[:3]


def test_doctor_never_reports_a_healthy_file_unhealthy_under_writes(
    service: MemoryService, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes land while a doctor reads: from a thread at any moment (in the middle of a
    statement too), and, so that no gap goes untried whatever the scheduling, one memory
    written and one deleted by the other connection between every two of the doctor's reads."""
    for i in range(50):
        service.remember(f"memory {i} before the check")
    with steady_writer(settings) as other:

        def after_writes(read: Callable[[], Any]) -> Callable[[], Any]:
            def wrapped() -> Any:
                written = other.remember("written between two of the doctor's reads").id
                other.forget([written])
                other.purge([written])
                return read()

            return wrapped

        for name in DIAGNOSIS:
            monkeypatch.setattr(service.store, name, after_writes(getattr(service.store, name)))
        reports = [service.doctor() for _ in range(10)]
    assert all(r.healthy for r in reports), [r for r in reports if not r.healthy][:1]


EVERY = MemoryFilter(include_forgotten=True)
# Parts of the derived index a hand may drop, each with the statement that drops it.
DROPPED = {
    "sqlite": [
        ("memories_fts", "drop table memories_fts"),
        ("memories_fts_hidden", "drop table memories_fts_hidden"),
        ("memories_fts_config", "drop table memories_fts_config"),
        ("memories_fts_hidden_data", "drop table memories_fts_hidden_data"),
        ("memories_fts_source", "drop view memories_fts_source"),
        ("memories_fts_ai", "drop trigger memories_fts_ai"),
        ("vec_log", "drop table vec_log"),
        ("memories_vec_chunks", "drop table memories_vec_chunks"),
        ("memories_vec_au", "drop trigger memories_vec_au"),
    ],
    "postgres": [
        ("fts_stats", "drop table fts_stats"),
        ("memories_fts", "drop trigger memories_fts on memories"),
        ("memories_fts_stats", "drop trigger memories_fts_stats on memories"),
        ("memories_fts_visible", "drop index memories_fts_visible"),
        ("vec_log", "drop table vec_log"),
        ("memories_vec_log", "drop trigger memories_vec_log on memories"),
        ("memory_vectors_hnsw", "drop index memory_vectors_hnsw"),
        ("memory_vectors_log", "drop trigger memory_vectors_log on memory_vectors"),
    ],
}


def test_a_dropped_index_part_is_reported_and_made_again_from_the_memories(
    settings: Settings, backend: str
) -> None:
    """Opening a database whose keyword index was dropped failed on every command, doctor
    --repair included: the schema steps' probes read it and re-ran steps that could not run
    on it. A vector index's dropped log, trigger or sqlite-vec table failed every recall and
    write, while doctor called the database healthy."""
    from memory_mcp.errors import StorageError
    from tests import pg

    keyword = settings
    with closing_service(keyword) as service:
        for text in ("the heron waits by the river", "a kestrel hovers", "old otter notes"):
            service.remember(text)
        service.forget([3])
    for part, statement in DROPPED[backend]:
        with closing_service(keyword) as service:
            pg.raw_rows(service.store, statement)
        with pytest.raises(StorageError, match=f"{part}.*`memory-mcp doctor --repair`"):
            MemoryService.open(keyword, embedder=FakeEmbedder())
        with closing_service(keyword, damaged=True) as service:
            report = service.doctor()
            assert part in report.missing_index_parts and not report.healthy
            fixed = service.doctor(repair=True)
            assert fixed.healthy and not fixed.missing_index_parts, (part, fixed)
            assert (fixed.vec_rows, fixed.missing_vectors) == (3, 0)
        with closing_service(keyword) as service:  # the memories were never touched
            assert [i for i, _ in service.store.search_keywords("heron", EVERY, 5)] == [1]
            assert service.store.counts()["memories"] == 3
            added = service.remember(f"a heron again by the river, after {part}")
            assert service.doctor().healthy, part  # the index follows writes again
            service.forget([added.id])
            service.purge([added.id])


@contextmanager
def closing_service(settings: Settings, damaged: bool = False) -> Iterator[MemoryService]:
    service = MemoryService.open(settings, embedder=FakeEmbedder(), damaged=damaged)
    try:
        if not damaged:  # (doctor --repair loads the model when it has vectors to make)
            assert service.semantic.ensure()
        yield service
    finally:
        service.close()
