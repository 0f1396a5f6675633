"""Room to write: how a size cap is shared out, and the reserve kept for a full disk.

A write that makes room (purge, forget, scrub) must work when the database is full, or the
way out is blocked by the fullness itself. SQLite needs room even to delete (every change is
appended to the write-ahead log first), so room is set aside for those writes twice over:
under a size cap, spare pages that only they may use; on a full disk, a reserve file next
to the database that only they may give back to the disk (and that is kept again when the
disk has room).
"""

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from memory_mcp.storage.sqlite.companions import RESERVE, beside

# The write-ahead log's share of a size cap, and its most pages with or without one (about
# SQLite's default checkpoint interval): it is checkpointed at half, and cut back after.
LOG_SHARE = 4
MAX_LOG_PAGES = 1024
# The share of the file's part of a cap kept spare for writes that make room.
SPARE_SHARE = 16
MIN_SPARE_PAGES = 16
# Below this much free space a "full" error is the disk's, not the size cap's.
DISK_FULL_BYTES = 1024 * 1024
# The reserve is only kept while the disk has this many times its size free.
RESERVE_HEADROOM = 4
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Plan:
    log_pages: int  # journal_size_limit; checkpoint at half
    max_pages: int | None  # max_page_count for ordinary writes (None: no cap)
    spare_pages: int  # more pages writes that make room may use
    reserve_bytes: int  # the reserve file's size: room for a checkpoint of half the log


def plan(max_bytes: int | None, page_size: int) -> Plan:
    """Share a cap out among the log (a quarter, at most MAX_LOG_PAGES), the reserve (half
    the log) and the file (the rest, a sixteenth of which is spare)."""
    if max_bytes is None:
        return Plan(MAX_LOG_PAGES, None, 0, MAX_LOG_PAGES // 2 * page_size)
    pages = max(max_bytes // page_size, 2 * LOG_SHARE * MIN_SPARE_PAGES)
    log_pages = min(pages // LOG_SHARE, MAX_LOG_PAGES)
    file_pages = pages - log_pages - log_pages // 2
    spare = max(file_pages // SPARE_SHARE, MIN_SPARE_PAGES)
    return Plan(log_pages, file_pages - spare, spare, log_pages // 2 * page_size)


def reserve_path(db_path: Path) -> Path:
    return beside(db_path, RESERVE)


def keep_reserve(db_path: Path, size: int) -> bool:
    """Create the reserve file (zeros, owner-only) if it is missing and the disk has plenty
    of room; never fails (a read-only or nearly full disk simply keeps none)."""
    if str(db_path) == ":memory:":
        return False
    reserve = reserve_path(db_path)
    if size <= 0 or reserve.exists():
        return reserve.exists()
    try:
        if shutil.disk_usage(db_path.parent).free < RESERVE_HEADROOM * size:
            return False
        partial = reserve.with_name(f".{reserve.name}.{os.getpid()}.partial")
        fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        try:
            zeros = bytes(_CHUNK)
            for start in range(0, size, _CHUNK):
                os.write(fd, zeros[: min(_CHUNK, size - start)])
        finally:
            os.close(fd)
        os.replace(partial, reserve)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            partial.unlink(missing_ok=True)
        return False
    return True


def release_reserve(db_path: Path) -> bool:
    """Give the reserve's room back to the disk; False if there was none to give."""
    if str(db_path) == ":memory:":
        return False
    try:
        reserve_path(db_path).unlink()
    except OSError:
        return False
    return True


def disk_full(db_path: Path | str | None) -> bool:
    """Whether the disk holding the database has (almost) no room left."""
    if db_path is None or str(db_path) == ":memory:":
        return False
    try:
        return shutil.disk_usage(Path(db_path).expanduser().parent).free < DISK_FULL_BYTES
    except OSError:
        return True
