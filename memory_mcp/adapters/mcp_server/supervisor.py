"""The parent of `serve --http --workers N` once workers.py has prepared: a lean process
(the standard library and rich's log handler; not the service, the SDK or numpy: ~15 MB
rather than ~90) that starts the workers, watches them and stops them.

    python -m memory_mcp.adapters.mcp_server.supervisor FD    (workers.py execs it; FD: a
    pipe holding the workers' configuration, their count and the line to log)
"""

import json
import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any, NoReturn

from memory_mcp.adapters.logs import stderr_handler

logger = logging.getLogger("memory_mcp.adapters.mcp_server.workers")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # as server.py's
# A worker still running this long after the signal is killed: a worker gives the requests
# under way 10 s (stopping.STOP_GRACE_S, not imported: it brings the SDK) and then ends itself.
STOP_TIMEOUT_S = 15.0
WATCH_EVERY_S = 0.2
RESTARTS = 5  # a worker ending more often than this within RESTART_WINDOW_S stops the server
RESTART_WINDOW_S = 60.0


class Pool:
    def __init__(self, config: dict[str, Any], count: int) -> None:
        self.config = config
        self.procs: list[subprocess.Popen[bytes]] = []
        self.ended: list[float] = []
        self.stopping: list[int] = []
        self.count = count

    def start(self, index: int) -> None:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp.adapters.mcp_server.worker"],
            stdin=subprocess.PIPE,
            pass_fds=(self.config["listen_fd"], self.config["limit_fd"]),
            process_group=0,  # Ctrl-C reaches the parent only; it passes the signal on once
        )
        assert proc.stdin is not None
        config = dict(self.config, index=index)
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
        return 0 if self.stop(first) else 128 + first

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

    def stop(self, signum: int) -> bool:
        """Pass `signum` to every worker and wait for them; a second signal, or a worker
        still running after STOP_TIMEOUT_S, kills them. Whether every worker stopped cleanly
        (exit 0: its requests answered, its database closed)."""

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
        return all(proc.returncode == 0 for proc in self.procs)


def main() -> NoReturn:
    for signum in STOP_SIGNALS:  # until the workers are watched: end at once
        signal.signal(signum, lambda received, _frame: os._exit(128 + received))
    with os.fdopen(int(sys.argv[1]), "rb") as pipe:
        job = json.loads(pipe.read())
    _configure_logging(job["config"]["log_level"])
    pool = Pool(job["config"], job["count"])
    for index in range(job["count"]):
        pool.start(index)
    logger.info("%s", job["banner"])
    code = pool.watch()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def _configure_logging(level: int) -> None:
    logging.basicConfig(level=level, handlers=[stderr_handler()], force=True)


if __name__ == "__main__":
    main()
