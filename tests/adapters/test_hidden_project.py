"""A server configured with a project (MEMORY_MCP_PROJECT) names its scope to a principal
only if that principal may read it: to any other, over MCP on `serve --http` (the scopes and
profile resources, the memory_context prompt), its hooks (the session briefing) and the CLI
run `--as NAME` (`scopes`), it has no project, as when none is configured, and recall and
writes go where they would then. Where the briefing would read a configured default scope
the principal may not read (it was empty), it reads its own scope. On both backends."""

import json
import os
from pathlib import Path
from typing import Any

import anyio
import httpx2
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from memory_mcp.service.projects import project_scope
from tests.adapters.team_server import connect, serving

DEFAULT = "acme-internal"  # the configured default scope


async def _seen(url: str, token: str) -> list[str]:
    """What `token`'s principal is told: the scopes and profile resources, the prompt."""
    async with connect(url, token) as client:
        texts = [(await client.read_resource(u)).contents[0].text
                 for u in ("memory://scopes", "memory://profile")]  # fmt: skip
        prompt = await client.get_prompt("memory_context", {"topic": "deploy window"})
        result = await client.call_tool("recall", {"query": "deploy window"})
        assert not result.is_error, result.content
        hits: list[dict[str, Any]] = result.structured_content["hits"]
    hook = {"hook_event_name": "SessionStart", "session_id": "s1", "source": "startup"}
    briefing = httpx2.post(
        url.removesuffix("/mcp") + "/hooks/session-start",
        headers={"Authorization": f"Bearer {token}"},
        json=hook,
        timeout=30,
    )
    assert briefing.status_code == 200, briefing.text
    return [*texts, prompt.messages[0].content.text, json.dumps(hits), briefing.text]


def test_a_configured_project_is_named_only_to_who_may_read_it(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "acme-vault-project"
    folder.mkdir()
    secret = project_scope(folder)
    configured = settings.model_copy(
        update={"semantic": False, "project": folder, "default_scope": DEFAULT}
    )
    service = MemoryService.open(configured)
    try:
        service.remember("The deploy window is Tuesday", key="deploy.window")  # the project's
        service.remember("The team deploy window is Friday", scope="team")
        service.remember("Internal deploys need a ticket", scope=DEFAULT, kind="decision")
        _, bob = service.team.add("bob", ["team=read"])
        bob_home = service.as_principal(service.team.access_for("bob"))
        bob_home.remember("I deploy from the laptop", kind="decision")  # in user/bob
        _, carol = service.team.add("carol", ["team=read", f"{secret}=read", f"{DEFAULT}=read"])
        with serving(service) as url:
            bob_sees = anyio.run(_seen, url, bob)
            carol_sees = anyio.run(_seen, url, carol)
    finally:
        service.close()
    assert not any(secret in text or DEFAULT in text for text in bob_sees)
    assert json.loads(bob_sees[0])["project"] is None
    assert "Friday" in bob_sees[3]  # recall covers what bob reads, as with no project
    assert "laptop" in bob_sees[4]  # the briefing: bob's own scope, not the default
    assert json.loads(carol_sees[0])["project"] == secret
    assert secret in carol_sees[2] and secret in carol_sees[4]

    env = os.environ | {"MEMORY_MCP_SEMANTIC": "false", "MEMORY_MCP_PROJECT": str(folder)}
    if settings.pg_schema:
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    for name, project in (("bob", None), ("carol", secret)):
        args = ["--db", str(settings.db), "--as", name, "scopes", "--json"]
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["project"] == project
