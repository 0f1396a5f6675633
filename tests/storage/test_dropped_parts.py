"""A search index part dropped by another connection while a store has the database open is
found by the store's next write, which is refused with doctor --repair's message: the parts
were only looked for at open, so the index drifted from the memories unnoticed (SQLite
first; PostgreSQL kept writing until doctor --repair)."""

from pathlib import Path

import pytest
import sqlean

from memory_mcp.config import Settings
from memory_mcp.errors import StorageError
from memory_mcp.models import MemoryFilter
from memory_mcp.storage import open_storage
from tests import pg
from tests.storage.rows import row

EVERY = MemoryFilter(include_forgotten=True)


def _drop(path: Path, statement: str) -> None:
    other = sqlean.connect(str(path))
    try:
        other.execute(statement)
    finally:
        other.close()


@pytest.mark.parametrize(
    ("part", "statement"),
    [
        ("memories_fts_ai", "drop trigger memories_fts_ai"),
        ("memories_fts_hidden_ad", "drop trigger memories_fts_hidden_ad"),
        ("memories_vec_au", "drop trigger memories_vec_au"),
    ],
)
def test_a_part_dropped_under_an_open_store_refuses_its_next_write(
    tmp_path: Path, part: str, statement: str
) -> None:
    path = tmp_path / "memory.db"
    store = open_storage(Settings(db=path, semantic=False))
    try:
        store.ensure_vector_index("test-model", 4)
        heron = store.insert(row("the heron waits by the river")).id
        _drop(path, statement)
        with pytest.raises(StorageError, match=f"{part}.*`memory-mcp doctor --repair`"):
            store.insert(row("a kestrel hovers over the river"))
        with pytest.raises(StorageError, match=part):
            store.purge([heron])  # its text must leave the keyword index too
        assert store.counts()["memories"] == 1  # nothing was written
        assert part in store.restore_index_parts()
        kestrel = store.insert(row("a kestrel hovers over the river")).id
        assert [i for i, _ in store.search_keywords("kestrel", EVERY, 5)] == [kestrel]
        assert store.keyword_index_ok()
    finally:
        store.close()


@pg.needs_postgres
@pytest.mark.parametrize(
    ("part", "statement"),
    [
        ("memories_fts", "drop trigger memories_fts on memories"),
        ("memories_fts_stats", "drop trigger memories_fts_stats on memories"),
        ("memories_fts", "drop function memories_fts_doc() cascade"),  # the trigger went too
        ("memories_fts_stats", "drop function memories_fts_stats() cascade"),
        ("memories_vec_log", "drop trigger memories_vec_log on memories"),
        ("memory_vectors_log", "drop trigger memory_vectors_log on memory_vectors"),
        ("memory_vectors_log", "drop function memory_vectors_log() cascade"),
        # Disabled, a trigger is as good as gone: its rows would drift just the same.
        ("memories_fts", "alter table memories disable trigger memories_fts"),
        ("memories_vec_log", "alter table memories disable trigger all"),
        ("memory_vectors_log", "alter table memory_vectors disable trigger memory_vectors_log"),
        # A replica trigger fires only where session_replication_role = replica: not here.
        ("memories_fts", "alter table memories enable replica trigger memories_fts"),
    ],
)
def test_a_part_dropped_under_an_open_postgresql_store_refuses_its_next_write(
    part: str, statement: str
) -> None:
    schema = pg.fresh_schema()
    store = open_storage(Settings(db=pg.url(), pg_schema=schema, semantic=False))
    try:
        store.ensure_vector_index("test-model", 4)
        heron = store.insert(row("the heron waits by the river")).id
        pg.admin(f'set search_path = "{schema}", public', statement)
        with pytest.raises(StorageError, match=f"{part}.*`memory-mcp doctor --repair`"):
            store.insert(row("a kestrel hovers over the river"))
        with pytest.raises(StorageError, match=part):
            store.purge([heron])  # its text must leave the keyword index too
        assert store.counts()["memories"] == 1  # nothing was written
        assert part in store.restore_index_parts()
        kestrel = store.insert(row("a kestrel hovers over the river")).id
        assert [i for i, _ in store.search_keywords("kestrel", EVERY, 5)] == [kestrel]
        assert store.keyword_index_ok()
    finally:
        store.close()


@pg.needs_postgres
@pytest.mark.parametrize(
    "statement",
    [
        "alter table memories disable trigger memories_fts",
        "alter table memory_vectors disable trigger memory_vectors_log",
        "drop index memory_vectors_hnsw",
    ],
)
def test_a_trigger_cannot_be_disabled_between_a_writes_check_and_its_rows(statement: str) -> None:
    """The check holds a lock to the commit that such a statement must wait for: with a
    read's lock (ACCESS SHARE) a DISABLE TRIGGER could commit after the check and before
    the insert, whose keyword words or vector log then never came."""
    import psycopg

    schema = pg.fresh_schema()
    store = open_storage(Settings(db=pg.url(), pg_schema=schema, semantic=False))
    try:
        store.ensure_vector_index("test-model", 4)
        writing = store._write()  # type: ignore[attr-defined]  # between its check and rows
        with writing, pytest.raises(psycopg.errors.LockNotAvailable):
            pg.admin(f'set search_path = "{schema}", public', "set lock_timeout = '1s'", statement)
        store.insert(row("the heron waits by the river"))  # the parts are all there
        assert store.keyword_index_ok()
    finally:
        store.close()
