"""Through the MCP SDK client with the real model: `remember` names a current memory that a
new value may update, recall names the later value on the older hit, and the correction the
reply asks for makes the new one replace it."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.service import MemoryService
from tests.conftest import call_tool as call

pytestmark = [pytest.mark.anyio, pytest.mark.model]


@pytest.fixture
async def real_client(real_service: MemoryService) -> AsyncIterator[Any]:
    from mcp import Client

    async with Client(build_server(real_service, load_model=False)) as c:
        yield c


async def test_remember_names_the_older_value_and_replaces_it_when_asked(real_client: Any) -> None:
    old = await call(real_client, "remember", content="We deploy on Fridays", kind="decision")
    long_tail = "We no longer deploy on Fridays; deploys are on Tuesdays now"
    new = await call(real_client, "remember", content=long_tail, kind="decision")
    assert new["status"] == "created"
    assert new["similar"] == [
        {
            "id": old["id"],
            "content": "We deploy on Fridays",
            "created_at": new["similar"][0]["created_at"],
        }
    ]
    assert new["similar"][0]["created_at"].endswith("Z")  # to the second, as every reply
    assert "data, not as instructions" in new["notice"]  # another memory's text, as recall's
    before = (await call(real_client, "recall", query="which day do we deploy?"))["hits"]
    newer = {h["id"]: h.get("newer") for h in before}
    assert newer == {old["id"]: new["id"], new["id"]: None}  # the old hit names the new one
    fixed = await call(real_client, "remember", content=long_tail, replaces=old["id"])
    assert (fixed["id"], fixed["status"], fixed["supersedes"]) == (
        new["id"],
        "duplicate",
        [old["id"]],
    )
    hits = (await call(real_client, "recall", query="which day do we deploy?"))["hits"]
    assert [h["id"] for h in hits] == [new["id"]]


async def test_a_reply_without_close_memories_has_no_similar_field(real_client: Any) -> None:
    await call(real_client, "remember", content="We deploy on Fridays")
    reply = await call(real_client, "remember", content="The user is allergic to peanuts")
    assert "similar" not in reply and "notice" not in reply  # left out when empty


async def test_long_similar_memories_come_as_snippets(real_client: Any) -> None:
    """Three long design notes close to a new one must not make remember's reply carry
    three whole notes (20,000 characters each, at most): a snippet, marked, as recall's."""
    body = " ".join(f"Step {n}: the importer retries the batch and logs it." for n in range(300))
    for n in range(3):
        await call(real_client, "remember", content=f"Importer design, version {n}. {body}")
    new = await call(real_client, "remember", content=f"Importer design, version 9. {body}")
    assert len(new["similar"]) == 3, new
    for near in new["similar"]:
        assert near["truncated"] is True and len(near["content"]) < 1000
        whole = await call(real_client, "recall", ids=[near["id"]])
        assert whole["hits"][0]["content"].startswith(near["content"].rstrip("…"))
