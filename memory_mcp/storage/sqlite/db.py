"""The one place that opens an SQLite file: the driver, our pragmas and functions, sqlite-vec,
migrations. What a connection does once open is in connection.py, named here too."""

import contextlib
import importlib.util
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import sqlean

from memory_mcp.errors import MemoryMCPError, ReadOnly, SchemaMismatch, StorageError
from memory_mcp.policies.keyword_text import indexed
from memory_mcp.policies.text import spaced
from memory_mcp.storage.sqlite import copies, faults, ftsrestore, room
from memory_mcp.storage.sqlite.companions import WAL, beside
from memory_mcp.storage.sqlite.connection import Connection as Connection
from memory_mcp.storage.sqlite.connection import DatabaseError as DatabaseError
from memory_mcp.storage.sqlite.connection import OperationalError as OperationalError
from memory_mcp.storage.sqlite.connection import Row as Row
from memory_mcp.storage.sqlite.connection import busy_timeout as busy_timeout
from memory_mcp.storage.sqlite.connection import empty_log as empty_log
from memory_mcp.storage.sqlite.connection import (
    empty_log_between_writes as empty_log_between_writes,
)
from memory_mcp.storage.sqlite.connection import meta_value as meta_value
from memory_mcp.storage.sqlite.connection import read_snapshot as read_snapshot
from memory_mcp.storage.sqlite.connection import scalar as scalar
from memory_mcp.storage.sqlite.connection import set_meta as set_meta
from memory_mcp.storage.sqlite.connection import spare_room as spare_room
from memory_mcp.storage.sqlite.connection import storage_errors as storage_errors
from memory_mcp.storage.sqlite.connection import transaction as transaction
from memory_mcp.storage.sqlite.keyword_schema import (
    KEYWORDS_FUNCTION,
    SPACED_FUNCTION,
    TAG_KEYWORDS_FUNCTION,
    TAG_WORDS_FUNCTION,
    tags_function,
    text_function,
)
from memory_mcp.storage.sqlite.migrations import APPLIED, MIGRATIONS

logger = logging.getLogger(__name__)

# SQLite maps the file's first MMAP_BYTES and reads through the map: no copy into its page
# cache. Every page a connection touches there counts in the process's resident memory, so
# the map is bounded at 64 MiB: a server's idle RSS at 1M memories stays within 1 KB per
# memory (with 256 MiB, a warmed-up server held ~260 B per memory more, benchmarks/scale.py).
MMAP_BYTES = 64 * 1024 * 1024
DURABILITY = ("normal", "full")
# Prepared statements kept per connection. sqlean's cache (pysqlite's) orders them by use and,
# when full, evicts its newest: the ~100 statements of a new file's schema steps filled the
# default 100, and every statement of the writes after was compiled again at each use, its
# triggers' programs with it (half a bulk import's CPU). This holds every statement we send.
STATEMENT_CACHE = 1024


Repair = Callable[[Connection], object]  # migrate's: makes index parts a hand dropped again


def connect(
    path: Path | str,
    busy_timeout_ms: int = 5000,
    max_bytes: int | None = None,
    durability: str = "full",
    create: bool = True,
    check_owner: bool = True,
) -> Connection:
    """Open (creating if needed and `create`, owner-only) the database with our pragmas and
    sqlite-vec.

    `max_bytes` caps the file and its write-ahead log together (see room.plan): writes past
    it fail cleanly. `durability` "full" syncs every commit to disk (it survives power loss);
    "normal" syncs at checkpoints only (it survives a crash of the process, not of the OS).
    Deleted content is overwritten (secure_delete), never left in the file's free space.
    Another program's SQLite file is refused unchanged (`check_owner` off: a scratch copy).
    """
    if durability not in DURABILITY:
        raise ValueError(f"durability must be one of {DURABILITY}, not {durability!r}")
    with storage_errors(path, busy_timeout_ms, "open"):
        read_only = False
        if str(path) != ":memory:":
            path = Path(path).expanduser()
            if (why := faults.missing(path)) is not None:
                raise StorageError(why)
            if not create and not path.exists():
                raise StorageError(
                    f"No database at {path}; nothing was created. Check the path (--db or "
                    "MEMORY_MCP_DB); a new database is made by the first memory stored "
                    "(memory-mcp remember or import, or a client through the server)."
                )
            if not create and faults.empty(path):
                raise StorageError(faults.EMPTY.format(path=path))
            read_only = path.exists() and faults.read_only(path)
            if not read_only:
                _create_private(path)
        conn = _open(path, busy_timeout_ms, read_only)
        try:
            _prepare(conn, path, busy_timeout_ms, durability, check_owner)
            share_room(conn, path, max_bytes)
        except BaseException:
            conn.close()  # (SQLite then removes the -wal and -shm files it made)
            raise
    return conn


def _prepare(
    conn: Connection, path: Path | str, busy_timeout_ms: int, durability: str, check_owner: bool
) -> None:
    """Our functions and pragmas and sqlite-vec, once the file is known to be ours."""
    conn.row_factory = sqlean.Row
    # The keyword indexes' text (keyword_schema.py): their views and triggers call it,
    # so every connection that writes memories needs it; step 8's while a file is
    # migrated past it.
    conn.create_function(SPACED_FUNCTION, 1, text_function(spaced), deterministic=True)
    conn.create_function(TAG_WORDS_FUNCTION, 1, tags_function(spaced), deterministic=True)
    conn.create_function(KEYWORDS_FUNCTION, 1, text_function(indexed), deterministic=True)
    conn.create_function(TAG_KEYWORDS_FUNCTION, 1, tags_function(indexed), deterministic=True)
    conn.execute(f"pragma busy_timeout = {int(busy_timeout_ms)}")
    # Before WAL mode, which would change the file's header.
    if check_owner and (tables := faults.foreign_tables(conn)):
        raise StorageError(faults.foreign(path, tables))
    if not conn.read_only:
        _use_wal(conn, busy_timeout_ms)
    conn.execute(f"pragma synchronous = {durability}")
    conn.execute(f"pragma fullfsync = {int(durability == 'full')}")  # macOS: flush the drive
    conn.execute("pragma secure_delete = on")  # zero what a delete or update frees
    conn.execute("pragma foreign_keys = on")
    # vec0 scans read every vector blob: mapped pages cost ~40% less than the page cache.
    conn.execute(f"pragma mmap_size = {MMAP_BYTES}")
    conn.enable_load_extension(True)
    conn.load_extension(_vec0())
    conn.enable_load_extension(False)


def _vec0() -> str:
    """sqlite-vec's loadable extension, found without importing its package, which imports
    numpy (numpy.typing, 0.1 s and more) for helpers we do not use, at every CLI start."""
    spec = importlib.util.find_spec("sqlite_vec")
    if spec is None or not spec.submodule_search_locations:
        raise StorageError("The sqlite-vec package is not installed: reinstall memory-mcp.")
    return os.path.join(next(iter(spec.submodule_search_locations)), "vec0")


def _open(path: Path | str, busy_timeout_ms: int, read_only: bool) -> Connection:
    """The driver's connection; for a file we may not write, one that only reads.

    Read-only, the file is opened `mode=ro` (it sees what others write, through the -wal and
    -shm files beside it), or `immutable` when its folder is read-only too and holds no
    write-ahead log: SQLite could not create the -shm file there, and nobody can be writing
    the file in WAL mode without one.
    """
    target, uri = str(path), False
    if read_only:
        file = Path(path)
        frozen = (
            not os.access(file.parent, os.W_OK) and not file.with_name(f"{file.name}-wal").exists()
        )
        target = f"{file.resolve().as_uri()}?mode=ro" + ("&immutable=1" if frozen else "")
        uri = True
    conn = cast(
        Connection,
        sqlean.connect(
            target,
            uri=uri,
            isolation_level=None,  # autocommit: transaction() issues BEGIN itself
            check_same_thread=False,  # the SDK runs sync tools on worker threads; store locks
            timeout=busy_timeout_ms / 1000,
            factory=Connection,
            cached_statements=STATEMENT_CACHE,
        ),
    )
    conn.read_only = read_only
    return conn


def _use_wal(conn: Connection, busy_timeout_ms: int) -> None:
    """Put the file in WAL mode, waiting out other connections as long as a write would.

    SQLite answers this pragma "database is locked" at once, without its busy handler, while
    another connection is creating the file or deleting its log on close: so many processes
    opening and closing one file could fail where a write would simply have waited.
    """
    deadline = time.monotonic() + busy_timeout_ms / 1000
    pause = 0.001
    while True:
        try:
            conn.execute("pragma journal_mode = wal")
            return
        except sqlean.OperationalError as exc:
            low = str(exc).lower()
            if ("locked" not in low and "busy" not in low) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def share_room(conn: Connection, path: Path | str, max_bytes: int | None) -> None:
    """Bound the write-ahead log, and under a cap the file (see room.plan)."""
    page = int(scalar(conn, "pragma page_size"))
    plan = room.plan(max_bytes, page)
    conn.execute(f"pragma journal_size_limit = {plan.log_pages * page}")
    conn.execute(f"pragma wal_autocheckpoint = {max(plan.log_pages // 2, 1)}")
    conn.max_pages, conn.spare_pages = plan.max_pages, plan.spare_pages
    conn.reserve_bytes = plan.reserve_bytes
    if plan.max_pages is not None:
        conn.execute(f"pragma max_page_count = {plan.max_pages}")
        if str(path) != ":memory:":
            conn.log_path = beside(Path(path), WAL)
            conn.log_limit = plan.log_pages * page


def connect_readonly(path: Path | str) -> Connection:
    """Open another program's SQLite file read-only: it, and its folder, are never changed.

    Without a write-ahead log next to it the file is complete and opened `immutable` (else
    SQLite would leave empty -wal/-shm files behind); with one, its owner may be running, so
    it is opened `mode=ro` and reads the log too.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise MemoryMCPError(f"No such file: {path}")
    wal = beside(path, WAL).exists()
    try:
        options = "mode=ro" if wal else "mode=ro&immutable=1"
        uri = f"{path.resolve().as_uri()}?{options}"
        conn = cast(Connection, sqlean.connect(uri, uri=True, factory=Connection))
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


def schema_version(conn: Connection) -> int:
    return int(scalar(conn, "pragma user_version"))


def migrate(conn: Connection, db_path: Path | None = None, repair: Repair | None = None) -> int:
    """Apply pending migrations, each with its version bump in one transaction. `repair`
    makes index parts a hand dropped again first: the steps' writes fire their triggers."""
    with storage_errors(db_path, busy_timeout(conn), "migrate"):
        return _migrate(conn, db_path, repair)


def _migrate(conn: Connection, db_path: Path | None, repair: Repair | None) -> int:
    if db_path is not None:  # what a copy killed midway (before a migration) left
        copies.sweep_partials(db_path.parent, db_path.name)
    target = len(MIGRATIONS)
    current = schema_version(conn)
    if current > target:
        raise SchemaMismatch(
            f"This database uses schema version {current}, newer than this memory-mcp "
            f"understands ({target}). Upgrade memory-mcp; the file was not modified."
        )
    steps = list(enumerate(MIGRATIONS, start=1))
    # A keyword index dropped by hand: the probes that read it cannot tell, so the file's
    # number counts the steps it made; doctor --repair makes it again (ftsrestore.py).
    numbered = bool(ftsrestore.missing(conn))
    if current == target and all(
        _applied(conn, step, version, numbered) for version, step in steps
    ):
        return current  # (each probe is one lookup in the schema: well under a millisecond)
    if conn.read_only:
        older = f"was written by an older memory-mcp (schema version {current}) and must be"
        made = "is empty, and a new database" if current == 0 else f"{older} upgraded, which"
        raise ReadOnly(
            f"Cannot open the database {db_path}: it {made} needs write access, but the file "
            "(or its folder) is read-only. Nothing was changed; make it writable, or point "
            "MEMORY_MCP_DB at a writable file."
        )
    # Probed in order and lazily, as above: a probe may read what the steps before it make.
    changes = any(not _applied(conn, step, version, numbered) for version, step in steps)
    if changes and current > 0 and db_path is not None:  # not for steps with nothing to do
        backup = backup_copy(conn, db_path.with_name(f"{db_path.name}.v{current}.bak"))
        logger.info("Backed up schema v%d database to %s before migrating", current, backup)
    if changes and repair is not None:
        with transaction(conn):
            repair(conn)
    for version, step in steps:
        if version <= current and _applied(conn, step, version, numbered):
            continue
        with transaction(conn):
            # Another process may have run it while we waited for the write lock; a file
            # whose numbers meant other steps (see migrations/) may hold its work already.
            if not _applied(conn, step, version, numbered):
                step(conn)
                logger.debug("Applied schema step %d", version)
            if schema_version(conn) < version:
                conn.execute(f"pragma user_version = {version}")
                set_meta(conn, "schema_version", str(version))
    # One line for the whole run, not one per step: a new file takes every step.
    if current == 0:
        logger.info("Created the database %s (schema version %d)", db_path or "", target)
    elif current == target:
        logger.info("Applied the schema steps the database lacked (version %d)", target)
    else:
        logger.info("Migrated the database from schema version %d to %d", current, target)
    return target


def _applied(
    conn: Connection, step: Callable[[Any], None], version: int, numbered: bool = False
) -> bool:
    """Whether the schema holds the step's work: its probe says so (APPLIED), or, for a step
    without one (or any step up to the file's version, when `numbered`), the file's version
    number counts it."""
    probe = APPLIED.get(step)
    if probe is None or (numbered and version <= schema_version(conn)):
        return schema_version(conn) >= version
    return bool(probe(conn))


def backup_copy(
    conn: Connection, dest: Path, progress: Callable[[int, int], None] | None = None
) -> Path:
    """A consistent copy from one read snapshot, however much others write meanwhile.

    Written to a hidden partial file, synced and renamed into place (copies.py).
    """
    return copies.vacuum_into(conn, dest, progress)
