"""On a terminal, a control character the CLI writes out (`\\x1b`) is marked: it read exactly
as the same four characters typed into a memory, so a person could not tell an escape
sequence hidden in a memory from text that only names one (the web UI marks them)."""

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app, browse
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

REVERSE = "\x1b[7m"


def test_a_written_out_control_is_marked_and_typed_text_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "m.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    memory = service.remember("real \x1b[2J here, typed \\x1b[2J there, bidi \u202e end").id
    service.close()
    shown = io.StringIO()
    terminal = Console(file=shown, force_terminal=True, color_system="standard", width=200)
    monkeypatch.setattr(browse, "out", terminal)
    done = CliRunner().invoke(app, ["--db", str(db), "show", str(memory)])
    assert done.exit_code == 0, done.output
    text = shown.getvalue()
    assert f"real {REVERSE}\\x1b" in text  # the escape character, written out and marked
    assert "typed \\x1b[2J there" in text  # what was typed, as typed
    assert f"bidi {REVERSE}\\u202e" in text
    assert "\x1b[2J" not in text.replace(f"{REVERSE}", "")  # nothing raw reaches the terminal


# Controls that Python's str.split() takes for whitespace: a preview turned them into spaces.
SPLIT_CONTROLS = {"\r": "\\x0d", "\x0b": "\\x0b", "\x0c": "\\x0c", "\x1e": "\\x1e",
                  "\x85": "\\x85", "\u2028": "\\u2028"}  # fmt: skip


def test_a_list_preview_writes_out_what_show_writes_out(tmp_path: Path) -> None:
    """`list` showed `safe\\rrm -rf` as "safe rm -rf" (its one-line preview split on every
    whitespace character Python knows), while `show` wrote the carriage return out."""
    db = tmp_path / "m.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    for char in SPLIT_CONTROLS:
        service.remember(f"before{char}after {ord(char)}")
    service.close()
    listed = CliRunner().invoke(app, ["--db", str(db), "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    for char, written in SPLIT_CONTROLS.items():
        assert f"before{written}after {ord(char)}" in listed.stdout, (written, listed.stdout)
