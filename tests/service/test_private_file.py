"""formats.files.private_file, which export and every written copy go through: the hidden
partial file never outlives an interruption, and a finished one is owner-only."""

import os
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.formats import files


def test_an_interrupt_just_as_the_partial_file_is_made_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Ctrl-C or SIGTERM (a KeyboardInterrupt in the CLI) landing after the file exists
    # but before its name was known: the export signal test caught it once in a while.
    real_open = os.open

    def open_then_interrupted(path: Any, flags: int, mode: int = 0o777) -> int:
        os.close(real_open(path, flags, mode))
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "open", open_then_interrupted)
    with pytest.raises(KeyboardInterrupt), files.private_file(tmp_path / "copy.jsonl") as fh:
        fh.write("never")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_while_writing_leaves_neither_the_file_nor_its_partial(
    tmp_path: Path,
) -> None:
    with pytest.raises(KeyboardInterrupt), files.private_file(tmp_path / "copy.jsonl") as fh:
        fh.write("half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_finished_block_leaves_only_the_file_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "copy.jsonl"
    with files.private_file(target) as fh:
        fh.write("whole\n")
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_text() == "whole\n"
    assert target.stat().st_mode & 0o777 == 0o600
