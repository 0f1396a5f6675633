"""A path that comes from a project or the home folder may name a FIFO (whose open waits for
a writer for ever) or a device (read without end): every reader of such a path refuses it at
once, saying what it is. Each command runs as a real process, on a real FIFO (os.mkfifo) no
one writes to; the old reads never returned (the 60 s are a guard against that, not a
measure)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ports import refusing_port

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")

FIFO = "is a FIFO (a named pipe), not a file; nothing was read from it"


def run(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    base |= {"MEMORY_MCP_DB": str(tmp_path / "m.db"), "MEMORY_MCP_SEMANTIC": "false",
             "MEMORY_MCP_TOKEN_FILE": str(tmp_path / "token"),
             "HOME": str(tmp_path / "home")}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "memory_mcp", *args],
        input=stdin, capture_output=True, text=True, timeout=60, env=base | env,
    )  # fmt: skip


def test_a_projects_git_config_that_is_a_fifo_leaves_the_folder_name(tmp_path: Path) -> None:
    folder = tmp_path / "widgets"
    (folder / ".git").mkdir(parents=True)
    os.mkfifo(folder / ".git" / "config")
    done = run(tmp_path, "remember", "Deploys on Thursdays", "--json",
               MEMORY_MCP_PROJECT=str(folder))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["scope"] == "widgets"  # its folder's name
    assert f"{folder / '.git' / 'config'} {FIFO}: the project's scope does not use it" in " ".join(
        done.stderr.split()
    )


def test_a_projects_claude_md_that_is_a_fifo_is_passed_over(tmp_path: Path) -> None:
    """A file an importer finds in a project is read only if it is a file: the FIFO is passed
    over, the project's other file imported. (A FIFO named on the command line is read as a
    pipe, `import <(command)`: test_cli_sources.)"""
    project = tmp_path / "project"
    project.mkdir()
    os.mkfifo(project / "CLAUDE.md")
    (project / "CLAUDE.local.md").write_text("- Run the tests with pytest -q\n")
    done = run(tmp_path, "import", str(project), "--format", "claude-code", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["created"] == 1


def test_a_client_config_that_is_a_fifo_is_left_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "widgets"
    (folder / ".cursor").mkdir(parents=True)
    os.mkfifo(folder / ".cursor" / "mcp.json")
    done = run(tmp_path, "install", "cursor", "--project-level", "--dir", str(folder))
    assert done.returncode == 1, done.stdout
    said = " ".join(done.stderr.split())
    assert f"{folder / '.cursor' / 'mcp.json'} {FIFO}. Nothing was changed" in said, said


def test_a_token_file_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "token")
    for command in (["token"], ["serve", "--http", "--port", "0"]):
        done = run(tmp_path, *command)
        assert done.returncode == 1 and done.stdout == "", done.stderr
        said = " ".join(done.stderr.split())
        assert f"The token file {tmp_path / 'token'} {FIFO}." in said, said


def test_a_remote_hook_with_a_fifo_for_a_token_file_answers_locally(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "token")
    folder = tmp_path / "widgets"
    (folder / ".git").mkdir(parents=True)
    payload = {"session_id": "abc", "cwd": str(folder), "hook_event_name": "UserPromptSubmit",
               "prompt": "where are bearer tokens checked?"}  # fmt: skip
    with refusing_port() as port:
        done = run(
            tmp_path, "hook", "prompt", "--url", f"http://127.0.0.1:{port}",
            stdin=json.dumps(payload),
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"the token file {tmp_path / 'token'} is not a file" in done.stderr
