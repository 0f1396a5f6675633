"""Okapi BM25 over the tsvector column, computed the way SQLite FTS5's bm25() is.

PostgreSQL's ts_rank has no inverse document frequency: a word in every memory counts as
much as a rare one, and recall quality drops (a question's common words outrank its rare
one). So the keyword leg ranks here with BM25 (k1 = 1.2, b = 0.75, FTS5's constants):
idf from each term's document count in the index searched (visible rows, or hidden rows;
kept apart as on SQLite, so hidden rows never change visible scores), column weights
applied to the term frequencies through the tsvector's A/B/C labels (content, tags,
context), document lengths from `doc_len`, and N and the average length from `fts_stats`.

A query matching many rows is first fitted to the ranking budget both backends share
(policies/keyword_budget.py): past its matches only the rarest terms' matches that hold a
common term or one of the very rarest are ranked (plan's anchors), or, when even the rarest is
that common, only the newest matches within the budget; either way each is scored with every
term of the query, as on SQLite (ftsbudget.py), so the commonest terms need their exact
document counts for their IDF (issue 17: no slower at 20k memories, 46 against 55 ms p50 for
common-word questions, under load).
"""

import math
from typing import Any

from psycopg import sql

from memory_mcp.policies import keyword_budget
from memory_mcp.storage.postgres.db import Connection

K1, B = 1.2, 0.75
MIN_IDF = 1e-6  # FTS5 clamps a term in more than half the rows to this


def _visibility(visible: bool, alias: str = "m") -> str:
    test = f"{alias}.forgotten_at is null and {alias}.superseded_by is null"
    return test if visible else f"not ({test})"


def _count(visible: bool, term: str) -> str:
    """Rows of one index holding the lexeme `term` (an SQL expression), up to %(cap)s."""
    return f"""(select count(*) from (select 1 from memories m
        where m.fts @@ quote_literal({term})::tsquery and {_visibility(visible)}
        limit %(cap)s) x)"""


def _survey(visible: bool) -> str:
    """One round trip: the query's lexemes (its words, already folded and split as
    policies.keyword_text does, read as the keyword column reads text: accents folded,
    punctuation a space, stemmed), each one's document count up to the cap, and the index's
    N and total length."""
    return f"""
        with t as (
            select distinct lexeme
            from unnest(to_tsvector('memory_english', memory_search_text(%(text)s)))
        )
        select t.lexeme, {_count(visible, "t.lexeme")} as n, s.docs, s.tokens
        from t, fts_stats s where s.visible = %(visible)s order by t.lexeme
    """


def survey(
    c: Connection, words: list[str], visible: bool, cap: int
) -> tuple[list[str], list[int], int, int]:
    """(lexemes, their capped document counts, N, total tokens) of one index."""
    rows = c.execute(
        _survey(visible), {"text": " ".join(words), "visible": visible, "cap": cap}
    ).fetchall()
    rows = [r for r in rows if "\\" not in r["lexeme"]]
    if not rows:
        return [], [], 0, 0
    return (
        [str(r["lexeme"]) for r in rows],
        [int(r["n"]) for r in rows],
        int(rows[0]["docs"]),
        int(rows[0]["tokens"]),
    )


def exact_counts(c: Connection, terms: list[str], visible: bool) -> list[int]:
    query = f"select {_count(visible, 't')} as n from unnest(%(terms)s::text[]) as t"
    rows = c.execute(query, {"terms": terms, "cap": None}).fetchall()
    return [int(r["n"]) for r in rows]


def plan(terms: list[str], counts: list[int]) -> tuple[list[str], bool, list[str]]:
    """(terms kept, rank only the newest matches, anchors): keyword_budget.fit on lexemes.
    With terms left out, a kept term's match is ranked only when it holds an anchor: a
    left-out (common) term or one of the rarest kept (keyword_budget.tiers), as SQLite's
    plan arms do (ftsbudget.py); [] when every match is ranked."""
    kept, newest_only = keyword_budget.fit(counts)
    if newest_only or len(kept) == len(terms):
        return [terms[i] for i in kept], newest_only, []
    rare, _, rest = keyword_budget.tiers(counts, kept)
    return [terms[i] for i in kept], False, [terms[i] for i in sorted(rare + rest)]


def _narrowed(visible: bool, newest_only: bool, anchored: bool) -> str:
    """The condition narrowing the kept terms' matches to the plan's: the newest within the
    budget, or those holding an anchor (%(anchors)s); "" when every match is ranked."""
    if newest_only:
        return (
            "and m.id in (select m2.id from memories m2 where m2.fts @@ %(match)s::tsquery "
            f"and {_visibility(visible, 'm2')} order by m2.id desc limit %(budget)s)"
        )
    return "and m.fts @@ %(anchors)s::tsquery" if anchored else ""


def idf(n: int, df: int) -> float:
    value = math.log((n - df + 0.5) / (df + 0.5))
    return value if value > 0 else MIN_IDF


def rank(
    c: Connection,
    words: list[str],
    conds: str,
    params: dict[str, Any],
    visible: bool,
    k: int,
    weights: tuple[float, float, float],
    surveyed: tuple[list[str], list[int], int, int] | None = None,
) -> list[tuple[int, float]]:
    """(id, bm25) best first among the rows of one index (visible or hidden) that pass
    `conds` (conditions on `memories m`, with their `params`); `surveyed`: its survey, when
    already read."""
    if surveyed is None:
        surveyed = survey(c, words, visible, keyword_budget.count_cap())
    terms, counts, n, tokens = surveyed
    if not terms or n <= 0:
        return []
    kept, newest_only, anchors = plan(terms, counts)
    exact = dict(zip(terms, counts, strict=True))
    budget = keyword_budget.POSTINGS_BUDGET
    capped = [t for t in terms if exact[t] > budget]  # counted past the cap: every term scores
    if capped:
        exact.update(zip(capped, exact_counts(c, capped, visible), strict=True))
    floor = _narrowed(visible, newest_only, bool(anchors))
    statement = sql.SQL(
        f"""
        with q as (select * from unnest(%(lex)s::text[], %(idf)s::float8[]) as q (lexeme, idf)),
        docs as (
            select m.id, m.doc_len, m.fts from memories m
            where m.fts @@ %(match)s::tsquery and {_visibility(visible)} {floor} {conds}
        ),
        tf as (
            select d.id, d.doc_len, q.idf, sum(case w when 'A' then %(wa)s when 'B' then %(wb)s
                when 'C' then %(wc)s else 0 end) as f
            from docs d cross join lateral unnest(d.fts) u
            join q on q.lexeme = u.lexeme
            cross join lateral unnest(u.weights) w
            group by d.id, d.doc_len, q.lexeme, q.idf
        )
        select id, sum(idf * f * {K1 + 1} / (f + {K1} * (1 - {B} + {B} * doc_len / %(avgdl)s)))
            as score
        from tf group by id order by score desc, id desc limit %(k)s
        """
    )
    values = params | {
        "lex": terms,
        "idf": [idf(n, exact[t]) for t in terms],
        "match": " | ".join(_quote(t) for t in kept),
        "anchors": " | ".join(_quote(t) for t in anchors),
        "wa": weights[0],
        "wb": weights[1],
        "wc": weights[2],
        "avgdl": max(tokens / n, 1e-9),
        "k": k,
        "budget": budget,
    }
    return [(int(r["id"]), float(r["score"])) for r in c.execute(statement, values)]


def _quote(lexeme: str) -> str:
    """A lexeme as tsquery text: single-quoted, inner quotes doubled."""
    return "'" + lexeme.replace("'", "''") + "'"
