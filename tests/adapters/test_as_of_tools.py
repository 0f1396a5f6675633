"""`as_of` through the MCP tools (the real SDK client, both backends) and the CLI, around a
forget, a restore into a slot that got a later value meanwhile, and an expiry: each answers
what the service answers, one value of the key at each moment."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli.main import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.conftest import call_tool as call

pytestmark = pytest.mark.anyio
US = timedelta(microseconds=1)


async def _at(client: Any, moment: datetime, **args: Any) -> list[int]:
    reply = await call(client, "recall", query="shell", as_of=moment.isoformat(), **args)
    return [h["id"] for h in reply["hits"]]


async def test_as_of_after_a_restore_into_a_later_slot(
    client: Any, service: MemoryService, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bash, forgotten, then zsh, then bash restored: superseded by zsh as of the restore,
    so a recall as of zsh's creation (up to the restore) answered both."""
    bash = (await call(client, "remember", content="My shell is bash", key="user.shell"))["id"]
    await call(client, "forget", ids=[bash], reason="switching")
    zsh = (await call(client, "remember", content="My shell is zsh", key="user.shell"))["id"]
    service.restore([bash])
    made = service.get(zsh).created_at
    assert await _at(client, made - US) == [bash]
    assert await _at(client, made) == [zsh]
    assert await _at(client, datetime.now(UTC)) == [zsh]
    if isinstance(settings.db, Path):  # the CLI on the same SQLite file
        monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
        runner = CliRunner()
        for moment, want in ((made - US, [bash]), (made, [zsh])):
            done = runner.invoke(
                app,
                [
                    "--db",
                    str(settings.db),
                    "recall",
                    "shell",
                    "--as-of",
                    moment.isoformat(),
                    "--json",
                ],  # fmt: skip
            )
            assert done.exit_code == 0, (done.output, done.stderr)
            assert [h["id"] for h in json.loads(done.stdout)["hits"]] == want


async def test_as_of_around_an_expiry(client: Any, service: MemoryService) -> None:
    """A value with an expiry is current up to it, and not at or after it; the value it
    superseded does not come back when it expires."""
    bash = (await call(client, "remember", content="My shell is bash", key="user.shell"))["id"]
    ends = datetime.now(UTC) + timedelta(days=3)
    zsh = await call(
        client, "remember", content="My shell is zsh", key="user.shell",
        expires_at=ends.isoformat(),
    )  # fmt: skip
    assert zsh["supersedes"] == [bash]
    assert await _at(client, ends - US) == [zsh["id"]]
    assert await _at(client, ends) == []
