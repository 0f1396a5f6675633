"""A long-running `memory-mcp serve` (Claude Desktop keeps one up for days) embeds what other
processes store without a vector while it runs (a hook's capture, a keyword-only command):
recall by meaning finds them without a restart. The real server over stdio, the SDK client,
a real second process."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from memory_mcp.policies.text import STOPWORDS, tokens

MODEL_READY_S = 90
EMBEDDED_S = 30  # the server checks every few seconds when called

EDITOR = "The user's favourite editor is Neovim with the LazyVim distribution"
QUESTION = "What program does this person prefer for writing code?"  # no word in common


@asynccontextmanager
async def serve(db: Path, model_dir: Path, log: Path) -> AsyncIterator[Client]:
    env = {"MEMORY_MCP_DB": str(db), "MEMORY_MCP_MODEL_DIR": str(model_dir)}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "memory_mcp", "serve"], env=env
    )
    with log.open("a", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=60) as client:
            yield client


async def recall(client: Client, query: str) -> dict[str, Any]:
    result = await client.call_tool("recall", {"query": query})
    assert not result.is_error and result.structured_content is not None
    return dict(result.structured_content)


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.anyio
async def test_a_running_server_embeds_what_a_keyword_only_process_stores(
    tmp_path: Path, model_dir: Path, request: pytest.FixtureRequest
) -> None:
    assert not (set(tokens(QUESTION)) - STOPWORDS) & set(tokens(EDITOR))
    db, log = tmp_path / "newcomers.db", tmp_path / "server-stderr.log"
    try:
        async with serve(db, model_dir, log) as client:
            stored = await client.call_tool("remember", {"content": "Deploys go out on Fridays"})
            assert not stored.is_error
            with anyio.fail_after(MODEL_READY_S):
                while (await recall(client, "deploys"))["mode"] != "hybrid":
                    await anyio.sleep(0.2)

            env = {k: v for k, v in os.environ.items() if k != "MEMORY_MCP_DB"}
            other = subprocess.run(
                [sys.executable, "-m", "memory_mcp", "--db", str(db), "remember", EDITOR],
                capture_output=True,
                text=True,
                timeout=60,
                env=env | {"MEMORY_MCP_SEMANTIC": "false"},
            )
            assert other.returncode == 0, other.stderr

            with anyio.fail_after(EMBEDDED_S):
                while True:
                    hits = (await recall(client, QUESTION))["hits"]
                    if any(h["content"] == EDITOR for h in hits):  # by meaning only
                        break
                    await anyio.sleep(0.2)
            assert hits[0]["content"] == EDITOR
    finally:  # what the server logged, in the report of a failure
        if log.exists():
            request.node.add_report_section("call", "server stderr", log.read_text("utf-8"))
