"""The keyword leg's cost bound (policies/keyword_budget.py) on FTS5 MATCH expressions."""

from dataclasses import dataclass

from memory_mcp.policies import keyword_budget

OR = " OR "


@dataclass(frozen=True)
class KeywordPlan:
    match: str  # the terms whose matches are ranked (all of them, unless `rest` is set)
    newest: int | None = None  # rank only this many matches, the highest ids first
    rest: str | None = None  # the commonest terms: scored, never a reason to rank a match
    rare: str | None = None  # of `match`, the rarest: their matches are all ranked
    mid: str | None = None  # `match`'s other terms: ranked beside a term of `rare` or `rest`

    def arms(self) -> dict[str, str]:
        """MATCH expressions whose matches together are the memories to rank, each scoring
        every term of the query once (bm25 sums the phrases of its expression): with a rest,
        the matches holding a common term (`(match) AND (rest)`) and those holding a rare
        one (`(rare) AND (mid)`, `(rare) NOT (mid)`: a NOT's terms score nothing, as those
        memories lack them). A memory in two arms scores less in the later one (it lacks
        the common terms there), so the first is its full score. Memories holding only
        `mid` terms are not ranked: the cost bound."""
        if self.rest is None:
            return {"match": self.match}
        found = {"both": f"({self.match}) AND ({self.rest})"}
        if self.rare is not None and self.mid is not None:
            found["rare_mid"] = f"({self.rare}) AND ({self.mid})"
            found["rare_only"] = f"({self.rare}) NOT ({self.mid})"
        elif self.rare is not None:
            found["rare_only"] = self.rare
        return found


def terms(match: str) -> list[str]:
    """The quoted terms of a fts.fts_query expression (terms are lowercase: no ` OR `)."""
    return match.split(OR)


def plan(match: str, counts: list[int], budget: int | None = None) -> KeywordPlan:
    """Keep the query; or rank its rarer terms' matches that hold a common term or one of
    the rarest terms, each scored with every term; or narrow it to the newest matches.

    `counts` may be capped at keyword_budget.count_cap(): the plan is the same as with exact ones.
    """
    parts = terms(match)
    kept, newest_only = keyword_budget.fit(counts, budget)
    if newest_only:
        budget = keyword_budget.POSTINGS_BUDGET if budget is None else budget
        return KeywordPlan(match, budget)
    if len(kept) == len(parts):
        return KeywordPlan(match)
    rare, mid, rest = keyword_budget.tiers(counts, kept)

    def joined(positions: list[int]) -> str | None:
        return OR.join(parts[i] for i in positions) or None

    kept_match = OR.join(parts[i] for i in kept)
    return KeywordPlan(kept_match, None, joined(rest), joined(rare), joined(mid))
