"""A small run of benchmarks/stress.py: server processes and a CLI import on one file."""

from pathlib import Path

import pytest

from benchmarks.stress import run_stress


@pytest.mark.slow
def test_many_servers_and_an_import_lose_nothing(tmp_path: Path) -> None:
    report = run_stress(procs=4, writes=25, import_count=300, workdir=tmp_path, model_dir=None)
    assert report.ok, report.problems
    assert report.checks["memories"] == report.checks["expected"] == 4 * 25 + 300
    assert report.checks["integrity"] == "ok" and report.checks["fts_ok"]
    assert sum(len(log.forgotten) for log in report.logs) > 0
    assert sum(len(log.replaced) for log in report.logs) > 0
    assert report.lock_waits_ms, "no write-lock wait was logged"
