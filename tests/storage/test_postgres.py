"""PostgreSQL-only behaviour: migrations, replicas on one database, filters inside the HNSW
search, statement timeouts, a server restart. The contract itself: test_contract.py."""

import os
import shlex
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import SchemaMismatch, StorageError
from memory_mcp.models import MemoryFilter
from memory_mcp.storage import open_storage
from memory_mcp.storage.contract import Storage
from memory_mcp.storage.postgres import db as pg_db
from memory_mcp.storage.postgres import migrations as pg_migrations
from memory_mcp.storage.postgres.migrations import principals as pg_principals
from memory_mcp.storage.sqlite.migrations import MIGRATIONS as SQLITE_MIGRATIONS
from tests import pg
from tests.storage.rows import row, vec

pytestmark = pg.needs_postgres
DIM = 4


def settings(schema: str, **kw: Any) -> Settings:
    return Settings(db=pg.url(), pg_schema=schema, semantic=False, **kw)


@pytest.fixture
def schema() -> str:
    return pg.fresh_schema()


@pytest.fixture
def replicas(schema: str) -> Iterator[list[Storage]]:
    """Two stores on one schema, each with its own pool: two server replicas."""
    stores = [open_storage(settings(schema)) for _ in range(2)]
    for store in stores:
        store.ensure_vector_index("test-model", DIM)
    yield stores
    for store in stores:
        store.close()


def at_once(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..n-1) on n threads released together; re-raise the first failure."""
    results: list[Any] = [None] * n
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_schema_versions_and_meta_match_the_sqlite_side(schema: str) -> None:
    stores = at_once(4, lambda _: open_storage(settings(schema)))  # replicas starting together
    versions = pg.raw_rows(stores[0], "select version from schema_version order by version")
    first = pg_migrations.MIGRATIONS[0][0]  # PostgreSQL arrived at SQLite's version 6
    assert versions == [(v,) for v in range(first, len(SQLITE_MIGRATIONS) + 1)]  # each once
    meta = dict(pg.raw_rows(stores[0], "select key, value from meta"))
    assert meta["schema_version"] == str(len(SQLITE_MIGRATIONS))
    stores[0].ensure_vector_index("test-model", DIM)
    assert dict(pg.raw_rows(stores[1], "select key, value from meta"))["embedding_dim"] == "4"
    with pytest.raises(SchemaMismatch, match="memory-mcp reindex"):
        stores[1].ensure_vector_index("other-model", 8)
    for store in stores:
        store.close()


def test_a_database_of_the_previous_version_is_upgraded_in_place(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 6 (before principals) opened by this memory-mcp: step 7 adds the principals
    and the history's principal column; what was stored stays, with no principal."""
    previous = pg_migrations.MIGRATIONS[:1]
    monkeypatch.setattr(pg_db, "MIGRATIONS", previous)
    monkeypatch.setattr(pg_db, "TARGET", previous[-1][0])
    old = open_storage(settings(schema))
    # written as version 6 wrote it (today's code records a principal that column lacks)
    pg.raw_rows(
        old,
        """insert into memories (id, content, created_at, updated_at)
           values (41, 'written before the upgrade', '2026-01-01T00:00:00Z',
                   '2026-01-01T00:00:00Z')""",
    )
    pg.raw_rows(
        old,
        """insert into history (memory_id, action, at, client)
           values (41, 'create', '2026-01-01T00:00:00Z', 'cli')""",
    )
    old.close()
    kept = 41
    monkeypatch.undo()
    store = open_storage(settings(schema))
    try:
        assert store.get(kept).content == "written before the upgrade"
        assert [e.principal for e in store.history(kept)] == [None]
        assert store.save_principal("alice", ["team=read"]).grants == ("team=read",)
        versions = pg.raw_rows(store, "select version from schema_version order by version")
        assert versions[-1] == (len(SQLITE_MIGRATIONS),)
    finally:
        store.close()


def test_a_step_a_database_holds_under_another_number_is_not_run_again(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database whose version rows say 6 but which holds step 7's work (merged branches
    numbered steps differently): opening it records 7 without running the step again (which
    failed: 'relation "principals" already exists')."""
    previous = pg_migrations.MIGRATIONS[:1]
    monkeypatch.setattr(pg_db, "MIGRATIONS", previous)
    monkeypatch.setattr(pg_db, "TARGET", previous[-1][0])
    old = open_storage(settings(schema))
    for statement in pg_principals.PRINCIPALS:
        pg.raw_rows(old, statement)
    pg.raw_rows(old, "insert into principals (name, created_at) values ('alice', 'x')")
    old.close()
    monkeypatch.undo()
    store = open_storage(settings(schema))
    try:
        assert [p.name for p in store.list_principals()] == ["alice"]
        versions = pg.raw_rows(store, "select version from schema_version order by version")
        assert versions[-1] == (len(SQLITE_MIGRATIONS),)
    finally:
        store.close()


def test_the_keyword_column_is_spaced_on_upgrade(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 7 held a Chinese sentence as one word: step 8 recomputes every row's keyword
    column (and its length, which bm25's statistics sum), and finds a word inside it."""
    previous = pg_migrations.MIGRATIONS[:2]
    monkeypatch.setattr(pg_db, "MIGRATIONS", previous)
    monkeypatch.setattr(pg_db, "TARGET", previous[-1][0])
    old = open_storage(settings(schema))
    pg.raw_rows(
        old,
        """insert into memories (id, content, created_at, updated_at)
           values (41, '我喜欢喝咖啡，不喜欢喝茶', '2026-01-01T00:00:00Z',
                   '2026-01-01T00:00:00Z')""",
    )
    assert pg.raw_rows(old, "select doc_len from memories") == [(2,)]  # 2 words, not 11
    old.close()
    monkeypatch.undo()
    store = open_storage(settings(schema))
    try:
        assert [mid for mid, _ in store.search_keywords("咖啡", MemoryFilter(), 5)] == [41]
        stats = pg.raw_rows(store, "select tokens from fts_stats where visible")
        lengths = pg.raw_rows(store, "select sum(doc_len) from memories")
        # One a character (step 8) and one a pair of neighbours in each run (step 9).
        assert stats[0][0] == lengths[0][0] == 11 + 9
    finally:
        store.close()


def test_the_keyword_column_holds_stopwords_identifiers_and_pairs_on_upgrade(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 8 left stopwords out (english configuration), read `C#` as `c` and 数据 as its
    characters: step 9 recomputes every row's keyword column and length, so "The Who", `C#`
    and the pair 数据 find their memories only."""
    previous = pg_migrations.MIGRATIONS[:3]
    monkeypatch.setattr(pg_db, "MIGRATIONS", previous)
    monkeypatch.setattr(pg_db, "TARGET", previous[-1][0])
    old = open_storage(settings(schema))
    for mid, content in [
        (41, "The Who played in İstanbul"),
        (42, "Written in C#"),
        (43, "Written in C++"),
        (44, "据说这个数字不对"),
        (45, "数据已经备份"),
    ]:
        pg.raw_rows(
            old,
            f"""insert into memories (id, content, created_at, updated_at)
               values ({mid}, '{content}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')""",
        )
    assert pg.raw_rows(old, "select doc_len from memories where id = 41") == [(2,)]
    old.close()
    monkeypatch.undo()
    store = open_storage(settings(schema))
    try:
        for query, found in [("The Who", [41]), ("istanbul", [41]), ("C#", [42]), ("数据", [45])]:
            assert [mid for mid, _ in store.search_keywords(query, MemoryFilter(), 5)] == found
        # Stopwords are searched, but left out of BM25's document length as before.
        assert pg.raw_rows(store, "select doc_len from memories where id = 41") == [(2,)]
        stats = pg.raw_rows(store, "select tokens from fts_stats where visible")
        assert stats == pg.raw_rows(store, "select sum(doc_len) from memories")
    finally:
        store.close()


def test_keys_that_fold_longer_than_a_key_may_be_are_cut_on_upgrade(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Step 10 folded a key of 98 "ß" into 196 characters, longer than any write accepts
    (its export would not import again): the form is now cut to 100 characters, a key that
    is then another's slot is settled as spellings are, the old key stays in the history and
    nothing is deleted (as on SQLite: tests/e2e/test_upgrades.py)."""
    previous = pg_migrations.MIGRATIONS[:4]
    monkeypatch.setattr(pg_db, "MIGRATIONS", previous)
    monkeypatch.setattr(pg_db, "TARGET", previous[-1][0])
    old = open_storage(settings(schema))
    for mid, key in [(51, "\u00df" * 98), (52, "S" * 100), (53, "Stra\u00dfe." + "\u00df" * 60)]:
        at = f"2026-01-01T00:00:{mid}Z"
        pg.raw_rows(
            old,
            f"""insert into memories (id, content, key, created_at, updated_at)
               values ({mid}, 'value {mid}', '{key}', '{at}', '{at}')""",
        )
    old.close()
    monkeypatch.undo()
    store = open_storage(settings(schema))
    try:
        assert [store.get(i).key for i in (51, 52, 53)] == [
            "s" * 100, "s" * 100, "strasse." + "s" * 92,
        ]  # fmt: skip
        assert store.get(51).superseded_by == 52 and store.get(52).superseded_by is None
        renamed = store.history(51)
        assert any(e.before and e.before["key"] == "\u00df" * 98 for e in renamed)
        assert pg.raw_rows(store, "select count(*) from memories") == [(3,)]
    finally:
        store.close()


def test_keys_spelled_two_ways_are_settled_on_upgrade(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 9 held "user.editor" and a later "USER.EDITOR" both current (one fact, two
    values), and a composed and a decomposed "é" in another slot: step 10 leaves the
    later-created value of each current, supersedes the other by it, gives every key its
    one spelling and records each change; nothing is deleted."""
    previous = pg_migrations.MIGRATIONS[:4]
    monkeypatch.setattr(pg_db, "MIGRATIONS", previous)
    monkeypatch.setattr(pg_db, "TARGET", previous[-1][0])
    old = open_storage(settings(schema))
    for mid, key, forgotten in [
        (41, "user.editor", None),
        (42, "USER.EDITOR", None),
        (43, "caf\u00e9.menu", None),
        (44, "CAFE\u0301.Menu", None),
        (45, "Old.Key", "2026-01-02T00:00:00Z"),
    ]:
        at = f"2026-01-01T00:00:{mid}Z"
        pg.raw_rows(
            old,
            f"""insert into memories (id, content, key, created_at, updated_at, forgotten_at)
               values ({mid}, 'value {mid}', '{key}', '{at}', '{at}',
                       {"null" if forgotten is None else repr(forgotten)})""",
        )
    old.close()
    monkeypatch.undo()
    store = open_storage(settings(schema))
    try:
        assert [m.id for m in store.current_for_key("global", "User.Editor")] == [42]
        assert store.get(41).superseded_by == 42 and store.get(43).superseded_by == 44
        # dated by the data (the value that stays was created then), not the upgrade's day
        assert store.get(41).superseded_at == store.get(42).created_at
        assert store.get(43).superseded_at == store.get(44).created_at
        assert [store.get(i).key for i in (41, 42, 43, 44, 45)] == [
            "user.editor", "user.editor", "caf\u00e9.menu", "caf\u00e9.menu", "old.key",
        ]  # fmt: skip
        assert store.get(45).forgotten_at is not None
        superseded = store.history(41)[0]
        assert (superseded.action, superseded.detail) == ("supersede", {"by": 42, "why": "key"})
        renamed = store.history(42)[0]
        assert renamed.action == "edit" and renamed.client == "migration"
        assert renamed.before and renamed.after
        assert (renamed.before["key"], renamed.after["key"]) == ("USER.EDITOR", "user.editor")
        assert pg.raw_rows(store, "select count(*) from memories") == [(5,)]
    finally:
        store.close()


def test_scopes_and_tags_take_one_unicode_form_on_upgrade(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 11 kept "café" with a composed and a decomposed "é" as two scopes (and two
    tags) that print alike: step 12 makes each one, leaves the later-created value of a key
    current in the scope now one, and records each change; nothing is deleted."""
    previous = pg_migrations.MIGRATIONS[:6]
    monkeypatch.setattr(pg_db, "MIGRATIONS", previous)
    monkeypatch.setattr(pg_db, "TARGET", previous[-1][0])
    old = open_storage(settings(schema))
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    for mid, scope, tags in [
        (51, decomposed, f'["{decomposed}", "{composed}", "ops"]'),
        (52, composed, "[]"),
        (53, "global", f'["{decomposed}"]'),
    ]:
        at = f"2026-01-01T00:00:{mid}Z"
        pg.raw_rows(
            old,
            f"""insert into memories (id, content, key, scope, tags, created_at, updated_at)
               values ({mid}, 'value {mid}', {"'project.deploy'" if mid < 53 else "null"},
                       '{scope}', '{tags}', '{at}', '{at}')""",
        )
    old.close()
    monkeypatch.undo()
    store = open_storage(settings(schema))
    try:
        assert [m.id for m in store.current_for_key(composed, "project.deploy")] == [52]
        assert store.get(51).superseded_by == 52
        assert store.get(51).superseded_at == store.get(52).created_at  # by the data
        assert [(store.get(i).scope, store.get(i).tags) for i in (51, 52, 53)] == [
            (composed, [composed, "ops"]), (composed, []), ("global", [composed]),
        ]  # fmt: skip
        renamed = store.history(51)[0]
        assert renamed.action == "edit" and renamed.client == "migration"
        assert renamed.before and renamed.after
        assert (renamed.before["scope"], renamed.after["scope"]) == (decomposed, composed)
        assert store.history(51)[1].detail == {"by": 52, "why": "key"}
        assert pg.raw_rows(store, "select count(*) from memories") == [(3,)]
    finally:
        store.close()


def test_grants_take_one_unicode_form_on_upgrade(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 12 made scopes and tags NFC but left grants as typed: `token list` showed a
    grant on `café/*` typed decomposed in that form (and two grants that print alike).
    Step 13 stores each in the one form, once."""
    previous = pg_migrations.MIGRATIONS[:7]
    monkeypatch.setattr(pg_db, "MIGRATIONS", previous)
    monkeypatch.setattr(pg_db, "TARGET", previous[-1][0])
    old = open_storage(settings(schema))
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    old.save_principal("carol", [f"{decomposed}/*=read", f"{composed}/*=read", "team=write"])
    old.save_principal("dave", ["team=read"])
    old.close()
    monkeypatch.undo()
    store = open_storage(settings(schema))
    try:
        carol, dave = store.get_principal("carol"), store.get_principal("dave")
        assert carol is not None and carol.grants == (f"{composed}/*=read", "team=write")
        assert dave is not None and dave.grants == ("team=read",)
    finally:
        store.close()


def test_numbers_after_a_hyphen_are_found_on_upgrade(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 10 read `CR-004211` as `cr` and the signed number `-004211`: step 11 rewrites
    the rows holding a hyphen before a digit, so 004211 finds its memory; the others keep
    their keyword column, and the totals BM25 reads stay the sum of the lengths."""
    previous = pg_migrations.MIGRATIONS[:5]
    monkeypatch.setattr(pg_db, "MIGRATIONS", previous)
    monkeypatch.setattr(pg_db, "TARGET", previous[-1][0])
    old = open_storage(settings(schema))
    ticket = old.insert(row("The billing team approved CR-004211")).id
    plain = old.insert(row("The billing team met on Friday")).id
    assert old.search_keywords("004211", MemoryFilter(), 5) == []
    untouched = pg.raw_rows(old, f"select fts::text from memories where id = {plain}")
    old.close()
    monkeypatch.undo()
    store = open_storage(settings(schema))
    try:
        assert [mid for mid, _ in store.search_keywords("004211", MemoryFilter(), 5)] == [ticket]
        assert pg.raw_rows(store, f"select fts::text from memories where id = {plain}") == (
            untouched
        )
        stats = pg.raw_rows(store, "select tokens from fts_stats where visible")
        assert stats == pg.raw_rows(store, "select sum(doc_len) from memories")
    finally:
        store.close()


ACCENT_CORPUS = [
    "The billing team approved CR-004211 on 2023-05-08",
    "Crème brûlée at the café, déjà vu: naïve façade",
    "We ship C++ and C# services; node.js for the .NET bridge",
    "KULLANICI kullanıcı Straße STRASSE ς σ ΣΟΦΟΣ",
    "数据库 迁移 計画 データベース — em dash, “quotes” and 🎉",
    "Ångström, Øresund, Łódź, Dvořák, Ștefan, Ţară, Ǆemal",
    "plain ascii text with no accents at all, src/app/main.py v1.2.3",
]


def test_accents_are_folded_alike_after_the_step_that_skips_text_without_them(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Step 14 folds accents only in text holding one (for speed): every row's keyword
    column and length, as version 13 computed them, are what the new functions compute,
    and a search's words are read alike (accented or not, in content, tags and context)."""
    previous = [step for step in pg_migrations.MIGRATIONS if step[0] <= 13]
    monkeypatch.setattr(pg_db, "MIGRATIONS", previous)
    monkeypatch.setattr(pg_db, "TARGET", previous[-1][0])
    old = open_storage(settings(schema))
    for n, text in enumerate(ACCENT_CORPUS):
        old.insert(row(text, tags=[text.split()[0], "Ærø"], context=f"context {n}: {text}"))
    columns = "select id, fts::text, doc_len from memories order by id"
    stored = pg.raw_rows(old, columns)
    searched = [pg.raw_rows(old, f"select memory_search_text('{t}')") for t in ACCENT_CORPUS]
    old.close()
    monkeypatch.undo()
    # Up to step 14 (step 16 NFKC-normalises, which changes `Ǆemal` to `dzemal` on purpose)
    through_14 = [step for step in pg_migrations.MIGRATIONS if step[0] <= 14]
    monkeypatch.setattr(pg_db, "MIGRATIONS", through_14)
    monkeypatch.setattr(pg_db, "TARGET", 14)
    store = open_storage(settings(schema))
    try:
        recomputed = pg.raw_rows(
            store,
            f"select id, {pg_migrations.FTS_OF}::text, {pg_migrations.LENGTH_OF} "
            "from memories order by id",
        )
        assert recomputed == stored == pg.raw_rows(store, columns)
        again = [pg.raw_rows(store, f"select memory_search_text('{t}')") for t in ACCENT_CORPUS]
        assert again == searched
        assert [mid for mid, _ in store.search_keywords("creme brulee", MemoryFilter(), 5)] == [2]
    finally:
        store.close()


def test_a_database_at_the_newest_number_missing_a_step_gets_it(schema: str) -> None:
    store = open_storage(settings(schema))
    for statement in ("drop table principals", "alter table history drop column principal"):
        pg.raw_rows(store, statement)
    store.close()
    store = open_storage(settings(schema))
    try:
        assert store.save_principal("alice", ["team=read"]).grants == ("team=read",)
    finally:
        store.close()


def test_every_postgresql_step_has_a_probe() -> None:
    assert {step for _, step in pg_migrations.MIGRATIONS} == set(pg_migrations.APPLIED)


def test_a_newer_schema_is_refused_untouched(schema: str) -> None:
    open_storage(settings(schema)).close()
    store = open_storage(settings(schema))
    pg.raw_rows(store, "insert into schema_version (version) values (99)")
    store.close()
    with pytest.raises(SchemaMismatch, match="newer than this memory-mcp"):
        open_storage(settings(schema))


def test_a_schema_holding_another_programs_tables_of_our_names_is_refused_untouched(
    schema: str,
) -> None:
    # It failed with psycopg's UndefinedTable (a traceback in the CLI): the first step's probe
    # took their `memories` for ours and skipped the step that makes schema_version.
    pg.admin(
        f'create schema "{schema}"',
        f'create table "{schema}".memories (id serial primary key, body text)',
        f"insert into \"{schema}\".memories (body) values ('theirs')",
    )
    with pytest.raises(StorageError, match=r"another program's tables .*\(memories\)"):
        open_storage(settings(schema))
    with psycopg.connect(pg.url()) as conn:
        tables = conn.execute(
            "select table_name from information_schema.tables where table_schema = %s",
            (schema,),
        ).fetchall()
        assert tables == [("memories",)]
        assert conn.execute(f'select body from "{schema}".memories').fetchall() == [("theirs",)]


def test_replicas_writing_one_key_at_once_leave_one_current_value(
    replicas: list[Storage],
) -> None:
    writes = at_once(
        16, lambda i: replicas[i % 2].insert(row(f"Editor is number {i}", key="user.editor"))
    )
    current = replicas[0].current_for_key("global", "user.editor")
    assert len(current) == 1
    everything = MemoryFilter(include_superseded=True)
    rows = replicas[1].find(everything)
    assert len(rows) == 16 and {w.id for w in writes} == {m.id for m in rows}
    assert sum(m.superseded_by is None for m in rows) == 1  # each other one superseded once


def test_replicas_storing_one_content_at_once_store_it_once(replicas: list[Storage]) -> None:
    results = at_once(
        16, lambda i: replicas[i % 2].insert(row("Deploys run on Fridays"), dedup=True)
    )
    assert sorted(r.status for r in results).count("created") == 1
    [memory] = replicas[0].find(MemoryFilter())
    assert memory.repeat_count == 16
    counts = replicas[1].counts()
    assert (counts["memories"], counts["fts"]) == (1, 1)


def test_replicas_starting_at_once_on_a_new_schema_create_it_once(schema: str) -> None:
    """Six replicas start together on a schema that does not exist yet: each opens, the
    tables, the migrations' version rows and the vector index are made once, and their
    first writes of one text count one memory."""

    def start(i: int) -> Storage:
        store = open_storage(settings(schema))
        store.ensure_vector_index("test-model", DIM)
        store.insert(row("Deploys run on Fridays", vec(1, 0, 0, 0)), dedup=True)
        return store

    stores = at_once(6, start)
    try:
        generation, _ = stores[0].vector_log_head()
        assert generation == 1  # created once, never dropped and made again
        [memory] = stores[1].find(MemoryFilter())
        assert memory.repeat_count == 6 and memory.embedded
        with psycopg.connect(pg.url()) as conn:
            versions = conn.execute(f'select version from "{schema}".schema_version').fetchall()
        assert sorted(v for (v,) in versions) == [v for v, _ in pg_migrations.MIGRATIONS]
    finally:
        for store in stores:
            store.close()


def test_a_selective_filter_is_not_starved_by_the_hnsw_index(replicas: list[Storage]) -> None:
    store = replicas[0]
    rng = np.random.default_rng(7)
    noise = [
        row(f"noise {i}", vec(1, *(0.05 * rng.standard_normal(DIM - 1))), scope="noise")
        for i in range(3000)
    ]
    for start in range(0, len(noise), 500):
        store.insert_many(noise[start : start + 500])
    target = {
        store.insert(row(f"target {i}", vec(-1, 0.1 * i, 1, 0), scope="target")).id
        for i in range(3)
    }
    plan = pg.raw_rows(
        store,
        "explain select memory_id from memory_vectors order by embedding <=> '[1,0,0,0]' limit 5",
    )
    assert "memory_vectors_hnsw" in str(plan)  # the index is what a search uses
    found = store.search_vectors(vec(1, 0, 0, 0), MemoryFilter(scopes=["target"]), 5)
    assert {i for i, _ in found} == target
    near = store.search_vectors(vec(1, 0, 0, 0), MemoryFilter(), 10)
    assert len(near) == 10 and not {i for i, _ in near} & target


def test_a_statement_past_the_timeout_fails_cleanly(schema: str) -> None:
    store = open_storage(settings(schema, pg_statement_timeout_ms=200))
    kept = store.insert(row("kept")).id
    # The store's sessions run under the timeout asked for (not the default of seconds)...
    with store.pool.connection() as conn:  # type: ignore[attr-defined]
        assert conn.execute("show statement_timeout").fetchone()["statement_timeout"] == "200ms"
    with psycopg.connect(pg.url()) as holder:  # another session holds the table
        holder.execute(f'lock table "{schema}".memories in access exclusive mode')
        with pytest.raises(StorageError, match="statement timeout") as failed:
            store.insert(row("waits"))
    # ...and it is that timeout which ended the wait for the lock, as PostgreSQL says.
    assert "canceling statement due to statement timeout" in str(failed.value.__cause__)
    assert [m.id for m in store.find(MemoryFilter())] == [kept]  # nothing half-written
    store.close()


@pytest.mark.skipif(
    not os.environ.get("MEMORY_MCP_TEST_PG_CTL"),
    reason="set MEMORY_MCP_TEST_PG_CTL (e.g. 'pg_ctlcluster 15 main') to let this test stop "
    "and start the test server",
)
def test_a_server_restart_gives_a_clear_error_then_recovers(
    schema: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pg_db, "POOL_WAIT_S", 2.0)
    ctl = shlex.split(os.environ["MEMORY_MCP_TEST_PG_CTL"])
    store = open_storage(settings(schema))
    first = store.insert(row("before the restart")).id
    subprocess.run([*ctl, "stop", "-m", "fast"], check=True)
    try:
        with pytest.raises(StorageError, match="Nothing was changed; try again once it is back"):
            store.insert(row("while it is down"))
    finally:
        subprocess.run([*ctl, "start"], check=True)
    second = store.insert(row("after the restart")).id  # the pool reconnected by itself
    assert [m.id for m in store.find(MemoryFilter())] == [second, first]
    store.close()


def test_a_query_matching_many_rows_is_fitted_to_the_ranking_budget(
    replicas: list[Storage], monkeypatch: pytest.MonkeyPatch
) -> None:
    from memory_mcp.policies import keyword_budget

    monkeypatch.setattr(keyword_budget, "POSTINGS_BUDGET", 3)
    store = replicas[0]
    common = [store.insert(row(f"common note {i}")).id for i in range(8)]
    rare = store.insert(row("common and rare note")).id
    found = store.search_keywords("common rare", MemoryFilter(), 10)
    assert [i for i, _ in found] == [rare]  # the commonest term left out, the rarest kept
    newest = store.search_keywords("common", MemoryFilter(), 10)
    assert {i for i, _ in newest} == {rare, *common[-2:]}  # only the 3 newest matches ranked
    monkeypatch.setattr(keyword_budget, "POSTINGS_BUDGET", 4_000)
    assert len(store.search_keywords("common", MemoryFilter(), 10)) == 9


def test_urls_are_shown_without_their_password(schema: str) -> None:
    from memory_mcp.config import is_database_url, shown_db

    given = "postgresql://team:s3cret@db.internal:5432/memory?sslmode=verify-full"
    assert shown_db(given) == "postgresql://team:***@db.internal:5432/memory?sslmode=verify-full"
    assert Settings(db="postgres://team@db/memory").db == "postgres://team@db/memory"
    assert not is_database_url(Settings(db="postgresql.db").db)  # a file named so stays one
    store = open_storage(settings(schema))
    assert "memory_mcp:memory_mcp@" not in store.location and schema in store.location
    store.close()


def test_a_recall_counts_each_term_once(
    schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hybrid recall ranks (search_keywords) and weighs (keyword_statistics) the keyword
    leg with one survey of the terms' document counts, not one each; nothing is kept across
    recalls (a write between two recalls is counted), nor for another thread."""
    from memory_mcp.service import MemoryService
    from tests.conftest import FakeEmbedder

    service = MemoryService.open(Settings(db=pg.url(), pg_schema=schema), embedder=FakeEmbedder())
    assert service.semantic.ensure()
    for i in range(6):
        service.remember(f"The deploy runbook step {i} names the rollback owner")
    sent = _statements_sent(monkeypatch)

    def surveys() -> int:  # (a write's lock names the table too, asking for its rights)
        return sum("fts_stats" in s and "has_table_privilege" not in s for s in sent)

    service.recall("who owns the rollback of a deploy", limit=3)
    assert surveys() == 1
    service.recall("who owns the rollback of a deploy", limit=3)
    assert surveys() == 2  # one per recall: the second reads the counts again
    store = service.store
    assert store.keyword_statistics("rollback owner") == (6, [6, 6])
    store.search_keywords("rollback owner", MemoryFilter(), 5)
    service.remember("Another rollback owner")  # between the two: read again
    assert store.keyword_statistics("rollback owner") == (7, [7, 7])
    store.search_keywords("rollback owner", MemoryFilter(), 5)
    assert at_once(1, lambda _: store.keyword_statistics("rollback owner")) == [(7, [7, 7])]
    assert surveys() == 7  # 2 recalls, 2 searches, 3 statistics: none of these handed over
    service.close()


def test_a_bulk_write_large_for_its_table_vacuums_it(schema: str) -> None:
    """remember_many of at least VACUUM_MIN_ROWS rows and 1/8 of the table vacuums it (the
    keyword leg ran ~6x slower on a table just filled); a smaller one leaves it to autovacuum."""
    from memory_mcp.service import MemoryService
    from memory_mcp.storage.postgres.maintenance import VACUUM_MIN_ROWS

    service = MemoryService.open(settings(schema))

    def vacuums() -> int:
        with psycopg.connect(pg.url(), autocommit=True) as c:
            c.execute("select pg_stat_clear_snapshot()")
            row = c.execute(
                "select vacuum_count from pg_stat_user_tables"
                " where schemaname = %s and relname = 'memories'",
                (schema,),
            ).fetchone()
            return int(row[0]) if row else 0

    service.remember_many([{"content": f"small batch note {i}"} for i in range(10)])
    assert vacuums() == 0
    service.remember_many(
        [{"content": f"bulk note {i}"} for i in range(VACUUM_MIN_ROWS)], batch_size=64
    )
    assert vacuums() == 1
    service.close()


def test_doctor_checks_keywords_once_and_repair_restores_lengths_and_totals(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`doctor` made its slowest pass (every row's keyword entry recomputed) twice, once for
    `integrity` and once for the keyword check; that check and `rebuild_keyword_index`
    (reindex, doctor --repair) looked at each row's words (`fts`) but not at BM25's length
    of it (`doc_len`) nor at the totals BM25 divides by (`fts_stats`), so a wrong length or
    total was never found or repaired, and ranking stayed off."""
    from memory_mcp.service import MemoryService

    service = MemoryService.open(settings(schema))
    for i in range(5):
        service.remember(f"The deploy runbook step {i} names the rollback owner" + " x" * i)

    def ranked() -> list[tuple[int, float]]:  # the keyword leg's BM25 scores, as they are
        return list(service.store.search_keywords("rollback owner x", MemoryFilter(), 5))

    before = ranked()
    sent = _statements_sent(monkeypatch)
    report = service.doctor()
    assert (report.integrity, report.fts_ok) == ("ok", True)
    assert sum("fts is distinct from" in s for s in sent) == 1  # one id range, checked once
    monkeypatch.undo()

    def damage(sql: str) -> None:
        with psycopg.connect(pg.url(), autocommit=True) as c:
            c.execute(f'set search_path = "{schema}", public')
            c.execute(sql)

    for sql in (
        "update memories set doc_len = doc_len + 40 where id = 4",  # a row's length alone
        "update fts_stats set tokens = tokens + 100 where visible",  # BM25's totals alone
    ):
        damage(sql)
        assert ranked() != before
        found = service.doctor()
        assert (found.integrity, found.fts_ok) == ("ok", False), sql
        repaired = service.doctor(repair=True)
        assert repaired.fts_ok and repaired.repaired == ["rebuilt the full-text index"], sql
        assert ranked() == before, sql
    service.close()


def test_remember_many_checks_a_batch_for_stored_texts_in_one_statement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Which texts of a batch are stored already (so not embedded) is one read a batch: it
    was find_exact a row, three round trips each (pool check, vector-table lookup, select).
    Measured against the same batches written by insert_many alone."""
    from memory_mcp.service import MemoryService

    items = [{"content": f"Imported note {i} about the billing queue"} for i in range(60)]
    services = [MemoryService.open(settings(pg.fresh_schema())) for _ in range(2)]
    bulk, alone = services
    written: list[list[str]] = []
    insert_many = bulk.store.insert_many

    def recorded(rows: Any, **kw: Any) -> Any:
        written.append([r.content for r in rows])
        return insert_many(rows, **kw)

    monkeypatch.setattr(bulk.store, "insert_many", recorded)
    sent = _statements_sent(monkeypatch)
    ids = bulk.remember_many(items, batch_size=30)
    by_bulk = len(sent)
    batches = len(written)
    assert batches == 4  # each batch of 30 cut in 1/8 and 7/8, then 7/8 and 1/8 (batch_sizes)
    scope = bulk.store.get(ids[0]).scope
    sent.clear()
    for contents in written:
        alone.store.insert_many([row(c, scope=scope) for c in contents], repeats="count")
    extra = by_bulk - len(sent)
    assert extra == 2 * batches  # a pool check and one read a batch, whatever its size
    monkeypatch.undo()
    assert len(set(ids)) == len(items) == bulk.count(MemoryFilter())
    assert bulk.remember_many(items[:5]) == ids[:5]  # stored: counted, not stored again
    for service in services:
        service.close()


def _statements_sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every statement psycopg executes from now on (until monkeypatch undoes it)."""
    sent: list[str] = []
    execute = psycopg.Connection.execute

    def recorded(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(str(query))
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "execute", recorded)
    return sent


def test_a_database_in_another_encoding_is_refused_untouched(schema: str) -> None:
    """A database made under the C locale (SQL_ASCII) failed partway through creating the
    schema with a UnicodeEncodeError traceback, and the next try with DuplicateObject."""
    import uuid
    from urllib.parse import urlsplit

    name = f"test_db_{uuid.uuid4().hex[:12]}"
    pg._databases.append(name)  # dropped after the session
    pg.admin(
        f"create database \"{name}\" encoding 'SQL_ASCII' template template0 "
        "lc_collate 'C' lc_ctype 'C'"
    )
    target = urlsplit(pg.url())._replace(path=f"/{name}").geturl()
    for _ in range(2):  # the same answer again: nothing was left half made
        with pytest.raises(StorageError, match=r"uses the SQL_ASCII encoding; .* needs UTF8"):
            open_storage(Settings(db=target, pg_schema=schema))
    with psycopg.connect(target) as conn:
        found = conn.execute(
            "select count(*) from pg_namespace where nspname = %s", (schema,)
        ).fetchone()
        assert found == (0,)


@pytest.mark.parametrize(
    "dropped", ["drop schema {schema} cascade", "drop function {schema}.memory_search_text"]
)
def test_a_schema_dropped_under_a_running_store_is_a_storage_error(
    schema: str, dropped: str
) -> None:
    """The schema (or one of its functions) dropped while a server had it open: every call
    failed with psycopg's UndefinedTable or UndefinedFunction (a traceback in the CLI, an
    internal error over MCP). Now it says what happened and what to run."""
    store = open_storage(settings(schema))
    try:
        store.insert(row("Stored before the drop"))
        pg.admin(dropped.format(schema=f'"{schema}"'))
        calls = [lambda: store.search_keywords("stored", MemoryFilter(), 5)]
        if dropped.startswith("drop schema"):
            calls.append(lambda: store.insert(row("Stored after the drop")))
        for call in calls:
            with pytest.raises(StorageError, match=r"dropped while .*`memory-mcp doctor`"):
                call()
    finally:
        store.close()


def test_a_replica_making_the_vector_table_meanwhile_leaves_no_part_missing(schema: str) -> None:
    """The parts check reads every catalog row in its statement's snapshot: to_regclass()
    saw the vector table another replica had just made while the snapshot did not see its
    log trigger, and a replica starting beside it refused to open ("lacks
    memory_vectors_log"). A repeatable-read snapshot taken before the table is made holds
    the same view for a whole transaction, as one statement's does for its length."""
    from psycopg.rows import dict_row

    from memory_mcp.storage.postgres import restore

    first = open_storage(settings(schema))
    with psycopg.connect(pg.url(), row_factory=dict_row) as looking:
        looking.execute(f'set search_path to "{schema}"')
        looking.execute("begin isolation level repeatable read")
        assert restore.missing(looking) == []  # the snapshot is taken: no vector table yet
        first.ensure_vector_index("test-model", DIM)  # another connection makes it, commits
        assert restore.missing(looking) == []
        looking.execute("rollback")
    first.close()
