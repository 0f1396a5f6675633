"""`memory-mcp ui` on a machine with other users: 127.0.0.1 is reachable by all of them, so
the pages open only with the key made for this run, printed to its owner's terminal. A real
process, real HTTP."""

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.adapters.test_http import TOKEN
from tests.adapters.test_http import start as start_http
from tests.ports import UI_LOGIN, announced
from tests.ui.browser import chromium, log_in_with_token, missing, pages_of

SECRET = "The vault is behind the third blue door"


@pytest.fixture
def ui(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(the UI's address, the login address it printed)."""
    yield from start_ui(tmp_path, "--no-browser")


def start_ui(tmp_path: Path, *args: str, **env_extra: str) -> Iterator[tuple[str, str]]:
    tmp_path.mkdir(exist_ok=True)
    db = tmp_path / "ui.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    service.remember(SECRET)
    service.close()
    log = tmp_path / "ui.log"
    env = dict(os.environ, MEMORY_MCP_DB=str(db), MEMORY_MCP_SEMANTIC="false", **env_extra)
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "ui", "--port", "0", *args],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    try:
        login = announced(log, proc, UI_LOGIN)  # printed once the port it names is bound
        yield login.group(1), login.group(0).removeprefix("Open ")
    finally:
        proc.terminate()
        proc.wait(10)


def test_another_user_on_this_machine_gets_nothing_without_the_key(ui: tuple[str, str]) -> None:
    url, _ = ui
    with httpx2.Client(base_url=url, timeout=10) as other:
        for path in ("/", "/export.jsonl", "/export.zip", "/m/1", "/overview", "/data"):
            answer = other.get(path)
            # (a page that only shows is named for the login to go on to: no mark, no memory)
            onward = {"/m/1": "?next=%2Fm%2F1", "/overview": "?next=%2Foverview",
                      "/data": "?next=%2Fdata"}.get(path, "")  # fmt: skip
            assert answer.status_code == 303, path
            assert answer.headers["location"] == "/login" + onward, path
        page = other.get("/login").text
        assert SECRET not in page
        guessed = other.get("/login?token=guessed")
        assert guessed.status_code == 200 and "not this run" in guessed.text
        assert "set-cookie" not in guessed.headers
        form = re.search(r'name="csrf" value="([^"]+)"', page)
        assert form is not None
        posted = other.post("/login", data={"csrf": form.group(1), "token": "guessed"})
        assert posted.status_code == 401
        forget = other.post("/m/1/forget", data={"csrf": form.group(1)})
        assert forget.status_code == 401 and SECRET not in forget.text


def test_the_printed_address_logs_the_owner_in(ui: tuple[str, str]) -> None:
    url, login = ui
    with httpx2.Client(base_url=url, timeout=10) as owner:
        entered = owner.get(login)
        onward = re.fullmatch(r"0;url=(/s/[A-Za-z0-9_-]{32})/", entered.headers["refresh"])
        assert entered.status_code == 200 and onward is not None, entered.headers["refresh"]
        cookie = entered.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert login.rsplit("=", 1)[1].lower() not in cookie  # sealed, not the key itself
        assert SECRET in owner.get(onward.group(1) + "/export.jsonl").text
        assert SECRET in owner.get(onward.group(1) + "/").text
        # the cookie without the login's path mark is no login (other ports get the cookie)
        assert owner.get("/export.jsonl").headers["location"] == "/login"


@pytest.mark.slow
@pytest.mark.skipif(missing() is not None, reason=missing() or "")
def test_the_browser_opened_for_the_owner_is_logged_in(tmp_path: Path) -> None:
    """The browser is started with a file only the owner can read (a command line is
    readable by every user), which goes on to the login address: a real chromium ends up
    on the pages, logged in."""
    opened = tmp_path / "opened"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o700)
    ui = start_ui(tmp_path, BROWSER=f"{browser} %s")
    url, login = next(ui)
    try:
        deadline = time.monotonic() + 120
        while not opened.exists() or not opened.read_text().strip():
            assert time.monotonic() < deadline, "no browser was started"
            time.sleep(0.05)
        address = opened.read_text().strip()
        assert address.startswith("file://") and login.rsplit("=", 1)[1] not in address
        page_file = Path(address.removeprefix("file://"))
        assert page_file.parent.stat().st_mode & 0o077 == 0  # the owner's folder only
        with chromium() as context:
            page = context.new_page()
            page.goto(address)
            page.wait_for_url(url + "/s/*/")
            assert SECRET in page.locator("main").inner_text()
    finally:
        ui.close()


@pytest.mark.slow
@pytest.mark.skipif(missing() is not None, reason=missing() or "")
def test_one_browser_stays_logged_in_to_two_servers_on_one_machine(tmp_path: Path) -> None:
    """A browser sends a host's cookies to every port of it: `memory-mcp ui` and a
    `serve --http` on another port each keep their own login in one browser."""
    ui_url, login = next(ui := start_ui(tmp_path / "a", "--no-browser"))
    (tmp_path / "b").mkdir()
    proc, port = start_http(tmp_path / "b", token=TOKEN)
    served = f"http://127.0.0.1:{port}/ui"
    try:
        with chromium() as context:
            page = context.new_page()
            page.goto(login)
            page.wait_for_url(ui_url + "/s/*/")
            ui_url = pages_of(page.url)
            served = log_in_with_token(page, served, TOKEN)
            for url in (ui_url + "/", served + "/", ui_url + "/overview", served + "/overview"):
                page.goto(url)
                assert page.url == url, f"{url} sent the browser to {page.url}"
    finally:
        ui.close()
        proc.terminate()
        proc.wait(10)
