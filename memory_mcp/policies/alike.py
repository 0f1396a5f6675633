"""Near-identical texts: what a long session says over and over ("Please check item 7.",
"… item 8.") is one thing to remember and one line to show, not thousands. No I/O.

Two texts are alike when their content words, numbers set aside, are (nearly) the same set:
capture folds a session's alike exploration events into one, and the briefings spend no
second slot on a memory alike to one they already show.
"""

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from memory_mcp.policies.text import STOPWORDS, tokens

T = TypeVar("T")
# Alike: this share of the two word sets in common (Jaccard); 1.0 would miss "item 7 looks
# fine" next to "item 8 looks fine too", well below would fold two different questions.
MIN_OVERLAP = 0.8
_NUMBER = re.compile(r"\d+")


def pattern(text: str) -> frozenset[str]:
    """A text's content words with every number as `0`: alike texts have (nearly) one."""
    masked = _NUMBER.sub("0", text)
    return frozenset(t for t in tokens(masked) if t not in STOPWORDS)


def alike(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two patterns (pattern()) say nearly the same thing."""
    if a == b:
        return True
    union = len(a | b)
    return union > 0 and len(a & b) / union >= MIN_OVERLAP


def distinct(items: Iterable[T], text: Callable[[T], str], limit: int | None = None) -> list[T]:
    """The items in order, each left out when alike to one kept before it; at most `limit`."""
    kept: list[T] = []
    seen: list[frozenset[str]] = []
    for item in items:
        if limit is not None and len(kept) >= limit:
            break
        mine = pattern(text(item))
        if any(alike(mine, other) for other in seen):
            continue
        kept.append(item)
        seen.append(mine)
    return kept
