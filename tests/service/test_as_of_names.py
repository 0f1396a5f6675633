"""`as_of` answers with the scope and key a memory had then, as its history recorded them,
on both backends, through the service, the MCP SDK client and the CLI: a memory moved to
another scope and re-keyed after T is found in its scope of T under its key of T, and not in
the scope it was moved to. It was answered with its current scope and key (found only in the
scope it has now)."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli.main import app
from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService
from tests.conftest import call_tool as call

US = timedelta(microseconds=1)


def _moved(svc: MemoryService) -> tuple[int, str]:
    """A memory of team's (key team.deploy), moved to ops and re-keyed ops.deploy; and a
    moment between its creation and the move."""
    memory = svc.remember("Deploys happen on Fridays", scope="team", key="team.deploy")
    svc.move([memory.id], "ops")
    svc.update(memory.id, key="ops.deploy")
    return memory.id, (memory.created_at + US).isoformat()


def test_as_of_answers_with_the_names_of_then(keyword_service: MemoryService) -> None:
    _names_of_then(keyword_service)


def test_as_of_answers_with_the_names_of_then_in_both_legs(service: MemoryService) -> None:
    _names_of_then(service)  # the semantic leg too (a vector search of the same filter)


def _names_of_then(svc: MemoryService) -> None:
    memory_id, then = _moved(svc)
    hits = svc.recall("Fridays", scope="team", as_of=then).hits
    assert [(h.id, h.scope, h.key) for h in hits] == [(memory_id, "team", "team.deploy")]
    assert svc.recall("Fridays", scope="ops", as_of=then).hits == []  # not in ops then
    now = svc.recall("Fridays", scope="ops").hits
    assert [(h.id, h.scope, h.key) for h in now] == [(memory_id, "ops", "ops.deploy")]
    at = svc.get(memory_id).created_at + US
    listed = svc.list_memories(MemoryFilter(scopes=["team"], as_of=at))
    assert [(m.id, m.scope, m.key) for m in listed] == [(memory_id, "team", "team.deploy")]
    assert svc.list_memories(MemoryFilter(scopes=["ops"], as_of=at)) == []
    # Between the move and the re-key: in ops, under its old key.
    moved_at = [e.at for e in svc.history(memory_id) if e.action == "move"][0]
    hits = svc.recall("Fridays", scope="ops", as_of=(moved_at + US).isoformat()).hits
    assert [(h.scope, h.key) for h in hits] == [("ops", "team.deploy")]


@pytest.fixture
async def keyword_client(keyword_service: MemoryService) -> Any:
    from mcp import Client

    from memory_mcp.adapters.mcp_server.server import build_server

    async with Client(build_server(keyword_service, load_model=False)) as c:
        yield c


@pytest.mark.anyio
async def test_the_tool_and_the_cli_say_so(
    keyword_client: Any,
    keyword_service: MemoryService,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    memory_id, then = _moved(keyword_service)
    found = await call(keyword_client, "recall", query="Fridays", scope="team", as_of=then)
    assert [(h["id"], h["scope"], h["key"]) for h in found["hits"]] == [
        (memory_id, "team", "team.deploy")
    ]
    if isinstance(settings.db, Path):  # the CLI on the same SQLite file
        monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
        done = CliRunner().invoke(
            app,
            ["--db", str(settings.db), "recall", "Fridays", "--scope", "team", "--as-of", then,
             "--json"],
        )  # fmt: skip
        assert done.exit_code == 0, (done.output, done.stderr)
        hits = json.loads(done.stdout)["hits"]
        assert [(h["scope"], h["key"]) for h in hits] == [("team", "team.deploy")]
