"""One worker of `serve --http --workers N` (workers.py starts it): `python -m
memory_mcp.adapters.mcp_server.worker`, its configuration on stdin."""

import json
import logging
import os
import signal
import socket
import sys
import threading

import uvicorn

from memory_mcp.adapters.logs import stderr_handler
from memory_mcp.adapters.mcp_server.graceful import GracefulServer
from memory_mcp.adapters.mcp_server.guards import connection_limits, guarded_protocol
from memory_mcp.adapters.mcp_server.http import http_app
from memory_mcp.adapters.mcp_server.shared import Shared
from memory_mcp.adapters.mcp_server.stopping import (
    STOP_SIGNALS,
    STOP_WAIT_S,
    exit_at_once,
    stop_process,
)
from memory_mcp.adapters.mcp_server.workers import ACCEPT_AT_ONCE, WorkerConfig
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

logger = logging.getLogger(__name__)


def run() -> None:
    """A worker's life: read the configuration, open the service, serve the inherited socket
    until SIGINT/SIGTERM (or the parent's end) and its requests are answered, close the
    database, exit like serve_http."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, exit_at_once)
    config = WorkerConfig(**json.loads(sys.stdin.buffer.readline()))
    _configure_logging(config)
    threading.Thread(target=_stop_when_orphaned, daemon=True).start()
    settings = Settings(**config.settings)
    sock = socket.socket(fileno=config.listen_fd)
    service = MemoryService.open(settings)
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda received, _frame: stop_process([service], 128 + received))
    try:
        service.semantic.start_background()
        shared = Shared(bytes.fromhex(config.secret), config.limit_fd)
        app = http_app(service, config.host, config.port, config.token, config.allow_hosts, shared)
        cap, backlog = connection_limits(settings.http_max_connections)
        protocol = guarded_protocol(settings.http_read_timeout, cap)
        # log_config=None: uvicorn's records go through the worker's handler (http.py)
        uv = uvicorn.Config(app, log_level="warning", access_log=False, http=protocol,
                            backlog=ACCEPT_AT_ONCE, log_config=None)  # fmt: skip
        logger.info("serving (pid %d)", os.getpid())
        _Server(uv, backlog).run(sockets=[sock])
    except BaseException:
        service.close(wait=STOP_WAIT_S)
        raise
    stop_process([service], 0)


def _configure_logging(config: WorkerConfig) -> None:
    handler = stderr_handler(f"worker {config.index}: ")
    logging.basicConfig(level=config.log_level, handlers=[handler], force=True)


def _stop_when_orphaned() -> None:
    """Block on the pipe from the parent; when it closes, the parent is gone: stop."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGTERM)


class _Server(GracefulServer):
    """The graceful server (graceful.py) accepting ACCEPT_AT_ONCE connections per wake-up
    (asyncio takes its `backlog` as that number too), with the kernel's queue kept at
    `queue`."""

    def __init__(self, config: uvicorn.Config, queue: int) -> None:
        super().__init__(config)
        self.queue = queue

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        for sock in sockets or []:
            sock.listen(self.queue)


if __name__ == "__main__":
    run()
