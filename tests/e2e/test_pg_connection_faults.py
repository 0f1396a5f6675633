"""The stdio server's own PostgreSQL connection killed (pg_terminate_backend) between calls
and in the middle of a write: a clear error or a fresh connection, never a half-written
memory, and the next call works. Only this test's backends are touched (found by the
application_name the server is started with)."""

import sys
import time
import uuid
from pathlib import Path

import anyio
import psycopg
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from memory_mcp.storage.postgres.db import WRITE_LOCK
from tests import pg

pytestmark = [pytest.mark.slow, pg.needs_postgres, pytest.mark.anyio]


def _terminate(app: str, waiting: bool = False) -> int:
    """Terminate this test's server backends (only those waiting on a lock, if `waiting`)."""
    clause = " and wait_event_type = 'Lock'" if waiting else ""
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        row = conn.execute(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity "
            f"where application_name = %s{clause}",
            (app,),
        ).fetchone()
        return int(row[0]) if row else 0


def _waiting(app: str) -> bool:
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        row = conn.execute(
            "select count(*) from pg_stat_activity where application_name = %s "
            "and wait_event_type = 'Lock'",
            (app,),
        ).fetchone()
        return bool(row and row[0])


async def test_a_killed_connection_gives_an_error_or_a_new_one_and_nothing_half_written(
    tmp_path: Path,
) -> None:
    schema = pg.fresh_schema()
    app = f"memory-mcp-test-{uuid.uuid4().hex[:8]}"
    env = {
        "MEMORY_MCP_DB": pg.url(),
        "MEMORY_MCP_PG_SCHEMA": schema,
        "MEMORY_MCP_SEMANTIC": "false",
        "PGAPPNAME": app,  # libpq names the server's connections so
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "memory_mcp", "serve"], env=env
    )
    stored: list[str] = []
    with (tmp_path / "stderr.log").open("w") as log:
        async with Client(stdio_client(params, errlog=log), read_timeout_seconds=60) as client:

            async def remember(content: str) -> tuple[bool, str]:
                result = await client.call_tool("remember", {"content": content})
                text = result.content[0].text  # type: ignore[union-attr]
                if not result.is_error:
                    stored.append(content)
                return result.is_error, text

            assert not (await remember("Before the kill: the relay is R-1"))[0]
            assert _terminate(app) >= 1  # between calls: the pool replaces it
            assert not (await remember("After the kill: the relay is R-2"))[0]

            # In the middle of a write: the server waits for the write lock inside its
            # transaction (held here), and its backend is killed while it waits.
            with psycopg.connect(pg.url(), autocommit=True) as holder:
                holder.execute("select pg_advisory_lock(%s, hashtext(%s))", (WRITE_LOCK, schema))
                outcome: list[tuple[bool, str]] = []
                async with anyio.create_task_group() as tasks:

                    async def call() -> None:
                        outcome.append(await remember("Killed mid-write: the relay is R-3"))

                    tasks.start_soon(call)
                    deadline = time.monotonic() + 120
                    while not _waiting(app):
                        assert time.monotonic() < deadline, "the write never waited"
                        await anyio.sleep(0.05)
                    assert _terminate(app, waiting=True) == 1
                holder.execute("select pg_advisory_unlock(%s, hashtext(%s))", (WRITE_LOCK, schema))
            failed, text = outcome[0]
            if failed:  # a clear error, never a traceback
                assert "closed the connection" in text and "Nothing was changed" in text, text
                assert "Traceback" not in text

            assert not (await remember("After the mid-write kill: the relay is R-4"))[0]
            found = await client.call_tool("recall", {"query": "relay", "limit": 50})
            assert not found.is_error
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        rows = conn.execute(f'select content from "{schema}".memories order by id').fetchall()
        history = conn.execute(f'select count(*) from "{schema}".history').fetchone()
    assert [r[0] for r in rows] == stored  # every acknowledged one, and nothing else
    assert history is not None and history[0] == len(stored)
