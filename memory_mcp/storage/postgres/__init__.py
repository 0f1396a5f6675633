"""The PostgreSQL backend: tsvector + GIN for keywords, pgvector (HNSW) for vectors, any
number of server processes on one database."""

from memory_mcp.errors import StorageError
from memory_mcp.storage.postgres import db, restore
from memory_mcp.storage.postgres.store import PgStore


def open_store(
    url: str,
    schema: str,
    pool_size: int,
    statement_timeout_ms: int,
    create: bool = True,
    connect_timeout_s: int = db.CONNECT_TIMEOUT_S,
    damaged: bool = False,
) -> PgStore:
    """Connect, migrate the schema (creating it unless `create` is False), open the pool.
    `connect_timeout_s`: how long each new connection may take (a hook gives up sooner).
    A schema whose derived parts were dropped by hand is refused unless `damaged` (doctor)."""
    where = db.safe_location(url, schema)
    db.url_options(url, schema)  # refused before anything is created in the wrong place
    with db.storage_errors(where, "open", connect_timeout_s):
        with db.connect_once(url, schema, statement_timeout_ms, connect_timeout_s) as conn:
            _check_encoding(conn, where)
            db.migrate(conn, schema, create, restore.restore_missing)
            if not damaged and (gone := restore.missing(conn)):
                raise StorageError(restore.REPAIR.format(where=where, parts=", ".join(gone)))
        pool = db.open_pool(url, schema, pool_size, statement_timeout_ms, connect_timeout_s)
    return PgStore(pool, where, schema, damaged=damaged)


def _check_encoding(conn: db.Connection, where: str) -> None:
    """Refuse a database that cannot hold every text: memory-mcp's schema and memories are
    Unicode, and a database in another encoding (SQL_ASCII, LATIN1, as `initdb` under the C
    locale makes) failed partway through creating the schema with a traceback."""
    found = db.scalar(conn, "show server_encoding")  # bytes, in such a database
    encoding = found.decode("ascii", "replace") if isinstance(found, bytes) else str(found)
    if encoding.upper() != "UTF8":
        raise StorageError(
            f"The PostgreSQL database at {where} uses the {encoding} encoding; memory-mcp "
            "needs UTF8 to store text in any language. Nothing was changed: create a UTF8 "
            "database (createdb -E UTF8 -T template0 NAME) and point MEMORY_MCP_DB at it."
        )


__all__ = ["PgStore", "open_store"]
