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

from memory_mcp.policies.dedup import same_information

if TYPE_CHECKING:
    import numpy as np

# Close enough to be the same thing's two values ("The staging database is on port 5433" /
# "Staging DB moved to port 6543": 0.75, all-MiniLM-L6-v2); memories of one topic that say
# different things mostly sit at 0.3-0.6.
SIMILAR_COSINE = 0.7
STANDING = frozenset({"fact", "preference", "decision"})  # hold until changed


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
) -> dict[int, int]:
    """For each memory a later one of `memories` may update, that later one's id (the
    closest, if several): same scope, both standing, cosine >= SIMILAR_COSINE, and a fact
    apart (policies.dedup.same_information). Later: said later, `said` giving when each was
    last stated (a repeat counted on it since: "9am", "10am", then "9am" again makes the
    first the latest), else its creation."""
    import numpy as np

    def when(memory: Stated) -> tuple[datetime, int]:
        return (said or {}).get(memory.id, memory.created_at), memory.id

    eligible = [m for m in memories if m.id in vectors and standing(m)]
    if len(eligible) < 2:
        return {}
    mat = np.stack([np.asarray(vectors[m.id], np.float32) for m in eligible])
    cosines = mat @ mat.T
    found: dict[int, int] = {}
    for i, old in enumerate(eligible):
        best = None
        for j in np.argsort(-cosines[i]):
            new = eligible[int(j)]
            if cosines[i, j] < SIMILAR_COSINE:
                break
            if new.scope != old.scope or when(new) <= when(old):
                continue
            if not same_information(old.content, new.content):
                best = new.id
                break
        if best is not None:
            found[old.id] = best
    return found
