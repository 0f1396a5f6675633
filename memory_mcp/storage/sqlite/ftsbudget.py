"""The keyword leg's cost bound (policies/keyword_budget.py) on FTS5 MATCH expressions."""

from dataclasses import dataclass

from memory_mcp.policies import keyword_budget

OR = " OR "


@dataclass(frozen=True)
class KeywordPlan:
    match: str  # the terms whose matches are ranked
    newest: int | None = None  # rank only this many matches, the highest ids first
    rest: str | None = None  # the commonest terms: scored, but only within `match`'s matches


def terms(match: str) -> list[str]:
    """The quoted terms of a fts.fts_query expression (terms are lowercase: no ` OR `)."""
    return match.split(OR)


def plan(match: str, counts: list[int], budget: int | None = None) -> KeywordPlan:
    """Keep the query, rank its rarest terms' matches with every term, or narrow it to the
    newest matches.

    `counts` may be capped at keyword_budget.count_cap(): the plan is the same as with exact ones.
    """
    parts = terms(match)
    kept, newest_only = keyword_budget.fit(counts, budget)
    if newest_only:
        budget = keyword_budget.POSTINGS_BUDGET if budget is None else budget
        return KeywordPlan(match, budget)
    if len(kept) == len(parts):
        return KeywordPlan(match)
    rest = OR.join(p for i, p in enumerate(parts) if i not in kept)
    return KeywordPlan(OR.join(parts[i] for i in kept), rest=rest)
