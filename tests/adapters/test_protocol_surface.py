"""The MCP protocol surface as an unusual client meets it: malformed params, requests before
initialize, unknown tools, change subscriptions; raw JSON-RPC lines to a real `memory-mcp
serve` where the SDK's client would not send the odd thing, on both protocol eras."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, METHOD_NOT_FOUND

from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.service import MemoryService

CLIENT = {"name": "t", "version": "1"}
HELLO = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": CLIENT}
ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": CLIENT,
}


def _exchange(tmp_path: Path, messages: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Send `messages` as lines to a real stdio server, close stdin; its answers by id."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {"MEMORY_MCP_DB": str(tmp_path / "m.db"), "MEMORY_MCP_SEMANTIC": "false"}
    lines = "".join(json.dumps({"jsonrpc": "2.0", **m}) + "\n" for m in messages)
    done = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "serve"], input=lines.encode(), env=env,
        capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    return {a["id"]: a for a in answers}


def _error(answers: dict[Any, dict[str, Any]], message_id: Any) -> tuple[int, str]:
    error = answers[message_id]["error"]
    return error["code"], error["message"]


@pytest.mark.slow
def test_malformed_params_and_early_requests_say_what_is_wrong(tmp_path: Path) -> None:
    """Each was the SDK's bare "Invalid request parameters" (data ""), which names neither
    the field nor the fix; the code stays -32602 (Invalid params)."""
    answers = _exchange(tmp_path, [
        {"id": "early", "method": "tools/list"},
        {"id": "no-caps", "method": "initialize", "params": {**HELLO, "capabilities": None}},
        {"id": 0, "method": "initialize", "params": HELLO},
        {"method": "notifications/initialized"},
        {"id": "args", "method": "tools/call", "params": {"name": "recall", "arguments": [1]}},
        {"id": "name", "method": "tools/call", "params": {"arguments": {}}},
        {"id": "uri", "method": "resources/read", "params": {}},
        {"id": "prompt", "method": "prompts/get",
         "params": {"name": "memory_context", "arguments": {"topic": 5}}},
        {"id": "progress", "method": "tools/call",
         "params": {"name": "recall", "arguments": {"query": "x"}, "_meta": {"progressToken": {}}}},
    ])  # fmt: skip
    assert _error(answers, "early") == (-32602, "tools/list before initialize: send initialize "
        "first (and notifications/initialized after its answer), then requests on this "
        "connection; only ping is answered before.")  # fmt: skip
    expected = {
        "no-caps": "Invalid params for initialize: params.capabilities: must be",
        "args": "Invalid params for tools/call: params.arguments: must be a valid dictionary",
        "name": "Invalid params for tools/call: params.name: Field required",
        "uri": "Invalid params for resources/read: params.uri: Field required",
        "prompt": "Invalid params for prompts/get: params.arguments.topic: must be a valid "
        "string (got 5)",
        "progress": "Invalid params for tools/call: params._meta.progressToken",
    }
    for message_id, start in expected.items():
        code, message = _error(answers, message_id)
        assert code == -32602 and message.startswith(start), (message_id, message)
    assert "result" in answers[0]


@pytest.mark.slow
def test_malformed_params_say_what_is_wrong_on_2026_07_28(tmp_path: Path) -> None:
    answers = _exchange(tmp_path, [
        {"id": 1, "method": "tools/call",
         "params": {"name": "recall", "arguments": [1], "_meta": ENVELOPE}},
        {"id": 2, "method": "prompts/get",
         "params": {"name": "review_session", "arguments": {"focus": None}, "_meta": ENVELOPE}},
    ])  # fmt: skip
    assert _error(answers, 1)[1].startswith(
        "Invalid params for tools/call: params.arguments: must be a valid dictionary (got [1])"
    )
    assert _error(answers, 2)[1].startswith(
        "Invalid params for prompts/get: params.arguments.focus: must be a valid string"
    )


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_an_unknown_tool_is_told_which_tools_there_are(
    service: MemoryService, mode: str
) -> None:
    async with Client(build_server(service, load_model=False), mode=mode) as client:  # type: ignore[arg-type]
        result = await client.call_tool("recal", {"query": "x"})
    assert result.is_error
    assert result.content[0].text == (  # type: ignore[union-attr]
        "Unknown tool 'recal'; the tools are 'remember', 'recall', 'forget', 'summarize'."
    )


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_no_change_notifications_are_promised(service: MemoryService, mode: str) -> None:
    """On 2026-07-28 the server said resources.subscribe and every listChanged were on and
    acknowledged a listen for memory://recent, then sent nothing when a memory was stored:
    nothing publishes change events. Both eras now say so, and a listen is refused."""
    async with Client(build_server(service, load_model=False), mode=mode) as client:  # type: ignore[arg-type]
        caps = client.server_capabilities
        assert caps is not None and caps.resources is not None and caps.tools is not None
        assert not caps.resources.subscribe and not caps.resources.list_changed
        assert not caps.tools.list_changed
        if mode == "auto":
            assert client.protocol_version == "2026-07-28"
            with pytest.raises(MCPError) as refused:
                async with client.listen(resource_subscriptions=["memory://recent"]):
                    pass
            assert refused.value.error.code == METHOD_NOT_FOUND


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize(
    ("tool", "args", "said"),
    [
        ("recall", {"query": "deploy", "limt": 1}, "unknown argument 'limt'; recall takes "
         "query, limit, max_tokens, scope, kind, tags, since, until, time_field, "
         "include_superseded, as_of, ids, reference_time."),
        ("remember", {"content": "x", "tag": ["a"], "scopes": "p"}, "unknown arguments "
         "'tag', 'scopes'; remember takes content, kind, tags, scope, key, replaces, "
         "occurred_at, ttl, expires_at, reference_time, metadata, context."),
        ("forget", {"ids": [1], "reson": "old"}, "unknown argument 'reson'; forget takes "
         "ids, reason."),
        ("summarize", {"ctx": {}}, "unknown argument 'ctx'; summarize takes query, scope, "
         "kind, since, until, limit, max_tokens, save."),
    ],
)  # fmt: skip
async def test_an_unknown_argument_is_refused_naming_the_right_ones(
    service: MemoryService, mode: str, tool: str, args: dict[str, Any], said: str
) -> None:
    """`recall(query=..., limt=1)` answered with the default limit, and `forget` with a
    misspelt reason forgot without it: the SDK drops arguments it has no field for, so the
    model got a wrong answer and never learnt why. The input schemas say so too."""
    service.remember("The deploy runs on Fridays")
    service.remember("The deploy needs a green build")
    async with Client(build_server(service, load_model=False), mode=mode) as client:  # type: ignore[arg-type]
        assert client.protocol_version == ("2026-07-28" if mode == "auto" else "2025-11-25")
        schemas = {t.name: t.input_schema for t in (await client.list_tools()).tools}
        assert all(schema["additionalProperties"] is False for schema in schemas.values())
        result = await client.call_tool(tool, args)
    assert result.is_error
    assert result.content[0].text == f"Invalid arguments for {tool}: {said}"  # type: ignore[union-attr]
    assert service.get(1).forgotten_at is None and service.count(service.make_filter()) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize(
    ("method", "listed", "what"),
    [
        ("list_tools", "tools/list", "tool"),
        ("list_resources", "resources/list", "resource"),
        ("list_resource_templates", "resources/templates/list", "resource template"),
        ("list_prompts", "prompts/list", "prompt"),
    ],
)
async def test_a_cursor_never_issued_is_invalid(
    service: MemoryService, mode: str, method: str, listed: str, what: str
) -> None:
    """Every list comes whole, without nextCursor; a made-up cursor got the whole list
    again, which a client paging on reads as the list starting over. The specification
    asks for -32602."""
    async with Client(build_server(service, load_model=False), mode=mode) as client:  # type: ignore[arg-type]
        whole = await getattr(client, method)()
        assert whole.next_cursor is None
        assert await getattr(client, method)(cursor="") == whole  # names no page: the first
        for cursor in ("garbage!!", " ", "eyJwYWdlIjogMn0="):
            with pytest.raises(MCPError) as refused:
                await getattr(client, method)(cursor=cursor)
            assert refused.value.error.code == INVALID_PARAMS
            assert refused.value.error.message == (
                f"Invalid cursor {cursor!r}: this server sends every {what} in one page (its "
                f"{listed} answers have no nextCursor), so there is no page to go on to; "
                f"send {listed} without a cursor."
            )
        assert await getattr(client, method)() == whole  # and the connection serves on
