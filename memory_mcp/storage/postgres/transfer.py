"""Copying rows in exactly as another store holds them (memory-mcp migrate): see the
contract's Transfer. No decisions, no history added; ids already stored are left out. The
id sequences continue after the highest id copied."""

from collections.abc import Sequence

import numpy as np

from memory_mcp.models import HistoryEntry
from memory_mcp.storage.contract import NewRow
from memory_mcp.storage.postgres import vectors
from memory_mcp.storage.postgres.base import PgBase, as_json
from memory_mcp.storage.postgres.db import Connection
from memory_mcp.storage.postgres.writes import COLUMNS, row_values
from memory_mcp.timestamps import format_time, utc_now

_COPY = f"""
    insert into memories ({", ".join(COLUMNS)})
    values ({", ".join(f"%({c})s" for c in COLUMNS)})
    on conflict (id) do nothing returning id
"""
_COPY_HISTORY = """
    insert into history (id, memory_id, action, at, client, principal, before, after, detail)
    overriding system value
    values (%(id)s, %(memory_id)s, %(action)s, %(at)s, %(client)s, %(principal)s, %(before)s,
            %(after)s, %(detail)s)
    on conflict (id) do nothing returning id
"""


def _continue_after(c: Connection, table: str) -> None:
    c.execute(
        f"""select setval(pg_get_serial_sequence('{table}', 'id'),
                          greatest((select max(id) from {table}), 1))"""
    )


class PgTransfer(PgBase):
    def copy_rows(self, rows: Sequence[NewRow]) -> int:
        """One pipelined executemany for the rows (a round trip per batch, not per row), then
        one for the vectors of those that went in; ids already stored are left out by the
        insert itself, inside the transaction."""
        with self._write() as c, c.cursor() as cur:
            now = utc_now()
            cur.executemany(_COPY, [row_values(item, now) for item in rows], returning=True)
            copied: list[NewRow] = []
            for item in rows:  # one result set per row: its id, or none when left out
                if cur.fetchone() is not None:
                    copied.append(item)
                cur.nextset()
            if vectors.has_table(c):
                cur.executemany(
                    vectors.INSERT,
                    [(i.id, np.asarray(i.vector, dtype=np.float32)) for i in copied
                     if i.vector is not None and i.id is not None],
                )  # fmt: skip
            _continue_after(c, "memories")
        return len(copied)

    def copy_history(self, entries: Sequence[HistoryEntry]) -> int:
        copied = 0
        with self._write() as c:
            for e in entries:
                values = e.model_dump() | {
                    "at": format_time(e.at),
                    "before": None if e.before is None else as_json(e.before),
                    "after": None if e.after is None else as_json(e.after),
                    "detail": as_json(e.detail),
                }
                copied += c.execute(_COPY_HISTORY, values).fetchone() is not None
            _continue_after(c, "history")
        return copied
