"""A keyed JSONL line folded into the stored value of its key, whose merged metadata is
still past the metadata limit once every extra tag is cut: the stored memory keeps its own
metadata (the file's line holds the rest), and the import's summary says how many did, in
the service's report, the CLI's line and the web UI's (both backends). It was kept unsaid."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp import timestamps
from memory_mcp.adapters.cli.main import app
from memory_mcp.adapters.ui.data import describe
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.clock import behind

LIMIT = 2_000


def _export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, metadata: dict[str, str]) -> Path:
    """A file with the same keyed value, a day older, with metadata of its own."""
    source = MemoryService.open(Settings(db=tmp_path / "src.db", semantic=False))
    try:
        monkeypatch.setattr(timestamps, "datetime", behind(24))
        source.remember("Shell is zsh", key="user.shell", scope="p1", metadata=metadata)
        monkeypatch.undo()
        source.export_jsonl(tmp_path / "src.jsonl")
    finally:
        source.close()
    return tmp_path / "src.jsonl"


def test_a_fold_past_the_limit_is_counted(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = MemoryService.open(
        settings.model_copy(update={"semantic": False, "max_metadata_chars": LIMIT})
    )
    try:
        own = {"notes": "m" * 1_500}
        svc.remember("Editor is vim", key="user.editor", scope="p1")  # the file's id 1 taken
        held = svc.remember("Shell is zsh", key="user.shell", scope="p1", metadata=own).id
        report = svc.import_jsonl(_export(tmp_path, monkeypatch, {"theirs": "t" * 1_000}))
        assert (report.folded, report.metadata_kept) == (1, 1)
        assert svc.get(held).metadata == own  # kept as it was, within the limit
        assert "Kept the stored metadata of 1 folded" in str(describe(report))
    finally:
        svc.close()


def test_the_cli_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "cli.db"
    svc = MemoryService.open(Settings(db=db, semantic=False, max_metadata_chars=LIMIT))
    try:
        svc.remember("Editor is vim", key="user.editor", scope="p1")
        svc.remember("Shell is zsh", key="user.shell", scope="p1", metadata={"n": "m" * 1_500})
    finally:
        svc.close()
    exported = _export(tmp_path, monkeypatch, {"theirs": "t" * 1_000})
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    monkeypatch.setenv("MEMORY_MCP_MAX_METADATA_CHARS", str(LIMIT))
    done = CliRunner().invoke(app, ["--db", str(db), "import", str(exported)])
    assert done.exit_code == 0, (done.output, done.stderr)
    said = " ".join(done.stderr.split())
    assert "folded 1 into the same keyed value" in said
    assert "Kept the stored metadata of 1 folded: merged, it was past the metadata limit" in said
    done = CliRunner().invoke(app, ["--db", str(db), "import", str(exported), "--json"])
    assert json.loads(done.stdout)["metadata_kept"] == 0  # present now: nothing folded again
