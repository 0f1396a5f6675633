"""The SQLite backend: one file, FTS5 for keywords, sqlite-vec for vectors."""

from pathlib import Path

from memory_mcp.storage.sqlite import db
from memory_mcp.storage.sqlite.store import MemoryStore


def open_store(path: Path, busy_timeout_ms: int, max_bytes: int | None = None) -> MemoryStore:
    """Open (creating and migrating) the database file at `path`."""
    conn = db.connect(path, busy_timeout_ms, max_bytes)
    db.migrate(conn, path)
    return MemoryStore(conn, path)


__all__ = ["MemoryStore", "open_store"]
