"""Consistent copies of the database file (backups, and the copy made before a migration).

`VACUUM INTO` writes the copy from one read transaction: one snapshot, however long it takes
and however much others write meanwhile (the online backup API, copying in steps, restarted
whenever another connection wrote between two steps, and never finished under steady
writes). The copy goes to a hidden partial file next to the destination, owner-only, and is
synced, then renamed into place, so a crash never leaves a half-written file under the
final name. A killed copy's partial file is swept by the next copy into that folder (and
by the next open, for the copies a migration makes): its name carries the process id, and
it is only removed once that process is gone.
"""

import contextlib
import os
import re
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlean

from memory_mcp.storage.sqlite.companions import remove_all

# `.{destination name}.{process id}-{random}.partial` (`.{name}.{pid}.partial` before), and
# the rollback journal SQLite keeps beside it while it writes.
_PARTIAL = re.compile(
    r"^\.(?P<name>.+)\.(?P<pid>\d+)(?:-[0-9a-f]+)?\.partial(?:-journal|-wal|-shm)?$"
)
PROGRESS_EVERY = 10_000  # SQLite instructions between two looks at the copy's size
PROGRESS_SECONDS = 0.1
STALE_SECONDS = 60  # on Windows, where the owner cannot be asked: untouched this long


def vacuum_into(
    conn: sqlean.Connection, dest: Path, progress: Callable[[int, int], None] | None = None
) -> Path:
    """Copy the database of `conn` to `dest` (replacing it) from one read snapshot.

    `progress(pages written, pages in all)` is called as the copy grows. `conn` must not
    be inside a transaction.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    sweep_partials(dest.parent)
    partial = dest.with_name(f".{dest.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
    try:  # entered first: an interrupt as the file is made must not leave it behind
        # VACUUM INTO accepts an empty file: create it owner-only first.
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        total, page = _pages(conn)
        if progress is not None:
            progress(0, total)
            conn.set_progress_handler(_reporter(partial, page, total, progress), PROGRESS_EVERY)
        try:
            conn.execute("vacuum into :dest", {"dest": str(partial)})
        finally:
            if progress is not None:
                conn.set_progress_handler(None, 0)
        _sync(partial)
        os.replace(partial, dest)
        _sync_folder(dest.parent)
        if progress is not None:
            progress(total, total)
    finally:
        remove_all(partial)
    return dest


def sweep_partials(folder: Path, name_prefix: str = "") -> list[Path]:
    """Remove the partial copies in `folder` whose process is gone; returns them.

    `name_prefix` limits the sweep to copies of files whose name starts with it.
    """
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _PARTIAL.match(entry.name)
        if match is None or not match["name"].startswith(name_prefix):
            continue
        if _owner_alive(entry, int(match["pid"])):
            continue
        try:
            entry.unlink()  # on Windows this fails while a live copy holds the file open
        except OSError:
            continue
        removed.append(entry)
    return removed


def _owner_alive(path: Path, pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would signal the process there
        try:
            return time.time() - path.stat().st_mtime < STALE_SECONDS
        except OSError:
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, under another user
        return True
    return True


def _pages(conn: sqlean.Connection) -> tuple[int, int]:
    """(pages the copy will about have, page size): free pages are not copied."""

    def one(pragma: str) -> int:
        row = conn.execute(f"pragma {pragma}").fetchone()
        return int(row[0]) if row is not None else 0

    return max(one("page_count") - one("freelist_count"), 1), max(one("page_size"), 1)


def _reporter(
    partial: Path, page: int, total: int, progress: Callable[[int, int], None]
) -> Callable[[], int]:
    """A progress handler: every PROGRESS_SECONDS, report how many pages the copy holds."""
    last = time.monotonic()

    def report() -> int:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_SECONDS:
            last = now
            with contextlib.suppress(OSError):
                progress(min(partial.stat().st_size // page, total), total)
        return 0  # carry on

    return report


def _sync(path: Path) -> None:
    """VACUUM INTO does not sync the copy: do it before the rename makes it the backup."""
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
