"""`doctor --repair` makes the index of one current value per (scope, key) again; values a
write left sharing a key while it was missing (dropped by hand, a dump restored without it)
used to make that fail (a unique violation), and on PostgreSQL doctor did not even name the
missing index. Now they are settled in the repair's transaction: the later-stated value
stays current, each other is superseded by it with a history entry, nothing is lost."""

from pathlib import Path

import pytest
import sqlean

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests import pg
from tests.conftest import FakeEmbedder

INDEX = "memories_current_key"


def _raw(settings: Settings, tmp_path: Path, *statements: str) -> None:
    """Statements by a hand, not through the service."""
    if not str(settings.db).startswith("postgresql"):
        conn = sqlean.connect(str(tmp_path / "memory.db"))
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()
    else:
        pg.admin(f'set search_path = "{settings.pg_schema}", public', *statements)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pg.needs_postgres)])
def test_repair_settles_current_values_sharing_a_key_then_makes_the_index(
    backend: str, tmp_path: Path
) -> None:
    if backend == "sqlite":
        settings = Settings(db=tmp_path / "memory.db", semantic=False)
    else:
        settings = Settings(db=pg.url(), pg_schema=pg.fresh_schema(), semantic=False)
    svc = MemoryService.open(settings, embedder=FakeEmbedder(), damaged=True)
    try:
        old = svc.remember("The editor is vim", scope="p1", key="editor").id
        middle = svc.remember("The editor is nano", scope="p1", key="editor.draft").id
        new = svc.remember("The editor is helix", scope="p1", key="editor.next").id
        other = svc.remember("The shell is fish", scope="p1", key="shell").id
        _raw(
            settings,
            tmp_path,
            f"drop index {INDEX}",
            f"update memories set key = 'editor' where id in ({middle}, {new})",
        )
        report = svc.doctor()
        assert INDEX in report.missing_index_parts and not report.healthy
        repaired = svc.doctor(repair=True)
        said = " ".join(repaired.repaired)
        assert f"{INDEX} (first 2 current value(s)" in said and repaired.healthy, repaired
        assert f"history kept: {old}, {middle})" in said
        assert svc.get(new).superseded_by is None  # the later-stated value
        for gave_way in (old, middle):
            assert svc.get(gave_way).superseded_by == new  # kept, superseded, with history
            (entry,) = [h for h in svc.history(gave_way) if h.action == "supersede"]
            assert entry.detail == {"by": new, "why": "key"} and entry.client == "doctor"
            assert entry.before is not None and entry.before["content"].startswith("The editor")
        assert svc.get(other).superseded_by is None
        # the index holds again: a new value of the key supersedes the current one
        newest = svc.remember("The editor is zed", scope="p1", key="editor").id
        assert svc.get(new).superseded_by == newest
        assert svc.doctor().healthy
    finally:
        svc.close()
