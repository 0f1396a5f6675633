"""Knowing where one is in a real browser (Debian's chromium driven by Playwright, `memory-mcp
ui` as a subprocess, the browser in Tokyo), over each backend: written dates read in the
browser's timezone, the overview's months the browser's months, which rows a page of the list
shows, and the bulk action where a selection ends, by keyboard and on a phone.

Skipped, saying why, where chromium or playwright is missing; CI installs both (.ci/chromium).
"""

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from memory_mcp.timestamps import month_text
from tests import pg
from tests.ui.browser import chromium, log_in, missing, ui_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(missing() is not None, reason=missing() or "")]

ZONE = "Asia/Tokyo"  # UTC+9 all year, no daylight saving
LISTED = 130  # the "paging" scope: three pages of 50


def _month_start() -> datetime:
    """Half an hour into this month in Tokyo: the month before, in UTC."""
    now = datetime.now(ZoneInfo(ZONE))
    return now.replace(day=1, hour=0, minute=30, second=0, microsecond=0)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("ui-whereabouts")
    env = {"MEMORY_MCP_SEMANTIC": "false"}
    if request.param == "postgres":
        settings = Settings(db=pg.url(), pg_schema=pg.fresh_schema())
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    else:
        settings = Settings(db=root / "memory.db")
    svc = MemoryService.open(settings)
    svc.remember_many([
        {"content": f"Listed note {n} about rack {n}.", "scope": "paging"} for n in range(LISTED)
    ])  # fmt: skip
    # 23:30 UTC on 1 March: 08:30 on 2 March in Tokyo
    release = svc.remember("The release went out.", scope="dates", occurred_at="2026-03-01T23:30Z")
    early = root / "mem0.json"  # recorded at the start of this month in Tokyo
    early.write_text(json.dumps([{"id": "a", "memory": "An early note of the month.",
                                  "created_at": _month_start().isoformat()}]))  # fmt: skip
    assert svc.import_from("mem0", early, scope="months").created == 1
    svc.close()
    with (
        ui_server(settings.db, None, root / "ui.log", **env) as (url, login),
        chromium(timezone_id=ZONE) as browser,
    ):
        url = log_in(browser, url, login)
        yield {"url": url, "browser": browser, "settings": settings, "release": release.id}


def _ids(page: Any) -> list[int]:
    links = page.locator("table.results tbody td:nth-child(2) a").all_inner_texts()
    return [int(t.lstrip("#")) for t in links]


def _search(page: Any, url: str, since: str, until: str) -> str:
    page.goto(url + "/?scope=dates")
    page.get_by_label("Since", exact=True).fill(since)
    page.get_by_label("Until", exact=True).fill(until)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**until=**")
    return str(page.locator("p.mode").inner_text())


def test_written_dates_are_read_in_the_browsers_timezone(page: Any, world: dict[str, Any]) -> None:
    """ "2 Mar 2026" was read on UTC's calendar while "2026-03-02" was read on Tokyo's."""
    url = world["url"]
    for since, until, found in [
        ("2 Mar 2026", "2 Mar 2026", "1 memory,"),
        ("1 Mar 2026", "1 Mar 2026", "0 memories,"),
        ("March 2, 2026", "2026/03/02", "1 memory,"),
        ("March 2, 2026 8:00 am", "2 Mar 2026 9:00", "1 memory,"),
        ("2 Mar 2026 9:00", "2 Mar 2026 10:00", "0 memories,"),
        ("1 Mar 2026 23:00 UTC", "1 Mar 2026 23:59 UTC", "1 memory,"),  # says its zone
    ]:
        assert _search(page, url, since, until).startswith(found), (since, until)
        assert page.locator("p.zone").inner_text() == f"Since and Until read in {ZONE}."
    assert _ids(page) == [world["release"]]
    page.goto(url + "/?scope=dates&since=2+Mar+2026&until=2+Mar+2026&tz=UTC")
    assert page.locator("p.mode").inner_text().startswith("0 memories,")  # UTC's 2 March


def _figures(page: Any) -> dict[str, int]:
    """The overview's table of figures: month -> memories recorded in it."""
    rows = page.locator("details table tbody tr").all()
    return {
        str(r.locator("td").first.text_content()): int(str(r.locator("td").last.text_content()))
        for r in rows
    }


def test_the_overviews_months_are_the_browsers_months(page: Any, world: dict[str, Any]) -> None:
    start = _month_start()
    before = month_text(start - timedelta(days=1))  # the month before, in Tokyo
    page.goto(world["url"] + "/overview")
    figures = _figures(page)
    assert figures[month_text(start)] == LISTED + 2 and figures[before] == 0, figures
    assert page.locator("p.zone").inner_text() == f"Months in {ZONE}."
    page.goto(world["url"] + "/overview?tz=UTC")  # a link naming UTC: UTC's months
    assert page.locator("p.zone").inner_text() == "Months in UTC."
    utc = month_text(start.astimezone(ZoneInfo("UTC")))
    assert _figures(page)[utc] >= 1


def _said(page: Any) -> str:
    return str(page.locator("p.mode").inner_text())


def _follow(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).first.click()


def test_a_page_of_the_list_says_which_rows_it_shows(page: Any, world: dict[str, Any]) -> None:
    page.goto(world["url"] + "/?scope=paging")
    first = _ids(page)
    assert _said(page) == f"Rows 1–50 of {LISTED} memories, newest first (by when recorded)."
    _follow(page, "Older →")
    assert _said(page).startswith(f"Rows 51–100 of {LISTED} memories")
    _follow(page, "Older →")
    assert _said(page).startswith(f"Rows 101–{LISTED} of {LISTED} memories")
    _follow(page, "← Newer")
    second = _ids(page)
    assert _said(page).startswith(f"Rows 51–100 of {LISTED} memories")
    svc = MemoryService.open(world["settings"])
    try:  # recorded while the list is read: newest of all, so the rows after it move on
        arrived = svc.remember("Listed note that arrived.", scope="paging").id
        page.reload()
        assert _ids(page) == second  # the same rows (keyset), at their new places
        assert _said(page).startswith(f"Rows 52–101 of {LISTED + 1} memories")
    finally:
        svc.forget([arrived])
        svc.close()
    _follow(page, "← Newer")
    assert _said(page).startswith(f"Rows 1–50 of {LISTED}") and _ids(page) == first
    page.goto(world["url"] + "/?scope=paging&order=oldest")
    _follow(page, "Newer →")
    assert _said(page).startswith(f"Rows 51–100 of {LISTED} memories, oldest first")
    page.goto(world["url"] + "/?scope=dates")  # one page: the count alone
    assert _said(page) == "1 memory, newest first (by when recorded)."


def test_the_bulk_action_is_where_the_selection_ends_by_keyboard(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(world["url"] + "/?scope=paging&order=oldest")
    last = _ids(page)[-1]
    box = page.get_by_label(f"select memory {last}")
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    for _ in range(3):  # past the row's own link: the action, not 100 fields back up
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-action_end":
            break
    assert page.evaluate("document.activeElement.id") == "f-action_end"
    page.keyboard.press("End")  # the last action: purge (asks first)
    assert page.get_by_label("Action", exact=True).input_value() == "purge"  # one choice
    page.get_by_label("Action (below the list)").select_option("move")
    page.get_by_label("Scope to move to (below the list)").fill("paging/moved")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # in the scope field below the list
    assert page.get_by_role("status").first.inner_text().startswith("Moved.")
    page.goto(world["url"] + "/?scope=paging%2Fmoved")
    assert _ids(page) == [last]


def test_the_bulk_action_below_the_list_fits_a_phone(page: Any, world: dict[str, Any]) -> None:
    phone = page
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(world["url"] + "/?scope=paging")
    last = _ids(phone)[-1]
    phone.get_by_label(f"select memory {last}").check()
    apply = phone.get_by_role("button", name="Apply to the selected")
    apply.scroll_into_view_if_needed()
    box = apply.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_label("Action (below the list)").select_option("forget")
    with phone.expect_navigation():
        apply.click()
    assert phone.get_by_role("status").first.inner_text().startswith("Forgotten")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Undo: restore the memory just forgotten").click()
    assert last in _ids(phone)
