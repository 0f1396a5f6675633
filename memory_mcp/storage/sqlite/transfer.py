"""Copying rows in exactly as another store holds them (memory-mcp migrate): see the
contract's Transfer. No decisions, no history added; ids already stored are left out."""

import json
from collections.abc import Sequence

from memory_mcp.models import HistoryEntry
from memory_mcp.storage.contract import NewRow
from memory_mcp.storage.sqlite import vectors
from memory_mcp.storage.sqlite.base import SqliteBase
from memory_mcp.storage.sqlite.writes import COLUMNS, row_values
from memory_mcp.timestamps import format_time, utc_now

_COPY = f"""
    insert into memories ({", ".join(COLUMNS)})
    values ({", ".join(":" + c for c in COLUMNS)})
    on conflict (id) do nothing
"""
_COPY_HISTORY = """
    insert into history (id, memory_id, action, at, client, principal, before, after, detail)
    values (:id, :memory_id, :action, :at, :client, :principal, :before, :after, :detail)
    on conflict (id) do nothing
"""


class SqliteTransfer(SqliteBase):
    def copy_rows(self, rows: Sequence[NewRow]) -> int:
        copied = 0
        with self._write() as c:
            embed, now = vectors.has_table(c), utc_now()
            for item in rows:
                values = row_values(item, now)  # a copy's times are its own
                if c.execute(_COPY, values).rowcount == 0:
                    continue
                copied += 1
                if item.vector is not None and embed and item.id is not None:
                    vectors.insert(c, item.id, item.vector)
        return copied

    def copy_history(self, entries: Sequence[HistoryEntry]) -> int:
        copied = 0
        with self._write() as c:
            for e in entries:
                values = e.model_dump() | {
                    "at": format_time(e.at),
                    "before": None if e.before is None else json.dumps(e.before),
                    "after": None if e.after is None else json.dumps(e.after),
                    "detail": json.dumps(e.detail, default=str),
                }
                copied += c.execute(_COPY_HISTORY, values).rowcount
        return copied
