"""connect() and migrate(): pragmas, sqlite-vec on a Python without extension loading, versions."""

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlean

from memory_mcp.config import Settings
from memory_mcp.errors import SchemaMismatch
from memory_mcp.storage import open_storage
from memory_mcp.storage.sqlite import db, migrations
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


def old_schema(path: Path, before: Callable[[Any], None]) -> db.Connection:
    """A database migrated only up to the step `before` (as an older memory-mcp left it)."""
    conn = db.connect(path)
    for version, step in enumerate(MIGRATIONS[: MIGRATIONS.index(before)], start=1):
        with db.transaction(conn):
            step(conn)
            conn.execute(f"pragma user_version = {version}")
    return conn


def test_migration_settles_keys_with_several_current_values(tmp_path: Path) -> None:
    """Writers racing before one current value per key was enforced left clashes: the
    migration keeps the later-created value current and supersedes the others by it."""
    path = tmp_path / "raced.db"
    conn = old_schema(path, migrations._one_current_value)
    rows = [  # (content, scope, key, created_at, forgotten_at)
        ("Editor is Helix", "global", "user.editor", "2024-01-03T00:00:00.000000Z", None),
        ("Editor is Zed", "global", "user.editor", "2024-01-01T00:00:00.000000Z", None),
        ("Editor is Vim", "global", "user.editor", "2024-01-02T00:00:00.000000Z", None),
        (
            "Editor is nano",
            "global",
            "user.editor",
            "2024-01-09T00:00:00.000000Z",
            "2024-01-10T00:00:00.000000Z",
        ),
        ("Editor is Kate", "other", "user.editor", "2024-01-01T00:00:00.000000Z", None),
        ("Same text", "global", None, "2024-01-01T00:00:00.000000Z", None),
        ("Same text", "global", None, "2024-01-01T00:00:00.000000Z", None),
    ]
    for content, scope, key, at, forgotten in rows:
        conn.execute(
            """insert into memories (content, scope, key, created_at, updated_at, forgotten_at)
               values (?, ?, ?, ?, ?, ?)""",
            (content, scope, key, at, at, forgotten),
        )
    conn.close()
    store = open_storage(Settings(db=path, semantic=False))
    assert (tmp_path / f"raced.db.v{MIGRATIONS.index(migrations._one_current_value)}.bak").exists()
    assert [m.id for m in store.current_for_key("global", "user.editor")] == [1]
    assert [store.get(i).superseded_by for i in (2, 3, 4, 5)] == [1, 1, None, None]
    entry = store.history(2)[0]
    assert (entry.action, entry.client, entry.detail) == (
        "supersede",
        "migration",
        {"by": 1, "why": "key"},
    )
    assert store.counts()["memories"] == 7  # nothing else touched, duplicates included
    store.close()
    conn = db.connect(path)
    with pytest.raises(sqlean.IntegrityError, match="UNIQUE"):
        conn.execute(
            """insert into memories (content, scope, key, created_at, updated_at)
               values ('Editor is Emacs', 'global', 'user.editor', 'a', 'a')"""
        )
    with pytest.raises(sqlean.IntegrityError, match="already superseded"):
        conn.execute("update memories set superseded_by = 5 where id = 2")
