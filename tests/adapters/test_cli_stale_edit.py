"""`memory-mcp edit` opens $EDITOR on a memory and a person may take minutes; `purge` asks
before deleting. What another writer (the MCP server, the web UI) changes meanwhile must
not be overwritten or deleted unseen: nothing is written, the edit is kept in a file, and
the message says how to save it over the version there is now. Both backends; the editor is
a real process that waits while the test writes from a second service."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from subprocess import PIPE

import pytest
from typer.testing import CliRunner, Result

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

WAIT_S = 120  # for something that will happen: ends when it does

EDITOR = """\
import pathlib, sys, time
path, here = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[0]).parent
path.write_text(path.read_text().replace("Thursday 9:00", "Thursday 10:00"))
(here / "opened").touch()
deadline = time.monotonic() + {wait}
while not (here / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.05)
"""


@pytest.fixture
def store(settings: Settings) -> Iterator[MemoryService]:
    svc = MemoryService.open(settings.model_copy(update={"semantic": False}))
    yield svc
    svc.close()


def _cli(settings: Settings, *args: str, input: object = None) -> Result:
    env = {"MEMORY_MCP_SEMANTIC": "false"}
    if settings.pg_schema:
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    return CliRunner().invoke(app, ["--db", str(settings.db), *args], env=env, input=input)  # type: ignore[arg-type]


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _editing_while(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], object]
) -> threading.Thread:
    """$EDITOR saves its change, then waits until `meanwhile` (another writer) has run."""
    editor = tmp_path / "editor" / "editor.py"
    editor.parent.mkdir()
    editor.write_text(EDITOR.format(wait=WAIT_S))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")

    def other_writer() -> None:
        _wait_for(editor.parent / "opened")
        try:
            meanwhile()
        finally:
            (editor.parent / "go").touch()

    thread = threading.Thread(target=other_writer)
    thread.start()
    return thread


@pytest.mark.parametrize("change", ["edit", "forget"])
def test_an_edit_saved_over_a_change_made_while_the_editor_was_open_is_refused_and_kept(
    settings: Settings,
    store: MemoryService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    memory = store.remember("The deploy window is Thursday 9:00", tags=["ops"])
    changes = {
        "edit": lambda: store.update(memory.id, tags=["ops", "release"], client="mcp"),
        "forget": lambda: store.forget([memory.id], "outdated", client="mcp"),
    }
    thread = _editing_while(tmp_path, monkeypatch, changes[change])
    result = _cli(settings, "edit", str(memory.id))
    thread.join()
    said = " ".join(result.stderr.split())
    assert result.exit_code == 1, (result.output, result.exception)
    assert f"Memory #{memory.id} changed since it was opened (last: {change} by mcp at " in said, (
        said
    )
    assert "nothing was written" in said and "Traceback" not in said
    now = store.get(memory.id)
    assert now.content == "The deploy window is Thursday 9:00"  # the edit wrote nothing
    if change == "edit":
        assert now.tags == ["ops", "release"]
    else:
        assert now.forgotten_at is not None
    kept = Path(said.split("What you wrote is kept in ")[1].split(". To save it")[0])
    try:
        assert "Thursday 10:00" in kept.read_text()
        assert f"memory-mcp edit {memory.id} --file {kept}" in said
        # applied again once seen: the file is the whole edit, saved over the version
        # there is now (the other writer's change stays in the history)
        again = _cli(settings, "edit", str(memory.id), "--file", str(kept))
        assert again.exit_code == 0, (again.output, again.exception)
    finally:
        kept.unlink()
    after = store.get(memory.id)
    assert after.content == "The deploy window is Thursday 10:00"
    assert after.tags == ["ops"]
    assert [e.action for e in store.history(memory.id, 2)] == ["edit", change]


def test_an_edit_with_no_change_meanwhile_is_saved(
    settings: Settings, store: MemoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = store.remember("The deploy window is Thursday 9:00")
    thread = _editing_while(tmp_path, monkeypatch, lambda: store.remember("Something else"))
    result = _cli(settings, "edit", str(memory.id))
    thread.join()
    assert result.exit_code == 0, (result.output, result.exception)
    assert store.get(memory.id).content == "The deploy window is Thursday 10:00"


def test_a_purge_confirmed_after_a_memory_changed_deletes_none(
    settings: Settings, store: MemoryService
) -> None:
    """The CLI in its own process: the question waits while the test changes one memory."""
    a = store.remember("Alpha note to delete")
    b = store.remember("Bravo note to delete")
    env = os.environ | {"MEMORY_MCP_SEMANTIC": "false", "MEMORY_MCP_DB": str(settings.db)}
    if settings.pg_schema:
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    command = [sys.executable, "-m", "memory_mcp", "purge", str(a.id), str(b.id)]
    with subprocess.Popen(command, env=env, stdin=PIPE, stderr=PIPE) as cli:
        assert cli.stdin is not None and cli.stderr is not None
        shown = b""
        while b"Permanently delete" not in shown:  # the question is asked
            chunk = os.read(cli.stderr.fileno(), 4096)
            assert chunk, shown
            shown += chunk
        store.update(b.id, content="Bravo note, worth keeping", client="mcp")
        cli.stdin.write(b"y\n")
        cli.stdin.close()
        said = " ".join((shown + cli.stderr.read()).decode().split())
        assert cli.wait(WAIT_S) == 1, said
    assert f"Memory #{b.id} changed since it was opened (last: edit by mcp at " in said, said
    assert [m.id for m in store.get_many([a.id, b.id])] == [a.id, b.id]


def test_a_file_is_the_whole_edit_and_takes_no_other_option(
    settings: Settings, store: MemoryService, tmp_path: Path
) -> None:
    memory = store.remember("The deploy window is Thursday 9:00")
    edited = tmp_path / "edited.md"
    edited.write_text("kind: note\nscope: global\ntags:\n---\nThe deploy window is Friday\n")
    both = _cli(settings, "edit", str(memory.id), "--file", str(edited), "--content", "x")
    assert both.exit_code == 1 and "--file holds the whole edit" in both.stderr
    assert store.get(memory.id).content == "The deploy window is Thursday 9:00"
    assert _cli(settings, "edit", str(memory.id), "--file", str(edited)).exit_code == 0
    assert store.get(memory.id).content == "The deploy window is Friday"


def test_a_file_that_never_ends_is_refused_not_waited_on(
    settings: Settings, store: MemoryService, tmp_path: Path
) -> None:
    """--file read its path whole: a FIFO (nobody writing) hung the edit, /dev/zero filled
    memory. Refused as the imports refuse one, the memory unchanged."""
    memory = store.remember("The deploy window is Thursday 9:00")
    fifo = tmp_path / "edited.md"
    os.mkfifo(fifo)
    env = {**os.environ, "MEMORY_MCP_SEMANTIC": "false"}
    if settings.pg_schema:
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    args = ["--db", str(settings.db), "edit", str(memory.id), "--file", str(fifo)]
    done = subprocess.run([sys.executable, "-m", "memory_mcp", *args], capture_output=True,
                          text=True, env=env, timeout=WAIT_S)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "not a regular file" in done.stderr or "is a FIFO" in done.stderr, done.stderr
    assert "nothing was changed" in done.stderr and "Traceback" not in done.stderr
    assert store.get(memory.id).content == "The deploy window is Thursday 9:00"


def test_a_purge_expired_confirmed_after_a_member_of_its_chain_changed_deletes_none(
    settings: Settings, store: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`purge --expired` lists the value behind an expired one (brought back expired, it goes
    too). That member was checked only as part of the set (no more, no fewer): edited while
    the question waited, it was deleted unseen. Now each listed memory is checked: none goes."""
    from memory_mcp import timestamps
    from memory_mcp.service import writing
    from tests.clock import behind

    for clock in (timestamps, writing):  # stored two days ago, expired a day ago
        monkeypatch.setattr(clock, "datetime", behind(48))
    first = store.remember("Deploy freeze is on", key="ops.freeze", scope="p1").id
    off = store.remember("Deploy freeze is off", key="ops.freeze", scope="p1", ttl="1d").id
    monkeypatch.undo()
    env = os.environ | {"MEMORY_MCP_SEMANTIC": "false", "MEMORY_MCP_DB": str(settings.db)}
    if settings.pg_schema:
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    command = [sys.executable, "-m", "memory_mcp", "purge", "--expired"]
    with subprocess.Popen(command, env=env, stdin=PIPE, stderr=PIPE) as cli:
        assert cli.stdin is not None and cli.stderr is not None
        shown = b""
        while b"Permanently delete" not in shown:  # the question is asked
            chunk = os.read(cli.stderr.fileno(), 4096)
            assert chunk, shown
            shown += chunk
        assert f"#{first} [p1]".encode() in shown  # listed, behind the expired one
        store.update(first, content="Deploy freeze is on until the audit", client="mcp")
        cli.stdin.write(b"y\n")
        cli.stdin.close()
        said = " ".join((shown + cli.stderr.read()).decode().split())
        assert cli.wait(WAIT_S) == 1, said
    assert f"Memory #{first} changed since it was opened (last: edit by mcp at " in said, said
    assert [m.id for m in store.get_many([first, off])] == [first, off]
    assert store.get(first).content == "Deploy freeze is on until the audit"
