"""What the UI tests share: the in-process app on one address, and a browser page of `world`
(each browser module's own fixture: its server, data and Chromium)."""

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.security import UiGuard, host_values
from memory_mcp.service import MemoryService

PORT = 8766
ORIGIN = f"http://127.0.0.1:{PORT}"


@pytest.fixture
def guard() -> UiGuard:
    return UiGuard(host_values(["127.0.0.1", "localhost"], PORT))


@pytest.fixture
def web(service: MemoryService, guard: UiGuard) -> Iterator[TestClient]:
    with TestClient(ui_app(service, guard), base_url=ORIGIN) as client:
        yield client


@pytest.fixture
def page(world: dict[str, Any]) -> Iterator[Any]:
    page = world["browser"].new_page()
    page.set_default_timeout(20_000)
    yield page
    page.close()
