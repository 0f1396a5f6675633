"""`memory-mcp hook session-start|prompt` start without the CLI's typer/rich app (what runs
before every prompt), and say exactly what the CLI's hook commands say."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from memory_mcp.adapters.cli.quick import hook_options
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

pytestmark = pytest.mark.slow

FULL_CLI = "from memory_mcp.adapters.cli.main import main; main()"


@pytest.mark.parametrize(
    ("argv", "parsed"),
    [
        (["hook", "prompt"], ("prompt", {})),
        (["--db", "/x/m.db", "hook", "session-start"], ("session-start", {"db": "/x/m.db"})),
        (
            ["--db=/a.db", "hook", "prompt", "--db", "/b.db", "--project=/p"],
            ("prompt", {"db": "/b.db", "project": "/p"}),
        ),
        (
            ["--db", "postgresql://h/d", "--pg-schema", "team", "hook", "prompt"],
            ("prompt", {"db": "postgresql://h/d", "pg_schema": "team"}),
        ),
        (["hook", "capture"], None),  # loads the model anyway: the CLI
        (["hook", "prompt", "--help"], None),
        (["hook", "prompt", "--db"], None),
        (["hook", "prompt", "--project", "a", "--project", "b"], None),
        (["--project", "/p", "hook", "prompt"], None),  # not a root option
        (["-v", "hook", "prompt"], None),
        (["--as", "alice", "hook", "prompt"], None),
        (["hook"], None),
        (["serve"], None),
    ],
)
def test_only_plain_hook_lines_start_without_the_cli(
    argv: list[str], parsed: tuple[str, dict[str, str]] | None
) -> None:
    assert hook_options(argv) == parsed


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("quickhook") / "memory.db"
    service = MemoryService.open(Settings(db=path, semantic=False))
    service.remember_many(
        [
            {
                "content": "We decided the bearer tokens are checked in api/auth.py.",
                "kind": "decision",
                "scope": "global",
            },
            {"content": "Always use uv for anything Python here.", "kind": "preference"},
        ],  # fmt: skip
        dedup=False,
    )
    service.close()
    return path


def _run(
    args: list[str], payload: str, db: Path, full: bool = False, importtime: bool = False,
    **env: str,
) -> subprocess.CompletedProcess[str]:  # fmt: skip
    start = ["-c", FULL_CLI] if full else ["-m", "memory_mcp"]
    return subprocess.run(
        [sys.executable, *(["-X", "importtime"] if importtime else []), *start, *args],
        input=payload,
        capture_output=True,
        text=True,
        env={**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_SEMANTIC": "true", **env},
        cwd=db.parent,
        timeout=120,
    )


def _prompt(text: str) -> str:
    return json.dumps({"session_id": "s", "hook_event_name": "UserPromptSubmit", "prompt": text})


@pytest.mark.parametrize("command", ["prompt", "session-start"])
def test_the_hooks_import_neither_typer_rich_nor_the_model(db: Path, command: str) -> None:
    result = _run(["hook", command], _prompt("where are the bearer tokens checked?"), db,
                  importtime=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hookSpecificOutput"]["additionalContext"]
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "memory_mcp.service" in imported
    unneeded = {"typer", "rich", "click", "memory_mcp.adapters.cli.main", "fastembed",
                "onnxruntime", "mcp", "psycopg"}  # fmt: skip
    assert not imported & unneeded


@pytest.mark.parametrize(
    ("args", "payload", "env"),
    [
        (["hook", "prompt"], _prompt("where are the bearer tokens checked?"), {}),
        (["hook", "prompt"], _prompt("thanks"), {}),  # nothing bears on it: silence
        (["hook", "session-start"], '{"hook_event_name": "SessionStart"}', {}),
        (["hook", "session-start", "--project", "."], "", {}),
        (["hook", "prompt"], "not json", {}),
        (["hook", "prompt"], "[1, 2]", {}),
        (["hook", "prompt"], _prompt("tokens"), {"MEMORY_MCP_DURABILITY": "extreme"}),
        (["--db", "nothing-here.db", "hook", "session-start"], "{}", {}),
        (["hook", "prompt", "--db", "postgresql://nobody@127.0.0.1:1/none"], _prompt("x y"), {}),
    ],
)
def test_the_quick_path_says_what_the_cli_says(
    db: Path, args: list[str], payload: str, env: dict[str, str]
) -> None:
    quick = _run(args, payload, db, **env)
    full = _run(args, payload, db, full=True, **env)
    assert (quick.returncode, quick.stdout, quick.stderr) == (
        full.returncode, full.stdout, full.stderr,
    )  # fmt: skip
    assert quick.returncode in (0, 1)
    if quick.returncode:
        assert len(quick.stderr.splitlines()) == 1 and quick.stdout == ""
