"""The SQLite backend: one file, FTS5 for keywords, sqlite-vec for vectors."""

from pathlib import Path

from memory_mcp.storage.sqlite import db, room
from memory_mcp.storage.sqlite.store import SqliteStore


def open_store(
    path: Path,
    busy_timeout_ms: int,
    max_bytes: int | None = None,
    durability: str = "full",
    create: bool = True,
) -> SqliteStore:
    """Open (and migrate) the database file at `path`, creating it unless `create` is False."""
    conn = db.connect(path, busy_timeout_ms, max_bytes, durability, create=create)
    try:
        db.migrate(conn, path)
    except BaseException:
        conn.close()  # a refused file (newer schema, read-only) keeps no -wal or -shm beside it
        raise
    room.keep_reserve(path, conn.reserve_bytes)
    return SqliteStore(conn, path)


__all__ = ["SqliteStore", "open_store"]
