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


def test_a_bad_setting_stops_serve_with_one_line(tmp_path: Path) -> None:
    result = _serve(tmp_path, MEMORY_MCP_DURABILITY="extreme")
    assert result.returncode == 1
    said = [line for line in result.stderr.splitlines() if "import time" not in line]
    assert said == [said[-1]] and said[-1].startswith("Error: Invalid setting"), said
