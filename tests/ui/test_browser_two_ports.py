"""Two `memory-mcp ui` servers on two ports of one host, in one Chromium profile: a browser
sends a host's cookies to every port of it, so each server's cookies are named by its port
(the timezone's was not: one UI read the zone another port's page set), and a session is
sealed with its cookie's name (a value moved under another port's name opens as none)."""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.ui.browser import chromium, log_in, missing, ui_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(missing() is not None, reason=missing() or "")]

ZONE = "Asia/Tokyo"  # this browser's
PLANTED = "America/Los_Angeles"  # what another port's page sets


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("ports")
    dbs = []
    for name in ("a", "b"):
        db = root / f"{name}.db"
        service = MemoryService.open(Settings(db=db, semantic=False))
        service.remember(f"Server {name} keeps this memory")
        service.close()
        dbs.append(db)
    off = {"MEMORY_MCP_SEMANTIC": "false"}
    with (
        ui_server(dbs[0], None, root / "a.log", **off) as (a, login_a),
        ui_server(dbs[1], None, root / "b.log", **off) as (b, login_b),
        chromium(timezone_id=ZONE) as browser,
    ):
        log_in(browser, a, login_a)
        log_in(browser, b, login_b)
        yield {"a": a, "b": b, "browser": browser}


def port(url: str) -> str:
    return url.rsplit(":", 1)[1]


def logged_in(page: Any, url: str) -> bool:
    page.goto(f"{url}/")
    return "keeps this memory" in page.content()


def test_both_stay_logged_in_and_every_cookie_names_its_port(world: dict[str, Any]) -> None:
    page = world["browser"].new_page()
    try:
        for url in (world["a"], world["b"], world["a"]):
            assert logged_in(page, url), url
        names = {c["name"] for c in world["browser"].cookies()}
        assert names == {
            f"memory_mcp_{kind}_{port(world[server])}" for kind in ("ui", "tz") for server in "ab"
        }, names
    finally:
        page.close()


def test_a_zone_set_for_another_port_is_not_read(world: dict[str, Any]) -> None:
    """What the other UI's page (or any page on another port) names its zone in."""
    context, a, b = world["browser"], world["a"], world["b"]
    planted = ["memory_mcp_tz", f"memory_mcp_tz_{port(b)}"]
    context.add_cookies([{"name": name, "value": PLANTED, "url": b} for name in planted])
    context.clear_cookies(name=f"memory_mcp_tz_{port(a)}")
    reply = context.request.get(f"{a}/?since=2026-03-02")  # (no script: the cookies as sent)
    assert reply.ok, reply.status
    used = re.search(r'data-zone="([^"]*)"', reply.text())
    assert used is not None and PLANTED not in used.group(1), used and used.group(1)


def test_a_session_moved_under_another_ports_name_is_refused(world: dict[str, Any]) -> None:
    """B's login, planted as A's cookie by a page on B's port: A opens it as no login (A's
    secret differs from B's; and a value is sealed with its cookie's name)."""
    context, a, b = world["browser"], world["a"], world["b"]
    cookies = {c["name"]: c for c in context.cookies()}
    own = cookies[f"memory_mcp_ui_{port(a)}"]
    theirs = cookies[f"memory_mcp_ui_{port(b)}"]
    context.clear_cookies(name=own["name"])
    context.add_cookies([{"name": own["name"], "value": theirs["value"], "url": b}])
    page = context.new_page()
    try:
        assert not logged_in(page, a)
        assert logged_in(page, b)
    finally:
        page.close()
        context.clear_cookies(name=own["name"])
        context.add_cookies([{"name": own["name"], "value": own["value"], "url": a}])
