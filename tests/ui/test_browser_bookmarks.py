"""A returning person's bookmark, in real Chromium against a real `memory-mcp ui`: the UI's
root or a memory's page (bookmarked without a login's path mark, or under the mark of a
login that has ended, as after a restart) shows the login page, and logging in there goes on
to the page bookmarked, under the new login's mark. The cookie alone still logs nobody in:
what a program on another port could replay gets the login page, never the mark."""

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.ui.browser import chromium, log_in, missing, ui_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(missing() is not None, reason=missing() or "")]

KEPT = "The staging database is restored every Sunday"
WAIT_MS = 120_000  # for a navigation that will happen: ends when it does


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("bookmarks")
    db = root / "ui.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    memory_id = service.remember(KEPT).id
    service.close()
    with (
        ui_server(db, None, root / "ui.log", MEMORY_MCP_SEMANTIC="false") as (url, login),
        chromium() as browser,
    ):
        key = parse_qs(urlsplit(login).query)["token"][0]
        yield {"url": url, "login": login, "key": key, "browser": browser, "id": memory_id}


def _log_in_at(page: Any, key: str, onward: bool = True) -> None:
    """On the login page a bookmark led to: the key typed, as a person does."""
    assert "/login" in page.url and KEPT not in page.content(), page.url
    said = "goes on to the page you asked for" in page.content()
    assert said == onward, page.url
    page.get_by_label("Token").fill(key)
    page.get_by_role("button", name="Log in").click()


def test_a_bookmark_goes_on_to_its_page_after_logging_in(world: dict[str, Any]) -> None:
    url, key, browser, memory_id = world["url"], world["key"], world["browser"], world["id"]
    page = browser.new_page()
    try:
        # A memory's page and a search, bookmarked without the path mark: login, then there.
        for wanted in (f"/m/{memory_id}", "/?q=staging"):
            page.goto(url + wanted)
            _log_in_at(page, key)
            page.wait_for_url(re.compile(r"/s/[^/]+" + re.escape(wanted) + "$"), timeout=WAIT_MS)
            assert KEPT in page.content()
        home = page.url.split("/s/")[1].split("/")[0]
        # Under the mark of a login that has ended (a restart makes a new one): the same.
        browser.clear_cookies()
        page.goto(f"{url}/s/{'A' * 32}/m/{memory_id}")
        _log_in_at(page, key)
        page.wait_for_url(re.compile(rf"/s/{home}/m/{memory_id}$"), timeout=WAIT_MS)
        assert KEPT in page.content()
        # The address `memory-mcp ui` prints, with the page it should go on to.
        browser.clear_cookies()
        page.goto(f"{world['login']}&next=/m/{memory_id}")
        page.wait_for_url(re.compile(rf"/s/{home}/m/{memory_id}$"), timeout=WAIT_MS)
        assert KEPT in page.content()
    finally:
        page.close()


def test_a_link_naming_a_question_or_another_site_goes_to_the_first_page(
    world: dict[str, Any],
) -> None:
    """/login?next= names only pages that show: a deletion's question, another site or an
    export is not where a login goes on to."""
    url, key, browser = world["url"], world["key"], world["browser"]
    page = browser.new_page()
    try:
        for wanted in ("/purge?ids=1", "//example.com/", "https://example.com/", "/export.jsonl"):
            browser.clear_cookies()
            page.goto(f"{url}/login?next={urllib.request.quote(wanted, safe='')}")
            _log_in_at(page, key, onward=False)
            page.wait_for_url(re.compile(r"/s/[^/]+/$"), timeout=WAIT_MS)
            assert page.url.startswith(url) and KEPT in page.content(), wanted
    finally:
        page.close()


def _replayed(url: str, cookie: str) -> tuple[int, str]:
    """(status, Location) of a GET of `url` with only `cookie`, redirects not followed."""

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    request = urllib.request.Request(url, headers={"cookie": cookie})
    try:
        with urllib.request.build_opener(_Stay).open(request, timeout=30) as answer:
            return answer.status, answer.headers.get("location", "")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get("location", "")


def test_the_cookie_alone_still_gets_the_login_page_and_no_mark(world: dict[str, Any]) -> None:
    url, browser, memory_id = world["url"], world["browser"], world["id"]
    home = log_in(browser, url, world["login"])
    mark = home.split("/s/")[1]
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.cookies())
    for path in ("/", f"/m/{memory_id}", "/overview", f"/s/{'A' * 32}/m/{memory_id}"):
        status, location = _replayed(url + path, cookie)
        assert status == 303 and location.startswith("/login"), (path, status, location)
        assert mark not in location, path
    page = browser.new_page()
    try:  # the browser itself, with the mark, is in
        page.goto(f"{home}/m/{memory_id}")
        assert KEPT in page.content()
    finally:
        page.close()
