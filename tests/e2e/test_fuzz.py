"""Hostile arguments to every tool through the real server: a result or a clear tool error,
never a crash, and the server keeps serving (generator shared with benchmarks/fuzz.py)."""

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from benchmarks.fuzz import classify, fuzz_stdio, hostile_args, still_serving
from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

pytestmark = pytest.mark.anyio

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=12,
)
NASTY_TEXT = st.one_of(
    st.text(),  # arbitrary unicode, lone surrogates included
    st.sampled_from(['"', "AND", "NEAR(", "col:umn", "'; drop table memories; --", "\x00", "*"]),
    st.integers(min_value=1, max_value=40).map(lambda n: "huge " * (4_000 + n)),
)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    service = MemoryService.open(Settings(db=tmp_path / "fuzz.db", semantic=False))
    async with Client(build_server(service, load_model=False)) as c:
        yield c
    service.close()


async def assert_clear(client: Client, tool: str, args: dict[str, Any]) -> None:
    outcome, message = await classify(client, tool, args)
    assert outcome != "crash", (tool, args, message)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    tool=st.sampled_from(["remember", "recall", "forget", "summarize"]),
    args=st.dictionaries(
        st.sampled_from(
            ["content", "query", "ids", "limit", "max_tokens", "scope", "tags", "kind", "since",
             "until", "as_of", "replaces", "ttl", "metadata", "reason", "save", "time_field",
             "occurred_at", "expires_at", "reference_time", "key", "include_superseded"]
        ),
        JSON | NASTY_TEXT,
        max_size=6,
    ),
)  # fmt: skip
async def test_random_arguments_never_crash(
    client: Client, tool: str, args: dict[str, Any]
) -> None:
    await assert_clear(client, tool, args)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    content=NASTY_TEXT,
    tags=st.lists(NASTY_TEXT, max_size=40),
    scope=NASTY_TEXT | st.none(),
    when=st.sampled_from(["0001-01-01", "9999-12-31T23:59:59Z", "1000000 years ago", "x"]),
    number=st.integers(min_value=-(2**70), max_value=2**70),
)
async def test_typed_hostile_arguments(
    client: Client, content: str, tags: list[str], scope: str | None, when: str, number: int
) -> None:
    await assert_clear(client, "remember", {"content": content, "tags": tags, "scope": scope,
                                            "occurred_at": when, "replaces": number})  # fmt: skip
    await assert_clear(client, "recall", {"query": content, "limit": number, "since": when})
    await assert_clear(client, "recall", {"ids": [number, 1]})
    await assert_clear(client, "forget", {"ids": [number], "reason": content})
    await assert_clear(client, "summarize", {"query": content, "until": when, "save": True})
    assert await still_serving(client, abs(number) % 1000)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(min_value=0, max_value=2**32))
async def test_generated_hostile_calls(client: Client, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        await assert_clear(client, *hostile_args(rng))
    assert await still_serving(client, seed % 1000)


@pytest.mark.slow
async def test_hostile_calls_over_stdio(tmp_path: Path) -> None:
    outcomes, examples = await fuzz_stdio(tmp_path, 300, seed=7)
    assert outcomes["crash"] == 0, examples
    assert outcomes["server stopped serving"] == 0
    assert outcomes["ok"] > 0 and outcomes["tool error"] > 0


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=NASTY_TEXT)
async def test_resources_and_prompts_answer_hostile_input_clearly(
    client: Client, text: str
) -> None:
    from mcp.shared.exceptions import MCPError

    for request in (
        lambda: client.read_resource(f"memory://{text}"),
        lambda: client.get_prompt("memory_context", {"topic": text}),
        lambda: client.get_prompt("review_session", {"focus": text}),
    ):
        try:
            await request()
        except MCPError as exc:
            assert exc.message and "Internal server error" not in exc.message, exc.message
        except UnicodeEncodeError:
            pass  # the client cannot put a lone surrogate on the wire
    assert await still_serving(client, len(text))
