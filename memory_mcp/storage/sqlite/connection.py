"""An SQLite connection of ours and what every part does with one: transactions, read
snapshots, single values, the meta table, the size cap's spare pages, errors in words.

db.py opens it (driver, pragmas, migrations) and names all of this too.
"""

import errno
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlean

from memory_mcp.errors import ReadOnly, StorageError
from memory_mcp.storage.sqlite import faults

logger = logging.getLogger(__name__)


class Connection(sqlean.Connection):
    """An SQLite connection that knows how many pages its size cap keeps spare (see connect)."""

    max_pages: int | None = None  # under a size cap: the file's pages for ordinary writes
    spare_pages = 0
    reserve_bytes = 0
    log_path: Path | None = None  # under a size cap: the write-ahead log, kept to log_limit
    log_limit = 0
    read_only = False  # opened for reading only: the file or its folder is not writable


Row = sqlean.Row
DatabaseError = sqlean.DatabaseError
OperationalError = sqlean.OperationalError


@contextmanager
def spare_room(conn: Connection) -> Iterator[None]:
    """Let the writes inside use the pages the size cap keeps spare (for purge and forget)."""
    if conn.max_pages is None:
        yield
        return
    # Absolute limits, never relative to the current one: SQLite raises max_page_count to
    # the file's size, so a file that grew into the spare pages must not move the cap.
    conn.execute(f"pragma max_page_count = {conn.max_pages + conn.spare_pages}")
    try:
        yield
    finally:
        conn.execute(f"pragma max_page_count = {conn.max_pages}")


def empty_log(conn: Connection) -> bool:
    """Copy the write-ahead log into the file and truncate it to nothing, so text a write
    deleted is in no log frame either. False when another connection's open read kept it."""
    return not scalar(conn, "pragma wal_checkpoint(truncate)")  # its first column: busy


def empty_log_between_writes(path: Path | str, busy_timeout_ms: int) -> bool:
    """empty_log on a connection of its own that never waits, tried again and again until
    `busy_timeout_ms` has passed. A TRUNCATE checkpoint waiting on an open read (another
    process's) holds the write lock meanwhile: every writer waited with it, up to the busy
    timeout (5 s), and on the store's own connection every call of this process did too.
    Each try here gives up at once (it copies what it can, as a passive one), so writers
    and readers go on between tries; False if the read was still open at the end."""
    conn = sqlean.connect(str(path), isolation_level=None, timeout=0, check_same_thread=False)
    try:
        deadline, pause = time.monotonic() + busy_timeout_ms / 1000, 0.002
        while True:
            try:
                busy, _, _ = conn.execute("pragma wal_checkpoint(truncate)").fetchone() or (1, 0, 0)
                if not busy:
                    return True
            except sqlean.OperationalError as exc:  # locked: a writer is committing
                if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                    raise
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
    finally:
        conn.close()


@contextmanager
def storage_errors(path: Path | str | None, busy_timeout_ms: int, doing: str) -> Iterator[None]:
    """Turn the driver's operational errors into a StorageError the reader can act on.

    Integrity and programming errors are bugs of ours and propagate unchanged.
    """
    try:
        yield
    except (sqlean.IntegrityError, sqlean.ProgrammingError, sqlean.InterfaceError):
        raise
    except sqlean.DatabaseError as exc:
        # One class for both backends: a read-only file, like a read-only PostgreSQL role,
        # still reads; only the change is refused.
        kind = ReadOnly if faults.is_read_only(exc, path) else StorageError
        raise kind(faults.describe(exc, path, busy_timeout_ms, doing)) from exc
    except PermissionError as exc:
        raise StorageError(
            f"Cannot {doing} the database {path}: permission denied ({exc.filename}). "
            "memory-mcp needs to read and write the file and its folder."
        ) from exc
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise ReadOnly(
                f"Cannot {doing} the database {path}: {exc.filename} is on a read-only file "
                "system. Nothing was changed; point --db or MEMORY_MCP_DB at a writable place."
            ) from exc
        raise StorageError(f"Cannot {doing} the database {path}: {exc}.") from exc


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""
    started = time.perf_counter()
    conn.execute("begin immediate")
    # benchmarks/stress.py reads this line (at -vv) to report how long writers queue.
    logger.debug("Waited %.3f ms for the write lock", (time.perf_counter() - started) * 1000)
    try:
        yield conn
        conn.execute("commit")
    except BaseException:
        # SQLite may already have rolled back (disk full, I/O error); a failed COMMIT must
        # not leave the transaction open, or every later BEGIN on this connection fails.
        if conn.in_transaction:
            conn.execute("rollback")
        raise
    _trim_log(conn)


def _trim_log(conn: Connection) -> None:
    """Under a size cap, a transaction bigger than the log's share leaves the log past it:
    checkpoint and truncate it at once, so the file and its log are back within the cap."""
    if conn.log_path is None or not conn.log_path.exists():
        return
    if conn.log_path.stat().st_size <= conn.log_limit:
        return
    try:
        conn.execute("pragma wal_checkpoint(truncate)")
    except sqlean.DatabaseError as exc:  # the commit stands; the next checkpoint retries
        logger.debug("Could not trim the write-ahead log: %s", exc)


@contextmanager
def read_snapshot(conn: Connection) -> Iterator[Connection]:
    """BEGIN ... COMMIT around reads: they all see one snapshot, and writers are not held up."""
    conn.execute("begin")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("rollback")
        raise
    if conn.in_transaction:
        conn.execute("commit")


def scalar(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> Any:
    """The first column of the first row of a query that always returns one row."""
    row = conn.execute(sql, params or {}).fetchone()
    assert row is not None, sql
    return row[0]


def meta_value(conn: Connection, key: str) -> str | None:
    """The value `key` has in the `meta` table, or None."""
    row = conn.execute("select value from meta where key = :k", {"k": key}).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(
        "insert into meta (key, value) values (:k, :v) on conflict (key) do update set value = :v",
        {"k": key, "v": value},
    )


def busy_timeout(conn: Connection) -> int:
    return int(scalar(conn, "pragma busy_timeout"))
