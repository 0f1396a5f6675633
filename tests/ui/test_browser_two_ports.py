"""Two `memory-mcp ui` servers on two ports of one host, in one Chromium profile: a browser
sends a host's cookies to every port of it, so each server's cookies are named by its port
(the timezone's was not: one UI read the zone another port's page set), and a session is
sealed with its cookie's name (a value moved under another port's name opens as none). And
what a program on another port receives, the cookies, is no login: a login's pages live
under its own path mark."""

import http.server
import re
import threading
import urllib.error
import urllib.request
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
        a = log_in(browser, a, login_a)
        b = log_in(browser, b, login_b)
        yield {"a": a, "b": b, "browser": browser}


def port(url: str) -> str:
    return url.split("/s/")[0].rsplit(":", 1)[1]


def root(url: str) -> str:
    """The server's address, without a login's path mark."""
    return url.split("/s/")[0]


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
    context.add_cookies([{"name": name, "value": PLANTED, "url": root(b)} for name in planted])
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
    context.add_cookies([{"name": own["name"], "value": theirs["value"], "url": root(b)}])
    page = context.new_page()
    try:
        assert not logged_in(page, a)
        assert logged_in(page, b)
    finally:
        page.close()
        context.clear_cookies(name=own["name"])
        context.add_cookies([{"name": own["name"], "value": own["value"], "url": root(a)}])


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Another program on this host: it keeps the Cookie header a browser sends it."""

    received: list[str] = []

    def do_GET(self) -> None:
        self.received.append(self.headers.get("cookie", ""))
        body = b"<!doctype html><title>elsewhere</title><p>another program"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _replayed(url: str, cookie: str) -> tuple[int, str]:
    """(status, body) of a GET of `url` with only `cookie`, redirects not followed."""

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    request = urllib.request.Request(url, headers={"cookie": cookie})
    try:
        with urllib.request.build_opener(_Stay).open(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def test_the_cookies_another_port_receives_replayed_are_no_login(world: dict[str, Any]) -> None:
    """A page on a third port that the browser visits gets both UIs' login cookies; replayed
    against a UI (every page, the exports) they log nobody in, and the same browser (which
    holds the path mark) still is."""
    _Recorder.received = []
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    page = world["browser"].new_page()
    try:
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
        # The page, and whatever else the browser asks of that host (its /favicon.ico): each
        # request carries the same cookies.
        cookie = _Recorder.received[0]
        assert set(_Recorder.received) == {cookie}, _Recorder.received
        assert f"memory_mcp_ui_{port(world['a'])}=" in cookie, cookie  # what browsers do
        for server in "ab":
            for path in ("/", "/export.jsonl", "/data", "/m/1", "/overview"):
                status, body = _replayed(root(world[server]) + path, cookie)
                assert status == 303 and "keeps this memory" not in body, (server, path)
            status, body = _replayed(root(world[server]) + "/s/" + "A" * 32 + "/", cookie)
            assert status == 303 and "keeps this memory" not in body, server
            page.goto(root(world[server]) + "/")  # the browser itself, without the mark
            assert "/login" in page.url and "keeps this memory" not in page.content()
            assert logged_in(page, world[server])
    finally:
        page.close()
        other.shutdown()
        other.server_close()
