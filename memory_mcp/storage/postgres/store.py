"""PgStore: the PostgreSQL backend of the storage contract, one schema for everything.

`memories` is the source of truth; its `fts` column (tsvector, GIN) and `memory_vectors`
(pgvector, HNSW) are derived from it. Parts as on the SQLite side, sharing the pool.
"""

from memory_mcp.storage.postgres.maintenance import PgMaintenance
from memory_mcp.storage.postgres.principals import PgPrincipals
from memory_mcp.storage.postgres.reads import PgReads
from memory_mcp.storage.postgres.removals import PgRemovals
from memory_mcp.storage.postgres.searching import PgSearch
from memory_mcp.storage.postgres.transfer import PgTransfer
from memory_mcp.storage.postgres.vector_index import PgVectorIndex
from memory_mcp.storage.postgres.writes import PgWrites


class PgStore(
    PgWrites,
    PgRemovals,
    PgReads,
    PgSearch,
    PgVectorIndex,
    PgMaintenance,
    PgTransfer,
    PgPrincipals,
):
    """Satisfies memory_mcp.storage.contract.Storage over a psycopg connection pool."""


__all__ = ["PgStore"]
