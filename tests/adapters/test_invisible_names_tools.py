"""Invisible characters in a name sent to an MCP tool (the real SDK client, both backends;
and `serve --http`): the reply's `note` says which were left out and what was read, as the CLI
and the web UI say, instead of answering for `team` unseen when `te<U+202E>am` was sent."""

import subprocess
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.adapters.test_http import start
from tests.conftest import call_tool as call

RLO = "\u202e"


@pytest.mark.anyio
async def test_each_tool_says_what_it_left_out_of_a_name(client: Any) -> None:
    stored = await call(
        client, "remember", content="The team deploys on Fridays", scope=f"te{RLO}am",
        key="team.deploy\u200bday", tags=[f"ops{RLO}"],
    )  # fmt: skip
    assert stored["scope"] == "team" and stored["key"] == "team.deployday"
    note = stored["note"]
    assert "scope 'te\\u202eam'" in note and "read as 'team'" in note
    assert "key 'team.deploy\\u200bday'" in note and "U+200B (ZERO WIDTH SPACE)" in note
    assert "tag 'ops\\u202e'" in note and "U+202E (RIGHT-TO-LEFT OVERRIDE)" in note
    found = await call(client, "recall", query="deploys", scope=f"te{RLO}am")
    assert [h["id"] for h in found["hits"]] == [stored["id"]]
    assert found["note"].startswith("scope 'te\\u202eam' holds the invisible character")
    summary = await call(client, "summarize", scope=f"{RLO}team")
    assert summary["total"] == 1 and "read as 'team'" in summary["note"]
    # Plain names: no note at all (nulls are left out of replies).
    assert "note" not in await call(client, "remember", content="Plain", scope="team")
    assert "note" not in await call(client, "recall", query="deploys", scope="team")
    assert "note" not in await call(client, "summarize", scope="team")


async def _over_http(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    async with (
        httpx2.AsyncClient(timeout=30) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        stored = await call(client, "remember", content="Shared over HTTP", scope=f"te{RLO}am")
        found = await call(client, "recall", query="HTTP", scope=f"te{RLO}am")
        return stored, found


@pytest.mark.slow
def test_serve_http_says_so_too(tmp_path: Path) -> None:
    proc: subprocess.Popen[str]
    proc, port = start(tmp_path)
    try:
        stored, found = anyio.run(_over_http, f"http://127.0.0.1:{port}/mcp")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert stored["scope"] == "team" and "read as 'team'" in stored["note"]
    assert [h["id"] for h in found["hits"]] == [stored["id"]]
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in found["note"]
