"""The feedback search (policies/feedback.py) without a second pass over every row. Pure.

Recall's semantic leg searches twice: with the query vector v, then with v moved towards the
best fused hits (q, unit). The second pass over every row cost as much as the first (~1 ms
at 10k rows; the first one is recall's floor). But the first pass left the exact cosine
s = x.v of every row, and q splits into a part along v and a part r orthogonal to it:
q = a v + r, so x.q = a s + x.r <= a s + |r| sqrt(|x|^2 - s^2) (Cauchy-Schwarz on the part of x
orthogonal to v). Score the rows best by s exactly; the k-th best of those is a bar no row
whose bound falls below it can beat, and only the few rows left are scored. The result is the
exact top k, not an approximation (tests/search/test_moved.py holds it against a full pass).

Measured on 10k memories (benchmarks/speed.py's data, the real model): the bound leaves a
median of ~150 rows (p95 ~530) to score, 0.26 ms against 0.91 ms for the full pass.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from memory_mcp.models import MemoryFilter
from memory_mcp.search.vecfile import dot, top

SEEDS_PER_K = 4  # rows best by the first pass scored first: they set the bar
MAX_SHARE = 4  # a bound keeping over 1/MAX_SHARE of the rows is no cheaper than the pass
# Float32 rounding in the stored scores and vectors (~1e-6) stays far below this slack.
SLACK = 1e-4


@dataclass(frozen=True)
class FirstPass:
    """The exact cosine of every row of the copy with `query` (-inf where `flt` excludes
    the row), kept for the one state of the copy it was computed on (`changes`)."""

    query: np.ndarray
    flt: MemoryFilter
    changes: int
    scores: np.ndarray


def moved_top(
    first: np.ndarray,
    origin: np.ndarray,
    moved: np.ndarray,
    gather: Callable[[np.ndarray], np.ndarray],
    k: int,
    longest: float = 1.0,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The exact top k of `gather(rows) @ moved` over the rows where `first` (the exact
    x.origin of every row, -inf for rows the filter excludes) is finite: (row positions,
    scores) best first. `longest`: no row vector is longer (1 for unit vectors). None when
    the bound would not save the full pass (then the caller runs it)."""
    size = float(np.linalg.norm(origin))
    if size == 0.0 or k <= 0:
        return None
    unit = origin / size
    along = float(moved @ unit)
    across = float(np.linalg.norm(moved - along * unit))
    live = np.flatnonzero(np.isfinite(first))
    if along <= 0.0 or len(live) * 2 <= k * SEEDS_PER_K:
        return None  # a reversed direction, or so few rows that scoring them all is as cheap
    s = first[live] / size
    seeds = live[top(s, SEEDS_PER_K * k)]
    bar = np.partition(dot(gather(seeds), moved), -k)[-k]
    bound = along * s + across * np.sqrt(np.maximum(longest * longest - s * s, 0.0))
    rows = live[bound >= bar - SLACK]
    if len(rows) * MAX_SHARE > len(first):
        return None
    scores = dot(gather(rows), moved)
    best = top(scores, k)
    return rows[best], scores[best]
