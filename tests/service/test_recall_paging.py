"""recall's `offset` (the web UI's further pages of results): the same ranking, cut later."""

from typing import Any

import pytest

from memory_mcp.errors import InvalidInput
from memory_mcp.policies import access
from memory_mcp.service import MemoryService
from memory_mcp.service.recalling import CANDIDATES_PER_HIT


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


def test_pages_partition_a_principals_results_when_a_summary_is_withheld_meanwhile(
    service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A saved summary whose text became withheld between the ranking and the reading of its
    hits (a memory it cites moved out of the caller's scopes meanwhile, by another client)
    was dropped after the page was cut: that page came short, which reads as the last one
    (the web UI then offered no next page: every later result skipped)."""
    owner = service
    for n in range(12):
        owner.remember(f"The staging deploy queue runs nightly on host {n}", scope="team")
    # cited by the summary, not found by the recalls below (they ask since 2025): moving it
    # out of bob's scopes changes none of their candidates but the summary
    cited = owner.remember(
        "The coffee machine is on floor two, beside the lifts",
        scope="team",
        occurred_at="2020-01-01",
    ).id
    saved = owner.summarize(scope="team", save=True).saved_id
    assert saved is not None
    bob = owner.as_principal(access.principal("bob", access.parse_grants(["team=read"])))
    query = "staging deploy queue nightly summary"
    ranked = [h.id for h in bob.recall(query, 50, scope="team", since="2025-01-01").hits]
    assert saved in ranked
    assert cited in owner.get(saved).metadata["sources"] and cited not in ranked
    # the summary on the first page, not its last hit; a pool (CANDIDATES_PER_HIT x size)
    # holding every memory, so that each page ranks the same candidates
    size = max(ranked.index(saved) + 2, len(ranked) // CANDIDATES_PER_HIT + 1)
    assert size < len(ranked) - 2
    statistics, moved = bob.store.keyword_statistics, []

    def meanwhile(*args: Any, **kwargs: Any) -> Any:  # after the withheld check, once
        if not moved:
            moved.append(owner.move([cited], "vault"))
        return statistics(*args, **kwargs)

    monkeypatch.setattr(bob.store, "keyword_statistics", meanwhile)
    pages: list[list[int]] = []
    while True:  # as the web UI pages: the next page starts after the hits shown
        shown = [
            h.id
            for h in bob.recall(
                query, size, scope="team", since="2025-01-01", offset=sum(map(len, pages))
            ).hits
        ]
        pages.append(shown)
        if len(shown) < size:
            break
    assert moved and len(pages[0]) == size
    seen = [i for page in pages for i in page]
    now = [h.id for h in bob.recall(query, 50, scope="team", since="2025-01-01").hits]
    assert saved not in now and len(now) == len(ranked) - 1
    assert len(seen) == len(set(seen)) and sorted(seen) == sorted(now)  # none twice, none lost
