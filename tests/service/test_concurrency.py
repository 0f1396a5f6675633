"""Several processes writing one database file: no lost write, no 'database is locked'."""

import subprocess
import sys
from pathlib import Path

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder

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


def _with_model(db: Path, dim: int, name: str) -> MemoryService:
    service = MemoryService.open(Settings(db=db), embedder=FakeEmbedder(dim, name))
    service.semantic.ensure()
    return service


def test_a_reindex_with_another_model_elsewhere_turns_a_running_server_keyword_only(
    tmp_path: Path,
) -> None:
    """A server keeps its model while another process re-embeds the file with another
    (another width, or the same width: its vectors would mix with the other model's). It
    stores every memory (left for that model to embed) and recalls by keyword, saying why,
    instead of failing each call or mixing two models; a reindex back turns it on again."""
    db = tmp_path / "shared.db"
    server = _with_model(db, 8, "fake/one")
    server.semantic.load_cache()  # a running server's in-memory copy, warm
    first = server.remember("The deploy pipeline is called Kestrel").id
    for dim in (16, 8):
        other = _with_model(db, dim, f"fake/other-{dim}")
        other.reindex()
        stored = server.remember(f"Standup is at ten, round {dim}")
        assert stored.status == "created" and not server.get(stored.id).embedded
        found = server.recall("Kestrel pipeline")
        assert found.mode == "keyword" and [h.id for h in found.hits] == [first]
        assert found.note and "another process re-embedded" in found.note
        assert f"MEMORY_MCP_MODEL=fake/other-{dim}" in found.note
        assert other.recall(f"Standup round {dim}").hits[0].id == stored.id
        other.close()
    back = _with_model(db, 8, "fake/one")
    back.reindex()
    back.close()
    again = server.recall("Kestrel pipeline")
    assert again.mode == "hybrid" and again.hits[0].id == first
    assert server.remember("Lunch is at noon").status == "created"
    assert all(m.embedded for m in server.list_memories(limit=None))
    assert server.doctor().healthy
    server.close()
