"""Driving Debian's chromium with Playwright (never Playwright's own browser download), and
`memory-mcp ui` as a real subprocess on a loopback port the system picks (`--port 0`)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.ports import UI_LOGIN, announced

CHROMIUM = Path(os.environ.get("MEMORY_MCP_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]


def missing() -> str | None:
    """Why browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM}: `apt-get install chromium` (CI: .ci/chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: `uv sync` (it is in the dev group)"
    return None


@contextmanager
def chromium(**options: Any) -> Iterator[Any]:
    """A headless chromium with a fresh profile, removed afterwards; `options` go to
    Playwright's context (e.g. `timezone_id="Asia/Tokyo"`)."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="memory-mcp-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=ARGS,
                **({"viewport": {"width": 1200, "height": 860}} | options),
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


HOME = re.compile(r"^(.*/s/[A-Za-z0-9_-]{32})/$")  # a login's pages: /s/MARK/


def log_in(browser: Any, url: str, login: str) -> str:
    """Open the address `memory-mcp ui` printed once, so the browser keeps its login cookie;
    the address of this login's pages (`url/s/MARK`: the cookie alone is no login).

    That page goes on to them by itself (a `refresh` header); the page is closed only once
    it has arrived: Chromium can take a close in the middle of that navigation and never
    close the page (playwright#42366), which hung a module's set-up until its timeout."""
    page = browser.new_page()
    page.goto(login)
    page.wait_for_url(url + "/s/*/")
    home = pages_of(page.url)
    page.close()
    return home


def log_in_with_token(page: Any, ui: str, token: str) -> str:
    """Log `page` in through the login form of the UI at `ui` (a principal's token or the
    owner's), as a person would, and wait until it has arrived on the UI's first page; the
    address of this login's pages (`ui/s/MARK`)."""
    page.goto(ui + "/login")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(ui + "/s/*/")
    return pages_of(page.url)


def pages_of(address: str) -> str:
    """`ui/s/MARK` from the address of a login's first page."""
    found = HOME.match(address)
    assert found is not None, address
    return found.group(1)


@contextmanager
def ui_server(
    db: Path, model_dir: Path | None, log: Path, **env_vars: str
) -> Iterator[tuple[str, str]]:
    """`memory-mcp ui --no-browser` on a free port; yields its address and the address it
    printed that logs in (open it once in a browser: its cookie keeps it logged in)."""
    env = dict(os.environ, MEMORY_MCP_DB=str(db), **env_vars)
    if model_dir is not None:
        env["MEMORY_MCP_MODEL_DIR"] = str(model_dir)
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "ui", "--no-browser", "--port", "0"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        # The port is bound before the database and the model are loaded (listen.py), and the
        # login address naming it printed after.
        login = announced(log, proc, UI_LOGIN)
        url = login.group(1)
        yield url, login.group(0).removeprefix("Open ")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
