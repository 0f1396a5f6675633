"""Storage: the contract the service relies on (contract.py), and its backends.

`open_storage` is the one place that chooses a backend from the settings; a new backend
lives in its own folder beside `sqlite/` and is added here.
"""

from pathlib import Path

from memory_mcp.config import Settings, is_database_url
from memory_mcp.storage.contract import Storage
from memory_mcp.storage.sqlite import open_store


def open_storage(
    settings: Settings,
    create: bool = True,
    connect_timeout_s: int | None = None,
    damaged: bool = False,
) -> Storage:
    """Open (and migrate) the database the settings name; `create=False` refuses, with a
    StorageError, to open one that does not exist yet. A postgresql:// (or postgres://) URL
    opens the PostgreSQL backend, any other value an SQLite file. `connect_timeout_s`: how
    long a connection to a database server may take (default 10 s; a file opens at once).
    A database whose derived index (the keyword index) was dropped by hand is refused,
    naming `memory-mcp doctor --repair`, unless `damaged` (doctor's own open)."""
    if is_database_url(settings.db):
        # imported only for a URL: psycopg and its pool cost a tenth of a second at start-up
        from memory_mcp.storage import postgres

        return postgres.open_store(
            str(settings.db),
            settings.pg_schema,
            settings.pg_pool_size,
            settings.pg_statement_timeout_ms,
            create=create,
            damaged=damaged,
            **({} if connect_timeout_s is None else {"connect_timeout_s": connect_timeout_s}),
        )
    path = Path(settings.db).expanduser()
    max_bytes = None if settings.max_db_mb is None else settings.max_db_mb * 1024 * 1024
    return open_store(
        path,
        settings.busy_timeout_ms,
        max_bytes,
        settings.durability,
        create=create,
        damaged=damaged,
    )


__all__ = ["open_storage"]
