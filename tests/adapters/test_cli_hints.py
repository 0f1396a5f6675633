"""The CLI's small courtesies, as a user meets them in a new process: a capture with nothing
to store makes no database, a hook command named as the client names its event is pointed
to, and a memory id that is no number is said in the words the tools use."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def cli(*args: str, db: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_SEMANTIC": "false",
               "COLUMNS": "300"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "memory_mcp", *args],
        input=stdin, capture_output=True, text=True, env=environ, timeout=60,
    )  # fmt: skip


def test_a_capture_with_nothing_to_store_makes_no_database(tmp_path: Path) -> None:
    db = tmp_path / "memory.db"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    only_meta = tmp_path / "meta.jsonl"
    only_meta.write_text(json.dumps({"type": "summary", "summary": "x", "leafUuid": "u"}) + "\n")
    for transcript in (empty, only_meta):
        hook = {"session_id": "s", "transcript_path": str(transcript), "cwd": str(tmp_path),
                "hook_event_name": "Stop"}  # fmt: skip
        done = cli("hook", "capture", db=db, stdin=json.dumps(hook))
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
        assert list(tmp_path.glob("memory.db*")) == []
    missing = cli("hook", "capture", db=db, stdin=json.dumps({"cwd": str(tmp_path)}))
    assert missing.returncode == 1 and "no transcript_path" in missing.stderr
    assert list(tmp_path.glob("memory.db*")) == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("start", "session-start"), ("Stop", "capture"), ("UserPromptSubmit", "prompt"),
     ("session_start", "session-start")],
)  # fmt: skip
def test_a_hook_named_as_its_event_or_part_of_its_name_is_pointed_to(
    tmp_path: Path, typed: str, meant: str
) -> None:
    done = cli("hook", typed, db=tmp_path / "memory.db")
    assert done.returncode == 2
    assert f"No such command '{typed}'. Did you mean '{meant}'?" in done.stderr


@pytest.mark.parametrize(
    ("args", "bad"),
    [(["show", "abc"], "'abc'"), (["forget", "3", "x"], "'x'"), (["edit", "1.5"], "'1.5'"),
     (["recall", "q", "--id", "2.5"], "'2.5'"), (["remember", "q", "--replaces", "z"], "'z'")],
)  # fmt: skip
def test_a_memory_id_that_is_no_whole_number_is_said_as_the_tools_say_it(
    tmp_path: Path, args: list[str], bad: str
) -> None:
    done = cli(*args, db=tmp_path / "memory.db")
    assert done.returncode == 2
    assert f"Memory ids are whole numbers such as 7, not {bad}." in done.stderr
    assert "unable to parse" not in done.stderr
