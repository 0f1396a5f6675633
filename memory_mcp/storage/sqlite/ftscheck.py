"""Checking the keyword indexes against `memories` without locking writers out.

FTS5's full check (`'integrity-check'` with rank 1: the index holds exactly the words of
the content it indexes) is an INSERT, so it holds the write lock while it reads the whole
index (seconds on a large file). Instead the tables of both keyword indexes (visible
memories; forgotten or superseded ones) and the text each indexes are copied, from one read
snapshot, into a scratch file next to the database, and the checks run there on a
connection of its own (one with nothing cached from before the copy). The scratch file is
named like a partial copy, so one left by a killed check is swept later. Where it cannot be
written (a full disk, a read-only folder) the caller checks in place.
"""

import os
import secrets
from pathlib import Path

from memory_mcp.storage.sqlite import ftsrebuild
from memory_mcp.storage.sqlite.companions import remove_all
from memory_mcp.storage.sqlite.db import Connection, DatabaseError, connect, read_snapshot
from memory_mcp.storage.sqlite.fts import KEYWORD_INDEXES

SHADOW = ("config", "data", "idx", "docsize")


def check_sql(index: str) -> str:
    """FTS5's full check of one index: it fails when the index and its text disagree."""
    return f"insert into {index} ({index}, rank) values ('integrity-check', 1)"


CHECKS = [check_sql(index) for index in KEYWORD_INDEXES]


class NoScratchSpace(Exception):
    """The scratch copy could not be written."""


def index_matches_source(c: Connection, db_path: Path, folder: Path | None = None) -> bool:
    """Whether FTS5's full check passes on a snapshot of each index and its text; raises
    NoScratchSpace when the copy cannot be written. The copy goes beside the database, or
    into `folder` (for a database in a read-only folder)."""
    scratch = (folder or db_path.parent) / (
        f".{db_path.name}.fts-check.{os.getpid()}-{secrets.token_hex(4)}.partial"
    )
    try:
        try:
            os.close(os.open(scratch, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            _copy(c, scratch)
        except OSError as exc:
            raise NoScratchSpace(str(exc)) from exc
        except DatabaseError as exc:
            if any(w in str(exc).lower() for w in ("malformed", "corrupt", "not a database")):
                return False  # the index's own tables cannot be read: it is damaged
            raise NoScratchSpace(str(exc)) from exc
        check = connect(scratch, check_owner=False)  # (index tables only)
        try:
            for sql in CHECKS:
                check.execute(sql)
        except DatabaseError:
            return False
        finally:
            check.close()
        return True
    finally:
        remove_all(scratch)


def _copy(c: Connection, scratch: Path) -> None:
    """Each index's definition, its shadow tables and the text it indexes, as of one read."""
    c.execute("attach :path as fts_check", {"path": str(scratch)})
    try:
        # A rollback journal in memory: a copy that fails (a full disk) rolls back to an
        # empty file, which DETACH can still read.
        c.execute("pragma fts_check.journal_mode = memory")
        c.execute("pragma fts_check.synchronous = off")
        with read_snapshot(c):
            for index in KEYWORD_INDEXES:
                _copy_index(c, ftsrebuild.Names(index))
    finally:
        if c.in_transaction:  # a failed COMMIT can leave it open, and DETACH needs it closed
            c.execute("rollback")
        try:
            c.execute("detach fts_check")
        except DatabaseError:  # DETACH reads the schema: an empty file always has one
            os.truncate(scratch, 0)
            c.execute("detach fts_check")


def _copy_index(c: Connection, n: ftsrebuild.Names) -> None:
    c.execute(ftsrebuild.definition_as(c, n.index, f"fts_check.{n.index}"))
    columns = [str(r[1]) for r in c.execute(f"pragma main.table_info({n.source})")]
    c.execute(
        f"create table fts_check.{n.source} ({columns[0]} integer primary key, "
        f"{', '.join(columns[1:])})"
    )
    c.execute(f"insert into fts_check.{n.source} select * from main.{n.source}")
    for suffix in SHADOW:
        table = f"{n.index}_{suffix}"
        c.execute(f"delete from fts_check.{table}")
        c.execute(f"insert into fts_check.{table} select * from main.{table}")
