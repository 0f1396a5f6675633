"""Recall within a token budget: diversified, and long memories cut to snippets.

Tokens are estimated, not counted: about 4 characters per token for English text under the
tokenizers clients use (MiniLM's WordPiece gives ~4.2 on our benchmark text). Each hit also
costs a fixed overhead for its id, scope, dates and score in the tool result.
"""

import math
from collections.abc import Sequence

import numpy as np

from memory_mcp.models import Hit

CHARS_PER_TOKEN = 4
HIT_OVERHEAD_TOKENS = 30
MIN_SNIPPET_TOKENS = 24
MMR_LAMBDA = 0.75  # relevance vs novelty when choosing what fills the budget
DUPLICATE_COSINE = 0.95  # a hit this close to one already chosen adds nothing


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def snippet(text: str, tokens: int) -> str:
    """The start of `text` cut at a word boundary to fit `tokens`, with an ellipsis."""
    limit = max(tokens * CHARS_PER_TOKEN - 1, 1)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def fit(
    hits: Sequence[Hit], vectors: dict[int, np.ndarray], max_tokens: int, limit: int
) -> list[Hit]:
    """Choose up to `limit` hits that fit `max_tokens`, best first, skipping near-repeats.

    Greedy maximal marginal relevance over the ranked hits: each step takes the hit with the
    best mix of its own score and its distance from what is already chosen. A hit too long
    for what is left is cut to a snippet (marked `truncated`) if a useful part still fits.
    """
    chosen: list[Hit] = []
    left = max_tokens
    pool = list(hits)
    top = max((h.score for h in pool), default=1.0) or 1.0
    while pool and len(chosen) < limit and left > HIT_OVERHEAD_TOKENS:
        best = max(pool, key=lambda h: _mmr(h, chosen, vectors, top))
        pool.remove(best)
        if _redundancy(best, chosen, vectors) >= DUPLICATE_COSINE:
            continue
        room = left - HIT_OVERHEAD_TOKENS
        if estimate_tokens(best.content) > room:
            if room < MIN_SNIPPET_TOKENS:
                continue
            best = best.model_copy(
                update={"content": snippet(best.content, room), "truncated": True}
            )
        chosen.append(best)
        left -= HIT_OVERHEAD_TOKENS + estimate_tokens(best.content)
    return chosen


def _mmr(hit: Hit, chosen: list[Hit], vectors: dict[int, np.ndarray], top: float) -> float:
    return MMR_LAMBDA * hit.score / top - (1 - MMR_LAMBDA) * max(
        _redundancy(hit, chosen, vectors), 0.0
    )


def _redundancy(hit: Hit, chosen: list[Hit], vectors: dict[int, np.ndarray]) -> float:
    """Highest cosine between this hit and any chosen one (0 without vectors)."""
    mine = vectors.get(hit.id)
    if mine is None:
        return 0.0
    sims = [float(mine @ vectors[c.id]) for c in chosen if c.id in vectors]
    return max(sims, default=0.0)
