"""Databases older memory-mcp versions left, opened by this one: nothing lost, migrated once.

tests/fixtures/upgrades/<commit>-v<version>.sql are `sqlite3 .dump`s of files the CLI of that
commit wrote (`git worktree add /tmp/old <commit>`, then in it, with MEMORY_MCP_SEMANTIC=false):
remember 8 memories (kinds, tags, two scopes, a key set twice, an event date and expiry,
non-ASCII text), forget #7 with a reason, edit #6, move #1, remember and purge #9. Add one
whenever a schema step is appended (the newest now: cbd5497, version 8). cc7099f
numbered its steps in another order than main does now (4 = _erasure, 5 = _one_current_value).
"""

from pathlib import Path
from typing import Any

import pytest
import sqlean

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from memory_mcp.storage.sqlite import db
from memory_mcp.storage.sqlite.migrations import MIGRATIONS
from tests.conftest import FakeEmbedder

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "upgrades").glob("*.sql"))
KEPT = ("id", "content", "kind", "tags", "scope", "metadata", "created_at", "updated_at")
KEPT += ("forgotten_at", "forget_reason", "key", "occurred_at", "expires_at", "superseded_by")
KEPT += ("superseded_at", "client", "repeat_count", "last_seen_at")
HISTORY = "id, memory_id, action, at, client, before, after, detail"


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlean.connect(str(path))
    try:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()


@pytest.mark.parametrize("dump", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_an_older_database_opens_with_everything_it_held(tmp_path: Path, dump: Path) -> None:
    path = tmp_path / "memory.db"
    conn = sqlean.connect(str(path))
    conn.executescript(dump.read_text(encoding="utf-8"))
    conn.close()
    version = _rows(path, "pragma user_version")[0][0]
    memories = _rows(path, f"select {', '.join(KEPT)} from memories order by id")
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
    finally:
        service.close()

    backups = sorted(p.name for p in tmp_path.glob("*.bak"))
    migrated = version < len(MIGRATIONS)
    assert backups == [f"memory.db.v{version}.bak"] * migrated  # the file as it was, once
    MemoryService.open(Settings(db=path, semantic=False)).close()
    assert sorted(p.name for p in tmp_path.glob("*.bak")) == backups  # migrated once
    conn = db.connect(path)
    assert db.schema_version(conn) == len(MIGRATIONS)
    assert db.scalar(conn, "pragma integrity_check") == "ok"
    conn.close()
