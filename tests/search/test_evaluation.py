"""Labelled-query evaluation: the metrics, the file format, the service call and the CLI."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.errors import InvalidInput
from memory_mcp.search.evaluation import ndcg_at, parse_queries, recall_at, score
from memory_mcp.service import MemoryService
from tests.memory_style import MEMORIES, QUERIES


def test_recall_at_counts_expected_items_in_the_first_k() -> None:
    assert recall_at([3, 1, 2], {1, 9}, 1) == 0.0
    assert recall_at([3, 1, 2], {1, 9}, 2) == 0.5
    assert recall_at([3, 1, 9], {1, 9}, 3) == 1.0


def test_ndcg_is_one_only_when_expected_items_lead() -> None:
    assert ndcg_at([1, 2, 3], {1, 2}, 10) == pytest.approx(1.0)
    assert 0 < ndcg_at([3, 1, 2], {1, 2}, 10) < 1
    assert ndcg_at([3, 4], {1}, 10) == 0.0
    assert set(score([1], {1})) == {"R@1", "R@5", "R@10", "R@20", "NDCG@10"}


def test_bad_lines_refuse_the_whole_file() -> None:
    lines = ['{"query": "ok", "expected_ids": [1]}', "not json", '{"query": "no ids"}', ""]
    with pytest.raises(InvalidInput) as caught:
        parse_queries(lines)
    assert "line 2" in str(caught.value) and "line 3" in str(caught.value)
    with pytest.raises(InvalidInput, match="no queries"):
        parse_queries(["", "  "])


def test_a_field_no_query_has_refuses_the_file() -> None:
    """`"limit": 5` was dropped without a word, and the line ran as if it were not there."""
    lines = ['{"query": "ok", "expected_ids": [1], "limit": 5, "note": "x"}']
    with pytest.raises(InvalidInput) as caught:
        parse_queries(lines)
    message = str(caught.value)
    assert "line 1: unknown field 'limit', 'note' (known: query, expected_ids, scope" in message


def store_memory_style(service: MemoryService) -> list[int]:
    return service.remember_many([{"content": text, "kind": kind} for text, kind in MEMORIES])


def write_queries(path: Path, memory_ids: list[int]) -> Path:
    lines = [json.dumps({"query": q, "expected_ids": [memory_ids[i]]}) for q, i in QUERIES]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_evaluate_scores_every_query(keyword_service: MemoryService, tmp_path: Path) -> None:
    memory_ids = store_memory_style(keyword_service)
    report = keyword_service.evaluate(write_queries(tmp_path / "q.jsonl", memory_ids))
    assert report.queries == len(QUERIES) and report.mode == "keyword"
    assert set(report.metrics) == {"R@1", "R@5", "R@10", "R@20", "NDCG@10"}
    assert report.metrics["R@20"] >= report.metrics["R@5"] >= report.metrics["R@1"] > 0.5
    staging = report.results[3]  # "staging database version": shares keywords with its answer
    assert staging.expected_ids == [memory_ids[3]] and staging.ranks == [1]
    assert report.latency_p95_ms >= report.latency_p50_ms > 0


def test_evaluate_respects_the_scope_of_a_line(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    a = keyword_service.remember("Deploys run on Fridays", scope="alpha").id
    keyword_service.remember("Deploys run on Fridays too", scope="beta")
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"query": "deploys", "expected_ids": [a], "scope": "alpha"}))
    report = keyword_service.evaluate(path)
    assert report.metrics["R@1"] == 1.0 and report.results[0].ranks == [1]


def test_unreadable_file_is_a_readable_error(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="Cannot read"):
        keyword_service.evaluate(tmp_path / "missing.jsonl")


def test_cli_eval_prints_metrics_and_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    db = tmp_path / "cli.db"
    runner = CliRunner()
    memory_ids = []
    for text, kind in MEMORIES:
        result = runner.invoke(app, ["--db", str(db), "remember", text, "-k", kind, "--json"])
        assert result.exit_code == 0, result.output
        memory_ids.append(json.loads(result.stdout)["id"])
    path = write_queries(tmp_path / "q.jsonl", memory_ids)
    shown = runner.invoke(app, ["--db", str(db), "eval", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "R@5" in shown.stdout and "NDCG@10" in shown.stdout and "p95" in shown.stdout
    as_json = runner.invoke(app, ["--db", str(db), "eval", str(path), "--json"])
    report = json.loads(as_json.stdout)
    assert report["queries"] == len(QUERIES) and 0 < report["metrics"]["R@10"] <= 1
    bad = runner.invoke(app, ["--db", str(db), "eval", str(tmp_path / "nope.jsonl")])
    assert bad.exit_code == 1 and "Cannot read" in bad.stderr
