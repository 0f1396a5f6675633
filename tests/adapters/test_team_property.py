"""Property-style: random memories in random scopes, principals with random grants, and every
tool, resource and prompt called by every principal over HTTP returns only what its grants
allow (checked against the pure policy); ids it may not read are answered as missing ones."""

import json
import random
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.shared.exceptions import MCPError

from memory_mcp.config import Settings
from memory_mcp.policies import access
from memory_mcp.service import MemoryService
from tests.adapters.team_server import OWNER_TOKEN, connect, serving

SCOPES = ["team/a", "team/b", "ops", "global", "user/p0", "user/p1", "user/p2"]
PATTERNS = ["team/*", "team/a", "ops", "global", "*", "user/p1"]
WORDS = ["ferry", "ledger", "orchid", "cobalt", "walnut", "harbor", "quartz", "meadow"]


def _world(service: MemoryService, rng: random.Random) -> tuple[dict[int, str], dict[str, Any]]:
    """Memories (id -> scope) stored by the owner, and principals (name -> (token, Access))."""
    where: dict[int, str] = {}
    for n in range(24):
        scope = rng.choice(SCOPES)
        text = f"{' '.join(rng.sample(WORDS, 3))} note {n}"
        where[service.remember(text, scope=scope).id] = scope
    principals: dict[str, Any] = {}
    for name in ("p0", "p1", "p2"):
        grants = [f"{p}={rng.choice(['read', 'write'])}" for p in rng.sample(PATTERNS, 2)]
        if rng.random() < 0.3:
            grants = []
        _, token = service.team.add(name, grants)
        principals[name] = (token, access.principal(name, access.parse_grants(grants)))
    principals["owner"] = (OWNER_TOKEN, access.OWNER)
    return where, principals


async def _check(url: str, where: dict[int, str], who: Any, rng: random.Random) -> None:
    token, caller = who
    readable = {i for i, s in where.items() if caller.can_read(s)}
    async with connect(url, token) as client:

        async def call(name: str, **args: Any) -> tuple[bool, Any]:
            result = await client.call_tool(name, args)
            return (not result.is_error), (
                result.content[0].text if result.is_error else result.structured_content
            )

        for _ in range(6):
            scope = rng.choice([None, "*", *SCOPES])
            query = " ".join(rng.sample(WORDS, 2))
            ok, found = await call("recall", query=query, limit=50,
                                   **({} if scope is None else {"scope": scope}))  # fmt: skip
            assert ok, found
            assert {h["id"] for h in found.get("hits", [])} <= readable, (scope, query)
            ok, summary = await call("summarize", **({} if scope is None else {"scope": scope}))
            assert ok and {i for c in summary.get("clusters", []) for i in c["ids"]} <= readable
        for memory_id in where:
            ok, reply = await call("recall", ids=[memory_id])
            assert ok == (memory_id in readable), (memory_id, reply)
            if not ok:
                assert reply.endswith(f"No memory with id {memory_id}.")
                ok, reply = await call("forget", ids=[memory_id])
                assert not ok and reply.endswith(f"No memory with id {memory_id}.")
                with pytest.raises(MCPError, match=f"No memory with id {memory_id}."):
                    await client.read_resource(f"memory://{memory_id}")
        recent = json.loads((await client.read_resource("memory://recent")).contents[0].text)
        assert {m["id"] for m in recent} <= readable
        for uri in ("memory://stats", "memory://scopes"):
            text = (await client.read_resource(uri)).contents[0].text
            shown = json.loads(text).get("by_scope") or json.loads(text).get("scopes")
            assert {s for s in shown} <= {s for s in SCOPES if caller.can_read(s)}
        prompt = await client.get_prompt("memory_context", {"topic": rng.choice(WORDS)})
        body = prompt.messages[0].content.text
        shown_ids = {int(part.split(",")[0]) for part in body.split("[#")[1:]}
        assert shown_ids <= readable


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_call_by_every_principal_returns_only_what_its_grants_allow(
    tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    service = MemoryService.open(Settings(db=tmp_path / f"p{seed}.db", semantic=False))
    try:
        where, principals = _world(service, rng)
        with serving(service) as url:
            for who in principals.values():
                anyio.run(_check, url, where, who, rng)
        # Nothing was forgotten by the refused calls.
        assert all(service.get(i).forgotten_at is None for i in where)
    finally:
        service.close()
