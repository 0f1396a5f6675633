"""`memory-mcp ui`: the pages on loopback for the person at this machine.

Loopback is not private on a machine with other users: any of them can connect to
127.0.0.1. So the pages need a key made for this run, which only its owner sees: it is
printed to the terminal (an address that logs in) and handed to the browser through a file
only the owner can read (a command line is readable by everyone), and a login cookie keeps
the browser logged in until the server stops.
"""

import html
import logging
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import webbrowser
from pathlib import Path

from memory_mcp.adapters.mcp_server.guards import PlainH11Protocol
from memory_mcp.adapters.mcp_server.listen import listening_socket, serve_socket
from memory_mcp.adapters.mcp_server.stopping import (
    STOP_SIGNALS,
    STOP_WAIT_S,
    exit_at_once,
    stop_process,
)
from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.security import RunKey, UiGuard, host_values
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only; a shared server serves the pages with `serve --http`
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def serve_ui(settings: Settings, port: int, open_browser: bool = True) -> None:
    """Serve until interrupted; the model loads in the background meanwhile. Stops as
    `serve --http` does: the database is closed and the process ends with 130/143."""
    import uvicorn

    sock = listening_socket(HOST, port, host_option=False)  # in use: one line, nothing loaded
    port = sock.getsockname()[1]  # --port 0: the one the system picked (the lines below)
    for signum in STOP_SIGNALS:  # until the database is open: end at once, nothing to close
        signal.signal(signum, exit_at_once)
    try:
        service = MemoryService.open(settings)
    except BaseException:
        sock.close()
        raise
    folder = Path(tempfile.mkdtemp(prefix="memory-mcp-ui-"))  # mode 700: the owner's only

    def stop(code: int) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        stop_process([service], code)

    for signum in STOP_SIGNALS:  # uvicorn re-raises the signal once it has shut down
        signal.signal(signum, lambda received, _frame: stop(128 + received))
    service.semantic.start_background()
    key = secrets.token_urlsafe(32)
    app = ui_app(service, UiGuard(host_values(LOOPBACK_NAMES, port), RunKey(service, key)))
    url = f"http://{HOST}:{port}/"
    login = f"{url}login?token={key}"
    logger.info("memory-mcp web UI on %s (Ctrl+C to stop).", url)
    sys.stderr.write(f"Open {login} to log in (the key is new each run).\n")
    sys.stderr.flush()
    if open_browser:  # once the server is listening (a moment later), not before
        threading.Timer(1.0, webbrowser.open, args=(_opener(folder, login),)).start()
    try:
        # log_config=None: uvicorn's records go through the CLI's handler (timed, control
        # characters filtered), as `serve --http`'s do.
        # PlainH11Protocol: a WebSocket any web page opens to this port is answered plain,
        # unlogged (uvicorn warned twice for each).
        config = uvicorn.Config(app, log_level="warning", access_log=False, log_config=None,
                                http=PlainH11Protocol)  # fmt: skip
        serve_socket(config, sock)
    except BaseException:
        sock.close()
        shutil.rmtree(folder, ignore_errors=True)
        service.close(wait=STOP_WAIT_S)
        raise
    stop(0)


def _opener(folder: Path, login: str) -> str:
    """A file:// address of a page in `folder` (the owner's only) that goes on to `login`:
    the browser is started with it, so the key never appears on a command line."""
    page = folder / "open.html"
    target = html.escape(login, quote=True)
    page.write_text(
        f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={target}">'
        f'<a href="{target}">memory-mcp web UI</a>\n',
        encoding="utf-8",
    )
    return page.as_uri()
