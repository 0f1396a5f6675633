"""Extractive, deterministic summaries: memories clustered by theme, each cluster shown by its
most representative statement with its supporting ids, counts and dates. No LLM: the client's
own model reads the structured result."""

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from memory_mcp.models import (
    SUMMARY_DATA_NOTICE,
    Memory,
    Summary,
    SummaryCluster,
    SummaryReply,
    wire_json,
)
from memory_mcp.policies.budget import estimate_tokens, snippet
from memory_mcp.policies.text import STOPWORDS, tokens
from memory_mcp.timestamps import day_text

# The average cosine at which two themes become one (average linkage: every member of one
# against every member of the other). MiniLM puts paraphrases at 0.7-0.95 and memories on one
# topic at 0.45-0.75 (unrelated ones under 0.3, or ~0.4 when they share a name); bag-of-words
# vectors (no model) are sparser, so they get less. Measured on PrefEval's 499 preferences of
# ten topics (benchmarks/summary_themes.py): themes agree with the topics at NMI 0.70, purity
# 0.83 (the greedy leader clustering before, at cosine 0.45: 0.62 and 0.79, its largest theme
# 76 memories of several topics, founded by the memory most like all the others).
EMBEDDING_THEME = 0.4
WORDS_THEME = 0.2
STATEMENT_TOKENS = 80  # a representative statement longer than this is cut to a snippet
LABEL_WORDS = 3
# A label word longer than this (a pasted blob, an unspaced sentence) is cut: one 5,000
# character word made a theme cost ~1,700 tokens, so no theme fit a budget of 1,000.
LABEL_WORD_CHARS = 24
MAX_SCOPES_LISTED = 20  # a summary names the largest scopes only


@dataclass(frozen=True)
class Extent:
    """What a summary says of every memory it counts, which may be more than the memories it
    finds themes in (without a query, the newest few hundred)."""

    total: int
    scopes: Counter[str]
    kinds: Counter[str]
    first_at: datetime | None
    last_at: datetime | None

    @classmethod
    def of(cls, memories: Sequence[Memory]) -> "Extent":
        """The extent of memories that are all there is to count."""
        dates = [m.occurred_at or m.created_at for m in memories]
        return cls(
            len(memories),
            Counter(m.scope for m in memories),
            Counter(m.kind for m in memories),
            min(dates, default=None),
            max(dates, default=None),
        )


def clusters(
    memories: Sequence[Memory],
    vectors: dict[int, np.ndarray],
    relevance: dict[int, float] | None = None,
) -> list[list[Memory]]:
    """Themes by average linkage (_join), each listed most representative first: the member
    most like the rest of its theme, half and half with relevance to the query when there is
    one. Bigger themes first; among equals the one with the more representative first member.
    Deterministic: ties break on input order."""
    if not memories:
        return []
    matrix, threshold = _matrix(memories, vectors)
    sims = matrix @ matrix.T
    themes = _join(sims, threshold)
    central = np.zeros(len(memories))
    for theme in themes:
        inner = sims[np.ix_(theme, theme)]
        central[theme] = (inner.sum(axis=1) - 1.0) / max(len(theme) - 1, 1)
    score = _unit(central)
    if relevance:
        score = 0.5 * score + 0.5 * _unit(np.array([relevance.get(m.id, 0.0) for m in memories]))
    ranked = [sorted(theme, key=lambda i: (-score[i], i)) for theme in themes]
    ranked.sort(key=lambda theme: (-len(theme), -score[theme[0]], theme[0]))
    return [[memories[i] for i in theme] for theme in ranked]


def _join(sims: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage clustering of rows whose pairwise similarities are `sims`: the two
    themes closest on average are joined, while that average reaches `threshold`. A generic
    memory close to everything (small talk, "thanks!") does not collect the themes around it,
    as it did when each memory joined the closest theme founder, and a chain of pairwise
    alike memories does not pull two topics into one. Each row keeps its closest theme,
    looked for again only when that theme changes: about n^2 steps for the pool's few
    hundred (500 memories: 0.01-0.03 s), n^3 at worst."""
    n = len(sims)
    link = sims.astype(np.float64)  # a copy: rows and columns become themes' averages
    np.fill_diagonal(link, -np.inf)
    alive = np.ones(n, dtype=bool)
    size = np.ones(n)
    members = {i: [i] for i in range(n)}
    rows = np.arange(n)
    best = np.argmax(link, axis=1)
    while len(members) > 1:
        closest = np.where(alive, link[rows, best], -np.inf)
        a = int(np.argmax(closest))
        if closest[a] < threshold:
            break
        a, b = sorted((a, int(best[a])))  # the earlier theme takes the later one in
        joined = (link[a] * size[a] + link[b] * size[b]) / (size[a] + size[b])
        link[a], link[:, a] = joined, joined
        link[b], link[:, b] = -np.inf, -np.inf
        link[a, a] = -np.inf
        alive[b], size[a] = False, size[a] + size[b]
        members[a] += members.pop(b)
        stale = alive & ((best == a) | (best == b))
        stale[a] = True
        for i in np.flatnonzero(stale):
            best[i] = np.argmax(link[i])
        nearer = alive & (link[:, a] > link[rows, best])
        best[nearer] = a
    return list(members.values())


def build(
    groups: Sequence[Sequence[Memory]],
    pool: Sequence[Memory],
    extent: Extent,
    limit: int,
    max_tokens: int | None,
) -> Summary:
    """Shape clusters of `pool` into the structured summary of all `extent` counts, within
    `limit` clusters and `max_tokens` (counted over the JSON a reply sends, SummaryReply)."""
    documents = Counter(t for m in pool for t in set(_words(m.content)))
    summary = Summary(
        total=extent.total,
        first_at=extent.first_at,
        last_at=extent.last_at,
        scopes=dict(extent.scopes.most_common(MAX_SCOPES_LISTED)),
        by_kind=dict(extent.kinds.most_common()),
        clusters=[],
        omitted=len(groups),
        saved_id=0,  # a saved summary's id is sent too: count room for one
        notice=SUMMARY_DATA_NOTICE,
        ids=[],
        text="",
    )
    spent = estimate_tokens(wire_json(SummaryReply.of(summary)))
    for group in groups[:limit]:
        cluster = _cluster(group, documents, len(pool))
        if max_tokens is not None:
            fitted = _fitted(cluster, max_tokens - spent)
            if fitted is None:
                break
            cluster = fitted
        summary.clusters.append(cluster)
        spent += _cost(cluster)
    summary.omitted = len(groups) - len(summary.clusters)
    summary.saved_id = None
    summary.ids = [c.representative_id for c in summary.clusters]
    summary.text = render(summary, len(pool), extent)
    return summary


def _cost(cluster: SummaryCluster) -> int:
    return estimate_tokens(wire_json(cluster)) + 1  # and the comma before the next one


def _fitted(cluster: SummaryCluster, room: int) -> SummaryCluster | None:
    """The cluster within `room` tokens: whole, else listing fewer of its ids (the
    representative always; `count` still says how many there are), else None. A theme of
    300 memories listed every id, so it fit no budget under ~900 and the summary was empty."""
    if _cost(cluster) <= room:
        return cluster
    others = [i for i in cluster.ids if i != cluster.representative_id]
    low, high = 0, len(others)  # the most ids that fit, by bisection
    while low < high:
        mid = (low + high + 1) // 2
        if _cost(_listing(cluster, others[:mid])) <= room:
            low = mid
        else:
            high = mid - 1
    shown = _listing(cluster, others[:low])
    return shown if _cost(shown) <= room else None


def _listing(cluster: SummaryCluster, others: list[int]) -> SummaryCluster:
    return cluster.model_copy(update={"ids": sorted([cluster.representative_id, *others])})


def render(summary: Summary, pooled: int, extent: Extent) -> str:
    """The summary as text; its themes are drawn from `pooled` of the memories counted."""
    if not summary.clusters:
        return "Memory holds nothing that matches." if extent.total == 0 else _header(extent)
    lines = [_header(extent, pooled)]
    lines += [_render_cluster(n, c) for n, c in enumerate(summary.clusters, start=1)]
    if summary.omitted:
        lines.append(f"({summary.omitted} smaller themes not shown.)")
    return "\n".join(lines)


def _cluster(group: Sequence[Memory], documents: Counter[str], pool_size: int) -> SummaryCluster:
    lead = group[0]
    dates = [m.occurred_at or m.created_at for m in group]
    return SummaryCluster(
        label=_label(group, documents, pool_size),
        statement=snippet(inert(" ".join(lead.content.split())), STATEMENT_TOKENS),
        representative_id=lead.id,
        ids=sorted(m.id for m in group),
        count=len(group),
        kinds=dict(Counter(m.kind for m in group).most_common()),
        first_at=min(dates),
        last_at=max(dates),
    )


def _header(extent: Extent, pooled: int | None = None) -> str:
    if extent.first_at is None or extent.last_at is None:
        return f"{_memories(extent.total)}."
    kinds = ", ".join(f"{n} {k}" for k, n in extent.kinds.most_common())
    scopes = inert(", ".join(dict(extent.scopes.most_common(MAX_SCOPES_LISTED))))
    more = len(extent.scopes) - MAX_SCOPES_LISTED
    scopes += f" and {more} more scopes" if more > 0 else ""
    span = f"{day_text(extent.first_at)} to {day_text(extent.last_at)}"
    text = f"{_memories(extent.total)} from {span} in {scopes} ({kinds})."
    if pooled is None:
        return text
    of = f" (of the newest {pooled})" if pooled < extent.total else ""
    return f"{text} Main themes{of}:"


def _memories(count: int) -> str:
    return f"{count} memory" if count == 1 else f"{count} memories"


def _render_cluster(number: int, c: SummaryCluster) -> str:
    others = [i for i in c.ids if i != c.representative_id]
    support = f"; also {', '.join(f'#{i}' for i in others[:8])}" if others else ""
    more = f" and {len(others) - 8} more" if len(others) > 8 else ""
    span = day_text(c.first_at) + (
        f" to {day_text(c.last_at)}" if c.last_at.date() != c.first_at.date() else ""
    )
    return (
        f"{number}. {c.label} ({_memories(c.count)}, {span}): {c.statement} "
        f"[#{c.representative_id}{support}{more}]"
    )


# A number sign before a digit or "?": how a summary cites a memory ("#12", "#?" when masked).
CITED = re.compile(r"#(?=[\d?])")


def inert(quoted: str) -> str:
    """Memory text as a summary quotes it, unable to pass for one of its citations: "#12" and
    "#?" read "№12" and "№?". A memory saying "[#1; also #2]" (or a saved summary quoted in
    a summary of summaries, its citations with it) would read as the summary citing #1 and
    #2, and stay unrenumbered when an import renumbers the summary's real citations."""
    return CITED.sub("№", quoted)


# How a theme cites its memories: "[#12; also #15, #19 and 3 more]" at its end.
CITATION = re.compile(r"\[#\d+(?:; also #\d+(?:, #\d+)*)?(?: and \d+ more)?\]\Z")
# A theme's head, as _render_cluster writes it: "3. label (2 memories, 2026-01-05): ".
THEME_HEAD = r"^{number}\. [^\n]*? \(\d+ memor(?:y|ies), [^\n]*?\): "
OMITTED = re.compile(r"^\(\d+ smaller themes not shown\.\)$", re.MULTILINE)


def recite(text: str, new_id: Callable[[int], int], inert_quotes: bool = False) -> str:
    """A rendered summary citing each memory by `new_id` of its id (0: a memory no longer
    there, cited as "#?"). Only the citation closing a theme is read: a theme runs from its
    numbered head (1., 2., ... in turn) to the next one's, or to the line counting the
    themes not shown, or to the end; what comes before its citation is memory text, which
    may span lines (an edited or hand-written summary) and end one in what looks like a
    citation (`[#5]`) that is not one. `inert_quotes` (an import, where the ids change):
    that text as a summary now quotes it (inert), so what looked like a citation does not
    name, once renumbered, a memory it never meant."""

    def one(number: re.Match[str]) -> str:
        found = new_id(int(number.group(1)))
        return f"#{found}" if found else "#?"

    pieces, done = [], 0
    for start, end in _themes(text):
        theme = text[start:end]
        body = theme.rstrip("\n")
        cited = CITATION.search(body)
        if cited is None:
            continue
        quoted = body[: cited.start()]
        pieces += [text[done:start], inert(quoted) if inert_quotes else quoted]
        pieces += [re.sub(r"#(\d+)", one, cited.group(0)), theme[len(body) :]]
        done = end
    return "".join([*pieces, text[done:]])


def _themes(text: str) -> list[tuple[int, int]]:
    """(start, end) of each theme of a rendered summary, in order."""
    starts: list[int] = []
    at = 0
    while found := re.compile(THEME_HEAD.format(number=len(starts) + 1), re.M).search(text, at):
        starts.append(found.start())
        at = found.end()
    if not starts:
        return []
    omitted = OMITTED.search(text, at)
    last = len(text) if omitted is None else omitted.start()
    return list(zip(starts, [*starts[1:], last], strict=True))


def _label(group: Sequence[Memory], documents: Counter[str], pool_size: int) -> str:
    """The words most particular to this theme (tf-idf against the whole pool)."""
    counts = Counter(t for m in group for t in _words(m.content))
    weight = {t: n * np.log(1 + pool_size / documents[t]) for t, n in counts.items()}
    best = sorted(weight, key=lambda t: (-weight[t], t))[:LABEL_WORDS]
    cut = [t if len(t) <= LABEL_WORD_CHARS else t[: LABEL_WORD_CHARS - 1] + "…" for t in best]
    return ", ".join(cut) or "misc"


def _words(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOPWORDS and len(t) > 2]


def _matrix(memories: Sequence[Memory], vectors: dict[int, np.ndarray]) -> tuple[np.ndarray, float]:
    """Unit rows and the theme threshold: stored embeddings when all have one, else words."""
    if all(m.id in vectors for m in memories):
        rows = np.stack([vectors[m.id] for m in memories]).astype(np.float32)
        threshold = EMBEDDING_THEME
    else:
        rows, threshold = _bag_of_words(memories), WORDS_THEME
    # A row with a NaN or an infinity is like none (a zero row, alike to nothing): its NaN
    # similarities would win every argmax in _join and join every theme into one.
    rows = np.where(np.isfinite(rows).all(axis=1, keepdims=True), rows, 0.0)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms), threshold


def _bag_of_words(memories: Sequence[Memory]) -> np.ndarray:
    docs = [Counter(_words(m.content)) for m in memories]
    vocab = {term: i for i, term in enumerate(sorted({t for d in docs for t in d}))}
    df = Counter(t for d in docs for t in d)
    rows = np.zeros((len(docs), max(len(vocab), 1)), dtype=np.float32)
    for r, doc in enumerate(docs):
        for term, count in doc.items():
            rows[r, vocab[term]] = count * np.log(1 + len(docs) / df[term])
    return rows


def _unit(values: np.ndarray) -> np.ndarray:
    span = float(values.max() - values.min()) if values.size else 0.0
    return np.ones_like(values) if span == 0 else (values - values.min()) / span


__all__ = ["Extent", "build", "clusters", "recite", "render"]
