"""kill -9 during `memory-mcp migrate --to`, SQLite to PostgreSQL and back, at several points
(after 1 and 2 batches have landed in the target): every killed run leaves a target that
opens and is consistent, and the same command run again finishes an exact copy."""

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.crash import check_file, contents, count_rows, kill_when
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from memory_mcp.service.migration import BATCH, EVERYTHING
from tests import pg

pytestmark = [pytest.mark.slow, pg.needs_postgres]

CLI = [sys.executable, "-m", "memory_mcp"]
ROWS = BATCH * 4


def _env(db: str, schema: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    return env | {"MEMORY_MCP_DB": db, "MEMORY_MCP_PG_SCHEMA": schema, "MEMORY_MCP_SEMANTIC": "0"}


def _seed(path: Path) -> list[str]:
    lines = [
        json.dumps({"id": i, "content": f"Migrated memory {i} about the Kestrel-{i % 50} host"})
        for i in range(1, ROWS + 1)
    ]
    source = path.with_suffix(".jsonl")
    source.write_text("\n".join(lines) + "\n")
    service = MemoryService.open(Settings(db=path, semantic=False))
    service.import_jsonl(source)
    service.forget(list(range(1, ROWS, 37)), reason="crash test")  # some of every state
    service.close()
    return sorted(json.loads(line)["content"] for line in lines)


def _pg_count(schema: str) -> int:
    import psycopg

    with psycopg.connect(pg.url(), autocommit=True) as conn:
        row = conn.execute(
            "select to_regclass(%s) is not null", (f'"{schema}".memories',)
        ).fetchone()
        if not row or not row[0]:
            return 0
        found = conn.execute(f'select count(*) from "{schema}".memories').fetchone()
        return int(found[0]) if found else 0


def _pg_contents(schema: str) -> list[str]:
    service = MemoryService.open(Settings(db=pg.url(), pg_schema=schema, semantic=False))
    try:
        report = service.doctor()
        assert report.healthy, report
        return sorted(m.content for m in service.list_memories(EVERYTHING, limit=None))
    finally:
        service.close()


def _migrate_killed(env: dict[str, str], to: str, landed: Callable[[], int], batches: int) -> bool:
    proc = subprocess.Popen(
        [*CLI, "migrate", "--to", to],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return kill_when(proc, lambda: landed() >= batches * BATCH, random.Random(batches), 0.05)


def _migrate(env: dict[str, str], to: str) -> None:
    done = subprocess.run([*CLI, "migrate", "--to", to], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_killed_migration_to_postgres_and_back_resumes_to_an_exact_copy(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source.db"
    expected = _seed(source)
    schema = pg.fresh_schema()
    to_pg = _env(str(source), schema)
    for batches in (1, 2):  # the second run killed later than the first
        _migrate_killed(to_pg, pg.url(), lambda: _pg_count(schema), batches)
        found = _pg_contents(schema)  # healthy and usable after every kill
        assert len(found) % BATCH == 0 or len(found) == ROWS  # whole batches only
    _migrate(to_pg, pg.url())
    assert _pg_contents(schema) == expected

    back = tmp_path / "back.db"
    from_pg = _env(pg.url(), schema)
    _migrate_killed(from_pg, str(back), lambda: _sqlite_count(back), 2)
    # (history is copied after the memories: a killed copy's rows wait for theirs)
    assert not check_file(back, expect_vectors=False, logged=False)[1]
    _migrate(from_pg, str(back))
    assert not check_file(back, expect_vectors=False)[1]
    assert sorted(contents(back).elements()) == expected


def _sqlite_count(path: Path) -> int:
    return count_rows(path) if path.exists() else 0
