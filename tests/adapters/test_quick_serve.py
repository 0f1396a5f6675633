"""`memory-mcp serve` (stdio) starts without the CLI's typer/rich app: what it imports before
serving, and that it behaves as the CLI's serve command does."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from memory_mcp.adapters.cli.quick import serve_options

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("argv", "options"),
    [
        (["serve"], {}),
        (["serve", "--db", "/x/m.db"], {"db": Path("/x/m.db")}),
        (
            ["--db=/x/m.db", "serve", "--project", "/p"],
            {"db": Path("/x/m.db"), "project": Path("/p")},
        ),
        (["serve", "--http"], None),
        (["-v", "serve"], None),
        (["serve", "--help"], None),
        (["serve", "--db"], None),
        (["serve", "--db", "a", "--db", "b"], None),
        (["--project", "/p", "serve"], None),  # a root option the CLI does not have
        (["stats"], None),
        ([], None),
    ],
)
def test_only_plain_stdio_serve_lines_start_without_the_cli(
    argv: list[str], options: dict[str, Path] | None
) -> None:
    assert serve_options(argv) == options


def _serve(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "memory_mcp", "serve", *args],
        env={
            **os.environ,
            "MEMORY_MCP_DB": str(tmp_path / "m.db"),
            "MEMORY_MCP_SEMANTIC": "false",
            **env,
        },  # fmt: skip
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_imports_neither_typer_nor_the_cli(tmp_path: Path) -> None:
    result = _serve(tmp_path)
    assert result.returncode == 0, result.stderr
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "mcp.server" in imported
    # (click comes with the SDK, through uvicorn)
    assert not imported & {"typer", "rich.progress", "memory_mcp.adapters.cli.main"}


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("MEMORY_MCP_DURABILITY", "extreme", "must be 'normal' or 'full'"),
        (
            "MEMORY_MCP_MAX_IDS",
            "many",
            "must be a valid integer, unable to parse string as an integer",
        ),
        ("MEMORY_MCP_HTTP_WORKERS", "0", "must be at least 1, or auto"),
    ],
)
def test_a_bad_setting_stops_serve_with_one_line(
    tmp_path: Path, name: str, value: str, why: str
) -> None:
    """Naming the variable, as the CLI's commands do (it said only pydantic's message)."""
    result = _serve(tmp_path, **{name: value})
    assert result.returncode == 1
    said = [line for line in result.stderr.splitlines() if "import time" not in line]
    assert said == [f"Error: Invalid setting {name}: {why}; got {value!r}."], said


# The stdio server as `serve` builds it, driven by the SDK's in-memory client in a fresh
# interpreter (this one has numpy loaded already): argv = database, project folder.
FIRST_REPLIES = """
import sys, time
import anyio
from mcp import Client
from memory_mcp.adapters.mcp_server import server
from memory_mcp.config import Settings

server.MODEL_LOAD_DELAY_S = 60.0  # only the first tools/list starts the open,
server.AFTER_REPLY_S = 1.0  # this long after its reply
STACK = {"numpy", "memory_mcp.models", "memory_mcp.service.facade", "memory_mcp.storage.sqlite"}

async def main() -> None:
    built = server._build(Settings(db=sys.argv[1], project=sys.argv[2], semantic=False), [])
    async with Client(built) as client:  # initialize
        assert not STACK & set(sys.modules), STACK & set(sys.modules)
        assert len((await client.list_tools()).tools) == 4
        assert not STACK & set(sys.modules), "imported before the tools/list reply"
        deadline = time.monotonic() + 60
        while not STACK <= set(sys.modules):  # opened on a thread, with no call
            assert time.monotonic() < deadline, "the service never opened"
            await anyio.sleep(0.01)
        stored = await client.call_tool("remember", {"content": "deferred open works"})
        assert not stored.is_error, stored
    print("ok")

anyio.run(main)
"""


def test_serve_answers_initialize_and_tools_list_before_importing_the_service(
    tmp_path: Path,
) -> None:
    """numpy, the storage backend and the service (~0.2 s of imports, a fifth of start-up)
    were imported before the first reply; now on a thread once tools/list is answered."""
    project = tmp_path / "repo"
    project.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", FIRST_REPLIES, str(tmp_path / "m.db"), str(project)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "ok", result.stderr
    assert (tmp_path / "m.db").exists()


def test_a_bad_project_still_stops_serve_before_it_answers(tmp_path: Path) -> None:
    result = _serve(tmp_path, MEMORY_MCP_PROJECT="/")
    assert result.returncode == 1
    said = [line for line in result.stderr.splitlines() if "import time" not in line]
    assert said[-1].startswith("Error: ") and "filesystem root" in said[-1], said
    assert "numpy" not in result.stderr  # refused before the service stack was imported


@pytest.mark.anyio
async def test_empty_variables_are_unset_ones(tmp_path: Path) -> None:
    """A client config's `"MEMORY_MCP_DB": "${env:MEMORY_MCP_DB}"` with the variable unset
    hands the server "": it was the path "." and the server could not open it."""
    from mcp import Client, StdioServerParameters

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "MEMORY_MCP_SEMANTIC": "false"}
    env |= {"MEMORY_MCP_DB": "", "MEMORY_MCP_MODEL_DIR": "", "MEMORY_MCP_PROJECT": ""}
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "memory_mcp", "serve"], env=env, cwd=tmp_path
    )
    async with Client(server, read_timeout_seconds=60) as client:
        stored = await client.call_tool("remember", {"content": "Stored in the default place"})
        assert not stored.is_error, stored.content
    assert (tmp_path / "data" / "memory-mcp" / "memory.db").exists()


def test_a_project_folder_that_is_not_there_is_named_on_stderr(tmp_path: Path) -> None:
    """A committed `.mcp.json` holds its author's absolute --project; on a teammate's machine
    (or after the project moved) that folder is missing and its memories went, silently, to
    a scope named after the folder while the hooks, given the real folder, used the
    repository's. The server still starts, and says so."""
    gone = tmp_path / "elsewhere" / "widgets"
    result = _serve(tmp_path, MEMORY_MCP_PROJECT=str(gone))
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert f"The project folder {gone} does not exist" in said
    assert "scope 'widgets'" in said and "memory-mcp install CLIENT" in said
    here = _serve(tmp_path, MEMORY_MCP_PROJECT=str(tmp_path))
    assert "does not exist" not in here.stderr
