"""The SQLite backend: one file, FTS5 for keywords, sqlite-vec for vectors."""

from pathlib import Path

from memory_mcp.errors import StorageError
from memory_mcp.storage.sqlite import db, ftsrestore, indexparts, room
from memory_mcp.storage.sqlite.store import SqliteStore


def open_store(
    path: Path,
    busy_timeout_ms: int,
    max_bytes: int | None = None,
    durability: str = "full",
    create: bool = True,
    damaged: bool = False,
) -> SqliteStore:
    """Open (and migrate) the database file at `path`, creating it unless `create` is False.

    A file opened read-only is opened again, the same way, once it is writable (base.py).

    An existing file is opened by its real path, as SQLite itself opens it (it follows a
    symbolic link and writes the -wal and -shm files beside the file it reaches): the files
    kept beside the database (the log the size cap counts, the reserve for a full disk, the
    size `stats` reports) are then the ones beside that file, and two spellings of one file
    (a link, `a/../a/memory.db`) are one location, so `migrate --to` refuses either as the
    source itself. A path to nothing is left as written, for its error to name it.

    A file whose keyword or vector index was dropped by hand, in part, is refused with what
    to run, unless `damaged` (doctor, which reports it and whose --repair makes it again)."""
    if path.exists():
        path = path.resolve()

    def opened(create: bool = False) -> db.Connection:
        conn = db.connect(path, busy_timeout_ms, max_bytes, durability, create=create)
        try:
            db.migrate(conn, path, indexparts.restore_missing)
            if not damaged and (gone := indexparts.missing(conn)):
                raise StorageError(ftsrestore.REPAIR.format(path=path, parts=", ".join(gone)))
        except BaseException:
            conn.close()  # a refused file (newer schema, read-only): no -wal or -shm left
            raise
        room.keep_reserve(path, conn.reserve_bytes)
        return conn

    return SqliteStore(opened(create), path, reopen=opened, damaged=damaged)


__all__ = ["SqliteStore", "open_store"]
