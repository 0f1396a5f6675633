"""What only the SQLite backend does: triggers, FTS5 and vec0 details, file permissions, older
vector layouts. Everything every backend must do is in test_contract.py."""

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from memory_mcp.errors import StorageError
from memory_mcp.models import MemoryFilter
from memory_mcp.storage.sqlite import db, vectors
from memory_mcp.storage.sqlite.store import SqliteStore
from memory_mcp.timestamps import NEVER, epoch_micros, format_time
from tests.storage.rows import row, vec


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    path = tmp_path / "store.db"
    conn = db.connect(path)
    db.migrate(conn, path)
    s = SqliteStore(conn, path)
    s.ensure_vector_index("test-model", 4)
    return s


def test_hand_delete_in_sql_cannot_orphan_a_vector(store: SqliteStore) -> None:
    a = store.insert(row("gamma", vec(0, 0, 1, 0)))
    store.conn.execute("delete from memories where id = :id", {"id": a})
    assert store.counts() == {
        "memories": 0,
        "forgotten": 0,
        "superseded": 0,
        "fts": 0,
        "vec": 0,
        "orphan_vec": 0,
    }


def test_failed_vector_insert_rolls_back_the_row(store: SqliteStore) -> None:
    with pytest.raises(StorageError, match="another embedding model"):
        store.insert(row("wrong dimension", np.ones(7, dtype=np.float32)))
    assert store.counts()["memories"] == 0
    assert store.counts()["fts"] == 0


def test_fts_rebuild_repairs_drift(store: SqliteStore) -> None:
    store.insert(row("drift check", vec(1, 0, 0, 0)))
    store.conn.execute("insert into memories_fts (memories_fts) values ('delete-all')")
    assert store.counts()["fts"] == 0
    store.rebuild_keyword_index()
    assert store.counts()["fts"] == 1
    assert store.search_fts('"drift"', MemoryFilter(), 5)


def test_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "private.db"
    db.connect(path).close()
    assert path.stat().st_mode & 0o777 == 0o600


def test_an_older_vector_layout_is_rebuilt_without_reembedding(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = db.connect(path)
    db.migrate(conn, path)
    s = SqliteStore(conn, path)
    a = s.insert(row("kept vector", scope="x"))
    # The first release's layout: forgotten/created_at metadata, no vec_layout in meta.
    conn.execute(
        """create virtual table memories_vec using vec0 (memory_id integer primary key,
           embedding float[4] distance_metric=cosine, scope text, kind text,
           forgotten integer, created_at text)"""
    )
    conn.execute(
        "insert into memories_vec values (:id, :e, 'x', 'fact', 0, '2026')",
        {"id": a, "e": vec(0, 1, 0, 0).tobytes()},
    )
    conn.execute("insert into meta values ('embedding_model', 'test-model')")
    conn.execute("insert into meta values ('embedding_dim', '4')")
    s.ensure_vector_index("test-model", 4)
    assert db.scalar(conn, "select value from meta where key = 'vec_layout'") == str(vectors.LAYOUT)
    assert [i for i, _ in s.search_vectors(vec(0, 1, 0, 0), MemoryFilter(scopes=["x"]), 3)] == [a]
    s.set_forgotten([a], None)  # the new triggers keep the rebuilt index in step
    assert s.search_vectors(vec(0, 1, 0, 0), MemoryFilter(scopes=["x"]), 3) == []


def test_vector_index_times_agree_with_python(store: SqliteStore) -> None:
    # vec0 metadata keeps times as integer microseconds, computed in SQL from our ISO text.
    moment = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    sql = f"select {vectors.micros(':t')}"
    assert db.scalar(store.conn, sql, {"t": format_time(moment)}) == epoch_micros(moment)
    assert epoch_micros(datetime(9999, 12, 31, 23, 59, 59, 999999)) == NEVER


def test_vector_writes_are_logged_for_in_memory_copies(store: SqliteStore) -> None:
    a = store.insert(row("logged", vec(1, 0, 0, 0)))
    store.set_forgotten([a], None)
    store.purge([a])
    logged = [r[0] for r in store.conn.execute("select memory_id from vec_log order by seq")]
    assert logged == [a, a, a]


def test_a_layout_2_index_gets_integer_times(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    conn = db.connect(path)
    db.migrate(conn, path)
    s = SqliteStore(conn, path)
    a = s.insert(row("text times", scope="x", occurred_at="2024-05-06T07:08:09.000000Z"))
    conn.execute(
        """create virtual table memories_vec using vec0 (memory_id integer primary key,
           embedding float[4] distance_metric=cosine, scope text, kind text,
           hidden integer, at text, expires text)"""
    )
    conn.execute(
        """insert into memories_vec values
           (:id, :e, 'x', 'note', 0, '2024-05-06T07:08:09.000000Z', '9999-12-31T23:59:59Z')""",
        {"id": a, "e": vec(0, 1, 0, 0).tobytes()},
    )
    for key, value in (("embedding_model", "m"), ("embedding_dim", "4"), ("vec_layout", "2")):
        conn.execute("insert into meta values (:k, :v)", {"k": key, "v": value})
    s.ensure_vector_index("m", 4)
    q = vec(0, 1, 0, 0)
    since = MemoryFilter(since=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC))
    assert [i for i, _ in s.search_vectors(q, since, 3)] == [a]
    later = MemoryFilter(since=datetime(2024, 5, 6, 7, 8, 10, tzinfo=UTC))
    assert s.search_vectors(q, later, 3) == []
    assert db.scalar(conn, "select value from meta where key = 'vec_layout'") == "3"


def test_counts_are_one_snapshot_while_another_connection_writes(
    store: SqliteStore, tmp_path: Path
) -> None:
    """A write committed between two counts is not drift (issue 11, #7)."""
    store.insert_many([row(f"before {i}", vec(1, 0, 0, i)) for i in range(50)])
    other = SqliteStore(db.connect(tmp_path / "store.db"), tmp_path / "store.db")
    written: list[int] = []

    def write_now() -> int:  # runs inside store's statements, as often as SQLite allows
        written.append(other.insert(row(f"meanwhile {len(written)}", vec(0, 1, 0, 1))))
        return 0

    store.conn.set_progress_handler(write_now, 50)
    try:
        counts = store.counts()
    finally:
        store.conn.set_progress_handler(None, 0)
    assert len(written) > 3, "no write landed during the counts"
    assert counts["memories"] == counts["fts"] == counts["vec"]
    assert counts["orphan_vec"] == 0
    other.close()
