"""How the keyword and semantic legs of recall are blended. Pure; no I/O."""

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
# With a project in context, its memories and global ones are ranked together; a project
# memory goes first only when its fused score is within this much of a global one's (the
# project's own facts override general ones), so a clearly better global answer stays on top.
PROJECT_EDGE = 0.02
# The relevance floor: a candidate is returned only when a leg vouches for it by its own
# measure, compared with that leg's best candidate: a keyword score at least
# FLOOR_KEYWORD_SHARE of the best one, or a cosine within
# FLOOR_COSINE_GAP of the best one and at least FLOOR_MIN_COSINE (under it, all-MiniLM-L6-v2
# puts unrelated sentences).
# Calibration (benchmarks/recall_quality.py, see there): LoCoMo and PrefEval lose no gold
# hit worth mentioning, while recall in small memories returns fewer, relevant hits.
FLOOR_KEYWORD_SHARE = 0.3
FLOOR_COSINE_GAP = 0.25
FLOOR_MIN_COSINE = 0.15


def fuse(
    keyword: Sequence[tuple[int, float]],
    semantic: Sequence[tuple[int, float]],
    keyword_weight: float = KEYWORD_WEIGHT,
) -> list[tuple[int, float]]:
    """Blend two best-first (id, score) lists: a weighted sum of min-max normalised scores.

    Each leg's scores are rescaled to 0..1 over its own candidates (best 1, worst 0); an id a
    leg did not propose counts as 0 there. Unlike rank fusion this keeps how far apart the
    candidates are, so a clear keyword winner is not dragged down by a flat semantic list.
    An empty leg drops out and the other keeps its order. Returns (id, fused score in 0..1)
    best first; ties keep keyword order, then semantic order.
    """
    legs = [(keyword_weight, keyword), (1.0 - keyword_weight, semantic)]
    total = sum(weight for weight, ranking in legs if ranking) or 1.0
    scores: dict[int, float] = {}
    for weight, ranking in legs:
        for memory_id, unit in _min_max(ranking).items():
            scores[memory_id] = scores.get(memory_id, 0.0) + weight * unit / total
    first_seen: dict[int, int] = {}
    for i, (mid, _) in enumerate([*keyword, *semantic]):
        first_seen.setdefault(mid, i)
    return sorted(scores.items(), key=lambda item: (-item[1], first_seen[item[0]]))


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


def _min_max(ranking: Sequence[tuple[int, float]]) -> dict[int, float]:
    """Scores rescaled to 0..1 (all 1 when they are equal); the best score per id wins."""
    if not ranking:
        return {}
    values = [score for _, score in ranking]
    low, high = min(values), max(values)
    unit: dict[int, float] = {}
    for memory_id, score in ranking:
        scaled = (score - low) / (high - low) if high > low else 1.0
        unit[memory_id] = max(unit.get(memory_id, 0.0), scaled)
    return unit


def prefer_scope(hits: Sequence[Hit], scope: str | None) -> list[Hit]:
    """Hits by fused score, those of `scope` counted PROJECT_EDGE higher (ties keep order)."""
    if scope is None:
        return list(hits)
    return sorted(hits, key=lambda h: -(h.score + (PROJECT_EDGE if h.scope == scope else 0.0)))
