"""Recall quality on PrefEval: stated preferences, and later requests that depend on them.

Scored as ../shared/bench/README.md says: every distinct preference is one memory (kind
`preference`) in ONE scope, as one user's memory; every question is asked through
`MemoryService.recall(question, limit=20, scope=...)`; the gold memory is the question's own
preference. Prints R@1/5/10/20 and MRR@10 for the product and for its BM25 and dense legs
alone (the same rankers as recall_quality.py), with the product - dense difference and a 95%
bootstrap interval. Most questions share no content word with their preference, so this is
the opposite regime from LoCoMo: keep both in view.

The data (PrefEval, Zhao et al. 2025) is CC BY-NC 4.0: read it from outside the repo, never
copy it in. Run:

    uv run python benchmarks/recall_prefeval.py --data ../shared/bench/prefeval-dev.json \
        [--model-dir DIR]
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from recall_quality import bootstrap_ci, model_dir, rankers

from memory_mcp import MemoryService, Settings
from memory_mcp.search.evaluation import score

SCOPE = "prefeval-user"
MRR_DEPTH = 10


def mrr(ranked: list[str], gold: str) -> float:
    return next((1.0 / (i + 1) for i, label in enumerate(ranked[:MRR_DEPTH]) if label == gold), 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="prefeval JSON file")
    parser.add_argument("--model-dir", help="local ONNX model dir (MEMORY_MCP_MODEL_DIR)")
    args = parser.parse_args()
    rows = json.loads(args.data.read_text())
    preferences = list(dict.fromkeys(row["preference"] for row in rows))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db=Path(tmp) / "bench.db", model_dir=model_dir(args.model_dir))
        service = MemoryService.open(settings)
        if not service.semantic.ensure():
            raise SystemExit(f"The embedding model did not load: {service.semantic.reason}")
        items = [{"content": p, "kind": "preference", "scope": SCOPE} for p in preferences]
        ids = service.remember_many(items, dedup=False)
        labels = dict(zip(ids, preferences, strict=True))
        scores: dict[str, list[dict[str, float]]] = {}
        latencies: list[float] = []
        for name, ranker in rankers(service, labels).items():
            scores[name] = []
            for row in rows:
                started = time.perf_counter()
                ranked = ranker(row["question"], SCOPE)
                if name == "product":
                    latencies.append((time.perf_counter() - started) * 1000)
                found = score(ranked, [row["preference"]])
                scores[name].append(found | {"MRR@10": mrr(ranked, row["preference"])})
        service.close()
    print(f"{len(rows)} questions over {len(preferences)} preferences in one scope")
    metrics = ["R@1", "R@5", "R@10", "R@20", "MRR@10"]
    print(f"{'system':<8} " + " ".join(f"{m:>7}" for m in metrics))
    for name, per_question in scores.items():
        means = [float(np.mean([s[m] for s in per_question])) for m in metrics]
        print(f"{name:<8} " + " ".join(f"{v:>7.3f}" for v in means))
    print()
    for metric in ("R@5", "R@10"):
        diffs = np.array(
            [p[metric] - d[metric] for p, d in zip(scores["product"], scores["dense"], strict=True)]
        )
        mean, low, high = bootstrap_ci(diffs)
        print(f"product - dense {metric}: {mean:+.3f}  95% CI [{low:+.3f}, {high:+.3f}]")
    p50, p95 = np.percentile(latencies, [50, 95])
    print(f"product recall latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
