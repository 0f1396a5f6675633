"""Many processes on one file, as a user's machine runs them: a client's `memory-mcp serve`
stays up (its model and vector copy warm) while the CLI changes the store under it."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

OTHER_MODEL = "BAAI/bge-small-en-v1.5"  # 384-d like the default: vectors would mix silently


def _same_files_under_another_name(model_dir: Path, into: Path) -> Path:
    """The test model's files where fastembed looks for OTHER_MODEL's: another model name
    (and query prefix) of the same width, all offline."""
    into.mkdir()
    for f in model_dir.iterdir():
        (into / f.name).symlink_to(f)
    (into / "model_optimized.onnx").symlink_to(model_dir / "model.onnx")
    return into


def _cli(db: Path, model_dir: Path, *args: str, model: str | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {"MEMORY_MCP_DB": str(db), "MEMORY_MCP_MODEL_DIR": str(model_dir)}
    if model is not None:
        env["MEMORY_MCP_MODEL"] = model
    done = subprocess.run(
        [sys.executable, "-m", "memory_mcp", *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr


async def _call(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return dict(result.structured_content)


def _embedded(db: Path, memory_id: int) -> bool:
    import sqlean

    conn = sqlean.connect(str(db))
    try:
        found = conn.execute("select 1 from memories_vec_rowids where rowid = ?", (memory_id,))
        return found.fetchone() is not None
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.anyio
async def test_a_server_outlives_a_reindex_with_another_model(
    tmp_path: Path, model_dir: Path
) -> None:
    db = tmp_path / "shared.db"
    other_dir = _same_files_under_another_name(model_dir, tmp_path / "other-model")
    env = {"MEMORY_MCP_DB": str(db), "MEMORY_MCP_MODEL_DIR": str(model_dir)}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "memory_mcp", "serve"], env=env
    )
    with (tmp_path / "serve.log").open("a") as log:
        async with Client(stdio_client(params, errlog=log), read_timeout_seconds=120) as client:
            first = (await _call(client, "remember", {"content": "Deploys run on Kestrel"}))["id"]
            with anyio.fail_after(90):
                while (await _call(client, "recall", {"query": "deploys"}))["mode"] != "hybrid":
                    await anyio.sleep(0.2)

            _cli(db, other_dir, "reindex", model=OTHER_MODEL)  # another process, another model
            stored = await _call(client, "remember", {"content": "Standup is at ten"})
            assert stored["status"] == "created"
            assert not _embedded(db, stored["id"])  # no MiniLM vector in the bge index
            found = await _call(client, "recall", {"query": "Kestrel deploys"})
            assert found["mode"] == "keyword" and found["hits"][0]["id"] == first
            assert f"MEMORY_MCP_MODEL={OTHER_MODEL}" in found["note"]

            _cli(db, model_dir, "reindex")  # and back: the server searches by meaning again
            question = "what time is the morning meeting"  # no word in common
            again = await _call(client, "recall", {"query": question})
            assert again["mode"] == "hybrid" and again["hits"][0]["id"] == stored["id"]
