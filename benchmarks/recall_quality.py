"""Recall quality on LoCoMo: the product's hybrid recall against its BM25 and dense legs alone.

Every dialogue turn becomes one memory (`Speaker: text [image: caption]`, dia_id in metadata),
one scope per conversation, with its session's date as occurred_at and the turns around it in
the same session (two either side by default, `--context-window`) as its context: what a chat
client storing a turn would pass along. Each question of categories 1-4 is asked through
`MemoryService.recall(question, limit=20, scope=sample_id)`; the ranked memories are scored
against the question's evidence turns (Recall@1/5/10/20, NDCG@10), per category and overall.
The same database also answers with FTS5 BM25 over the memories' own text alone (a separate
FTS5 table over `content`, as the product indexed it before context) and with the vector index
alone, and the paired difference product - BM25 gets a 95% bootstrap confidence interval.

The data (LoCoMo, Maharana et al., ACL 2024) is CC BY-NC 4.0: read it from outside the repo,
never copy it in. Run:

    uv run python benchmarks/recall_quality.py --data ../shared/bench/locomo-dev.json \
        [--json-out results.json] [--limit-conversations N] [--model-dir DIR] \
        [--context-window N] [--db postgresql://... [--pg-schema NAME]]

With `--db postgresql://...` the same runs on PostgreSQL (in a fresh schema, dropped after):
the product there ranks keywords with its own BM25 over tsvector (storage/postgres/bm25.py),
and the `bm25` row is that keyword leg over content alone (weights 1, 0, 0). Measured on the
dev split: product R@5 / R@10 0.696 / 0.780 on PostgreSQL against 0.697 / 0.785 on SQLite in
the same session (dense alone 0.401 / 0.493 on both: HNSW lost nothing at this size).

What was measured on the dev split (5 conversations, 760 questions; R@5 / R@10, changes are
paired differences with 95% bootstrap intervals; the starting point was 0.557 / 0.660):
- kept: neighbouring turns as context, FTS only, at bm25 weight 0.5: +0.128 [+0.103, +0.153]
  / +0.112 [+0.088, +0.136]
  (window 1: +0.085 / +0.076; 3: +0.119 / +0.102; 5: +0.098 / +0.092; weights 0.35-0.7
  within 0.015 of each other; the preceding turn alone: +0.084 / +0.063);
- kept: the event date's words ("8 May 2023") in the indexed context: +0.012 [+0.004, +0.021]
  / +0.011 [+0.003, +0.020]; padding with the same number of meaningless words instead: -0.003;
- dropped: context in the embedding too (content + neighbours embedded together, or the
  two vectors mixed): dense alone +0.03-0.045, fused +0.002 / +0.006, CIs include zero;
- dropped: IDF-aware stopwording (query terms in more than 10/20/30% of the scope's memories):
  -0.037 / -0.006 / +0.004 R@5, R@10 worse at every threshold;
- kept: a relevance floor per leg (policies/fusion.py; a hit needs a keyword score at least
  0.3 of the best or a cosine within 0.25 of the best and at least 0.15): R@5 / R@10 / R@20
  unchanged (0.697 / 0.785 / 0.836), 19.7 of 20 hits returned on average; PrefEval (one pool of
  499 preferences) R@5 0.222 unchanged, R@10 0.382 -> 0.380;
- dropped: z-score fusion (+0.008 / -0.012), confidence-weighted legs (+0.007 [+0.001,
  +0.014] / +0.001 [-0.006, +0.008]), keyword weight 0.5 / 0.7 (-0.043 / +0.008 R@5),
  dense pseudo-relevance feedback (Rocchio, top 3, b 0.5 / 1.0: +0.004 / -0.001, +0.006 /
  -0.006), candidate pools of 40 / 160 (within 0.005).
Leave-one-conversation-out (window and weight chosen on four, scored on the fifth) gives
0.694 / 0.781 pooled over the held-out conversations; every conversation gains 0.11-0.17 R@5.
"""

import argparse
import json
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from memory_mcp import MemoryService, Settings
from memory_mcp.search.evaluation import KS, score
from memory_mcp.storage.sqlite.fts import fts_query

LIMIT = 20
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
BOOTSTRAP_SAMPLES = 10_000
SEED = 20240601
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "../shared/models/all-MiniLM-L6-v2-onnx"
_DIA_ID = re.compile(r"D:?0*(\d+):0*(\d+)")

Ranker = Callable[[str, str], list[str]]  # (question, scope) -> dia_ids best first


@dataclass(frozen=True)
class Question:
    scope: str
    category: int
    text: str
    evidence: frozenset[str]


# -- data -------------------------------------------------------------------------------------


def sessions(sample: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(date, turns) of every session with turns, in order."""
    conv = sample["conversation"]
    numbers = sorted(
        int(key.split("_")[1])
        for key, value in conv.items()
        if re.fullmatch(r"session_\d+", key) and isinstance(value, list)
    )
    return [(conv[f"session_{n}_date_time"], conv[f"session_{n}"]) for n in numbers]


def turns(sample: dict[str, Any]) -> list[dict[str, Any]]:
    """Every turn of a conversation in session order (sessions without turns are skipped)."""
    return [turn for _, session in sessions(sample) for turn in session]


def memory_text(turn: dict[str, Any]) -> str:
    text = f"{turn['speaker']}: {turn['text']}"
    if turn.get("blip_caption"):
        text += f" [image: {turn['blip_caption']}]"
    return text


def repair_evidence(raw: list[str], known: set[str], defects: Counter[str]) -> frozenset[str]:
    """Split packed ids, fix mis-typed ones, drop what cannot be repaired or does not exist."""
    ids: set[str] = set()
    for entry in raw:
        parts = [p for p in re.split(r"[;,\s]+", entry) if p]
        if len(parts) > 1:
            defects["packed entries split"] += 1
        for part in parts:
            match = _DIA_ID.fullmatch(part)
            if match is None:
                defects["unrepairable ids skipped"] += 1
                continue
            fixed = f"D{int(match[1])}:{int(match[2])}"
            if fixed != part:
                defects["mis-typed ids repaired"] += 1
            if fixed not in known:
                defects["nonexistent ids skipped"] += 1
                continue
            ids.add(fixed)
    return frozenset(ids)


def questions(sample: dict[str, Any], defects: Counter[str]) -> list[Question]:
    known = {turn["dia_id"] for turn in turns(sample)}
    result = []
    for qa in sample["qa"]:
        if qa["category"] not in CATEGORIES:
            continue
        evidence = repair_evidence(qa.get("evidence", []), known, defects)
        if not evidence:
            defects["questions without evidence skipped"] += 1
            continue
        result.append(Question(sample["sample_id"], qa["category"], qa["question"], evidence))
    return result


# -- the three rankers -------------------------------------------------------------------------


def context(texts: list[str], i: int, window: int) -> str | None:
    """The turns within `window` of turn i (same session), one per line."""
    around = texts[max(0, i - window) : i] + texts[i + 1 : i + 1 + window]
    return "\n".join(around) or None


def ingest(service: MemoryService, samples: list[dict[str, Any]], window: int) -> dict[int, str]:
    """Store every turn as one memory; returns memory id -> dia_id."""
    dia_ids: dict[int, str] = {}
    for sample in samples:
        items = []
        for date, session in sessions(sample):
            texts = [memory_text(turn) for turn in session]
            items += [
                {
                    "content": text,
                    "scope": sample["sample_id"],
                    "metadata": {"dia_id": turn["dia_id"]},
                    "occurred_at": date,
                    "context": context(texts, i, window) if window else None,
                }
                for i, (turn, text) in enumerate(zip(session, texts, strict=True))
            ]
        ids = service.remember_many(items, dedup=False)  # every turn is its own memory
        dia_ids.update(zip(ids, (i["metadata"]["dia_id"] for i in items), strict=True))
    return dia_ids


# The BM25 baseline: FTS5 over the memories' own text only, as the product indexed it before
# context and dates were added; built in the benchmark's throwaway database.
_BASELINE_FTS = [
    """
    create virtual table baseline_fts using fts5 (
        content, content = 'memories', content_rowid = 'id', tokenize = 'porter unicode61'
    )
    """,
    "insert into baseline_fts (baseline_fts) values ('rebuild')",
]
_BASELINE_SEARCH = f"""
    select m.id from baseline_fts join memories m on m.id = baseline_fts.rowid
    where baseline_fts match :match and m.scope = :scope
    order by bm25(baseline_fts) limit {LIMIT}
"""


def rankers(service: MemoryService, dia_ids: dict[int, str]) -> dict[str, Ranker]:
    embedder = service.semantic.embedder
    assert embedder is not None
    on_sqlite = hasattr(service.store, "conn")
    for statement in _BASELINE_FTS if on_sqlite else []:
        service.store.conn.execute(statement)  # type: ignore[attr-defined]

    def product(q: str, scope: str) -> list[str]:
        return [dia_ids[h.id] for h in service.recall(q, limit=LIMIT, scope=scope).hits]

    def keyword_leg(q: str, scope: str) -> list[str]:  # PostgreSQL: content only
        flt = service.make_filter(scope=scope)
        return [dia_ids[i] for i, _ in service.store.search_keywords(q, flt, LIMIT, (1, 0, 0))]

    def bm25(q: str, scope: str) -> list[str]:
        if not on_sqlite:
            return keyword_leg(q, scope)
        match = fts_query(q)
        if not match:
            return []
        conn = service.store.conn  # type: ignore[attr-defined]
        rows = conn.execute(_BASELINE_SEARCH, {"match": match, "scope": scope})
        return [dia_ids[int(row[0])] for row in rows]

    def dense(q: str, scope: str) -> list[str]:
        flt = service.make_filter(scope=scope)
        hits = service.store.search_vectors(embedder.embed_query(q), flt, LIMIT)
        return [dia_ids[mid] for mid, _ in hits]

    return {"product": product, "bm25": bm25, "dense": dense}


# -- metrics -----------------------------------------------------------------------------------


def mean_rows(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}


def summarise(qs: list[Question], rows: list[dict[str, float]]) -> dict[str, Any]:
    by_category = {
        CATEGORIES[c]: mean_rows([r for q, r in zip(qs, rows, strict=True) if q.category == c])
        for c in CATEGORIES
        if any(q.category == c for q in qs)
    }
    return {"overall": mean_rows(rows), "by_category": by_category}


def bootstrap_ci(diffs: np.ndarray) -> tuple[float, float, float]:
    """Mean paired difference and its 95% percentile interval over resampled questions."""
    rng = np.random.default_rng(SEED)
    picks = rng.integers(0, len(diffs), size=(BOOTSTRAP_SAMPLES, len(diffs)))
    means = diffs[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diffs.mean()), float(low), float(high)


# -- running -----------------------------------------------------------------------------------


def evaluate(
    rank: dict[str, Ranker], qs: list[Question]
) -> tuple[dict[str, list[dict[str, float]]], list[float], list[int]]:
    """Per-question scores for each ranker, plus the product's recall latencies (ms) and how
    many hits it returned (the relevance floor may return fewer than LIMIT)."""
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in rank}
    latencies: list[float] = []
    returned: list[int] = []
    for q in qs:
        for name, ranker in rank.items():
            started = time.perf_counter()
            ranked = ranker(q.text, q.scope)
            if name == "product":
                latencies.append((time.perf_counter() - started) * 1000)
                returned.append(len(ranked))
            rows[name].append(score(ranked, q.evidence))
    return rows, latencies, returned


def print_table(results: dict[str, dict[str, Any]]) -> None:
    metrics = [f"R@{k}" for k in KS] + ["NDCG@10"]
    print(f"{'system':<8} {'slice':<12} {'n':>4} " + " ".join(f"{m:>7}" for m in metrics))
    for name, result in results.items():
        slices = {"overall": result["overall"], **result["by_category"]}
        for label, values in slices.items():
            n = result["counts"][label]
            cells = " ".join(f"{values[m]:>7.3f}" for m in metrics)
            print(f"{name:<8} {label:<12} {n:>4} {cells}")


def report(rows: dict[str, list[dict[str, float]]], qs: list[Question]) -> dict[str, Any]:
    counts = Counter(CATEGORIES[q.category] for q in qs)
    counts["overall"] = len(qs)
    results = {name: summarise(qs, r) for name, r in rows.items()}
    print_table({name: {**r, "counts": counts} for name, r in results.items()})
    print()
    for metric in ("R@5", "R@10"):
        diffs = np.array(
            [p[metric] - b[metric] for p, b in zip(rows["product"], rows["bm25"], strict=True)]
        )
        mean, low, high = bootstrap_ci(diffs)
        print(f"product - bm25 {metric}: {mean:+.3f}  95% CI [{low:+.3f}, {high:+.3f}]")
    return results


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'drop schema if exists "{schema}" cascade')


def model_dir(arg: str | None) -> Path | None:
    chosen = arg or os.environ.get("MEMORY_MCP_MODEL_DIR")
    if chosen:
        return Path(chosen)
    return DEFAULT_MODEL_DIR.resolve() if DEFAULT_MODEL_DIR.is_dir() else None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="locomo JSON file")
    parser.add_argument("--json-out", type=Path, help="write the scores here as JSON")
    parser.add_argument("--limit-conversations", type=int, help="use only the first N")
    parser.add_argument("--model-dir", help="local ONNX model dir (MEMORY_MCP_MODEL_DIR)")
    parser.add_argument("--db", help="a postgresql:// URL: run on PostgreSQL instead")
    parser.add_argument("--pg-schema", help="schema to create and drop (default: a new name)")
    parser.add_argument(
        "--context-window",
        type=int,
        default=2,
        help="turns either side stored as each memory's context (0: none)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    samples = json.loads(args.data.read_text())[: args.limit_conversations]
    defects: Counter[str] = Counter()
    qs = [q for sample in samples for q in questions(sample, defects)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db=Path(tmp) / "bench.db", model_dir=model_dir(args.model_dir))
        if args.db:
            schema = args.pg_schema or f"bench_{os.getpid()}"
            settings = Settings(db=args.db, pg_schema=schema, model_dir=model_dir(args.model_dir))
        service = MemoryService.open(settings)
        if not service.semantic.ensure():
            raise SystemExit(f"The embedding model did not load: {service.semantic.reason}")
        started = time.perf_counter()
        dia_ids = ingest(service, samples, args.context_window)
        print(f"ingested {len(dia_ids)} turns in {time.perf_counter() - started:.1f}s")
        rows, latencies, returned = evaluate(rankers(service, dia_ids), qs)
        service.close()
        if args.db:
            drop_schema(args.db, settings.pg_schema)
    print(f"{len(qs)} questions (categories 1-4) from {len(samples)} conversations")
    for defect, count in sorted(defects.items()):
        print(f"  evidence: {defect}: {count}")
    print()
    results = report(rows, qs)
    p50, p95 = np.percentile(latencies, [50, 95])
    print(f"product recall latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    short = sum(n < LIMIT for n in returned)
    print(f"product hits per question: mean {np.mean(returned):.1f} of {LIMIT}, "
          f"{short} questions under {LIMIT} (relevance floor)")  # fmt: skip
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
