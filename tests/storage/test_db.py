"""connect() and migrate(): pragmas, sqlite-vec on a Python without extension loading, versions."""

import sqlite3
from pathlib import Path

import pytest

from memory_mcp.errors import SchemaMismatch
from memory_mcp.storage.sqlite import db
from memory_mcp.storage.sqlite.migrations import MIGRATIONS


def test_connect_loads_sqlite_vec_and_sets_pragmas(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "x.db", busy_timeout_ms=1234)
    assert db.scalar(conn, "select vec_version()").startswith("v")
    assert db.scalar(conn, "pragma journal_mode") == "wal"
    assert db.scalar(conn, "pragma busy_timeout") == 1234
    assert db.scalar(conn, "pragma foreign_keys") == 1


def test_works_where_stdlib_sqlite3_cannot_load_extensions() -> None:
    # This machine's Python (like macOS's) lacks enable_load_extension; sqlean does not.
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        pytest.skip("this Python's sqlite3 can load extensions; nothing to prove here")
    conn = db.connect(":memory:")
    assert db.scalar(conn, "select vec_version()")


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    conn = db.connect(path)
    assert db.migrate(conn, path) == len(MIGRATIONS)
    assert db.migrate(conn, path) == len(MIGRATIONS)
    assert db.schema_version(conn) == len(MIGRATIONS)


def test_newer_schema_is_refused_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = db.connect(path)
    conn.execute(f"pragma user_version = {len(MIGRATIONS) + 5}")
    before = path.read_bytes()
    with pytest.raises(SchemaMismatch, match="newer"):
        db.migrate(conn, path)
    assert path.read_bytes() == before


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "t.db")
    conn.execute("create table t (x)")
    with pytest.raises(RuntimeError), db.transaction(conn):
        conn.execute("insert into t values (1)")
        raise RuntimeError("boom")
    assert db.scalar(conn, "select count(*) from t") == 0


def test_backup_copy_is_consistent(tmp_path: Path) -> None:
    path = tmp_path / "src.db"
    conn = db.connect(path)
    db.migrate(conn, path)
    conn.execute("insert into memories (content, created_at, updated_at) values ('x', 'a', 'a')")
    copy = db.backup_copy(conn, tmp_path / "copy.db")
    other = db.connect(copy)
    assert db.scalar(other, "select count(*) from memories") == 1
    assert copy.stat().st_mode & 0o777 == 0o600
