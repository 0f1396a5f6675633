"""`memory-mcp --version` answers without the CLI's app: it imported typer, rich, pydantic,
numpy and the whole service (0.6 s and more) to print one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

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


# What only a command that opens a database needs: the settings (pydantic-settings), the
# service, the storage and search layers (numpy), the importers.
DATABASE_STACK = {
    "numpy", "pydantic_settings", "memory_mcp.config", "memory_mcp.service.facade",
    "memory_mcp.storage", "memory_mcp.formats", "memory_mcp.search.embed",
    "memory_mcp.policies.redact",
}  # fmt: skip


def imported_by(
    *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "memory_mcp", *args],
        env={**os.environ, "MEMORY_MCP_DB": "/nonexistent/m.db", "COLUMNS": "100", **(env or {})},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done, {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}


@pytest.mark.parametrize(
    "args",
    [("--help",), ("list", "--help"), ("recall", "--help"), ("hook", "--help"),
     ("token", "--help"), ("model", "--help"), ("import", "--help"), ("install", "--help")],
)  # fmt: skip
def test_help_imports_neither_the_settings_nor_the_service(args: tuple[str, ...]) -> None:
    """Help reads no database: it imported numpy, pydantic-settings and the whole service
    (about half of its 1.2-1.6 s on a loaded machine)."""
    done, imported = imported_by(*args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage" in done.stdout
    assert not imported & DATABASE_STACK, imported & DATABASE_STACK


def test_reading_commands_import_no_web_client(tmp_path: Path) -> None:
    """`list`, `show`, `history`, `stats` imported urllib.request (with http.client) for a
    path conversion in `install` and in a scope's root URI, and rich's progress bar and log
    handler, at every start; none of them is used to read a database."""
    db = tmp_path / "m.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    first = service.remember("The deploy runs on Tuesdays").id
    service.close()
    for args in (["list"], ["show", str(first)], ["history", str(first)], ["stats"]):
        done, imported = imported_by("--db", str(db), *args)
        assert done.returncode == 0, done.stderr[-2000:]
        assert str(first) in done.stdout
        unused = {"urllib.request", "http.client", "rich.progress"}
        assert not imported & unused, (args, imported & unused)


# What reading memories as text never needs: vectors (numpy), the model (onnxruntime,
# fastembed), and the parts that write, recall or import.
VECTOR_STACK = {
    "numpy", "onnxruntime", "fastembed", "memory_mcp.search.resident",
    "memory_mcp.search.vecindex", "memory_mcp.service.writing", "memory_mcp.service.recalling",
    "memory_mcp.formats",
}  # fmt: skip


def test_reading_commands_import_neither_numpy_nor_the_model(tmp_path: Path) -> None:
    """`list`, `show`, `history` and `stats` imported numpy and the whole service (every part
    built when the service opened; the storage's annotations; sqlite-vec's package), with the
    model configured as a user has it; `recall` still loads it and finds by meaning."""
    db = tmp_path / "m.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    first = service.remember("The deploy runs on Tuesdays").id
    service.close()
    model = os.environ.get("MEMORY_MCP_MODEL_DIR")
    configured = {
        "MEMORY_MCP_SEMANTIC": "true",
        **({"MEMORY_MCP_MODEL_DIR": model} if model else {}),
    }
    for args in (["list", "-n", "5"], ["show", str(first)], ["history", str(first)], ["stats"]):
        done, imported = imported_by("--db", str(db), *args, env=configured)
        assert done.returncode == 0, done.stderr[-2000:]
        assert str(first) in done.stdout or args == ["stats"], done.stdout
        assert not imported & VECTOR_STACK, (args, imported & VECTOR_STACK)
    if model:  # the model's commands still import what they use, and find by meaning
        done, imported = imported_by(
            "--db", str(db), "recall", "which weekday we ship", "--json", env=configured
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert {"numpy", "onnxruntime"} <= imported
        assert '"mode": "hybrid"' in done.stdout and "Tuesdays" in done.stdout
