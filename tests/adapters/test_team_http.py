"""A team on one `serve --http`: alice and bob with personal scopes and a shared `team`
scope, over real HTTP on loopback with the MCP SDK client. Bob never reaches alice's
personal memories by any tool, resource or prompt; read-only grants cannot write; revoked
and expired tokens get 401 at once; the owner still sees everything."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp.shared.exceptions import MCPError

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from memory_mcp.timestamps import format_time
from tests.adapters.team_server import OWNER_TOKEN, connect, ping, serving
from tests.adapters.test_http import make_repo

ALICE_SECRET = "Alice's locker number is 4417"


@pytest.fixture
def team_service(tmp_path: Path) -> Iterator[MemoryService]:
    service = MemoryService.open(Settings(db=tmp_path / "team.db", semantic=False))
    yield service
    service.close()


def tokens(service: MemoryService) -> dict[str, str]:
    _, alice = service.team.add("alice", ["team=write"])
    _, bob = service.team.add("bob", ["team=read"])
    return {"alice": alice, "bob": bob, "owner": OWNER_TOKEN}


def let_in(response: httpx2.Response) -> bool:
    """Past identification and the rate limit (the request itself may still be refused)."""
    return response.status_code not in (401, 429)


def text_of(result: Any) -> str:
    return str(result.contents[0].text)


async def tool(client: Any, name: str, **args: Any) -> tuple[bool, Any]:
    result = await client.call_tool(name, args)
    if result.is_error:
        return False, result.content[0].text
    return True, result.structured_content


async def _bob_never_sees_alice(url: str, keys: dict[str, str], mode: str) -> None:
    async with connect(url, keys["alice"], mode) as alice:
        ok, secret = await tool(alice, "remember", content=ALICE_SECRET)
        assert ok and secret["scope"] == "user/alice"
        ok, shared = await tool(
            alice, "remember", content="The team locker room is B2", scope="team"
        )
        assert ok
    secret_id, shared_id = secret["id"], shared["id"]
    missing = f"No memory with id {secret_id}."
    async with connect(url, keys["bob"], mode) as bob:
        for args in ({"query": "locker"}, {"query": "locker", "scope": "*"},
                     {"query": "locker", "scope": "user/alice"}):  # fmt: skip
            ok, found = await tool(bob, "recall", **args)
            assert ok and {h["id"] for h in found.get("hits", [])} <= {shared_id}
        for name in ("recall", "forget"):  # the same answer as for an id never used
            never = (await tool(bob, name, ids=[999_999]))[1].replace("999999", str(secret_id))
            assert await tool(bob, name, ids=[secret_id]) == (False, never)
            assert never.endswith(missing)
        ok, summary = await tool(bob, "summarize", scope="*")
        assert ok and "4417" not in json.dumps(summary)
        ok, written = await tool(bob, "remember", content="Bob edits the team", scope="team")
        assert not ok and "do not allow writing to scope 'team'" in written
        assert (await tool(bob, "forget", ids=[shared_id]))[0] is False
        with pytest.raises(MCPError, match=f"^{missing}$"):
            await bob.read_resource(f"memory://{secret_id}")
        assert (
            json.loads(text_of(await bob.read_resource(f"memory://{shared_id}")))["id"] == shared_id
        )
        for uri in ("memory://recent", "memory://stats", "memory://scopes"):
            text = text_of(await bob.read_resource(uri))
            assert "user/alice" not in text and "4417" not in text, uri
        for args in ({"topic": "locker"}, {}):
            prompt = await bob.get_prompt("memory_context", args)
            assert "4417" not in prompt.messages[0].content.text  # type: ignore[union-attr]
    async with connect(url, keys["owner"], mode) as owner:
        ok, found = await tool(owner, "recall", query="locker", scope="*")
        assert ok and {h["id"] for h in found["hits"]} == {secret_id, shared_id}


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # sessionless 2026-07-28; a session
def test_bob_never_sees_alices_personal_memories(team_service: MemoryService, mode: str) -> None:
    keys = tokens(team_service)
    with serving(team_service) as url:
        anyio.run(_bob_never_sees_alice, url, keys, mode)
    log = team_service.history(by="bob")
    assert log == []  # every write bob tried was refused
    assert {e.principal for e in team_service.history()} == {"alice"}


def test_revoked_and_expired_tokens_get_401_at_once(team_service: MemoryService) -> None:
    keys = tokens(team_service)
    with serving(team_service) as url:
        assert let_in(ping(url, keys["bob"]))
        team_service.team.revoke("bob")
        refused = ping(url, keys["bob"])
        assert refused.status_code == 401 and "Bearer" in refused.headers["www-authenticate"]
        _, fresh = team_service.team.rotate("bob")
        assert let_in(ping(url, fresh))
        past = format_time(__import__("datetime").datetime(2020, 1, 1))
        team_service.store.set_token("alice", __import__("hashlib").sha256(b"mm_old").hexdigest(),
                                     past)  # fmt: skip
        assert ping(url, "mm_old").status_code == 401
        assert ping(url, keys["alice"]).status_code == 401  # replaced by the expired one
        assert ping(url, None).status_code == 401
        assert let_in(ping(url, OWNER_TOKEN))


def test_principal_tokens_close_an_open_loopback_server(team_service: MemoryService) -> None:
    with serving(team_service, token=None) as url:
        assert let_in(ping(url, None))  # no token, no principals: open, as before
        assert let_in(ping(url, "whatever-a-client-sends"))
        _, alice = team_service.team.add("alice", [])
        assert ping(url, None).status_code == 401
        assert ping(url, "whatever-a-client-sends").status_code == 401
        assert let_in(ping(url, alice))


def test_a_request_rate_past_the_limit_gets_429(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "rate.db", semantic=False, http_rate_limit=6)
    service = MemoryService.open(settings)
    try:
        _, alice = service.team.add("alice", [])
        with serving(service) as url:
            assert let_in(ping(url, alice))
            slowed = ping(url, alice)
            assert slowed.status_code == 429
            assert int(slowed.headers["retry-after"]) >= 1
            assert "at most 6 a minute" in slowed.json()["message"]
            assert let_in(ping(url, OWNER_TOKEN))  # limits are per principal
    finally:
        service.close()


def test_a_body_over_the_cap_is_refused(tmp_path: Path) -> None:
    service = MemoryService.open(
        Settings(db=tmp_path / "body.db", semantic=False, http_max_body_kb=64)
    )
    try:
        with serving(service) as url:
            body = {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"x": "y" * 100_000}}
            headers = {"Authorization": f"Bearer {OWNER_TOKEN}",
                       "Accept": "application/json, text/event-stream"}  # fmt: skip
            assert httpx2.post(url, json=body, headers=headers).status_code == 413
    finally:
        service.close()


def test_a_session_belongs_to_the_principal_that_opened_it(team_service: MemoryService) -> None:
    """Bob presenting alice's session id is answered as if it did not exist."""
    keys = tokens(team_service)
    accept = {"Accept": "application/json, text/event-stream"}
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}}  # fmt: skip
    with serving(team_service) as url:
        opened = httpx2.post(url, json=init, headers=accept | auth(keys["alice"]))
        session = opened.headers["mcp-session-id"]
        call = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        headers = accept | {"mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
        assert httpx2.post(url, json=call, headers=headers | auth(keys["bob"])).status_code == 404
        assert httpx2.post(url, json=call, headers=headers | auth(keys["alice"])).status_code == 200


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_revocation_reaches_every_server_on_the_database(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "shared.db", semantic=False)
    first, second, cli = (MemoryService.open(settings) for _ in range(3))
    try:
        _, bob = cli.team.add("bob", [])
        with serving(first) as one, serving(second) as two:
            assert let_in(ping(one, bob)) and let_in(ping(two, bob))
            cli.team.revoke("bob")  # as `memory-mcp token revoke bob` would, elsewhere
            assert ping(one, bob).status_code == 401 and ping(two, bob).status_code == 401
    finally:
        for service in (first, second, cli):
            service.close()


def test_a_database_that_cannot_be_read_is_503_not_401(
    team_service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tokens live in the database: when it is locked or gone, the caller's token is not
    wrong, so the answer is 503 (try again), never 401 (sign in again)."""
    from memory_mcp.errors import StorageError

    keys = tokens(team_service)

    def locked(*_: object) -> None:
        raise StorageError("Cannot read the database: another process holds its lock.")

    with serving(team_service) as url:
        monkeypatch.setattr(team_service.store, "use_token", locked)
        refused = ping(url, keys["bob"])
        assert refused.status_code == 503 and "another process" in refused.json()["message"]
        assert let_in(ping(url, OWNER_TOKEN))  # the owner's token is not in the database


def test_hooks_over_http_act_within_the_callers_grants(
    team_service: MemoryService, tmp_path: Path
) -> None:
    """The hook routes answered with the owner's service: a principal's prompt hook could
    recall, and its capture write into, a project it has no grant on."""
    folder = make_repo(tmp_path, "widgets", "https://github.com/acme/widgets")
    project = "github.com/acme/widgets"
    team_service.remember(ALICE_SECRET, scope=project)
    _, bob = team_service.team.add("bob", ["team=read"])
    prompt = {
        "session_id": "s1",
        "cwd": str(folder),
        "hook_event_name": "UserPromptSubmit",
        "prompt": "what is alice's locker number?",
    }
    with serving(team_service) as url:
        base = url.removesuffix("/mcp") + "/hooks"
        owner = httpx2.post(f"{base}/prompt", headers=auth(OWNER_TOKEN), json=prompt)
        assert "4417" in owner.text  # the project's memory answers the owner
        for command in ("prompt", "session-start"):
            as_bob = httpx2.post(f"{base}/{command}", headers=auth(bob), json=prompt)
            assert "4417" not in as_bob.text, as_bob.text
    assert team_service.history(by="bob") == []
