"""Every secret of the corpus (tests/secret_corpus.py) through the adapters as a user or a
model sends it: MCP `remember` through the real SDK client, and the CLI's `remember` and
`edit`; none reaches the database."""

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.conftest import call_tool
from tests.secret_corpus import CORPUS
from tests.service.test_redaction import stored_bytes


@pytest.mark.anyio
async def test_no_secret_of_the_corpus_is_stored_through_the_mcp_client(
    client: Any, service: MemoryService
) -> None:
    for secret in CORPUS:
        await call_tool(client, "remember", content=secret.text, context=secret.text)
    raw = stored_bytes(service)
    assert [(s.name, p) for s in CORPUS for p in s.secrets if p.encode() in raw] == []


def test_no_secret_of_the_corpus_is_stored_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "cli.db"
    MemoryService.open(Settings(db=db, semantic=False)).close()
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    runner = CliRunner()
    for number, secret in enumerate(CORPUS):
        if number % 2:  # half as new memories, read from stdin as a pasted note would be
            result = runner.invoke(app, ["--db", str(db), "remember", "-"], input=secret.text)
        else:  # half as an edit of a plain note
            runner.invoke(app, ["--db", str(db), "remember", f"Plain note {number}"])
            result = runner.invoke(
                app, ["--db", str(db), "edit", str(number + 1), "--content", secret.text]
            )
        assert result.exit_code == 0, (secret.name, result.output, result.stderr)
    raw = b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())
    assert [(s.name, p) for s in CORPUS for p in s.secrets if p.encode() in raw] == []
