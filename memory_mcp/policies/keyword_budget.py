"""A cost bound for the keyword leg on large tables: which of a query's terms get ranked. Pure;
both backends (sqlite/ftsbudget.py, postgres/bm25.py) supply the counts and apply the plan.

Finding a term's documents is cheap (~40 ns each in FTS5), ranking each match with bm25 is not
(~1-2 us: a document-length lookup and the column walk). An OR of common words matches a large
share of a big table, so the keyword leg would grow with N. Past POSTINGS_BUDGET matches we keep
the rarest terms (the ones that carry the query) or, when even the rarest is that common, rank
only the POSTINGS_BUDGET newest matching documents. Below the budget the query is untouched, so
small databases rank exactly as before. Term counts only need to reach budget + 1 (a term that
common is never kept), so counting stays bounded too.

2,000: a question full of common words then costs about what one of rare words does (at 20k
memories, keyword leg p50 1.16x that of the same questions with their common words replaced by
rare ones, against 2.11x at 4,000; benchmarks/speed.py, common-word rows). Recall quality on
both dev sets is unchanged (LoCoMo R@5 0.709 against 0.707 at 4,000, R@10 0.779 against 0.781;
PrefEval identical); 1,000 cost LoCoMo 0.007 R@5.
"""

from collections.abc import Sequence

POSTINGS_BUDGET = 2_000


def count_cap(budget: int | None = None) -> int:
    """How far a term's documents need counting: anything above the budget is `too many`."""
    return (POSTINGS_BUDGET if budget is None else budget) + 1


def fit(counts: Sequence[int], budget: int | None = None) -> tuple[list[int], bool]:
    """(positions of the terms to rank, in query order; whether to rank only the newest
    `budget` matches). All terms when their matches fit the budget; else the rarest that
    fit together; else all of them, over the newest matches only. `counts` may be capped at
    count_cap(budget): the plan is the same as with exact ones."""
    budget = POSTINGS_BUDGET if budget is None else budget
    everything = list(range(len(counts)))
    if sum(counts) <= budget:
        return everything, False
    kept: list[int] = []
    total = 0
    for position in sorted(everything, key=lambda i: counts[i]):
        if total + counts[position] > budget:
            break
        kept.append(position)
        total += counts[position]
    return (sorted(kept), False) if kept else (everything, True)
