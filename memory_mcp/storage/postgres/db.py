"""The one place that knows psycopg: the pool, transactions, errors, ordered migrations.

Connections come from a psycopg_pool pool (size: MEMORY_MCP_PG_POOL_SIZE), in autocommit
mode: every write opens its own transaction (`with conn.transaction()`), so a failed write
leaves nothing behind. Each connection gets the schema on its search_path (ours first, then
the schema pgvector lives in) and a statement timeout. A connection that broke (the server
restarted) is dropped by the pool's check and a new one is made: the caller sees one clear
StorageError, and the next call works once the server is back.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg_pool
from pgvector.psycopg import register_vector
from psycopg import conninfo, sql
from psycopg.rows import dict_row

from memory_mcp.errors import ReadOnly, Refused, SchemaMismatch, StorageError
from memory_mcp.storage.postgres.migrations import APPLIED, MIGRATIONS, TARGET

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[dict[str, Any]]
MIGRATE_LOCK = 0x6D656D6F  # advisory lock key (namespace) of schema migrations: "memo"
WRITE_LOCK = 0x77726974  # advisory lock namespace of writes that decide per scope: "writ"
POOL_WAIT_S = 10.0  # how long a call waits for a connection (server down: then an error)


def safe_location(url: str, schema: str) -> str:
    """The URL for people: user, host, port and database, never a password."""
    try:
        parts = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return f"PostgreSQL (schema {schema})"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname') or ''} (schema {schema})"


@contextmanager
def storage_errors(where: str, doing: str, connect_timeout_s: int | None = None) -> Iterator[None]:
    """Turn the driver's failures into a StorageError the reader can act on; integrity and
    programming errors are bugs of ours and propagate unchanged. `connect_timeout_s`: the
    connect timeout of the connections made inside, named when one runs out."""
    try:
        yield
    except psycopg.errors.ConnectionTimeout as exc:
        if connect_timeout_s is None:
            raise StorageError(_unreachable(doing, where, exc)) from exc
        raise StorageError(
            f"Cannot {doing} {where}: the database server is unreachable (no answer within "
            f"{connect_timeout_s} s). Nothing was changed; try again once it is back."
        ) from exc
    except psycopg.errors.InsufficientPrivilege as exc:
        raise ReadOnly(
            f"Cannot {doing} {where}: {_first_line(exc)}. Nothing was changed; the database "
            "role in the URL lacks that right: an administrator can grant it, or run this "
            "as the role that owns memory-mcp's tables (see README, Running on PostgreSQL)."
        ) from exc
    except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedFunction) as exc:
        raise StorageError(
            f"Cannot {doing} {where}: {_first_line(exc)}: a part of memory-mcp's schema was "
            "dropped while this process had it open. Nothing was changed; `memory-mcp doctor` "
            "names what is missing and `doctor --repair` makes the derived parts again (the "
            "memories table itself comes back only from a backup, such as pg_dump's)."
        ) from exc
    except (psycopg.IntegrityError, psycopg.ProgrammingError):
        raise
    except psycopg.errors.QueryCanceled as exc:
        raise StorageError(
            f"Cannot {doing} {where}: a statement ran past the statement timeout "
            f"(MEMORY_MCP_PG_STATEMENT_TIMEOUT_MS). Nothing was changed; try again, or raise "
            "the timeout."
        ) from exc
    except psycopg_pool.PoolTimeout as exc:
        raise StorageError(
            f"Cannot {doing} {where}: no connection to the server within {POOL_WAIT_S:.0f} s "
            "(is PostgreSQL running and reachable, or are all MEMORY_MCP_PG_POOL_SIZE "
            "connections busy?). Nothing was changed; try again once it is back."
        ) from exc
    except psycopg.OperationalError as exc:
        if any(marker in str(exc) for marker in _REFUSALS):
            raise Refused(
                f"Cannot {doing} {where}: the server refused the connection "
                f"({_first_line(exc)}). Check the URL's user, password and database name "
                "(or PGPASSWORD, ~/.pgpass); trying again will not help."
            ) from exc
        raise StorageError(_unreachable(doing, where, exc)) from exc
    except psycopg.DatabaseError as exc:
        raise StorageError(f"Cannot {doing} {where}: {_first_line(exc)}.") from exc
    except psycopg.Error as exc:  # InterfaceError and the like: the connection is gone
        raise StorageError(f"Cannot {doing} {where}: {_first_line(exc)}.") from exc


def _unreachable(doing: str, where: str, exc: Exception) -> str:
    return (
        f"Cannot {doing} {where}: the database server is unreachable or closed the "
        f"connection ({_first_line(exc)}). Nothing was changed; try again once it is back."
    )


# What a server that answered says when it will never let this URL in (as opposed to a
# server that is down, restarting or out of connection slots, which a retry can get past).
_REFUSALS = (
    "password authentication failed",
    "no password supplied",  # the server asks for one the URL, PGPASSWORD and ~/.pgpass lack
    "no pg_hba.conf entry",
    "does not exist",
    "permission denied for database",
    "invalid sslmode value",
    "invalid connection option",
    "invalid integer value",
)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")


EF_SEARCH = 100  # HNSW candidates per search; past them pgvector 0.8 scans on (iteratively)


def _settings(schema: str, vector_schema: str, timeout_ms: int, iterative: bool) -> dict[str, str]:
    """Session settings of every pooled connection: our schema first on the search path,
    the statement timeout, and pgvector's search settings (0.8: iterative index scans, so a
    filter applied inside the HNSW scan never starves the top k). Set once a connection is
    made rather than sent as its startup `options`, which connection poolers such as
    PgBouncer refuse ("unsupported startup parameter")."""
    path = ",".join(f'"{s}"' for s in dict.fromkeys([schema, vector_schema]))
    settings = {
        "search_path": path,
        "statement_timeout": str(int(timeout_ms)),
        "hnsw.ef_search": str(EF_SEARCH),
    }
    return settings | ({"hnsw.iterative_scan": "relaxed_order"} if iterative else {})


def _apply(conn: Connection, settings: dict[str, str]) -> None:
    query = ", ".join("set_config(%s, %s, false)" for _ in settings)
    conn.execute(f"select {query}", [v for pair in settings.items() for v in pair])


CONNECT_TIMEOUT_S = 10  # how long a new connection may take, unless its user says otherwise


def url_options(url: str, schema: str) -> str:
    """The session settings the URL itself gives (`?options=-c...`), which every connection
    keeps (ours are set after them). A search_path there is refused: the tables live in
    MEMORY_MCP_PG_SCHEMA, and a URL naming another schema would silently be overruled."""
    try:
        given = conninfo.conninfo_to_dict(url).get("options") or ""
    except psycopg.ProgrammingError:
        return ""  # connecting reports what is wrong with the URL
    if "search_path" in str(given):
        raise StorageError(
            f"The URL sets search_path in its options ({given}); memory-mcp keeps its tables "
            f"in MEMORY_MCP_PG_SCHEMA (now {schema!r}). Remove it from the URL and set "
            "MEMORY_MCP_PG_SCHEMA to that schema instead."
        )
    return str(given)


def connect_once(
    url: str, schema: str, timeout_ms: int, connect_timeout_s: int = CONNECT_TIMEOUT_S
) -> Connection:
    """A plain connection (for migrations and snapshots), search_path set to our schema."""
    conn = psycopg.connect(
        url, autocommit=True, row_factory=dict_row, connect_timeout=connect_timeout_s
    )
    vector_schema = _vector_schema(conn) or "public"
    _apply(
        conn,
        {"search_path": f'"{schema}","{vector_schema}"', "statement_timeout": str(int(timeout_ms))},
    )
    return conn


def _vector_schema(conn: Connection) -> str | None:
    row = conn.execute(
        "select extnamespace::regnamespace::text as s from pg_extension where extname = 'vector'"
    ).fetchone()
    return None if row is None else str(row["s"]).strip('"')


def open_pool(
    url: str, schema: str, size: int, timeout_ms: int, connect_timeout_s: int = CONNECT_TIMEOUT_S
) -> psycopg_pool.ConnectionPool[Connection]:
    """The pool every call of the store borrows from (created after migrate: pgvector's
    types must exist before a connection registers them)."""
    with connect_once(url, schema, timeout_ms, connect_timeout_s) as probe:
        vector_schema = _vector_schema(probe) or "public"
        iterative = vector_version(probe) >= (0, 8)

    settings = _settings(schema, vector_schema, timeout_ms, iterative)

    def configure(conn: Connection) -> None:
        _apply(conn, settings)
        register_vector(conn)

    pool: psycopg_pool.ConnectionPool[Connection] = psycopg_pool.ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        kwargs={
            "autocommit": True,
            "row_factory": dict_row,
            "connect_timeout": connect_timeout_s,
        },
        configure=configure,
        check=psycopg_pool.ConnectionPool.check_connection,
        timeout=POOL_WAIT_S,
        open=False,
        name=f"memory-mcp-{schema}",
    )
    pool.open(wait=True, timeout=POOL_WAIT_S)
    return pool


def schema_version(c: Connection, schema: str) -> int:
    exists = c.execute(
        "select to_regclass(%s) is not null as e", (f'"{schema}".schema_version',)
    ).fetchone()
    if not exists or not exists["e"]:
        return 0
    row = c.execute(
        sql.SQL("select max(version) as v from {}.schema_version").format(sql.Identifier(schema))
    ).fetchone()
    return int(row["v"] or 0) if row else 0


def migrate(
    c: Connection, schema: str, create: bool, repair: Callable[[Connection], object] | None = None
) -> int:
    """Apply pending migrations, each with its version row in one transaction, under an
    advisory lock: replicas starting together migrate once, the others wait and skip.
    `repair` makes derived parts a hand dropped again first (restore.py)."""
    current = schema_version(c, schema)
    _refuse_unusable(c, schema, current, create)
    if current == TARGET and all(probe(c) for probe in APPLIED.values()):
        return current
    with c.transaction():
        c.execute("select pg_advisory_xact_lock(%s, hashtext(%s))", (MIGRATE_LOCK, schema))
        if _vector_schema(c) is None:
            _create_vector_extension(c)
        if not _schema_exists(c, schema):
            c.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        if repair is not None:  # the steps' writes fire the triggers of parts a hand dropped
            repair(c)
    for version, step in MIGRATIONS:
        with c.transaction():
            c.execute("select pg_advisory_xact_lock(%s, hashtext(%s))", (MIGRATE_LOCK, schema))
            # And the writes': an older process's write commits before the step (which sees
            # its rows) or reads the new version after it (base._refuse_newer_schema).
            c.execute("select pg_advisory_xact_lock(%s, hashtext(%s))", (WRITE_LOCK, schema))
            _catch_up(c)
            # Another replica may have run it while we waited for the lock; a database whose
            # numbers meant other steps (see migrations.py) may hold its work already.
            counted = schema_version(c, schema) >= version
            probe = APPLIED.get(step)
            if not (counted if probe is None else probe(c)):
                step(c)
            elif counted:
                continue
            c.execute(
                "insert into schema_version (version) values (%s) on conflict do nothing",
                (version,),
            )
            c.execute(
                """insert into meta (key, value) values ('schema_version', %s)
                   on conflict (key) do update set value = excluded.value""",
                (str(schema_version(c, schema)),),
            )
    logger.info("PostgreSQL schema %r at version %d (was %d)", schema, TARGET, current)
    return TARGET


def _refuse_unusable(c: Connection, schema: str, current: int, create: bool) -> None:
    """Refuse, before anything is made, a schema of a newer memory-mcp, none where none may
    be made, or one holding another program's tables under our names."""
    if current > TARGET:
        raise SchemaMismatch(
            f"This database's schema {schema!r} uses schema version {current}, newer than this "
            f"memory-mcp understands ({TARGET}). Upgrade memory-mcp; nothing was modified."
        )
    if current == 0 and not create:
        raise StorageError(
            f"No database at schema {schema!r}: nothing was created. Check the URL and "
            "MEMORY_MCP_PG_SCHEMA; a new one is made by the first memory stored."
        )
    if current == 0 and (taken := _taken(c, schema)):
        raise StorageError(
            f"Cannot use schema {schema!r}: another program's tables there have memory-mcp's "
            f"names ({', '.join(taken)}), and it has no schema_version table of ours. Nothing "
            "was changed; set MEMORY_MCP_PG_SCHEMA to a schema of memory-mcp's own (a new name "
            "makes a new one)."
        )


def _catch_up(c: Connection) -> None:
    """See what another replica's step committed while we waited for the locks: an advisory
    lock does not read the catalog's invalidations as a table's lock does, so to_regclass
    answered from this session's cache of before (no `memories` yet: step 6 ran twice)."""
    c.execute("select count(*) from pg_namespace")


def _create_vector_extension(c: Connection) -> None:
    """pgvector, into `public`: only a superuser (or the database owner, where pgvector is
    marked trusted) may; anyone else learns who must, and what to run."""
    database = scalar(c, "select current_database()")
    try:
        with c.transaction():  # a savepoint: the error text is ours to give
            c.execute("create extension if not exists vector schema public")
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedFile) as exc:
        missing = isinstance(exc, psycopg.errors.UndefinedFile)
        raise StorageError(
            f"pgvector is not installed in database {database!r}"
            + (
                " (nor on the server: install it, e.g. the postgresql-NN-pgvector package)"
                if missing
                else f", and role {scalar(c, 'select current_user')!r} may not install it"
            )
            + f". A superuser runs `CREATE EXTENSION vector;` in {database!r} once, then "
            "memory-mcp creates its tables itself. Nothing was created."
        ) from exc


# The tables memory-mcp makes in its schema (besides schema_version, made by the first step
# with its own row, so a schema without it holds none of ours).
OUR_TABLES = ("fts_stats", "history", "memories", "memory_vectors", "meta", "principals", "vec_log")


def _taken(c: Connection, schema: str) -> list[str]:
    """Our tables' names held by another program's relations in a schema without ours."""
    rows = c.execute(
        "select table_name as t from information_schema.tables where table_schema = %s "
        "and table_name = any(%s) order by 1",
        (schema, list(OUR_TABLES)),
    ).fetchall()
    return [str(row["t"]) for row in rows]


def _schema_exists(c: Connection, schema: str) -> bool:
    """Whether the schema is there: one an administrator made, for a role that may create
    tables in it but not schemas in the database (`create schema if not exists` would
    still ask for that right)."""
    found = c.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone()
    return found is not None


def meta_value(c: Connection, key: str) -> str | None:
    row = c.execute("select value from meta where key = %s", (key,)).fetchone()
    return None if row is None else str(row["value"])


def set_meta(c: Connection, key: str, value: str) -> None:
    c.execute(
        """insert into meta (key, value) values (%s, %s)
           on conflict (key) do update set value = excluded.value""",
        (key, value),
    )


def scalar(c: Connection, query: str, params: Any = None) -> Any:
    row = c.execute(query, params).fetchone()
    assert row is not None, query
    return next(iter(row.values()))


def vector_version(c: Connection) -> tuple[int, ...]:
    """The installed pgvector's version, e.g. (0, 8, 0)."""
    row = c.execute("select extversion from pg_extension where extname = 'vector'").fetchone()
    text = "0" if row is None else str(row["extversion"])
    return tuple(int(p) for p in text.split(".") if p.isdigit())
