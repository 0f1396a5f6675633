"""policies/updates.py: which current memory a later one may update (no I/O, made-up vectors)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from memory_mcp.policies.updates import SIMILAR_COSINE, newer_values, standing

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class M:
    id: int
    content: str
    kind: str = "fact"
    scope: str = "global"
    created_at: datetime = T0
    occurred_at: datetime | None = None
    superseded_by: int | None = None


def unit(angle: float) -> np.ndarray:
    """A 2-d unit vector: cosine between unit(a) and unit(b) is cos(a - b)."""
    return np.array([np.cos(angle), np.sin(angle)], np.float32)


CLOSE = float(np.arccos(SIMILAR_COSINE)) * 0.5  # cosine 0.92 between angle 0 and this
FAR = float(np.arccos(SIMILAR_COSINE)) * 1.2  # below the bar


def test_a_later_memory_a_fact_apart_is_named_on_the_older_only() -> None:
    old = M(1, "The staging database is on port 5433")
    new = M(2, "Staging DB moved to port 6543", created_at=T0 + timedelta(days=1))
    assert newer_values([new, old], {1: unit(0), 2: unit(CLOSE)}) == {1: 2}


def test_far_apart_or_the_same_facts_or_another_scope_names_nothing() -> None:
    old = M(1, "The staging database is on port 5433")
    later = T0 + timedelta(days=1)
    far = M(2, "Staging DB moved to port 6543", created_at=later)
    assert newer_values([old, far], {1: unit(0), 2: unit(FAR)}) == {}
    same = M(2, "Staging's database: port 5433", created_at=later)  # no fact differs
    assert newer_values([old, same], {1: unit(0), 2: unit(CLOSE)}) == {}
    other = M(2, "Staging DB moved to port 6543", scope="p1", created_at=later)
    assert newer_values([old, other], {1: unit(0), 2: unit(CLOSE)}) == {}


def test_only_standing_statements_count() -> None:
    """Events and dated notes (a turn of a conversation) are episodes, not values; a
    superseded memory has its successor already."""
    assert standing(M(1, "x")) and standing(M(1, "x", kind="note"))
    assert not standing(M(1, "x", kind="event"))
    assert not standing(M(1, "x", kind="note", occurred_at=T0))
    assert not standing(M(1, "x", superseded_by=5))
    old = M(1, "We met Carol on Tuesday", kind="event")
    new = M(2, "We met Carol on Friday", kind="event", created_at=T0 + timedelta(days=3))
    assert newer_values([old, new], {1: unit(0), 2: unit(CLOSE)}) == {}


def test_the_closest_later_value_is_named() -> None:
    old = M(1, "Code reviews need two approvals")
    later = M(2, "Code reviews need three approvals", created_at=T0 + timedelta(days=1))
    latest = M(3, "Code reviews need four approvals", created_at=T0 + timedelta(days=2))
    vectors = {1: unit(0), 2: unit(CLOSE * 0.5), 3: unit(CLOSE)}
    assert newer_values([old, later, latest], vectors) == {1: 2, 2: 3}


def test_two_subjects_values_are_not_one_things_update() -> None:
    later = T0 + timedelta(days=1)
    vectors = {1: unit(0), 2: unit(CLOSE)}
    alice = M(1, "Alice's email is alice@example.com")
    bob = M(2, "Bob's email is bob@example.com", created_at=later)
    assert newer_values([alice, bob], vectors) == {}
    switched = M(2, "Alice's email is alice.smith@example.com", created_at=later)
    assert newer_values([alice, switched], vectors) == {1: 2}
