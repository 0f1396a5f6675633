"""A cost bound for the keyword leg on large tables: which matches of a query get ranked. Pure;
both backends (sqlite/ftsbudget.py, postgres/bm25.py) supply the counts and apply the plan.

Finding a term's documents is cheap (~40 ns each in FTS5), ranking each match with bm25 is not
(~1-2 us: a document-length lookup and the column walk). An OR of common words matches a large
share of a big table, so the keyword leg would grow with N. Past POSTINGS_BUDGET matches we
rank the matches of the rarest terms that fit the budget together (the ones that carry the
query), each scored with every term of the query, but only those also holding a left-out
(common) term or one of the rarest kept terms (their matches within RARE_BUDGET): a memory
holding only mid-frequency kept terms is not ranked. When even the rarest term is that
common, we rank the POSTINGS_BUDGET newest matching documents. Below the budget the query is
untouched, so small databases rank exactly as before. Term counts only need to reach budget
+ 1 to plan (a term that common is never kept), so counting stays bounded too; PostgreSQL
then counts the commonest terms in full for their IDF (FTS5's bm25 counts them itself).

2,000: when chosen, a question full of common words cost 1.16x one of rare words at 20k
memories (keyword leg p50 against the same questions with their common words replaced by rare
ones; 2.11x at 4,000; benchmarks/speed.py, common-word rows). Recall quality on both dev sets is
unchanged (LoCoMo R@5 0.709 against 0.707 at 4,000, R@10 0.779 against 0.781; PrefEval
identical); 1,000 cost LoCoMo 0.007 R@5. Remeasured later (issue 17): 3-4.5x at 20k and at
100k alike (p50 ~1,000 ranked matches against ~30; matching them is ~1/3 of that cost, bm25
the rest); the cost no longer grows with N, but still with the words.

Issue 17, scoring with every term (speed.py --only-common, old and new plans interleaved on
the synthetic stores; machine under heavy load, so ratios): when the common terms were left
out of the scores, a memory holding the rare word and most of the question tied with one
holding the rare word alone, and the leg's top 10 held 0.42 of exact BM25's (every term,
every match) on common-word questions at 20k, 0.56 on ordinary ones. Every kept match scored
with every term: 0.99 / 1.00, but 1.4-1.9x the cost (FTS5 reads each match of an OR with
its positions, whether or not bm25 then scores it). With RARE_BUDGET: 0.99 / 1.00 at
1.00-1.05x the old plan's cost at 20k; at 100k 0.64 / 0.74 (old 0.28 / 0.57) at 1.4-1.8x,
nearly all of it FTS5's bm25 counting each common term's documents for its IDF on every
statement (a walk of the whole doclist, ~20k documents for a question's common words at
100k). Scoring without that walk needs each candidate's term frequencies, which FTS5 only
hands to bm25, highlight and snippet (or a tokenizer of our own that matches porter
unicode61 exactly).

Measured for issue 17 and dropped (synthetic stores of benchmarks/speed.py, 20k and 100k):
- stopping early on the plan's own terms (rank the rarest terms' matches with all of the
  plan's terms; done when the k-th score exceeds what the other terms can add): FTS5's bound
  for a term, idf * (k1 + 1), proves the top for 6 of 85 common-word questions at k=32; each
  term's best single-term score (a ranking of all its matches, to be kept per state of the
  database, which every write clears) proves 43-70 of 85, and the extra statements took the
  gain back. Rare-first candidates scored with every term prove their top 32 by that bound
  (k-th score >= (k1 + 1) * the left-out terms' IDF) for 12 of 60 common-word questions and
  29 of 60 ordinary ones at 20k: too few to build on;
- every kept match scored with every term under a smaller budget, 1,000 or 500 matches:
  0.89 / 0.74 and 0.51 / 0.56 at 20k (a question's best memories hold its mid-frequency
  words, which then fall outside).
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
    kept = _rarest_fitting(counts, everything, budget)
    return (kept, False) if kept else (everything, True)


def tiers(counts: Sequence[int], kept: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """With terms left out of `kept` (fit): (the rarest kept, whose matches fit RARE_BUDGET
    together; the other kept; the left out), positions in query order. A kept term's match
    is ranked only when it holds a left-out (common) term or one of the rarest kept: a
    memory holding only the other kept terms is not, which is what bounds the cost."""
    rare = _rarest_fitting(counts, kept, RARE_BUDGET)
    mid = [i for i in kept if i not in rare]
    rest = [i for i in range(len(counts)) if i not in kept]
    return rare, mid, rest


def _rarest_fitting(counts: Sequence[int], positions: Sequence[int], budget: int) -> list[int]:
    """Of `positions`, the rarest terms whose matches fit `budget` together, in query order."""
    chosen: list[int] = []
    total = 0
    for position in sorted(positions, key=lambda i: counts[i]):
        if total + counts[position] > budget:
            break
        chosen.append(position)
        total += counts[position]
    return sorted(chosen)
