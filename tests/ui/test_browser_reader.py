"""The pages as a reader sees them in a real browser (Debian's chromium driven by Playwright,
`memory-mcp ui` as a subprocess): times in the browser's own timezone with the exact moment
at hand, a phone-wide window, the system's dark mode.

Skipped, saying why, where chromium or playwright is missing; CI installs both (.ci/chromium).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests import pg
from tests.ui.browser import chromium, log_in, missing, ui_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(missing() is not None, reason=missing() or "")]

ZONE = "Asia/Tokyo"  # UTC+9 all year: 23:30 UTC is 08:30 the next day there


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The same pages over each backend (the lists, counts, paging and purges are its)."""
    root = tmp_path_factory.mktemp("ui-reader")
    env: dict[str, str] = {}
    if request.param == "postgres":
        settings = Settings(db=pg.url(), pg_schema=pg.fresh_schema())
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    else:
        settings = Settings(db=root / "memory.db")
    svc = MemoryService.open(settings)
    late = svc.remember("The release went out late at night.", occurred_at="2026-03-01T23:30:15Z")
    svc.remember_many([
        {"content": f"Note {n}: the deploy for berlin uses postgres and a cache in front of it.",
         "kind": "decision", "tags": ["deploy", "berlin"], "scope": "proj/alpha-" + "x" * 20}
        for n in range(1198)
    ])  # fmt: skip
    doomed = svc.remember("A draft about the garden shed.", scope="drafts")
    dentist = svc.remember("The dentist appointment.", scope="drafts")
    gone = svc.remember("An old plan nobody follows now.", scope="archive", kind="decision")
    svc.forget([gone.id])
    svc.close()
    with (
        ui_server(settings.db, None, root / "ui.log", **env) as (url, login),
        chromium(timezone_id=ZONE) as browser,
    ):
        url = log_in(browser, url, login)
        yield {"url": url, "browser": browser, "late": late.id, "settings": settings,
               "doomed": doomed.id, "dentist": dentist.id}  # fmt: skip


def test_times_are_shown_in_the_browsers_timezone_with_the_exact_moment(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(f"{world['url']}/m/{world['late']}")
    happened = page.locator("dt:text-is('happened') + dd time")
    # Tokyo's, not UTC's 23:30, and the UTC moment on the page too
    assert happened.inner_text() == "2026-03-02 08:30:15 GMT+9 (2026-03-01 23:30:15 UTC)"
    assert happened.get_attribute("title") == (
        "2026-03-02 08:30:15 GMT+9 (2026-03-01T23:30:15.000000Z)"
    )
    page.goto(world["url"] + "/")
    recorded = page.locator("table.results tbody time").first
    assert recorded.inner_text().endswith(" GMT+9")  # to the minute, zone named
    assert recorded.get_attribute("datetime").endswith("Z")  # the moment itself, in UTC


def test_a_phone_wide_window_neither_scrolls_sideways_nor_squeezes_the_text(
    page: Any, world: dict[str, Any]
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ["/", "/?q=deploy+berlin", "/?tags=deploy&superseded=on"]:
        page.goto(world["url"] + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 360, path
        # each menu link on one line ("Find", never "Fin" over "d")
        for link in page.locator("header a").all():
            assert link.evaluate("a => a.getClientRects().length") == 1, path
            height = link.evaluate("a => a.getBoundingClientRect().height")
            line = link.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)")
            assert height < 1.5 * line, (path, link.inner_text())
        text = page.locator("table.results tbody .memtext").first
        assert text.evaluate("e => e.parentElement.getBoundingClientRect().width") > 300, path


def _luminance(css: str) -> float:
    """The relative luminance of an `rgb(r, g, b)` colour, 0 (black) to 1 (white)."""
    r, g, b = (int(v) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(fg: str, bg: str) -> float:
    hi, lo = sorted([_luminance(fg), _luminance(bg)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_systems_dark_mode_gives_dark_pages_that_stay_readable(
    page: Any, world: dict[str, Any]
) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto(f"{world['url']}/?q=deploy")
    bg = page.locator("body").evaluate("e => getComputedStyle(e).backgroundColor")
    assert _luminance(bg) < 0.05, bg
    for selector in ["body", "main a", "#f-q", "label", "th", "td"]:
        element = page.locator(selector).first
        fg = element.evaluate("e => getComputedStyle(e).color")
        back = element.evaluate(
            """e => { for (let n = e; n; n = n.parentElement) {
                 const c = getComputedStyle(n).backgroundColor;
                 if (c !== 'rgba(0, 0, 0, 0)') return c; } return 'rgb(255, 255, 255)'; }"""
        )
        assert _contrast(fg, back) >= 4.5, (selector, fg, back)


def test_a_link_to_a_scope_without_current_memories_keeps_its_filter(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(world["url"] + "/?scope=archive&forgotten=on")
    assert page.locator("p.mode").inner_text().startswith("1 memory,")
    assert page.get_by_label("Scope", exact=True).input_value() == "archive"  # not "every scope"
    page.get_by_label("Kind", exact=True).select_option("decision")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**kind=decision**")
    assert "scope=archive" in page.url
    assert page.locator("p.mode").inner_text().startswith("1 memory,")


def test_counts_read_as_words_and_a_full_recall_offers_the_next_results(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(world["url"] + "/?q=release")
    said = page.locator("p.mode").inner_text()
    assert said.startswith("Recall, keyword mode: 1 memory found.")  # no model: keyword
    assert "best 50" not in said
    page.goto(world["url"] + "/?q=deploy+berlin")
    said = page.locator("p.mode").inner_text()
    assert said.startswith("Recall, keyword mode: results 1–50, more on the next page.")
    page.goto(world["url"] + "/?forgotten=on")
    said = page.locator("p.mode").inner_text()
    assert said == "Rows 1–50 of 1,202 memories, newest first (by when recorded)."


def test_dates_in_the_filters_are_days_in_the_browsers_timezone(
    page: Any, world: dict[str, Any]
) -> None:
    """The release happened at 23:30 UTC on 1 March, shown as 08:30 on 2 March in Tokyo: a
    search for 2 March finds it, one for 1 March does not."""
    for day, found in [("2026-03-02", "1 memory,"), ("2026-03-01", "0 memories,")]:
        page.goto(world["url"] + "/")
        page.get_by_label("Since", exact=True).fill(day)
        page.get_by_label("Until", exact=True).fill(day)
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**until=**")
        assert page.locator("p.mode").inner_text().startswith(found), day
        assert "tz=Asia%2FTokyo" in page.url  # a link to these results reads them so too
    hour = "/?since=2026-03-02T08:00&until=2026-03-02T09:00&tz="
    page.goto(world["url"] + hour + "Asia/Tokyo")
    assert page.locator("p.mode").inner_text().startswith("1 memory,")
    page.goto(world["url"] + hour + "x" * 5000)  # no such zone: the browser's (its cookie)
    assert page.locator("p.mode").inner_text().startswith("1 memory,")
    # the first day there is, in Tokyo, begins before year 1 in UTC: read as typed, no refusal
    assert page.goto(world["url"] + "/?since=0001-01-01&tz=Asia/Tokyo").status == 200
    # no date typed: no zone in the link
    page.goto(world["url"] + "/?kind=decision")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "tz=" not in page.url


def test_empty_pages_say_why_and_what_to_do(
    page: Any, world: dict[str, Any], tmp_path: Path
) -> None:
    page.goto(world["url"] + "/?kind=preference")  # memories, none of them preferences
    said = page.locator("p.empty").inner_text()
    assert said.startswith("Nothing matches these filters (1,202 memories in all)"), said
    page.goto(world["url"] + "/?q=zzyzx")
    assert page.locator("p.empty").inner_text().startswith("Nothing found. Recall matches")
    with ui_server(tmp_path / "empty.db", None, tmp_path / "ui.log") as (url, login):
        url = log_in(world["browser"], url, login)
        page.goto(url + "/")
        assert page.locator("p.empty").inner_text().startswith("No memories yet.")
        page.goto(url + "/overview")
        assert page.locator("main svg").count() == 0  # no empty chart: words instead
        assert page.get_by_text("None recorded in the last 12 months.").is_visible()


def test_oldest_first_pages_through_everything_once_while_memories_arrive(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(world["url"] + "/?forgotten=on")
    page.get_by_label("Order (without a query)").select_option("oldest")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**order=oldest**")
    head = page.locator("p.mode").inner_text()
    assert head.startswith("Rows 1–50 of 1,") and "oldest first" in head, head
    seen: list[int] = []
    arrived = None
    while True:
        links = page.locator("table.results tbody td:nth-child(2) a").all_inner_texts()
        seen += [int(t.lstrip("#")) for t in links]
        if arrived is None:  # recorded while the list is being read: it comes last
            svc = MemoryService.open(world["settings"])
            try:
                arrived = svc.remember("Arrived while paging.").id
            finally:
                svc.close()
        onward = page.get_by_role("link", name="Newer →").first
        if onward.count() == 0:
            break
        with page.expect_navigation():
            onward.click()
    assert seen == sorted(seen) and seen[-1] == arrived  # oldest first, no repeats
    # the last page's place counts back from the total, the newcomer counted
    last = page.locator("p.mode").inner_text()
    assert last.startswith(f"Rows {len(seen) - len(links) + 1:,}–{len(seen):,} of {len(seen):,}")
    svc = MemoryService.open(world["settings"])
    try:
        every = svc.make_filter(scope="*", include_forgotten=True, include_superseded=True)
        assert len(seen) == svc.count(every)  # no gaps
    finally:
        svc.close()


def test_a_purge_confirmed_after_another_tab_changed_the_memory_deletes_nothing(
    page: Any, world: dict[str, Any]
) -> None:
    """Tab one asks to purge a draft; tab two rewrites it into something worth keeping;
    tab one's "Delete" then deletes nothing and shows the memory as it now reads."""
    memory_id, url = world["doomed"], world["url"]
    page.goto(f"{url}/purge?id={memory_id}")
    other = world["browser"].new_page()
    try:
        other.goto(f"{url}/m/{memory_id}")
        other.get_by_label("Text", exact=True).fill("The shed's alarm code is kept with Ann.")
        other.get_by_role("button", name="Save changes").click()
        other.get_by_role("status").filter(has_text="Saved.").wait_for()
    finally:
        other.close()
    page.get_by_role("button", name=f"Delete #{memory_id} permanently").click()
    assert page.get_by_role("alert").inner_text().startswith("Nothing deleted")
    assert "alarm code is kept with Ann" in page.locator("ul.doomed").inner_text()
    svc = MemoryService.open(world["settings"], create=False)
    try:
        assert "alarm code" in svc.get(memory_id).content  # still there
    finally:
        svc.close()
    # knowingly, from the page showing the new text: it goes
    page.get_by_role("button", name=f"Delete #{memory_id} permanently").click()
    page.get_by_role("status").filter(has_text="Deleted permanently").wait_for()
    assert page.goto(f"{url}/m/{memory_id}").status == 404


def test_page_titles_tell_tabs_and_history_apart(page: Any, world: dict[str, Any]) -> None:
    page.goto(world["url"] + "/?q=deploy+berlin")
    assert page.title() == "deploy berlin – Find · memory-mcp"
    assert page.locator("h1").inner_text() == "Find"
    page.goto(world["url"] + "/")
    assert page.title() == "Find · memory-mcp"
    page.goto(f"{world['url']}/m/{world['late']}")
    assert page.title() == f"Memory #{world['late']} · memory-mcp"
    page.goto(world["url"] + "/m/987654")
    assert page.title() == "Not found · memory-mcp"


def test_a_selection_acted_on_returns_to_the_same_filtered_page(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(world["url"] + "/?kind=decision&order=oldest")
    with page.expect_navigation():
        page.get_by_role("link", name="Newer →").first.click()  # page two of a filtered list
    where = page.url
    first = page.locator("input.pick").first
    picked = first.get_attribute("value")
    first.check()
    page.get_by_role("button", name="Apply", exact=True).click()  # forget
    page.get_by_role("status").filter(has_text="Forgotten").wait_for()
    for part in ["kind=decision", "order=oldest", "after="]:  # not the unfiltered first page
        assert part in page.url, (part, page.url)
    assert page.url.startswith(where)
    page.get_by_role("button", name="Undo: restore the memory just forgotten").click()
    page.get_by_role("status").filter(has_text="Restored").wait_for()
    assert page.url.startswith(where)
    page.locator(f"input.pick[value='{picked}']").check()
    page.get_by_label("Action", exact=True).select_option("purge")
    page.get_by_role("button", name="Apply", exact=True).click()
    cancel = page.get_by_role("link", name="Cancel").get_attribute("href")
    assert cancel.startswith(urlsplit(world["url"]).path + "/?kind="), cancel
    page.get_by_role("button", name=f"Delete #{picked} permanently").click()
    page.get_by_role("status").filter(has_text="Deleted permanently").wait_for()
    assert page.url.startswith(where)


def test_a_time_typed_in_the_edit_form_is_the_browsers_local_time(
    page: Any, world: dict[str, Any]
) -> None:
    memory_id = world["dentist"]
    page.goto(f"{world['url']}/m/{memory_id}")
    page.get_by_label("Happened", exact=False).fill("2026-03-05 09:00")  # 9 in Tokyo
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("status").filter(has_text="Saved.").wait_for()
    happened = page.locator("dt:text-is('happened') + dd time")
    assert happened.inner_text() == "2026-03-05 09:00:00 GMT+9 (2026-03-05 00:00:00 UTC)"
    assert happened.get_attribute("datetime") == "2026-03-05T00:00:00.000000Z"
    page.get_by_label("Happened", exact=False).fill("2026-03-05T09:00Z")  # UTC, said so
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("status").filter(has_text="Saved.").wait_for()
    assert happened.get_attribute("datetime") == "2026-03-05T09:00:00.000000Z"
