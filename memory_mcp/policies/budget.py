"""Replies within a token budget: what is counted is the JSON a tool sends (models.wire_json).

Tokens are estimated, not counted (each client's model has its own tokenizer): one per three
ASCII characters, three per four digits (ids, dates and hashes split finely), and for any other
character one per byte of its UTF-8 form past the first (1 for accented Latin, Cyrillic, Greek,
Arabic or Hebrew; 2 for CJK, Hangul, Thai or Devanagari; 3 for emoji), but one for punctuation
such as … — “ ” and currency signs. Against Claude's
published tokenizer that is at or above the true count for 99% of recall hits as JSON (median
1.19x) and of conversational English (median 1.43x); for 1% of code snippets and of texts full
of hex ids it is up to 11% under (medians 1.26x and 1.06x). On 400 translated interface
messages per language it is at or above the true count for 97-100% of Chinese, Japanese,
Korean, Thai, Hindi and Russian texts and of texts with emoji (medians 1.1x-1.7x; one token per
character, the rule before, was half the true count for Thai and emoji, so replies ran up to
twice their budget); Arabic, Hebrew, Greek and Turkish, and German and French (whose ASCII
words split finer than English ones) have medians of 0.8x-1.5x and are up to 30% under for 1%.
"""

import math
import unicodedata
from collections.abc import Sequence

import numpy as np

from memory_mcp.models import Hit, wire_json
from memory_mcp.policies.controls import MAYBE_UNSHOWN, shown

CHARS_PER_TOKEN = 3  # ASCII characters (other than digits) per estimated token
TOKENS_PER_DIGIT = 0.75
MIN_HIT_TOKENS = 100  # no hit is cut shorter than this (its fields take ~60 of it)
MMR_LAMBDA = 0.75  # relevance vs novelty when choosing what fills the budget
DUPLICATE_COSINE = 0.95  # a hit this close to one already chosen adds nothing
ELLIPSIS = "…"
_DIGITS = "0123456789"
_NO_DIGITS = str.maketrans("", "", _DIGITS)
# General punctuation and currency signs (… — “ ” ’ €): one token each, as in English text.
_NO_PUNCTUATION = str.maketrans("", "", "".join(map(chr, range(0x2000, 0x20D0))))


def estimate_tokens(text: str) -> int:
    """The tokens of `text` as a model receives it: characters that print as nothing (and
    controls) are written out in replies (controls.shown_values), and cost as written. (An
    ASCII control costs about as much raw: JSON escapes it.)"""
    if text.isascii():  # (most text) the same sum, without two translations: 8 -> 3 us
        digits = sum(map(text.count, _DIGITS))
        return math.ceil((len(text) - digits) / CHARS_PER_TOKEN + digits * TOKENS_PER_DIGIT)
    if MAYBE_UNSHOWN.search(text):
        text = shown(text)
    ascii_chars = len(text.encode("ascii", "ignore"))
    digits = len(text) - len(text.translate(_NO_DIGITS))
    words = (ascii_chars - digits) / CHARS_PER_TOKEN + digits * TOKENS_PER_DIGIT
    # Each other character: its UTF-8 bytes past the first (a lone surrogate counts 2),
    # but one for punctuation.
    punctuation = len(text) - len(text.translate(_NO_PUNCTUATION))
    return math.ceil(words) + len(text.encode("utf-8", "surrogatepass")) - len(text) - punctuation


def snippet(text: str, tokens: int) -> str:
    """The start of `text` cut at a word boundary so that it estimates at most `tokens`
    (ellipsis included); the whole text when it fits."""
    if estimate_tokens(text) <= tokens:
        return text
    low, high = 0, len(text)  # the longest prefix that fits, by bisection
    while low < high:
        mid = (low + high + 1) // 2
        if estimate_tokens(text[:mid] + ELLIPSIS) <= tokens:
            low = mid
        else:
            high = mid - 1
    cut = text[: _cluster_start(text, low)]
    space = cut.rfind(" ")
    return (cut[:space] if space > low // 2 else cut).rstrip() + ELLIPSIS


def _joins(ch: str) -> bool:
    """Whether a character belongs to the one before it: a combining mark, a zero-width
    joiner, a variation selector, a skin-tone modifier or an emoji tag character."""
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or ch == "\u200d"
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
        or "\U000e0020" <= ch <= "\U000e007f"
    )


def _regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"  # a flag is two of these


def _cluster_start(text: str, i: int) -> int:
    """The cut `i` moved back to the start of the character cluster it falls in (an accent
    and its letter, an emoji with its joiners and modifiers, the two halves of a flag), so a
    snippet never ends in half of what the reader sees as one character."""
    while 0 < i < len(text):
        if _joins(text[i]) or text[i - 1] == "\u200d" or _splits_flag(text, i):
            i -= 1
        else:
            break
    return i


def _splits_flag(text: str, i: int) -> bool:
    """Whether `i` falls between the two halves of a flag (after an odd run of halves)."""
    if not _regional(text[i]):
        return False
    run = i
    while run > 0 and _regional(text[run - 1]):
        run -= 1
    return (i - run) % 2 == 1


def hit_tokens(hit: Hit) -> int:
    """What a hit costs in a reply: its JSON and the comma before the next one."""
    return estimate_tokens(wire_json(hit)) + 1


def fit(
    hits: Sequence[Hit],
    vectors: dict[int, np.ndarray],
    max_tokens: int,
    limit: int,
    diversify: bool = True,
) -> tuple[list[Hit], int]:
    """Up to `limit` hits whose JSON fits `max_tokens`, and how many were left out.

    The hits are taken best first; with `diversify`, by greedy maximal marginal relevance
    (each step takes the hit with the best mix of its own score and its distance from those
    already taken), skipping near-repeats. If they do not all fit whole, the short ones stay
    whole and the long ones are cut to snippets of equal size (marked `truncated`); when that
    size would fall under MIN_HIT_TOKENS, the last hit is left out instead, and so on.
    """
    chosen = _diverse(hits, vectors, limit) if diversify else list(hits[:limit])
    for n in range(len(chosen), 0, -1):
        costs = [hit_tokens(h) for h in chosen[:n]]
        if sum(costs) <= max_tokens:
            return chosen[:n], len(chosen) - n
        level = _water_level(costs, max_tokens)
        if level >= MIN_HIT_TOKENS:
            cut = [_cut(h, level) for h in chosen[:n]]
            if sum(hit_tokens(h) for h in cut) <= max_tokens:  # fields alone may not fit
                return cut, len(chosen) - n
    return [], len(chosen)


def fit_whole(hits: Sequence[Hit], max_tokens: int) -> tuple[list[Hit], int]:
    """Hits in order, whole, while they fit (the first is cut if it alone does not)."""
    left = max_tokens
    for n, hit in enumerate(hits):
        cost = hit_tokens(hit)
        if cost > left:
            cut = _cut(hit, left)
            if n == 0 and hit_tokens(cut) <= left:
                return [cut], len(hits) - 1
            return list(hits[:n]), len(hits) - n
        left -= cost
    return list(hits), 0


def _water_level(costs: list[int], budget: int) -> int:
    """The largest size s with sum(min(cost, s)) <= budget: short items keep their size,
    long ones are cut to s."""
    spent = 0
    ordered = sorted(costs)
    for i, cost in enumerate(ordered):
        share = (budget - spent) // (len(ordered) - i)
        if cost > share:
            return share
        spent += cost
    return ordered[-1]


def _cut(hit: Hit, tokens: int) -> Hit:
    """The hit with its content cut so that its JSON costs at most `tokens`."""
    if hit_tokens(hit) <= tokens:
        return hit
    fields = hit_tokens(hit.model_copy(update={"content": "", "truncated": True}))
    room = max(tokens - fields, 1)
    for _ in range(8):  # JSON escapes can make the cut text cost more than estimated
        cut = hit.model_copy(update={"content": snippet(hit.content, room), "truncated": True})
        if hit_tokens(cut) <= tokens or room == 1:
            return cut
        room = max(room - (hit_tokens(cut) - tokens), 1)
    return cut


def _diverse(hits: Sequence[Hit], vectors: dict[int, np.ndarray], limit: int) -> list[Hit]:
    chosen: list[Hit] = []
    pool = list(hits)
    top = max((h.score for h in pool), default=1.0) or 1.0
    while pool and len(chosen) < limit:
        best = max(pool, key=lambda h: _mmr(h, chosen, vectors, top))
        pool.remove(best)
        if _redundancy(best, chosen, vectors) < DUPLICATE_COSINE:
            chosen.append(best)
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
