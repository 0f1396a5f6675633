"""What a principal's web UI shows of memories it may not read, in real Chromium, on a
team's `serve --http` and both backends: bob (who reads `team`, not `vault`) never sees an
unreadable memory's text, id, scope or `superseded_by`, in any page he can reach (a memory's
page with its history, the list, a search, the overview); carol (who reads both) sees them,
so the checks would catch them. tests/adapters/test_masked_links.py checks the same over
MCP and the CLI; this is what the browser renders and links to."""

import re
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from memory_mcp.service.masking import WITHHELD
from tests.adapters.team_server import serving
from tests.adapters.test_masked_links import SECRET, _build
from tests.service.conftest import backend, settings
from tests.ui.browser import chromium, log_in_with_token, missing

__all__ = ["backend", "settings"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(missing() is not None, reason=missing() or ""),
]


def _seen(ui: str, token: str, paths: list[str]) -> list[tuple[str, str]]:
    """(rendered text, DOM) of each page, as the principal of `token` sees it once logged
    in through the login form: the text a person reads, the markup every link and title."""
    seen = []
    with chromium() as context:
        page = context.new_page()
        page.set_default_timeout(20_000)
        ui = log_in_with_token(page, ui, token)
        for path in paths:
            response: Any = page.goto(ui + path)
            assert response.status == 200, (path, response.status)
            seen.append((page.locator("body").inner_text(), page.content()))
    return seen


def _names(dom: str, memory_id: int) -> bool:
    """Whether the page names memory `memory_id`: a link to it, or `#N` in its text."""
    return re.search(rf"/m/{memory_id}(?!\d)|#{memory_id}(?!\d)", dom) is not None


def test_a_principals_ui_never_shows_a_memory_it_may_not_read(settings: Settings) -> None:
    service = MemoryService.open(settings.model_copy(update={"semantic": False}))
    try:
        ids = _build(service)  # `corrected` in team, replaced by `fix`, moved to vault
        quoted = service.remember(SECRET, scope="team").id
        service.remember("Deploys to staging happen on Thursdays", scope="team")
        summary = service.summarize(scope="team", save=True).saved_id
        assert summary is not None
        service.move([quoted], "vault")
        _, bob = service.team.add("bob", ["team=read"])
        _, carol = service.team.add("carol", ["team=read", "vault=read"])
        paths = [f"/m/{ids.corrected}", f"/m/{ids.wanderer}", f"/m/{summary}",
                 "/?scope=team&superseded=on", "/?q=printer+floor&superseded=on",
                 "/?q=staging+deploys", "/overview"]  # fmt: skip
        with serving(service) as url:
            ui = url.removesuffix("/mcp") + "/ui"
            bob_pages = _seen(ui, bob, paths)
            carol_pages = _seen(ui, carol, paths)
    finally:
        service.close()
    hidden = (ids.fix, quoted)
    for path, (_, dom) in zip(paths, bob_pages, strict=True):
        assert not any(_names(dom, i) for i in hidden), path
        for word in ("vault", "safe.code", SECRET, "floor 4"):
            assert word not in dom, (path, word)
    corrected, wanderer, summary_page = (text for text, _ in bob_pages[:3])
    assert "Superseded" in corrected and WITHHELD in summary_page and "safe.code" not in wanderer
    assert _names(carol_pages[0][1], ids.fix) and "vault" in carol_pages[1][1]
    assert SECRET in carol_pages[2][0] and "floor 4" in carol_pages[4][1]
