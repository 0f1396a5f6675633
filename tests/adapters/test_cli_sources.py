"""What `import` and `eval` read: a pipe given by its path (`import <(command)`) is read
once, as stdin is, and a device that never ends (`/dev/zero`) is refused at once."""

import contextlib
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
from memory_mcp.service.exchange import source_bound
from memory_mcp.service.transfer import Limits

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


@pytest.mark.parametrize(
    ("fmt", "what"),
    [
        ("jsonl", "a JSONL export"),
        ("kg-jsonl", "a knowledge-graph memory file"),  # these two copied stdin without end
        ("mem0", "a mem0 export"),
    ],
)
def test_stdin_is_copied_no_further_than_a_line_an_export_can_hold(
    tmp_path: Path, fmt: str, what: str
) -> None:
    """`import -` copied all of stdin to a temporary file before looking at it: an endless
    stream with no line break filled the disk. The copy stops at the first line no JSONL
    export can hold (300 kB with these limits), for kg-jsonl too (an entity's line carries no
    more text than that), and for mem0 at 64 times that (its one line holds every memory)."""
    db = tmp_path / "m.db"
    MemoryService.open(Settings(db=db, semantic=False)).close()
    env = ENV | {"MEMORY_MCP_MAX_CONTENT_CHARS": "100", "MEMORY_MCP_MAX_METADATA_CHARS": "100"}
    cli = subprocess.Popen(
        [sys.executable, "-m", "memory_mcp", "--db", str(db), "import", "--format", fmt, "-"],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert cli.stdin is not None and cli.stderr is not None
    written, chunk = 0, b"x" * (1 << 20)
    try:
        while written < 256 << 20:  # the old copy took all of it
            cli.stdin.write(chunk)
            written += len(chunk)
    except BrokenPipeError:
        pass
    with contextlib.suppress(BrokenPipeError):
        cli.stdin.close()
    with cli.stderr:
        stderr = cli.stderr.read().decode()
    assert cli.wait(timeout=300) == 1
    assert f"Line 1 of stdin is longer than any memory's line can be (is this {what}?)" in stderr
    # a mem0 export's one line holds every memory: MEM0_LINE_MEMORIES lines' worth
    assert written < source_bound(fmt, Limits(100, 100)) + (8 << 20)
    service = MemoryService.open(Settings(db=db, semantic=False))
    try:
        assert service.stats().total == 0  # nothing imported
    finally:
        service.close()
