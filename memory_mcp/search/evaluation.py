"""Recall quality on labelled queries: the metrics of benchmarks/recall_quality.py for a user's
own database (`memory-mcp eval`). Parsing and scoring are pure; the service runs the recalls."""

import json
import math
from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator

from memory_mcp.errors import InvalidInput, json_problem, read_json, validation_problems
from memory_mcp.models import Kind
from memory_mcp.names import clean_tags
from memory_mcp.policies import inputs

KS = (1, 5, 10, 20)
DEPTH = max(KS)  # hits asked of recall for each query
NDCG_DEPTH = 10
MAX_REPORTED_ERRORS = 10


class LabelledQuery(BaseModel):
    """One JSONL line: a query and the ids of the memories that answer it."""

    query: str = Field(min_length=1)
    expected_ids: list[int] = Field(min_length=1)
    scope: str | None = Field(None, description="As recall's scope; default all scopes.")
    kind: Kind | None = None
    tags: list[str] = Field(default_factory=list)
    since: datetime | str | None = None
    until: datetime | str | None = None
    reference_time: datetime | str | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return clean_tags(value)


FIELDS = tuple(LabelledQuery.model_fields)


class QueryResult(BaseModel):
    query: str
    expected_ids: list[int]
    ranks: list[int | None] = Field(description="Rank (1-based) of each expected id, or None.")
    scores: dict[str, float]
    latency_ms: float


class EvalReport(BaseModel):
    queries: int
    mode: str = Field(description="hybrid, or keyword when semantic search was off.")
    metrics: dict[str, float] = Field(description="Mean R@1/5/10/20 and NDCG@10 over queries.")
    latency_p50_ms: float
    latency_p95_ms: float
    results: list[QueryResult]


LONGEST_LINE = 1_048_576  # a query, its filters and its expected ids fit with room to spare


def parse_queries(lines: Iterable[str]) -> list[LabelledQuery]:
    """Every non-blank line validated first; any bad line refuses the whole file."""
    queries: list[LabelledQuery] = []
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            found = read_json(line)
            unknown = [k for k in found if k not in FIELDS] if isinstance(found, dict) else []
            if unknown:  # `"limit": 5` was dropped: the line ran as if it were not there
                names = ", ".join(inputs.shown(name) for name in unknown)
                errors.append(f"line {number}: unknown field {names} (known: {', '.join(FIELDS)})")
                continue
            queries.append(LabelledQuery.model_validate(found))
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: not JSON ({json_problem(exc, one_line=True)})")
        except ValidationError as exc:
            errors.append(f"line {number}: {validation_problems(exc.errors(), inputs.shown)}")
    if errors:
        more = len(errors) - MAX_REPORTED_ERRORS
        tail = f"\n... and {more} more" if more > 0 else ""
        shown = "\n".join(errors[:MAX_REPORTED_ERRORS])
        raise InvalidInput(f"No queries run: {len(errors)} invalid line(s).\n{shown}{tail}")
    if not queries:
        raise InvalidInput(
            "The file has no queries: write one JSON object per line, e.g. "
            '{"query": "which editor?", "expected_ids": [12]}.'
        )
    return queries


def recall_at(ranked: Sequence[Hashable], gold: Iterable[Hashable], k: int) -> float:
    """Share of the expected items found in the first k."""
    wanted = set(gold)
    return len(wanted.intersection(ranked[:k])) / len(wanted)


def ndcg_at(ranked: Sequence[Hashable], gold: Iterable[Hashable], k: int) -> float:
    """Binary-relevance NDCG: 1 when every expected item leads the ranking."""
    wanted = set(gold)
    dcg = sum(1 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in wanted)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(wanted), k)))
    return dcg / ideal


def score(ranked: Sequence[Hashable], gold: Iterable[Hashable]) -> dict[str, float]:
    wanted = set(gold)
    row = {f"R@{k}": recall_at(ranked, wanted, k) for k in KS}
    row[f"NDCG@{NDCG_DEPTH}"] = ndcg_at(ranked, wanted, NDCG_DEPTH)
    return row


def mean_scores(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]} if rows else {}


def result(query: LabelledQuery, ranked: Sequence[int], latency_ms: float) -> QueryResult:
    position = {memory_id: i + 1 for i, memory_id in enumerate(ranked)}
    return QueryResult(
        query=query.query,
        expected_ids=query.expected_ids,
        ranks=[position.get(i) for i in query.expected_ids],
        scores=score(ranked, query.expected_ids),
        latency_ms=round(latency_ms, 3),
    )


def report(results: list[QueryResult], mode: str) -> EvalReport:
    latencies = [r.latency_ms for r in results]
    p50, p95 = np.percentile(latencies, [50, 95])
    return EvalReport(
        queries=len(results),
        mode=mode,
        metrics=mean_scores([r.scores for r in results]),
        latency_p50_ms=round(float(p50), 2),
        latency_p95_ms=round(float(p95), 2),
        results=results,
    )


def recall_arguments(query: LabelledQuery) -> dict[str, Any]:
    """Keyword arguments for MemoryService.recall: all scopes unless the line names one."""
    return {
        "query": query.query,
        "limit": DEPTH,
        "scope": query.scope or "*",
        "kind": query.kind,
        "tags": query.tags or None,
        "since": query.since,
        "until": query.until,
        "reference_time": query.reference_time,
    }
