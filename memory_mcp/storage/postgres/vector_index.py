"""The vector index's life on PostgreSQL (model, dimension, filling, reindex), and the feed
(vec_log, filled by triggers) that keeps any in-memory copy current across replicas."""

import json
from collections.abc import Callable, Sequence

import numpy as np

from memory_mcp.errors import SchemaMismatch
from memory_mcp.storage.contract import VectorDelta, VectorRows, log_reaches
from memory_mcp.storage.postgres import vectors
from memory_mcp.storage.postgres.base import PgBase
from memory_mcp.storage.postgres.db import Connection, meta_value, set_meta

_REINDEX_KEY = "reindex_pending"


class PgVectorIndex(PgBase):
    def vector_index_info(self) -> tuple[str, int] | None:
        return self._read(vectors.index_info)

    def ensure_vector_index(self, model: str, dim: int) -> None:
        """Create the vector index for (model, dim), or check the existing one matches; under
        the write lock, so replicas starting together create it once."""
        with self._write() as c:
            info = vectors.index_info(c)
            if info is None:
                vectors.create_index(c, model, dim)
            elif info != (model, dim):
                raise SchemaMismatch(
                    f"This database's vectors were made with {info[0]} ({info[1]}-d), but "
                    f"the configured model is {model} ({dim}-d). Run `memory-mcp reindex` to "
                    f"re-embed every memory with {model}, or set MEMORY_MCP_MODEL={info[0]}."
                )
        self._made_with = model

    def reset_vector_index(self, model: str, dim: int) -> None:
        with self._write() as c:
            vectors.create_index(c, model, dim)
            set_meta(c, _REINDEX_KEY, json.dumps([model, dim]))
        self._made_with = model

    def reindex_pending(self) -> tuple[str, int] | None:
        value = self._read(lambda c: meta_value(c, _REINDEX_KEY))
        if value is None:
            return None
        model, dim = json.loads(value)
        return str(model), int(dim)

    def finish_reindex(self) -> None:
        with self._write() as c:
            c.execute("delete from meta where key = %s", (_REINDEX_KEY,))

    def pending_embeddings(self, limit: int, after_id: int = 0) -> list[tuple[int, str]]:
        if not self.has_vector_index():
            return []
        return self._read(
            lambda c: [
                (int(r["id"]), str(r["content"]))
                for r in c.execute(
                    """
                    select m.id, m.content from memories m
                    where m.id > %s and not exists
                        (select 1 from memory_vectors v where v.memory_id = m.id)
                    order by m.id limit %s
                    """,
                    (after_id, limit),
                )
            ]
        )

    def set_vectors(self, rows: Sequence[tuple[int, str, np.ndarray]]) -> int:
        """Store vectors for memories that still lack one (see the contract), decided under
        the write lock: replicas embedding the same row store it once."""
        stored = 0
        with self._write() as c:
            if self._foreign_index(c):
                return 0
            for memory_id, content, vector in rows:
                if not vectors.awaits_vector(c, memory_id, content):
                    continue
                vectors.insert(c, memory_id, vector)
                stored += 1
        return stored

    def last_memory_id(self) -> int:
        """max(id): a backward step on the primary key's index."""

        def last(c: Connection) -> int:
            row = c.execute("select coalesce(max(id), 0) as id from memories").fetchone()
            return int(row["id"]) if row is not None else 0

        return self._read(last)

    def wants_vector_copy(self) -> bool:
        """No: pgvector's HNSW index lives in the server, shared by every replica."""
        return False

    def vector_log_head(self) -> tuple[int, int]:
        generation, head, _ = self._read(vectors.log_state)
        return generation, head

    def vector_changes(self, after: int, dim: int) -> VectorDelta | None:
        with self._snapshot() as c:
            generation, head, oldest = vectors.log_state(c)
            if not log_reaches(after, oldest, head):
                return None
            ids = vectors.changed_since(c, after)
            return VectorDelta(generation, head, ids, vectors.rows_for(c, ids, dim))

    def vectors_lost(self, after: int) -> list[int] | None:
        with self._snapshot() as c:
            _, head, oldest = vectors.log_state(c)
            if not log_reaches(after, oldest, head):
                return None
            return vectors.lost_since(c, after)

    def vector_snapshot(self, dim: int, consume: Callable[[VectorRows], None]) -> tuple[int, int]:
        with self._snapshot() as c:
            generation, head, _ = vectors.log_state(c)
            for rows in vectors.all_rows(c, dim):
                consume(rows)
        return generation, head
