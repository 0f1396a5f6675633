"""PrefEval for recall_quality.py: stated preferences, and later requests that depend on them.

Scored as ../shared/bench/README.md says: every distinct preference is one memory (kind
`preference`) in ONE scope, as one user's memory; every question is asked through
`MemoryService.recall(question, limit=20, scope=...)`; the gold memory is the question's own
preference. Most questions share no content word with their preference, so this is the
opposite regime from LoCoMo: keep both in view. The data (PrefEval, Zhao et al. 2025) is
CC BY-NC 4.0: read it from outside the repo, never copy it in. Run it through

    uv run python benchmarks/recall_quality.py --prefeval ../shared/bench/prefeval-dev.json
"""

from typing import Any

from recall_report import Question

from memory_mcp import MemoryService

SCOPE = "prefeval-user"


def ingest(
    service: MemoryService, rows: list[dict[str, Any]]
) -> tuple[dict[int, str], list[Question]]:
    """Store the distinct preferences; returns memory id -> preference, and the questions."""
    preferences = list(dict.fromkeys(row["preference"] for row in rows))
    items = [{"content": p, "kind": "preference", "scope": SCOPE} for p in preferences]
    ids = service.remember_many(items, dedup=False)
    labels = dict(zip(ids, preferences, strict=True))
    qs = [
        Question(SCOPE, row["topic"], row["topic"], row["question"], frozenset([row["preference"]]))
        for row in rows
    ]
    return labels, qs
