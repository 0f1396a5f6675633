"""recall's `offset` (the web UI's further pages of results): the same ranking, cut later."""

import pytest

from memory_mcp.errors import InvalidInput
from memory_mcp.service import MemoryService


def test_offset_pages_through_one_ranking_without_repeats_or_gaps(
    service: MemoryService,
) -> None:
    service.remember_many(
        [{"content": f"Build {n} of the parser failed on the arm runner."} for n in range(70)]
    )
    every = [h.id for h in service.recall("parser build failed", 50).hits]
    assert len(every) == 50
    pages = [
        [h.id for h in service.recall("parser build failed", 50, offset=start).hits]
        for start in (0, 50, 100)
    ]
    assert pages[0] == every and len(pages[1]) == 20 and pages[2] == []
    assert not set(pages[0]) & set(pages[1])
    assert sorted(pages[0] + pages[1]) == sorted(m.id for m in service.list_memories(limit=None))
    with pytest.raises(InvalidInput, match="offset must be 0 or more"):
        service.recall("parser", offset=-1)
