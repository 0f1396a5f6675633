"""budget.fit as a pure function: token budget, near-repeat skipping, snippets."""

from datetime import UTC, datetime

import numpy as np

from memory_mcp.models import Hit
from memory_mcp.policies import budget


def hit(i: int, text: str, score: float) -> Hit:
    return Hit(id=i, content=text, kind="note", tags=[], scope="global",
               created_at=datetime(2026, 1, 1, tzinfo=UTC), score=score)  # fmt: skip


def unit(*v: float) -> np.ndarray:
    a = np.array(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def test_paraphrases_do_not_crowd_out_other_facts() -> None:
    hits = [
        hit(1, "deploys on friday", 1.0),
        hit(2, "we deploy fridays", 0.99),
        hit(3, "deployment day is friday", 0.98),
        hit(4, "rollback with kubectl", 0.5),
    ]
    vecs = {1: unit(1, 0.01), 2: unit(1, 0.02), 3: unit(1, 0.03), 4: unit(0, 1)}
    chosen = budget.fit(hits, vecs, max_tokens=1000, limit=2)
    assert [h.id for h in chosen] == [1, 4]


def test_budget_is_respected_and_long_text_becomes_a_snippet() -> None:
    long = "word " * 400
    hits = [hit(1, "short fact", 1.0), hit(2, long, 0.9), hit(3, "another short", 0.8)]
    chosen = budget.fit(hits, {}, max_tokens=150, limit=10)
    spent = sum(budget.HIT_OVERHEAD_TOKENS + budget.estimate_tokens(h.content) for h in chosen)
    assert spent <= 150
    assert [h.id for h in chosen][:2] == [1, 2]
    assert chosen[1].truncated and chosen[1].content.endswith("…")
    assert not chosen[0].truncated


def test_order_follows_relevance_without_vectors() -> None:
    hits = [hit(i, f"fact {i}", 1.0 - i / 10) for i in range(5)]
    assert [h.id for h in budget.fit(hits, {}, 10_000, 3)] == [0, 1, 2]


def test_snippet_cuts_at_a_word() -> None:
    assert budget.snippet("alpha beta gamma delta", 3) == "alpha beta…"
    assert budget.snippet("short", 10) == "short"
