"""Scoring and reporting shared by the recall benchmarks (recall_quality.py runs them).

A suite is a list of questions, each with a scope to search, gold labels, a category and a
group (the conversation or topic it belongs to). Every question is asked of each ranker on the
same database; the product is compared with each leg by paired bootstrap intervals (overall and
per category), and per held-out group: the product's fusion has no constants fitted to a
group, so a group's figures are what leaving it out would give, and the pooled figure over
held-out groups equals the pooled figure (`--sweep` would be needed to fit anything per group).
"""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from memory_mcp.search.evaluation import KS, score

BOOTSTRAP_SAMPLES = 10_000
SEED = 20240601
MRR_DEPTH = 10
METRICS = [f"R@{k}" for k in KS] + ["NDCG@10", "MRR@10"]
COMPARED = ("R@5", "R@10")

Ranker = Callable[[str, str], list[str]]  # (question, scope) -> labels best first


@dataclass(frozen=True)
class Question:
    scope: str
    category: str
    group: str
    text: str
    evidence: frozenset[str]


def mrr(ranked: list[str], gold: frozenset[str]) -> float:
    return next((1.0 / (i + 1) for i, x in enumerate(ranked[:MRR_DEPTH]) if x in gold), 0.0)


def mean_rows(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}


def bootstrap_ci(diffs: np.ndarray) -> tuple[float, float, float]:
    """Mean paired difference and its 95% percentile interval over resampled questions."""
    rng = np.random.default_rng(SEED)
    picks = rng.integers(0, len(diffs), size=(BOOTSTRAP_SAMPLES, len(diffs)))
    means = diffs[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diffs.mean()), float(low), float(high)


@dataclass
class Scored:
    qs: list[Question]
    rows: dict[str, list[dict[str, float]]]  # ranker -> one row of metrics per question
    latencies: list[float]  # the product's, ms
    returned: list[int]  # hits the product returned per question


def evaluate(rank: dict[str, Ranker], qs: list[Question]) -> Scored:
    """Per-question scores for each ranker, with the product's latencies and hit counts."""
    scored = Scored(qs, {name: [] for name in rank}, [], [])
    for q in qs:
        for name, ranker in rank.items():
            started = time.perf_counter()
            ranked = ranker(q.text, q.scope)
            if name == "product":
                scored.latencies.append((time.perf_counter() - started) * 1000)
                scored.returned.append(len(ranked))
            scored.rows[name].append(
                score(ranked, q.evidence) | {"MRR@10": mrr(ranked, q.evidence)}
            )
    return scored


def _subset(scored: Scored, keep: Callable[[Question], bool]) -> dict[str, list[dict[str, float]]]:
    picks = [i for i, q in enumerate(scored.qs) if keep(q)]
    return {name: [rows[i] for i in picks] for name, rows in scored.rows.items()}


def intervals(rows: dict[str, list[dict[str, float]]]) -> dict[str, dict[str, list[float]]]:
    """product - leg, per compared metric: [mean, low, high]."""
    out: dict[str, dict[str, list[float]]] = {}
    for leg in ("bm25", "dense"):
        for metric in COMPARED:
            diffs = np.array(
                [p[metric] - b[metric] for p, b in zip(rows["product"], rows[leg], strict=True)]
            )
            out.setdefault(f"product-{leg}", {})[metric] = list(bootstrap_ci(diffs))
    return out


def _cells(values: dict[str, float]) -> str:
    return " ".join(f"{values[m]:>7.3f}" for m in METRICS)


def _ci(ci: dict[str, dict[str, list[float]]], leg: str, metric: str = "R@5") -> str:
    mean, low, high = ci[f"product-{leg}"][metric]
    return f"{mean:+.3f} [{low:+.3f},{high:+.3f}]"


def print_slices(title: str, scored: Scored, slices: dict[str, dict[str, Any]]) -> None:
    print(f"{title}: {'slice':<24} {'n':>4} {'system':<8} " + " ".join(f"{m:>7}" for m in METRICS)
          + "   product-bm25 R@5       product-dense R@5")  # fmt: skip
    for label, block in slices.items():
        for name in ("product", "bm25", "dense"):
            tail = ""
            if name == "product":
                tail = f"   {_ci(block['ci'], 'bm25')}  {_ci(block['ci'], 'dense')}"
            print(f"{'':<{len(title)}}  {label[:24]:<24} {block['n']:>4} {name:<8} "
                  f"{_cells(block[name])}{tail}")  # fmt: skip


def summarise(scored: Scored, by: Callable[[Question], str]) -> dict[str, dict[str, Any]]:
    """Overall and per slice (`by`): means per ranker, n, and intervals against each leg."""
    slices: dict[str, dict[str, Any]] = {}
    labels = ["overall", *sorted(Counter(by(q) for q in scored.qs))]
    for label in labels:
        rows = _subset(scored, lambda q, lab=label: lab == "overall" or by(q) == lab)
        block: dict[str, Any] = {name: mean_rows(r) for name, r in rows.items()}
        block["n"] = len(rows["product"])
        block["ci"] = intervals(rows)
        slices[label] = block
    return slices


def held_out(scored: Scored) -> dict[str, Any]:
    """Per held-out group: whether the product beats its better leg there (R@5)."""
    groups = summarise(scored, lambda q: q.group)
    groups.pop("overall")
    margins = {
        g: b["product"]["R@5"] - max(b["bm25"]["R@5"], b["dense"]["R@5"]) for g, b in groups.items()
    }
    return {"groups": groups, "margin_over_best_leg_R@5": margins}


def report(name: str, scored: Scored) -> dict[str, Any]:
    """Print the tables of one suite; returns its figures for --json-out."""
    by_category = summarise(scored, lambda q: q.category)
    print_slices(f"{name} by category", scored, by_category)
    print()
    loo = held_out(scored)
    if any(q.group != q.category for q in scored.qs):  # else the same table again
        print_slices(f"{name} per held-out group", scored, loo["groups"])
    margins = loo["margin_over_best_leg_R@5"]
    wins = sum(m >= 0 for m in margins.values())
    print(f"{name}: product >= its better leg (R@5) in {wins} of {len(margins)} held-out groups; "
          f"worst margin {min(margins.values()):+.3f}")  # fmt: skip
    p50, p95 = np.percentile(scored.latencies, [50, 95])
    print(f"{name}: product recall latency p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
          f"hits per question mean {np.mean(scored.returned):.1f}")  # fmt: skip
    print()
    return {
        "by_category": by_category,
        "held_out": loo,
        "latency_ms": {"p50": float(p50), "p95": float(p95)},
    }
