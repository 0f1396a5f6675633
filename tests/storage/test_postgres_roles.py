"""PostgreSQL with the roles a team's administrator hands out: a role that may create tables
only in a schema made for it, one that may read and write rows but owns nothing, one that
may only read; wrong passwords and a database without pgvector. Each gets its work done or
a sentence saying what is missing, never a traceback."""

import logging
from pathlib import Path
from urllib.parse import quote

import pytest
from psycopg import conninfo

from memory_mcp.config import Settings
from memory_mcp.errors import ReadOnly, StorageError
from memory_mcp.service import MemoryService
from memory_mcp.storage import open_storage
from tests import pg
from tests.conftest import FakeEmbedder

pytestmark = pg.needs_postgres


def service(url: str, schema: str, semantic: bool = True) -> MemoryService:
    svc = MemoryService.open(
        Settings(db=url, pg_schema=schema, semantic=semantic),
        embedder=FakeEmbedder() if semantic else None,
    )
    return svc


def owned_schema() -> tuple[str, str]:
    """A schema the test server's role filled (the tables' owner): (schema, its owner URL)."""
    schema = pg.fresh_schema()
    owner = service(pg.url(), schema)
    assert owner.semantic.ensure()
    owner.remember("The deploy runs on Thursdays", scope="team")
    owner.close()
    return schema, pg.url()


def test_a_role_without_create_on_the_database_fills_a_schema_an_administrator_made() -> None:
    # `create schema if not exists` asks for CREATE on the database even when the schema is
    # there; a role given only a schema of its own must not need it.
    name, url = pg.fresh_role("p@ss:w%rd/1")  # a password that must be quoted in the URL
    schema = pg.fresh_schema()
    pg.admin(f'create schema "{schema}"', f'grant usage, create on schema "{schema}" to "{name}"')
    svc = service(url, schema)
    assert svc.semantic.ensure()
    stored = svc.remember("The staging database is on db-07", scope="team")
    assert [h.id for h in svc.recall("staging database").hits] == [stored.id]
    svc.close()


def test_a_read_only_role_reads_everything_and_is_told_it_may_not_write(
    caplog: pytest.LogCaptureFixture,
) -> None:
    schema, owner_url = owned_schema()
    waiting = service(owner_url, schema, semantic=False)  # stored without a vector
    unembedded = waiting.remember("The kubernetes upgrade waits for the audit", scope="team")
    waiting.close()
    name, url = pg.fresh_role()
    pg.admin(
        f'grant usage on schema "{schema}" to "{name}"',
        f'grant select on all tables in schema "{schema}" to "{name}"',
    )
    reader = service(url, schema)
    with caplog.at_level(logging.WARNING):
        assert reader.semantic.ensure()  # the backlog is not this role's to embed
    assert "found by keyword only" in caplog.text
    assert reader.recall("kubernetes upgrade").hits[0].id == unembedded.id
    assert len(reader.list_memories()) == 2 and reader.stats().total == 2
    with pytest.raises(ReadOnly, match="permission denied for table memories.*lacks that"):
        reader.remember("A reader's note", scope="team")
    reader.close()


def test_a_role_that_owns_no_table_is_told_who_may_reindex_and_vacuum(
    caplog: pytest.LogCaptureFixture,
) -> None:
    schema, _ = owned_schema()
    name, url = pg.fresh_role()
    pg.admin(
        f'grant usage on schema "{schema}" to "{name}"',
        f'grant select, insert, update, delete on all tables in schema "{schema}" to "{name}"',
        f'grant usage, select on all sequences in schema "{schema}" to "{name}"',
    )
    writer = service(url, schema)
    assert writer.semantic.ensure()
    pasted = writer.remember("The door code of the lab is 4471-9902", scope="team")
    with caplog.at_level(logging.WARNING):
        writer.scrub([pasted.id], "4471-9902")
    # The server skips a vacuum by another role with a mere notice: the old row versions
    # keep the text until autovacuum, and the user hears what to run.
    assert "VACUUM memories, history" in caplog.text and "only table or database owner" in (
        caplog.text
    )
    with pytest.raises(StorageError, match="must be owner of table .*run this as the role"):
        writer.reindex()
    writer.close()


@pytest.mark.parametrize(
    ("password", "said"),
    [(quote("not it"), "password authentication failed"), (None, "no password supplied")],
)
def test_a_refused_password_is_not_called_a_server_that_is_down(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, password: str | None, said: str
) -> None:
    """A wrong password, or none at all (none in PGPASSWORD or ~/.pgpass either, and the
    server asks for one): no outage to wait out."""
    name, url = pg.fresh_role()
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    given = url.replace(f"{name}:pw@", f"{name}@" if password is None else f"{name}:{password}@")
    with pytest.raises(StorageError) as caught:
        open_storage(Settings(db=given, pg_schema=pg.fresh_schema(), semantic=False))
    assert said in str(caught.value)
    assert "Check the URL's user, password" in str(caught.value)
    assert "try again once it is back" not in str(caught.value)


def test_a_database_without_pgvector_names_the_statement_a_superuser_runs() -> None:
    name, url = pg.fresh_role()
    database = pg.fresh_database(owner=name)
    there = conninfo.make_conninfo(url, dbname=database)
    with pytest.raises(StorageError) as caught:
        open_storage(Settings(db=f"postgresql://?{there.replace(' ', '&')}", semantic=False))
    message = str(caught.value)
    assert f"pgvector is not installed in database '{database}'" in message
    assert f"role '{name}' may not install it" in message and "CREATE EXTENSION vector" in message


def test_a_url_naming_its_own_search_path_is_refused_not_overruled() -> None:
    # The tables live in MEMORY_MCP_PG_SCHEMA; a search_path in the URL's options used to be
    # replaced without a word, so the memories went to another schema than the URL said.
    schema, elsewhere = pg.fresh_schema(), pg.fresh_schema()
    url = f"{pg.url()}?options=-csearch_path%3D{elsewhere}"
    with pytest.raises(StorageError, match=f"search_path=.*{elsewhere}.*MEMORY_MCP_PG_SCHEMA"):
        open_storage(Settings(db=url, pg_schema=schema, semantic=False))
    pg.admin(f'create schema "{schema}"')  # nothing was made in either, so this works


def test_the_urls_own_session_options_reach_every_pooled_connection() -> None:
    url = f"{pg.url()}?options=-c%20application_name%3Dteam-memory"
    store = open_storage(Settings(db=url, pg_schema=pg.fresh_schema(), semantic=False))
    with store.pool.connection() as conn:  # type: ignore[attr-defined]
        row = conn.execute("select current_setting('application_name') as a").fetchone()
    assert row["a"] == "team-memory"
    store.close()


def test_a_keyword_rebuild_stopped_partway_says_what_it_rewrote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL's keyword rebuild rewrites a batch a transaction; stopped in the third (a
    statement timeout on a busy server), it said "Nothing was changed" though two batches
    were rewritten. It now says what the earlier batches did, as SQLite's rebuild does."""
    from memory_mcp.storage.postgres import maintenance

    schema, url = owned_schema()
    svc = service(url, schema, semantic=False)
    last = [svc.remember(f"Build note {n}: the cache key changed", scope="team").id for n in "abcd"]
    monkeypatch.setattr(maintenance, "REBUILD_BATCH", 2)
    pg.admin(
        f"""create function "{schema}".stall() returns trigger language plpgsql as $$ begin
            raise exception 'canceling statement due to statement timeout'
                using errcode = 'query_canceled';
            end $$""",
        f"""create trigger stall before update on "{schema}".memories for each row
            when (new.id = {last[-1]}) execute function "{schema}".stall()""",
    )
    with pytest.raises(StorageError) as caught:
        svc.reindex()
    said = str(caught.value)
    assert said.startswith("The keyword index rebuild stopped partway.")
    assert "Nothing was changed" not in said and "That batch was not stored" in said
    assert "The keyword entries of the 4 memories rewritten so far" in said
    assert "run `memory-mcp reindex`" in said
    svc.close()


@pytest.mark.anyio
async def test_a_read_only_server_granted_write_embeds_the_backlog_it_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server on a read-only role leaves the memories stored without a vector to a writer;
    once an administrator grants it the right to write, it noticed for its own writes but
    left that backlog unembedded (found by keyword only) until a restart. It now tries the
    backlog again (one row first) and embeds it."""
    from mcp import Client

    from memory_mcp.adapters.mcp_server.server import build_server
    from memory_mcp.search import backlog

    monkeypatch.setattr(backlog, "CHECK_EVERY_S", 0.0)
    monkeypatch.setattr(backlog, "RETRY_WRITE_S", 0.0)
    schema, owner_url = owned_schema()
    waiting = service(owner_url, schema, semantic=False)  # stored without a vector
    unembedded = waiting.remember("The kubernetes upgrade waits for the audit", scope="team")
    waiting.close()
    name, url = pg.fresh_role()
    pg.admin(
        f'grant usage on schema "{schema}" to "{name}"',
        f'grant select on all tables in schema "{schema}" to "{name}"',
    )
    server = service(url, schema)
    server.semantic.start_background()  # as `serve` does
    assert server.semantic.ensure()  # waits for the model's thread
    assert not server.get(unembedded.id).embedded
    async with Client(build_server(server, load_model=False)) as client:
        for granted in (False, True):
            if granted:
                pg.admin(
                    f'grant insert, update, delete on all tables in schema "{schema}" to "{name}"',
                    f'grant usage, select on all sequences in schema "{schema}" to "{name}"',
                )
            await client.call_tool("recall", {"query": "kubernetes upgrade"})  # checks
            thread = server.semantic.newcomers.thread
            if thread is not None:
                thread.join()
            assert server.get(unembedded.id).embedded is granted
    server.close()


def test_a_role_that_may_only_read_the_vector_table_is_told_which_right_it_lacks() -> None:
    """A role granted writes on every table but the vector table (select only there): the
    write lock's LOCK TABLE failed with the server's raw words. Its writes now stop at once
    with one line naming the missing privilege and the grant that gives it, and doctor says
    it too."""
    schema, _ = owned_schema()
    name, url = pg.fresh_role()
    pg.admin(
        f'grant usage on schema "{schema}" to "{name}"',
        f'grant select, insert, update, delete on all tables in schema "{schema}" to "{name}"',
        f'grant usage, select on all sequences in schema "{schema}" to "{name}"',
        f'revoke insert, update, delete on "{schema}".memory_vectors from "{name}"',
    )
    writer = service(url, schema)
    writer.semantic.ensure()
    with pytest.raises(ReadOnly) as caught:
        writer.remember("A note the vectors cannot take", scope="team")
    said = str(caught.value)
    assert "\n" not in said
    assert f"role '{name}' may write memories but lacks INSERT, UPDATE, DELETE on" in said
    assert "memory_vectors" in said and "GRANT" in said
    assert writer.doctor().lacking_privileges == ["INSERT, UPDATE, DELETE on memory_vectors"]
    writer.close()
