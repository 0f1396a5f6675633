"""A boolean where the Python API takes a number is refused, as the MCP tools refuse it and
in the same words: `True` is an int to Python, so `recall(limit=True)` asked for one hit and
`get(True)` read memory 1."""

from collections.abc import Callable
from typing import Any

import pytest

from memory_mcp.errors import InvalidInput
from memory_mcp.service import MemoryService

pytestmark = pytest.mark.anyio


async def test_the_api_refuses_a_boolean_as_the_tools_do(
    client: Any, service: MemoryService
) -> None:
    service.remember("The cafe opens at eight")
    for tool, args in [
        ("recall", {"query": "cafe", "limit": True}),
        ("recall", {"query": "cafe", "max_tokens": False}),
        ("summarize", {"limit": True}),
        ("forget", {"ids": [True]}),
    ]:
        refused = await client.call_tool(tool, args)
        assert refused.is_error
        said = refused.content[0].text.removeprefix(f"Error executing tool {tool}: ")
        with pytest.raises(InvalidInput) as raised:
            getattr(service, tool)(**args)
        assert str(raised.value) == said


CALLS: list[tuple[str, Callable[[MemoryService], Any]]] = [
    ("limit", lambda s: s.recall("cafe", True)),
    ("max_tokens", lambda s: s.recall("cafe", max_tokens=True)),
    ("ids.1", lambda s: s.recall(ids=[1, True])),
    ("replaces", lambda s: s.remember("The cafe opens at nine", replaces=True)),
    ("batch_size", lambda s: s.remember_many([{"content": "x"}], batch_size=True)),
    ("memory_id", lambda s: s.get(True)),
    ("ids.0", lambda s: s.get_many([True])),
    ("offset", lambda s: s.list_memories(offset=True)),
    ("memory_id", lambda s: s.update(True, content="changed")),
    ("ids.0", lambda s: s.move([True], "elsewhere")),
    ("ids.0", lambda s: s.restore([True])),
    ("ids.0", lambda s: s.purge([True])),
    ("ids.0", lambda s: s.scrub([True], "cafe")),
    ("limit", lambda s: s.history(1, False)),
    ("memory_id", lambda s: s.superseded(True)),
    ("limit", lambda s: s.summarize(limit=True)),
    ("max_tokens", lambda s: s.session_briefing(max_tokens=True)),
    ("max_tokens", lambda s: s.prompt_context("cafe hours", max_tokens=True)),
]


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[f"{i}-{c[0]}" for i, c in enumerate(CALLS)])
def test_every_numeric_parameter_refuses_a_boolean(
    keyword_service: MemoryService, name: str, call: Callable[[MemoryService], Any]
) -> None:
    first = keyword_service.remember("The cafe opens at eight").id
    with pytest.raises(InvalidInput, match=rf": {name}: must be a whole number, not (true|false)"):
        call(keyword_service)
    assert keyword_service.get(first).content == "The cafe opens at eight"  # nothing changed
