"""SqliteStore: the SQLite backend of the storage contract, one file for everything.

`memories` is the source of truth; `memories_fts` (FTS5) and `memories_vec` (sqlite-vec) are
indexes derived from it. The store is assembled from one part per purpose, each a module
beside this one; they share the connection, its lock and the transaction helpers (base.py).
"""

from memory_mcp.storage.sqlite.maintenance import SqliteMaintenance
from memory_mcp.storage.sqlite.principals import SqlitePrincipals
from memory_mcp.storage.sqlite.reads import SqliteReads
from memory_mcp.storage.sqlite.removals import SqliteRemovals
from memory_mcp.storage.sqlite.searching import SqliteSearch
from memory_mcp.storage.sqlite.termstats import SqliteTermStats
from memory_mcp.storage.sqlite.transfer import SqliteTransfer
from memory_mcp.storage.sqlite.vector_index import SqliteVectorIndex
from memory_mcp.storage.sqlite.writes import SqliteWrites


class SqliteStore(
    SqliteWrites,
    SqliteRemovals,
    SqliteReads,
    SqliteSearch,
    SqliteTermStats,
    SqliteVectorIndex,
    SqliteMaintenance,
    SqlitePrincipals,
    SqliteTransfer,
):
    """Satisfies memory_mcp.storage.contract.Storage over one SQLite connection."""


__all__ = ["SqliteStore"]
