"""Hostile and awkward memory text in a real browser (Debian's chromium driven by Playwright,
`memory-mcp ui` as a subprocess): markup in every field stays text, bidi controls cannot
reorder the page around them, long unbroken text stays inside the window, and an edit made
while the memory changed elsewhere is refused with what was typed kept.

Skipped, saying why, where chromium or playwright is missing; CI installs both (.ci/chromium).
"""

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.ui.browser import chromium, log_in, missing, ui_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(missing() is not None, reason=missing() or "")]

XSS = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
RLO, PDI = "\u202e", "\u2069"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("ui-hostile")
    settings = Settings(db=root / "memory.db")
    svc = MemoryService.open(settings)
    ids = {
        "xss": svc.remember(
            "markup " + XSS, tags=["t<b>x</b>"], scope="s<i>x</i>", metadata={"k" + XSS: XSS},
            client="c" + XSS, context="ctx" + XSS, key="k<u>x</u>",
        ).id,
        "bidi": svc.remember(f"Innocent {PDI}{RLO}evil text").id,
        "long": svc.remember("A" * 5000, scope="s" + "L" * 190, tags=["T" * 60]).id,
        "edited": svc.remember("The deploy runs on Fridays.").id,
        "late": svc.remember("The office opens at 8.").id,
        "back": svc.remember("The backup runs at 2.").id,
    }  # fmt: skip
    svc.forget([ids["xss"]], reason="why " + XSS, client="c" + XSS)
    svc.forget([ids["bidi"]], reason=f"why {PDI}{RLO}reversed", client=f"c{RLO}x")
    svc.update(ids["long"], content="B" * 5000)
    svc.close()
    with ui_server(root / "memory.db", None, root / "ui.log") as (url, login), chromium() as b:
        url = log_in(b, url, login)
        yield {"url": url, "login": login, "ids": ids, "settings": settings, "browser": b}


def test_markup_in_every_field_stays_text(page: Any, world: dict[str, Any]) -> None:
    memory_id = world["ids"]["xss"]
    for path in ["/?forgotten=on", "/?q=markup", f"/m/{memory_id}", "/overview",
                 f"/purge?id={memory_id}", "/?q=" + quote(XSS)]:  # fmt: skip
        page.goto(world["url"] + path)
        assert page.evaluate("window.pwned") is None, path
        assert page.locator("main img, main script, main b, main i, main u").count() == 0, path
    assert page.get_by_label("Search (recall)").input_value() == XSS  # the query, as typed
    page.goto(f"{world['url']}/m/{memory_id}")
    assert page.locator("pre.content").inner_text() == "markup " + XSS


X_OF = """([selector, word]) => {
  const root = document.querySelector(selector);
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    const at = node.data.indexOf(word);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + word.length);
      return range.getBoundingClientRect().left;
    }
  }
  throw new Error(word + " not in " + selector);
}"""


def test_bidi_controls_in_memory_text_cannot_reorder_the_page(
    page: Any, world: dict[str, Any]
) -> None:
    memory_id = world["ids"]["bidi"]
    page.goto(f"{world['url']}/?forgotten=on")
    row = page.locator("table.results tbody tr", has=page.locator(f'a[href$="/m/{memory_id}"]'))
    text = row.locator(".memtext").bounding_box()
    badge = row.locator(".badge.forgotten").bounding_box()
    assert badge["x"] >= text["x"] + text["width"] - 1  # the badge stays after the text
    page.goto(f"{world['url']}/m/{memory_id}")
    # "Forgotten … (why ⁩‮reversed): recall does not see it.": the page's words stay in order
    why = page.evaluate(X_OF, ["p.state", "why"])
    recall = page.evaluate(X_OF, ["p.state", "recall does not see it"])
    assert why < recall
    assert page.evaluate(X_OF, ["ol.history .what", "by"]) < page.evaluate(
        X_OF, ["ol.history .what", "c"]
    )


def test_long_unbroken_text_stays_inside_the_window(page: Any, world: dict[str, Any]) -> None:
    memory_id = world["ids"]["long"]
    for path in ["/", "/?q=AAAA", f"/m/{memory_id}", "/overview", f"/purge?id={memory_id}"]:
        page.goto(world["url"] + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= page.viewport_size["width"], (path, wide)


def test_an_edit_over_a_change_made_meanwhile_is_refused_and_kept(
    page: Any, world: dict[str, Any]
) -> None:
    memory_id = world["ids"]["edited"]
    page.goto(f"{world['url']}/m/{memory_id}")
    svc = MemoryService.open(world["settings"], create=False)  # MCP or the CLI, meanwhile
    try:
        svc.update(memory_id, tags=["ops", "urgent"], client="claude-code")
        page.get_by_label("Text").fill("The deploy runs on Mondays.")
        page.get_by_role("button", name="Save changes").click()
        alert = page.get_by_role("alert")
        assert "Not saved" in alert.inner_text() and "claude-code" in alert.inner_text()
        assert page.get_by_label("Text").input_value() == "The deploy runs on Mondays."
        kept = svc.get(memory_id)
        assert (kept.content, kept.tags) == ("The deploy runs on Fridays.", ["ops", "urgent"])
        page.get_by_label("Tags (comma separated)").fill("ops, urgent")
        page.get_by_role("button", name="Save changes").click()  # now knowingly
        page.get_by_role("status").filter(has_text="Saved.").wait_for()
        saved = svc.get(memory_id)
        assert (saved.content, saved.tags) == ("The deploy runs on Mondays.", ["ops", "urgent"])
    finally:
        svc.close()


def test_an_edit_sent_after_the_login_ended_is_kept(page: Any, world: dict[str, Any]) -> None:
    memory_id, browser = world["ids"]["late"], world["browser"]
    page.goto(f"{world['url']}/m/{memory_id}")
    page.get_by_label("Text").fill("The office opens at 9.")
    browser.clear_cookies()  # the server restarted, or the login expired
    try:
        page.get_by_role("button", name="Save changes").click()
        assert "Not saved" in page.get_by_role("alert").inner_text()
    finally:
        again = browser.new_page()
        again.goto(world["login"])  # "log in in a new tab"
        again.wait_for_url(world["url"] + "/")
        again.close()
    page.go_back()
    assert page.get_by_label("Text").input_value() == "The office opens at 9."
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("status").filter(has_text="Saved.").wait_for()


def test_text_typed_then_left_and_refilled_by_back_is_checked_against_its_version(
    page: Any, world: dict[str, Any]
) -> None:
    """Back refills a form with what was typed, into the page as it is now: the text is
    still checked against the version it was typed on."""
    memory_id = world["ids"]["back"]
    page.goto(f"{world['url']}/m/{memory_id}")
    page.get_by_label("Text").fill("The backup runs at 3.")
    page.goto(f"{world['url']}/overview")  # off somewhere else, meanwhile a change elsewhere
    svc = MemoryService.open(world["settings"], create=False)
    try:
        svc.update(memory_id, content="The backup runs at 4.", client="claude-code")
        page.go_back()
        assert page.get_by_label("Text").input_value() == "The backup runs at 3."
        page.get_by_role("button", name="Save changes").click()
        assert "Not saved" in page.get_by_role("alert").inner_text()
        assert svc.get(memory_id).content == "The backup runs at 4."
    finally:
        svc.close()
