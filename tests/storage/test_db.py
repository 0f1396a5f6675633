"""connect() and migrate(): pragmas, sqlite-vec on a Python without extension loading, versions."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlean

from memory_mcp.config import Settings
from memory_mcp.errors import SchemaMismatch, StorageError
from memory_mcp.models import MemoryFilter
from memory_mcp.storage import open_storage
from memory_mcp.storage.sqlite import db, migrations
from memory_mcp.storage.sqlite.migrations import (
    MIGRATIONS,
    context,
    initial,
    keyword_words,
    lifecycle,
    one_current,
    spaced,
)
from tests.storage.rows import row


def test_connect_loads_sqlite_vec_and_sets_pragmas(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "x.db", busy_timeout_ms=1234)
    assert db.scalar(conn, "select vec_version()").startswith("v")
    assert db.scalar(conn, "pragma journal_mode") == "wal"
    assert db.scalar(conn, "pragma busy_timeout") == 1234
    assert db.scalar(conn, "pragma foreign_keys") == 1


def test_open_waits_for_a_writer_instead_of_failing_at_once(tmp_path: Path) -> None:
    # SQLite refuses the switch to WAL at once, without its busy handler, while another
    # connection writes in the old journal mode (how a file looks while it is being made,
    # or its log deleted on close): many processes opening one file failed at random.
    path = tmp_path / "busy.db"
    writer = sqlean.connect(str(path), isolation_level=None, check_same_thread=False)
    writer.execute("create table meta (x)")  # a memory-mcp file in the making
    writer.execute("create table memories (x)")
    writer.execute("begin immediate")
    writer.execute("insert into memories values (1)")

    def finish() -> None:
        writer.execute("commit")
        writer.close()

    timer = threading.Timer(0.3, finish)
    timer.start()
    started = time.monotonic()
    conn = db.connect(path, busy_timeout_ms=5000)
    timer.join()
    assert time.monotonic() - started >= 0.25  # it waited for the writer
    assert db.scalar(conn, "pragma journal_mode") == "wal"
    assert db.scalar(conn, "select count(*) from memories") == 1


def test_open_still_gives_up_after_the_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "held.db"
    writer = sqlean.connect(str(path), isolation_level=None)
    writer.execute("create table meta (x)")  # a memory-mcp file in the making
    writer.execute("create table memories (x)")
    writer.execute("begin immediate")
    writer.execute("insert into memories values (1)")
    with pytest.raises(StorageError, match="lock for longer than 200 ms"):
        db.connect(path, busy_timeout_ms=200)
    writer.execute("commit")


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
    conn = old_schema(path, one_current.one_current_value)
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
    assert (tmp_path / f"raced.db.v{MIGRATIONS.index(one_current.one_current_value)}.bak").exists()
    assert [m.id for m in store.current_for_key("global", "user.editor")] == [1]
    assert [store.get(i).superseded_by for i in (2, 3, 4, 5)] == [1, 1, None, None]
    # dated by the data (the value that stays was created then), not the upgrade's day
    assert [store.get(i).superseded_at for i in (2, 3)] == [store.get(1).created_at] * 2
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


def filled(path: Path, rows: int, chars: int = 4000) -> db.Connection:
    """A migrated database of `rows` memories of about `chars` characters each."""
    conn = db.connect(path)
    db.migrate(conn, path)
    with db.transaction(conn):
        conn.executemany(
            "insert into memories (content, created_at, updated_at) values (:c, 'a', 'a')",
            ({"c": f"{'x' * chars} filler {i}"} for i in range(rows)),
        )
    return conn


def test_backup_under_steady_writes_finishes_without_restarting(tmp_path: Path) -> None:
    """The online backup API restarted on every write between its steps (issue 11, #5)."""
    conn = filled(tmp_path / "src.db", 5000)  # ~20 MB: many steps of the old 1024 pages
    writer = db.connect(tmp_path / "src.db")
    stop, writes = threading.Event(), [0]

    def write() -> None:
        while not stop.is_set() and writes[0] < 2000:
            with db.transaction(writer):
                writer.execute(
                    "insert into memories (content, created_at, updated_at) "
                    "values ('written during the backup', 'a', 'a')"
                )
            writes[0] += 1
            time.sleep(0.002)

    seen: list[tuple[int, int]] = []
    thread = threading.Thread(target=write)
    thread.start()
    try:
        while writes[0] < 5:
            time.sleep(0.001)
        before = writes[0]
        db.backup_copy(conn, tmp_path / "copy.db", lambda done, total: seen.append((done, total)))
        during = writes[0] - before
    finally:
        stop.set()
        thread.join()
    assert during > 0, "nothing was written while the backup ran"
    done = [d for d, _ in seen]
    assert done == sorted(done), "the copy started over"
    assert seen[-1][0] == seen[-1][1]
    copy = db.connect(tmp_path / "copy.db")
    assert db.scalar(copy, "pragma integrity_check") == "ok"
    memories = db.scalar(copy, "select count(*) from memories")
    assert 5000 <= memories <= 5000 + writes[0]
    assert db.scalar(copy, "select count(*) from memories_fts_docsize") == memories
    assert not list(tmp_path.glob(".*partial"))


def test_partial_copies_of_dead_processes_are_swept_on_open(tmp_path: Path) -> None:
    """A copy killed before a migration left `.memory.db.v1.bak.PID.partial` (issue 11)."""
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    dead, alive = int(gone.stdout), os.getppid()
    stale = tmp_path / f".memory.db.v1.bak.{dead}.partial"
    old_style = tmp_path / f".memory.db.v2.bak.{dead}-0a1b2c3d.partial"
    live = tmp_path / f".memory.db.v1.bak.{alive}-00ff00ff.partial"
    other = tmp_path / f".notes.db.{dead}.partial"  # not this database's: left to its backup
    for path in (stale, old_style, live, other):
        path.write_bytes(b"half a copy")
    path = tmp_path / "memory.db"
    db.migrate(db.connect(path), path)
    assert sorted(p.name for p in tmp_path.glob(".*partial")) == sorted([live.name, other.name])
    db.backup_copy(db.connect(path), tmp_path / "b.db")
    assert [p.name for p in tmp_path.glob(".*partial")] == [live.name]


def _erasure_as_first_numbered(conn: Any) -> None:
    """The erasure step as main numbered it 4 (Dec 5, 12:27-12:41), before the keyword
    index was split in two: secure-delete on the one index, purged memories' text erased."""
    conn.execute("insert into memories_fts (memories_fts, rank) values ('secure-delete', 1)")
    conn.execute(
        "update history set before = null, after = null where memory_id not in "
        "(select id from memories)"
    )


@pytest.mark.parametrize("steps", [4, 5])
def test_a_file_numbered_in_another_step_order_is_completed(tmp_path: Path, steps: int) -> None:
    """Merges renumbered steps: files made on main between two merges say version 4 or 5 but
    hold _erasure (and _one_current_value), never _visible_keyword_index. Opening one runs
    the steps whose work is missing, skips those it holds, and loses nothing."""
    path = tmp_path / "merged.db"
    conn = db.connect(path)
    order = [initial.initial_schema, lifecycle.lifecycle, context.context]
    order += [_erasure_as_first_numbered, one_current.one_current_value][: steps - 3]
    for version, step in enumerate(order, start=1):
        with db.transaction(conn):
            step(conn)
            conn.execute(f"pragma user_version = {version}")
    rows = [("Editor is Helix", "user.editor", None), ("Old plan", None, "2024-01-02T00:00Z")]
    for content, key, forgotten in rows:
        conn.execute(
            """insert into memories (content, key, created_at, updated_at, forgotten_at)
               values (?, ?, '2024-01-01T00:00Z', '2024-01-01T00:00Z', ?)""",
            (content, key, forgotten),
        )
    conn.execute(
        """insert into history (memory_id, action, at, client)
           values (1, 'create', '2024-01-01T00:00Z', 'cli')"""
    )
    conn.close()

    store = open_storage(Settings(db=path, semantic=False))
    assert store.counts()["memories"] == 2
    assert [m.id for m in store.current_for_key("global", "user.editor")] == [1]
    assert [e.action for e in store.history(1)] == ["create"]
    store.close()
    conn = db.connect(path)
    assert db.schema_version(conn) == len(MIGRATIONS)
    assert all(probe(conn) for probe in migrations.APPLIED.values())
    # The visible index holds the current memory only; the forgotten one is in the other.
    assert db.scalar(conn, "select count(*) from memories_fts where memories_fts match 'helix'")
    assert not db.scalar(conn, "select count(*) from memories_fts where memories_fts match 'plan'")
    assert db.scalar(
        conn, "select count(*) from memories_fts_hidden where memories_fts_hidden match 'plan'"
    )


def test_a_file_at_the_newest_number_missing_a_step_gets_it(tmp_path: Path) -> None:
    """A file whose newest number meant another step (a branch merged in another order)
    says it is current: the step it lacks still runs, once, with the file backed up."""
    path = tmp_path / "branch.db"
    conn = db.connect(path)
    db.migrate(conn, path)
    with db.transaction(conn):
        conn.execute("drop index history_principal")
        conn.execute("drop table principals")
        conn.execute("alter table history drop column principal")
    conn.close()
    store = open_storage(Settings(db=path, semantic=False))
    assert store.save_principal("alice", ["team=read"]).grants == ("team=read",)
    store.close()
    assert [p.name for p in tmp_path.glob("*.bak")] == [f"branch.db.v{len(MIGRATIONS)}.bak"]


def test_an_upgrade_whose_steps_have_nothing_to_do_makes_no_backup(tmp_path: Path) -> None:
    """Step 11 changes nothing in a SQLite file (PostgreSQL's keyword column needed it): a
    file of version 10 is counted at the newest version without a copy of the whole file."""
    path = tmp_path / "memory.db"
    store = open_storage(Settings(db=path, semantic=False))
    kept = store.insert(row("Ticket CR-004211 is closed")).id
    store.close()
    conn = db.connect(path)
    with db.transaction(conn):
        conn.execute("pragma user_version = 10")
        db.set_meta(conn, "schema_version", "10")
    conn.close()
    store = open_storage(Settings(db=path, semantic=False))
    try:
        assert [mid for mid, _ in store.search_keywords("004211", MemoryFilter(), 5)] == [kept]
    finally:
        store.close()
    conn = db.connect(path)
    assert db.schema_version(conn) == len(MIGRATIONS) == 20
    conn.close()
    assert list(tmp_path.glob("*.bak*")) == []


def test_scopes_and_tags_take_one_unicode_form_on_upgrade(tmp_path: Path) -> None:
    """Version 11 kept "café" with a composed and a decomposed "é" as two scopes (and two
    tags) that print alike: step 12 makes each one, leaves the later-created value of a key
    current in the scope now one, and records each change; nothing is deleted."""
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    path = tmp_path / "memory.db"
    store = open_storage(Settings(db=path, semantic=False))
    first = store.insert(row("Deploys on Fridays", key="project.deploy", scope=composed)).id
    second = store.insert(row("Deploys on Mondays", key="project.deploy", scope="elsewhere")).id
    store.close()
    conn = db.connect(path)
    with db.transaction(conn):  # as version 11 stored what it was sent
        conn.execute(
            "update memories set scope = ?, tags = ? where id = ?",
            (decomposed, json.dumps([decomposed, composed, "ops"]), first),
        )
        conn.execute("update memories set scope = ? where id = ?", (composed, second))
        conn.execute("delete from meta where key = 'name_form'")
        conn.execute("pragma user_version = 11")
        db.set_meta(conn, "schema_version", "11")
    conn.close()
    store = open_storage(Settings(db=path, semantic=False))
    try:
        assert [m.id for m in store.current_for_key(composed, "project.deploy")] == [second]
        assert store.get(first).superseded_by == second
        assert store.get(first).superseded_at == store.get(second).created_at  # by the data
        assert (store.get(first).scope, store.get(first).tags) == (composed, [composed, "ops"])
        renamed, superseded = store.history(first)[:2]
        assert (renamed.action, renamed.client) == ("edit", "migration")
        assert renamed.before and renamed.after
        assert (renamed.before["scope"], renamed.after["scope"]) == (decomposed, composed)
        assert superseded.detail == {"by": second, "why": "key"}
    finally:
        store.close()


def test_grants_take_one_unicode_form_on_upgrade(tmp_path: Path) -> None:
    """Version 12 made scopes and tags NFC but left grants as typed: `token list` showed a
    grant on `café/*` typed decomposed in that form (and two grants that print alike).
    Step 13 stores each in the one form, once."""
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    path = tmp_path / "memory.db"
    store = open_storage(Settings(db=path, semantic=False))
    store.save_principal("carol", [f"{decomposed}/*=read", f"{composed}/*=read", "team=write"])
    store.save_principal("dave", ["team=read"])
    store.close()
    conn = db.connect(path)
    with db.transaction(conn):  # as version 12 left it
        conn.execute("delete from meta where key = 'grant_form'")
        conn.execute("pragma user_version = 12")
        db.set_meta(conn, "schema_version", "12")
    conn.close()
    store = open_storage(Settings(db=path, semantic=False))
    try:
        carol, dave = store.get_principal("carol"), store.get_principal("dave")
        assert carol is not None and carol.grants == (f"{composed}/*=read", "team=write")
        assert dave is not None and dave.grants == ("team=read",)
    finally:
        store.close()


def test_every_schema_step_has_a_probe() -> None:
    """A step appended without a probe would be trusted to its number, which a merge may
    have given another step in some file (see migrations/)."""
    assert set(MIGRATIONS) == set(migrations.APPLIED)


def test_each_probe_tells_its_own_step_from_the_ones_before() -> None:
    conn = db.connect(":memory:")
    for step in MIGRATIONS:
        if step in migrations.NOTHING_TO_DO:
            assert migrations.APPLIED[step](conn), step.__name__
            continue
        assert not migrations.APPLIED[step](conn), step.__name__
        step(conn)
        assert migrations.APPLIED[step](conn), step.__name__


def test_the_keyword_index_is_rebuilt_spaced_on_upgrade(tmp_path: Path) -> None:
    """A database of version 7 held Chinese text and non-ASCII tags as FTS5 could not find
    them (a sentence one word; tags as escaped JSON): step 8 rebuilds both indexes, keeping
    their secure-delete setting, and finds them."""
    path = tmp_path / "v7.db"
    conn = old_schema(path, spaced.spaced_keyword_index)
    rows = [  # (content, tags, forgotten_at)
        ("我喜欢喝咖啡，不喜欢喝茶", "[]", None),
        ("Quarterly numbers", '["caf\\u00e9"]', None),
        ("项目的数据库是PostgreSQL", "[]", "2026-01-02T00:00:00.000000Z"),
    ]
    _insert_rows(conn, rows)
    assert (
        conn.execute("select rowid from memories_fts where memories_fts match '咖啡'").fetchall()
        == []
    )
    conn.close()
    _assert_upgraded_finds(
        path,
        [
            ("memories_fts", '"咖 啡"', [1]),
            ("memories_fts", "café", [2]),
            ("memories_fts_hidden", '"数 据 库"', [3]),
        ],
    )


def test_the_keyword_index_is_rebuilt_with_words_on_upgrade(tmp_path: Path) -> None:
    """A database of version 8 split Thai at its tone marks, read `C#` as `c` and kept
    `kullanıcı` apart from `KULLANICI`: step 9 rebuilds both indexes (policies.keyword_text),
    keeping their secure-delete setting, and finds them."""
    path = tmp_path / "v8.db"
    conn = old_schema(path, keyword_words.keyword_words)
    rows = [  # (content, tags, forgotten_at)
        ("ฉันอ่านข่าวทุกวัน", "[]", None),
        ("Written in C#", '["c++"]', None),
        ("Kullanıcı ayarları", "[]", "2026-01-02T00:00:00.000000Z"),
    ]
    _insert_rows(conn, rows)
    before = "select rowid from memories_fts where memories_fts match 'csharp'"
    assert conn.execute(before).fetchall() == []
    conn.close()
    _assert_upgraded_finds(
        path,
        [
            ("memories_fts", '"ข่ า"', [1]),
            ("memories_fts", "csharp", [2]),
            ("memories_fts", "cplusplus", [2]),
            ("memories_fts_hidden", "kullanici", [3]),
        ],
    )


def _insert_rows(conn: sqlite3.Connection, rows: list[tuple[str, str, str | None]]) -> None:
    """(content, tags, forgotten_at) rows written straight into an old schema's table."""
    for content, tags, forgotten in rows:
        conn.execute(
            """insert into memories (content, tags, created_at, updated_at, forgotten_at)
               values (?, ?, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', ?)""",
            (content, tags, forgotten),
        )


def _assert_upgraded_finds(path: Path, expected: list[tuple[str, str, list[int]]]) -> None:
    """Opened (and so upgraded), each keyword index finds its rows by each (index, match,
    rowids), keeps secure-delete, and matches the memories."""
    store = open_storage(Settings(db=path, semantic=False))
    try:
        for index, match, found in expected:
            sql = f"select rowid from {index} where {index} match ?"
            assert [r[0] for r in store.conn.execute(sql, (match,))] == found  # type: ignore[attr-defined]
            setting = f"select v from {index}_config where k = 'secure-delete'"
            assert store.conn.execute(setting).fetchone()[0] == 1  # type: ignore[attr-defined]
        assert store.keyword_index_ok()
    finally:
        store.close()


def test_a_new_database_compiles_each_write_statement_once(tmp_path: Path) -> None:
    """The connection that made the file keeps its writes' statements prepared. Its schema
    steps had filled the driver's statement cache, which then evicted its newest entry for
    each new statement: every insert was compiled again, with its triggers' programs, at
    each use (counted by the authorizer, which SQLite calls while compiling)."""
    from memory_mcp.storage.sqlite import open_store
    from tests.storage.rows import row

    store = open_store(tmp_path / "new.db", busy_timeout_ms=5000)
    compiled: list[str] = []

    def authorize(action: int, table: str | None, *_: Any) -> int:
        if action == sqlean.SQLITE_INSERT and table in ("memories", "history"):
            compiled.append(table)
        return sqlean.SQLITE_OK

    store.conn.set_authorizer(authorize)
    for n in range(3):
        store.insert_many([row(f"note {n}")])
    assert compiled == ["memories", "history"]
