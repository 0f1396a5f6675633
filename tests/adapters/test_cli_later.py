"""`memory-mcp show` names the later memories that may update the one shown, and `memory-mcp
replace OLD --by NEW` makes one of them its replacement (undone by `restore --replacement`,
never by a plain `restore`, a forget's undo run twice); with the real
model, on a real database file."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

pytestmark = pytest.mark.model

OLD = "The staging database is on port 5433"
NEW = "Staging DB moved to port 6543"


def test_show_names_a_later_value_and_replace_makes_it_the_replacement(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "later.db"
    monkeypatch.setenv("MEMORY_MCP_MODEL_DIR", str(model_dir))
    monkeypatch.delenv("MEMORY_MCP_SEMANTIC", raising=False)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> tuple[str, str]:
        result = runner.invoke(app, ["--db", str(db), *args])
        assert result.exit_code == code, (result.output, result.exception)
        return result.stdout, " ".join(result.stderr.split())  # as wrapped to a width

    run("remember", "The user likes green tea")
    run("remember", OLD)
    run("remember", NEW)
    shown, _ = run("show", "2")
    assert "Later memories that may update this:" in shown
    assert f"#3 {NEW}" in shown and "green tea" not in shown
    assert "memory-mcp replace 2 --by ID" in shown
    assert "Later memories" not in run("show", "3")[0]  # the newest value
    _, said = run("replace", "2", "--by", "3")
    assert "#2 is now superseded by #3" in said
    assert "Undo with: memory-mcp restore 2 --replacement" in said
    assert json.loads(run("show", "2", "--json")[0])["superseded_by"] == 3
    assert "Later memories" not in run("show", "2")[0]
    _, said = run("replace", "2", "--by", "1", code=1)
    assert "Memory 2 was already replaced by 3" in said
    _, said = run("restore", "2")  # a forget's undo: a replaced memory stays replaced
    assert json.loads(run("show", "2", "--json")[0])["superseded_by"] == 3
    assert "#2 stays replaced by #3: `memory-mcp restore 2 --replacement`" in said
    run("restore", "2", "--replacement")
    assert json.loads(run("show", "2", "--json")[0])["superseded_by"] is None
    told = " ".join(run("history", "2")[0].split())  # the restore does not read as a supersede
    assert "replacement by #3 undone" in told and told.count("superseded by #3") == 1
    assert "#3" in run("show", "2")[0]


def test_show_says_nothing_of_later_values_with_semantic_search_off(tmp_path: Path) -> None:
    """Off by configuration, as recall's note elsewhere: no noise on every show."""
    db = tmp_path / "off.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    service.remember(OLD)
    service.remember(NEW)
    service.close()
    result = CliRunner().invoke(
        app, ["--db", str(db), "show", "1"], env={"MEMORY_MCP_SEMANTIC": "false"}
    )
    assert result.exit_code == 0 and OLD in result.stdout
    assert "Later memories" not in result.stdout and "meaning" not in result.stderr
