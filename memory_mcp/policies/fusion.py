"""How the keyword and semantic legs of recall are blended. Pure; no I/O."""

import math
from collections.abc import Sequence

from memory_mcp.models import Hit

# Share of the keyword leg in fused scores. On LoCoMo (one memory per dialogue turn) BM25
# alone beats MiniLM alone, and 0.5-0.7 all beat both legs; 0.6 sits in the middle.
KEYWORD_WEIGHT = 0.6
# bm25 weights of the full-text columns content, tags and context (a memory's optional
# surrounding text plus its event date): context helps find a memory but counts half as much
# as its own words. On LoCoMo, context weights 0.35-0.7 all gain about as much (+0.14 R@5).
CONTEXT_WEIGHT = 0.5
FTS_WEIGHTS = (1.0, 1.0, CONTEXT_WEIGHT)
# How much the keyword leg knows: its best candidate counts as full keyword evidence only when
# it scores at least this share of the query's IDF mass (query_mass: about what a memory
# matching every query term once scores). A best match on one incidental word of a longer
# question ("restaurants" in "which restaurants in Rome should I try?") is then a weak
# signal, as BM25 itself measures it, instead of the 1.0 that min-max over the candidates
# alone gave it. Half: a memory must match terms carrying half of what the query says.
# Measured (benchmarks/recall_quality.py): shares 0.3-0.7 keep LoCoMo within 0.01 and lift
# PrefEval R@5 from 0.222 to 0.27-0.29.
KEYWORD_FULL_SHARE = 0.5
# With a project in context, its memories and global ones are ranked together; a project
# memory goes first only when its fused score is within this much of a global one's (the
# project's own facts override general ones), so a clearly better global answer stays on top.
PROJECT_EDGE = 0.02
# The relevance floor: a candidate is returned only when a leg vouches for it by its own
# measure, compared with that leg's best candidate: a keyword score at least
# FLOOR_KEYWORD_SHARE of the best one, or a cosine within FLOOR_COSINE_GAP of the best one
# and at least FLOOR_MIN_COSINE. Not higher: all-MiniLM-L6-v2 puts a paraphrase with no word
# in common as low as unrelated text ("what time is the morning meeting" -> "Standup is at
# ten" 0.20; "release" -> "Fixed the memory leak in the image resizer" 0.18), so a floor
# that hides the one loses the other; the score below says which is weak instead.
FLOOR_KEYWORD_SHARE = 0.3
FLOOR_COSINE_GAP = 0.25
FLOOR_MIN_COSINE = 0.15
# Fused scores are relative to the candidates (a lone one scores 1.0), so a recall's scores
# are scaled by how strong its best evidence is on each leg's own absolute measure: a keyword
# match on KEYWORD_FULL_SHARE of the query's IDF mass, or a cosine of COSINE_FULL, is full
# evidence; a best cosine just above the floor, with no keyword match, is almost none. The
# order never changes (one factor per recall), only what the scores say.
COSINE_FULL = 0.4


def idf(documents: int, containing: int) -> float:
    """BM25's inverse document frequency, as FTS5 computes it (never below a millionth, also
    when a count read while others write exceeds the total)."""
    ratio = (documents - containing + 0.5) / (containing + 0.5)
    return max(math.log(ratio), 1e-6) if ratio > 0 else 1e-6


def query_mass(documents: int, counts: Sequence[int]) -> float:
    """The query's IDF mass: the sum of its terms' IDF (Storage.keyword_statistics)."""
    return sum(idf(documents, n) for n in counts) if documents else 0.0


def fuse(
    keyword: Sequence[tuple[int, float]],
    semantic: Sequence[tuple[int, float]],
    keyword_weight: float = KEYWORD_WEIGHT,
    keyword_mass: float = 0.0,
) -> list[tuple[int, float]]:
    """Blend two best-first (id, score) lists: a weighted sum of normalised scores.

    Each leg's scores are rescaled to 0..1 over its own candidates (worst 0, best 1); an id a
    leg did not propose counts as 0 there. Unlike rank fusion this keeps how far apart the
    candidates are, so a clear keyword winner is not dragged down by a flat semantic list.
    The keyword leg's top is at least KEYWORD_FULL_SHARE of `keyword_mass` (query_mass), so
    a best match on a small part of the query stays a small score. An empty leg drops out
    and the other keeps its order. Returns (id, fused score in 0..1) best first; ties keep
    keyword order, then semantic order.
    """
    legs = [
        (keyword_weight, _min_max(keyword, KEYWORD_FULL_SHARE * keyword_mass)),
        (1.0 - keyword_weight, _min_max(semantic)),
    ]
    total = sum(weight for weight, units in legs if units) or 1.0
    # Filled keyword ids first, each leg in its own order: the ids stand in the order they
    # were first proposed, which a stable sort keeps among equal scores.
    scores: dict[int, float] = {}
    for weight, units in legs:
        for memory_id, unit in units.items():
            scores[memory_id] = scores.get(memory_id, 0.0) + weight * unit / total
    return sorted(scores.items(), key=_score, reverse=True)  # (stable, reversed too)


def _score(item: tuple[int, float]) -> float:
    return item[1]


def supported(
    keyword: Sequence[tuple[int, float]], semantic: Sequence[tuple[int, float]]
) -> set[int]:
    """The candidates that clear the relevance floor in at least one leg (see above)."""
    found: set[int] = set()
    if keyword:
        least = FLOOR_KEYWORD_SHARE * max(score for _, score in keyword)
        found |= {mid for mid, score in keyword if score >= least}
    if semantic:
        least = max(max(c for _, c in semantic) - FLOOR_COSINE_GAP, FLOOR_MIN_COSINE)
        found |= {mid for mid, cosine in semantic if cosine >= least}
    return found


def evidence(
    keyword: Sequence[tuple[int, float]], semantic: Sequence[tuple[int, float]], mass: float
) -> float:
    """How strongly the best candidates bear on the query, 0..1, by each leg's own absolute
    measure (see COSINE_FULL); a keyword leg with no IDF mass known counts in full."""
    found = 0.0
    if keyword:
        best = max(score for _, score in keyword)
        full = KEYWORD_FULL_SHARE * mass
        found = min(best / full, 1.0) if full > 0 else 1.0
    if semantic:
        best = max(cosine for _, cosine in semantic)
        share = (best - FLOOR_MIN_COSINE) / (COSINE_FULL - FLOOR_MIN_COSINE)
        found = max(found, min(max(share, 0.0), 1.0))
    return found


def _min_max(ranking: Sequence[tuple[int, float]], top: float = 0.0) -> dict[int, float]:
    """Scores rescaled to 0..1 (all 1 when they are equal) between the lowest and the
    highest score, or `top` when that is higher; the best score per id wins."""
    if not ranking:
        return {}
    values = [score for _, score in ranking]
    low, high = min(values), max(max(values), top)
    if high <= low:
        return dict.fromkeys((memory_id for memory_id, _ in ranking), 1.0)
    span = high - low
    unit: dict[int, float] = {}
    for memory_id, score in ranking:
        scaled = (score - low) / span  # never below 0: low is the least score
        if memory_id not in unit or scaled > unit[memory_id]:
            unit[memory_id] = scaled
    return unit


def prefer_scope(hits: Sequence[Hit], scope: str | None) -> list[Hit]:
    """Hits by fused score, those of `scope` counted PROJECT_EDGE higher (ties keep order)."""
    if scope is None:
        return list(hits)
    return sorted(hits, key=lambda h: -(h.score + (PROJECT_EDGE if h.scope == scope else 0.0)))
