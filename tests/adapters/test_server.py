"""The MCP adapter through the real SDK client, in memory."""

# ruff: noqa: E501 - the snapshot of tool descriptions keeps each one on a line

import json
from typing import Any

import pytest
from inline_snapshot import snapshot
from mcp import Client

from memory_mcp.adapters.mcp_server.server import INSTRUCTIONS, build_server
from memory_mcp.config import Settings
from memory_mcp.models import (
    ForgetResult,
    Hit,
    RecallResult,
    SummaryCluster,
    SummaryReply,
)
from memory_mcp.remembered import RememberReply
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder
from tests.conftest import call_tool as call

pytestmark = pytest.mark.anyio


async def test_tool_list_is_exactly_four_with_annotations(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {"remember", "recall", "forget", "summarize"}
    assert tools["recall"].annotations.read_only_hint is True
    assert tools["summarize"].annotations.destructive_hint is False  # save=true writes
    assert tools["forget"].annotations.destructive_hint is True
    assert tools["remember"].annotations.read_only_hint is False
    for tool in tools.values():
        assert tool.description and tool.output_schema
    assert tools["remember"].input_schema["required"] == ["content"]
    kinds = tools["remember"].input_schema["properties"]["kind"]
    assert kinds["enum"] == ["fact", "preference", "decision", "event", "note"]


async def test_instructions_reach_the_client(service: MemoryService) -> None:
    async with Client(build_server(service, load_model=False)) as c:
        assert c.instructions == INSTRUCTIONS


async def test_remember_recall_forget_summarize(client: Client) -> None:
    stored = await call(
        client,
        "remember",
        content="The user codes in Rust",
        kind="preference",
        tags=["lang"],
        scope="me",
    )
    assert stored == {"id": 1, "status": "created", "scope": "me", "kind": "preference"}
    await call(client, "remember", content="The cat is called Miso", scope="me")
    found = await call(
        client, "recall", query="which language does the user code in", scope="me", limit=1
    )
    assert found["mode"] == "hybrid"
    assert [h["id"] for h in found["hits"]] == [1]
    gone = await call(client, "forget", ids=[1], reason="changed jobs")
    assert gone["forgotten"] == [1]
    after = await call(client, "recall", query="Rust", scope="me")
    assert 1 not in [h["id"] for h in after["hits"]]
    summary = await call(client, "summarize", scope="me")
    assert [c["representative_id"] for c in summary["clusters"]] == [2] and summary["total"] == 1


@pytest.mark.parametrize(
    ("tool", "args", "message"),
    [
        ("forget", {"ids": [99]}, "No memory with id 99"),
        ("forget", {"ids": []}, "ids"),
        ("remember", {"content": ""}, "content"),
        ("remember", {"content": "x", "kind": "rumour"}, "kind"),
        ("recall", {"query": "x", "since": "yesterday-ish"}, "ISO-8601"),
        ("recall", {"query": "x", "limit": 500}, "limit"),
        ("recall", {}, "query"),
        ("summarize", {"until": "13/13/2026"}, "ISO-8601"),
    ],
)
async def test_bad_input_is_a_tool_error_and_the_server_keeps_serving(
    client: Client, tool: str, args: dict[str, Any], message: str
) -> None:
    result = await client.call_tool(tool, args)
    assert result.is_error
    assert message in result.content[0].text  # type: ignore[union-attr]
    ok = await call(client, "remember", content="still alive")
    assert ok["status"] == "created"


async def test_a_filter_of_too_many_tags_is_refused_at_the_first_one_too_many(
    client: Client,
) -> None:
    """Every tag was cleaned before they were counted: 100,000 of them (a 1 MB request) cost
    the server seconds of CPU before the refusal. The tags after the 33rd are not read: had
    they been, the control character in them would be the complaint."""
    tags = [f"tag{i}" for i in range(33)] + ["bad\x07tag"] * 100_000
    result = await client.call_tool("recall", {"query": "anything", "tags": tags})
    assert result.is_error
    assert "at most 32 tags in a filter" in result.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize("wrong", [True, 1.0])
async def test_an_id_must_be_a_whole_number_not_true_or_one_point_zero(
    client: Client, wrong: object
) -> None:
    kept = await call(client, "remember", content="Keep me, I am memory 1")
    for tool, args in [
        ("forget", {"ids": [wrong]}),
        ("recall", {"ids": [wrong]}),
        ("remember", {"content": "A correction", "replaces": wrong}),
    ]:
        result = await client.call_tool(tool, args)
        assert result.is_error, (tool, args)
        assert "whole number" in result.content[0].text  # type: ignore[union-attr]
    shown = await call(client, "recall", query="keep me")
    assert [h["id"] for h in shown["hits"]] == [kept["id"]] == [1]


NEEDED = {"remember": {"content": "Needed to call it"}, "recall": {"query": "anything"},
          "forget": {"ids": [1]}, "summarize": {}}  # fmt: skip


async def test_true_is_refused_wherever_a_number_goes(client: Client) -> None:
    # pydantic's lax mode read `true` as 1: `limit: true` asked for one hit, and the model
    # never learnt its argument was wrong. Every numeric argument of every tool, from the
    # schemas tools/list gives, and the numbers inside a list (ids).
    await call(client, "remember", content="Memory one, for the ids")
    tried = []
    for tool in (await client.list_tools()).tools:
        for name, schema in tool.input_schema["properties"].items():
            numeric = "integer" in json.dumps(schema) or "number" in json.dumps(schema)
            if not numeric:
                continue
            sent = [True] if schema.get("type") == "array" else True
            result = await client.call_tool(tool.name, NEEDED[tool.name] | {name: sent})
            said = result.content[0].text  # type: ignore[union-attr]
            assert result.is_error, (tool.name, name, said)
            assert name in said and "whole number" in said, said
            tried.append((tool.name, name))
    assert len(tried) == 7, tried  # recall: limit, max_tokens, ids; summarize: the same two...
    flags = await client.call_tool("summarize", {"save": True})
    assert not flags.is_error  # ...and a boolean where one goes is still taken


async def test_a_time_refused_says_what_is_wrong_and_what_is_allowed(client: Client) -> None:
    # `ttl: 99999999d` said "cannot read" (it had more digits than the pattern took), and a
    # date past the year 9999 or a 13th month said "cannot read" too: each was read.
    for args, said in [
        ({"ttl": "99999999d"}, "ttl: '99999999d' is too long: it would end after the year 9999"),
        ({"ttl": "0d"}, "ttl: '0d' is no time at all"),
        ({"occurred_at": "10000-01-01"}, "'10000-01-01' is outside the years 1 to 9999"),
        ({"occurred_at": "2026-13-45"}, "'2026-13-45' is no date: month must be in 1..12"),
    ]:
        result = await client.call_tool("remember", {"content": "A dated fact"} | args)
        text = result.content[0].text  # type: ignore[union-attr]
        assert result.is_error and said in text and "cannot read" not in text, text
    longest = await client.call_tool("remember", {"content": "A dated fact", "ttl": "1d"})
    assert not longest.is_error


async def test_what_the_model_reads_about_the_tools(client: Client) -> None:
    """Descriptions and arguments, as the model sees them: change them deliberately."""
    tools = (await client.list_tools()).tools
    read = {
        t.name: [t.description]
        + [
            f"{name}: {prop.get('description')}"
            for name, prop in t.input_schema["properties"].items()
        ]
        for t in tools
    }
    assert read == snapshot(
        {
            "remember": [
                "Store what a later session should know: a preference, a decision, a durable fact. Repeats and rewordings are merged; if this updates a `similar` memory of the reply, call again with replaces=its id.",
                "content: One self-contained statement.",
                "kind: Kind of memory.",
                "tags: Labels to filter on.",
                "scope: Scope, e.g. a repo or `global`; default: the project.",
                "key: Named slot, e.g. user.editor; a new value replaces the old.",
                "replaces: Id of a memory this corrects, in its scope.",
                "occurred_at: When it happened. ISO-8601 or relative (`yesterday`, `3 days ago`).",
                "ttl: Expire after: 30m, 12h, 7d, 2w.",
                "expires_at: Expire at. ISO-8601 or relative (`yesterday`, `3 days ago`).",
                "reference_time: The 'now' for relative times, with its UTC offset.",
                "metadata: Any JSON object.",
                "context: Surrounding conversation; searched, never shown.",
            ],
            "recall": [
                "Search memory by meaning and keywords. Call it at the start of a task and when the user refers to earlier sessions.",
                "query: What you want to know.",
                "limit: Most hits (default 8).",
                "max_tokens: Reply size limit in tokens.",
                "scope: Only this scope (`*`: all); default: the project and `global`.",
                "kind: Only this kind.",
                "tags: Only with all these tags.",
                "since: From this time on. ISO-8601 or relative (`yesterday`, `3 days ago`).",
                "until: Before this time; a day without a time: to its end. ISO-8601 or relative (`yesterday`, `3 days ago`).",
                "time_field: since/until on when it happened or was stored.",
                "include_superseded: Also replaced values.",
                "as_of: What was current then. ISO-8601 or relative (`yesterday`, `3 days ago`).",
                "ids: Fetch these in full instead.",
                "reference_time: The 'now' for relative times, with its UTC offset.",
            ],
            "forget": [
                "Hide memories that are wrong or unwanted. Reversible from the CLI.",
                "ids: Memories to hide.",
                "reason: Why, for the record.",
            ],
            "summarize": [
                "Overview of what memory holds on a topic, scope or period: themes with their most representative memory, ids, counts and dates.",
                "query: Topic; omit for everything.",
                "scope: Only this scope (`*`: all); default: the project and `global`.",
                "kind: Only this kind.",
                "since: From this time on. ISO-8601 or relative (`yesterday`, `3 days ago`).",
                "until: Before this time; a day without a time: to its end. ISO-8601 or relative (`yesterday`, `3 days ago`).",
                "limit: Most themes.",
                "max_tokens: Reply size limit in tokens.",
                "save: Also store it as a `summary` memory.",
            ],
        }
    )


@pytest.mark.parametrize(
    ("tool", "args", "named"),
    [
        ("recall", {"query": "x", "limit": 0}, "limit"),
        ("recall", {"query": "x", "limit": 99}, "limit"),
        ("recall", {"query": "x", "max_tokens": 5}, "max_tokens"),
        ("recall", {"query": 5}, "query"),
        ("summarize", {"limit": 0}, "limit"),
        ("forget", {"ids": []}, "ids"),
        ("remember", {}, "content"),
    ],
)
async def test_rejected_arguments_read_as_sentences(
    client: Client, tool: str, args: dict[str, Any], named: str
) -> None:
    result = await client.call_tool(tool, args)
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith(f"Invalid arguments for {tool}: {named}")
    for noise in ("pydantic", "https://", "type=", "validation error for", "\n"):
        assert noise not in text, text


@pytest.mark.parametrize(
    ("tool", "args", "said"),
    [
        ("remember", {"content": "x", "tags": ["t" * 100]}, "tag 'tttttttttttttttttttt'... is"),
        ("remember", {"content": "x", "scope": "s" * 300}, "scope is longer than 200 characters"),
        ("remember", {"content": "x", "tags": [f"t{i}" for i in range(40)]}, "tags: at most"),
        ("recall", {"query": "x", "scope": ""}, "scope must not be empty"),
        # Never read as "the default scope": leaving the argument out is how to ask for it.
        ("remember", {"content": "x", "scope": ""}, "scope must not be empty or blank"),
        ("remember", {"content": "x", "scope": " \u200b "}, "scope must not be empty or blank"),
        ("summarize", {"scope": "\t"}, "scope must not be empty or blank"),
        ("recall", {"query": "x", "tags": ["t" * 100]}, "tag 'tttttttttttttttttttt'... is"),
    ],
)
async def test_checks_past_the_arguments_read_as_sentences(
    client: Client, tool: str, args: dict[str, Any], said: str
) -> None:
    """What the service's models refuse is said in their own words, without pydantic's
    `Value error, ` or the model's field names (`scopes` for recall's `scope`)."""
    result = await client.call_tool(tool, args)
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith(f"Error executing tool {tool}: {said}"), text
    for noise in ("Value error", "Invalid input", "scopes", "Input should be"):
        assert noise not in text, text


async def test_a_tool_call_hops_to_a_worker_thread_once(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open service is handed over on the event loop; only the blocking call itself runs
    on a worker thread (each hop costs ~0.1-0.3 ms of a call: issue 17), one of ours."""
    import anyio.to_thread

    from memory_mcp.adapters.mcp_server.offload import Offload

    await call(client, "remember", content="The user codes in Rust")
    hops: list[Any] = []
    ours: list[Any] = []
    real, real_ours = anyio.to_thread.run_sync, Offload.run

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await real(func, *args, **kwargs)

    async def counted_ours(self: Offload, func: Any) -> Any:
        ours.append(func)
        return await real_ours(self, func)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    monkeypatch.setattr(Offload, "run", counted_ours)
    await call(client, "recall", query="rust", scope="global")
    assert len(ours) == 1 and not hops, (ours, hops)


async def test_the_model_starts_loading_after_the_handshake(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the model (onnxruntime's imports) competed with the first replies for the
    interpreter; it now starts after the first tools/list (or a call, or a timer)."""
    import anyio

    from memory_mcp.adapters.mcp_server import server

    monkeypatch.setattr(server, "MODEL_LOAD_DELAY_S", 60.0)
    svc = MemoryService.open(settings, embedder=FakeEmbedder())
    try:
        async with Client(build_server(svc, load_model=True)) as c:
            assert svc.semantic.state == "idle"
            await c.list_tools()
            with anyio.fail_after(30):
                while svc.semantic.state == "idle":
                    await anyio.sleep(0.01)
    finally:
        svc.close()


async def test_the_saved_tool_list_is_what_the_tools_register() -> None:
    from memory_mcp.adapters.mcp_server.server import listed_tools, registered_tools

    saved = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed_tools()]
    assert saved == await registered_tools(), (
        "tools.json is stale: `uv run python -m memory_mcp.adapters.mcp_server.server`"
    )


async def test_output_schemas_are_flat_and_keep_every_reply_field(client: Client) -> None:
    """The SDK client checks every reply against its tool's output schema with jsonschema, at
    a cost per schema node each value meets: nested models inline (no `$ref` into `$defs`),
    an optional field as its own type (replies leave nulls out), no generated titles; every
    field, its type, format, description and default are still there."""
    tools = {t.name: t for t in (await client.list_tools()).tools}
    replies = {
        "remember": RememberReply,
        "recall": RecallResult,
        "forget": ForgetResult,
        "summarize": SummaryReply,
    }
    for name, model in replies.items():
        schema = tools[name].output_schema
        assert schema is not None
        text = json.dumps(schema)
        for generated in ('"$ref"', '"$defs"', '"title"', '{"type": "null"}', '"default": null'):
            assert generated not in text, (name, generated)
        assert list(schema["properties"]) == list(model.model_fields)
        required = [f for f, info in model.model_fields.items() if info.is_required()]
        assert schema["required"] == required


async def test_list_items_are_described_field_by_field_not_checked_one_by_one(
    client: Client,
) -> None:
    """A list's object items (recall's hits, summarize's themes) have no `items` schema: the
    SDK client's jsonschema descends into every item against it (~10-20 us an item however
    little it checks: three quarters of its check of a recall of 8 hits, and a schema per
    field of every item cost more again). Every field is still named, with its type, format,
    default and meaning, and the fields every item has, in the list's description; and the
    SDK client still checks every reply against the rest."""
    tools = {t.name: t for t in (await client.list_tools()).tools}
    for tool, field, model in (("recall", "hits", Hit), ("summarize", "clusters", SummaryCluster)):
        listed = tools[tool].output_schema["properties"][field]  # type: ignore[index]
        assert set(listed) == {"type", "description"}, (tool, listed)
        assert listed["type"] == "array"
        said = listed["description"]
        assert said.startswith("Each item is an object: ")
        for name in model.model_fields:
            assert f"{name} (" in said, (tool, name)
        required = [f for f, info in model.model_fields.items() if info.is_required()]
        assert said.endswith(f"Every one has {', '.join(required)}."), said
    hit = tools["recall"].output_schema["properties"]["hits"]["description"]  # type: ignore[index]
    for words in ("occurred_at (string, date-time)", "client (string): Who stored it",
                  "truncated (boolean, default false): Content cut to fit",
                  "tags (array of string)", "score (number): Relevance 0-1"):  # fmt: skip
        assert words in hit
    await call(client, "remember", content="The deploy script lives in tools/deploy.sh.")
    found = await client.call_tool("recall", {"query": "deploy script"})
    assert not found.is_error and found.structured_content["hits"]  # type: ignore[index]


def test_a_flat_schema_keeps_a_field_named_title() -> None:
    from pydantic import BaseModel

    from memory_mcp.adapters.mcp_server.tools import flat_schema

    class Titled(BaseModel):
        title: str | None = None
        parts: list[Hit]

    schema = flat_schema(Titled)
    assert schema["properties"]["title"] == {"type": "string"}
    assert "title" not in schema["properties"]["parts"]
    assert schema["required"] == ["parts"]


async def test_tools_list_answers_without_registering_the_tools(service: MemoryService) -> None:
    """Registering the four tools (pydantic schemas from their signatures) cost ~25 ms of
    start-up; tools/list answers from tools.json, and the first call registers them."""
    built = build_server(service, load_model=False)
    async with Client(built) as c:
        assert len((await c.list_tools()).tools) == 4
        assert built._tool_manager.list_tools() == []
        await call(c, "recall", query="anything")
        assert len(built._tool_manager.list_tools()) == 4


async def test_forget_with_one_unknown_id_says_nothing_was_changed(client: Client) -> None:
    kept = await call(client, "remember", content="Keep me: the one id that exists")
    result = await client.call_tool("forget", {"ids": [kept["id"], 99999]})
    assert result.is_error
    assert "No memory with id 99999; nothing was changed." in result.content[0].text  # type: ignore[union-attr]
    shown = await call(client, "recall", query="keep me")
    assert [h["id"] for h in shown["hits"]] == [kept["id"]]  # not forgotten


def test_stdio_leaves_out_the_sdk_tracing_only_without_a_tracer_provider(
    service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No tracer provider installed: the SDK's span per request records nothing, so serving
    stdio leaves its middleware out; under an OpenTelemetry launcher (a provider installed
    before the server starts) the spans stay."""
    from mcp.server._otel import OpenTelemetryMiddleware
    from opentelemetry import trace

    from memory_mcp.adapters.mcp_server.stdio import untraced

    def traced(server: Any) -> bool:
        return any(isinstance(m, OpenTelemetryMiddleware) for m in server.middleware)

    lowlevel = build_server(service, load_model=False)._lowlevel_server  # type: ignore[attr-defined]
    assert traced(lowlevel)
    with monkeypatch.context() as patched:
        patched.setattr(trace, "get_tracer_provider", trace.NoOpTracerProvider)
        untraced(lowlevel)
        assert traced(lowlevel)
    untraced(lowlevel)
    assert not traced(lowlevel)


TOKEN = "ghp_" + "Zq7xK2mN9pL4vB8cR1tY6wE3uI5oA0sD7fG2"  # a GitHub token's shape, made up


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("remember", {"content": "x", "kind": TOKEN}),
        ("remember", {"content": "x", "ttl": TOKEN}),
        ("remember", {"content": "x", "occurred_at": f"on {TOKEN}"}),
        ("remember", {"content": "x", "expires_at": TOKEN}),
        ("remember", {"content": "x", "metadata": ["note", TOKEN]}),
        ("remember", {"content": "x", "tags": {"token": TOKEN}}),
        ("recall", {"query": "x", "limit": TOKEN}),
        ("recall", {"query": "x", "since": TOKEN}),
        ("recall", {"query": "x", "as_of": f"the day {TOKEN} leaked"}),
        ("recall", {"query": "x", "time_field": TOKEN}),
        ("forget", {"ids": [TOKEN]}),
        ("recall", {"query": "x", TOKEN: 1}),
        (TOKEN, {}),
    ],
)
async def test_a_secret_sent_in_the_wrong_argument_is_masked_in_the_error(
    client: Client, tool: str, args: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """An error that repeats what was sent (a date it cannot read, a value of the wrong type)
    masks its secrets before cutting it short: the reply is written to clients' logs, and the
    server logs every failed call on stderr. Cut first, 34 of the token's 40 characters were
    repeated, too few for the masking to recognise."""
    caplog.set_level("INFO")
    result = await client.call_tool(tool, args)
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert "[REDACTED:github_token]" in text, text
    assert TOKEN[:12] not in text, text
    if tool != TOKEN:  # the SDK's own log line names the tool called, as sent
        assert TOKEN[:12] not in caplog.text, caplog.text


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_an_empty_recall_in_a_scope_nothing_is_in_says_so(
    service: MemoryService, mode: str
) -> None:
    """A model that guessed or mistyped a scope (`github.com/acme/widget`) got `hits: []`
    and nothing to act on; the reply's note now says no memory is in that scope, and the
    nearest one it may read, on both protocol eras."""
    async with Client(build_server(service, load_model=False), mode=mode) as c:  # type: ignore[arg-type]
        await call(c, "remember", content="Deploy on Tuesdays", scope="github.com/acme/widgets")
        empty = await call(c, "recall", query="deploy", scope="github.com/acme/widget")
        assert empty["hits"] == []
        assert "No memory you can read is in scope 'github.com/acme/widget'" in empty["note"]
        assert "(did you mean 'github.com/acme/widgets'?)" in empty["note"]
        found = await call(c, "recall", query="deploy", scope="github.com/acme/widgets")
        assert found["hits"] and "No memory you can read" not in found.get("note", "")
        none = await call(c, "recall", query="kubernetes", scope="github.com/acme/widgets")
        assert none["hits"] == [] and "No memory you can read" not in none.get("note", "")
