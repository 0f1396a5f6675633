"""`memory-mcp --version` answers without the CLI's app: it imported typer, rich, pydantic,
numpy and the whole service (0.6 s and more) to print one line."""

import os
import subprocess
import sys

from typer.testing import CliRunner

from memory_mcp.adapters.cli import app

HEAVY = {"typer", "rich", "numpy", "pydantic", "pydantic_settings", "memory_mcp.service"}


def test_version_imports_none_of_the_app_and_says_what_the_app_says() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "memory_mcp", "--version"],
        env={**os.environ, "MEMORY_MCP_DB": "/nonexistent/m.db"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert not imported & HEAVY, imported & HEAVY
    assert done.stdout == CliRunner().invoke(app, ["--version"]).stdout
