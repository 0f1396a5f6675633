"""Pseudo-relevance feedback (policies/feedback.py) through the service: after fusion the
semantic leg searches again from the query moved towards the best hits."""

from pathlib import Path

import numpy as np
import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


QUERY = "what about kestrel?"
# The keyword leg's only match (it says "kestrel"), far from the query in meaning.
NAMED = "kestrel pipeline notes"
# Worded like NAMED (near it in meaning), a little less close to the query than SIDE.
RELATED = "the deploy runner broke last night"
SIDE = "coffee machine downtime"
VECTORS = {
    QUERY: unit(1, 0, 0, 0),
    NAMED: unit(0.1, 1, 0, 0),
    RELATED: unit(0.5, 1, 0, 0),
    SIDE: unit(0.52, 0, 1, 0),
}


class TableEmbedder:
    """Vectors from a table: the geometry of the test is written down, not hashed."""

    model_name = "test/table"
    dim = 4

    def load(self) -> None:
        pass

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return np.stack([VECTORS.get(t, unit(0, 0, 0, 1)) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return VECTORS.get(text, unit(0, 0, 0, 1))


def test_a_memory_worded_like_the_best_hit_rises_above_one_only_near_the_query(
    tmp_path: Path,
) -> None:
    svc = MemoryService.open(Settings(db=tmp_path / "m.db"), embedder=TableEmbedder())
    assert svc.semantic.ensure()
    svc.remember_many([{"content": t} for t in (NAMED, RELATED, SIDE)], dedup=False)
    order = [h.content for h in svc.recall(QUERY, limit=3).hits]
    svc.close()
    # Without feedback: SIDE (cosine 0.46) above RELATED (0.45).
    assert order.index(RELATED) < order.index(SIDE)


def test_the_feedback_search_sees_the_copy_as_the_first_search_did(tmp_path: Path) -> None:
    """Each semantic search brought the in-memory copy up to date first, the feedback search
    too: a vector another process stored between recall's two searches was scored against a
    query moved towards hits chosen without it, and a memory that had just been embedded
    came below unrelated ones (seen in CI). The moved search now sees the copy as its first
    search did; the next recall sees the new vector."""
    from memory_mcp.models import MemoryFilter

    db = tmp_path / "m.db"
    svc = MemoryService.open(Settings(db=db), embedder=TableEmbedder())
    assert svc.semantic.ensure()
    svc.remember_many([{"content": t} for t in (NAMED, SIDE)], dedup=False)
    svc.semantic.load_cache()
    query, flt = VECTORS[QUERY], MemoryFilter()
    first = svc.semantic.search(query, flt, 10)
    other = MemoryService.open(Settings(db=db), embedder=TableEmbedder())  # another process
    assert other.semantic.ensure()
    stored = other.remember(RELATED).id
    other.close()
    moved = svc.semantic.search(unit(1, 0.2, 0, 0), flt, 10, origin=query)
    assert {mid for mid, _ in moved} == {mid for mid, _ in first}  # not yet `stored`
    assert stored in {mid for mid, _ in svc.semantic.search(query, flt, 10)}
    svc.close()


@pytest.mark.model
def test_a_memory_that_cleared_the_floor_is_not_dropped_by_the_feedback_round(
    real_service: MemoryService,
) -> None:
    """The moved query is nearer the best hit, whose cosine rises (0.50 -> 0.68) more than
    the others' (0.36 -> 0.41): the gap floor measured on the moved search dropped the very
    memory that says where the user lives now."""
    svc = real_service
    berlin = svc.remember("I live in Berlin")
    lisbon = svc.remember("I moved to Lisbon last month")
    assert [h.id for h in svc.recall("where do I live").hits] == [berlin.id, lisbon.id]
