"""Lifecycle behaviour with the real model: merge/no-merge decisions through `remember`, and
summaries of realistic memory sets."""

from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.search.embed import FastEmbedEmbedder
from memory_mcp.service import MemoryService

pytestmark = pytest.mark.model

MUST_MERGE = [
    ("The user prefers dark mode", "User prefers dark mode."),
    ("Deploys happen on Fridays", "Deploys happen on Fridays!"),
    ("The project uses pytest for testing", "The project uses pytest for tests"),
]
MUST_KEEP = [
    ("Incident Kestrel-00042 is resolved", "Incident Kestrel-00058 is resolved"),
    ("The API listens on port 8080", "The API listens on port 8081"),
    ("The user likes coffee", "The user does not like coffee"),
    ("Alice reviews the backend pull requests", "Bob reviews the backend pull requests"),
    ("The release is planned for 2026-03-01", "The release is planned for 2026-04-01"),
    ("Python 3.11 is the minimum version", "Python 3.12 is the minimum version"),
    # The model reads English: other scripts and languages look alike to it (cosine >= 0.968).
    ("Мне нравится кофе", "Мне не нравится кофе"),
    ("我喜欢喝咖啡", "我喜欢喝茶"),
    ("나는 커피를 좋아한다", "나는 커피를 좋아하지 않는다"),
    ("Kullanıcı kahveyi seviyor", "Kullanıcı kahveyi sevmiyor"),
    ("המשתמש אוהב קפה", "המשתמש לא אוהב קפה"),
    ("उपयोगकर्ता को कॉफी पसंद है", "उपयोगकर्ता को कॉफी पसंद नहीं है"),
    # Symbols the model reads as one unknown token, and bounds (cosine 0.972 - 1.0).
    ("Build status ✅", "Build status ❌"),
    ("The user reacted with 👍", "The user reacted with 👎"),
    ("Latency must be < 100ms", "Latency must be > 100ms"),
    ("The password must be at least 12 characters", "The password must be at most 12 characters"),
]

CODING_PROJECT = [
    ("decision", "We chose Postgres over MySQL for the main database because of JSONB"),
    ("fact", "The main database runs Postgres 16 on db-1.internal"),
    ("decision", "Database migrations are written with Alembic and reviewed by two people"),
    ("decision", "The frontend is built with React and TypeScript"),
    ("fact", "Frontend components live in web/src/components and use CSS modules"),
    ("decision", "We deploy with GitHub Actions to Kubernetes on every merge to main"),
    ("fact", "Production deploys need a green CI run and a manual approval"),
    ("preference", "The user wants short commit messages in the imperative mood"),
]
PERSON = [
    ("preference", "Maria prefers tea over coffee in the mornings"),
    ("preference", "Maria drinks green tea, never with sugar"),
    ("event", "Maria ran a half marathon in April"),
    ("event", "Maria is training for the Berlin marathon in September"),
    ("preference", "Maria likes science fiction novels, especially Le Guin"),
    ("preference", "Maria is reading The Dispossessed again"),
]


@pytest.fixture
def svc(tmp_path: Path, real_embedder: FastEmbedEmbedder) -> MemoryService:
    service = MemoryService.open(Settings(db=tmp_path / "life.db"), embedder=real_embedder)
    assert service.semantic.ensure()
    return service


@pytest.mark.parametrize(("first", "second"), MUST_MERGE)
def test_rewordings_merge(svc: MemoryService, first: str, second: str) -> None:
    a = svc.remember(first)
    b = svc.remember(second)
    assert b.status in ("merged", "duplicate") and b.id == a.id
    assert svc.store.counts()["memories"] == 1


@pytest.mark.parametrize(("first", "second"), MUST_KEEP)
def test_distinct_facts_are_both_kept(svc: MemoryService, first: str, second: str) -> None:
    a = svc.remember(first)
    b = svc.remember(second)
    assert b.status == "created" and b.id != a.id


def test_coding_project_summary(svc: MemoryService) -> None:
    for kind, text in CODING_PROJECT:
        svc.remember(text, kind, scope="acme")
    summary = svc.summarize(scope="acme")
    assert summary.total == len(CODING_PROJECT)
    assert summary.by_kind["decision"] == 4
    themes = [set(c.ids) for c in summary.clusters]
    assert {1, 2} <= next(t for t in themes if 1 in t)  # the two database memories together
    assert {4, 5} <= next(t for t in themes if 4 in t)  # the two frontend memories together
    assert sorted(i for t in themes for i in t) == list(range(1, len(CODING_PROJECT) + 1))
    assert summary == svc.summarize(scope="acme")


def test_person_summary_uses_the_current_value(svc: MemoryService) -> None:
    for kind, text in PERSON:
        svc.remember(text, kind, scope="maria")
    svc.remember("Maria's hometown is Porto", scope="maria", key="maria.hometown")
    svc.remember("Maria's hometown is Lisbon", scope="maria", key="maria.hometown")
    summary = svc.summarize(scope="maria", limit=10)
    text = summary.text
    assert "Lisbon" in text and "Porto" not in text
    drinks = next(c for c in summary.clusters if 1 in c.ids)
    assert 2 in drinks.ids  # tea preferences form one theme


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_merge_and_keep_through_the_server(svc: MemoryService, anyio_backend: str) -> None:
    from mcp import Client

    from memory_mcp.adapters.mcp_server.server import build_server

    async with Client(build_server(svc, load_model=False)) as client:
        first = await client.call_tool("remember", {"content": "The user prefers dark mode"})
        again = await client.call_tool("remember", {"content": "User prefers dark mode."})
        other = await client.call_tool("remember", {"content": "The user prefers light mode"})
    a, b, c = (r.structured_content or {} for r in (first, again, other))
    assert b["status"] == "merged" and b["id"] == a["id"] and b["repeat_count"] == 2
    assert c["status"] == "created"
