"""The SQLite backend: one file, FTS5 for keywords, sqlite-vec for vectors."""

from pathlib import Path

from memory_mcp.storage.sqlite import db
from memory_mcp.storage.sqlite.store import SqliteStore


def open_store(
    path: Path, busy_timeout_ms: int, max_bytes: int | None = None, create: bool = True
) -> SqliteStore:
    """Open (and migrate) the database file at `path`, creating it unless `create` is False."""
    conn = db.connect(path, busy_timeout_ms, max_bytes, create=create)
    db.migrate(conn, path)
    return SqliteStore(conn, path)


__all__ = ["SqliteStore", "open_store"]
