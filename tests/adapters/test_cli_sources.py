"""What `import` and `eval` read: a device that never ends (`/dev/zero`) is refused at once."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService


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
