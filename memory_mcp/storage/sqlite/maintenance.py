"""Checks and repairs: row counts for drift, integrity, rebuilds, backup."""

import logging
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path

from memory_mcp.errors import StorageError, stopped_partway
from memory_mcp.storage.contract import Counts
from memory_mcp.storage.sqlite import (
    ftscheck,
    ftsmerge,
    ftsrebuild,
    ftsrestore,
    indexparts,
    room,
    vectors,
)
from memory_mcp.storage.sqlite.base import SqliteBase
from memory_mcp.storage.sqlite.companions import WAL, beside
from memory_mcp.storage.sqlite.db import (
    Connection,
    DatabaseError,
    connect,
    read_snapshot,
    scalar,
    storage_errors,
)
from memory_mcp.storage.sqlite.db import backup_copy as db_backup_copy
from memory_mcp.storage.sqlite.fts import KEYWORD_INDEXES

logger = logging.getLogger(__name__)

FTS_CHECKS = ftscheck.CHECKS  # FTS5's full check of each, in place
REBUILD_SECONDS = 0.1  # aimed length of one keyword-rebuild transaction
REBUILD_FIRST_ROWS = 200
REBUILD_MIN_ROWS = 20
REBUILD_AGAIN = "run `memory-mcp reindex` (or `memory-mcp doctor --repair`) again: it carries on"

# All rows, forgotten ones and superseded ones: one pass over `memories`.
_MEMORY_ROWS = "select count(*), count(forgotten_at), count(superseded_by) from memories"
_ORPHAN_VECTORS = """
    select count(*) from memories_vec v
    where not exists (select 1 from memories m where m.id = v.memory_id)
"""


class SqliteMaintenance(SqliteBase):
    def counts(self) -> Counts:
        """Row counts of the source table and both indexes (for drift checks and stats), all
        from one read transaction: a write committed between two counts is not drift."""

        def fetch(c: Connection) -> Counts:
            def one(sql: str) -> int:
                return int(scalar(c, sql))

            with read_snapshot(c):
                has_vectors = vectors.readable(c)
                rows = c.execute(_MEMORY_ROWS).fetchone()
                assert rows is not None
                return {
                    "memories": int(rows[0]),
                    "forgotten": int(rows[1]),
                    "superseded": int(rows[2]),
                    "fts": one(_fts_rows(c)),
                    "vec": one("select count(*) from memories_vec") if has_vectors else 0,
                    "orphan_vec": one(_ORPHAN_VECTORS) if has_vectors else 0,
                }

        return self._read(fetch)

    def size_bytes(self) -> int:
        """Size on disk of the database file and its write-ahead log."""
        if self.path is None:
            return 0
        files = (self.path, beside(self.path, WAL))
        return sum(f.stat().st_size for f in files if f.exists())

    def integrity_check(self) -> str:
        """PRAGMA integrity_check, on a connection of its own when there is a file.

        The pragma also checks the FTS5 index, but with what FTS5 cached on this connection
        in an earlier transaction: after another process wrote, a healthy index would be
        reported malformed. A fresh connection has nothing cached.
        """
        if self.path is None:
            return self._read(_integrity)
        with (
            storage_errors(self.path, self._busy_ms, "check"),
            closing(connect(self.path, self._busy_ms)) as conn,
        ):
            return _integrity(conn)

    def keyword_index_ok(self) -> bool:
        """Whether both keyword indexes hold exactly the words of `memories` (FTS5's full
        check). A file is checked on a snapshot copy (ftscheck.py), through a connection of
        its own: the check reads the whole index, and writers must not wait for it. Without
        room for the copy, or without a file, it runs in place, holding the write lock."""
        if self.missing_index_parts():
            return False
        if self.path is not None:
            try:
                with (
                    storage_errors(self.path, self._busy_ms, "check"),
                    closing(connect(self.path, self._busy_ms)) as conn,
                ):
                    # A read-only folder cannot hold the copy (nor can the file be checked
                    # in place, which writes): the copy goes to the temporary folder.
                    elsewhere = Path(tempfile.gettempdir()) if conn.read_only else None
                    return ftscheck.index_matches_source(conn, self.path, elsewhere)
            except ftscheck.NoScratchSpace as exc:
                logger.info("Checking the keyword index in place: no scratch copy (%s)", exc)
        try:
            with self._write() as c:
                for sql in FTS_CHECKS:
                    c.execute(sql)
        except Exception:  # noqa: BLE001 - FTS5 reports corruption as a generic error
            return False
        return True

    def rebuild_keyword_index(self) -> None:
        """Rebuild both keyword indexes from `memories` in short transactions
        (ftsrebuild.py), pausing between them so other writers get the lock: none waits
        longer than about one batch (REBUILD_SECONDS). An index a hand dropped part of is
        made again whole, in one transaction (ftsrestore.py)."""
        with self._write(check_parts=False) as c:  # what it makes again
            made = ftsrestore.restore(c)
        for index in (i for i in KEYWORD_INDEXES if i not in made):
            try:
                self._rebuild_one(index)
            except StorageError as exc:
                raise self._rebuild_stopped(exc, index) from exc

    def _rebuild_stopped(self, exc: StorageError, index: str) -> StorageError:
        """A rebuild that failed (a full disk, the size cap) once it had started copying:
        what it copied stays, and the next rebuild carries on from there (ftsrebuild.py)."""
        try:
            left = self._read(partial(ftsrebuild.left_behind, index=index))
        except StorageError:
            left = None
        if left is None:
            return exc
        copied, total = left
        return stopped_partway(
            exc,
            f"The {copied} of {total} memories copied so far into a new keyword index (it "
            "takes room in the file; searches use the current index until it is complete)",
            "keyword index rebuild",
            REBUILD_AGAIN,
        )

    def missing_index_parts(self) -> list[str]:
        """The parts of the keyword and vector indexes a hand dropped, the guards writers
        rely on, and the parts out of date (doctor --repair makes them again)."""
        return self._read(indexparts.doctor_finds)

    def lacking_privileges(self) -> list[str]:
        """None: a file has no roles (a read-only file is refused as such)."""
        return []

    def restore_index_parts(self) -> list[str]:
        """Make the dropped parts again, in one transaction: a keyword index whole, filled
        from `memories`; the vector index's log or triggers, or a new empty index (every
        memory then waits for its vector)."""
        with self._write(check_parts=False) as c:  # what it makes again
            return indexparts.restore(c)

    def compact_keyword_index(self, written: int) -> None:
        """After a bulk write of `written` rows: merge the FTS5 segments it left, when it
        added enough of an index (ftsmerge.py), a bounded step a transaction, pausing
        between steps so other writers get the lock."""
        try:
            for index in KEYWORD_INDEXES:
                steps = self._read(partial(ftsmerge.due, index=index, written=written))
                for _ in range(steps):
                    with self._write() as c:
                        started = time.perf_counter()
                        merged = ftsmerge.step(c, index)
                    if not merged:
                        break
                    time.sleep((time.perf_counter() - started) * random.uniform(0.5, 1.0))
        except StorageError as exc:  # best effort: the write is stored; automerge goes on
            logger.info("Could not merge the keyword index after a bulk write: %s", exc)

    def _rebuild_one(self, index: str) -> None:
        with self._write() as c:
            ftsrebuild.start(c, index)
        rows = REBUILD_FIRST_ROWS
        while True:
            with self._write() as c:
                # Timed from the lock: the batch is sized by its own work and commit, not
                # by how long other writers kept the lock first.
                started = time.perf_counter()
                copied = ftsrebuild.step(c, index, rows)
            spent = time.perf_counter() - started
            if copied is None:
                return  # another rebuild swapped it in
            if copied < rows:
                break
            rows = max(
                REBUILD_MIN_ROWS, min(rows * 4, int(rows * REBUILD_SECONDS / max(spent, 1e-6)))
            )
            time.sleep(spent * random.uniform(0.5, 1.0))  # jittered: no lockstep with pollers
        with self._write() as c:
            ftsrebuild.finish(c, index)

    def delete_orphan_vectors(self) -> int:
        with self._write() as c:
            if not vectors.has_table(c):
                return 0
            cur = c.execute(
                """delete from memories_vec where memory_id not in (select id from memories)"""
            )
            vectors.bump_generation(c)
            return int(cur.rowcount)

    def backup(
        self, dest: Path, progress: Callable[[int, int], None] | None = None
    ) -> tuple[int, str]:
        """Copy the database to `dest` from one read snapshot; (memories, integrity) of the
        copy. A file is copied through a connection of its own, so this store's other
        callers are not held up meanwhile."""
        with storage_errors(self.path, self._busy_ms, "back up"), _room_at(dest):
            if self.path is None:
                with self._lock:
                    db_backup_copy(self.conn, dest, progress)
            else:
                with closing(connect(self.path, self._busy_ms)) as source:
                    db_backup_copy(source, dest, progress)
        with (
            closing(connect(dest, self._busy_ms)) as copy,
            storage_errors(dest, self._busy_ms, "check the backup"),
        ):
            return int(scalar(copy, "select count(*) from memories")), _integrity(copy)

    def identity(self) -> str:
        """The file's device and inode: every path to it (a link, another spelling of the
        folder) gives the same. A database in memory is only itself."""
        if self.path is None or str(self.path) == ":memory:":
            return f"sqlite:memory:{id(self)}"
        found = self.path.stat()
        return f"sqlite:{found.st_dev}:{found.st_ino}"

    def vector_metadata_drift(self) -> int:
        """Vectors whose filter metadata no longer matches their memory."""

        def count(c: Connection) -> int:
            if not vectors.has_table(c):
                return 0
            return int(scalar(c, vectors.DRIFT_COUNT))

        return self._read(count)

    def resync_vector_metadata(self) -> None:
        """Copy each memory's filterable fields into the vec0 metadata again."""
        with self._write() as c:
            if vectors.has_table(c):
                vectors.resync_metadata(c)


def _integrity(c: Connection) -> str:
    """PRAGMA integrity_check's lines, joined ("ok" when all is well). With part of a keyword
    index dropped (FTS5 cannot open it to check it), each ordinary table on its own: the
    missing part is doctor's other finding."""
    if not indexparts.missing(c):
        return "; ".join(str(r[0]) for r in c.execute("pragma integrity_check"))
    tables = c.execute(
        "select name from sqlite_master where type = 'table' and sql not like 'create virtual%'"
    ).fetchall()
    found = [str(r[0]) for t in tables for r in c.execute(f"pragma integrity_check('{t[0]}')")]
    return "; ".join(line for line in found if line != "ok") or "ok"


@contextmanager
def _room_at(dest: Path) -> Iterator[None]:
    """A copy that fills the destination's disk says so: SQLite's "database or disk is full"
    would otherwise be read as the database's own disk or size cap."""
    try:
        yield
    except DatabaseError as exc:
        if "full" in str(exc).lower() and room.disk_full(dest):
            raise StorageError(
                f"Cannot back up to {dest}: the disk there is full. Nothing was written (the "
                "database is unchanged); free space there, or back up to another disk."
            ) from exc
        raise


def _fts_rows(c: Connection) -> str:
    """Rows of both keyword indexes together, but for one a hand dropped part of (none)."""
    gone = ftsrestore.missing(c)
    held = [i for i in KEYWORD_INDEXES if not {n for _, n in ftsrestore.parts(i)} & set(gone)]
    return "select " + (" + ".join(f"(select count(*) from {i}_docsize)" for i in held) or "0")
