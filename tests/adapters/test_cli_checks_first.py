"""The CLI checks a command's input before it loads the embedding model: a bad option is
refused at once, not after the seconds a load takes (or, here, never: the model's files are
FIFOs nobody writes, so a load that starts never ends)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.blocking_model import HAS_MODEL, blocking_model

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not HAS_MODEL, reason="needs the model files")
def test_a_bad_option_is_refused_before_the_model_loads(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    memory_id = service.remember("The deploy runs on Fridays").id
    service.close()
    (tmp_path / "bad.jsonl").write_text('{"content": "x", "id": true}\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {
        "MEMORY_MCP_DB": str(db),
        "MEMORY_MCP_MODEL_DIR": str(blocking_model(tmp_path / "model")),
    }
    refused = {
        ("recall", "deploy", "--limit", "0"): "limit must be between 1 and 50",
        ("recall", "deploy", "--max-tokens", "5"): "max_tokens must be at least",
        ("recall", "deploy", "--since", "someday"): "since: cannot read",
        ("summarize", "deploy", "--limit", "0"): "limit must be between 1 and 50",
        ("remember", "New fact", "--ttl", "soon"): "ttl: cannot read",
        ("remember", "New fact", "--kind", "bogus"): "kind: must be",
        ("edit", str(memory_id), "--content", "Changed", "--kind", "bogus"): "kind",
        ("scrub", str(memory_id), "--text", " 7 "): "at least 4 characters",
        ("import", str(tmp_path / "bad.jsonl")): "id must be a whole number",
    }
    for args, said in refused.items():
        done = subprocess.run(
            [sys.executable, "-m", "memory_mcp", *args], capture_output=True, env=env, timeout=120
        )
        assert done.returncode == 1 and said in done.stderr.decode(), (args, done.stderr)
