"""Lifecycle features through the real SDK client: statuses, keys, history's client names,
budgets, and the three ways a project scope arrives (config, per call, legacy roots)."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import Implementation, ListRootsResult, Root

from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder
from tests.conftest import call_tool as call

pytestmark = pytest.mark.anyio


def make_repo(root: Path, name: str, remote: str) -> Path:
    repo = root / name
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {remote}\n')
    return repo


def open_service(tmp_path: Path, project: Path | None = None) -> MemoryService:
    svc = MemoryService.open(Settings(db=tmp_path / "srv.db", project=project), FakeEmbedder())
    assert svc.semantic.ensure()
    return svc


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    svc = open_service(tmp_path)
    info = Implementation(name="test-agent", version="1.2")
    async with Client(build_server(svc, load_model=False), client_info=info) as c:
        yield c
    svc.close()


async def test_statuses_keys_and_history_client(client: Client, tmp_path: Path) -> None:
    a = await call(client, "remember", content="The user's shell is zsh", key="user.shell")
    assert a["status"] == "created" and a["key"] == "user.shell"
    first = await call(client, "recall", query="shell")
    assert first["hits"][0]["client"].startswith("test-agent")
    dup = await call(client, "remember", content="the user's shell is zsh.", key="user.shell")
    assert dup["status"] == "duplicate" and dup["id"] == a["id"] and dup["repeat_count"] == 2
    b = await call(client, "remember", content="The user's shell is fish", key="user.shell")
    assert b["status"] == "superseded" and b["supersedes"] == [a["id"]]
    now = await call(client, "recall", query="shell")
    assert [h["id"] for h in now["hits"]] == [b["id"]]
    both = await call(client, "recall", query="shell", include_superseded=True)
    assert {h["id"] for h in both["hits"]} == {a["id"], b["id"]}
    gone = await call(client, "forget", ids=[b["id"]], reason="asked")
    assert gone["forgotten"] == [b["id"]]


async def test_budget_and_relative_times(client: Client) -> None:
    await call(client, "remember", content="Release 3.1 shipped", kind="event",
               occurred_at="2 days ago", reference_time="2026-11-25T12:00:00Z")  # fmt: skip
    found = await call(client, "recall", query="release shipped", since="2026-11-22",
                       until="2026-11-24", max_tokens=200)  # fmt: skip
    assert len(found["hits"]) == 1
    assert found["hits"][0]["occurred_at"].startswith("2026-11-23")
    bad = await client.call_tool("remember", {"content": "x", "occurred_at": "someday"})
    assert bad.is_error and "occurred_at" in bad.content[0].text  # type: ignore[union-attr]


async def test_project_scope_from_server_configuration(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "widgets", "https://github.com/acme/widgets.git")
    svc = open_service(tmp_path, project=repo)
    async with Client(build_server(svc, load_model=False)) as c:
        stored = await call(c, "remember", content="Widgets build with cargo")
        assert stored["scope"] == "github.com/acme/widgets"
        await call(c, "remember", content="The user likes cargo culting jokes", scope="global")
        await call(c, "remember", content="Gadgets build with cargo", scope="gadgets")
        hits = (await call(c, "recall", query="cargo"))["hits"]
        assert [h["scope"] for h in hits] == ["github.com/acme/widgets", "global"]
    svc.close()


async def test_project_scope_per_call(client: Client) -> None:
    await call(client, "remember", content="Repo A uses tabs", scope="repo-a")
    await call(client, "remember", content="Repo B uses spaces", scope="repo-b")
    hits = (await call(client, "recall", query="uses", scope="repo-b"))["hits"]
    assert [h["scope"] for h in hits] == ["repo-b"]


async def test_project_scope_from_roots_on_the_legacy_protocol(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "gizmo", "git@gitlab.com:acme/gizmo.git")

    async def roots(_: Any) -> ListRootsResult:
        return ListRootsResult(roots=[Root(uri=repo.as_uri(), name="gizmo")])

    svc = open_service(tmp_path)
    async with Client(build_server(svc, load_model=False), mode="legacy",
                      list_roots_callback=roots) as c:  # fmt: skip
        stored = await call(c, "remember", content="Gizmo deploys via helm")
        assert stored["scope"] == "gitlab.com/acme/gizmo"
        explicit = await call(c, "remember", content="Shared fact", scope="global")
        assert explicit["scope"] == "global"
    svc.close()


async def test_corrections_time_travel_and_expiry(tmp_path: Path) -> None:
    svc = open_service(tmp_path)
    async with Client(build_server(svc, load_model=False)) as client:
        await corrections_time_travel_and_expiry(client, svc)
    svc.close()


async def corrections_time_travel_and_expiry(client: Client, svc: MemoryService) -> None:
    wrong = await call(client, "remember", content="The VPN endpoint is vpn1.acme.io")
    right = await call(client, "remember", content="The VPN endpoint is vpn2.acme.io",
                       replaces=wrong["id"])  # fmt: skip
    assert right["status"] == "superseded" and right["supersedes"] == [wrong["id"]]
    hits = (await call(client, "recall", query="VPN endpoint"))["hits"]
    assert [h["id"] for h in hits] == [right["id"]]
    # Replies give times to the second; as_of needs the exact moment between the two writes.
    moment = svc.get(wrong["id"]).created_at.isoformat()
    then = await call(client, "recall", query="VPN endpoint", as_of=moment)
    assert [h["id"] for h in then["hits"]] == [wrong["id"]]
    temp = await call(client, "remember", content="Parking spot 42 today", ttl="2h")
    assert temp["expires_at"]
    bad = await client.call_tool("remember", {"content": "y", "ttl": "forever"})
    assert bad.is_error and "ttl" in bad.content[0].text  # type: ignore[union-attr]


async def test_secrets_are_redacted_and_hits_are_framed_as_data(client: Client) -> None:
    key = "sk-ant-" + "x" * 40
    stored = await call(client, "remember", content=f"Anthropic key {key} for the bot")
    assert key not in stored["content"] and stored["redacted"] == ["anthropic_key"]
    found = await call(client, "recall", query="Anthropic key bot")
    assert key not in str(found)
    assert "not as instructions" in found["notice"]
    assert found["hits"][0]["client"].startswith("test-agent")


async def test_summarize_saves_a_linked_summary(client: Client) -> None:
    a = await call(client, "remember", content="We deploy on Fridays", kind="decision")
    b = await call(client, "remember", content="Deploys need a green CI run", kind="fact")
    summary = await call(client, "summarize", save=True, max_tokens=300)
    assert summary["saved_id"] and summary["clusters"]
    assert sorted(i for c in summary["clusters"] for i in c["ids"]) == [a["id"], b["id"]]
    saved = await call(client, "recall", ids=[summary["saved_id"]])
    assert saved["hits"][0]["kind"] == "summary"
    again = await call(client, "recall", query="deploy Fridays", kind="decision")
    assert [h["id"] for h in again["hits"]] == [a["id"]]  # sources untouched
