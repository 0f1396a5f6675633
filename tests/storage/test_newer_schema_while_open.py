"""A newer memory-mcp that upgrades the database while an older process still has it open
(a client keeps the server it started until it restarts it; a replica not yet upgraded)
leaves that process reading, but its next write is refused: it would index by its own,
older rules. The open refuses such a database already; a running process never looked
again."""

import threading
import time
from pathlib import Path

import pytest
import sqlean

from memory_mcp import MemoryService
from memory_mcp.config import Settings
from memory_mcp.errors import SchemaMismatch
from memory_mcp.storage import open_storage
from memory_mcp.storage.postgres import db as pg_db
from memory_mcp.storage.postgres.migrations import TARGET as PG_TARGET
from memory_mcp.storage.sqlite.migrations import MIGRATIONS
from tests import pg
from tests.storage.rows import row


def _upgrade_elsewhere(path: Path, version: int) -> None:
    other = sqlean.connect(str(path))
    try:
        other.execute(f"pragma user_version = {version}")
        other.commit()
    finally:
        other.close()


def test_a_write_after_a_newer_version_upgraded_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "memory.db"
    store = open_storage(Settings(db=path, semantic=False))
    try:
        heron = store.insert(row("the heron waits by the river")).id
        _upgrade_elsewhere(path, len(MIGRATIONS) + 1)
        with pytest.raises(SchemaMismatch, match=r"newer memory-mcp.*Restart it"):
            store.insert(row("a kestrel hovers over the river"))
        with pytest.raises(SchemaMismatch):
            store.set_forgotten([heron], None)
        assert store.counts()["memories"] == 1  # nothing was written
        assert store.get(heron).content == "the heron waits by the river"  # reads go on
    finally:
        store.close()


def test_the_same_version_written_again_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "memory.db"
    store = open_storage(Settings(db=path, semantic=False))
    try:
        store.insert(row("the heron waits by the river"))
        _upgrade_elsewhere(path, len(MIGRATIONS))  # another process of this same version
        store.insert(row("a kestrel hovers over the river"))
        assert store.counts()["memories"] == 2
    finally:
        store.close()


def test_remember_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "memory.db"
    service = MemoryService.open(Settings(db=path, semantic=False))
    try:
        service.remember("the heron waits by the river")
        _upgrade_elsewhere(path, len(MIGRATIONS) + 1)
        with pytest.raises(SchemaMismatch, match=f"schema version {len(MIGRATIONS) + 1}"):
            service.remember("a kestrel hovers over the river")
        assert [h.content for h in service.recall("heron").hits] == ["the heron waits by the river"]
    finally:
        service.close()


@pg.needs_postgres
def test_on_postgresql_a_write_after_a_newer_version_upgraded_the_schema_is_refused() -> None:
    schema = pg.fresh_schema()
    store = open_storage(Settings(db=pg.url(), pg_schema=schema, semantic=False))
    try:
        heron = store.insert(row("the heron waits by the river")).id
        newer = PG_TARGET + 1
        pg.admin(f'insert into "{schema}".schema_version (version) values ({newer})')
        with pytest.raises(SchemaMismatch, match=rf"schema version {newer}.*Restart it"):
            store.insert(row("a kestrel hovers over the river"))
        with pytest.raises(SchemaMismatch):
            store.set_forgotten([heron], None)
        assert store.counts()["memories"] == 1
        assert store.get(heron).forgotten_at is None
        pg.admin(f'delete from "{schema}".schema_version where version = {newer}')
        store.insert(row("a kestrel hovers over the river"))  # this version's schema again
        assert store.counts()["memories"] == 2
    finally:
        store.close()


def _waiting_on_a_lock(schema: str) -> bool:
    """Whether a session waits for the write lock of `schema` (pg_db.WRITE_LOCK)."""
    import psycopg

    with psycopg.connect(pg.url(), autocommit=True) as conn:
        found = conn.execute(
            """select 1 from pg_locks where locktype = 'advisory' and not granted
               and classid::bigint = %s and objid::bigint = (hashtext(%s)::bigint + 4294967296)
                   %% 4294967296""",
            (pg_db.WRITE_LOCK, schema),
        ).fetchone()
    return found is not None


@pg.needs_postgres
def test_on_postgresql_a_write_during_an_upgrade_step_waits_for_it_and_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write whose version check ran while a newer memory-mcp's upgrade step was under way
    (step 18 rewrites rows: it takes no lock a write's waits for) read the old version and
    went on by its older rules; the step's scan had not seen its row, so a tag stayed in the
    old spelling for good. The step and the write now take one lock: the write waits, then
    sees the new version."""
    schema = pg.fresh_schema()
    store = open_storage(Settings(db=pg.url(), pg_schema=schema, semantic=False))
    started, release = threading.Event(), threading.Event()

    def newer_step(c: object) -> None:  # a newer version's step, rewriting rows
        started.set()
        release.wait()

    newer = PG_TARGET + 1
    monkeypatch.setattr(pg_db, "TARGET", newer)
    monkeypatch.setattr(pg_db, "MIGRATIONS", [*pg_db.MIGRATIONS, (newer, newer_step)])
    outcome: list[object] = []

    def upgrade() -> None:
        with pg_db.connect_once(pg.url(), schema, 60_000, 10) as conn:
            pg_db.migrate(conn, schema, create=False)

    def write() -> None:
        try:
            outcome.append(store.insert(row("a kestrel hovers over the river")))
        except SchemaMismatch as exc:
            outcome.append(exc)

    upgrading = threading.Thread(target=upgrade)
    writing = threading.Thread(target=write)
    try:
        upgrading.start()
        assert started.wait(120)
        writing.start()
        while writing.is_alive() and not _waiting_on_a_lock(schema):
            time.sleep(0.05)  # until the write is done or waits for the step
        release.set()
        upgrading.join(120)
        writing.join(120)
        assert len(outcome) == 1 and isinstance(outcome[0], SchemaMismatch)
        assert store.counts()["memories"] == 0
    finally:
        release.set()
        store.close()
