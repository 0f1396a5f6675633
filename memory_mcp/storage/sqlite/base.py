"""The SQLite store's plumbing: the connection, its lock, transactions, rows to models."""

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from memory_mcp.errors import Changed, NotFound, SchemaMismatch, StorageError
from memory_mcp.models import Memory
from memory_mcp.storage.records import changed_at
from memory_mcp.storage.sqlite import faults, ftsrestore, indexparts, vectors
from memory_mcp.storage.sqlite.db import Connection, busy_timeout, storage_errors, transaction
from memory_mcp.storage.sqlite.migrations import MIGRATIONS
from memory_mcp.storage.sqlite.termcounts import TermCounts
from memory_mcp.timestamps import parse_stored_time

T = TypeVar("T")
logger = logging.getLogger(__name__)


class SqliteBase:
    """Owns the connection; serialises access with one lock; one transaction per write."""

    def __init__(
        self,
        conn: Connection,
        path: Path | None = None,
        reopen: Callable[[], Connection] | None = None,
        damaged: bool = False,
    ) -> None:
        self.conn = conn
        self.path = path
        self._reopen = reopen  # a new connection to the same file, as it was first opened
        self._file = faults.file_id(path)  # the file the connection is on (device, inode)
        self._lock = threading.RLock()
        self._busy_ms = busy_timeout(conn)
        self._term_counts = TermCounts()  # the keyword leg's, kept while nothing changes
        self._made_with: str | None = None  # the model our callers' vectors are of
        # The schema version whose search index parts were last found whole; never checked
        # on a file opened `damaged` (doctor, whose --repair makes the parts again).
        self._parts_whole: int | None = None
        self._checks_parts = not damaged

    @contextmanager
    def _write(self, check_parts: bool = True) -> Iterator[Connection]:
        with (
            self._lock,
            storage_errors(self.path, self._busy_ms, "write"),
            transaction(self._connection()) as conn,
        ):
            if check_parts:
                self._refuse_unsafe_schema(conn)
            yield conn

    def _refuse_unsafe_schema(self, c: Connection) -> None:
        """Refuse a write (inside its transaction: no other can change the schema now) when
        a search index lacks a part another connection dropped since the file was opened (a
        trigger: the index would drift from the memories unnoticed), or when a newer
        memory-mcp upgraded the file meanwhile (_refuse_newer_schema). The parts are looked
        for again only when the schema changed since they were last found whole (PRAGMA
        schema_version: like user_version, one read of the file's header)."""
        if not self._checks_parts:
            return
        row = c.execute(
            "select u.user_version, s.schema_version"
            " from pragma_user_version u, pragma_schema_version s"
        ).fetchone()
        found, version = (int(row[0]), int(row[1])) if row is not None else (0, 0)
        _refuse_newer_schema(found, self.path)
        if version == self._parts_whole:
            return
        if gone := indexparts.missing(c):
            raise StorageError(ftsrestore.REPAIR.format(path=self.path, parts=", ".join(gone)))
        self._parts_whole = version

    def _read(self, fn: Callable[[Connection], T]) -> T:
        with self._lock, storage_errors(self.path, self._busy_ms, "read"):
            return fn(self._connection())

    def _connection(self) -> Connection:
        """The connection (the caller holds the lock). One opened read-only, because the
        file or its folder was not writable, is replaced by a read-write one once both are
        writable again: a long-running server takes writes as soon as the permissions are
        fixed, without a restart. Nothing is lost in the swap: every use of the connection
        holds the lock, so none is in flight, and the write then starts on the new one. An
        `immutable` one would not even see what others write from then on. A file replaced
        or removed under the connection is refused (faults.check_same_file)."""
        faults.check_same_file(self.path, self._file)
        if not self.conn.read_only or self._reopen is None or faults.read_only(self.path):
            return self.conn
        fresh = self._reopen()
        stale, self.conn = self.conn, fresh
        stale.close()
        logger.info("The database %s is writable again: reopened it for writing", self.path)
        return fresh

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    @property
    def location(self) -> str:
        return str(self.path)

    def has_vector_index(self) -> bool:
        return self._read(vectors.has_table)

    def _memories(
        self, tail: str, params: dict[str, Any], with_embedded: bool = True
    ) -> list[Memory]:
        """`select` memories (aliased m) with their embedded flag, then `tail` (where/order)."""

        def fetch(c: Connection) -> list[Memory]:
            embedded = (
                "exists (select 1 from memories_vec v where v.memory_id = m.id)"
                if with_embedded and vectors.has_table(c)
                else "0"
            )
            sql = f"select m.*, {embedded} as embedded from memories m {tail}"
            return [to_memory(row) for row in c.execute(sql, params)]

        return self._read(fetch)


def now() -> datetime:
    return datetime.now(UTC)


def require_row(c: Connection, memory_id: int) -> Any:
    row = c.execute("select * from memories where id = :id", {"id": memory_id}).fetchone()
    if row is None:
        raise NotFound(f"No memory with id {memory_id}.")
    return row


def require_unchanged(c: Connection, memory_id: int, since: datetime | None) -> Any:
    """The row inside a write's transaction, refused (Changed) if it no longer
    reads as the caller saw it: `since` is the `Memory.changed_at` it saw (None: no check)."""
    row = c.execute("select * from memories where id = :id", {"id": memory_id}).fetchone()
    if since is not None and (row is None or changed_at(row) != since):
        gone = "was deleted" if row is None else "changed"
        raise Changed(
            f"Memory #{memory_id} {gone} since it was read; nothing was written.", memory_id
        )
    if row is None:
        raise NotFound(f"No memory with id {memory_id}.")
    return row


def to_memory(row: Any) -> Memory:
    return Memory(
        id=row["id"],
        content=row["content"],
        kind=row["kind"],
        tags=json.loads(row["tags"]),
        scope=row["scope"],
        metadata=json.loads(row["metadata"]),
        created_at=parse_stored_time(row["created_at"]),
        updated_at=parse_stored_time(row["updated_at"]),
        forgotten_at=_time(row["forgotten_at"]),
        forget_reason=row["forget_reason"],
        key=row["key"],
        occurred_at=_time(row["occurred_at"]),
        expires_at=_time(row["expires_at"]),
        superseded_by=row["superseded_by"],
        # only with superseded_by (older imports could store it alone): see Memory.superseded
        superseded_at=None if row["superseded_by"] is None else _time(row["superseded_at"]),
        client=row["client"],
        repeat_count=row["repeat_count"],
        last_seen_at=_time(row["last_seen_at"]),
        embedded=bool(row["embedded"]),
        context=row["context"],
    )


def _time(value: str | None) -> datetime | None:
    return None if value is None else parse_stored_time(value)


def _refuse_newer_schema(found: int, path: Path | None) -> None:
    """Refuse a write once a newer memory-mcp upgraded the file (to schema version `found`)
    under this running process: a server started before `uv tool upgrade` keeps running
    until its client restarts it, and its writes would fill the search index by its own,
    older rules (a keyword schema step re-folds every word), which nothing notices until
    recall misses. The open refuses such a file the same way (db.migrate)."""
    if found > len(MIGRATIONS):
        raise SchemaMismatch.upgraded_meanwhile(
            str(path or ""), found, len(MIGRATIONS), "restart the client that started it"
        )
