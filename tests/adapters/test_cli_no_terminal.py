"""Commands that would ask a person, run where there is none (a script, a pipe, cron): `edit`
without VISUAL/EDITOR ran vi, which drew its screen into stdout and failed (exit 1, "The
editor (vi) exited with 1"); `scrub` without --text warned from getpass that the secret may
be echoed, then read it anyway or aborted."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

SECRET = "Bluefinch"  # a codename, which redaction does not mask on its own


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "m.db"
    service = MemoryService.open(Settings(db=path, semantic=False))
    service.remember(f"The next launch is code-named {SECRET} internally")
    service.close()
    return path


def cli(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR")}
    return subprocess.run(
        [sys.executable, "-m", "memory_mcp", "--db", str(db), *args],
        input=stdin, capture_output=True, text=True, timeout=300, check=False,
        env={**env, "MEMORY_MCP_SEMANTIC": "false"},
    )  # fmt: skip


def content(db: Path) -> str:
    service = MemoryService.open(Settings(db=db, semantic=False))
    try:
        return service.get(1).content
    finally:
        service.close()


def test_edit_without_an_editor_or_a_terminal_says_how_to_edit(db: Path) -> None:
    done = cli(db, "edit", "1")
    assert done.returncode == 1
    assert done.stdout == ""  # no editor's screen
    assert "--content" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert SECRET in content(db)


def test_scrub_reads_the_text_from_stdin_when_it_is_no_terminal(db: Path) -> None:
    done = cli(db, "scrub", "1", stdin=SECRET + "\n")
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "echo" not in done.stderr
    assert SECRET not in content(db) and "[scrubbed]" in content(db)


def test_scrub_with_nothing_on_stdin_says_what_it_needs(db: Path) -> None:
    done = cli(db, "scrub", "1")
    assert done.returncode == 1
    assert "No text to scrub" in done.stderr and "--text" in done.stderr
    assert SECRET in content(db)


def test_scrub_refuses_stdin_that_is_not_utf8_without_echoing_it(db: Path) -> None:
    """A secret piped from a file in another encoding (Latin-1 here) was read with its bytes
    escaped, matched nothing and ended "the text is not there", exit 0: as if scrubbed
    already. It is refused as --text is, without showing the secret."""
    env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR")}
    secret = "Bluefinch-Zürich"
    done = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "--db", str(db), "scrub", "1"],
        input=secret.encode("latin-1"), capture_output=True, timeout=300, check=False,
        env={**env, "MEMORY_MCP_SEMANTIC": "false"},
    )  # fmt: skip
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1, stderr
    assert "UTF-8" in stderr and len(stderr.strip().splitlines()) == 1
    assert "Bluefinch" not in stderr and done.stdout == b""
    assert SECRET in content(db)
