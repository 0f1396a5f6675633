"""`serve --http --workers N`: N server processes answering on one address, so that requests
use several cores (one process cannot: most of a request's time is Python, under one GIL).

The parent opens the database once (an upgrade of its schema happens there, not raced by N
processes), resolves the owner's token (a generated one is written once), binds the port,
makes the secret and the rate-limit table the workers share (shared.py), and starts the
workers (worker.py), each reading its settings from a pipe and accepting connections on the
inherited socket, with its own MemoryService (its own model and vector copy) on the same
database. It then watches them: a worker that ends
unexpectedly is reported and started again (a worker that keeps ending stops the server,
exit 1); SIGINT/SIGTERM is passed to every worker, which finishes its requests and closes
the database; the parent ends with 130/143 once they have. A worker whose parent is gone
(its pipe closed) stops the same way, so none is left behind.
"""

import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any, NoReturn

from memory_mcp import __version__
from memory_mcp.adapters.mcp_server.guards import BACKLOG
from memory_mcp.adapters.mcp_server.server import (
    STOP_SIGNALS,
    stop_process,
)
from memory_mcp.adapters.mcp_server.shared import limit_table
from memory_mcp.config import HttpWorkers, Settings
from memory_mcp.errors import InvalidInput

logger = logging.getLogger(__name__)

STOP_TIMEOUT_S = 10.0  # a worker still running this long after the signal is killed
WATCH_EVERY_S = 0.2
RESTARTS = 5  # a worker ending more often than this within RESTART_WINDOW_S stops the server
RESTART_WINDOW_S = 60.0
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


def listening_socket(host: str, port: int) -> socket.socket:
    """The port, bound once by the parent (as uvicorn binds it); the workers inherit it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise InvalidInput(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from exc
    sock.set_inheritable(True)
    return sock


def supervise(config: WorkerConfig, count: int, auth: str) -> NoReturn:
    """Start `count` workers, watch them, stop them on SIGINT/SIGTERM; ends the process."""
    pool = _Pool(config, count)
    for i in range(count):
        pool.start(i)
    logger.warning(
        "memory-mcp %s on http://%s:%d/mcp (%s), %d worker processes",
        __version__, config.host, config.port, auth, count,
    )  # fmt: skip
    stop_process([], pool.watch())


class _Pool:
    def __init__(self, config: WorkerConfig, count: int) -> None:
        self.config = config
        self.procs: list[subprocess.Popen[bytes]] = []
        self.ended: list[float] = []
        self.stopping: list[int] = []
        self.count = count

    def start(self, index: int) -> None:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp.adapters.mcp_server.worker"],
            stdin=subprocess.PIPE,
            pass_fds=(self.config.listen_fd, self.config.limit_fd),
            process_group=0,  # Ctrl-C reaches the parent only; it passes the signal on once
        )
        assert proc.stdin is not None
        config = dict(asdict(self.config), index=index)
        proc.stdin.write(json.dumps(config).encode() + b"\n")
        proc.stdin.flush()  # kept open: the worker stops when it closes (the parent is gone)
        if index < len(self.procs):
            self.procs[index] = proc
        else:
            self.procs.append(proc)

    def watch(self) -> int:
        """Until a stop signal (then the exit code for it) or too many crashes (1)."""

        def on_signal(signum: int, _frame: object) -> None:
            self.stopping.append(signum)

        for signum in STOP_SIGNALS:
            signal.signal(signum, on_signal)
        while not self.stopping:
            for index, proc in enumerate(self.procs):
                code = proc.poll()
                if code is not None and not self.stopping and not self._restart(index, code):
                    self.stop(signal.SIGTERM)
                    return 1
            time.sleep(WATCH_EVERY_S)
        first = self.stopping[0]
        logger.info("Stopping %d workers (%s)", self.count, signal.Signals(first).name)
        self.stop(first)
        return 128 + first

    def _restart(self, index: int, code: int) -> bool:
        now = time.monotonic()
        self.ended = [t for t in self.ended if now - t < RESTART_WINDOW_S] + [now]
        if len(self.ended) > RESTARTS:
            logger.error(
                "Worker %d ended (exit code %s); workers ended %d times within %.0f s: stopping",
                index, code, len(self.ended), RESTART_WINDOW_S,
            )  # fmt: skip
            return False
        logger.warning("Worker %d ended (exit code %s): starting it again", index, code)
        self.start(index)
        return True

    def stop(self, signum: int) -> None:
        """Pass `signum` to every worker and wait for them; a second signal, or a worker
        still running after STOP_TIMEOUT_S, kills them."""

        def kill_all(received: int, _frame: object) -> None:
            for proc in self.procs:
                proc.kill()
            os._exit(128 + received)

        for again in STOP_SIGNALS:
            signal.signal(again, kill_all)
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signum)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for proc in self.procs:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                logger.warning("Worker pid %d did not stop in time: killing it", proc.pid)
                proc.kill()
                proc.wait()


# -- one worker ---------------------------------------------------------------------------------


def new_config(
    settings: Settings, host: str, port: int, allow_hosts: list[str], token: str | None
) -> WorkerConfig:
    """The workers' configuration: these settings, a new secret and rate-limit table, the
    port bound (raises InvalidInput if it cannot be)."""
    sock = listening_socket(host, port)
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
