"""Text arguments reach the service as the text the client sent, through the real SDK client.

The SDK runs json.loads on every string sent for an argument not typed `str` (to accept lists
sent as JSON text), and our optional text arguments were `str | None`: a query or context that
happened to be a JSON object or array arrived as one, and was refused as not a string."""

import json

import pytest
from mcp import Client

from tests.conftest import call_tool as call

pytestmark = pytest.mark.anyio


async def test_json_looking_text_is_stored_and_searched_as_text(client: Client) -> None:
    stored = await call(client, "remember", content="The proxy listens on port 8080",
                        context='{"port": 8080}')  # was refused: not a string  # fmt: skip
    await call(client, "remember", content="Deploys happen on Fridays", context="[draft]")
    for query, expected in (
        ('{"port": 8080}', "The proxy listens on port 8080"),  # was refused: not a string
        ('["deploys"]', "Deploys happen on Fridays"),  # likewise
    ):
        found = await call(client, "recall", query=query)
        assert found["hits"][0]["content"] == expected, query
    summary = await client.call_tool("summarize", {"query": '{"port": 8080}'})
    assert not summary.is_error, summary.content
    gone = await client.call_tool("forget", {"ids": [stored["id"]], "reason": "[1, 2]"})
    assert not gone.is_error, gone.content


async def test_text_arguments_still_take_null_as_not_given_and_refuse_other_types(
    client: Client,
) -> None:
    # The text `null`, which models send for an argument they leave out, is read as null.
    first = await call(client, "remember", content="The user prefers tabs", scope=None,
                       key="null")  # fmt: skip
    second = await call(client, "remember", content="The user prefers dark mode",
                        scope="null", key="null")  # fmt: skip
    assert "key" not in first and "key" not in second  # no slot named null: nothing replaced
    assert first["scope"] == second["scope"] == "global"
    found = await call(client, "recall", query="tabs", scope=None, since="null")
    assert found["hits"][0]["content"] == "The user prefers tabs"
    refused = await client.call_tool("recall", {"query": ["tabs"]})
    assert refused.is_error
    assert refused.content[0].text.startswith(  # type: ignore[union-attr]
        "Invalid arguments for recall: query: must be a valid string"
    )
    # Lists and objects sent as JSON text are still read as such (the SDK's pre-parse).
    tagged = await call(client, "remember", content="Lint runs in CI", tags='["ci"]',
                        metadata='{"source": "chat"}')  # fmt: skip
    listed = await call(client, "recall", ids=json.dumps([tagged["id"]]))
    assert listed["hits"][0]["tags"] == ["ci"]
