"""What the schema's triggers and keyword column rely on besides the triggers themselves,
dropped by hand or replaced by an older definition, is found by `doctor` and made again, as
the newest schema step defines it, by `doctor --repair` (in one transaction): on PostgreSQL
the functions (memory_keywords and the others step 19 redefined) and the text search
configuration; on SQLite the keyword indexes' views and triggers, the trigger that keeps a
memory superseded once and the index that keeps one current value per key. `doctor --repair`
used to remake the triggers alone: a dropped function broke every write, and an older body
left the keyword column drifting from what searches look for."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlean

from memory_mcp.config import Settings
from memory_mcp.errors import StorageError
from memory_mcp.service import MemoryService
from tests import pg
from tests.conftest import FakeEmbedder


def _open(settings: Settings, damaged: bool = False) -> MemoryService:
    svc = MemoryService.open(settings, embedder=FakeEmbedder(), damaged=damaged)
    assert svc.semantic.ensure()
    return svc


def _repaired_and_working(settings: Settings, part: str, change: Callable[[], None]) -> None:
    """After `change` (made while doctor has the database open: opening it after, an upgrade
    check may make some again first), doctor names `part`, --repair makes it again, and then
    writes and keyword search work and doctor finds nothing."""
    svc = _open(settings, damaged=True)
    try:
        change()
        report = svc.doctor()
        assert part in report.missing_index_parts and not report.healthy
        after = svc.doctor(repair=True)
        assert any(part in done for done in after.repaired), after.repaired
        assert after.missing_index_parts == [] and after.healthy, after
        kestrel = svc.remember("A kestrel hovers over the estuary", scope="p1").id
        assert [h.id for h in svc.recall("kestrel estuary", scope="p1").hits][:1] == [kestrel]
        assert svc.doctor().healthy
    finally:
        svc.close()


# -- PostgreSQL ---------------------------------------------------------------------------


def _pg_functions() -> list[str]:
    from memory_mcp.storage.postgres.functions import FUNCTIONS

    return sorted(FUNCTIONS)


def _older(name: str) -> str:
    """An older definition of the function `name`: the first step's, where a later step
    redefined it, else its own with another body (a hand's edit)."""
    from memory_mcp.storage.postgres.functions import _STEPS, FUNCTIONS

    newest = FUNCTIONS[name].statement
    for _, statements in _STEPS:
        for statement in statements:
            if re.match(rf"\s*create (or replace )?function {name}\(", statement):
                older = statement.replace("create function", "create or replace function", 1)
                if older.split("$$")[1] != newest.split("$$")[1]:
                    return older
    head, body, tail = newest.split("$$")
    return f"{head}$${body}\n-- changed by hand\n$${tail}"


def _by_admin(settings: Settings, statement: str) -> Callable[[], None]:
    return lambda: pg.admin(f'set search_path = "{settings.pg_schema}", public', statement)


@pytest.fixture
def pg_settings() -> Iterator[Settings]:
    schema = pg.fresh_schema()
    settings = Settings(db=pg.url(), pg_schema=schema)
    svc = _open(settings)
    svc.remember("The heron waits by the river", scope="p1")
    svc.close()
    yield settings


@pg.needs_postgres
@pytest.mark.parametrize("how", ["dropped", "older"])
@pytest.mark.parametrize("name", _pg_functions())
def test_postgresql_doctor_finds_and_repair_remakes_each_function(
    pg_settings: Settings, name: str, how: str
) -> None:
    change = f"drop function {name} cascade" if how == "dropped" else _older(name)
    part = f"{name}()" if how == "dropped" else f"{name}() (out of date)"
    _repaired_and_working(pg_settings, part, _by_admin(pg_settings, change))
    from memory_mcp.storage.postgres import restore
    from memory_mcp.storage.postgres.db import connect_once

    with connect_once(pg.url(), str(pg_settings.pg_schema), 30_000, 10) as conn:
        assert restore.missing(conn) == [] and restore.out_of_date(conn) == []


@pg.needs_postgres
@pytest.mark.parametrize(
    "change",
    [
        "drop text search configuration memory_english",
        "drop text search dictionary memory_english_stem cascade",
        "alter text search configuration memory_english drop mapping for asciiword",
    ],
)
def test_postgresql_repair_remakes_the_text_search_configuration(
    pg_settings: Settings, change: str
) -> None:
    _repaired_and_working(pg_settings, "memory_english", _by_admin(pg_settings, change))


@pg.needs_postgres
def test_postgresql_repair_remakes_the_trigger_that_supersedes_once(
    pg_settings: Settings,
) -> None:
    change = _by_admin(pg_settings, "drop trigger memories_superseded_once on memories")
    _repaired_and_working(pg_settings, "memories_superseded_once", change)


@pg.needs_postgres
def test_every_postgresql_function_of_a_new_schema_is_in_the_list() -> None:
    """The list is whole: a new schema holds no function of ours it leaves out."""
    schema = pg.fresh_schema()
    _open(Settings(db=pg.url(), pg_schema=schema)).close()
    import psycopg

    with psycopg.connect(pg.url()) as conn:
        rows = conn.execute(
            "select proname from pg_proc where pronamespace = %s::regnamespace", (schema,)
        ).fetchall()
    assert sorted(r[0] for r in rows) == _pg_functions()


# -- SQLite -------------------------------------------------------------------------------


def _sqlite_parts() -> list[str]:
    from memory_mcp.storage.sqlite.schemaparts import newest

    return sorted(newest())


def _older_sqlite(name: str) -> str:
    """The part `name` defined otherwise: a keyword index's view or trigger as step 8 made
    it (its text through memory_mcp_spaced, before step 9's words), else its own definition
    with another body (a hand's edit)."""
    from memory_mcp.storage.sqlite.keyword_schema import (
        FTS_INDEXES,
        SPACED_FUNCTION,
        TAG_WORDS_FUNCTION,
        fts_statements,
    )
    from memory_mcp.storage.sqlite.schemaparts import newest

    for index, negate in FTS_INDEXES:
        view, _, *triggers, _ = fts_statements(index, negate, (SPACED_FUNCTION, TAG_WORDS_FUNCTION))
        names = [f"{index}_source", *(f"{index}_{t}" for t in ("ai", "ad", "au"))]
        if name in names:
            return dict(zip(names, [view, *triggers], strict=True))[name]
    statement = newest()[name]
    if " end" in statement:  # a trigger: one more statement in its body
        return statement.replace(" end", " select 1; end", 1)
    return statement.replace("where key is not null", "where key is not null and 1 = 1")


@pytest.mark.parametrize("how", ["dropped", "older"])
@pytest.mark.parametrize("name", _sqlite_parts())
def test_sqlite_doctor_finds_and_repair_remakes_each_part(
    tmp_path: Path, name: str, how: str
) -> None:
    settings = Settings(db=tmp_path / "memory.db")
    svc = _open(settings)
    svc.remember("The heron waits by the river", scope="p1")
    svc.close()

    def change() -> None:
        kind = (
            "index"
            if name == "memories_current_key"
            else ("view" if name.endswith("_source") else "trigger")
        )
        conn = sqlean.connect(str(tmp_path / "memory.db"))
        try:
            conn.execute(f"drop {kind} {name}")
            if how == "older":
                conn.execute(_older_sqlite(name))
            conn.commit()
        finally:
            conn.close()

    part = name if how == "dropped" else f"{name} (out of date)"
    _repaired_and_working(settings, part, change)
    from memory_mcp.storage.sqlite import indexparts

    conn = sqlean.connect(str(tmp_path / "memory.db"))
    try:
        assert indexparts.doctor_finds(conn) == []
    finally:
        conn.close()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pg.needs_postgres)])
def test_a_write_refused_for_a_missing_guard_or_function_says_what_it_lacks(
    tmp_path: Path, backend: str
) -> None:
    """The refusal said the database "lacks part of its search indexes" and that repair would
    "rebuild them from the memories" when what a hand dropped was the trigger that keeps a
    memory superseded once (or, on PostgreSQL, a function the triggers call): neither is an
    index. It names the part and says what doctor --repair does with it."""
    if backend == "sqlite":
        settings = Settings(db=tmp_path / "memory.db")
        part = "memories_superseded_once"
        drop = f"drop trigger {part}"
    else:
        settings = Settings(db=pg.url(), pg_schema=pg.fresh_schema())
        part = "memory_folds()"
        drop = "drop function memory_folds(text) cascade"
    svc = _open(settings)
    try:
        svc.remember("The heron waits by the river", scope="p1")
        if backend == "sqlite":
            conn = sqlean.connect(str(tmp_path / "memory.db"))
            conn.execute(drop)
            conn.commit()
            conn.close()
        else:
            _by_admin(settings, drop)()
        with pytest.raises(StorageError) as refused:
            svc.remember("A kestrel hovers over the estuary", scope="p1")
        said = str(refused.value)
        assert part in said and "search indexes" not in said and "doctor --repair" in said
        assert svc.doctor(repair=True).healthy
        svc.remember("A kestrel hovers over the estuary", scope="p1")
    finally:
        svc.close()
