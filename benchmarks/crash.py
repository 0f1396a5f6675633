"""Crash safety: kill -9 in the middle of imports, single writes, a migration, a reindex, a
keyword-index rebuild and a backup.

    uv run python benchmarks/crash.py [--runs 50] [--model-dir DIR | --keyword-only]

Each scenario kills a real process with SIGKILL at a random moment while it writes, then
checks the file: it opens, `PRAGMA integrity_check` and the FTS integrity-check are ok,
memories / full-text / vector counts agree (no orphan vector, no memory without its text
index), every write the process acknowledged before dying is there exactly once, nothing
half-written exists (an import batch is all or nothing), and the interrupted work resumes:
re-running the import completes it without duplicates, the migration finishes on the next
open, and `reindex` picks up where it stopped. A killed keyword-index rebuild leaves the old
index serving and the next rebuild finishes it; a killed backup (or migration copy) leaves a
hidden partial file that the next backup (or open) removes. tests/test_crash.py runs a few of
each.
"""

import argparse
import contextlib
import json
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memory_mcp.service.transfer import IMPORT_BATCH
from memory_mcp.storage.sqlite import db
from memory_mcp.storage.sqlite.maintenance import KEYWORD_INDEXES
from memory_mcp.storage.sqlite.migrations import MIGRATIONS

CLI = [sys.executable, "-m", "memory_mcp"]


@dataclass
class Outcome:
    scenario: str
    runs: int = 0
    killed_mid_write: int = 0
    problems: list[str] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)


def environment(db_path: Path, model_dir: Path | None, workdir: Path) -> dict[str, str]:
    empty = workdir / "no-model"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    return env | {"MEMORY_MCP_DB": str(db_path), "MEMORY_MCP_MODEL_DIR": str(model_dir or empty)}


_EXISTS = "select count(*) from sqlite_master where name = :name"


def check_file(
    path: Path, expect_vectors: bool, logged: bool = True
) -> tuple[dict[str, int], list[str]]:
    """Opens, integrity ok, FTS ok, counts agree, and (`logged`) every memory has its
    create/import history entry, written in the same transaction. Returns (counts, problems)."""
    problems = []
    conn = db.connect(path)
    try:
        integrity = "; ".join(str(r[0]) for r in conn.execute("pragma integrity_check"))
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        if db.schema_version(conn) == 0:
            return {"memories": 0, "fts": 0, "vec": 0}, problems
        # Older schemas (a migration killed midway) have one keyword index, newer ones two.
        indexes = [i for i in KEYWORD_INDEXES if db.scalar(conn, _EXISTS, {"name": i})]
        try:
            for i in indexes:
                conn.execute(f"insert into {i} ({i}, rank) values ('integrity-check', 1)")
        except db.DatabaseError as exc:
            problems.append(f"FTS integrity-check: {exc}")
        has_vec = db.scalar(conn, "select count(*) from sqlite_master where name = 'memories_vec'")
        has_log = db.scalar(conn, "select count(*) from sqlite_master where name = 'history'")
        counts = {
            "memories": db.scalar(conn, "select count(*) from memories"),
            "fts": sum(db.scalar(conn, f"select count(*) from {i}_docsize") for i in indexes),
            "vec": db.scalar(conn, "select count(*) from memories_vec") if has_vec else 0,
            "orphans": db.scalar(
                conn,
                "select count(*) from memories_vec v where not exists "
                "(select 1 from memories m where m.id = v.memory_id)",
            )
            if has_vec
            else 0,
            "unlogged": db.scalar(
                conn,
                "select count(*) from memories m where not exists (select 1 from history h "
                "where h.memory_id = m.id and h.action in ('create', 'import'))",
            )
            if has_log
            else 0,
        }
    finally:
        conn.close()
    if counts["fts"] != counts["memories"]:
        problems.append(f"full-text rows {counts['fts']} != memories {counts['memories']}")
    if counts["orphans"]:
        problems.append(f"{counts['orphans']} vectors without a memory")
    if logged and counts["unlogged"]:
        problems.append(f"{counts['unlogged']} memories without their history entry")
    if expect_vectors and counts["vec"] != counts["memories"]:
        problems.append(f"vectors {counts['vec']} != memories {counts['memories']}")
    return counts, problems


def contents(path: Path) -> Counter[str]:
    conn = db.connect(path)
    try:
        return Counter(str(r[0]) for r in conn.execute("select content from memories"))
    finally:
        conn.close()


def count_rows(path: Path, table: str = "memories") -> int:
    conn = db.connect(path)
    try:
        has = db.scalar(conn, "select count(*) from sqlite_master where name = :t", {"t": table})
        return int(db.scalar(conn, f"select count(*) from {table}")) if has else 0
    except db.DatabaseError:
        return 0
    finally:
        conn.close()


def kill_when(
    proc: subprocess.Popen[Any],
    ready: Callable[[], bool],
    rng: random.Random,
    extra: float = 0.25,
) -> bool:
    """SIGKILL once `ready()` (work under way) plus up to `extra` seconds; False if it ended
    first."""
    deadline = time.monotonic() + 120
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.005)
    time.sleep(rng.uniform(0, extra))
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    return alive


# -- bulk import ------------------------------------------------------------------------------


def import_file(path: Path, start: int, count: int) -> list[str]:
    """An export-style JSONL (with ids, so re-running resumes without duplicates)."""
    made = []
    with path.open("w", encoding="utf-8") as fh:
        for memory_id in range(start, start + count):
            content = f"Imported memory {memory_id} about crash safety, batch {memory_id // 97}."
            made.append(content)
            fh.write(json.dumps({"id": memory_id, "content": content, "scope": "crash"}) + "\n")
    return made


def crash_imports(workdir: Path, runs: int, model_dir: Path | None, seed: int) -> Outcome:
    out = Outcome("bulk import")
    rng = random.Random(seed)
    path = workdir / "import.db"
    env = environment(path, model_dir, workdir)
    per_file = IMPORT_BATCH * 8
    for run in range(runs):
        out.runs += 1
        jsonl = workdir / "import.jsonl"
        expected = import_file(jsonl, 1 + run * per_file, per_file)
        before = count_rows(path)
        proc = subprocess.Popen(
            [*CLI, "import", str(jsonl)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        killed = kill_when(proc, lambda before=before: count_rows(path) > before, rng, 0.4)
        after = count_rows(path)
        out.killed_mid_write += killed and before < after < before + per_file
        added = after - before
        _, problems = check_file(path, model_dir is not None)
        if added % IMPORT_BATCH and added != per_file:
            problems.append(f"{added} rows imported, not whole batches")
        out.notes[f"batches landed before the kill: {added // IMPORT_BATCH}"] += 1
        resumed = subprocess.run([*CLI, "import", str(jsonl)], env=env, capture_output=True)
        if resumed.returncode != 0:
            problems.append(f"re-running the import failed: {resumed.stderr[-300:]!r}")
        seen = contents(path)
        if any(seen[c] != 1 for c in expected):
            problems.append("after resuming, imported memories missing or doubled")
        problems += check_file(path, model_dir is not None)[1]
        out.problems += [f"run {run}: {p}" for p in problems]
    return out


# -- single writes through the MCP server ------------------------------------------------------


class RawServer:
    """`memory-mcp serve` over stdio, spoken to in raw JSON-RPC lines from a thread."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [*CLI, "serve"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.replies.put(json.loads(line))
        self.replies.put(None)

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return None
        return self.replies.get(timeout=60)

    def start(self) -> None:
        self.request(
            "initialize",
            {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "crash", "version": "0"},
            },
        )
        assert self.proc.stdin is not None
        self.proc.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        self.proc.stdin.flush()

    def close(self) -> None:
        # Closing stdin flushes what is buffered: a server killed mid-write left a broken
        # pipe, and stdout must be closed all the same (else its reader leaks into later tests).
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(BrokenPipeError):
                    stream.close()


def crash_single_writes(workdir: Path, runs: int, model_dir: Path | None, seed: int) -> Outcome:
    out = Outcome("single writes (MCP server)")
    rng = random.Random(seed)
    path = workdir / "writes.db"
    env = environment(path, model_dir, workdir)
    for run in range(runs):
        out.runs += 1
        server = RawServer(env)
        server.start()
        acked: dict[int, str] = {}
        writing = threading.Event()

        def write_forever(
            server: RawServer = server,
            acked: dict[int, str] = acked,
            run: int = run,
            writing: threading.Event = writing,
        ) -> None:
            n = 0
            while True:
                content = f"Crash run {run} write {n}: the kettle is number {run * 10_000 + n}."
                reply = server.request(
                    "tools/call", {"name": "remember", "arguments": {"content": content}}
                )
                if reply is None or "result" not in reply:
                    return
                result = reply["result"]
                if not result.get("isError"):
                    acked[result["structuredContent"]["id"]] = content
                writing.set()
                n += 1

        thread = threading.Thread(target=write_forever, daemon=True)
        thread.start()
        killed = kill_when(server.proc, writing.is_set, rng)
        thread.join(timeout=10)
        server.close()
        out.killed_mid_write += killed
        seen = contents(path)
        missing = [i for i, c in acked.items() if seen[c] != 1]
        problems = [f"acknowledged write {i} lost or doubled" for i in missing[:5]]
        problems += check_file(path, expect_vectors=False)[1]
        out.notes[f"acknowledged writes per run: {min(len(acked) // 10 * 10, 50)}+"] += 1
        out.problems += [f"run {run}: {p}" for p in problems]
    return out


# -- a schema migration ------------------------------------------------------------------------


def old_database(path: Path, rows: int) -> None:
    """A schema-v1 file with `rows` memories (as written by the first release)."""
    conn = db.connect(path)
    with db.transaction(conn):
        MIGRATIONS[0](conn)
        conn.execute("pragma user_version = 1")
        conn.executemany(
            "insert into memories (content, created_at, updated_at) values (:c, :t, :t)",
            [
                {"c": f"Old memory {i} from version one", "t": "2024-01-01T00:00:00.000000Z"}
                for i in range(rows)
            ],
        )
    conn.close()


def schema_shape(conn: db.Connection) -> set[tuple[str, str]]:
    """Every table, index, trigger and view, and every column of every table."""
    shape = {(str(r[0]), str(r[1])) for r in conn.execute("select type, name from sqlite_master")}
    for (name,) in conn.execute("select name from sqlite_master where type = 'table'"):
        shape |= {
            ("column", f"{name}.{c[1]}") for c in conn.execute(f"pragma table_info('{name}')")
        }
    return shape


def reference_shape(version: int) -> set[tuple[str, str]]:
    """The schema a fresh file has after exactly `version` migration steps."""
    conn = db.connect(":memory:")
    for step in MIGRATIONS[:version]:
        with db.transaction(conn):
            step(conn)
    return schema_shape(conn)


def crash_migrations(workdir: Path, runs: int, rows: int, seed: int) -> Outcome:
    out = Outcome("schema migration")
    rng = random.Random(seed)
    for run in range(runs):
        out.runs += 1
        path = workdir / f"migrate-{run}.db"
        old_database(path, rows)
        env = environment(path, None, workdir)
        proc = subprocess.Popen(
            [*CLI, "stats"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        bak = path.with_name(path.name + ".v1.bak")
        # Kill while it backs up or migrates (the backup is written first, under a temp name).
        started = lambda bak=bak: any(workdir.glob(f".{bak.name}*")) or bak.exists()  # noqa: E731
        killed = kill_when(proc, started, rng, extra=0.6)
        backed_up = bak.exists()
        conn = db.connect(path)
        version = db.schema_version(conn)
        conn.close()
        out.notes["killed " + ("after the backup copy" if backed_up else "during the backup")] += 1
        out.killed_mid_write += killed and version < len(MIGRATIONS)
        out.notes[f"schema version right after the kill: {version}"] += 1
        problems = check_file(path, False, logged=False)[1]
        # Each step and its version bump are one transaction: whatever the version, the
        # schema must be exactly that version's, never a step half applied.
        check = db.connect(path)
        if schema_shape(check) != reference_shape(version):
            problems.append(f"half-migrated: the schema is not version {version}'s")
        check.close()
        if bak.exists() and check_file(bak, False, logged=False)[1]:
            problems.append("the backup copy is damaged")
        finish = subprocess.run([*CLI, "stats"], env=env, capture_output=True)
        conn = db.connect(path)
        if finish.returncode != 0 or db.schema_version(conn) != len(MIGRATIONS):
            problems.append(f"migration did not finish on the next open: {finish.stderr[-300:]!r}")
        elif db.scalar(conn, "select count(*) from memories where content_hash is null"):
            problems.append("migrated rows lack their content hash")
        conn.close()
        if count_rows(path) != rows:
            problems.append(f"{count_rows(path)} memories after migrating, expected {rows}")
        problems += check_file(path, False, logged=False)[1]
        if list(workdir.glob(".migrate-*partial*")):
            problems.append("the killed copy's partial file is still there after the next open")
        out.problems += [f"run {run}: {p}" for p in problems]
        for leftover in workdir.glob("migrate-*"):
            leftover.unlink()
    return out


# -- reindex -----------------------------------------------------------------------------------


def crash_reindex(workdir: Path, runs: int, model_dir: Path, rows: int, seed: int) -> Outcome:
    out = Outcome("reindex")
    rng = random.Random(seed)
    path = workdir / "reindex.db"
    env = environment(path, model_dir, workdir)
    jsonl = workdir / "reindex.jsonl"
    import_file(jsonl, 1, rows)
    subprocess.run([*CLI, "import", str(jsonl)], env=env, check=True, capture_output=True)
    for run in range(runs):
        out.runs += 1
        proc = subprocess.Popen(
            [*CLI, "reindex"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # Under way once the index was reset and refilling has begun.
        killed = kill_when(
            proc, lambda: 0 < count_rows(path, "memories_vec") < rows, rng, extra=1.5
        )
        counts, problems = check_file(path, expect_vectors=False)
        out.killed_mid_write += killed and counts["vec"] < rows
        out.notes[f"vectors left by the kill: {counts['vec'] * 10 // rows * 10}%+"] += 1
        again = subprocess.run([*CLI, "reindex"], env=env, capture_output=True, text=True)
        if again.returncode != 0:
            problems.append(f"reindex after the crash failed: {again.stderr[-300:]}")
        if counts["vec"] < rows and "Resuming" not in again.stderr:
            problems.append("reindex restarted instead of resuming")
        problems += check_file(path, expect_vectors=True)[1]
        out.problems += [f"run {run}: {p}" for p in problems]
    return out


# -- keyword-index rebuild and backup ----------------------------------------------------------

REBUILD = (
    "import sys; from memory_mcp.storage.sqlite import open_store; "
    "open_store(__import__('pathlib').Path(sys.argv[1]), 5000).rebuild_keyword_index()"
)


def has_table(path: Path, name: str) -> bool:
    conn = db.connect(path)
    try:
        found = conn.execute("select 1 from sqlite_master where name = :n", {"n": name})
        return found.fetchone() is not None
    except db.DatabaseError:
        return False
    finally:
        conn.close()


def crash_maintenance(workdir: Path, runs: int, rows: int, seed: int) -> Outcome:
    out = Outcome("keyword rebuild, backup")
    rng = random.Random(seed)
    path = workdir / "maintain.db"
    old_database(path, rows)
    env = environment(path, None, workdir)
    subprocess.run([*CLI, "stats"], env=env, check=True, capture_output=True)  # migrate
    backups = workdir / "backups"
    for run in range(runs):
        out.runs += 1
        rebuild = subprocess.Popen([sys.executable, "-c", REBUILD, str(path)], env=env)
        killed = kill_when(rebuild, lambda: has_table(path, "memories_fts_next"), rng, extra=0.2)
        halfway = has_table(path, "memories_fts_next")
        out.killed_mid_write += killed and halfway
        problems = check_file(path, False, logged=False)[1]  # the old index still serves
        again = subprocess.run(
            [sys.executable, "-c", REBUILD, str(path)], env=env, capture_output=True, text=True
        )
        if again.returncode != 0 or any(has_table(path, f"{i}_next") for i in KEYWORD_INDEXES):
            problems.append(f"the next rebuild did not finish: {again.stderr[-300:]}")
        problems += check_file(path, False, logged=False)[1]
        backup = subprocess.Popen(
            [*CLI, "backup", str(backups / f"b{run}.db")], env=env, stderr=subprocess.DEVNULL
        )
        killed = kill_when(backup, lambda: any(backups.glob(".*.partial")), rng, extra=0.3)
        out.notes["backup killed midway" if killed else "backup finished first"] += 1
        done = subprocess.run([*CLI, "backup", str(backups / "next.db"), "--force"], env=env,
                              capture_output=True, text=True)  # fmt: skip
        if done.returncode != 0:
            problems.append(f"the next backup failed: {done.stderr[-300:]}")
        if list(backups.glob(".*")):
            problems.append(f"left behind: {sorted(p.name for p in backups.glob('.*'))}")
        problems += check_file(backups / "next.db", False, logged=False)[1]
        out.problems += [f"run {run}: {p}" for p in problems]
    return out


# -- main --------------------------------------------------------------------------------------


def print_outcome(outcome: Outcome) -> None:
    verdict = "ok" if not outcome.problems else f"{len(outcome.problems)} PROBLEMS"
    print(
        f"{outcome.scenario:<28} runs {outcome.runs:>3}  killed mid-write "
        f"{outcome.killed_mid_write:>3}  -> {verdict}"
    )
    for note, n in sorted(outcome.notes.items()):
        print(f"    {note}: {n}")
    for problem in outcome.problems[:10]:
        print(f"    ! {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="kills per write scenario")
    parser.add_argument("--migration-runs", type=int, default=10)
    parser.add_argument("--reindex-runs", type=int, default=10)
    parser.add_argument("--maintenance-runs", type=int, default=10)
    parser.add_argument("--model-dir", type=Path, default=os.environ.get("MEMORY_MCP_MODEL_DIR"))
    parser.add_argument("--keyword-only", action="store_true", help="skip the reindex scenario")
    parser.add_argument(
        "--embed-writes", action="store_true", help="imports and writes embed too (slow)"
    )
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    model_dir = None if args.keyword_only else args.model_dir
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="memory-mcp-crash-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        writes_model = model_dir if args.embed_writes else None
        outcomes.append(crash_imports(workdir, args.runs, writes_model, args.seed))
        print_outcome(outcomes[-1])
        outcomes.append(crash_single_writes(workdir, args.runs, writes_model, args.seed))
        print_outcome(outcomes[-1])
        outcomes.append(crash_migrations(workdir, args.migration_runs, 40_000, args.seed))
        print_outcome(outcomes[-1])
        outcomes.append(crash_maintenance(workdir, args.maintenance_runs, 60_000, args.seed))
        print_outcome(outcomes[-1])
        if model_dir is not None:
            outcomes.append(crash_reindex(workdir, args.reindex_runs, model_dir, 600, args.seed))
            print_outcome(outcomes[-1])
        print(f"total {time.perf_counter() - started:.0f} s")
    sys.exit(0 if all(not o.problems for o in outcomes) else 1)


if __name__ == "__main__":
    main()
