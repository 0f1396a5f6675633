"""Which of two current memories may be an older value of the other: close in meaning, a fact
apart, both standing statements of one scope, about one person. Pure functions, no I/O.

A model that stores "Staging DB moved to port 6543" without a key or `replaces` leaves "The
staging database is on port 5433" current beside it, and a recall of "which port is the
staging database on?" ranks the old one first (its words match). Nothing is superseded on a
guess ("The production database is on port 5432" is as close to the staging one): the later
memory is named instead, at write time (remember's `similar`) and in recall (a hit's `newer`).
Two values of one thing are often far apart in meaning ("The project uses PostgreSQL 14" /
"We switched the database to MySQL 8": 0.28): a later text that says it changes something
(policies/update_words.py) is weighed at a lower bar than one that does not.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from memory_mcp.policies.dedup import same_information, subject
from memory_mcp.policies.update_words import says_change, whose

if TYPE_CHECKING:
    import numpy as np

# Close enough to be the same thing's two values ("The staging database is on port 5433" /
# "Staging DB moved to port 6543": 0.75, all-MiniLM-L6-v2); memories of one topic that say
# different things mostly sit at 0.3-0.6.
SIMILAR_COSINE = 0.7
# ... or this close, when the new text says it changes something ("I moved to Lisbon last
# month" / "I live in Berlin": 0.39). benchmarks/update_pairs.py, a store of 51 hand-written
# values and 80 new statements written into it: remember lists the right old value for 32 of
# 40 updates (14 at 0.7 alone) and 0.40 others a write (0.12); at 0.3, 35 and 0.62; at 0.4,
# 29 and 0.29. A list the writer weighs, at most SIMILAR_SHOWN long.
CHANGE_SIMILAR_COSINE = 0.35
# Recall's mark asserts more than a list the writer weighs, so it asks for more: on templated
# pairs (10 components x 6 attributes) 0.32 of those at 0.7 were updates, 0.62 at 0.75, 0.83
# at 0.8, every update but one still found (standup 9am -> 10am 0.85, Python 3.11 -> 3.12
# 0.96). Below it, only a later text that says it changes something is weighed (next).
NEWER_COSINE = 0.8
# ... or this close when the later text says it changes something, and the earlier is the
# closest value said before it (one change, one old value): in that store, recall marks the
# right old value for 18 of the 40 updates (7 at 0.8 alone), and 4 others (3); at 0.5, 19
# and 5; at 0.6, 15 and 4.
CHANGE_NEWER_COSINE = 0.55
STANDING = frozenset({"fact", "preference", "decision"})  # hold until changed
NAMED_FIRST = 3  # recall's hits weighed against the others: the first few


def may_list(old: str, new: str, cosine: float) -> bool:
    """Whether remember names stored `old` as a value new text `new` (at `cosine`) may
    update: close (and not another person's: "My sister lives in Leeds" is no value of the
    writer's), or close enough for a text that says it changes something and about one thing
    (not another named subject's value either)."""
    if whose(old) != whose(new):
        return False
    if cosine >= SIMILAR_COSINE:
        return True
    return cosine >= CHANGE_SIMILAR_COSINE and says_change(new) and _about_one_thing(old, new)


def change_floor(new: str) -> float:
    """The lowest cosine at which remember may name a memory `new` updates."""
    return CHANGE_SIMILAR_COSINE if says_change(new) else SIMILAR_COSINE


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


S = TypeVar("S", bound=Stated)


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
    update, that later one's id (the closest, if several): same scope, both standing, about
    one thing, a fact apart (policies.dedup.same_information), and cosine >= NEWER_COSINE, or
    >= CHANGE_NEWER_COSINE when the later one says it changes something and the earlier is
    the closest of those said before it. Later: said later, `said` giving when each was last
    stated (a repeat counted on it since: "9am", "10am", then "9am" again makes the first
    the latest), else its creation. Only the first few: an old value ranked where it is
    read first is what misleads, and each weighing reads two texts' facts (~0.05 ms)."""
    import numpy as np

    def when(memory: Stated) -> tuple[datetime, int]:
        return _stated(memory, said or {})

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
        close = np.flatnonzero(cosines >= CHANGE_NEWER_COSINE)  # itself among them
        for j in close[np.argsort(-cosines[close])].tolist():
            new = eligible[j]
            if new.scope != old.scope or when(new) <= when(old):
                continue
            if cosines[j] < NEWER_COSINE and not (
                says_change(new.content) and _closest_before(eligible, mat, j, when) == i
            ):
                continue
            if _about_one_thing(old.content, new.content) and not same_information(
                old.content, new.content
            ):
                found[old.id] = new.id
                break
    return found


def close_to_any(
    heads: Sequence[int], candidates: Sequence[int], vectors: Mapping[int, "np.ndarray"]
) -> list[int]:
    """The candidates at CHANGE_SIMILAR_COSINE or closer to one of the heads (those worth
    reading as later_values()'s candidates), closest first."""
    import numpy as np

    mine = [h for h in heads if h in vectors]
    theirs = [c for c in candidates if c in vectors]
    if not mine or not theirs:
        return []
    best = (np.stack([vectors[c] for c in theirs]) @ np.stack([vectors[h] for h in mine]).T).max(1)
    order = np.argsort(-best, kind="stable").tolist()
    return [theirs[i] for i in order if best[i] >= CHANGE_SIMILAR_COSINE]


def later_values(
    heads: Sequence[Stated],
    candidates: Sequence[S],
    vectors: Mapping[int, "np.ndarray"],
    said: Mapping[int, datetime],
) -> dict[int, S]:
    """For each standing head, the closest of `candidates` said after it that says it changes
    something and may update it (may_list: remember would have named the head among its
    `similar`): recall shows it next to the head, so an old value never comes alone because
    its update is worded otherwise ("where does the user live?" finds "The user lives in
    Lisbon", not "I moved to Porto last month"). `said`: when each was last stated."""
    import numpy as np

    found: dict[int, S] = {}
    later = [c for c in candidates if c.id in vectors and standing(c)]
    if not later:
        return found
    mat = np.stack([np.asarray(vectors[c.id], np.float32) for c in later])
    taken: set[int] = set()
    for head in heads:
        if head.id not in vectors or not standing(head):
            continue
        cosines = mat @ np.asarray(vectors[head.id], np.float32)
        for j in np.argsort(-cosines).tolist():
            new, cosine = later[j], float(cosines[j])
            if cosine < CHANGE_SIMILAR_COSINE:
                break
            if new.id in taken or new.scope != head.scope:
                continue
            if _stated(new, said) <= _stated(head, said):
                continue
            # Said as a change: one close only in meaning (another taste of the same kind,
            # "I dislike anything spicy" beside "I avoid spicy food") is no update to show.
            if says_change(new.content) and may_list(head.content, new.content, cosine):
                found[head.id] = new
                taken.add(new.id)
                break
    return found


Said = Callable[[Stated], tuple[datetime, int]]


def _stated(memory: Stated, said: Mapping[int, datetime]) -> tuple[datetime, int]:
    """When `memory` was last stated (`said`, else its creation), ties by id: what "later"
    means to newer_values() and later_values()."""
    return said.get(memory.id, memory.created_at), memory.id


def _closest_before(eligible: Sequence[Stated], mat: "np.ndarray", j: int, when: Said) -> int:
    """Index of the memory of eligible[j]'s scope said before it that is closest to it (one
    change updates one value: "Staging DB moved to port 6543" the staging port, not the
    production one it is also near)."""
    import numpy as np

    new = eligible[j]
    said = when(new)
    before = [k for k, m in enumerate(eligible) if m.scope == new.scope and when(m) < said]
    cosines = mat[before] @ mat[j]
    return before[int(np.argmax(cosines))]


def _about_one_thing(a: str, b: str) -> bool:
    """Not two subjects' values: "Alice's email is …" and "Bob's email is …" are close, a fact
    apart, and neither updates the other, nor "I live in Berlin" and "My sister moved to
    Lisbon"; "Alice prefers PyCharm" and "Alice prefers Zed" (or a text opening with no name,
    "The staging database is on port 5433") may."""
    if whose(a) != whose(b):
        return False
    first_a, first_b = _named(a), _named(b)
    if _someone_elses(a, first_b, b) or _someone_elses(b, first_a, a):
        return False
    return first_a is None or first_b is None or first_a == first_b


# A text in its writer's voice opens with "I" (in the languages capture reads, or "the user"
# as a model writes it) ...
_I_OPENS = re.compile(r"^\W*(?:I|I['’](?:m|ve|d|ll)|Ich|Je|J['’]|Yo|Io|Eu|[Tt]he user|User)\b")
# ... and a text about its writer speaks as them somewhere ("VS Code is my editor now").
_WRITER_WORD = re.compile(
    r"\b(?:i|me|my|mine|myself|we|us|our|ours|user|ich|mich|mir|mein\w*|wir|uns|unser\w*|je|j['’]"
    r"|moi|mon|ma|mes|nous|notre|nos|yo|mí|mi|mis|nosotros|nuestr\w+|io|mio|mia|miei|mie"
    r"|noi|nostr\w|eu|meu|minha|meus|minhas|nós|noss\w+)\b",
    re.IGNORECASE,
)


# ... and one about someone else opens with their name as a person's: "Sam's", "Tom now
# works", "Anna is" (not "Staging DB moved", "Docs are in Confluence", "Use pnpm now").
_PERSON_OPENS = re.compile(
    r"^\W*[A-Z][a-z]*[a-rt-z](?:['’]s\b|\s+(?:now\s+|just\s+|recently\s+)?(?:is|was|has|had"
    r"|works|worked|lives|lived|moved|left|joined|started|became|got|quit|switched|prefers"
    r"|likes|loves|hates|uses|went|took|runs|leads|manages|studies|teaches)\b)"
)


def _someone_elses(mine: str, named: str | None, other: str) -> bool:
    """`mine` opens in its writer's voice ("I work at Google") and `other` opens with a
    person's name and never speaks as its writer ("Sam's new job is at Stripe", "Tom now
    works at Stripe"): another person's value, not the writer's."""
    return (
        named is not None
        and _I_OPENS.match(mine) is not None
        and _PERSON_OPENS.match(other) is not None
        and _WRITER_WORD.search(other) is None
    )


# The writer's own contractions open a text as "I" does, naming no one ("I'm learning
# Spanish" / "I've switched to learning Portuguese").
_WRITER = frozenset({"i'm", "i've", "i'd", "i'll", "we're", "we've", "we'd", "we'll"})


def _named(text: str) -> str | None:
    found = subject(text)
    return None if found is None or found.replace("\u2019", "'") in _WRITER else found
