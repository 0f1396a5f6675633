"""Pseudo-relevance feedback for the semantic leg of recall. Pure; no I/O.

A request often names the subject only loosely ("which restaurants should I try in Rome?",
"what game did Nate play at the convention?"), and the memory that answers it is worded like
the memories recall found first, not like the request. So once both legs are fused, the query
vector moves towards the best few fused hits (Rocchio: q + FEEDBACK_WEIGHT x their mean
vector, weighted by fused score) and the semantic leg searches again with it. The best hits
mostly come from the keyword leg on conversations, so this also carries exact-word evidence
over to the meaning side.

Measured (benchmarks/recall_quality.py, R@5 LoCoMo / PrefEval): the best 3 hits at weight 0.3
+0.009 / +0.020; every setting of depth 2-4 and weight 0.2-0.5 gained on both (+0.002 to
+0.012 / +0.008 to +0.020); depth 5 or more, or one hit alone, gained nothing or lost.
"""

from collections.abc import Sequence

import numpy as np

FEEDBACK_DEPTH = 3  # how many of the best fused hits the query moves towards
FEEDBACK_WEIGHT = 0.3  # how far: their (score-weighted) mean vector counts this much


def feedback_query(
    query: np.ndarray, hits: Sequence[tuple[np.ndarray, float]]
) -> np.ndarray | None:
    """The query vector moved towards `hits` ((vector, fused score) of the best few hits),
    unit length; None when there is nothing to move towards."""
    weights = np.array([max(score, 0.0) for _, score in hits], dtype=np.float64)
    if not hits or weights.sum() <= 0:
        return None
    vectors = np.stack([np.asarray(v, dtype=np.float64) for v, _ in hits])
    centre = (weights[:, None] * vectors).sum(axis=0) / weights.sum()
    moved = np.asarray(query, dtype=np.float64) + FEEDBACK_WEIGHT * centre
    norm = float(np.linalg.norm(moved))
    if norm == 0.0:
        return None
    unit: np.ndarray = (moved / norm).astype(np.float32)
    return unit
