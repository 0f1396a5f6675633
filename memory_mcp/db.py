"""The one place that knows the SQLite driver: connect, transactions, migrations."""

import contextlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlean
import sqlite_vec

from memory_mcp.errors import MemoryMCPError, SchemaMismatch
from memory_mcp.migrations import MIGRATIONS

logger = logging.getLogger(__name__)

MMAP_BYTES = 256 * 1024 * 1024

Connection = sqlean.Connection
Row = sqlean.Row
DatabaseError = sqlean.DatabaseError
OperationalError = sqlean.OperationalError


def connect(path: Path | str, busy_timeout_ms: int = 5000) -> Connection:
    """Open (creating if needed, owner-only) the database with our pragmas and sqlite-vec."""
    if str(path) != ":memory:":
        path = Path(path).expanduser()
        _create_private(path)
    try:
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
    except sqlean.DatabaseError as exc:
        raise MemoryMCPError(f"Cannot open database {path}: {exc}") from exc
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
    conn.execute("begin immediate")
    try:
        yield conn
    except BaseException:
        conn.execute("rollback")
        raise
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


def backup_copy(conn: Connection, dest: Path) -> Path:
    """A consistent copy via SQLite's online backup API (safe while others write)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    target = sqlean.connect(str(dest))
    try:
        conn.backup(target)
    finally:
        target.close()
    os.chmod(dest, 0o600)
    return dest


def utc_now() -> str:
    return format_time(datetime.now(UTC))


def epoch_micros(moment: datetime) -> int:
    """Microseconds since the epoch: the vector index's integer form of a time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def format_time(moment: datetime) -> str:
    """ISO-8601 UTC with fixed width, so text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
