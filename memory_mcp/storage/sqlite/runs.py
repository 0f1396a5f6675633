"""Runs of new memories that insert_many writes with one statement each.

A memory is inserted through the triggers that fill both keyword indexes, so SQLite runs
the insert inside a statement savepoint, and FTS5 writes its pending entries to disk at each
savepoint: a batch inserted a row at a time left FTS5 a segment per row to write and merge
(about half of what storing a bulk row cost). A run of plain rows (new memories without a
key) is inserted by one `insert ... select` over the rows as JSON instead: FTS5 writes the
run's entries once. Each row is still decided against every row before it: a row whose
decision could read a row of the run (its text in its scope, its source item or its id),
and every other write, first writes the run.
"""

import json
from collections.abc import Iterable
from typing import Any

from memory_mcp.storage import sources
from memory_mcp.storage.audit import SNAPSHOT_FIELDS
from memory_mcp.storage.contract import Inserted, NewRow
from memory_mcp.storage.sqlite import history, vectors
from memory_mcp.storage.sqlite.db import Connection, scalar

MAX_ID = 2**63 - 1  # past it SQLite picks a free id itself: such a row is inserted alone


class Run:
    """The rows taken so far, not yet written; their ids are given when they are taken."""

    def __init__(
        self, c: Connection, columns: tuple[str, ...], next_id: str, action: str,
        client: str | None, made_with: str | None,
    ) -> None:  # fmt: skip
        self._c, self._client = c, client
        self.action, self.made_with = action, made_with
        self._columns, self._next_id_sql = columns, next_id
        # Each row as a JSON array in column order, not an object: shorter to write and to
        # read, which took a fifth off the statement and its encoding.
        self._insert = f"""
            insert into memories ({", ".join(columns)})
            select {", ".join(f"value ->> {at}" for at in range(len(columns)))}
            from json_each(:rows)
        """
        self._rows: list[tuple[NewRow, dict[str, Any]]] = []
        self._next_id: int | None = None  # known while rows are taken: none is written
        self._texts: set[tuple[str, str]] = set()  # (scope, content hash)
        self._sources: set[tuple[str, str]] = set()
        self._ids: set[int] = set()
        self.written: dict[int, Inserted] = {}

    def holds_alike(self, item: NewRow, digest: str) -> bool:
        """Whether a decision on `item` could read a row of the run: its text in its scope,
        its id or its import source item."""
        source = sources.origin(item)
        return (
            (item.scope, digest) in self._texts
            or (item.id is not None and item.id in self._ids)
            or (source is not None and (source["format"], source["id"]) in self._sources)
        )

    def take(self, item: NewRow, values: dict[str, Any]) -> int | None:
        """Take a new memory (its insert parameters, `values`); its id, or None when it is
        to be inserted alone (a key to settle, or no id left below the largest)."""
        if item.key is not None or not json_safe(values.values()):
            return None
        if self._next_id is None:
            found = scalar(self._c, f"select {self._next_id_sql}")
            self._next_id = MAX_ID if found is None else int(found)
        new_id = item.id if item.id is not None else self._next_id
        if new_id >= MAX_ID:
            return None
        self._next_id = max(self._next_id, new_id + 1)
        self._rows.append((item, values | {"id": new_id}))
        self._texts.add((item.scope, values["content_hash"]))
        self._ids.add(new_id)
        if (source := sources.origin(item)) is not None:
            self._sources.add((source["format"], source["id"]))
        return new_id

    def write(self) -> None:
        """Insert the rows taken, then their vectors and their history, in their order."""
        if not self._rows:
            return
        rows, self._rows = self._rows, []
        self._next_id = None
        self._texts.clear()
        self._sources.clear()
        self._ids.clear()
        table = [[values[name] for name in self._columns] for _, values in rows]
        self._c.execute(self._insert, {"rows": json.dumps(table)})
        embedded = [(values["id"], item.vector) for item, values in rows if item.vector is not None]
        logged = dict.fromkeys((values["id"] for _, values in rows), 0)
        if embedded and vectors.has_table(self._c):
            positions = vectors.insert_run(self._c, embedded, self.made_with)
            logged.update(zip((memory_id for memory_id, _ in embedded), positions, strict=True))
        # The snapshot of each row's values, its JSON columns as given (not decoded again).
        after = [
            (values["id"], {name: values[name] for name in SNAPSHOT_FIELDS}
             | {"tags": item.tags, "metadata": item.metadata})
            for item, values in rows
        ]  # fmt: skip
        history.record_created(self._c, after, self.action, self._client)
        for new_id, position in logged.items():
            self.written[new_id] = Inserted(new_id, "created", (), None, position)


def json_safe(values: Iterable[Any]) -> bool:
    """Whether the values come out of JSON as they went in: no text with a NUL or half a
    surrogate pair (JSON escapes them; SQLite's binding keeps the one, refuses the other).
    Checked on the texts joined: one scan a row, not a call a value."""
    text = "".join([value for value in values if isinstance(value, str)])
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")  # refuses any surrogate, so halves of two texts joined too
    except UnicodeEncodeError:
        return False
    return True
