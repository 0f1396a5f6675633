"""A cost bound for the keyword leg on large tables: which of a query's terms get ranked. Pure;
both backends (sqlite/ftsbudget.py, postgres/bm25.py) supply the counts and apply the plan.

Finding a term's documents is cheap (~40 ns each in FTS5), ranking each match with bm25 is not
(~1-2 us: a document-length lookup and the column walk). An OR of common words matches a large
share of a big table, so the keyword leg would grow with N. Past POSTINGS_BUDGET matches we keep
the rarest terms (the ones that carry the query) or, when even the rarest is that common, rank
only the POSTINGS_BUDGET newest matching documents. Below the budget the query is untouched, so
small databases rank exactly as before. Term counts only need to reach budget + 1 (a term that
common is never kept), so counting stays bounded too.

2,000: when chosen, a question full of common words cost 1.16x one of rare words at 20k
memories (keyword leg p50 against the same questions with their common words replaced by rare
ones; 2.11x at 4,000; benchmarks/speed.py, common-word rows). Recall quality on both dev sets is
unchanged (LoCoMo R@5 0.709 against 0.707 at 4,000, R@10 0.779 against 0.781; PrefEval
identical); 1,000 cost LoCoMo 0.007 R@5. Remeasured later (issue 17): 3-4.5x at 20k and at
100k alike (p50 ~1,000 ranked matches against ~30; matching them is ~1/3 of that cost, bm25
the rest); the cost no longer grows with N, but still with the words.

Measured for issue 17 and dropped (synthetic stores of benchmarks/speed.py, 20k and 100k):
- not yet tried in the product: scoring the rare terms' matches with every term, through FTS5
  (`(rare) AND (common)` ranked next to `rare` alone: exact bm25 for those candidates, no
  phrase counted twice). FTS5's bm25 counts each phrase's documents for its IDF on every
  statement, walking the whole doclist (~40 ns a document: 0.07 ms for a word in 1,716 of
  20k, ~0.35 ms in 8,660 of 100k), so it grows with N, slowly. With the rarest terms up to
  1,000 matches as candidates its top 10 held 0.84 of exact BM25's on common-word questions
  at 20k and 0.71 on ordinary ones (the plan: 0.33 / 0.61); up to 300, 0.33 / 0.33. Its
  cost (under heavy load) and its recall quality are unmeasured;
- stopping early on the plan's own terms (rank the rarest terms' matches with all of the
  plan's terms; done when the k-th score exceeds what the other terms can add): FTS5's bound
  for a term, idf * (k1 + 1), proves the top for 6 of 85 common-word questions at k=32; each
  term's best single-term score (a ranking of all its matches, to be kept per state of the
  database, which every write clears) proves 43-70 of 85, and the extra statements took the
  gain back;
- the plan already departs from exact BM25 (every term, every match): its top 10 holds 0.34
  of exact BM25's on common-word questions and 0.59 on ordinary ones (ties agree); quality is
  judged on the dev sets instead, but LoCoMo holds 2,760 memories and PrefEval 499, so they
  reach the budget rarely: judging a plan at 20k+ needs a larger labelled set.
"""

from collections.abc import Sequence

POSTINGS_BUDGET = 2_000
RARE_BUDGET = 250  # the rarest terms' matches, ranked even without a common term beside them


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


def rarest(counts: Sequence[int], kept: Sequence[int], budget: int | None = None) -> list[int]:
    """Of the `kept` positions, the rarest whose matches fit RARE_BUDGET together (query
    order): a memory holding one of them is ranked even without a common term."""
    budget = RARE_BUDGET if budget is None else budget
    chosen: list[int] = []
    total = 0
    for position in sorted(kept, key=lambda i: counts[i]):
        if total + counts[position] > budget:
            break
        chosen.append(position)
        total += counts[position]
    return sorted(chosen)
