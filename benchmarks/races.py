"""Races across processes: the same write, key, correction, batch or import at the same moment.

Each worker process opens its own service on the shared file, then, step after step, waits
at a barrier with the others and makes the same request they all make, and reports what it
got. `check` reads the file afterwards and counts what the promises forbid: a text stored
twice, a key with several current values, a memory replaced more than once, an import item
brought in twice. benchmarks/stress.py prints these figures; tests/service/test_races.py
asserts on them. Workers embed with the real model (`model_dir`), or with a fake that takes
a real model's time (`fake_delay`), or not at all.
"""

import hashlib
import json
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from memory_mcp.config import Settings
from memory_mcp.errors import MemoryMCPError
from memory_mcp.service import MemoryService
from memory_mcp.storage.sqlite import db

REAL_MODEL_SECONDS = 0.02  # all-MiniLM-L6-v2 on one short text, on a laptop core
Outcome = tuple[str, Any]  # (status, or "refused" / "crashed"; id or message)
Step = Callable[[MemoryService, int, int], Any]


class SlowEmbedder:
    """Deterministic 8-d vectors from the words, after a model's delay."""

    model_name = "fake/slow"
    dim = 8

    def __init__(self, delay: float = REAL_MODEL_SECONDS) -> None:
        self.delay = delay

    def load(self) -> None:
        pass

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        time.sleep(self.delay)
        return np.stack([self.embed_query(t) for t in texts]) if texts else np.zeros((0, 8))

    def embed_query(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in text.lower().split():
            digest = hashlib.sha256(word.encode()).digest()
            vec[digest[0] % self.dim] += 1.0 + digest[1] / 255
        return vec / np.linalg.norm(vec)


def same_content(service: MemoryService, rnd: int, worker: int) -> Outcome:
    made = service.remember(f"Round {rnd}: the build server is kestrel-{rnd}", scope="race")
    return made.status, made.id


def same_key(service: MemoryService, rnd: int, worker: int) -> Outcome:
    made = service.remember(
        f"Round {rnd}: the editor is number {worker}", scope="race", key=f"editor.{rnd}"
    )
    return made.status, made.id


REWORDINGS = (
    "Round {rnd}: the build machine is kestrel-{rnd}",
    "Round {rnd}: the build machine is named kestrel-{rnd}",
)  # near duplicates of each other, by the real model (cosine 0.962+) and the fake one


def same_meaning(service: MemoryService, rnd: int, worker: int) -> Outcome:
    made = service.remember(REWORDINGS[worker % 2].format(rnd=rnd), scope="rewording")
    return made.status, made.id


def same_replaces(service: MemoryService, rnd: int, worker: int) -> Outcome:
    made = service.remember(f"Round {rnd}: correction from worker {worker}", replaces=TARGETS[rnd])
    return made.status, made.id


def one_correction(service: MemoryService, rnd: int, worker: int) -> Outcome:
    """Every worker sends the same correction (a client's retries, two agents): the last
    targets, from the end (the first ones are same-replaces')."""
    made = service.remember(f"Round {rnd}: the one correction", replaces=TARGETS[-1 - rnd])
    return made.status, made.id


def same_bulk(service: MemoryService, rnd: int, worker: int) -> Outcome:
    made = service.remember_many([{"content": f"Bulk round {rnd} fact {i}"} for i in range(3)])
    return "bulk", made


def same_import(service: MemoryService, rnd: int, worker: int) -> Outcome:
    fmt, path = IMPORTS[rnd]
    if fmt == "jsonl":
        report: Any = service.import_jsonl(Path(path))
    else:
        report = service.import_from(fmt, Path(path), scope="imported")
    return "imported", report.created


STEPS: dict[str, Step] = {
    "same-content": same_content,
    "same-key": same_key,
    "same-meaning": same_meaning,
    "same-replaces": same_replaces,
    "one-correction": one_correction,
    "same-bulk": same_bulk,
    "same-import": same_import,
}
TARGETS: list[int] = []  # the memory each round corrects (same-replaces)
IMPORTS: list[tuple[str, str]] = []  # the file each round imports (same-import)


def open_service(db: str, model_dir: str | None, fake_delay: float) -> MemoryService:
    if model_dir is not None:
        service = MemoryService.open(Settings(db=Path(db), model_dir=Path(model_dir)))
    elif fake_delay > 0:
        service = MemoryService.open(Settings(db=Path(db)), embedder=SlowEmbedder(fake_delay))
    else:
        return MemoryService.open(Settings(db=Path(db), semantic=False))
    service.semantic.ensure()
    return service


def work(
    db: str,
    steps: list[str],
    worker: int,
    rounds: int,
    shared: tuple[list[int], list[tuple[str, str]]],
    embedding: tuple[str | None, float],
    barrier: Any,
    results: Any,
) -> None:
    TARGETS[:], IMPORTS[:] = shared
    service = open_service(db, *embedding)
    out: dict[str, list[Outcome]] = {step: [] for step in steps}
    try:
        for rnd in range(rounds):
            for step in steps:
                barrier.wait(timeout=60)
                try:
                    out[step].append(STEPS[step](service, rnd, worker))
                except MemoryMCPError as exc:
                    out[step].append(("refused", str(exc)))
                except Exception as exc:  # noqa: BLE001 - a crash is a result to assert on
                    out[step].append(("crashed", f"{type(exc).__name__}: {exc}"))
    finally:
        service.close()
        results.put((worker, out))


def race(
    db: Path,
    steps: list[str],
    workers: int,
    rounds: int,
    targets: list[int] | None = None,
    imports: list[tuple[str, str]] | None = None,
    model_dir: Path | None = None,
    fake_delay: float = 0.0,
) -> dict[str, list[list[Outcome]]]:
    """Run `steps` in `workers` processes for `rounds` rounds, all at once each time.

    Returns, per step, each round's outcomes (one per worker)."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(workers)
    results = ctx.Queue()
    shared = (targets or [], imports or [])
    embedding = (None if model_dir is None else str(model_dir), fake_delay)
    procs = [
        ctx.Process(
            target=work, args=(str(db), steps, w, rounds, shared, embedding, barrier, results)
        )
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    collected = dict(results.get(timeout=240) for _ in procs)
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0, f"a worker exited with {proc.exitcode}"
    return {
        step: [[collected[w][step][rnd] for w in range(workers)] for rnd in range(rounds)]
        for step in steps
    }


# -- the scenarios benchmarks/stress.py runs, and what they count ------------------------------


@dataclass
class WriteRaces:
    """Rounds in which the promises broke (0 everywhere is right), and what it cost."""

    procs: int
    rounds: int
    seconds: float
    text_stored_twice: int = 0  # rounds whose one text ended up in several memories
    most_copies: int = 0
    key_with_several_values: int = 0  # rounds whose key ended with several current values
    most_current_values: int = 0
    replaced_more_than_once: int = 0  # rounds whose memory took several corrections
    most_corrections: int = 0
    refused_corrections: int = 0  # the clear "already replaced" answers
    bulk_text_twice: int = 0
    rewording_kept_twice: int = 0  # rounds whose two wordings of one fact stayed two memories
    crashed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        broken = self.text_stored_twice + self.key_with_several_values
        broken += self.rewording_kept_twice
        return not (
            broken + self.replaced_more_than_once + self.bulk_text_twice + len(self.crashed)
        )


def run_write_races(
    workdir: Path, procs: int, rounds: int, model_dir: Path | None, fake_delay: float = 0.0
) -> WriteRaces:
    """`procs` processes make the same remember (same text; same key; same replaces; same
    remember_many) at the same moment, `rounds` times each; then count on the file."""
    path = workdir / "write-races.db"
    service = MemoryService.open(Settings(db=path, semantic=False))
    targets = [service.remember(f"Round {r}: a mistaken fact").id for r in range(rounds)]
    service.close()
    began = time.perf_counter()
    steps = ["same-content", "same-meaning", "same-key", "same-replaces", "same-bulk"]
    outcomes = race(path, steps, procs, rounds, targets, None, model_dir, fake_delay)
    report = WriteRaces(procs, rounds, time.perf_counter() - began)
    report.crashed = [
        str(o[1]) for per_step in outcomes.values() for got in per_step for o in got
        if o[0] == "crashed"
    ]  # fmt: skip
    conn = db.connect(path)
    try:
        for rnd in range(rounds):
            copies = db.scalar(
                conn, "select count(*) from memories where content = :c",
                {"c": f"Round {rnd}: the build server is kestrel-{rnd}"},
            )  # fmt: skip
            report.text_stored_twice += copies > 1
            report.most_copies = max(report.most_copies, copies)
            current = db.scalar(
                conn, """select count(*) from memories where key = :k
                         and superseded_by is null and forgotten_at is null""",
                {"k": f"editor.{rnd}"},
            )  # fmt: skip
            report.key_with_several_values += current > 1
            report.most_current_values = max(report.most_current_values, current)
            got = outcomes["same-replaces"][rnd]
            accepted = sum(status == "superseded" for status, _ in got)
            report.replaced_more_than_once += accepted > 1
            report.most_corrections = max(report.most_corrections, accepted)
            report.refused_corrections += sum(status == "refused" for status, _ in got)
            bulk = db.scalar(
                conn, """select coalesce(max(n), 0) from (select count(*) as n from memories
                         where content like :c group by content)""",
                {"c": f"Bulk round {rnd} fact %"},
            )  # fmt: skip
            report.bulk_text_twice += bulk > 1
            kept = db.scalar(
                conn, "select count(*) from memories where scope = 'rewording' and content like :c",
                {"c": f"Round {rnd}: %"},
            )  # fmt: skip
            report.rewording_kept_twice += kept > 1 and (model_dir is not None or fake_delay > 0)
    finally:
        conn.close()
    return report


@dataclass
class ImportRace:
    fmt: str
    items: int
    created: int  # by both processes together
    doubled: int  # items stored more than once
    seconds: float
    crashed: list[str]

    @property
    def ok(self) -> bool:
        return self.created == self.items and not self.doubled and not self.crashed


def run_import_races(workdir: Path, items: int, model_dir: Path | None) -> list[ImportRace]:
    """Two processes import the same file at once, into a file that holds a memory already
    (so a JSONL file's first id is taken), for each of mem0, kg-jsonl and JSONL."""
    reports = []
    for fmt, source in import_files(workdir, items).items():
        path = workdir / f"import-race-{fmt}.db"
        service = MemoryService.open(Settings(db=path, semantic=False))
        service.remember("Already here before the import")
        service.close()
        began = time.perf_counter()
        [got] = race(path, ["same-import"], 2, 1, None, [(fmt, str(source))], model_dir)[
            "same-import"
        ]
        conn = db.connect(path)
        doubled = db.scalar(
            conn, """select coalesce(sum(n - 1), 0) from (select count(*) as n from memories
                     group by scope, content_hash)""",
        )  # fmt: skip
        conn.close()
        reports.append(
            ImportRace(
                fmt,
                items,
                sum(n for status, n in got if status == "imported"),
                doubled,
                time.perf_counter() - began,
                [str(m) for status, m in got if status == "crashed"],
            )  # fmt: skip
        )
    return reports


def import_files(workdir: Path, items: int) -> dict[str, Path]:
    """The same `items` facts as a mem0 export, a knowledge-graph file and our JSONL."""
    texts = [
        f"Imported fact {i}: the {WORDS[i % len(WORDS)]} ledger is {i * 7}" for i in range(items)
    ]
    mem0 = workdir / "race-mem0.json"
    mem0.write_text(json.dumps({"results": [
        {"id": f"m-{i}", "memory": text} for i, text in enumerate(texts)
    ]}))  # fmt: skip
    kg = workdir / "race-kg.jsonl"
    kg.write_text("".join(
        json.dumps({"type": "entity", "name": f"E{i}", "entityType": "fact",
                    "observations": texts[i : i + 2]}) + "\n"
        for i in range(0, items, 2)
    ))  # fmt: skip
    jsonl = workdir / "race.jsonl"
    jsonl.write_text("".join(
        json.dumps({"id": i + 1, "content": text, "scope": "imported"}) + "\n"
        for i, text in enumerate(texts)
    ))  # fmt: skip
    return {"mem0": mem0, "kg-jsonl": kg, "jsonl": jsonl}


WORDS = ["amber", "basalt", "cobalt", "delta", "ember", "fjord", "granite", "harbor"]


def print_write_races(report: WriteRaces) -> None:
    r = report
    print(
        f"write races: {r.procs} processes x {r.rounds} rounds of the same remember at once "
        f"(text, rewording, key, replaces, remember_many), {r.seconds:.1f} s"
    )
    print(
        f"  same text stored twice in {r.text_stored_twice}/{r.rounds} rounds (most copies "
        f"{r.most_copies}); key with several current values in {r.key_with_several_values}/"
        f"{r.rounds} (most {r.most_current_values}); memory replaced more than once in "
        f"{r.replaced_more_than_once}/{r.rounds} (most {r.most_corrections}; refused "
        f"{r.refused_corrections}); batch text stored twice in {r.bulk_text_twice}/{r.rounds}; "
        f"two wordings kept apart in {r.rewording_kept_twice}/{r.rounds}; "
        f"crashed {len(r.crashed)}"
    )


def print_import_races(reports: list[ImportRace]) -> None:
    for r in reports:
        print(
            f"import race: {r.fmt} file of {r.items} items imported by 2 processes at once: "
            f"created {r.created}, stored twice {r.doubled}, crashed {len(r.crashed)}, "
            f"{r.seconds:.1f} s" + (f" ({r.crashed[0][:120]})" if r.crashed else "")
        )
