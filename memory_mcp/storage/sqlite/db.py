"""The one place that knows the SQLite driver: connect, transactions, migrations."""

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlean
import sqlite_vec

from memory_mcp.errors import MemoryMCPError, SchemaMismatch, StorageError
from memory_mcp.storage.sqlite import copies
from memory_mcp.storage.sqlite.migrations import MIGRATIONS

logger = logging.getLogger(__name__)

MMAP_BYTES = 256 * 1024 * 1024

Connection = sqlean.Connection
Row = sqlean.Row
DatabaseError = sqlean.DatabaseError
OperationalError = sqlean.OperationalError


def connect(
    path: Path | str, busy_timeout_ms: int = 5000, max_bytes: int | None = None
) -> Connection:
    """Open (creating if needed, owner-only) the database with our pragmas and sqlite-vec.

    `max_bytes` caps the file's size (SQLite's max_page_count): writes past it fail cleanly.
    """
    with storage_errors(path, busy_timeout_ms, "open"):
        if str(path) != ":memory:":
            path = Path(path).expanduser()
            _create_private(path)
        conn = sqlean.connect(
            str(path),
            isolation_level=None,  # autocommit: transaction() issues BEGIN itself
            check_same_thread=False,  # the SDK runs sync tools on worker threads; store locks
            timeout=busy_timeout_ms / 1000,
        )
        conn.row_factory = sqlean.Row
        conn.execute(f"pragma busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("pragma journal_mode = wal")
        conn.execute("pragma synchronous = normal")  # WAL + normal survives process crashes
        conn.execute("pragma foreign_keys = on")
        # vec0 scans read every vector blob: mapped pages cost ~40% less than the page cache.
        conn.execute(f"pragma mmap_size = {MMAP_BYTES}")
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
        if max_bytes is not None:
            page = int(scalar(conn, "pragma page_size"))
            conn.execute(f"pragma max_page_count = {max(int(max_bytes) // page, 1)}")
    return conn


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
        raise StorageError(describe(exc, path, busy_timeout_ms, doing)) from exc
    except PermissionError as exc:
        raise StorageError(
            f"Cannot {doing} the database {path}: permission denied ({exc.filename}). "
            "memory-mcp needs to read and write the file and its folder."
        ) from exc
    except OSError as exc:
        raise StorageError(f"Cannot {doing} the database {path}: {exc}.") from exc


def describe(exc: Exception, path: Path | str | None, busy_timeout_ms: int, doing: str) -> str:
    """A readable sentence for a SQLite failure: what happened, what to do."""
    text = str(exc)
    low = text.lower()
    where = f"the database {path}" if path else "the database"
    if "locked" in low or "busy" in low:
        return (
            f"Cannot {doing} {where}: another process held its lock for longer than "
            f"{busy_timeout_ms} ms. Nothing was changed; try again, or raise "
            "MEMORY_MCP_BUSY_TIMEOUT_MS."
        )
    if "readonly" in low or "read-only" in low or _read_only(path):
        return (
            f"Cannot {doing} {where}: the file (or its folder, which holds the -wal and -shm "
            "files) is read-only. Nothing was changed; fix its permissions or point "
            "MEMORY_MCP_DB at a writable file."
        )
    if "full" in low:
        return (
            f"Cannot {doing} {where}: the disk is full or the database reached its size limit "
            "(MEMORY_MCP_MAX_DB_MB). Nothing was changed; free disk space, raise the limit, or "
            "`memory-mcp purge` memories you no longer need."
        )
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (
            f"Cannot {doing} {where}: the file is damaged or not a memory-mcp database "
            f"({text}). Restore a backup (memory-mcp backup), or run `memory-mcp doctor`."
        )
    if "unable to open" in low:
        return f"Cannot {doing} {where}: unable to open the file (missing folder or no access)."
    if "dimension mismatch" in low:
        return (
            f"Cannot {doing} {where}: its vector index was rebuilt for another embedding model "
            "(by `memory-mcp reindex`?) while this process kept the old one. Restart this "
            "server or command with the model the index was built for."
        )
    if "disk i/o" in low:
        return f"Cannot {doing} {where}: the disk reported an I/O error ({text})."
    return f"Cannot {doing} {where}: {text.rstrip('.')}."


def connect_readonly(path: Path | str) -> Connection:
    """Open another program's SQLite file read-only: it, and its folder, are never changed.

    Without a write-ahead log next to it the file is complete and opened `immutable` (else
    SQLite would leave empty -wal/-shm files behind); with one, its owner may be running, so
    it is opened `mode=ro` and reads the log too.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise MemoryMCPError(f"No such file: {path}")
    wal = path.with_name(path.name + "-wal").exists()
    try:
        options = "mode=ro" if wal else "mode=ro&immutable=1"
        conn = sqlean.connect(f"{path.resolve().as_uri()}?{options}", uri=True)
        conn.row_factory = sqlean.Row
        conn.execute("pragma query_only = on")
        conn.execute("select count(*) from sqlite_master").fetchone()  # "not a database"?
    except sqlean.DatabaseError as exc:
        raise MemoryMCPError(f"Cannot read {path} as an SQLite database: {exc}") from exc
    return conn


def _create_private(path: Path) -> None:
    """Create the parent folder and an empty file readable by its owner only."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Another process may create it between our check and open: that is fine.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


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


def schema_version(conn: Connection) -> int:
    return int(scalar(conn, "pragma user_version"))


def migrate(conn: Connection, db_path: Path | None = None) -> int:
    """Apply pending migrations, each with its version bump in one transaction."""
    with storage_errors(db_path, busy_timeout(conn), "migrate"):
        return _migrate(conn, db_path)


def _migrate(conn: Connection, db_path: Path | None) -> int:
    if db_path is not None:  # what a copy killed midway (before a migration) left
        copies.sweep_partials(db_path.parent, db_path.name)
    target = len(MIGRATIONS)
    current = schema_version(conn)
    if current > target:
        raise SchemaMismatch(
            f"This database uses schema version {current}, newer than this memory-mcp "
            f"understands ({target}). Upgrade memory-mcp; the file was not modified."
        )
    if current == target:
        return current
    if current > 0 and db_path is not None:
        backup = backup_copy(conn, db_path.with_name(f"{db_path.name}.v{current}.bak"))
        logger.info("Backed up schema v%d database to %s before migrating", current, backup)
    for version, step in enumerate(MIGRATIONS, start=1):
        if version <= current:
            continue
        with transaction(conn):
            # Another process may have migrated while we waited for the write lock.
            if schema_version(conn) >= version:
                continue
            step(conn)
            conn.execute(f"pragma user_version = {version}")
            conn.execute(
                """
                insert into meta (key, value) values ('schema_version', :v)
                on conflict (key) do update set value = :v
                """,
                {"v": str(version)},
            )
        logger.info("Migrated database to schema version %d", version)
    return target


def busy_timeout(conn: Connection) -> int:
    return int(scalar(conn, "pragma busy_timeout"))


def backup_copy(
    conn: Connection, dest: Path, progress: Callable[[int, int], None] | None = None
) -> Path:
    """A consistent copy from one read snapshot, however much others write meanwhile.

    Written to a hidden partial file, synced and renamed into place (copies.py).
    """
    return copies.vacuum_into(conn, dest, progress)


def _read_only(path: Path | str | None) -> bool:
    """Whether the file or its folder (where SQLite keeps -wal and -shm) is not writable."""
    if path is None or str(path) == ":memory:":
        return False
    file = Path(path).expanduser()
    folder = file.parent
    return (file.exists() and not os.access(file, os.W_OK)) or (
        folder.exists() and not os.access(folder, os.W_OK)
    )
