"""kill -9 of the stdio server at fixed points of a stream of writes of every kind.

The stream mixes remember, remember with a key (supersedes the slot's value), remember with
`replaces`, forget, and summarize with save. The server is killed right after it sent its
Nth acknowledgement, with the next call already written to it (so it dies before, while or
after handling it). Then: the file is consistent (integrity, full-text index and history
match the memories), every acknowledged call's effect is there, `doctor` (a separate
process) finds nothing, and the next server starts and serves.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.crash import RawServer, check_file
from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService

pytestmark = pytest.mark.slow

EVERYTHING = MemoryFilter(include_forgotten=True, include_superseded=True, include_expired=True)


def _calls() -> list[tuple[str, dict[str, Any]]]:
    calls: list[tuple[str, dict[str, Any]]] = []
    for n in range(12):
        calls.append(("remember", {"content": f"Crash point fact {n}: the relay is R-{n}"}))
        calls.append(("remember", {"content": f"The editor is version {n}", "key": "user.editor"}))
        if n % 3 == 2:
            calls.append(("forget", {"ids": "LAST_FACT", "reason": "crash point"}))
        if n % 4 == 3:
            calls.append(("summarize", {"query": "relay", "save": True}))
    return calls


def _env(path: Path, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    return env | {"MEMORY_MCP_DB": str(path), "MEMORY_MCP_SEMANTIC": "0", "HOME": str(tmp_path)}


def _run_until_killed(env: dict[str, str], stop_after: int) -> dict[str, Any]:
    """Send the calls one by one; after the `stop_after`th acknowledgement, write the next
    call and kill -9 at once. Returns what was acknowledged."""
    server = RawServer(env)
    server.start()
    acked: dict[str, Any] = {"facts": [], "editor": None, "forgotten": [], "in_flight": []}
    last_fact = 0
    done = 0
    try:
        for tool, args in _calls():
            if args.get("ids") == "LAST_FACT":
                args = {**args, "ids": [last_fact]}
            if done == stop_after:
                if tool == "forget":  # committed or not: the kill may land either side
                    acked["in_flight"] = args["ids"]
                message = {"name": tool, "arguments": args}
                assert server.proc.stdin is not None
                line = {"jsonrpc": "2.0", "id": 10**6, "method": "tools/call", "params": message}
                server.proc.stdin.write(json.dumps(line).encode() + b"\n")
                server.proc.stdin.flush()
                break
            reply = server.request("tools/call", {"name": tool, "arguments": args})
            assert reply is not None and not reply["result"].get("isError"), reply
            result = reply["result"]["structuredContent"]
            if tool == "remember" and "key" in args:
                acked["editor"] = args["content"]
            elif tool == "remember":
                last_fact = result["id"]
                acked["facts"].append((result["id"], args["content"]))
            elif tool == "forget":
                acked["forgotten"] += args["ids"]
            done += 1
        else:
            pytest.fail("the stream ended before the kill point")
    finally:
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
        server.close()
    return acked


@pytest.mark.parametrize("stop_after", [1, 6, 17, 29])
def test_a_killed_server_keeps_every_acknowledged_write(tmp_path: Path, stop_after: int) -> None:
    path = tmp_path / "memory.db"
    env = _env(path, tmp_path)
    acked = _run_until_killed(env, stop_after)

    _, problems = check_file(path, expect_vectors=False)
    assert not problems, problems
    service = MemoryService.open(Settings(db=path, semantic=False))
    try:
        stored = {m.id: m for m in service.list_memories(EVERYTHING, limit=None)}
        for memory_id, content in acked["facts"]:
            assert stored[memory_id].content == content
            if memory_id not in acked["in_flight"]:
                forgotten = stored[memory_id].forgotten_at is not None
                assert forgotten == (memory_id in acked["forgotten"])
        if acked["editor"] is not None:
            current = [
                m for m in stored.values() if m.key == "user.editor" and m.superseded_by is None
            ]
            # the acknowledged value, or the one the killed call was storing (never none)
            assert len(current) == 1 and current[0].content.startswith("The editor is version")
            assert current[0].id >= max(
                m.id for m in stored.values() if m.content == acked["editor"]
            )
    finally:
        service.close()

    doctor = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "doctor"], env=env, capture_output=True, text=True
    )
    assert doctor.returncode == 0, doctor.stderr
    assert "healthy" in doctor.stderr

    server = RawServer(env)  # the next server starts and serves
    try:
        server.start()
        reply = server.request("tools/call", {"name": "recall", "arguments": {"query": "relay"}})
        assert reply is not None and not reply["result"].get("isError"), reply
        hits = {h["id"] for h in reply["result"]["structuredContent"].get("hits", [])}
        live = {i for i, _ in acked["facts"]} - set(acked["forgotten"]) - set(acked["in_flight"])
        assert live <= hits or len(hits) == 8  # (recall's default limit)
    finally:
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait()
        server.close()
