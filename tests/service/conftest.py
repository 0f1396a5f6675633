"""The service tests run on both backends: `settings` (and so `service`, `keyword_service`,
`client`) is parametrised over SQLite and PostgreSQL (tests/pg.py: skipped, saying why, when
no server is configured)."""

from pathlib import Path

import pytest

from memory_mcp.config import Settings
from tests import pg


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pg.needs_postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("checks an SQLite file or its internals")
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Settings:
    if backend == "postgres":
        return Settings(db=pg.url(), pg_schema=pg.fresh_schema())
    return Settings(db=tmp_path / "memory.db")
