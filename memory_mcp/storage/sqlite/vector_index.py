"""The vector index's life (model, dimension, filling, reindex) and the feed that keeps
in-memory copies of it current (vec_log)."""

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from memory_mcp.errors import SchemaMismatch
from memory_mcp.storage.contract import VectorDelta, VectorRows, log_reaches
from memory_mcp.storage.sqlite import vectors
from memory_mcp.storage.sqlite.base import SqliteBase
from memory_mcp.storage.sqlite.db import (
    Connection,
    connect,
    meta_value,
    read_snapshot,
    scalar,
    set_meta,
)

if TYPE_CHECKING:
    import numpy as np


_REINDEX_KEY = "reindex_pending"


class SqliteVectorIndex(SqliteBase):
    def vector_index_info(self) -> tuple[str, int] | None:
        """(model, dimension) the vector index was built for, or None if there is none."""
        return self._read(vectors.index_info)

    def ensure_vector_index(self, model: str, dim: int) -> None:
        """Create the vector index for (model, dim), or check the existing one matches.

        Check and create share one write transaction: two servers starting together on a
        new file must not both create (and the second drop the first's vectors).
        """
        with self._write() as c:
            info = vectors.index_info(c)
            if info is None:
                vectors.create_index(c, model, dim)
            elif info == (model, dim):
                vectors.upgrade_layout(c)
            elif info != (model, dim):
                raise SchemaMismatch(
                    f"This database's vectors were made with {info[0]} ({info[1]}-d), but "
                    f"the configured model is {model} ({dim}-d). Run `memory-mcp reindex` to "
                    f"re-embed every memory with {model}, or set MEMORY_MCP_MODEL={info[0]}."
                )
        self._made_with = model

    def reset_vector_index(self, model: str, dim: int) -> None:
        """Drop and recreate an empty vector index (all memories become pending), marked as
        a reindex in progress until finish_reindex, so an interrupted one can resume."""
        with self._write() as c:
            vectors.create_index(c, model, dim)
            set_meta(c, _REINDEX_KEY, json.dumps([model, dim]))
        self._made_with = model

    def reindex_pending(self) -> tuple[str, int] | None:
        """(model, dim) of a reindex that started and has not finished, if any."""
        value = self._read(lambda c: meta_value(c, _REINDEX_KEY))
        if value is None:
            return None
        model, dim = json.loads(value)
        return str(model), int(dim)

    def finish_reindex(self) -> None:
        with self._write() as c:
            c.execute("delete from meta where key = :k", {"k": _REINDEX_KEY})

    def pending_embeddings(self, limit: int, after_id: int = 0) -> list[tuple[int, str]]:
        """(id, content) of memories without a vector, in id order.

        Looked up in vec0's own id table (`memories_vec_rowids`: rowid = memory_id): a vec0
        point lookup per memory read its vector chunks, 0.57 s per call at 100k memories,
        and this runs at every start and after every write stored without a vector."""
        if not self.has_vector_index():
            return []
        return self._read(
            lambda c: [
                (int(r[0]), str(r[1]))
                for r in c.execute(
                    """
                    select m.id, m.content from memories m
                    where m.id > :after and not exists
                        (select 1 from memories_vec_rowids v where v.rowid = m.id)
                    order by m.id limit :n
                    """,
                    {"after": after_id, "n": limit},
                )
            ]
        )

    def set_vectors(self, rows: "Sequence[tuple[int, str, np.ndarray]]") -> int:
        """Store vectors for memories that still lack one (see the contract): two servers
        embedding the same row, or a row edited while its old text was embedded, never
        replace the vector of its current content with a stale one."""
        stored = 0
        with self._write() as c:
            for memory_id, content, vector in rows:
                if not vectors.awaits_vector(c, memory_id, content):
                    continue
                stored += bool(vectors.insert(c, memory_id, vector, self._made_with))
        return stored

    def last_memory_id(self) -> int:
        """max(id): SQLite reads it off the end of the rowid b-tree."""
        return self._read(lambda c: int(scalar(c, "select max(id) from memories") or 0))

    def wants_vector_copy(self) -> bool:
        """Yes: an in-memory copy searches faster than a scan of the vec0 table."""
        return True

    def vector_log_head(self) -> tuple[int, int]:
        """(generation, last logged change): whether an in-memory copy is still current."""
        generation, head, _ = self._read(vectors.log_state)
        return generation, head

    def vector_changes(self, after: int, dim: int) -> VectorDelta | None:
        """Rows changed since log position `after`, read in one snapshot; None when the log
        no longer reaches back that far, or the index was rebuilt (reload in full)."""

        def fetch(c: Connection) -> VectorDelta | None:
            generation, head, oldest, ids, rows = vectors.changes(c, after, dim)
            if not log_reaches(after, oldest, head):
                return None
            return VectorDelta(generation, head, ids, rows)

        return self._read(fetch)

    def vectors_lost(self, after: int) -> list[int] | None:
        """Ids changed since log position `after` left without a vector (see the contract):
        a server's check after its own writes reads none of their vectors back."""
        oldest, head, ids = self._read(lambda c: vectors.lost(c, after))
        return ids if log_reaches(after, oldest, head) else None

    def vector_snapshot(self, dim: int, consume: Callable[[VectorRows], None]) -> tuple[int, int]:
        """Stream every vector to `consume` from one read snapshot; returns (generation,
        log position) it reflects. A file database is read on a second connection, so
        the store stays free for other calls during a long load."""
        if self.path is None:
            return self._read(lambda c: _snapshot(c, dim, consume))
        conn = connect(self.path)
        try:
            return _snapshot(conn, dim, consume)
        finally:
            conn.close()


def _snapshot(c: Connection, dim: int, consume: Callable[[VectorRows], None]) -> tuple[int, int]:
    with read_snapshot(c):
        generation, head, _ = vectors.log_state(c)
        for rows in vectors.all_rows(c, dim):
            consume(rows)
    return generation, head
