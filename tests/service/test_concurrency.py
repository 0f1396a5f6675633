"""Several processes writing one database file: no lost write, no 'database is locked'."""

import subprocess
import sys
from pathlib import Path

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

WRITER = """
import sys
from memory_mcp import MemoryService, Settings
service = MemoryService.open(Settings(db=sys.argv[1], semantic=False))
for i in range(int(sys.argv[3])):
    m = service.remember(f"writer {sys.argv[2]} memory {i}", tags=[f"w{sys.argv[2]}"])
    if i % 5 == 0:
        service.forget([m.id])
        service.restore([m.id])
    service.recall(f"writer {sys.argv[2]}")
print("done")
"""


def test_parallel_writers_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    writers, each = 4, 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(w), str(each)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert out.strip() == "done"
    finally:  # a failed writer must not leave the others running into the next test
        for proc in procs:
            proc.kill()
            proc.communicate()
    service = MemoryService.open(Settings(db=db, semantic=False))
    contents = [m.content for m in service.list_memories(limit=None)]
    assert len(contents) == len(set(contents)) == writers * each
    assert service.doctor().healthy
    service.close()
