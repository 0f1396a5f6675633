"""A few kill -9 runs of each benchmarks/crash.py scenario."""

from pathlib import Path

import pytest

from benchmarks.crash import (
    crash_imports,
    crash_maintenance,
    crash_migrations,
    crash_reindex,
    crash_single_writes,
)

pytestmark = pytest.mark.slow


def test_kill_during_bulk_imports(tmp_path: Path) -> None:
    outcome = crash_imports(tmp_path, runs=2, model_dir=None, seed=1)
    assert not outcome.problems, outcome.problems
    assert outcome.killed_mid_write >= 1


def test_kill_during_single_writes(tmp_path: Path) -> None:
    outcome = crash_single_writes(tmp_path, runs=3, model_dir=None, seed=1)
    assert not outcome.problems, outcome.problems
    assert outcome.killed_mid_write == 3


def test_kill_during_a_migration(tmp_path: Path) -> None:
    outcome = crash_migrations(tmp_path, runs=2, rows=10_000, seed=1)
    assert not outcome.problems, outcome.problems


@pytest.mark.model
def test_kill_during_reindex_then_resume(tmp_path: Path, model_dir: Path) -> None:
    outcome = crash_reindex(tmp_path, runs=1, model_dir=model_dir, rows=300, seed=1)
    assert not outcome.problems, outcome.problems
    assert outcome.killed_mid_write >= 1


def test_kill_during_a_keyword_rebuild_and_a_backup(tmp_path: Path) -> None:
    outcome = crash_maintenance(tmp_path, runs=3, rows=30_000, seed=1)
    assert not outcome.problems, outcome.problems
    assert outcome.killed_mid_write >= 1
