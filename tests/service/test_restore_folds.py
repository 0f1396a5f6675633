"""A memory restored where its text was stored again meanwhile as a correction (it replaced
another), on both backends: one memory of the text, the correction (never folded away)."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli.main import app
from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService


def test_a_restored_memory_folds_into_a_correction_saying_the_same(
    keyword_service: MemoryService,
) -> None:
    """fold_repeats never folds a correction away, and did nothing else: the restored
    "Standup is at 10" and the correction saying it were both current, recall showed the
    text twice."""
    svc = keyword_service
    back = svc.remember("Standup is at 10", scope="p1").id
    svc.forget([back])
    old = svc.remember("Standup is at 9", scope="p1").id
    fix = svc.remember("Standup is at 10", scope="p1", replaces=old).id
    done = svc.restore([back])
    shown = [m.id for m in svc.list_memories(MemoryFilter(scopes=["p1"]))]
    assert shown == [fix]
    assert (done.restored, done.folded_into) == ([back], {back: fix})
    assert svc.get(old).superseded_by == fix  # the correction stands
    assert svc.history(fix)[0].action == "merge"
    assert svc.remember("Standup is at 10", scope="p1").id == fix  # counted on it


def test_the_cli_says_where_a_restored_memory_went(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "cli.db"
    svc = MemoryService.open(Settings(db=db, semantic=False))
    back = svc.remember("Standup is at 10").id
    svc.forget([back])
    fix = svc.remember("Standup is at 10", replaces=svc.remember("Standup is at 9").id).id
    svc.close()
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    done = CliRunner().invoke(app, ["--db", str(db), "restore", str(back)])
    assert done.exit_code == 0, (done.output, done.stderr)
    assert f"#{back} says what #{fix} says" in " ".join(done.stderr.split())


def test_a_memory_a_purge_brings_back_folds_into_a_correction_saying_the_same(
    keyword_service: MemoryService,
) -> None:
    """ "Lunch at noon", replaced by "Lunch at one", which was purged: it came back current
    beside a correction saying "Lunch at noon" too."""
    svc = keyword_service
    first = svc.remember("Lunch at noon", scope="p3").id
    middle = svc.remember("Lunch at one", scope="p3", replaces=first).id
    wrong = svc.remember("Lunch was at two", scope="p3").id
    fix = svc.remember("Lunch at noon", scope="p3", replaces=wrong).id
    svc.purge([middle])
    assert [m.id for m in svc.list_memories(MemoryFilter(scopes=["p3"]))] == [fix]
    assert svc.history(fix)[0].action == "merge"


def test_a_memory_moved_where_a_correction_says_the_same_folds_into_it(
    keyword_service: MemoryService,
) -> None:
    """Both stayed current in the scope it was moved to; the move answers with the
    correction it went into."""
    svc = keyword_service
    moved = svc.remember("Standup is at 10", scope="p2").id
    fix = svc.remember("Standup is at 10", scope="p1", replaces=svc.remember("At 9", scope="p1").id)
    done = svc.move([moved], "p1")
    assert [m.id for m in svc.list_memories(MemoryFilter(scopes=["p1"]))] == [fix.id]
    assert [m.id for m in done] == [fix.id]
