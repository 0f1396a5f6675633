"""`*` is the grants' wildcard (`team/*` grants every scope starting with `team/`), so a scope
named with it could never be granted alone: every way a scope name enters refuses it, saying
why (the MCP tools, the CLI, imports, the default scope), and a project whose folder or remote
holds one gets a name without it. Rows an older version stored in such a scope stay readable,
editable and movable, and `doctor` names their scopes. Both backends."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput
from memory_mcp.policies import access
from memory_mcp.service import MemoryService
from tests.adapters.test_hooks import TRANSCRIPTS
from tests.conftest import call_tool

pytestmark = pytest.mark.anyio

WHY = "contains `*`, which grants read as a wildcard"


async def test_no_tool_writes_to_a_scope_named_with_a_wildcard(
    client: Any, service: MemoryService
) -> None:
    kept = await call_tool(client, "remember", content="The retro is on Thursday", scope="team")
    for scope in ("team/*", "a*b", " team/* "):
        refused = await client.call_tool("remember", {"content": "x", "scope": scope})
        assert refused.is_error and WHY in refused.content[0].text, scope
    for call in (
        lambda: service.update(kept["id"], scope="team/*"),
        lambda: service.move([kept["id"]], "team/*"),
        lambda: service.remember("y", scope="team/*"),
        lambda: service.remember_many([{"content": "z", "scope": "x/*"}]),
    ):
        with pytest.raises(InvalidInput, match="wildcard"):
            call()
    assert service.scopes() == {"team": 1}
    with pytest.raises(ValidationError, match="wildcard"):
        Settings(default_scope="team/*")


def test_an_older_wildcard_scope_stays_readable_editable_and_movable(
    service: MemoryService,
) -> None:
    memory_id = service.remember("The team's old build runs on Fridays", scope="team").id
    service.store.update(memory_id, {"scope": "team/*"})  # as an older version stored it
    assert service.get(memory_id).scope == "team/*"
    assert [h.id for h in service.recall("build Fridays", scope="team/*").hits] == [memory_id]
    bob = service.as_principal(access.principal("bob", access.parse_grants(["team/*=write"])))
    assert bob.get(memory_id).scope == "team/*"
    edited = bob.update(memory_id, content="The team's old build runs on Mondays")
    assert (edited.scope, edited.content) == ("team/*", "The team's old build runs on Mondays")
    assert service.doctor().wildcard_scopes == ["team/*"]
    assert service.doctor().healthy
    assert bob.move([memory_id], "team/builds")[0].scope == "team/builds"
    assert service.doctor().wildcard_scopes == []


def _cli(settings: Settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    env = os.environ | {"MEMORY_MCP_SEMANTIC": "false", "MEMORY_MCP_DB": str(settings.db)}
    if settings.pg_schema:
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    return subprocess.run(
        [sys.executable, "-m", "memory_mcp", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_the_cli_and_imports_refuse_one_and_hooks_name_projects_without_one(
    settings: Settings, tmp_path: Path
) -> None:
    refused = _cli(settings, "remember", "x", "--scope", "team/*")
    assert refused.returncode == 1 and WHY in refused.stderr, refused.stderr
    line = json.dumps({"content": "Imported into a wildcard", "scope": "ops/*"})
    imported = _cli(settings, "import", "-", stdin=line + "\n")
    assert imported.returncode == 1 and WHY in imported.stderr, imported.stderr
    repo = tmp_path / "we*ird"  # git and file systems allow `*` in names
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text('[remote "o"]\n\turl = git@github.com:acme/we*ird\n')
    event = {"session_id": "s1", "transcript_path": str(TRANSCRIPTS / "w1.jsonl"),
             "cwd": str(repo), "hook_event_name": "Stop", "stop_hook_active": False}  # fmt: skip
    captured = _cli(settings, "hook", "capture", stdin=json.dumps(event))
    assert captured.returncode == 0, captured.stderr
    start = event | {"hook_event_name": "SessionStart", "source": "startup"}
    briefing = _cli(settings, "hook", "session-start", stdin=json.dumps(start))
    assert briefing.returncode == 0 and briefing.stdout, briefing.stderr
    scopes = json.loads(_cli(settings, "scopes", "--json").stdout)
    assert "github.com/acme/we%2Aird" in json.dumps(scopes) and "*" not in json.dumps(scopes)
