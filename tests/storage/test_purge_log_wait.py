"""A purge (or scrub) empties SQLite's write-ahead log after deleting text, and an open read
elsewhere (another process's snapshot) delays that until it ends. The checkpoint used to wait
holding the write lock, and the store's own lock: every other writer, and every call of the
same process, waited with it, up to the busy timeout (5 s by default). Now it tries between
writes, on a connection of its own: others go on, and the log is emptied once the read ends."""

import threading
from pathlib import Path

import sqlean

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

WAIT_S = 120  # for what will happen (never a measure of speed)


def test_a_purge_waiting_on_an_open_read_holds_up_no_one(tmp_path: Path) -> None:
    db = tmp_path / "memory.db"
    patient = MemoryService.open(Settings(db=db, semantic=False, busy_timeout_ms=600_000))
    other = MemoryService.open(Settings(db=db, semantic=False, busy_timeout_ms=2_000))
    reader = sqlean.connect(str(db), isolation_level=None, check_same_thread=False)
    try:
        secret = patient.remember("The vault combination is 31-7-44").id
        kept = patient.remember("The office opens at nine").id
        reader.execute("begin")
        reader.execute("select count(*) from memories").fetchone()  # a snapshot held open
        purged = threading.Event()
        worker = threading.Thread(target=lambda: (patient.purge([secret]), purged.set()))
        worker.start()
        watcher = sqlean.connect(str(db), isolation_level=None)
        while watcher.execute("select 1 from memories where id = ?", (secret,)).fetchone():
            assert worker.is_alive(), "the purge ended without deleting"
            threading.Event().wait(0.01)  # committed: the purge now waits on the reader
        watcher.close()
        # another process's write, and this process's own read, while the purge still waits
        written = other.remember("Written while the purge waited").id
        seen: list[str] = []
        same = threading.Thread(target=lambda: seen.append(patient.get(kept).content))
        same.start()
        same.join(WAIT_S)
        assert seen == ["The office opens at nine"] and written
        assert not purged.is_set()  # they went on while the purge still waited
        reader.execute("commit")
        worker.join(WAIT_S)
        assert purged.is_set()
        wal = db.with_name(db.name + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0  # the log emptied once read
    finally:
        reader.close()
        other.close()
        patient.close()
