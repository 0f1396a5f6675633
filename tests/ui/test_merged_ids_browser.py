"""Folded ids in the web UI of a team's `serve --http`, in real Chromium, on both backends:
a principal logged in with its own token who opens the page of an id folded into a memory
that has since moved to a scope it reads gets exactly the page of an id never used; one
that could read the id where it was merged is told where it went (as tests/adapters/
test_merged_ids.py checks for MCP and the CLI)."""

from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.adapters.team_server import serving
from tests.adapters.test_merged_ids import NEVER, folded
from tests.service.conftest import backend, settings
from tests.ui.browser import chromium, log_in_with_token, missing

__all__ = ["backend", "settings"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(missing() is not None, reason=missing() or ""),
]


def _pages(ui: str, token: str, *ids: int) -> list[tuple[int, str]]:
    """(status, what the page says) of each memory's page, seen by the principal of
    `token` after it logged in through the login form, with the id written as N."""
    seen = []
    with chromium() as context:
        page = context.new_page()
        page.set_default_timeout(20_000)
        ui = log_in_with_token(page, ui, token)
        for memory_id in ids:
            response: Any = page.goto(f"{ui}/m/{memory_id}")
            said = page.locator("main").inner_text()
            seen.append((response.status, said.replace(str(memory_id), "N")))
    return seen


def test_a_folded_ids_page_says_where_it_went_only_to_who_could_read_it(
    settings: Settings,
) -> None:
    service = MemoryService.open(settings.model_copy(update={"semantic": False}))
    try:
        gone, kept = folded(service)
        _, bob = service.team.add("bob", ["team=read"])
        _, carol = service.team.add("carol", ["vault=write", "team=write"])
        with serving(service) as url:
            ui = url.removesuffix("/mcp") + "/ui"
            folded_page, never_page, kept_page = _pages(ui, bob, gone, NEVER, kept)
            assert folded_page == never_page and folded_page[0] == 404
            assert "merged" not in folded_page[1]
            assert kept_page[0] == 200  # bob reads the memory it went into, in `team`
            ((status, told),) = _pages(ui, carol, gone)
            assert status == 404 and f"N was merged into #{kept}" in told, told
    finally:
        service.close()
