"""A command whose reader went away (`memory-mcp list --json | head -1`) ends as Unix tools do:
killed by SIGPIPE (a shell's 141), with nothing on stderr. It exited 1, the code of an error,
so a script could not tell a pager closed early from a failed command."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

ENV = {**os.environ, "MEMORY_MCP_SEMANTIC": "false", "COLUMNS": "100"}

COMMANDS = [
    ("list",),
    ("list", "--json"),
    ("recall", "cats"),
    ("recall", "cats", "--json"),
    ("show", "1"),
    ("show", "1", "--json"),
    ("export", "-"),
    ("history", "1"),
    ("log",),
    ("scopes",),
    ("stats",),
    ("summarize",),
    ("--help",),
    ("list", "--help"),
    ("token", "--help"),
    ("--version",),
]


def quiet(stderr: str) -> bool:
    """Nothing said of the pipe (a recall's note that semantic search is off may be there)."""
    return not any(word in stderr for word in ("Traceback", "Error", "Exception", "pipe"))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pipes") / "m.db"
    service = MemoryService.open(Settings(db=path, semantic=False))
    for n in range(120):
        # 2 kB each: a listing is far more than a pipe holds (64 kB on Linux)
        service.remember(f"Memory {n} about cats and dogs: " + f"garden{n} " * 250)
    service.close()
    return path


def run_into_closed_pipe(db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the command writes a byte
    try:
        return subprocess.run(
            [sys.executable, "-m", "memory_mcp", "--db", str(db), *args],
            stdout=write, stderr=subprocess.PIPE, env=ENV, timeout=300, check=False,
        )  # fmt: skip
    finally:
        os.close(write)


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_a_command_whose_reader_went_away_ends_by_sigpipe_quietly(
    db: Path, args: tuple[str, ...]
) -> None:
    done = run_into_closed_pipe(db, *args)
    assert quiet(done.stderr.decode())
    assert done.returncode == -signal.SIGPIPE


def test_a_reader_that_takes_one_line_and_goes(db: Path) -> None:
    """`list --json | head -1`: the first line arrives whole, then the command ends quietly."""
    cli = subprocess.Popen(
        [sys.executable, "-m", "memory_mcp", "--db", str(db), "list", "-n", "120", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
    )  # fmt: skip
    assert cli.stdout is not None and cli.stderr is not None
    first = cli.stdout.readline()
    cli.stdout.close()
    with cli.stderr:
        stderr = cli.stderr.read().decode()
    status = cli.wait(timeout=300)
    assert first.startswith(b"[")
    assert quiet(stderr)
    assert status == -signal.SIGPIPE


FAILING = [
    (),  # no command: the help, and exit 2
    ("hook",),
    ("model",),
    ("show", "nope"),
    ("show", "999999"),
    ("show", "1", "--bogus"),
    ("list", "--since", "not a date"),
    ("no-such-command",),
]


@pytest.mark.parametrize("args", FAILING, ids=[" ".join(c) or "(none)" for c in FAILING])
def test_a_failing_command_whose_reader_went_away_still_fails(
    db: Path, args: tuple[str, ...]
) -> None:
    """`memory-mcp | head -0`: the exit code says the command failed, as it does without the
    pipe; 141 (SIGPIPE) said only that the reader had gone, and a script took it for success
    cut short."""
    env = {**ENV, "MEMORY_MCP_DB": str(db)}  # (no --db: `memory-mcp` alone shows its help)
    command = [sys.executable, "-m", "memory_mcp", *args]
    piped = subprocess.run(command, capture_output=True, env=env, timeout=300, check=False)
    assert piped.returncode in (1, 2), piped.stderr.decode()
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the command writes a byte
    try:
        done = subprocess.run(
            command, stdout=write, stderr=subprocess.PIPE, env=env, timeout=300, check=False
        )
    finally:
        os.close(write)
    assert done.returncode == piped.returncode, done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()
