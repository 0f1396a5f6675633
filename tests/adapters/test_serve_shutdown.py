"""A stdio server whose client closes stdin while the embedding model is still loading ends
within the wait a client gives it (~2 s before it signals), not after the model load: it
waits STOP_WAIT_S for the load once, and says so."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from memory_mcp.adapters.mcp_server.stopping import STOP_WAIT_S
from tests.blocking_model import HAS_MODEL, blocking_model

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not HAS_MODEL, reason="needs the model files")
def test_closing_stdin_while_the_model_loads_ends_the_server_promptly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {"MEMORY_MCP_DB": str(tmp_path / "m.db"),
            "MEMORY_MCP_MODEL_DIR": str(blocking_model(tmp_path / "model"))}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "memory_mcp", "serve"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    loading, log = threading.Event(), []

    def watch(stream: "subprocess.IO[bytes]") -> None:
        for line in stream:
            log.append(line.decode(errors="replace"))
            if b"Loading the embedding model" in line:
                loading.set()

    watcher = threading.Thread(target=watch, args=(proc.stderr,), daemon=True)
    watcher.start()
    try:
        for message in (
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        ):  # fmt: skip
            proc.stdin.write(json.dumps(message).encode() + b"\n")
            proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["id"] == 1
        assert json.loads(proc.stdout.readline())["id"] == 2
        assert loading.wait(60), "".join(log)
        proc.stdin.close()
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        watcher.join(10)
        proc.__exit__(None, None, None)  # closes its pipes, waits for it
    assert code == 0, "".join(log)
    # Before: the lifespan waited 5 s for the load, then the exit 1 s more (~6 s). Each wait
    # given up is said with its length: one, of STOP_WAIT_S, what a client allows.
    waits = [" ".join(line.split()) for line in log if "Not waiting longer than" in line]
    assert len(waits) == 1 and f"than {STOP_WAIT_S:g} s for memory-mcp-model" in waits[0], log
