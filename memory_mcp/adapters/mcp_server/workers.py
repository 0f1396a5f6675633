"""`serve --http --workers N`: N server processes answering on one address, so that requests
use several cores (one process cannot: most of a request's time is Python, under one GIL).

The parent opens the database once (an upgrade of its schema happens there, not raced by N
processes), resolves the owner's token (a generated one is written once), binds the port,
makes the secret and the rate-limit table the workers share (shared.py), and starts the
workers (worker.py), each reading its settings from a pipe and accepting connections on the
inherited socket, with its own MemoryService (its own model and vector copy) on the same
database. It then watches them: a worker that ends
unexpectedly is reported and started again (a worker that keeps ending stops the server,
exit 1); SIGINT/SIGTERM is passed to every worker, which finishes its requests (10 s at
most) and closes the database; the parent ends with 0 once they have (130/143 if one did
not stop cleanly). A worker whose parent is gone (its pipe closed) stops the same way, so
none is left behind. Once prepared, the parent
replaces itself (exec) with supervisor.py, which loads no more than it needs to watch.
"""

import json
import logging
import os
import secrets
import socket
import sys
from dataclasses import asdict, dataclass
from typing import Any, NoReturn

from memory_mcp import __version__
from memory_mcp.adapters.mcp_server.shared import limit_table
from memory_mcp.config import HttpWorkers, Settings

ACCEPT_AT_ONCE = 1  # connections a worker accepts per wake-up: the others go to idle workers


def worker_count(wanted: HttpWorkers) -> int:
    """`auto`: one per core this process may run on."""
    if wanted != "auto":
        return wanted
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


@dataclass
class WorkerConfig:
    """What a worker needs, sent over its stdin (not its command line: the token is here)."""

    settings: dict[str, Any]
    host: str
    port: int
    allow_hosts: list[str]
    token: str | None
    secret: str
    listen_fd: int
    limit_fd: int
    log_level: int
    index: int = 0


def supervise(config: WorkerConfig, count: int, auth: str) -> NoReturn:
    """Become the lean supervisor (supervisor.py) that starts `count` workers, watches them
    and stops them on SIGINT/SIGTERM: this process is replaced (same pid, the port and the
    rate-limit table kept), shedding the ~80 MB of modules the preparation loaded."""
    banner = (f"memory-mcp {__version__} serving http://{config.host}:{config.port}/mcp with "
              f"{count} worker processes: {auth}.")  # fmt: skip
    job = json.dumps({"config": asdict(config), "count": count, "banner": banner}).encode()
    read, write = os.pipe()
    os.write(write, job)  # a few KB: within the pipe's buffer, nobody reads yet
    os.close(write)
    for fd in (read, config.listen_fd, config.limit_fd):
        os.set_inheritable(fd, True)
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    module = "memory_mcp.adapters.mcp_server.supervisor"
    os.execv(sys.executable, [sys.executable, "-m", module, str(read)])


# -- one worker ---------------------------------------------------------------------------------


def new_config(
    settings: Settings,
    host: str,
    port: int,
    allow_hosts: list[str],
    token: str | None,
    sock: socket.socket,
) -> WorkerConfig:
    """The workers' configuration: these settings, a new secret and rate-limit table, the
    port `sock` bound (listen.py), which the workers inherit."""
    sock.set_inheritable(True)
    return WorkerConfig(
        settings=settings.model_dump(mode="json"),
        host=host,
        port=port,
        allow_hosts=allow_hosts,
        token=token,
        secret=secrets.token_hex(32),
        listen_fd=sock.detach(),
        limit_fd=limit_table(),
        log_level=logging.getLogger().getEffectiveLevel(),
    )
