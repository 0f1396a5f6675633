"""The PostgreSQL server the tests use: MEMORY_MCP_TEST_PG_URL (CI sets it from .ci/postgres).

Without it the PostgreSQL tests skip, saying why; each test gets a schema of its own, dropped
at the end of the session.
"""

import os
import uuid
from pathlib import Path

import pytest

ENV = "MEMORY_MCP_TEST_PG_URL"
SKIP_REASON = (
    f"no PostgreSQL server: set {ENV} to a postgresql:// URL of a database with pgvector "
    "(`.ci/postgres` installs one and prints it) to run the PostgreSQL tests"
)
needs_postgres = pytest.mark.skipif(not os.environ.get(ENV), reason=SKIP_REASON)
_created: list[str] = []
_roles: list[str] = []
_databases: list[str] = []


def url() -> str:
    given = os.environ.get(ENV)
    if not given:
        pytest.skip(SKIP_REASON)
    return given


def fresh_schema(tmp_path: Path | None = None) -> str:
    """A new schema name (created by the store on open), dropped after the session."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    _created.append(name)
    return name


def drop_schemas() -> None:
    """Drop every schema, database and role the session made (called once, at its end)."""
    if not (_created or _roles or _databases) or not os.environ.get(ENV):
        return
    import psycopg

    with psycopg.connect(url(), autocommit=True) as conn:
        for name in _created:
            conn.execute(f'drop schema if exists "{name}" cascade')
        for name in _databases:
            conn.execute(f'drop database if exists "{name}" with (force)')
        for name in _roles:
            conn.execute(f'drop owned by "{name}" cascade')
            conn.execute(f'drop role if exists "{name}"')
    _created.clear()
    _roles.clear()
    _databases.clear()


def admin(*statements: str, database: str | None = None) -> None:
    """Run statements as the test server's (superuser) role: an administrator's set-up."""
    import psycopg
    from psycopg import conninfo

    target = url() if database is None else conninfo.make_conninfo(url(), dbname=database)
    with psycopg.connect(target, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def fresh_role(password: str = "pw") -> tuple[str, str]:
    """A new login role with no rights beyond PUBLIC's (dropped after the session), and the
    URL of the test database as that role: (name, url)."""
    from urllib.parse import quote

    from psycopg import conninfo

    name = f"test_role_{uuid.uuid4().hex[:12]}"
    _roles.append(name)
    admin(f"create role \"{name}\" login password '{password}'")
    parts = conninfo.conninfo_to_dict(url())
    host, port = parts.get("host", "localhost"), parts.get("port", "5432")
    login = f"{name}:{quote(password, safe='')}"
    return name, f"postgresql://{login}@{host}:{port}/{parts['dbname']}"


def fresh_database(owner: str) -> str:
    """A new database owned by `owner`, without pgvector (dropped after the session)."""
    name = f"test_db_{uuid.uuid4().hex[:12]}"
    _databases.append(name)
    admin(f'create database "{name}" owner "{owner}"')
    return name


def raw_rows(store: object, statement: str) -> list[tuple[object, ...]]:
    """Run SQL (values inlined by the test) straight on the database under a store, below
    the contract, whichever backend it is: for tests that plant a state or read raw rows."""
    conn = getattr(store, "conn", None)
    if conn is not None:  # SQLite
        return [tuple(r) for r in conn.execute(statement).fetchall()]
    import psycopg

    schema = getattr(store, "schema")  # noqa: B009
    with psycopg.connect(url(), autocommit=True) as pg_conn:
        pg_conn.execute(f'set search_path = "{schema}", public')
        cur = pg_conn.execute(statement)
        return list(cur.fetchall()) if cur.description else []


def schema_text(schema: str) -> bytes:
    """Every row of every table in a schema, as text: what the database holds (rows only;
    dead row versions are the server's, see the README)."""
    import psycopg

    with psycopg.connect(url(), autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select tablename from pg_tables where schemaname = %s", (schema,)
            ).fetchall()
        ]
        return b"".join(
            str(row[0]).encode()
            for table in tables
            for row in conn.execute(f'select t::text from "{schema}"."{table}" t').fetchall()
        )


def other_spellings(role_url: str | None = None) -> list[str]:
    """The test database written other ways a person might: the address as digits, an
    option added, host and user as query parameters, the short scheme; and, given
    `role_url` (another role's URL of it), that one."""
    from urllib.parse import quote

    from psycopg import conninfo

    parts = conninfo.conninfo_to_dict(url())
    user, password = quote(str(parts["user"]), safe=""), quote(str(parts["password"]), safe="")
    host, port, db = parts.get("host", "localhost"), parts.get("port", "5432"), parts["dbname"]
    numeric = "127.0.0.1" if host == "localhost" else host
    spelled = [
        f"postgresql://{user}:{password}@{numeric}:{port}/{db}",
        f"{url()}{'&' if '?' in url() else '?'}application_name=another",
        f"postgresql:///{db}?host={host}&port={port}&user={user}&password={password}",
        f"postgres://{user}:{password}@{host}:{port}/{db}",
    ]
    return spelled + ([role_url] if role_url else [])
