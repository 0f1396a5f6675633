"""Which of two current memories may be an older value of the other: close in meaning, a fact
apart, both standing statements of one scope. Pure functions, no I/O.

A model that stores "Staging DB moved to port 6543" without a key or `replaces` leaves "The
staging database is on port 5433" current beside it, and a recall of "which port is the
staging database on?" ranks the old one first (its words match). Nothing is superseded on a
guess ("The production database is on port 5432" is as close to the staging one): the later
memory is named instead, at write time (remember's `similar`) and in recall (a hit's `newer`).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from memory_mcp.policies.dedup import same_information, subject

if TYPE_CHECKING:
    import numpy as np

# Close enough to be the same thing's two values ("The staging database is on port 5433" /
# "Staging DB moved to port 6543": 0.75, all-MiniLM-L6-v2); memories of one topic that say
# different things mostly sit at 0.3-0.6.
SIMILAR_COSINE = 0.7
# Recall's mark asserts more than a list the writer weighs, so it asks for more: on templated
# pairs (10 components x 6 attributes) 0.32 of those at 0.7 were updates, 0.62 at 0.75, 0.83
# at 0.8, every update but one still found (standup 9am -> 10am 0.85, Python 3.11 -> 3.12
# 0.96; the staging port's 0.75 is only listed by remember).
NEWER_COSINE = 0.8
STANDING = frozenset({"fact", "preference", "decision"})  # hold until changed
NAMED_FIRST = 3  # recall's hits weighed against the others: the first few


class Stated(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def content(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def occurred_at(self) -> datetime | None: ...
    @property
    def superseded_by(self) -> int | None: ...


def standing(memory: Stated) -> bool:
    """A statement that holds until changed: a fact, preference or decision, or an undated
    note; an event (or a dated note, a turn of a conversation) is what happened then, and a
    later one is another episode, not a new value."""
    return memory.superseded_by is None and standing_kind(memory.kind, memory.occurred_at)


def standing_kind(kind: str, occurred_at: object) -> bool:
    """standing() of a memory of `kind` dated `occurred_at` (None: undated)."""
    return kind in STANDING or (kind == "note" and occurred_at is None)


def newer_values(
    memories: Sequence[Stated],
    vectors: Mapping[int, "np.ndarray"],
    said: Mapping[int, datetime] | None = None,
    first: int = NAMED_FIRST,
) -> dict[int, int]:
    """For each of the `first` memories (best first) that a later one of `memories` may
    update, that later one's id (the closest, if several): same scope, both standing, cosine
    >= NEWER_COSINE, about one thing, and a fact apart (policies.dedup.same_information).
    Later: said later, `said` giving when each was last stated (a repeat counted on it
    since: "9am", "10am", then "9am" again makes the first the latest), else its creation.
    Only the first few: an old value ranked where it is read first is what misleads, and
    each weighing reads two texts' facts (~0.05 ms)."""
    import numpy as np

    def when(memory: Stated) -> tuple[datetime, int]:
        return (said or {}).get(memory.id, memory.created_at), memory.id

    eligible = [m for m in memories if m.id in vectors and standing(m)]
    if len(eligible) < 2:
        return {}
    mat = np.stack([np.asarray(vectors[m.id], np.float32) for m in eligible])
    heads = {m.id for m in memories[:first]}
    found: dict[int, int] = {}
    for i, old in enumerate(eligible):
        if old.id not in heads:
            continue
        cosines = mat @ mat[i]
        close = np.flatnonzero(cosines >= NEWER_COSINE)  # itself among them
        for j in close[np.argsort(-cosines[close])].tolist():
            new = eligible[j]
            if new.scope != old.scope or when(new) <= when(old):
                continue
            if _about_one_thing(old.content, new.content) and not same_information(
                old.content, new.content
            ):
                found[old.id] = new.id
                break
    return found


def _about_one_thing(a: str, b: str) -> bool:
    """Not two subjects' values: "Alice's email is …" and "Bob's email is …" are close, a fact
    apart, and neither updates the other; "Alice prefers PyCharm" and "Alice prefers Zed" (or
    a text opening with no name, "The staging database is on port 5433") may."""
    first_a, first_b = subject(a), subject(b)
    return first_a is None or first_b is None or first_a == first_b
