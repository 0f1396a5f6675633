"""A large selection in the browser: what is done to it never travels in an address."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.ui.browser import chromium, log_in, missing, ui_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(missing() is not None, reason=missing() or "")]

# Past the 1,000 form fields Starlette lets a POST carry by default, which capped a purge.
SELECTED = 1_200
MEMORIES = 1_500


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("selection")
    db, facts = root / "memory.db", root / "facts.jsonl"
    lines = [
        json.dumps({"id": i, "content": f"Build log {i} of host-{i}"})
        for i in range(1, MEMORIES + 1)
    ]
    facts.write_text("\n".join(lines) + "\n")
    service = MemoryService.open(Settings(db=db, semantic=False))
    service.import_jsonl(facts)
    ids = [m.id for m in service.list_memories(limit=None)]
    service.close()
    log = root / "ui.log"
    with ui_server(db, None, log, MEMORY_MCP_SEMANTIC="false") as (url, login), chromium() as b:
        url = log_in(b, url, login)
        yield {"url": url, "ids": ids, "db": db, "browser": b, "log": log}


def select(page: Any, world: dict[str, Any], ids: list[int]) -> None:
    """Tick the first memory of the page, and add the rest of `ids` to the bulk form as many
    ticked boxes would send them."""
    page.goto(f"{world['url']}/")
    page.get_by_label(f"select memory {world['ids'][0]}").check()
    page.evaluate(
        """ids => { const form = document.getElementById('bulk');
                    for (const id of ids) { const box = document.createElement('input');
                      box.type = 'hidden'; box.name = 'id'; box.value = id;
                      form.appendChild(box); } }""",
        ids,
    )


def test_undoing_a_forget_names_the_forget_not_its_memories(
    page: Any, world: dict[str, Any]
) -> None:
    """The undo link after forgetting a selection listed every id in the address (~600
    characters for a page of 50, more for more): it now names the forget (the history
    entries it wrote), and its button restores exactly what that forget hid."""
    chosen = [world["ids"][0], *world["ids"][-79:]]
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    select(page, world, chosen[1:])
    page.get_by_label("Action", exact=True).select_option("forget")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.get_by_role("status").filter(has_text="Forgotten").wait_for()
    service = MemoryService.open(Settings(db=world["db"], semantic=False), create=False)
    try:
        assert all(m.forgotten_at is not None for m in service.get_many(chosen))
        assert max(len(a) for a in addresses) < 300, max(addresses, key=len)[:200]
        page.get_by_role("button", name="Undo: restore the 80 memories just forgotten").click()
        page.get_by_role("status").filter(has_text="Restored").wait_for()
        assert all(m.forgotten_at is None for m in service.get_many(chosen))
    finally:
        service.close()


def test_a_selection_past_the_forms_limit_is_told_what_to_do(
    page: Any, world: dict[str, Any]
) -> None:
    """Past the most a form takes, the page said Starlette's "Too many fields" alone."""
    select(page, world, list(range(1, 10_020)))
    page.get_by_label("Action", exact=True).select_option("forget")
    page.get_by_role("button", name="Apply", exact=True).click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    said = alert.inner_text()
    assert "at most 10,000 memories at once" in said and "memory-mcp forget" in said


def test_a_purge_of_a_large_selection_keeps_the_ids_out_of_the_address(
    page: Any, world: dict[str, Any]
) -> None:
    # The confirmation page was a redirect to /purge?id=1&id=2&...: every id in the address
    # (past what browsers and proxies take for thousands, and kept in the history and logs).
    # Past 1,000 memories Starlette's form limit refused the purge ("Too many fields").
    doomed = world["ids"][:SELECTED]
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    select(page, world, doomed[1:])
    page.get_by_label("Action", exact=True).select_option("purge")
    page.get_by_role("button", name="Apply", exact=True).click()
    assert page.locator("ul.doomed > li").count() == SELECTED
    long = [a[:120] for a in addresses if len(a) >= 512 or "id=" in a]
    assert addresses and not long, long
    service = MemoryService.open(Settings(db=world["db"], semantic=False), create=False)
    assert len(service.get_many(doomed)) == SELECTED  # asking deleted nothing
    page.get_by_role("button", name=f"Delete these {SELECTED} memories permanently").click()
    page.get_by_role("status").filter(has_text="Deleted permanently").wait_for()
    assert service.get_many(doomed) == []
    assert len(service.get_many(world["ids"][SELECTED:])) == len(world["ids"]) - SELECTED
    service.close()
    assert not [a[:120] for a in addresses if len(a) >= 512 or "id=" in a]
