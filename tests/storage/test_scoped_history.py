"""Storage.scopes_after reads the first later history entry of a memory that holds a scope
from an index of those entries (schema step 17), on both backends: over the memory's whole
history index it read every later entry in between (a memory said thousands of times since)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from memory_mcp.storage import open_storage
from memory_mcp.storage.contract import Storage
from memory_mcp.storage.postgres.history import SCOPES_AFTER as PG_SCOPES_AFTER
from memory_mcp.storage.sqlite.history import SCOPES_AFTER as SQLITE_SCOPES_AFTER
from tests import pg
from tests.storage.rows import row
from tests.storage.test_contract import BACKENDS, settings

REPEATS = 3000


@pytest.fixture(params=BACKENDS)
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    store = open_storage(settings(request.param, tmp_path))
    yield store
    store.close()


def _plan(storage: Storage, memory_id: int, entry: int) -> str:
    if getattr(storage, "conn", None) is not None:  # SQLite
        sql = SQLITE_SCOPES_AFTER.replace(":pairs", f"'[[{memory_id}, {entry}]]'")
        return str(pg.raw_rows(storage, f"explain query plan {sql}"))
    sql = PG_SCOPES_AFTER.replace("%(memories)s", f"'{{{memory_id}}}'")
    sql = sql.replace("%(entries)s", f"'{{{entry}}}'")
    return str(pg.raw_rows(storage, f"explain {sql}"))


def test_scopes_after_stops_at_the_first_entry_holding_a_scope(storage: Storage) -> None:
    memory_id = storage.insert(row("Deploys run on Fridays", scope="team")).id
    (created,) = [e.id for e in storage.history(memory_id)]
    pg.raw_rows(
        storage,
        f"""with recursive n(i) as (select 1 union all select i + 1 from n where i < {REPEATS})
            insert into history (memory_id, action, at) select {memory_id}, 'duplicate', 'now'
            from n""",
    )  # a memory said thousands of times: entries without a snapshot
    storage.move([memory_id], "vault")
    pg.raw_rows(storage, "analyze")
    assert storage.scopes_after([(memory_id, created)]) == {created: "team"}
    assert "history_scoped" in _plan(storage, memory_id, created)
