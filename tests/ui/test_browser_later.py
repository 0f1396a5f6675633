"""A memory's later values in the web UI, in real Chromium against `memory-mcp ui` with the
real model: the memory's page lists the later memories that may update it (their text as
text), its "#N replaces this" button makes one the replacement (a POST with the page's
token), the page then says it is superseded by #N, Restore brings it back, and Find's
recall rows link a hit to the later one that may update it ("later: #N")."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.ui.browser import chromium, log_in, missing, ui_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.model,
    pytest.mark.skipif(missing() is not None, reason=missing() or ""),
]

OLD = "The staging database is on port 5433"
NEW = "Staging DB moved to port 6543 <b>bold</b>"
LISTED = "Later memories that may update this"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("later")
    db = root / "memory.db"
    service = MemoryService.open(Settings(db=db, model_dir=model_dir))
    assert service.semantic.ensure()
    ids = [service.remember(text).id for text in ("The user likes green tea", OLD, NEW)]
    service.close()
    with ui_server(db, model_dir, root / "ui.log") as (url, login), chromium() as browser:
        yield {"url": log_in(browser, url, login), "ids": ids, "browser": browser, "db": db}


def _open_when_listed(page: Any, address: str) -> None:
    """The page, once the server's model has loaded (until then it says the list waits)."""
    deadline = time.monotonic() + 120
    page.goto(address)
    while page.get_by_role("heading", name=LISTED).count() == 0:
        assert time.monotonic() < deadline, page.locator("main").inner_text()
        time.sleep(1)
        page.goto(address)


def test_the_later_value_replaces_the_old_one_and_restore_undoes_it(
    world: dict[str, Any], page: Any
) -> None:
    _, old, new = world["ids"]
    at = f"{world['url']}/m/{old}"
    _open_when_listed(page, at)
    listed = page.locator("main ul").filter(
        has=page.get_by_role("button", name=f"#{new} replaces this")
    )
    assert listed.locator("q").inner_text() == NEW  # the text as text: no <b> element
    assert listed.locator("b").count() == 0
    assert "green tea" not in listed.inner_text()
    page.get_by_role("button", name=f"#{new} replaces this").click()
    page.wait_for_url("**done=replaced")
    main = page.locator("main").inner_text()
    assert f"recall shows the newer one (#{new})" in main and "Replaced: superseded" in main
    assert page.get_by_role("heading", name=LISTED).count() == 0
    page.get_by_role("button", name="Restore (undo the replacement)").click()
    page.wait_for_url("**done=restored")
    assert "Current: recall sees it." in page.locator("main").inner_text()
    _open_when_listed(page, at)  # the later value is listed again


def test_find_links_a_hit_to_a_later_value(world: dict[str, Any], page: Any) -> None:
    _, old, new = world["ids"]
    deadline = time.monotonic() + 120
    while True:
        page.goto(f"{world['url']}/?q=which+port+is+the+staging+database+on")
        later = page.get_by_role("link", name=f"later: #{new}")
        if later.count() or time.monotonic() > deadline:
            break
        time.sleep(1)
    row = page.locator("tr").filter(has=page.get_by_role("link", name=f"#{old}", exact=True))
    assert row.get_by_role("link", name=f"later: #{new}").count() == 1
    row.get_by_role("link", name=f"later: #{new}").click()
    page.wait_for_url(f"**/m/{new}")


def test_a_forgotten_replaced_memory_restored_from_two_tabs_stays_replaced(
    world: dict[str, Any], page: Any
) -> None:
    """A replaced memory forgotten, then restored from two tabs (or Back and again): the
    second Restore is an undo of the forget, done already, and leaves the replacement; only
    "Restore (undo the replacement)" undoes that."""
    service = MemoryService.open(Settings(db=world["db"], semantic=False), create=False)
    try:
        old = service.remember("The release train leaves on Wednesdays").id
        new = service.remember("The release train leaves on Fridays now", replaces=old).id
        service.forget([old])
    finally:
        service.close()
    at = f"{world['url']}/m/{old}"
    second = page.context.new_page()
    for tab in (page, second):
        tab.goto(at)
    for tab in (page, second):
        tab.get_by_role("button", name="Restore", exact=True).click()
        tab.wait_for_url("**done=*")
        assert f"recall shows the newer one (#{new})" in tab.locator("main").inner_text()
    second.close()
    page.get_by_role("button", name="Restore (undo the replacement)").click()
    page.wait_for_url("**done=restored")
    assert "Current: recall sees it." in page.locator("main").inner_text()
