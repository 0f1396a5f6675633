"""`memory-mcp ui`: the pages on loopback for the person at this machine."""

import logging
import signal
import threading
import webbrowser

from memory_mcp.adapters.mcp_server.server import (
    STOP_SIGNALS,
    STOP_WAIT_S,
    exit_at_once,
    stop_process,
)
from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.security import UiGuard, host_values
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only; a shared server serves the pages with `serve --http`
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def serve_ui(settings: Settings, port: int, open_browser: bool = True) -> None:
    """Serve until interrupted; the model loads in the background meanwhile. Stops as
    `serve --http` does: the database is closed and the process ends with 130/143."""
    import uvicorn

    for signum in STOP_SIGNALS:  # until the database is open: end at once, nothing to close
        signal.signal(signum, exit_at_once)
    service = MemoryService.open(settings)
    for signum in STOP_SIGNALS:  # uvicorn re-raises the signal once it has shut down
        signal.signal(signum, lambda received, _frame: stop_process([service], 128 + received))
    service.semantic.start_background()
    app = ui_app(service, UiGuard(host_values(LOOPBACK_NAMES, port)))
    url = f"http://{HOST}:{port}/"
    logger.warning("memory-mcp web UI on %s (Ctrl+C to stop)", url)
    if open_browser:  # once the server is listening (a moment later), not before
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)
    except BaseException:  # e.g. the port is taken: the CLI reports it
        service.close(wait=STOP_WAIT_S)
        raise
    stop_process([service], 0)
