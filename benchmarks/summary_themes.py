"""How well `summarize` finds themes: its clusters against PrefEval's ten topics.

Every distinct preference of `../shared/bench/prefeval-dev.json` (499, ten topics such as
travel_restaurant or pet_ownership) is one memory, embedded with the real model; the themes
`policies.summarize.clusters` finds are scored against the topics: normalised mutual
information (NMI), purity (the share of memories in their theme's commonest topic), the largest
theme, and what the ten biggest themes (what a summary shows by default) cover and how pure
they are. Printed next to the greedy leader clustering summaries used before (a memory joins the
theme of its closest founder at cosine 0.45; founders taken most-like-everything first), and
the time of one clustering of the pool. The same with bag-of-words vectors (no model).
The data (PrefEval, Zhao et al. 2025) is CC BY-NC 4.0: read it from outside the repo.

    uv run python benchmarks/summary_themes.py --prefeval ../shared/bench/prefeval-dev.json \
        --model-dir DIR
"""

import argparse
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from memory_mcp.models import Memory
from memory_mcp.policies import summarize
from memory_mcp.search.embed import FastEmbedEmbedder

NOW = datetime(2026, 1, 1, tzinfo=UTC)
Clusterer = Callable[[Sequence[Memory], dict[int, np.ndarray]], list[list[Memory]]]


def leader(memories: Sequence[Memory], vectors: dict[int, np.ndarray]) -> list[list[Memory]]:
    """The clustering before average linkage, for comparison."""
    matrix, _ = summarize._matrix(memories, vectors)
    threshold = 0.45 if vectors else 0.3
    sims = matrix @ matrix.T
    score = sims.sum(axis=1)
    order = sorted(range(len(memories)), key=lambda i: (-score[i], i))
    members: dict[int, list[int]] = {}
    for i in order:
        best = max(members, key=lambda lead: sims[i, lead], default=None)
        if best is not None and sims[i, best] >= threshold:
            members[best].append(i)
        else:
            members[i] = [i]
    return sorted(([memories[i] for i in g] for g in members.values()), key=lambda g: -len(g))


def scores(themes: list[list[Memory]], topic: dict[int, str]) -> dict[str, float]:
    n = sum(len(t) for t in themes)
    truth = [topic[m.id] for t in themes for m in t]
    found = [i for i, t in enumerate(themes) for _ in t]
    a, b, joint = Counter(truth), Counter(found), Counter(zip(truth, found, strict=True))
    info = sum(v / n * math.log(v * n / (a[x] * b[y])) for (x, y), v in joint.items())
    entropy = lambda c: -sum(v / n * math.log(v / n) for v in c.values())  # noqa: E731
    pure = lambda ts: sum(Counter(topic[m.id] for m in t).most_common(1)[0][1] for t in ts)  # noqa: E731
    top = themes[:10]
    covered = sum(len(t) for t in top)
    return {
        "themes": len(themes),
        "largest": len(themes[0]),
        "NMI": 2 * info / (entropy(a) + entropy(b)),
        "purity": pure(themes) / n,
        "top-10 cover": covered / n,
        "top-10 purity": pure(top) / covered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prefeval", type=Path, required=True)
    parser.add_argument("--model-dir", type=Path)
    args = parser.parse_args()
    rows = json.loads(args.prefeval.read_text())
    topics = dict.fromkeys(row["preference"] for row in rows)
    for row in rows:
        topics[row["preference"]] = row["topic"]
    texts = list(topics)
    memories = [
        Memory(id=i, content=t, kind="preference", tags=[], scope="u", metadata={},
               created_at=NOW, updated_at=NOW)
        for i, t in enumerate(texts)
    ]  # fmt: skip
    topic = {m.id: str(topics[m.content]) for m in memories}
    embedder = FastEmbedEmbedder("sentence-transformers/all-MiniLM-L6-v2", args.model_dir)
    vectors = dict(enumerate(embedder.embed_documents(texts)))
    print(f"{len(memories)} preferences, {len(set(topic.values()))} topics")
    header = ["themes", "largest", "NMI", "purity", "top-10 cover", "top-10 purity", "ms"]
    print(f"{'':34}" + "".join(f"{h:>14}" for h in header))
    runs: list[tuple[str, Clusterer, dict[int, np.ndarray]]] = [
        ("leader (before), embeddings", leader, vectors),
        ("average linkage (now), embeddings", summarize.clusters, vectors),
        ("leader (before), words", leader, {}),
        ("average linkage (now), words", summarize.clusters, {}),
    ]
    for name, cluster, given in runs:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            themes = cluster(memories, given)
            times.append((time.perf_counter() - started) * 1000)
        figures = {**scores(themes, topic), "ms": float(np.median(times))}
        print(f"{name:34}" + "".join(f"{v:>14.3f}" if isinstance(v, float) else f"{v:>14}"
                                     for v in figures.values()))  # fmt: skip


if __name__ == "__main__":
    main()
