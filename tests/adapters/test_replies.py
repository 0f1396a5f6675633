"""What the tools send, measured as the SDK client receives it: one compact JSON (text and
structuredContent alike), max_tokens a bound on it, and every reply within the size cap."""

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import DEFAULT_MAX_REPLY_TOKENS, Settings
from memory_mcp.policies.budget import estimate_tokens
from memory_mcp.service import MemoryService
from tests.adapters.test_http import start
from tests.conftest import FakeEmbedder

pytestmark = pytest.mark.anyio

SSE_EVENT_LIMIT = 1_048_576  # bytes: the official SDK client refuses a larger event
LONG = 20_000  # characters: the default maximum length of a memory


def sent(result: CallToolResult) -> str:
    """The reply's text copy, after checking the structured copy says the same."""
    assert not result.is_error, result.content
    [block] = result.content
    text = block.text  # type: ignore[union-attr]
    assert json.loads(text) == result.structured_content
    assert "\n" not in text.strip() or "\\n" in text  # compact: no pretty-printing
    return str(text)


def wire_bytes(result: CallToolResult) -> int:
    message = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    return len(json.dumps(message, separators=(",", ":")).encode())


async def test_replies_leave_out_nulls_defaults_and_microseconds(client: Client) -> None:
    stored = sent(await client.call_tool("remember", {"content": "The user codes in Rust"}))
    assert json.loads(stored) == {"id": 1, "status": "created", "scope": "global",
                                  "kind": "note"}  # fmt: skip
    found = json.loads(sent(await client.call_tool("recall", {"query": "Rust"})))
    [hit] = found["hits"]
    assert set(hit) == {"id", "content", "score", "kind", "scope", "created_at", "client"}
    assert len(hit["created_at"]) == len("2026-01-02T10:00:00Z")
    assert "null" not in json.dumps(found) and "false" not in json.dumps(found)
    gone = json.loads(sent(await client.call_tool("forget", {"ids": [1]})))
    assert set(gone) == {"forgotten", "at", "undo"}


async def test_tool_descriptions_are_short_and_unindented(client: Client) -> None:
    tools = (await client.list_tools()).tools
    for tool in tools:
        assert tool.description and "\n" not in tool.description and "  " not in tool.description
        assert len(tool.description) <= 200
        for name, prop in tool.input_schema["properties"].items():
            assert "anyOf" not in prop or name == "metadata", (tool.name, name, prop)
    listing = (await client.list_tools()).model_dump(by_alias=True, mode="json", exclude_none=True)
    assert len(json.dumps(listing, separators=(",", ":"))) < 12_000


@pytest.mark.parametrize("max_tokens", [200, 400, 800])
async def test_max_tokens_bounds_the_reply_as_sent(client: Client, max_tokens: int) -> None:
    for i in range(12):
        await client.call_tool(
            "remember", {"content": f"Deploy note {i}: " + "the pipeline ships builds " * (i + 1)}
        )
    args = {"query": "deploy pipeline builds", "limit": 12, "max_tokens": max_tokens}
    text = sent(await client.call_tool("recall", args))
    assert estimate_tokens(text) <= max_tokens
    reply = json.loads(text)
    assert reply["hits"] and len(reply["hits"]) + reply.get("omitted", 0) <= 12


@pytest.fixture
def crowded(tmp_path: Path) -> MemoryService:
    """Fifty memories of the longest kind allowed, one of them stored twice."""
    svc = MemoryService.open(Settings(db=tmp_path / "crowded.db"), embedder=FakeEmbedder())
    assert svc.semantic.ensure()
    svc.remember_many(
        [
            {"content": (f"memory {i} " + "lorem ipsum dolor sit amet " * 800)[:LONG]}
            for i in range(50)
        ]
    )
    return svc


async def test_every_reply_stays_within_the_cap_whatever_the_arguments(
    crowded: MemoryService,
) -> None:
    first = crowded.get(1).content
    assert len(first) == LONG
    calls: list[tuple[str, dict[str, Any]]] = [
        ("recall", {"query": "lorem ipsum", "limit": 50}),
        ("recall", {"query": "lorem ipsum", "limit": 50, "max_tokens": 100_000}),
        ("recall", {"ids": list(range(1, 51))}),
        ("summarize", {"limit": 50}),
        ("summarize", {"query": "lorem", "limit": 50, "max_tokens": 100_000}),
        ("remember", {"content": first}),  # a duplicate: the existing text is shown, cut
        ("forget", {"ids": list(range(1, 51))}),
    ]
    async with Client(build_server(crowded, load_model=False)) as client:
        found = json.loads(sent(await client.call_tool("recall", {"query": "lorem", "limit": 50})))
        assert len(found["hits"]) == 50 and all(h["truncated"] for h in found["hits"])
        whole = json.loads(sent(await client.call_tool("recall", {"ids": [7, 8]})))
        assert [h["content"] for h in whole["hits"]][:1] == [crowded.get(7).content]
        assert len(whole["hits"]) + whole.get("omitted", 0) == 2
        for tool, args in calls:
            result = await client.call_tool(tool, args)
            text = sent(result)
            assert estimate_tokens(text) <= DEFAULT_MAX_REPLY_TOKENS, (tool, args)
            assert wire_bytes(result) < SSE_EVENT_LIMIT // 10
    crowded.close()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["legacy", "auto"])  # legacy sessions answer in SSE events
async def test_a_huge_recall_reaches_an_http_client(
    crowded: MemoryService, tmp_path: Path, mode: str
) -> None:
    crowded.close()
    proc, port = start(tmp_path, "--db", str(tmp_path / "crowded.db"))
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        async with (
            httpx2.AsyncClient() as http,
            Client(streamable_http_client(url, http_client=http), mode=mode) as client,
        ):
            result = await client.call_tool("recall", {"query": "lorem ipsum", "limit": 50})
            assert len(json.loads(sent(result))["hits"]) == 50
    finally:
        proc.terminate()
        proc.wait(timeout=10)
