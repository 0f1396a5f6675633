"""What `import` and `eval` read: a pipe given by its path (`import <(command)`) is read
once, as stdin is, and a device that never ends (`/dev/zero`) is refused at once."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

ENV = os.environ | {"MEMORY_MCP_SEMANTIC": "false"}


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash's <(...)")
def test_a_pipe_named_by_its_path_is_imported_whole(tmp_path: Path) -> None:
    """A JSONL import reads its file twice (checked whole, then stored): a pipe read again
    was empty, so `import <(ssh host memory-mcp export -)` said 'Read 0 memories' and
    stored nothing."""
    source = tmp_path / "export.jsonl"
    source.write_text("".join(json.dumps({"content": f"Fact {n} from the pipe"}) + "\n"
                              for n in range(3)))  # fmt: skip
    db = tmp_path / "m.db"
    cli = f"{sys.executable} -m memory_mcp --db {db}"
    for command in (f"{cli} import <(cat {source})", f"{cli} import --json <(cat {source})"):
        done = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, env=ENV, timeout=300
        )
        assert done.returncode == 0, done.stderr
    service = MemoryService.open(Settings(db=db, semantic=False))
    try:
        contents = sorted(m.content for m in service.list_memories())
        assert contents == [f"Fact {n} from the pipe" for n in range(3)]
    finally:
        service.close()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize(
    "args",
    [
        ("import", "/dev/zero"),
        ("import", "--format", "kg-jsonl", "/dev/zero"),
        ("import", "--format", "mem0", "/dev/zero"),
        ("import", "--format", "mcp-memory-service", "/dev/zero"),
        ("eval", "/dev/zero"),
    ],
)
def test_a_device_is_refused_not_read_without_end(tmp_path: Path, args: tuple[str, ...]) -> None:
    db = tmp_path / "m.db"
    MemoryService.open(Settings(db=db, semantic=False)).close()
    result = CliRunner().invoke(app, ["--db", str(db), *args], env={"MEMORY_MCP_SEMANTIC": "false"})
    assert result.exit_code == 1
    assert "/dev/zero is a device, not a file; nothing was read from it." in result.stderr
