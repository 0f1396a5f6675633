"""A cost bound for the keyword leg on large tables. Pure functions; the store supplies counts.

FTS5 finds the documents of a term cheaply (~40 ns each) but ranks each match with bm25 at
~1-4 us (a docsize lookup and the join to `memories`; measured at 100k). An OR of common
words matches a large share of a big table, so the keyword leg would grow with N. Past
POSTINGS_BUDGET matches we keep the rarest terms (the ones that carry the query) or, when
even the rarest is that common, rank only the POSTINGS_BUDGET newest matching documents
(highest ids: found by position, so sparse or huge ids cannot empty the window). Below the
budget the query is untouched, so small databases rank exactly as before. Term counts only
need to reach budget + 1 (a term that common is never kept), so counting stays bounded too.
"""

from dataclasses import dataclass

POSTINGS_BUDGET = 4_000
OR = " OR "


@dataclass(frozen=True)
class KeywordPlan:
    match: str
    newest: int | None = None  # rank only this many matches, the highest ids first


def terms(match: str) -> list[str]:
    """The quoted terms of a fts.fts_query expression (terms are lowercase: no ` OR `)."""
    return match.split(OR)


def count_cap(budget: int | None = None) -> int:
    """How far a term's documents need counting: anything above the budget is `too many`."""
    return (POSTINGS_BUDGET if budget is None else budget) + 1


def plan(match: str, counts: list[int], budget: int | None = None) -> KeywordPlan:
    """Keep the query, drop its commonest terms, or narrow it to the newest matches.

    `counts` may be capped at count_cap(budget): the plan is the same as with exact ones.
    """
    budget = POSTINGS_BUDGET if budget is None else budget
    parts = terms(match)
    if sum(counts) <= budget:
        return KeywordPlan(match)
    kept: list[str] = []
    total = 0
    for count, term in sorted(zip(counts, parts, strict=True)):
        if total + count > budget:
            break
        kept.append(term)
        total += count
    if kept:
        return KeywordPlan(OR.join(t for t in parts if t in kept))
    return KeywordPlan(match, budget)
