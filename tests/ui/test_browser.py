"""The web UI end to end in a real browser: Debian's chromium driven by Playwright against
`memory-mcp ui` running as a subprocess on a real database with the real embedding model.

Skipped, saying why, where chromium or playwright is missing; CI installs both (.ci/chromium).
"""

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import NotFound
from memory_mcp.service import MemoryService
from tests.ui.browser import chromium, log_in, missing, ui_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.model,
    pytest.mark.skipif(missing() is not None, reason=missing() or ""),
]

COFFEE = "The user prefers dark roast coffee, brewed in a French press every morning."
STAGING = "The staging server listens on port 8080."
STANDUP = "Team standup happens at 9:30 on weekdays."
VPN = "Temporary note: remove the old VPN profile from the laptop."
HOSTILE = 'Look <script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> done'
BULK = ("Bulk one: the printer on floor two is broken.", "Bulk two: the kitchen tap drips.")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Iterator[dict[str, Any]]:
    """A seeded database, the UI serving it, and a browser."""
    root = tmp_path_factory.mktemp("ui")
    db = root / "memory.db"
    settings = Settings(db=db, model_dir=model_dir)
    service = MemoryService.open(settings)
    assert service.semantic.ensure()
    ids = {
        name: service.remember(text, kind=kind, client="test").id
        for name, text, kind in [
            ("coffee", COFFEE, "preference"),
            ("staging", STAGING, "fact"),
            ("standup", STANDUP, "event"),
            ("vpn", VPN, "note"),
            ("hostile", HOSTILE, "note"),
            ("bulk1", BULK[0], "note"),
            ("bulk2", BULK[1], "note"),
        ]
    }
    service.close()
    with ui_server(db, model_dir, root / "ui.log") as (url, login), chromium() as browser:
        url = log_in(browser, url, login)
        yield {"url": url, "ids": ids, "settings": settings, "browser": browser, "root": root}


@pytest.fixture
def service(world: dict[str, Any]) -> Iterator[MemoryService]:
    """The same database through the service, as the next MCP recall would see it."""
    svc = MemoryService.open(world["settings"], create=False)
    svc.semantic.ensure()
    yield svc
    svc.close()


def search(page: Any, url: str, query: str) -> str:
    """Search until recall runs in hybrid mode (the UI loads the model in the background)."""
    deadline = time.monotonic() + 90
    while True:
        page.goto(url + "/")
        page.get_by_label("Search (recall)").fill(query)
        page.get_by_role("button", name="Search", exact=True).click()
        mode = str(page.locator("p.mode").inner_text())
        if "hybrid" in mode or time.monotonic() > deadline:
            return mode
        time.sleep(1)


def test_search_finds_a_memory_by_a_paraphrase(page: Any, world: dict[str, Any]) -> None:
    mode = search(page, world["url"], "favourite hot beverage")  # no word in common
    assert "hybrid mode" in mode
    first = page.locator("table.results tbody tr").first
    assert first.locator("a").inner_text() == f"#{world['ids']['coffee']}"
    assert COFFEE[:40] in first.inner_text()


def test_edit_shows_the_diff_and_the_next_recall_sees_it(
    page: Any, world: dict[str, Any], service: MemoryService
) -> None:
    memory_id = world["ids"]["staging"]
    page.goto(f"{world['url']}/m/{memory_id}")
    page.get_by_label("Text").fill("The staging server listens on port 9090 behind nginx.")
    page.get_by_label("Tags (comma separated)").fill("infra, staging")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("status").filter(has_text="Saved.").wait_for()
    latest = page.locator("ol.history > li").first
    assert latest.locator(".what").inner_text().startswith("edit")
    assert "by ui" in latest.inner_text()
    assert latest.locator("del").all_inner_texts()[0].strip() == "8080."
    assert "9090" in " ".join(latest.locator("ins").all_inner_texts())
    # the next recall, through the service: finds the new text by meaning (re-embedded)
    found = service.recall("which port does the pre-production box use behind its proxy?")
    assert found.mode == "hybrid" and found.hits[0].id == memory_id
    assert "9090" in found.hits[0].content
    assert service.history(memory_id)[0].client == "ui"


def test_forget_and_restore(page: Any, world: dict[str, Any], service: MemoryService) -> None:
    memory_id = world["ids"]["standup"]
    page.goto(f"{world['url']}/m/{memory_id}")
    page.get_by_label("Reason (optional)").fill("moved to 10:00")
    page.get_by_role("button", name="Forget").click()
    assert "Forgotten" in page.locator("p.state").first.inner_text()
    assert service.get(memory_id).forgotten_at is not None
    assert memory_id not in [h.id for h in service.recall("when is the daily standup").hits]
    page.get_by_role("button", name="Restore").click()
    page.get_by_role("status").filter(has_text="Restored").wait_for()
    assert "Current" in page.locator("p.state").inner_text()
    assert service.get(memory_id).forgotten_at is None


def test_purge_asks_naming_what_goes(
    page: Any, world: dict[str, Any], service: MemoryService
) -> None:
    memory_id = world["ids"]["vpn"]
    page.goto(f"{world['url']}/m/{memory_id}")
    page.get_by_role("link", name="Purge permanently…").click()
    doomed = page.locator("ul.doomed").inner_text()
    assert f"#{memory_id}" in doomed and "VPN profile" in doomed
    assert service.get(memory_id)  # asking deleted nothing
    page.get_by_role("button", name=f"Delete #{memory_id} permanently").click()
    page.get_by_role("status").filter(has_text="Deleted permanently").wait_for()
    with pytest.raises(NotFound):
        service.get(memory_id)


def test_hostile_memory_text_renders_inert(page: Any, world: dict[str, Any]) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    memory_id = world["ids"]["hostile"]
    page.goto(f"{world['url']}/m/{memory_id}")
    assert page.locator("#content").inner_text() == HOSTILE  # shown as characters
    assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
    page.goto(f"{world['url']}/")  # the list shows it too
    assert "<script>" in page.locator("table.results").inner_text()
    assert page.evaluate("typeof window.pwned") == "undefined" and dialogs == []


def test_a_cross_site_post_is_refused(
    page: Any, world: dict[str, Any], service: MemoryService
) -> None:
    memory_id, url = world["ids"]["coffee"], world["url"]
    evil = (
        f'<form id="f" method="post" action="{url}/m/{memory_id}/forget">'
        '<input name="csrf" value="guessed"></form><script>f.submit()</script>'
    )
    page.route(
        "http://evil.example/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=evil),
    )
    with page.expect_response(f"{url}/m/{memory_id}/forget") as answer:
        page.goto("http://evil.example/attack")
    # the login cookie is SameSite=Strict: the browser does not send it from another site,
    # so the post is not even logged in
    assert (answer.value.status, answer.value.headers["location"]) == (303, "/login")
    # even with the page's real token, another origin is refused
    page.goto(f"{url}/")
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    sent = page.request.post(
        f"{url}/m/{memory_id}/forget",
        form={"csrf": token},
        headers={"Origin": "http://evil.example"},
    )
    assert sent.status == 403
    assert service.get(memory_id).forgotten_at is None


def test_import_a_jsonl_file(page: Any, world: dict[str, Any], service: MemoryService) -> None:
    lines = [
        {
            "id": 900 + i,
            "content": text,
            "kind": "fact",
            "tags": ["imported"],
            "scope": "global",
            "metadata": {},
            "created_at": f"2026-01-0{i + 1}T10:00:00Z",
            "updated_at": f"2026-01-0{i + 1}T10:00:00Z",
        }
        for i, text in enumerate(
            ["The office wifi is called Basilisk.", "Invoices are due on the 5th of each month."]
        )
    ]
    path = world["root"] / "import.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    page.goto(f"{world['url']}/data")
    page.get_by_label("File to import").set_input_files(str(path))
    page.get_by_label("Format").select_option("jsonl")
    page.get_by_role("button", name="Import", exact=True).click()
    report = page.locator("section.notice").inner_text()
    assert re.search(r"Read 2 memories: created 2", report), report
    mode = search(page, world["url"], "name of the wireless network at work")
    assert "hybrid" in mode and "Basilisk" in page.locator("table.results").inner_text()
    assert service.recall("when must bills be paid").hits[0].content.startswith("Invoices")


def test_bulk_forget_a_selection_and_undo(
    page: Any, world: dict[str, Any], service: MemoryService
) -> None:
    ids = [world["ids"]["bulk1"], world["ids"]["bulk2"]]
    page.goto(f"{world['url']}/")
    for memory_id in ids:
        page.get_by_label(f"select memory {memory_id}").check()
    page.get_by_label("Action", exact=True).select_option("forget")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.get_by_role("status").filter(has_text="Forgotten").wait_for()
    assert all(m.forgotten_at is not None for m in service.get_many(ids))
    page.get_by_role("button", name="Undo: restore the 2 memories just forgotten").click()
    page.get_by_role("status").filter(has_text="Restored").wait_for()
    assert all(m.forgotten_at is None for m in service.get_many(ids))


def test_the_keyboard_reaches_everything_with_a_visible_focus(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(f"{world['url']}/m/{world['ids']['coffee']}")
    page.keyboard.press("Tab")
    focused = page.evaluate_handle("document.activeElement")
    assert focused.evaluate("e => e.textContent") == "Skip to content"
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    unlabelled = """() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea')]
        .filter(e => !e.labels.length && !e.getAttribute('aria-label')).map(e => e.name)"""
    for path in [f"/m/{world['ids']['coffee']}", "/", "/data", "/purge?id=1"]:
        page.goto(world["url"] + path)
        assert page.evaluate(unlabelled) == [], path  # every control has a label
    page.goto(f"{world['url']}/")
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "f-q"


def test_a_refused_form_comes_back_filled_in_with_why_beside_it(
    page: Any, world: dict[str, Any], service: MemoryService
) -> None:
    """A refused bulk action or forget showed a page with the message alone: the filters,
    the selection, the action and the reason typed were gone."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    picked = [world["ids"]["hostile"], world["ids"]["bulk1"]]
    page.goto(f"{world['url']}/?kind=note")
    for memory_id in picked:
        page.get_by_label(f"select memory {memory_id}").check()
    page.get_by_label("Action", exact=True).select_option("move")
    page.get_by_label("Scope to move to", exact=True).fill("   ")
    page.get_by_role("button", name="Apply", exact=True).click()
    alert = page.locator("form#bulk [role=alert]")
    assert "Name the scope to move the selected memories to." in alert.inner_text()
    assert page.get_by_label("Action", exact=True).input_value() == "move"
    assert page.get_by_label("Kind").input_value() == "note"  # the same filtered page
    for memory_id in picked:
        assert page.get_by_label(f"select memory {memory_id}").is_checked()
    assert "<script>" in page.locator("table.results").inner_text()  # memory text inert
    assert [m.scope for m in service.get_many(picked)] == ["global", "global"]
    memory_id = world["ids"]["coffee"]
    page.goto(f"{world['url']}/m/{memory_id}")
    typed = "<b>switched</b> to tea " + "!" * 1_000
    page.get_by_label("Reason (optional)").fill(typed)
    page.get_by_role("button", name="Forget").click()
    said = page.locator("form[action$='/forget'] [role=alert]").inner_text()
    assert said.startswith("Not forgotten: reason is") and "limit is 1000" in said
    assert page.get_by_label("Reason (optional)").input_value() == typed
    assert service.get(memory_id).forgotten_at is None
    assert page.evaluate("typeof window.pwned") == "undefined" and dialogs == []
