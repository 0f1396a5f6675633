"""Databases older memory-mcp versions left, opened by this one: nothing lost, migrated once.

tests/fixtures/upgrades/<commit>-v<version>.sql are `sqlite3 .dump`s of files the CLI of that
commit wrote (`git worktree add /tmp/old <commit>`, then in it, with MEMORY_MCP_SEMANTIC=false):
remember 8 memories (kinds, tags, two scopes, a key set twice, an event date and expiry,
non-ASCII text), forget #7 with a reason, edit #6, move #1, remember and purge #9. Add one
whenever a schema step is appended (the newest now: d2a424a, version 19, before step 20: the
version 18 file opened by that commit's CLI, which ran step 19, then dumped; those of version
10 and later also hold a principal with two grants, from `token add`). cc7099f
numbered its steps in another order than main does now (4 = _erasure, 5 = _one_current_value).
"""

import json
from pathlib import Path
from typing import Any

import pytest
import sqlean

from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.policies.dedup import content_hash
from memory_mcp.service import MemoryService
from memory_mcp.storage import open_storage
from memory_mcp.storage.postgres import db as pg_db
from memory_mcp.storage.postgres import migrations as pg_migrations
from memory_mcp.storage.sqlite import db
from memory_mcp.storage.sqlite.migrations import MIGRATIONS, NOTHING_TO_DO
from tests import pg
from tests.conftest import FakeEmbedder
from tests.storage.rows import row

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "upgrades").glob("*.sql"))
KEPT = ("id", "content", "kind", "tags", "scope", "metadata", "created_at", "updated_at")
KEPT += ("forgotten_at", "forget_reason", "key", "occurred_at", "expires_at", "superseded_by")
KEPT += ("superseded_at", "client", "repeat_count", "last_seen_at")
LEFT_SLOTS = 15  # the step (left_slots) the tests of a file from before it leave pending
HISTORY = "id, memory_id, action, at, client, before, after, detail"
# Files from before step 10 gave every key one spelling (key_form): the ones it settles.
BEFORE_KEY_FORM = [f for f in FIXTURES if int(f.stem.rsplit("-v", 1)[1]) < 10]


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlean.connect(str(path))
    try:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()


def _principals(path: Path) -> list[tuple[Any, ...]]:
    """Every principal row (a team's tokens and grants), or none before the table was."""
    if not _rows(path, "select 1 from sqlite_master where name = 'principals'"):
        return []
    return _rows(path, "select * from principals order by name")


@pytest.mark.parametrize("dump", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_an_older_database_opens_with_everything_it_held(tmp_path: Path, dump: Path) -> None:
    path = tmp_path / "memory.db"
    conn = sqlean.connect(str(path))
    conn.executescript(dump.read_text(encoding="utf-8"))
    conn.close()
    version = _rows(path, "pragma user_version")[0][0]
    memories = _rows(path, f"select {', '.join(KEPT)} from memories order by id")
    principals = _principals(path)
    history = _rows(
        path, f"select {HISTORY} from history where memory_id in (select id from memories)"
    )

    service = MemoryService.open(Settings(db=path), embedder=FakeEmbedder())
    try:
        assert service.semantic.ensure()
        assert _rows(path, f"select {', '.join(KEPT)} from memories order by id") == memories
        assert _rows(path, f"select {HISTORY} from history where memory_id <= 8") == history
        assert [e.action for e in service.history(9)] == ["purge", "create"]
        assert all(e.before is None and e.after is None for e in service.history(9))
        hits = service.recall("which editor", limit=5).hits
        assert [h.id for h in hits][:1] == [4]  # Helix, current; Vim superseded by it
        assert 3 not in [h.id for h in hits]
        assert 7 not in [h.id for h in service.recall("old note to forget").hits]
        assert [h.id for h in service.recall("Postgres 17 database").hits][:1] == [6]
        assert service.stats().embedded == len(memories)  # the vector index covers them all
        service.remember("Stored after the upgrade", key="user.editor")
        assert [m.id for m in service.store.current_for_key("global", "user.editor")] == [10]
        assert _principals(path) == principals  # grants, token hashes and times as they were
    finally:
        service.close()

    backups = sorted(p.name for p in tmp_path.glob("*.bak"))
    # Backed up only when a step has work here: v13 -> v14 has none on SQLite.
    migrated = any(step not in NOTHING_TO_DO for step in MIGRATIONS[version:])
    assert backups == [f"memory.db.v{version}.bak"] * migrated  # the file as it was, once
    MemoryService.open(Settings(db=path, semantic=False)).close()
    assert sorted(p.name for p in tmp_path.glob("*.bak")) == backups  # migrated once
    conn = db.connect(path)
    assert db.schema_version(conn) == len(MIGRATIONS)
    assert db.scalar(conn, "pragma integrity_check") == "ok"
    assert db.scalar(conn, "select count(*) from sqlite_master where name = 'history_scoped'")
    conn.close()


@pytest.mark.parametrize("dump", BEFORE_KEY_FORM, ids=[f.stem for f in BEFORE_KEY_FORM])
def test_keys_spelled_two_ways_are_settled_as_a_later_remember_would(
    tmp_path: Path, dump: Path
) -> None:
    """A file from before keys had one spelling holds "user.editor" (#4, Helix) and a later
    "USER.EDITOR" both current, and "café.menu" with a composed and a decomposed "é": the
    upgrade leaves the later-created value of each slot current and supersedes the other,
    as a later remember of the key would have, renames every key to its form (a forgotten
    memory's too), and records each change in the history. Nothing is deleted."""
    rows = [  # id, content, key, created_at, forgotten_at
        (20, "Editor is Kakoune", "USER.EDITOR", "2026-12-07T00:00:00.000000Z", None),
        (21, "Menu at the café is short", "caf\u00e9.menu", "2026-12-07T00:00:01.000000Z", None),
        (22, "Menu at the café is long", "CAFE\u0301.Menu", "2026-12-07T00:00:02.000000Z", None),
        (23, "An old keyed note", "Old.Key", "2026-12-07T00:00:03.000000Z", "2026-12-07T01:00Z"),
    ]
    inserts = "".join(
        "INSERT INTO memories (id, content, kind, tags, scope, metadata, created_at, updated_at,"
        " forgotten_at, content_hash, key, client) VALUES"
        f" ({i}, '{text}', 'note', '[]', 'global', '{{}}', '{at}', '{at}',"
        f" {'NULL' if gone is None else repr(gone)}, '{content_hash(text)}', '{key}', 'cli');\n"
        for i, text, key, at, gone in rows
    )
    script = dump.read_text(encoding="utf-8")
    cut = script.index("\n", script.rindex("INSERT INTO memories VALUES")) + 1
    path = tmp_path / "memory.db"
    conn = sqlean.connect(str(path))
    conn.executescript(script[:cut] + inserts + script[cut:])
    conn.close()
    before = _rows(path, "select count(*) from memories")[0][0]

    service = MemoryService.open(Settings(db=path), embedder=FakeEmbedder())
    try:
        assert _rows(path, "select count(*) from memories")[0][0] == before
        assert service.get(4).superseded_by == 20 and service.get(20).superseded_by is None
        assert [m.id for m in service.store.current_for_key("global", "User.Editor")] == [20]
        assert service.get(21).superseded_by == 22
        # dated by the data (the value that stays was stated then), not the upgrade's day
        assert service.get(4).superseded_at == service.get(20).created_at
        assert service.get(21).superseded_at == service.get(22).created_at
        assert service.get(22).key == "caf\u00e9.menu"
        assert (service.get(23).key, service.get(23).forgotten_at is not None) == ("old.key", True)
        superseded = service.history(4)[0]
        assert (superseded.action, superseded.client) == ("supersede", "migration")
        assert superseded.detail == {"by": 20, "why": "key"}
        renamed = service.history(20)[0]
        assert renamed.action == "edit" and renamed.before and renamed.after
        assert (renamed.before["key"], renamed.after["key"]) == ("USER.EDITOR", "user.editor")
        later = service.remember("Editor is Zed", key="User.Editor")
        assert later.supersedes == [20]
    finally:
        service.close()


def test_keys_that_fold_longer_than_a_key_may_be_are_cut_not_lost(tmp_path: Path) -> None:
    """A key of 98 "ß" (measured as typed, it fitted) folds to 196 characters ("ss" each):
    step 10 stored that, which every write refuses, so the file's export did not import
    again. The upgrade now cuts the form to 100 characters; a key that is then the same slot
    as another is settled as spellings are (the later value current); the key as it was is
    in the history; nothing is deleted, and the export imports."""
    dump = next(f for f in FIXTURES if f.stem.endswith("-v9"))
    rows = [  # id, content, key, created_at
        (30, "The street is Hauptstraße", "\u00df" * 98, "2026-12-07T00:00:00.000000Z"),
        (31, "The street is Hauptstrasse", "S" * 100, "2026-12-07T00:00:01.000000Z"),
        (
            32,
            "A long key of its own",
            "Stra\u00dfe." + "\u00df" * 60,
            "2026-12-07T00:00:02.000000Z",
        ),
    ]
    inserts = "".join(
        "INSERT INTO memories (id, content, kind, tags, scope, metadata, created_at, updated_at,"
        f" content_hash, key, client) VALUES ({i}, '{text}', 'note', '[]', 'global', '{{}}',"
        f" '{at}', '{at}', '{content_hash(text)}', '{key}', 'cli');\n"
        for i, text, key, at in rows
    )
    script = dump.read_text(encoding="utf-8")
    cut = script.index("\n", script.rindex("INSERT INTO memories VALUES")) + 1
    path = tmp_path / "memory.db"
    conn = sqlean.connect(str(path))
    conn.executescript(script[:cut] + inserts + script[cut:])
    conn.close()
    before = _rows(path, "select count(*) from memories")[0][0]

    service = MemoryService.open(Settings(db=path), embedder=FakeEmbedder())
    try:
        assert _rows(path, "select count(*) from memories")[0][0] == before
        keys = {i: service.get(i).key for i in (30, 31, 32)}
        assert keys == {30: "s" * 100, 31: "s" * 100, 32: "strasse." + "s" * 92}
        assert service.get(30).superseded_by == 31 and service.get(31).superseded_by is None
        renamed = service.history(30)[0]
        assert renamed.before is not None and renamed.before["key"] == "\u00df" * 98
        service.export_jsonl(tmp_path / "all.jsonl")
    finally:
        service.close()
    fresh = MemoryService.open(Settings(db=tmp_path / "fresh.db", semantic=False))
    try:
        fresh.import_jsonl(tmp_path / "all.jsonl")
        assert [m.id for m in fresh.store.current_for_key("global", "s" * 100)] == [31]
        assert [m.id for m in fresh.store.current_for_key("global", keys[32] or "")] == [32]
    finally:
        fresh.close()


# id, scope, key, created second, forgotten, superseded_by, why (its supersede entry's)
STRANDED = [
    (61, "p2", "user.shell", 1, False, 62, "key"),  # moved alone (before a6bff80)
    (62, "p1", "user.shell", 2, False, None, None),
    (63, "p1", "user.editor", 3, False, 64, "key"),  # its value re-keyed away (before ab2ee8c)
    (64, "p1", "user.old_editor", 4, False, None, None),
    (65, "p1", "user.editor", 5, False, None, None),  # the slot's later value
    (66, "p3", "port", 6, True, 67, None),  # forgotten; an entry without a reason
    (67, "p1", "port", 7, False, None, None),
    (68, "p1", "deploy", 8, False, 69, "replaces"),  # a correction from another slot: kept
    (69, "p1", None, 9, False, None, None),
    (70, "p4", "region", 10, False, 71, "key"),  # moved together with its value: kept
    (71, "p4", "region", 11, False, None, None),
    (72, "p5", "lang", 13, False, 73, "key"),  # later than its slot's value, which it hides
    (73, "p6", "lang", 14, False, None, None),
    (74, "p5", "lang", 12, False, None, None),
]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pg.needs_postgres)])
def test_values_hidden_by_a_slot_they_left_are_settled_as_a_move_settles_them(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before a6bff80 (and ab2ee8c) a key's old value moved or re-keyed alone, or left behind
    by its value, stayed superseded by a memory of another slot: hidden where it is. Step 15
    settles each as a move does now: it joins its own slot (current unless that slot holds a
    later value), with a `restore` entry naming what it left; nothing else changes."""
    if backend == "postgres":
        where = Settings(db=pg.url(), pg_schema=pg.fresh_schema(tmp_path), semantic=False)
        before = [step for step in pg_migrations.MIGRATIONS if step[0] < LEFT_SLOTS]
        monkeypatch.setattr(pg_db, "MIGRATIONS", before)
        monkeypatch.setattr(pg_db, "TARGET", LEFT_SLOTS - 1)
    else:
        where = Settings(db=tmp_path / "memory.db", semantic=False)
        monkeypatch.setattr(db, "MIGRATIONS", MIGRATIONS[: LEFT_SLOTS - 1])
    old = open_storage(where)
    for mid, scope, key, second, forgotten, by, why in STRANDED:  # as the old code left them
        at = f"'2026-01-01T00:00:{second:02d}.000000Z'"
        pg.raw_rows(
            old,
            f"""insert into memories (id, content, scope, key, created_at, updated_at,
                                      forgotten_at, superseded_by, superseded_at)
                values ({mid}, 'value {mid}', '{scope}', {"null" if key is None else repr(key)},
                        {at}, {at}, {at if forgotten else "null"}, {by or "null"},
                        {"null" if by is None else "'2026-01-02T00:00:00Z'"})""",
        )
        if by is not None:  # with its history entry (one without a reason, as older ones)
            detail = {"by": by} | ({} if why is None else {"why": why})
            pg.raw_rows(
                old,
                f"""insert into history (memory_id, action, at, client, detail)
                    values ({mid}, 'supersede', '2026-01-02T00:00:00Z', 'cli',
                            '{json.dumps(detail)}')""",
            )
    old.close()
    monkeypatch.undo()
    store = open_storage(where)
    try:

        def superseded_by(mid: int) -> int | None:
            return store.get(mid).superseded_by

        def current(scope: str, key: str) -> list[int]:
            return [m.id for m in store.current_for_key(scope, key)]

        assert superseded_by(61) is None and current("p2", "user.shell") == [61]
        assert current("p1", "user.shell") == [62]
        assert superseded_by(63) == 65 and current("p1", "user.editor") == [65]
        assert superseded_by(66) is None and store.get(66).forgotten_at is not None
        assert (superseded_by(68), superseded_by(70)) == (69, 71)  # kept
        assert current("p5", "lang") == [72] and superseded_by(74) == 72
        # dated by the data (the value that stays was created then), not the upgrade's day
        assert store.get(74).superseded_at == store.get(72).created_at
        assert store.get(63).superseded_at == store.get(65).created_at
        restored = store.history(61)[0]
        assert (restored.action, restored.client) == ("restore", "migration")
        assert restored.detail == {"left_replacement": 62}
        assert [(e.action, e.detail) for e in store.history(63)][:2] == [
            ("restore", {"left_replacement": 64}), ("supersede", {"by": 65, "why": "key"}),
        ]  # fmt: skip
        assert [(e.action, e.detail) for e in store.history(74)][:1] == [
            ("supersede", {"by": 72, "why": "key"})
        ]
        assert [e.action for e in store.history(68)] == ["supersede"]
        assert pg.raw_rows(store, "select count(*) from memories") == [(len(STRANDED),)]
        # The schema's rules hold again: a later value of a slot supersedes the current one.
        later = store.insert(row("Shell is fish", key="user.shell", scope="p2"))
        assert list(later.supersedes) == [61]
    finally:
        store.close()
    again = open_storage(where)  # settled once: opening again changes nothing
    try:
        assert [e.action for e in again.history(61)].count("restore") == 1
    finally:
        again.close()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pg.needs_postgres)])
def test_an_upgrade_of_a_file_whose_index_was_dropped_makes_the_index_again_first(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pending step's writes fire the keyword and vector indexes' triggers: with a part of
    them dropped by hand, the upgrade failed ("no such table"), and no command, doctor
    included, could open the database. The upgrade (after its backup) makes them again
    first, BM25's totals recomputed from the rows on PostgreSQL."""
    if backend == "postgres":
        where = Settings(db=pg.url(), pg_schema=pg.fresh_schema(tmp_path), semantic=False)
        before = [step for step in pg_migrations.MIGRATIONS if step[0] < LEFT_SLOTS]
        monkeypatch.setattr(pg_db, "MIGRATIONS", before)
        monkeypatch.setattr(pg_db, "TARGET", LEFT_SLOTS - 1)
        dropped = ("drop table fts_stats", "drop table vec_log")
    else:
        where = Settings(db=tmp_path / "memory.db", semantic=False)
        monkeypatch.setattr(db, "MIGRATIONS", MIGRATIONS[: LEFT_SLOTS - 1])
        dropped = ("drop table memories_fts", "drop table vec_log")
    old = open_storage(where)
    old.ensure_vector_index("test-model", 4)
    for mid, scope, by in ((61, "p2", 62), (62, "p1", None)):
        at = f"'2026-01-01T00:00:{mid - 40}.000000Z'"
        pg.raw_rows(
            old,
            f"""insert into memories (id, content, scope, key, created_at, updated_at,
                                      superseded_by, superseded_at)
                values ({mid}, 'shell {mid}', '{scope}', 'user.shell', {at}, {at},
                        {by or "null"}, {"null" if by is None else at})""",
        )
    for statement in dropped:
        pg.raw_rows(old, statement)
    old.close()
    monkeypatch.undo()
    store = open_storage(where)
    try:
        assert store.get(61).superseded_by is None and store.missing_index_parts() == []
        assert sorted(i for i, _ in store.search_keywords("shell", MemoryFilter(), 5)) == [61, 62]
        assert store.keyword_index_ok()
    finally:
        store.close()
    if backend == "sqlite":
        assert (tmp_path / "memory.db.v14.bak").exists()
