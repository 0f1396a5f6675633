"""MCP roots over a real `serve --http`: a root names a folder on the client's machine, which
the server reads on its own. Only the owner's roots are read; a principal's are never asked
for, so a principal cannot make the server read `.git/config` wherever it likes on the
server's host (and learn, from the scope it got, what is there)."""

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import ListRootsResult, Root

from tests.adapters.test_http import TOKEN, make_repo, principal_token, start

pytestmark = pytest.mark.slow

CALLS = 6


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A `serve --http` with the owner's TOKEN and a principal `mallory` who may write every
    scope of acme's: its URL and mallory's token."""
    mallory_token = principal_token(tmp_path, "mallory", "github.com/acme/*=write")
    proc, port = start(tmp_path, token=TOKEN)
    try:
        yield f"http://127.0.0.1:{port}/mcp", mallory_token
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def _remember(url: str, token: str, repo: Path, content: str) -> tuple[str, int]:
    """A 2025-11-25 client offering `repo` as its root remembers `content`: the scope it
    landed in, and how many times the server asked for the client's roots."""
    asked: list[int] = []

    async def roots(_: Any) -> ListRootsResult:
        asked.append(1)
        return ListRootsResult(roots=[Root(uri=repo.as_uri(), name="secret")])

    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http), mode="legacy",
               list_roots_callback=roots) as session,
    ):  # fmt: skip
        stored = await session.call_tool("remember", {"content": content})
        assert not stored.is_error, stored
        return stored.structured_content["scope"], len(asked)


def test_a_principals_roots_are_not_read_on_the_server(
    tmp_path: Path, served: tuple[str, str]
) -> None:
    """mallory's roots point at a folder of the server's machine whose `.git/config` names a
    repository mallory may write: the server used to read it and store mallory's memory in
    `github.com/acme/hidden-payroll`, telling mallory that the folder exists and what its
    remote is. Now it asks mallory for no roots and the memory lands where mallory's own
    configuration puts it; the owner's roots still name the project."""
    url, mallory = served
    hidden = make_repo(tmp_path / "server-only", "vault", "https://github.com/acme/hidden-payroll")
    scope, asked = anyio.run(_remember, url, mallory, hidden, "Mallory's note")
    assert (scope, asked) == ("user/mallory", 0)  # its personal scope
    scope, asked = anyio.run(_remember, url, TOKEN, hidden, "The owner's note")
    assert (scope, asked) == ("github.com/acme/hidden-payroll", 1)


def test_concurrent_first_calls_over_http_share_one_roots_request(
    tmp_path: Path, served: tuple[str, str]
) -> None:
    """Over HTTP roots/list travels in the reply stream of the call that asks; the calls sent
    beside it wait for that one answer instead of each asking in its own stream."""
    url, _ = served
    repo = make_repo(tmp_path)
    auth = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json, text/event-stream"}
    hello = {"protocolVersion": "2025-11-25", "capabilities": {"roots": {}},
             "clientInfo": {"name": "eager", "version": "1"}}  # fmt: skip
    initialize = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": hello}
    opened = httpx2.post(url, headers=auth, timeout=30, json=initialize)
    session = auth | {"mcp-session-id": opened.headers["mcp-session-id"],
                      "mcp-protocol-version": "2025-11-25"}  # fmt: skip
    initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert httpx2.post(url, headers=session, json=initialized).status_code == 202
    asked: list[object] = []
    roots = {"roots": [{"uri": repo.as_uri(), "name": "gizmo"}]}

    def call(n: int) -> str:
        params = {"name": "remember", "arguments": {"content": f"Eager fact {n}: b{n}"}}
        body = {"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": params}
        with httpx2.stream("POST", url, headers=session, json=body, timeout=30) as reply:
            for line in reply.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line.removeprefix("data:"))
                if message.get("method") == "roots/list":
                    asked.append(message["id"])
                    back = {"jsonrpc": "2.0", "id": message["id"], "result": roots}
                    assert httpx2.post(url, headers=session, json=back).status_code == 202
                elif message.get("id") == n:
                    return str(message["result"]["structuredContent"]["scope"])
        raise AssertionError(f"call {n}'s stream ended without its reply")

    with ThreadPoolExecutor(CALLS) as pool:
        scopes = list(pool.map(call, range(1, CALLS + 1)))
    assert len(asked) == 1, asked
    assert scopes == ["gitlab.com/acme/gizmo"] * CALLS
