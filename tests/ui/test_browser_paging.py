"""Finding one's way through many memories in a real browser (Debian's chromium driven by
Playwright, `memory-mcp ui` as a subprocess), over each backend: pages both ways and search
results past the first fifty, the search box's focus, exact times, the narrow layout's labels,
and dates read in the browser's timezone even from a link that does not name it; then what a
demanding reader met on a phone and with text in other scripts or hostile characters.

Skipped, saying why, where chromium or playwright is missing; CI installs both (.ci/chromium).
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests import pg
from tests.ui.browser import chromium, log_in, missing, ui_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(missing() is not None, reason=missing() or "")]

ZONE = "Asia/Tokyo"  # UTC+9 all year, no daylight saving


def _tokyo_days() -> dict[str, datetime]:
    """Yesterday in Tokyo just after it began and just before it ended, and today there just
    after it began: whatever the hour, UTC's "yesterday" holds exactly one of the first two."""
    here = ZoneInfo(ZONE)
    today = datetime.now(here).replace(hour=0, minute=30, second=0, microsecond=0)
    return {
        "early": today - timedelta(days=1),
        "late": today - timedelta(days=1) + timedelta(hours=23),
        "today": today,
    }


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("ui-paging")
    env = {"MEMORY_MCP_SEMANTIC": "false"}  # keyword recall throughout: one ranking to page
    if request.param == "postgres":
        settings = Settings(db=pg.url(), pg_schema=pg.fresh_schema())
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    else:
        settings = Settings(db=root / "memory.db")
    svc = MemoryService.open(settings)
    svc.remember_many([
        {"content": f"Decision {n}: the deploy of service {n} waits for a green build.",
         "kind": "decision", "tags": ["deploy"], "scope": "proj/alpha"}
        for n in range(130)
    ])  # fmt: skip
    svc.remember_many([
        {"content": f"Fact {n}: printer {n} is on floor {n % 4}.", "kind": "fact",
         "scope": "office"}
        for n in range(20)
    ])  # fmt: skip
    intl = {
        "arabic": svc.remember("المستخدم يفضل القهوة العربية في الصباح", scope="intl").id,
        "long": svc.remember(
            "A long note. " + "Words that go on and on. " * 20, scope="team/ops"
        ).id,
        "trick": svc.remember("Pay \u202eevil\u202c via pay\u200bpal", scope="intl").id,
        "liked": svc.remember(
            "The user prefers deploy windows on Tuesday mornings.",
            kind="preference",
            scope="proj/webshop-frontend",
        ).id,  # fmt: skip
        "replaced": svc.remember(
            "The staging database host is db2.internal.", key="staging-db-host", scope="proj/infra"
        ).id,
        "keyed": svc.remember(
            "The staging database host is db3.internal, reached over the office VPN only.",
            key="staging-db-host",
            scope="proj/infra",
        ).id,  # fmt: skip
    }
    days = {
        name: svc.remember(f"Zone check {name}.", scope="zones", occurred_at=moment.isoformat()).id
        for name, moment in _tokyo_days().items()
    }
    svc.close()
    with (
        ui_server(settings.db, None, root / "ui.log", **env) as (url, login),
        chromium(timezone_id=ZONE) as browser,
    ):
        url = log_in(browser, url, login)
        yield {"url": url, "browser": browser, "settings": settings, "days": days, **intl}


def _ids(page: Any) -> list[int]:
    links = page.locator("table.results tbody td:nth-child(2) a").all_inner_texts()
    return [int(t.lstrip("#")) for t in links]


def _follow(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).first.click()  # above the list


def test_newest_first_pages_back_to_newer_ones_keeping_the_filters_while_memories_arrive(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(world["url"] + "/?kind=decision&tags=deploy&scope=proj%2Falpha")
    first = _ids(page)
    assert len(first) == 50 and first == sorted(first, reverse=True)
    assert page.get_by_role("link", name="← Newer").count() == 0  # nothing newer yet
    _follow(page, "Older →")
    second = _ids(page)
    assert second == sorted(second, reverse=True) and second[0] < first[-1]
    svc = MemoryService.open(world["settings"])
    try:  # recorded while the list is read, matching its filters: newest of all
        arrived = svc.remember(
            "Decision: the deploy freeze starts Friday.",
            kind="decision", tags=["deploy"], scope="proj/alpha",
        ).id  # fmt: skip
    finally:
        svc.close()
    _follow(page, "← Newer")
    for part in ["kind=decision", "tags=deploy", "scope=proj%2Falpha", "before="]:
        assert part in page.url, (part, page.url)
    assert _ids(page) == first  # the same page as before, not shifted by the newcomer
    _follow(page, "← Newer")  # only the newcomer is newer: the first page, full
    assert _ids(page) == [arrived, *first[:49]]
    assert page.get_by_role("link", name="← Newer").count() == 0
    _follow(page, "Older →")
    assert _ids(page) == [first[-1], *second[:49]]


def test_search_results_page_past_the_first_fifty(page: Any, world: dict[str, Any]) -> None:
    page.goto(world["url"] + "/?q=deploy+green+build&kind=decision")
    said = page.locator("p.mode").inner_text()
    assert said.startswith("Recall, keyword mode: results 1–50, more on the next page."), said
    seen = _ids(page)
    _follow(page, "Next results →")
    assert "kind=decision" in page.url and "start=50" in page.url
    assert page.locator("p.mode").inner_text().startswith("Recall, keyword mode: results 51–100")
    second = _ids(page)
    assert len(second) == 50 and not set(second) & set(seen)
    _follow(page, "Next results →")
    third = _ids(page)
    assert len(third) >= 30 and not set(third) & set(seen + second)  # 130, or 131 with one
    assert ", the last." in page.locator("p.mode").inner_text()
    assert page.get_by_role("link", name="Next results →").count() == 0
    _follow(page, "← Previous results")
    assert _ids(page) == second
    assert page.get_by_role("alert").count() == 0  # one mode throughout
    # the model finished loading between two pages: this page's ranking is not the last's
    page.goto(world["url"] + "/?q=deploy+green+build&kind=decision&start=50&mode=hybrid")
    said = page.get_by_role("alert").inner_text()
    assert said.startswith("The page before was ranked in hybrid mode, this one in keyword")
    _follow(page, "Start again from the first results")
    assert page.url == world["url"] + "/?q=deploy+green+build&kind=decision"


def test_the_search_box_takes_focus_only_on_a_fresh_find_on_a_wide_screen(
    page: Any, world: dict[str, Any]
) -> None:
    focused = "document.activeElement && document.activeElement.id"
    page.goto(world["url"] + "/")
    assert page.evaluate(focused) == "f-q"  # typing is the next step
    page.goto(world["url"] + "/?q=deploy")
    assert page.evaluate(focused) != "f-q"  # reading the results is
    page.goto(world["url"] + "/?kind=fact")
    assert page.evaluate(focused) != "f-q"
    page.goto(world["url"] + "/login")
    assert page.evaluate(focused) == "f-token"  # the one thing to do there
    page.set_viewport_size({"width": 360, "height": 740})  # a phone: no keyboard over the page
    page.goto(world["url"] + "/")
    assert page.evaluate(focused) != "f-q"
    page.goto(world["url"] + "/login")
    assert page.evaluate(focused) != "f-token"
    page.goto(world["url"] + "/")
    page.keyboard.press("/")  # still one key away
    assert page.evaluate(focused) == "f-q"


def test_exact_times_are_on_the_page_not_only_in_a_tooltip(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(world["url"] + "/?scope=zones")
    shown = page.locator("table.results tbody time").first.inner_text()
    assert shown.count(":") == 1 and shown.endswith(" GMT+9")  # to the minute
    page.get_by_label("Exact times", exact=False).check()  # a checkbox: keys and fingers reach
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**exact=on**")
    time = page.locator("table.results tbody time").first
    utc = time.get_attribute("datetime")[:19].replace("T", " ") + " UTC"
    assert time.inner_text().endswith(f" GMT+9 ({utc})")  # seconds, zone, and UTC
    assert time.inner_text().count(":") == 4
    ident = _ids(page)[0]
    page.goto(f"{world['url']}/m/{ident}")
    recorded = page.locator("dt:text-is('recorded') + dd time").inner_text()
    assert recorded.endswith(" UTC)") and " GMT+9 (" in recorded
    created = page.locator("ol.history .what time").last.inner_text()  # its history's too
    assert created.endswith(" UTC)") and created.count(":") == 4


def test_a_narrow_window_labels_each_value_its_hidden_header_named(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(world["url"] + "/?q=printer+floor")
    first = page.locator("table.results tbody tr").first
    assert not first.locator(".cell-label").first.is_visible()  # the headers say it
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(world["url"] + "/?q=printer+floor")
    assert not page.locator("table.results thead th").nth(3).is_visible()
    cells = page.locator("table.results tbody tr").first.locator("td")
    texts = [cells.nth(i).inner_text() for i in range(3, 7)]
    assert [t.split(":")[0] for t in texts] == ["kind", "scope", "score", "recorded"], texts
    assert texts[0] == "kind: fact" and texts[1] == "scope: office"


def test_dates_are_read_in_the_browsers_timezone_from_a_link_without_one(
    page: Any, world: dict[str, Any]
) -> None:
    days, url = world["days"], world["url"]
    page.goto(url + "/?scope=zones&since=yesterday&until=yesterday")
    # "yesterday" on Tokyo's calendar (UTC's holds one of the two, the other day's)
    assert sorted(_ids(page)) == sorted([days["early"], days["late"]])
    assert page.locator("p.zone").inner_text() == f"Since and Until read in {ZONE}."
    assert "tz=" not in page.url  # the page's cookie named the zone
    # a link opened before any page named the zone (no cookie yet): read again in it
    page.context.clear_cookies(name=f"memory_mcp_tz_{urlsplit(url).port}")
    day = _tokyo_days()["early"].date().isoformat()
    page.goto(url + f"/?scope=zones&since={day}&until={day}")
    page.wait_for_url("**tz=Asia%2FTokyo**")
    assert sorted(_ids(page)) == sorted([days["early"], days["late"]])
    assert page.locator("p.zone").inner_text() == f"Since and Until read in {ZONE}."
    # a zone the link names wins over the browser's
    page.goto(url + f"/?scope=zones&since={day}&until={day}&tz=UTC")
    assert page.locator("p.zone").inner_text() == "Since and Until read in UTC."
    # 14:30 and 15:30 UTC that day; "early" (15:30 UTC) was the day before
    assert sorted(_ids(page)) == sorted([days["late"], days["today"]])


def test_a_phone_shows_the_results_first_with_the_filters_folded(
    page: Any, world: dict[str, Any]
) -> None:
    """At 360 px the filters filled more than a screen before the first memory."""
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(world["url"] + "/?kind=fact&order=oldest")
    summary = page.locator("details.filters-box > summary")
    assert summary.inner_text() == "Filters (2 set)"  # folded, and says they are there
    assert not page.get_by_label("Kind", exact=True).is_visible()
    first = page.locator("table.results tbody tr").first.bounding_box()
    assert first["y"] + first["height"] < 740  # on the first screen
    assert page.get_by_text("select all shown").is_visible()  # its header is hidden here
    summary.click()
    assert page.get_by_label("Kind", exact=True).input_value() == "fact"
    page.goto(world["url"] + "/?q=printer&kind=fact&tags=x")
    _follow(page, "Clear filters")  # one tap, the search kept
    assert page.url == world["url"] + "/?q=printer"
    assert page.locator("details.filters-box > summary").inner_text() == "Filters"
    page.goto(world["url"] + "/?since=the+day+after+never")  # refused: the fields stay open
    assert page.get_by_label("Since", exact=True).is_visible()
    page.set_viewport_size({"width": 1200, "height": 860})
    page.goto(world["url"] + "/?kind=fact")
    assert page.get_by_label("Kind", exact=True).is_visible()  # a wide screen: open


def test_page_links_sit_above_the_list_too(page: Any, world: dict[str, Any]) -> None:
    """Below 50 rows of a checkbox and a link each, the next page was 100 Tabs away."""
    page.goto(world["url"] + "/?kind=decision")
    above = page.locator("nav.pager.top")
    assert above.get_by_role("link", name="Older →").is_visible()
    before = "n => n.compareDocumentPosition(document.querySelector('table.results')) & 4"
    assert above.evaluate(before)  # the table follows it


def test_a_scope_beside_a_long_text_is_not_broken_inside_a_word(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(world["url"] + "/?scope=team%2Fops")
    scope = page.locator("table.results tbody .name").first
    assert scope.inner_text() == "team/ops"
    one_line = "e => e.offsetHeight < 1.6 * parseFloat(getComputedStyle(e).lineHeight)"
    assert scope.evaluate(one_line)  # not "team/op" over "s"


def test_right_to_left_text_reads_right_to_left(page: Any, world: dict[str, Any]) -> None:
    direction = "e => getComputedStyle(e).direction"
    page.goto(world["url"] + "/?scope=intl")
    rows = page.locator("table.results tbody tr")
    arabic = rows.filter(has=page.locator(f"a:text-is('#{world['arabic']}')"))
    assert arabic.locator(".memtext").evaluate(direction) == "rtl"
    trick = rows.filter(has=page.locator(f"a:text-is('#{world['trick']}')"))
    assert trick.locator(".memtext").evaluate(direction) == "ltr"
    page.goto(f"{world['url']}/m/{world['arabic']}")
    assert page.locator("pre.content").evaluate(direction) == "rtl"
    assert page.get_by_label("Text", exact=True).evaluate(direction) == "rtl"


def test_the_edit_box_warns_of_characters_it_cannot_mark(page: Any, world: dict[str, Any]) -> None:
    """The box held the text exactly, so an override showed "evil" as "live" there."""
    page.goto(f"{world['url']}/m/{world['trick']}")
    box = page.get_by_label("Text", exact=True)
    assert box.input_value() == "Pay \u202eevil\u202c via pay\u200bpal"  # kept exactly
    note = page.locator("#" + box.get_attribute("aria-describedby"))
    assert note.is_visible() and "reorder the text" in note.inner_text()
    page.goto(f"{world['url']}/m/{world['arabic']}")
    assert page.get_by_label("Text", exact=True).get_attribute("aria-describedby") is None


def test_a_memorys_details_stack_on_a_phone_and_its_times_read_plainly(
    page: Any, world: dict[str, Any]
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{world['url']}/m/{world['days']['early']}")
    name = page.locator("dt:text-is('recorded')").bounding_box()
    value = page.locator("dt:text-is('recorded') + dd").bounding_box()
    assert value["y"] >= name["y"] + name["height"] and value["width"] > 300  # under it
    happened = page.get_by_label("Happened", exact=False).input_value()
    assert happened.endswith(":30:00Z") and "." not in happened  # no ".000000"


def test_the_overviews_keyed_facts_keep_their_keys_scopes_and_links_whole_on_a_phone(
    page: Any, world: dict[str, Any]
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(world["url"] + "/overview")
    one_line = "e => e.getClientRects().length === 1"  # an inline box a line
    row = page.locator("tr", has=page.get_by_role("link", name=f"#{world['keyed']}"))
    assert row.get_by_text("proj/infra", exact=True).evaluate(one_line)  # not "proj/" "infra"
    assert row.get_by_role("link").evaluate(one_line)  # not "#1" over "66"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_superseded_memory_links_to_its_newer_value_at_the_top(
    page: Any, world: dict[str, Any]
) -> None:
    page.goto(f"{world['url']}/m/{world['replaced']}")
    state = page.locator("p.state")
    assert state.inner_text().endswith(f"recall shows the newer one (#{world['keyed']}).")
    with page.expect_navigation():
        state.get_by_role("link").click()
    assert page.url.endswith(f"/m/{world['keyed']}")


def test_a_small_edit_to_a_long_memory_shows_the_change_not_the_whole_text(
    page: Any, world: dict[str, Any]
) -> None:
    words = [f"word{n}" for n in range(400)]
    svc = MemoryService.open(world["settings"])
    try:
        memory_id = svc.remember(" ".join(words), scope="essays").id
        svc.update(memory_id, content=" ".join([*words[:200], "CHANGED", *words[201:]]))
    finally:
        svc.close()
    page.goto(f"{world['url']}/m/{memory_id}")
    entry = page.locator("ol.history > li").first.locator(".diff")
    assert entry.locator("del").inner_text() == "word200"
    assert entry.locator("ins").inner_text() == "CHANGED"
    shown = entry.inner_text()
    assert "word192 " in shown and " word207" in shown  # the words around it
    assert "word150" not in shown and "word250" not in shown
    assert shown.count("words unchanged") == 2 and "192 words unchanged" in shown


def test_no_width_between_a_phone_and_a_desktop_scrolls_sideways(
    page: Any, world: dict[str, Any]
) -> None:
    """Just over the phone layout's 640 px, a result's six columns did not fit."""
    for width in [641, 680, 720, 780, 900]:
        page.set_viewport_size({"width": width, "height": 800})
        paths = ["/?q=deploy+windows", "/?q=staging+database&superseded=on", "/?exact=on"]
        for path in paths:
            page.goto(world["url"] + path)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, (width, path, wide)
