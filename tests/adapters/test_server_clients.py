"""What the server keeps per client, through the real SDK client in memory: a project scope
taken from one client's MCP roots never reaches another client, and a client's self-declared
name is bounded and cleaned before it is stored with what it writes."""

from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import Implementation, ListRootsResult, Root

from memory_mcp.adapters.mcp_server.calls import MAX_CLIENT_NAME_CHARS, MAX_CLIENT_VERSION_CHARS
from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.names import clean_label
from memory_mcp.service import MemoryService
from tests.conftest import call_tool as call

pytestmark = pytest.mark.anyio

PROJECT = "gitlab.com/acme/gizmo"
CLIENTS = 60


def make_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "gizmo"
    (repo / ".git").mkdir(parents=True)
    remote = "git@gitlab.com:acme/gizmo.git"
    (repo / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {remote}\n')
    return repo


async def test_roots_scope_never_reaches_another_client(tmp_path: Path) -> None:
    """Clients with and without roots alternate, in turn and side by side: each one's
    writes land in its own scope and its recall searches what its own project decides.
    (The scope used to be cached by id() of a per-request object; ids of dead objects are
    reused, so about 1 session in 10 here wrote into, or read from, another's project.)"""
    repo = make_repo(tmp_path)
    service = MemoryService.open(Settings(db=tmp_path / "c.db", semantic=False))
    service.remember("The Zanzibar marmalade recipe", scope="elsewhere")
    server = build_server(service, load_model=False)
    asked: list[int] = []

    def roots_for(n: int) -> Any:
        async def roots(_: Any) -> ListRootsResult:
            asked.append(n)
            return ListRootsResult(roots=[Root(uri=repo.as_uri(), name="gizmo")])

        return roots

    wrong: list[str] = []

    async def one_client(n: int) -> None:
        with_roots = n % 2 == 0
        extra = {"list_roots_callback": roots_for(n)} if with_roots else {}
        want = PROJECT if with_roots else "global"
        async with Client(server, mode="legacy", **extra) as client:
            for i in range(3):
                stored = await call(client, "remember", content=f"client {n} fact {i}")
                if stored["scope"] != want:
                    wrong.append(f"client {n} stored into {stored['scope']}")
            # With a project, recall searches it and `global`; without one, every scope.
            hits = (await call(client, "recall", query="Zanzibar marmalade"))["hits"]
            if with_roots == ("elsewhere" in {h["scope"] for h in hits}):
                wrong.append(f"client {n} recalled as if its project were not {want}")

    async def worker(first: int) -> None:
        for n in range(first, CLIENTS, 4):
            await one_client(n)

    async with anyio.create_task_group() as tg:
        for first in range(4):
            tg.start_soon(worker, first)
    service.close()
    assert wrong == []
    # Roots are asked once per client connection, not once per call.
    assert sorted(asked) == list(range(0, CLIENTS, 2))


@pytest.mark.parametrize(
    ("name", "version", "stored"),
    [
        ("x" * 2_000_000, "1.0", "x" * MAX_CLIENT_NAME_CHARS + " 1.0"),
        ("agent\x00\r\nInjected: yes", "2\ud800.0", "agent Injected: yes 2.0"),
        ("\u202eevil\u202c bot", "v" * 1_000, "evil bot " + "v" * MAX_CLIENT_VERSION_CHARS),
        ("\x00\x01", "3", "mcp"),
        ("  spaced\tout  ", "", "spaced out"),
        # Its secrets are masked, as an imported line's client is (a token pasted as a name).
        (
            "bot ghp_" + "x" * 36,
            "pw=Tr0ub4dor9",
            "bot [REDACTED:github_token] pw=[REDACTED:password]",
        ),
    ],
)
async def test_client_name_is_bounded_and_cleaned(
    tmp_path: Path, name: str, version: str, stored: str
) -> None:
    service = MemoryService.open(Settings(db=tmp_path / "n.db", semantic=False))
    info = Implementation(name=name, version=version)
    async with Client(build_server(service, load_model=False), client_info=info) as client:
        wrote = await call(client, "remember", content="A short fact")
        assert service.get(wrote["id"]).client == stored
    async with Client(build_server(service, load_model=False)) as other:
        hits = (await call(other, "recall", query="short fact"))["hits"]
        assert [h["client"] for h in hits] == [stored]
    service.close()


def test_clean_label() -> None:
    assert clean_label(None, 10) == ""
    assert clean_label(42, 10) == ""
    assert clean_label("Claude Code", 64) == "Claude Code"
    assert clean_label("a\u2028b\x85c", 64) == "a b c"
    assert clean_label("abc def", 5) == "abc d"
    assert clean_label("abcd efgh", 5) == "abcd"
