"""The PostgreSQL store's plumbing: the pool, transactions, the write lock, rows to models.

Writes that decide from stored rows (is this a repeat, who holds this key, can that memory
still be replaced) take one transaction-scoped advisory lock first, so writers in any number
of processes or replicas decide one after another on what the previous one committed, as
SQLite's single writer does; reads never wait for it.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import psycopg_pool
from psycopg.types.json import Json, Jsonb

from memory_mcp.errors import Changed, NotFound, SchemaMismatch, StorageError
from memory_mcp.models import Memory
from memory_mcp.storage.postgres import restore
from memory_mcp.storage.postgres.db import WRITE_LOCK, Connection, meta_value, storage_errors
from memory_mcp.storage.postgres.migrations import TARGET
from memory_mcp.storage.postgres.surveys import Surveys
from memory_mcp.storage.records import changed_at
from memory_mcp.timestamps import parse_stored_time

T = TypeVar("T")
_dumps = partial(json.dumps, default=str)


def as_json(value: Any) -> Json:
    """A value for a `json` column (key order kept, as written)."""
    return Json(value, dumps=_dumps)


def as_jsonb(value: Any) -> Jsonb:
    return Jsonb(value, dumps=_dumps)


# What a write does besides `memories`' rows, by table: its statements and triggers insert
# and delete vectors, history entries (a purge erases, a scrub rewrites them) and the vector
# feed's log, and keep BM25's totals.
WRITTEN_BESIDES = {
    "memory_vectors": ("insert", "update", "delete"),
    "history": ("insert", "update", "delete"),
    "vec_log": ("insert", "delete"),
    "fts_stats": ("update",),
}


def _lacking(table: str, privileges: tuple[str, ...]) -> str:
    """SQL: which of `privileges` the role lacks on `table` ('INSERT, DELETE on vec_log'),
    null when it has them all or the table is not there (yet)."""
    held = " and ".join(f"has_table_privilege('{table}', '{p}')" for p in privileges)
    names = ", ".join(
        f"case when not has_table_privilege('{table}', '{p}') then '{p.upper()}' end"
        for p in privileges
    )
    return f"""case when to_regclass('{table}') is not null and not ({held})
                    then concat_ws(', ', {names}) || ' on {table}' end"""


# The privileges a role that may write `memories` lacks on the other tables a write changes
# (empty: none), read by the write lock and by doctor.
LACKING = f"concat_ws('; ', {', '.join(_lacking(t, p) for t, p in WRITTEN_BESIDES.items())})"

# The vector table is made when the model loads: locked once it is there. A role that may
# only read (whose "write" can only check, as ensure_vector_index does) may take no more
# than a read's lock, and its writes fail anyway: nothing of its can drift. A role that may
# write `memories` but not the other tables a write changes is told which rights it lacks,
# in one line, before any lock (LOCK TABLE's own error named no right).
_LOCK_AND_VERSION = f"""
    do $$ declare
        mode text := case when has_table_privilege('memories', 'insert, update, delete')
                          then 'row exclusive' else 'access share' end;
        lacking text := case when mode = 'row exclusive' then nullif({LACKING}, '') end;
    begin
        if lacking is not null then
            raise exception using errcode = 'insufficient_privilege', message = format(
                'role ''%s'' may write memories but lacks %s in schema %s: an administrator '
                'can GRANT them to it', current_user, lacking, current_schema());
        end if;
        execute format('lock table memories in %s mode', mode);
        if to_regclass('memory_vectors') is not null then
            execute format('lock table memory_vectors in %s mode', mode);
        end if;
    end $$;
    select max(version) as v from schema_version"""


class PgBase:
    """Owns the pool; one transaction per write, decided under the schema's write lock."""

    def __init__(
        self,
        pool: psycopg_pool.ConnectionPool[Connection],
        where: str,
        schema: str,
        damaged: bool = False,
    ) -> None:
        self.pool = pool
        self.where = where
        self.schema = schema
        # Not on a schema opened `damaged` (doctor, whose --repair makes the parts again).
        self._checks_parts = not damaged
        self._surveys = Surveys()  # the keyword survey a recall reads twice, read once
        self._made_with: str | None = None  # the model our callers' vectors are of

    @contextmanager
    def _write(self, check_parts: bool = True) -> Iterator[Connection]:
        try:
            with (
                storage_errors(self.where, "write to"),
                self.pool.connection() as conn,
                conn.transaction(),
            ):
                conn.execute(
                    "select pg_advisory_xact_lock(%s, hashtext(%s))", (WRITE_LOCK, self.schema)
                )
                if check_parts and self._checks_parts:
                    self._refuse_unsafe_schema(conn)
                yield conn
        finally:
            self._surveys.changed()  # once committed: a survey read before may be stale

    def _refuse_unsafe_schema(self, c: Connection) -> None:
        """Refuse a write when a derived part was dropped or disabled since the schema was
        opened (a trigger: the keyword index or the vector feed would drift from the
        memories unnoticed until doctor), or a newer memory-mcp upgraded it meanwhile. The
        locks on `memories` and the vector table come first and are held to the commit: a
        DROP TRIGGER or ALTER TABLE ... DISABLE TRIGGER (each must lock its table against
        writes) either committed before them, and the catalog read after sees that, or
        waits for this write to end. ROW EXCLUSIVE is the lock the write's own statements
        take: it holds up no read and no other write (those queue on WRITE_LOCK anyway)."""
        # One round trip for the locks and the schema's version (_refuse_newer_schema).
        cursor = c.execute(_LOCK_AND_VERSION)
        cursor.nextset()
        row = cursor.fetchone()
        version = int(row["v"] or 0) if row else 0
        _refuse_newer_schema(version, self.where, self.schema)
        if gone := restore.missing(c, version):
            raise StorageError(restore.REPAIR.format(where=self.where, parts=", ".join(gone)))

    def _foreign_index(self, c: Connection) -> bool:
        """Whether the vector index is now another model's than the one this store's vectors
        come from (another replica ran `reindex` with it): they must not go in (the rows
        wait, unembedded, for a process with that model). Asked under the write lock."""
        made_with = self._made_with
        return made_with is not None and meta_value(c, "embedding_model") not in (None, made_with)

    def _read(self, fn: Callable[[Connection], T]) -> T:
        with storage_errors(self.where, "read"), self.pool.connection() as conn:
            return fn(conn)

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """One repeatable-read transaction: every read inside sees the same snapshot."""
        with (
            storage_errors(self.where, "read"),
            self.pool.connection() as conn,
            conn.transaction(),
        ):
            conn.execute("set transaction isolation level repeatable read")
            yield conn

    def close(self) -> None:
        self.pool.close()

    @property
    def location(self) -> str:
        return self.where

    def has_vector_index(self) -> bool:
        return self._read(has_vectors)

    def _memories(self, tail: str, params: Any, with_embedded: bool = True) -> list[Memory]:
        """`select` memories (aliased m) with their embedded flag, then `tail` (where/order)."""

        def fetch(c: Connection) -> list[Memory]:
            embedded = (
                "exists (select 1 from memory_vectors v where v.memory_id = m.id)"
                if with_embedded and has_vectors(c)
                else "false"
            )
            query = f"select m.*, {embedded} as embedded from memories m {tail}"
            return [to_memory(row) for row in c.execute(query, params)]

        return self._read(fetch)


def has_vectors(c: Connection) -> bool:
    row = c.execute("select to_regclass('memory_vectors') is not null as e").fetchone()
    return bool(row and row["e"])


def now() -> datetime:
    return datetime.now(UTC)


def require_row(c: Connection, memory_id: int, lock: bool = False) -> Any:
    tail = " for update" if lock else ""
    row = c.execute(f"select * from memories where id = %s{tail}", (memory_id,)).fetchone()
    if row is None:
        raise NotFound(f"No memory with id {memory_id}.")
    return row


def require_unchanged(c: Connection, memory_id: int, since: datetime | None) -> Any:
    """The row, locked, inside a write's transaction, refused (Changed) if it no longer
    reads as the caller saw it: `since` is the `Memory.changed_at` it saw (None: no check)."""
    row = c.execute("select * from memories where id = %s for update", (memory_id,)).fetchone()
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
        tags=list(row["tags"]),
        scope=row["scope"],
        metadata=dict(row["metadata"]),
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


def _refuse_newer_schema(found: int, where: str, schema: str) -> None:
    """Refuse a write once a newer memory-mcp upgraded the schema (to version `found`) under
    this running process (a replica or server not yet restarted after an upgrade): its writes
    would fill the search index by its own, older rules. Read under the write lock, which
    each upgrade step takes too (db.migrate): the step committed before this read, or waits
    for this write to commit; the open refuses such a schema the same way."""
    if found > TARGET:
        raise SchemaMismatch.upgraded_meanwhile(
            f"{where} (schema {schema!r})", found, TARGET,
            "and every replica still on the older version",
        )  # fmt: skip
