"""A client that offers MCP roots and sends its first calls all at once is asked for its roots
once: every call waiting for the answer shares that one roots/list. Before, each first call
sent its own (the answer was kept only once it came), so a client got as many roots/list
requests as it had calls under way. Raw JSON-RPC over a real `memory-mcp serve`'s stdio."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.test_http import make_repo

pytestmark = pytest.mark.slow

CALLS = 8


def _line(message: dict[str, Any]) -> bytes:
    return json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n"


def test_concurrent_first_calls_share_one_roots_request(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {"MEMORY_MCP_DB": str(tmp_path / "m.db"), "MEMORY_MCP_SEMANTIC": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "memory_mcp", "serve"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    try:
        hello = {"protocolVersion": "2025-06-18", "capabilities": {"roots": {}},
                 "clientInfo": {"name": "eager", "version": "1"}}  # fmt: skip
        proc.stdin.write(_line({"id": "init", "method": "initialize", "params": hello}))
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["id"] == "init"
        calls = [_line({"method": "notifications/initialized"})]
        for i in range(CALLS):
            remember = {"name": "remember", "arguments": {"content": f"Eager fact {i}: a{i}"}}
            calls.append(_line({"id": i, "method": "tools/call", "params": remember}))
        proc.stdin.write(b"".join(calls))  # one write: every call read before any answer
        proc.stdin.flush()
        asked, scopes = 0, []
        roots = {"roots": [{"uri": repo.as_uri(), "name": "gizmo"}]}
        while len(scopes) < CALLS:
            message = json.loads(proc.stdout.readline())
            if message.get("method") == "roots/list":
                asked += 1
                proc.stdin.write(_line({"id": message["id"], "result": roots}))
                proc.stdin.flush()
            else:
                scopes.append(message["result"]["structuredContent"]["scope"])
        assert asked == 1
        assert scopes == ["gitlab.com/acme/gizmo"] * CALLS
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.__exit__(None, None, None)
