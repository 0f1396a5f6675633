"""What only the SQLite backend does: triggers, FTS5 and vec0 details, file permissions, older
vector layouts. Everything every backend must do is in test_contract.py."""

import contextlib
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from memory_mcp.errors import NotFound, StorageError
from memory_mcp.models import MemoryFilter
from memory_mcp.storage.sqlite import db, ftscheck, ftsrebuild, maintenance, vectors, writes
from memory_mcp.storage.sqlite.base import to_memory
from memory_mcp.storage.sqlite.filters import memory_conditions, where
from memory_mcp.storage.sqlite.migrations import MIGRATIONS
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
    a = store.insert(row("gamma", vec(0, 0, 1, 0))).id
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
    a = s.insert(row("kept vector", scope="x")).id
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
    a = store.insert(row("logged", vec(1, 0, 0, 0))).id
    store.set_forgotten([a], None)
    store.purge([a])
    logged = [r[0] for r in store.conn.execute("select memory_id from vec_log order by seq")]
    assert logged == [a, a, a]


def test_a_layout_2_index_gets_integer_times(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    conn = db.connect(path)
    db.migrate(conn, path)
    s = SqliteStore(conn, path)
    a = s.insert(row("text times", scope="x", occurred_at="2024-05-06T07:08:09.000000Z")).id
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


def test_hidden_memories_move_to_their_own_keyword_index(tmp_path: Path) -> None:
    # A schema-3 database (one keyword index over every row) with a forgotten and a
    # superseded memory, migrated: each row lands in the index its state calls for.
    path = tmp_path / "v3.db"
    conn = db.connect(path)
    for step in MIGRATIONS[:3]:
        step(conn)
    conn.execute("pragma user_version = 3")
    for content, hidden in (("kept editor", ""), ("gone editor", "forgotten_at"),
                            ("old editor", "superseded_by")):  # fmt: skip
        conn.execute(
            "insert into memories (content, created_at, updated_at) values (:c, 'a', 'a')",
            {"c": content},
        )
        if hidden:
            conn.execute(f"update memories set {hidden} = 1 where content = :c", {"c": content})
    db.migrate(conn, path)
    store = SqliteStore(conn, path)
    visible = "select rowid from memories_fts where memories_fts match 'editor'"
    hidden = "select rowid from memories_fts_hidden where memories_fts_hidden match 'editor'"
    assert [r[0] for r in conn.execute(visible)] == [1]
    assert sorted(r[0] for r in conn.execute(hidden)) == [2, 3]
    assert store.counts()["fts"] == 3 and store.keyword_index_ok()


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


def words_table(path: Path, rows: int, seed: int = 3) -> SqliteStore:
    """A store of `rows` memories of ~100 random words each, inserted in one transaction."""
    rng = random.Random(seed)
    vocabulary = [f"word{i}" for i in range(3000)]
    store = SqliteStore(db.connect(path), path)
    db.migrate(store.conn, path)
    with db.transaction(store.conn):
        store.conn.executemany(
            "insert into memories (content, created_at, updated_at) values (:c, 'a', 'a')",
            ({"c": " ".join(rng.choices(vocabulary, k=100))} for _ in range(rows)),
        )
    return store


def fts_exact(store: SqliteStore) -> None:
    """Both keyword indexes hold exactly what `memories` holds (FTS5's own full check),
    each with secure-delete on (a rebuilt table carries its options over)."""
    for check in maintenance.FTS_CHECKS:
        store.conn.execute(check)
    counts = store.counts()
    assert counts["fts"] == counts["memories"]
    for index in maintenance.KEYWORD_INDEXES:
        on = f"select v from {index}_config where k = 'secure-delete'"
        assert db.scalar(store.conn, on) == 1, index


@contextmanager
def busy_writer(
    path: Path, busy_timeout_ms: int, slowest: list[float] | None = None, pause: float = 0.002
) -> Iterator[tuple[list[str], list[int]]]:
    """Another connection inserting, editing and deleting rows (anywhere in the table),
    `pause` seconds between rounds of five writes; yields (its lock errors, writes done so
    far), once it has started. `slowest[0]` becomes the longest any one insert took (waiting
    for the lock included)."""
    other = SqliteStore(db.connect(path, busy_timeout_ms=busy_timeout_ms), path)
    stop, errors, done = threading.Event(), [], [0]
    slowest = [0.0] if slowest is None else slowest

    def write() -> None:
        rng = random.Random(1)
        while not stop.is_set():
            try:
                started = time.perf_counter()
                new = other.insert(row(f"written meanwhile kestrel{done[0]}")).id
                slowest[0] = max(slowest[0], time.perf_counter() - started)
                other.update(rng.randint(1, new), {"content": f"edited meanwhile heron {new}"})
                other.purge([rng.randint(1, new)])
                moved = rng.randint(1, new)  # between the visible and the hidden index
                other.set_forgotten([moved], None)
                if rng.random() < 0.5:
                    other.restore([moved])
                done[0] += 1
            except NotFound:
                pass  # edited a row purged before
            except StorageError as exc:
                errors.append(str(exc))
            time.sleep(pause)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while not done[0] and thread.is_alive():
            time.sleep(0.001)
        yield errors, done
    finally:
        stop.set()
        thread.join()
        other.close()


def test_keyword_rebuild_never_locks_a_writer_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FTS5's `rebuild` held the write lock for the whole table (issue 11, #6). It runs in
    short transactions now, the lock free between them: there another connection inserts,
    hides and edits rows, on both sides of the rebuild's progress, while a thread inserts,
    edits, deletes and hides rows at any moment too; afterwards the index holds exactly
    what `memories` holds.
    (The pause between batches is where that write goes, on the rebuild's own thread: a
    rebuild still holding the lock there would never see the write through. Timing how long
    the thread's writes waited against the rebuild failed whenever a loaded machine stalled
    one write.)"""
    monkeypatch.setattr(maintenance, "REBUILD_SECONDS", 0.03)
    path = tmp_path / "big.db"
    store = words_table(path, 20_000)  # FTS5's rebuild: ~0.3 s
    reader = SqliteStore(db.connect(path), path)  # a long-lived connection elsewhere
    assert reader.search_fts('"word1"', MemoryFilter(), 5)
    between = SqliteStore(db.connect(path, busy_timeout_ms=10_000), path)
    rng, gaps, real_sleep = random.Random(2), [0], time.sleep

    def write_in_the_pause(seconds: float) -> None:
        new = between.insert(row(f"written meanwhile kestrel gap{gaps[0]}")).id
        between.set_forgotten([new], None)  # into the hidden index
        with contextlib.suppress(NotFound):  # one the thread purged
            between.update(rng.randint(1, new), {"content": f"edited meanwhile heron {new}"})
        # (No purge here: each empties the log, a full checkpoint; the thread purges.)
        gaps[0] += 1
        real_sleep(seconds)

    monkeypatch.setattr(maintenance, "time", SimpleNamespace(
        perf_counter=time.perf_counter, sleep=write_in_the_pause))  # fmt: skip
    # Pauses of 20 ms: with 2 ms ones, the rebuild's own wait for the lock (SQLite's busy
    # handler polls at growing intervals) missed every gap for 5 s on a loaded machine.
    with busy_writer(path, 10_000, pause=0.02) as (errors, _):
        store.rebuild_keyword_index()
    between.close()
    assert not errors, errors[:3]
    # Batches start at REBUILD_FIRST_ROWS and grow at most 4x each: 20,000 rows take at
    # least five batches per index, whatever the machine's speed, so four pauses.
    assert gaps[0] >= 2 * 4, gaps
    fts_exact(store)
    hidden = "select count(*) from memories where forgotten_at is not null"
    assert db.scalar(store.conn, hidden) > 5, "no row moved to the hidden index"
    for word in ("heron", "meanwhile"):
        for flt, visible in ((MemoryFilter(), "and forgotten_at is null"),
                             (MemoryFilter(include_forgotten=True), "")):  # fmt: skip
            found = {i for i, _ in store.search_fts(f'"{word}"', flt, 10_000)}
            like = store.conn.execute(
                f"select id from memories where content like :w {visible}", {"w": f"%{word}%"}
            ).fetchall()
            assert found == {r[0] for r in like}
            assert {i for i, _ in reader.search_fts(f'"{word}"', flt, 10_000)} == found
    assert not store.conn.execute("select 1 from sqlite_master where name like '%next%'").fetchall()


def test_the_full_keyword_check_never_locks_a_writer_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FTS5's full check is an INSERT: it held the write lock while it read the whole index
    (issue 11, #6 and #7). It runs on a snapshot copy now, and still finds drift. Another
    connection writes while each index is copied and while the copy is checked, on the
    check's own thread (in order, whatever the machine's speed: a check holding the lock
    there would never see the write through). (Before, a thread's writes, each waiting 20
    ms at most, were counted during three checks: a number of the machine's speed. A thread
    is no use beside the writes above: its purges empty the log, which waits for the
    check's open read while holding the lock, and the check waits for the write above.)"""
    path = tmp_path / "big.db"
    store = words_table(path, 8_000)  # FTS5's check: ~0.1 s
    meanwhile = SqliteStore(db.connect(path, busy_timeout_ms=10_000), path)
    written: list[str] = []
    copy_index, connect = ftscheck._copy_index, ftscheck.connect

    def write(when: str) -> None:
        meanwhile.insert(row(f"written meanwhile {when}"))
        written.append(when)

    def copying(c: db.Connection, names: ftsrebuild.Names) -> None:
        write(f"copying {names.index}")
        copy_index(c, names)

    def checking(*args: Any, **kwargs: Any) -> db.Connection:
        write("checking")
        return connect(*args, **kwargs)

    monkeypatch.setattr(ftscheck, "_copy_index", copying)
    monkeypatch.setattr(ftscheck, "connect", checking)
    verdicts = [store.keyword_index_ok() for _ in range(3)]
    monkeypatch.undo()
    meanwhile.close()
    assert len(written) == 3 * (len(maintenance.KEYWORD_INDEXES) + 1), written
    assert verdicts == [True] * 3
    store.set_forgotten([5, 6], None)
    for index in maintenance.KEYWORD_INDEXES:  # either index checked
        assert store.keyword_index_ok()
        store.conn.execute(  # it loses one memory's words, as if a trigger had not fired
            f"insert into {index} ({index}, rowid, content, tags, context) "
            f"select 'delete', id, content, tags, context from {index}_source limit 1"
        )
        assert not store.keyword_index_ok()
        store.rebuild_keyword_index()
    assert not list(tmp_path.glob(".*")), "a scratch copy was left behind"


def test_an_interrupted_keyword_rebuild_carries_on(tmp_path: Path) -> None:
    """Killed after a few batches: searches use the old index meanwhile, writes keep the
    half-built one exact, and the next rebuild finishes it."""
    path = tmp_path / "half.db"
    store = words_table(path, 300)
    store.set_forgotten([30, 280], None)
    for index in maintenance.KEYWORD_INDEXES:  # both killed midway
        with db.transaction(store.conn) as c:
            ftsrebuild.start(c, index)
        for _ in range(2):
            with db.transaction(store.conn) as c:
                assert ftsrebuild.step(c, index, 50) == 50
    assert store.search_fts('"word7"', MemoryFilter(), 500)  # the old index still answers
    store.update(10, {"content": "edited below the mark"})
    store.update(250, {"content": "edited above the mark"})
    store.purge([20, 260])
    store.insert(row("inserted after the kill"))
    store.set_forgotten([10, 40], None)  # rows move between the half-built indexes
    store.restore([30])
    store.update(280, {"content": "edited while forgotten"})
    again = SqliteStore(db.connect(path), path)
    again.rebuild_keyword_index()
    fts_exact(again)
    assert {i for i, _ in again.search_fts('"edited"', MemoryFilter(), 10)} == {250}
    everything = MemoryFilter(include_forgotten=True)
    assert {i for i, _ in again.search_fts('"edited"', everything, 10)} == {10, 250, 280}
    assert again.search_fts('"inserted"', MemoryFilter(), 10)
    with db.transaction(store.conn) as c:  # a rebuild that lost the race to swap stops
        for index in maintenance.KEYWORD_INDEXES:
            assert ftsrebuild.step(c, index, 50) is None and not ftsrebuild.finish(c, index)


def test_vectors_for_looks_up_its_ids_without_scanning_the_index(store: SqliteStore) -> None:
    """Recall with max_tokens reads its hits' vectors: point lookups, not a vec0 scan (which
    cost ~50 ms per call at 100k memories). Counted in SQLite VM steps, not timed."""
    rng = np.random.default_rng(2)
    made = store.insert_many([row(f"m{i}", rng.normal(size=4)) for i in range(3_000)])
    ids = [r.id for r in made]
    steps = 0

    def step() -> int:
        nonlocal steps
        steps += 1
        return 0

    store.conn.set_progress_handler(step, 1)
    try:
        found = store.vectors_for([ids[10], ids[2_000]])
    finally:
        store.conn.set_progress_handler(None, 1)
    assert sorted(found) == [ids[10], ids[2_000]]
    assert steps < 1_000  # a scan takes a few VM steps per stored vector


def test_keyword_ranking_reads_rows_only_for_the_best_matches(store: SqliteStore) -> None:
    """The keyword leg ranks in FTS5 and checks the filter on its best matches' rows, batch
    by batch: the answer is the one a statement joining every match to its row gives, even
    when the filter rejects most of the best matches."""
    rng = random.Random(4)
    past = format_time(datetime(2020, 1, 1, tzinfo=UTC))
    rows = []
    for i in range(1_500):
        words = rng.choices(["apple", "pear", "plum", "fig", "kiwi", "lime"], k=rng.randint(1, 9))
        rows.append(
            row(f"{' '.join(words)} {i}", scope="rare" if i % 97 == 0 else "bulk",
                kind="fact" if i % 3 else "note", expires_at=past if i % 5 == 0 else None)
        )  # fmt: skip
    store.insert_many(rows)

    def joined(flt: MemoryFilter, k: int) -> list[tuple[int, float]]:
        conds, params = memory_conditions(flt, datetime.now(UTC))
        sql = f"""
            select m.id, -bm25(memories_fts, 1.0, 1.0, 1.0) as score
            from memories_fts join memories m on m.id = memories_fts.rowid
            where memories_fts match :match {where(conds, "and")}
            order by score desc, m.id desc limit :k
        """
        found = store.conn.execute(sql, params | {"match": '"apple" OR "kiwi"', "k": k})
        return [(int(r[0]), float(r[1])) for r in found]

    for flt, k in [
        (MemoryFilter(), 10),
        (MemoryFilter(scopes=["rare"]), 10),
        (MemoryFilter(scopes=["rare"], kind="note"), 40),
        (MemoryFilter(include_expired=True), 32),
        (MemoryFilter(scopes=["nowhere"]), 10),
    ]:
        got = store.search_fts('"apple" OR "kiwi"', flt, k)
        assert got == joined(flt, k), flt


def test_the_vector_index_is_looked_up_until_seen_committed(tmp_path: Path) -> None:
    """has_table remembers an index a connection saw committed (sparing a sqlite_master scan
    per read and write), never one whose creation then rolled back, nor a missing one (another
    connection may create it)."""
    path = tmp_path / "seen.db"
    store, other = (SqliteStore(db.connect(path), path) for _ in range(2))
    db.migrate(store.conn, path)
    with pytest.raises(RuntimeError), db.transaction(store.conn) as c:
        vectors.create_index(c, "test-model", 4)
        assert vectors.has_table(c)
        raise RuntimeError("rolled back")
    assert not vectors.has_table(store.conn)
    other.ensure_vector_index("test-model", 4)  # created by another connection
    assert vectors.has_table(store.conn)
    scans: list[str] = []
    store.conn.set_trace_callback(scans.append)
    assert vectors.has_table(store.conn) and store.has_vector_index()
    store.conn.set_trace_callback(None)
    assert scans == []
    store.close()
    other.close()


def test_the_change_log_is_trimmed_every_few_writes(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "LOG_KEEP", 3)
    monkeypatch.setattr(vectors, "TRIM_EVERY", 4)
    for i in range(10):
        store.insert(row(f"logged {i}", vec(1, 0, 0, i)))
        kept = [r[0] for r in store.conn.execute("select seq from vec_log order by seq")]
        assert kept[-1] == i + 1 and len(kept) <= 3 + 4 - 1, kept
    assert kept == [6, 7, 8, 9, 10]  # trimmed at 8: seq <= 5 gone


def test_a_run_is_logged_in_row_order_and_trimmed_as_row_by_row(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run of new rows logs its vectors by one statement: each row's `logged` is its own
    log position, in row order (in-memory copies apply them one after another), and the log
    is trimmed as inserting them one by one would have trimmed it."""
    monkeypatch.setattr(vectors, "LOG_KEEP", 3)
    monkeypatch.setattr(vectors, "TRIM_EVERY", 4)
    store.insert(row("before", vec(0, 1, 0, 0)))
    done = store.insert_many(
        [row("no vector")] + [row(f"run {i}", vec(1, 0, 0, i)) for i in range(9)]
    )
    assert [d.logged for d in done] == [0, *range(2, 11)]
    kept = [tuple(r) for r in store.conn.execute("select seq, memory_id from vec_log order by seq")]
    assert kept == [(seq, done[seq - 1].id) for seq in range(6, 11)]  # trimmed at 8: <= 5


def test_a_bulk_insert_builds_no_memory_models(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """insert_many's callers read ids and outcomes; a Memory per row (JSON, times, pydantic)
    was a sixth of a bulk insert's time. insert still returns the row it stored."""
    built: list[object] = []
    monkeypatch.setattr(writes, "to_memory", lambda r: built.append(r) or to_memory(r))
    done = store.insert_many([row(f"bulk {i}", vec(1, 0, 0, i)) for i in range(5)])
    assert [d.status for d in done] == ["created"] * 5 and not built
    one = store.insert(row("single", vec(0, 1, 0, 0)))
    assert one.memory is not None and one.memory.content == "single" and len(built) == 1


def test_a_bulk_write_of_enough_rows_is_merged_into_one_segment(store: SqliteStore) -> None:
    """Each batch's transaction adds an FTS5 segment; compact_keyword_index merges them into
    one (a bounded step a transaction), but only for a write of at least MIN_ROWS rows and
    1/SHARE of the index: below that the cost would grow with the index, not the write."""
    from memory_mcp.storage.sqlite import ftsmerge

    rows = 12 * 200
    for batch in range(12):
        store.insert_many([row(f"note {batch} number {i} of a batch") for i in range(200)])
    assert ftsmerge.segments(store.conn, "memories_fts") > 1
    assert rows // ftsmerge.SHARE > ftsmerge.MIN_ROWS
    before = store.conn.total_changes
    store.compact_keyword_index(ftsmerge.MIN_ROWS - 1)  # a small write: left to automerge
    store.compact_keyword_index(rows // ftsmerge.SHARE - 1)  # under 1/SHARE of the index
    assert store.conn.total_changes == before and ftsmerge.segments(store.conn, "memories_fts") > 1
    store.compact_keyword_index(rows // ftsmerge.SHARE)
    assert ftsmerge.segments(store.conn, "memories_fts") == 1
    assert ids_of(store.search_keywords("number 7", MemoryFilter(), 20)) != []
    assert store.keyword_index_ok()


def ids_of(ranked: list[tuple[int, float]]) -> list[int]:
    return [i for i, _ in ranked]
