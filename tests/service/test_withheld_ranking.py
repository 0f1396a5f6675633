"""A saved summary whose text a principal may not read is no candidate of its searches: it
was left out only of what recall showed, after ranking, so it still pushed the results the
principal may read down and rescaled their scores."""

from typing import Any

import pytest

from memory_mcp.policies import access
from memory_mcp.service import MemoryService, masking

QUERY = "staging deploy queue"


def _scores(svc: MemoryService) -> list[tuple[int, float]]:
    return [(h.id, h.score) for h in svc.recall(QUERY, scope="team").hits]


def test_a_withheld_summary_neither_ranks_nor_scales_a_principals_results(
    service: MemoryService,
) -> None:
    owner = service
    for n in range(6):
        owner.remember(f"The staging deploy queue runs nightly on host {n}", scope="team")
    owner.remember("Lunch is served in the staging area kitchen", scope="team")
    saved = owner.summarize(scope="team", save=True).saved_id
    assert saved is not None
    moved = owner.get(owner.get(saved).metadata["sources"][0])
    owner.move([moved.id], "vault")  # bob may not read it: the summary's text is withheld
    bob = owner.as_principal(access.principal("bob", access.parse_grants(["team=read"])))
    assert saved in [h.id for h in owner.recall(QUERY, scope="team").hits]
    owner_before = _scores(owner)

    with_it = _scores(bob)
    assert saved not in [i for i, _ in with_it]
    owner.forget([saved])  # its index entries stay: the same statistics, one candidate fewer
    assert _scores(bob) == with_it
    owner.restore([saved])
    assert _scores(owner) == owner_before  # the owner's ranking is unchanged


def test_the_withheld_check_reads_only_the_summaries_among_the_candidates_whole(
    service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It read every candidate's whole row (about 160 a recall, their text too) to learn
    which were summaries: now their kinds, in one statement, then the summaries alone."""
    owner = service
    notes = [
        owner.remember(f"The staging deploy queue runs nightly on host {n}", scope="team").id
        for n in range(4)
    ]
    saved = owner.summarize(scope="team", save=True).saved_id
    assert saved is not None
    owner.move([notes[0]], "vault")  # bob may not read it: the summary's text is withheld
    bob = owner.as_principal(access.principal("bob", access.parse_grants(["team=read"])))
    asked: list[list[int]] = []
    get_many = bob.store.get_many

    def recorded(ids: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(list(ids))
        return get_many(ids, *args, **kwargs)

    monkeypatch.setattr(bob.store, "get_many", recorded)
    candidates = [(i, 1.0) for i in [*notes[1:], saved, 10**6]]  # 10**6: no such memory
    assert masking.withheld(bob._ctx, candidates) == {saved}
    assert asked[0] == [saved]  # then the memories it cites, to know which bob may read
    assert owner.store.kinds([notes[1], saved, 10**6]) == {notes[1]: "note", saved: "summary"}
