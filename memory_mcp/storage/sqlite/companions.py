"""The files kept beside a database file, each named by a suffix on the file's own name
(`memory.db` -> `memory.db-wal`), in the folder the file is really in."""

from pathlib import Path

WAL, SHM, JOURNAL = "-wal", "-shm", "-journal"
RESERVE = "-reserve"  # the room a checkpoint under a size cap needs, kept spare (room.py)
# The file itself and every file SQLite may keep beside it while it writes.
SQLITE_FILES = ("", JOURNAL, WAL, SHM)


def beside(path: Path, suffix: str) -> Path:
    """The companion of `path` with this suffix."""
    return path.with_name(path.name + suffix)


def remove_all(path: Path) -> None:
    """Remove `path` and what SQLite keeps beside it, whichever exist (a read-only folder
    refuses even to unlink a file that is not there, so only the ones there are asked)."""
    for suffix in SQLITE_FILES:
        companion = beside(path, suffix)
        if companion.exists():
            companion.unlink()
