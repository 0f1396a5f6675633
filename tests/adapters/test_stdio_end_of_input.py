"""A batch piped into `memory-mcp serve` with stdin closed right after it (`cat
requests.jsonl | memory-mcp serve`): every request read is answered, then the server exits 0.
Before, end of input cancelled what was running (its writes committed, unanswered) and
refused what was queued, so most of a batch had no reply (adapters/mcp_server/drain.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

SERVE = [sys.executable, "-m", "memory_mcp", "serve"]
COUNT = 50


def _batch(capabilities: dict[str, Any]) -> bytes:
    hello = {"protocolVersion": "2025-06-18", "capabilities": capabilities,
             "clientInfo": {"name": "script", "version": "1"}}  # fmt: skip
    messages: list[dict[str, Any]] = [
        {"id": 0, "method": "initialize", "params": hello},
        {"method": "notifications/initialized"},
    ]
    for i in range(COUNT):
        content = f"Batch fact {i}: widget {i} ships in week {i % 7 + 1}"
        remember = {"name": "remember", "arguments": {"content": content}}
        recall = {"name": "recall", "arguments": {"query": f"widget {i}"}}
        messages.append({"id": f"r{i}", "method": "tools/call", "params": remember})
        messages.append({"id": i + 1, "method": "tools/call", "params": recall})
    return b"".join(json.dumps({"jsonrpc": "2.0", **m}).encode() + b"\n" for m in messages)


def _serve(tmp_path: Path, batch: bytes, how: str) -> tuple[int, list[dict[str, Any]], str]:
    """Run the server on `batch`: written to a pipe that is then closed, or (`file`) read
    from a file, which the SDK's own transport serves; its exit code, replies and log."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {"MEMORY_MCP_DB": str(tmp_path / "m.db"), "MEMORY_MCP_SEMANTIC": "false"}
    if how == "file":
        (tmp_path / "requests.jsonl").write_bytes(batch)
        with (tmp_path / "requests.jsonl").open("rb") as stdin:
            done = subprocess.run(SERVE, stdin=stdin, capture_output=True, env=env, timeout=300)
    else:
        done = subprocess.run(SERVE, input=batch, capture_output=True, env=env, timeout=300)
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    return done.returncode, replies, done.stderr.decode(errors="replace")


@pytest.mark.parametrize("how", ["pipe", "file"])
@pytest.mark.parametrize("roots", [False, True], ids=["plain", "roots"])
def test_every_request_of_a_piped_batch_is_answered_before_the_server_exits(
    tmp_path: Path, how: str, roots: bool
) -> None:
    # A client offering roots is asked for them (roots/list) by the first calls: once its
    # stdin has ended it can answer nothing, and the server must not wait for it.
    code, replies, log = _serve(tmp_path, _batch({"roots": {}} if roots else {}), how)
    assert code == 0, log
    answers = [r for r in replies if "method" not in r]
    expected = [0, *(f"r{i}" for i in range(COUNT)), *range(1, COUNT + 1)]
    assert sorted(map(str, (r["id"] for r in answers))) == sorted(map(str, expected)), log
    assert all("result" in r and not r["result"].get("isError") for r in answers), answers
    stored = [r["result"]["structuredContent"] for r in answers if str(r["id"]).startswith("r")]
    assert sorted(s["id"] for s in stored) == list(range(1, COUNT + 1))
    asked = [r["method"] for r in replies if "method" in r]
    assert set(asked) <= ({"roots/list"} if roots else set())
