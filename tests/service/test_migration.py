"""`memory-mcp migrate --to`: an exact copy (states, history, ids, times, vectors), verified,
re-runnable, resumable; from SQLite into PostgreSQL and back."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli.main import app
from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput, StorageError
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService
from memory_mcp.service.migration import EVERYTHING, migrate
from memory_mcp.storage import open_storage
from memory_mcp.storage.contract import Storage
from tests import pg
from tests.conftest import FakeEmbedder

pytestmark = pg.needs_postgres


def filled(db: Path) -> MemoryService:
    """A SQLite service holding every state a memory can be in, and its history."""
    svc = MemoryService.open(Settings(db=db), embedder=FakeEmbedder())
    assert svc.semantic.ensure()
    svc.remember("Editor is Helix", key="user.editor", tags=["tools"])
    svc.remember("Editor is Neovim", key="user.editor", context="said on the standup call")
    gone = svc.remember("The wifi password changed")
    svc.forget([gone.id], reason="obsolete")
    svc.remember("Deploy freeze on Friday", ttl="7d", occurred_at="2026-01-02")
    svc.remember("Deploy freeze on Friday")  # a repeat: counted
    for i in range(30):
        svc.remember(f"note {i} about the build cache and the release train", scope="proj")
    return svc


def everything(store: Storage) -> list[dict[str, Any]]:
    return [m.model_dump() for m in store.find(EVERYTHING, newest_first=False)]


def trail(store: Storage) -> list[dict[str, Any]]:
    return [e.model_dump() for e in store.history(limit=10_000)]


def test_a_migration_copies_everything_exactly_and_can_be_rerun(tmp_path: Path) -> None:
    source = filled(tmp_path / "memory.db")
    target_settings = Settings(db=pg.url(), pg_schema=pg.fresh_schema())
    target = open_storage(target_settings)
    first = migrate(source.store, target)
    assert (first.memories, first.copied, first.history_copied) == (34, 34, first.history)
    assert first.vectors == 34 and first.sampled == 34
    assert everything(target) == everything(source.store)
    assert trail(target) == trail(source.store)
    ids = [m.id for m in source.store.find(EVERYTHING)]
    theirs, ours = source.store.vectors_for(ids), target.vectors_for(ids)
    assert all((theirs[i] - ours[i]).max() < 1e-6 for i in ids)  # not re-embedded
    again = migrate(source.store, target)
    assert (again.copied, again.history_copied, again.memories) == (0, 0, 34)
    # The copy works as a database: new ids continue, search finds, keys still supersede.
    hits = target.search_keywords("release train", MemoryFilter(scopes=["proj"]), 5)
    assert len(hits) == 5
    target.close()
    on_pg = MemoryService.open(target_settings, embedder=FakeEmbedder())
    assert on_pg.semantic.ensure()
    newer = on_pg.remember("Editor is Zed", key="user.editor")
    assert newer.id > max(ids) and newer.supersedes
    assert on_pg.recall("which editor?").hits[0].id == newer.id
    on_pg.close()
    source.close()


def test_an_interrupted_migration_resumes(tmp_path: Path) -> None:
    source = filled(tmp_path / "memory.db")
    target = open_storage(Settings(db=pg.url(), pg_schema=pg.fresh_schema()))
    real_copy = target.copy_history

    def broken(entries: Any) -> int:
        raise RuntimeError("connection lost")

    target.copy_history = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        migrate(source.store, target)
    assert target.counts()["memories"] == 34  # memories copied, history not yet: usable
    target.copy_history = real_copy  # type: ignore[method-assign]
    resumed = migrate(source.store, target)
    assert resumed.copied == 0 and resumed.history_copied == resumed.history > 0
    assert trail(target) == trail(source.store)
    target.close()
    source.close()


def test_the_migrate_command_and_back_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = filled(tmp_path / "memory.db")
    source.close()
    schema = pg.fresh_schema()
    monkeypatch.setenv("MEMORY_MCP_PG_SCHEMA", schema)
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    runner = CliRunner()
    result = runner.invoke(
        app, ["--db", str(tmp_path / "memory.db"), "migrate", "--to", pg.url(), "--json"]
    )
    assert result.exit_code == 0, (result.output, result.exception)
    report = json.loads(result.stdout)
    assert report["memories"] == 34 and "memory_mcp:memory_mcp@" not in report["target"]
    back = tmp_path / "back.db"
    result = runner.invoke(app, ["--db", pg.url(), "migrate", "--to", str(back), "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert json.loads(result.stdout)["memories"] == 34
    a = open_storage(Settings(db=tmp_path / "memory.db", semantic=False))
    b = open_storage(Settings(db=back, semantic=False))
    assert everything(a) == everything(b) and trail(a) == trail(b)
    a.close()
    b.close()


def test_jsonl_export_and_import_work_across_backends_both_ways(tmp_path: Path) -> None:
    source = filled(tmp_path / "memory.db")
    to_pg = tmp_path / "from-sqlite.jsonl"
    with to_pg.open("w") as out:
        source.export_jsonl(out)
    on_pg = MemoryService.open(Settings(db=pg.url(), pg_schema=pg.fresh_schema(), semantic=False))
    report = on_pg.import_jsonl(to_pg)
    assert report.created == 34 and on_pg.import_jsonl(to_pg).created == 0  # re-runnable
    back = tmp_path / "from-postgres.jsonl"
    with back.open("w") as out:
        on_pg.export_jsonl(out)
    assert back.read_text() == to_pg.read_text()  # the same lines, ids and times kept
    again = MemoryService.open(Settings(db=tmp_path / "again.db", semantic=False))
    assert again.import_jsonl(back).created == 34
    for a, b in zip(everything(again.store), everything(source.store), strict=True):
        assert {k: v for k, v in a.items() if k != "embedded"} == {
            k: v for k, v in b.items() if k != "embedded"
        }
    for svc in (source, on_pg, again):
        svc.close()


def test_a_target_holding_other_memories_under_the_same_ids_is_refused_untouched(
    tmp_path: Path,
) -> None:
    # Ids the source uses hold another database's memories: the copy would skip them, and
    # the sample read back afterwards only sees that when it picks one of them.
    source = filled(tmp_path / "memory.db")
    target = open_storage(Settings(db=pg.url(), pg_schema=pg.fresh_schema(), semantic=False))
    theirs = MemoryService(target, None, Settings(db=pg.url(), semantic=False))
    theirs.remember("The staging database is on db-07")
    before = everything(target)
    with pytest.raises(StorageError, match="already holds a memory #1 that is not the source"):
        migrate(source.store, target)
    assert everything(target) == before  # nothing copied
    target.close()
    source.close()


def test_two_schemas_of_one_database_are_copied_between_with_to_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`migrate --to URL` took the target's schema from the source's setting, so a copy
    into another schema of the same database went into the source itself (and "copied" 0)."""
    source_schema, target_schema = pg.fresh_schema(), pg.fresh_schema()
    filled(tmp_path / "memory.db").close()
    monkeypatch.setenv("MEMORY_MCP_PG_SCHEMA", source_schema)
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    runner = CliRunner()

    def migrate_cli(*args: str) -> Any:
        return runner.invoke(app, ["--db", pg.url(), "migrate", "--to", *args, "--json"])

    into = runner.invoke(app, ["--db", str(tmp_path / "memory.db"), "migrate", "--to", pg.url()])
    assert into.exit_code == 0, (into.output, into.exception)
    same = migrate_cli(pg.url())
    assert same.exit_code == 1 and "The target is the source itself" in same.stderr
    copied = migrate_cli(pg.url(), "--to-schema", target_schema)
    assert copied.exit_code == 0, (copied.output, copied.exception)
    report = json.loads(copied.stdout)
    assert (report["memories"], report["copied"]) == (34, 34)
    assert f"(schema {target_schema})" in report["target"]
    a = open_storage(Settings(db=pg.url(), pg_schema=source_schema, semantic=False))
    b = open_storage(Settings(db=pg.url(), pg_schema=target_schema, semantic=False))
    assert everything(a) == everything(b) and trail(a) == trail(b)
    a.close()
    b.close()
    for args, said in (
        ((str(tmp_path / "x.db"), "--to-schema", "other"), "a schema is for a PostgreSQL URL"),
        ((pg.url(), "--to-schema", "Bad-Name"), "is not a schema name"),
    ):
        refused = migrate_cli(*args)
        assert refused.exit_code == 1 and said in refused.stderr, refused.stderr
    assert not (tmp_path / "x.db").exists()


def test_another_spelling_of_the_source_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    """The source and the target were compared as URLs: 127.0.0.1 for localhost, another
    role, host= as a parameter or an option added passed for another database, and the
    copy went into the source itself, skipped every row as copied and reported success."""
    schema = pg.fresh_schema()
    role, role_url = pg.fresh_role()
    pg.admin(f'grant memory_mcp to "{role}"')  # the owner's rights: it reads the same tables
    source = MemoryService.open(Settings(db=pg.url(), pg_schema=schema), embedder=FakeEmbedder())
    source.remember("The staging database is on db-07")
    before = (everything(source.store), trail(source.store))
    runner = CliRunner()
    for spelled in pg.other_spellings(role_url):
        with pytest.raises(InvalidInput, match="The target is the source itself"):
            source.migrate_to(spelled)
        said = runner.invoke(
            app,
            ["--db", pg.url(), "migrate", "--to", spelled],
            env={"MEMORY_MCP_PG_SCHEMA": schema, "MEMORY_MCP_SEMANTIC": "false"},
        )
        assert said.exit_code == 1 and "The target is the source itself" in said.stderr, spelled
    assert (everything(source.store), trail(source.store)) == before
    source.close()
