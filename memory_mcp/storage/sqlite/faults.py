"""What is wrong at the database path, in words the reader can act on.

The driver's messages name a symptom ("unable to open database file", "file is not a
database"); the path itself tells the cause: a folder, a link to nowhere, a file of another
program, a read-only file or folder. Each message says what was left as it was.
"""

import os
from pathlib import Path
from typing import Any

from memory_mcp.errors import StorageError
from memory_mcp.storage.sqlite import room

SQLITE_HEADER = b"SQLite format 3\x00"
# The tables the first schema step creates together: a file with both is ours.
OUR_TABLES = frozenset({"meta", "memories"})


def foreign_tables(conn: Any) -> list[str]:
    """The tables of another program's database: empty when the file is new or ours."""
    names = {
        str(row[0])
        for row in conn.execute(
            "select name from sqlite_master where name not like 'sqlite\\_%' escape '\\'"
        )
    }
    return [] if not names or names >= OUR_TABLES else sorted(names)


def foreign(path: Path | str, tables: list[str]) -> str:
    shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
    return (
        f"Cannot open the database {path}: it is another program's SQLite database (its "
        f"tables: {shown}), not memory-mcp's. Nothing was changed; point --db or "
        "MEMORY_MCP_DB at a file of memory-mcp's own (a new path makes a new database)."
    )


def missing(path: Path) -> str | None:
    """Why nothing can be opened at `path` when the path itself says so, else None."""
    if path.is_symlink() and not path.exists():
        return (
            f"{path} is a symbolic link to {os.readlink(path)}, which does not exist. Nothing "
            "was created; create what it points to (or its folder), or point --db or "
            "MEMORY_MCP_DB elsewhere."
        )
    if path.is_dir():
        return (
            f"{path} is a folder, not a database file. Nothing was created; give the path of "
            f"a file, e.g. {path / 'memory.db'}."
        )
    return None


EMPTY = (
    "The database {path} is an empty file (0 bytes): no memories, and nothing was written to "
    "it. Check the path (--db or MEMORY_MCP_DB); the first memory stored there (memory-mcp "
    "remember or import) makes it a database."
)


def empty(path: Path) -> bool:
    """Whether the file is empty, with no write-ahead log holding its first pages either (a
    command that only reads must leave it as it is: opening it would write a schema)."""
    log = path.with_name(f"{path.name}-wal")
    return (
        path.is_file()
        and path.stat().st_size == 0
        and (not log.exists() or log.stat().st_size == 0)
    )


def file_id(path: Path | str | None) -> tuple[int, int] | None:
    """The device and inode of the file at `path` (None: nothing there, or no file)."""
    if path is None or str(path) == ":memory:":
        return None
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def check_same_file(path: Path | str | None, opened: tuple[int, int] | None) -> None:
    """Refuse to go on with a connection whose file is no longer the one at `path`: a backup
    restored over it (a rename), a move or a delete leaves the connection on the old file,
    which nothing will open again, so every write acknowledged from then on was lost."""
    if opened is None:
        return
    now = file_id(path)
    if now == opened:
        return
    what = "removed" if now is None else "replaced by another file"
    raise StorageError(
        f"The database {path} was {what} while this memory-mcp process had it open (a "
        "backup restored over it, a move or a delete): nothing was changed, and nothing "
        "will be until it restarts. Restart it (for an MCP client, restart the client's "
        "memory-mcp server) to use the file now at that path."
    )


def read_only(path: Path | str | None) -> bool:
    """Whether the file or its folder (where SQLite keeps -wal and -shm) is not writable."""
    if path is None or str(path) == ":memory:":
        return False
    file = Path(path).expanduser()
    folder = file.parent
    return (file.exists() and not os.access(file, os.W_OK)) or (
        folder.exists() and not os.access(folder, os.W_OK)
    )


def is_read_only(exc: Exception, path: Path | str | None) -> bool:
    """Whether a failure is the file's permissions (not a lock, nor a damaged file that
    happens to sit on a read-only disk)."""
    low = str(exc).lower()
    if any(word in low for word in ("locked", "busy", "not a database", "malformed", "corrupt")):
        return False
    return "readonly" in low or "read-only" in low or read_only(path)


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
    if is_read_only(exc, path):
        return (
            f"Cannot {doing} {where}: the file (or its folder, which holds the -wal and -shm "
            "files) is read-only, so memories can be read but not changed. Nothing was "
            "changed; fix its permissions (a running server then writes again by itself, no "
            "restart needed), or point MEMORY_MCP_DB at a writable file."
        )
    # sqlite-vec grows its table a chunk (~1.5 MB of vectors) at a time and reports a chunk
    # it could not add without SQLite's reason: in practice, no room for it.
    if "vector chunk" in low:
        low = "database or disk is full"
    if "full" in low and room.disk_full(path):
        reserved = path is not None and room.reserve_path(Path(path).expanduser()).exists()
        return f"Cannot {doing} {where}: the disk is full. Nothing was changed; " + (
            "free disk space, or `memory-mcp purge ID...` memories you no longer need (purge "
            "and forget still work on a full disk, and new memories reuse the room a purge "
            "frees)."
            if reserved
            else "free disk space."
        )
    if "full" in low:
        return (
            f"Cannot {doing} {where}: the database reached its size limit "
            "(MEMORY_MCP_MAX_DB_MB). Nothing was changed; `memory-mcp purge ID...` memories "
            "you no longer need (purge and forget still work at the limit), or raise the limit."
        )
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return _damaged(path, where, text, doing)
    if "unable to open" in low:
        found = missing(Path(path).expanduser()) if path and str(path) != ":memory:" else None
        return found or (
            f"Cannot {doing} {where}: unable to open the file (missing folder or no access)."
        )
    if "dimension mismatch" in low:
        return (
            f"Cannot {doing} {where}: its vector index was rebuilt for another embedding model "
            "(by `memory-mcp reindex`?) while this process kept the old one. Restart this "
            "server or command with the model the index was built for."
        )
    if "disk i/o" in low:
        return f"Cannot {doing} {where}: the disk reported an I/O error ({text})."
    return f"Cannot {doing} {where}: {text.rstrip('.')}."


def _damaged(path: Path | str | None, where: str, text: str, doing: str) -> str:
    """Not SQLite at all (a text, an image: the wrong path), or an SQLite file that is damaged.

    A file that cannot be opened is beyond `doctor` (it opens the file first): only a file
    that opened and then failed is pointed to it.
    """
    head = _head(path)
    if head is not None and head and not head.startswith(SQLITE_HEADER):
        return (
            f"Cannot {doing} {where}: the file is not an SQLite database (not memory-mcp's, "
            "nor damaged: another kind of file). Nothing was changed; check the path in --db "
            "or MEMORY_MCP_DB."
        )
    fix = (
        "restore a backup (made by `memory-mcp backup`)"
        if doing == "open"
        else "run `memory-mcp doctor`, or restore a backup (made by `memory-mcp backup`)"
    )
    return f"Cannot {doing} {where}: the file is damaged ({text}). Nothing was changed; {fix}."


def _head(path: Path | str | None) -> bytes | None:
    if path is None or str(path) == ":memory:":
        return None
    try:
        with Path(path).expanduser().open("rb") as f:
            return f.read(len(SQLITE_HEADER))
    except OSError:
        return None
