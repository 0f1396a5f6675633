"""`memory-mcp serve --project PATH` over real stdio: the project's scope is the default."""

import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

pytestmark = pytest.mark.slow


def test_serve_with_a_project_folder(tmp_path: Path) -> None:
    repo = tmp_path / "code" / "widgets"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text(
        '[remote "origin"]\n\turl = git@github.com:Acme/Widgets.git\n'
    )
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "memory_mcp", "serve", "--project", str(repo / "src")],
        env={"MEMORY_MCP_DB": str(tmp_path / "p.db"), "MEMORY_MCP_SEMANTIC": "false"},
    )

    async def session() -> None:
        async with Client(params, mode="legacy", read_timeout_seconds=60) as client:
            stored = await client.call_tool("remember", {"content": "Widgets use tabs"})
            assert stored.structured_content is not None
            assert stored.structured_content["scope"] == "github.com/acme/widgets"
            await client.call_tool("remember", {"content": "Tabs everywhere", "scope": "global"})
            await client.call_tool("remember", {"content": "Tabs in gadgets", "scope": "gadgets"})
            found = await client.call_tool("recall", {"query": "tabs"})
            assert found.structured_content is not None
            scopes = [h["scope"] for h in found.structured_content["hits"]]
            # The project and global, ranked together by relevance; never another project.
            assert sorted(scopes) == ["github.com/acme/widgets", "global"]

    anyio.run(session)


def test_serve_refuses_the_home_folder(tmp_path: Path) -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "serve", "--project", str(Path.home())],
        env={
            "MEMORY_MCP_DB": str(tmp_path / "h.db"),
            "PATH": "/usr/bin:/bin",
            "HOME": str(Path.home()),
        },  # fmt: skip
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert "home" in result.stderr.lower() and "Traceback" not in result.stderr
