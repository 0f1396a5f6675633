"""Decisions that depend on stored rows, taken by several processes at the same moment.

Six processes wait at a barrier and then make the same request, round after round: store
the same content, give the same key a value, correct the same memory, store the same batch.
Whatever the interleaving, the file must end with one copy of the content, one current
value per key, every memory replaced at most once, and every batch's texts once. The same
import run twice at once must bring each item in once. The workers are benchmarks/races.py's
(benchmarks/stress.py prints the same scenarios' figures at a larger size).
"""

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from benchmarks.races import REAL_MODEL_SECONDS, Outcome, race
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from memory_mcp.storage.sqlite import db

pytestmark = pytest.mark.slow
WORKERS, ROUNDS = 6, 8


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = db.connect(path)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def no_crash(rounds: list[list[Outcome]]) -> None:
    crashed = [o for outcomes in rounds for o in outcomes if o[0] == "crashed"]
    assert not crashed, crashed[:3]


@pytest.fixture(scope="module")
def raced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int], dict[str, Any]]:
    """One run of every racing step (one set of processes for the whole module)."""
    path = tmp_path_factory.mktemp("race") / "race.db"
    service = MemoryService.open(Settings(db=path, semantic=False))
    targets = [service.remember(f"Round {r}: a mistaken fact").id for r in range(2 * ROUNDS)]
    service.close()
    steps = ["same-content", "same-meaning", "same-key", "same-replaces", "one-correction"]
    steps.append("same-bulk")
    # The workers' fake embedder takes a real model's time: the gap between a read and the
    # write it decides is as wide as in a real server.
    return path, targets, race(path, steps, WORKERS, ROUNDS, targets, fake_delay=REAL_MODEL_SECONDS)


def test_the_same_content_at_once_is_stored_once(raced: tuple[Path, list[int], Any]) -> None:
    path, _, outcomes = raced
    no_crash(outcomes["same-content"])
    copies = rows(
        path, "select count(*), max(repeat_count) from memories where scope = 'race' and "
        "key is null group by content_hash",
    )  # fmt: skip
    assert copies == [(1, WORKERS)] * ROUNDS
    for rnd, got in enumerate(outcomes["same-content"]):
        assert Counter(s for s, _ in got) == {"created": 1, "duplicate": WORKERS - 1}, (rnd, got)
        assert len({memory_id for _, memory_id in got}) == 1  # all name the one memory


def test_two_rewordings_at_once_are_merged_into_one(raced: tuple[Path, list[int], Any]) -> None:
    """Half the processes store one wording, half another of the same fact, at once: one
    memory holds them all (the later rewording folds into the earlier, whichever commits
    first), as when one process stores them one after the other."""
    path, _, outcomes = raced
    no_crash(outcomes["same-meaning"])
    kept = rows(
        path, "select substr(content, 1, 9), count(*), sum(repeat_count) from memories "
        "where scope = 'rewording' and forgotten_at is null group by 1 order by 1",
    )  # fmt: skip
    assert kept == sorted((f"Round {r}: ", 1, WORKERS) for r in range(ROUNDS))


def test_the_same_key_at_once_keeps_one_current_value(raced: tuple[Path, list[int], Any]) -> None:
    path, _, outcomes = raced
    no_crash(outcomes["same-key"])
    for rnd in range(ROUNDS):
        chain = rows(
            path,
            f"""select id, superseded_by, forgotten_at from memories
                where key = 'editor.{rnd}' order by id""",
        )
        # Every value was stored; each one superseded the value current when it landed.
        assert len(chain) == WORKERS
        assert [by for _, by, _ in chain] == [i for i, _, _ in chain[1:]] + [None]
        statuses = Counter(s for s, _ in outcomes["same-key"][rnd])
        assert statuses == {"created": 1, "superseded": WORKERS - 1}, statuses


def test_the_same_memory_corrected_at_once_is_replaced_once(
    raced: tuple[Path, list[int], Any],
) -> None:
    path, targets, outcomes = raced
    no_crash(outcomes["same-replaces"])
    for rnd, target in enumerate(targets[:ROUNDS]):
        got = outcomes["same-replaces"][rnd]
        accepted = [memory_id for status, memory_id in got if status == "superseded"]
        refused = [message for status, message in got if status == "refused"]
        assert len(accepted) == 1 and len(refused) == WORKERS - 1, got
        assert all(f"Memory {target} was already replaced by" in m for m in refused), refused
        assert rows(path, f"select superseded_by from memories where id = {target}") == [
            (accepted[0],)
        ]
        stored = f"select count(*) from memories where content like 'Round {rnd}: correction%'"
        assert rows(path, stored) == [(1,)]  # a refused correction stores nothing


def test_the_same_correction_at_once_replaces_once_and_refuses_none(
    raced: tuple[Path, list[int], Any],
) -> None:
    """Six writers send one correction at once: one stores it and replaces the memory, the
    others count a repeat of it; none is told "already replaced"."""
    path, targets, outcomes = raced
    no_crash(outcomes["one-correction"])
    for rnd in range(ROUNDS):
        got = outcomes["one-correction"][rnd]
        assert Counter(s for s, _ in got) == {"superseded": 1, "duplicate": WORKERS - 1}, got
        (kept,) = {memory_id for _, memory_id in got}
        target = targets[-1 - rnd]
        assert rows(path, f"select superseded_by from memories where id = {target}") == [(kept,)]
        assert rows(path, f"select repeat_count from memories where id = {kept}") == [(WORKERS,)]


def test_remember_many_at_once_stores_each_text_once(raced: tuple[Path, list[int], Any]) -> None:
    path, _, outcomes = raced
    no_crash(outcomes["same-bulk"])
    copies = rows(
        path,
        """select count(*), max(repeat_count) from memories where content like 'Bulk round%'
           group by content_hash""",
    )
    assert copies == [(1, WORKERS)] * (3 * ROUNDS)
    for got in outcomes["same-bulk"]:
        assert len({tuple(ids) for _, ids in got}) == 1  # every worker got the same ids


def mem0_file(path: Path, count: int) -> Path:
    items = [
        {"id": f"{path.stem}-{i}", "memory": f"Mem0 fact {i} about {path.stem}"}
        for i in range(count)
    ]
    path.write_text(json.dumps({"results": items}))
    return path


def jsonl_file(path: Path, count: int, first_id: int) -> Path:
    lines = [
        json.dumps({"id": first_id + i, "content": f"Exported fact {i} of {path.stem}"})
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("fmt", ["mem0", "jsonl"])
def test_the_same_import_twice_at_once_adds_each_item_once(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "race.db"
    service = MemoryService.open(Settings(db=path, semantic=False))
    service.remember("Already here, so the file's first id is taken")
    service.close()
    rounds, count = 3, 300  # two batches per file
    if fmt == "mem0":
        files = [mem0_file(tmp_path / f"mem0-{r}.json", count) for r in range(rounds)]
    else:
        files = [jsonl_file(tmp_path / f"f{r}.jsonl", count, 1 + r * count) for r in range(rounds)]
    outcomes = race(path, ["same-import"], 2, rounds, imports=[(fmt, str(f)) for f in files])
    no_crash(outcomes["same-import"])
    for got in outcomes["same-import"]:
        assert sum(created for _, created in got) == count, got
    copies = rows(path, "select count(*) from memories group by scope, content_hash")
    assert {n for (n,) in copies} == {1}
    assert len(copies) == 1 + rounds * count
