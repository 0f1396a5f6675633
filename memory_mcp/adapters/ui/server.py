"""`memory-mcp ui`: the pages on loopback for the person at this machine."""

import logging
import threading
import webbrowser

from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.security import UiGuard, host_values
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only; a shared server serves the pages with `serve --http`
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def serve_ui(settings: Settings, port: int, open_browser: bool = True) -> None:
    """Serve until interrupted; the model loads in the background meanwhile."""
    import uvicorn

    service = MemoryService.open(settings)
    service.semantic.start_background()
    app = ui_app(service, UiGuard(host_values(LOOPBACK_NAMES, port)))
    url = f"http://{HOST}:{port}/"
    logger.warning("memory-mcp web UI on %s (Ctrl+C to stop)", url)
    if open_browser:  # once the server is listening (a moment later), not before
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)
    finally:
        service.close()
