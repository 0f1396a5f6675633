"""A large selection in the browser: what is done to it never travels in an address."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.ui.browser import chromium, missing, ui_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(missing() is not None, reason=missing() or "")]

# Under the 1,000 form fields a POST may carry (Starlette's limit), with the page's own.
SELECTED = 900


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("selection")
    db, facts = root / "memory.db", root / "facts.jsonl"
    lines = [json.dumps({"id": i, "content": f"Build log {i} of host-{i}"}) for i in range(1, 1001)]
    facts.write_text("\n".join(lines) + "\n")
    service = MemoryService.open(Settings(db=db, semantic=False))
    service.import_jsonl(facts)
    ids = [m.id for m in service.list_memories(limit=None)]
    service.close()
    log = root / "ui.log"
    with ui_server(db, None, log, MEMORY_MCP_SEMANTIC="false") as (url, login), chromium() as b:
        page = b.new_page()
        page.goto(login)
        page.close()
        yield {"url": url, "ids": ids, "db": db, "browser": b, "log": log}


def test_a_purge_of_a_large_selection_keeps_the_ids_out_of_the_address(
    page: Any, world: dict[str, Any]
) -> None:
    # The confirmation page was a redirect to /purge?id=1&id=2&...: every id in the address
    # (past what browsers and proxies take for thousands, and kept in the history and logs).
    doomed = world["ids"][:SELECTED]
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    page.goto(f"{world['url']}/")
    page.get_by_label(f"select memory {world['ids'][0]}").check()
    # The rest of the selection, as many ticked boxes would send it.
    page.evaluate(
        """ids => { const form = document.getElementById('bulk');
                    for (const id of ids) { const box = document.createElement('input');
                      box.type = 'hidden'; box.name = 'id'; box.value = id;
                      form.appendChild(box); } }""",
        doomed[1:],
    )
    page.get_by_label("Action").select_option("purge")
    page.get_by_role("button", name="Apply").click()
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
