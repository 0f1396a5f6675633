"""A memory id below 1 on the command line is said to be one: `show -1` said "No such option:
-1" (click reads a leading dash as an option), while `show -- -1` and `show 0` named the id."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

# Every command that takes memory ids as arguments, with what else it needs to run.
ID_COMMANDS = [
    ("show",), ("history",), ("edit",), ("forget",), ("restore",), ("purge",),
    ("move", "--to", "elsewhere"),
]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ids.db"
    service = MemoryService.open(Settings(db=path, semantic=False))
    service.remember("The deploy runs on Tuesdays")
    service.close()
    return path


@pytest.mark.parametrize("command", ID_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("bad", ["-1", "-42", "-1.5"])
def test_a_negative_id_is_said_to_be_one(db: Path, command: tuple[str, ...], bad: str) -> None:
    name, *rest = command
    for args in ([name, bad, *rest], [name, "1", bad, *rest][: 3 + len(rest)]):
        if name in ("show", "history", "edit") and len(args) > 2 + len(rest):
            continue  # these take one id
        done = CliRunner().invoke(app, ["--db", str(db), *args])
        assert done.exit_code == 2, (args, done.output)
        said = " ".join(done.stderr.replace("│", " ").split())
        assert f"Memory ids are whole numbers from 1, not {bad}." in said, said
        assert "No such option" not in said
    # nothing changed: the memory is still there, visible
    listed = CliRunner().invoke(app, ["--db", str(db), "list", "--json"], env={})
    assert '"id": 1' in listed.stdout


def test_a_dashed_number_elsewhere_is_still_an_unknown_option(db: Path) -> None:
    """Only a command that takes ids reads `-5` as one; `list -5` is a typo for an option."""
    done = CliRunner().invoke(app, ["--db", str(db), "list", "-5"])
    assert done.exit_code == 2 and "No such option: -5" in done.stderr
