"""Extractive, deterministic summaries: central, non-redundant memories grouped by kind."""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from memory_mcp.models import Memory, Summary, SummaryGroup, SummaryItem
from memory_mcp.search import STOPWORDS, tokens

MMR_LAMBDA = 0.7  # weight of representativeness against novelty
NEAR_DUPLICATE = 0.92  # cosine above which a candidate adds nothing new
SNIPPET_CHARS = 280


def select(
    memories: Sequence[Memory],
    vectors: dict[int, np.ndarray],
    limit: int,
    relevance: dict[int, float] | None = None,
) -> list[Memory]:
    """Maximal-marginal-relevance pick of `limit` memories; ties break on id (deterministic)."""
    if not memories:
        return []
    matrix = _matrix(memories, vectors)
    sims = matrix @ matrix.T
    n = len(memories)
    centrality = (sims.sum(axis=1) - 1.0) / max(n - 1, 1)
    score = _unit(centrality)
    if relevance:
        score = 0.5 * score + 0.5 * _unit(np.array([relevance.get(m.id, 0.0) for m in memories]))
    chosen: list[int] = []
    redundancy = np.full(n, -1.0)
    while len(chosen) < min(limit, n):
        value = MMR_LAMBDA * score - (1 - MMR_LAMBDA) * np.maximum(redundancy, 0.0)
        value[chosen] = -np.inf
        value[redundancy >= NEAR_DUPLICATE] = -np.inf
        best = int(np.argmax(value))  # argmax takes the first maximum: input order breaks ties
        if value[best] == -np.inf:
            break
        chosen.append(best)
        redundancy = np.maximum(redundancy, sims[best])
    return [memories[i] for i in chosen]


def build(
    chosen: Sequence[Memory],
    total: int,
    kind_counts: dict[str, int],
    scopes: dict[str, int],
    first_at: datetime | None,
    last_at: datetime | None,
) -> Summary:
    """Group the chosen memories by kind (largest kind first) and render them as text."""
    by_kind: dict[str, list[Memory]] = {}
    for memory in chosen:
        by_kind.setdefault(memory.kind, []).append(memory)
    order = sorted(by_kind, key=lambda k: (-kind_counts.get(k, 0), k))
    groups = [
        SummaryGroup(
            kind=kind,
            count=kind_counts.get(kind, len(by_kind[kind])),
            items=[
                SummaryItem(id=m.id, content=m.content, created_at=m.created_at, tags=m.tags)
                for m in sorted(by_kind[kind], key=lambda m: (m.created_at, m.id))
            ],
        )
        for kind in order
    ]
    summary = Summary(
        total=total,
        first_at=first_at,
        last_at=last_at,
        scopes=scopes,
        groups=groups,
        ids=[item.id for group in groups for item in group.items],
        text="",
    )
    summary.text = render(summary)
    return summary


def render(summary: Summary) -> str:
    if summary.total == 0:
        return "Memory holds nothing that matches."
    kinds = ", ".join(f"{g.count} {g.kind}" for g in summary.groups)
    span = ""
    if summary.first_at and summary.last_at:
        span = f" from {summary.first_at:%Y-%m-%d} to {summary.last_at:%Y-%m-%d}"
    scopes = ", ".join(summary.scopes)
    lines = [f"{summary.total} memories{span} in {scopes} ({kinds}). Most representative:"]
    for group in summary.groups:
        lines.append(f"\n{group.kind.capitalize()} ({group.count}):")
        for item in group.items:
            text = " ".join(item.content.split())
            if len(text) > SNIPPET_CHARS:
                text = text[: SNIPPET_CHARS - 1] + "…"
            lines.append(f"- [#{item.id}, {item.created_at:%Y-%m-%d}] {text}")
    return "\n".join(lines)


def _matrix(memories: Sequence[Memory], vectors: dict[int, np.ndarray]) -> np.ndarray:
    """Unit rows: the stored embeddings when every memory has one, else bag-of-words."""
    if all(m.id in vectors for m in memories):
        rows = np.stack([vectors[m.id] for m in memories]).astype(np.float32)
    else:
        rows = _bag_of_words(memories)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


def _bag_of_words(memories: Sequence[Memory]) -> np.ndarray:
    docs = [Counter(t for t in tokens(m.content) if t not in STOPWORDS) for m in memories]
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
