"""The memory lifecycle through the MCP tools on both backends: what a repeat, a merge, a
forget or a restore does to what recall finds afterwards."""

from typing import Any

import pytest

from memory_mcp.service import MemoryService
from tests.conftest import call_tool as call

pytestmark = pytest.mark.anyio

PAST = "2000-01-01T00:00:00.000000Z"


async def found(client: Any, query: str, scope: str) -> list[int]:
    return [h["id"] for h in (await call(client, "recall", query=query, scope=scope))["hits"]]


async def test_a_repeat_lives_as_long_as_it_asks(client: Any, service: MemoryService) -> None:
    """Saying a fact again for good keeps it for good, even after its first copy expired."""
    text = "The office wifi is called Narwhal"
    first = await call(client, "remember", content=text, ttl="1d", scope="s")
    again = await call(client, "remember", content=text, scope="s")
    assert again["status"] == "duplicate" and again["id"] == first["id"]
    assert "expires_at" not in again  # it no longer expires with the first copy
    assert service.get(first["id"]).expires_at is None

    service.store.update(first["id"], {"expires_at": PAST})  # the first copy expired
    assert await found(client, "wifi Narwhal", "s") == []
    back = await call(client, "remember", content="the office wifi is called narwhal.", scope="s")
    assert back["status"] == "duplicate" and "expires_at" not in back
    assert await found(client, "wifi Narwhal", "s") == [first["id"]]
    assert service.history(first["id"])[0].detail["expires"] == "never"

    # A shorter life never cuts a longer one; a longer one extends a shorter one.
    forever = await call(client, "remember", content="Lunch is at noon", scope="s")
    brief = await call(client, "remember", content="Lunch is at noon", ttl="1h", scope="s")
    assert brief["id"] == forever["id"] and "expires_at" not in brief
    soon = await call(client, "remember", content="Parking is on level 2", ttl="1h", scope="s")
    later = await call(client, "remember", content="Parking is on level 2", ttl="2w", scope="s")
    assert later["expires_at"] > soon["expires_at"]
    assert await found(client, "parking level", "s") == [soon["id"]]
