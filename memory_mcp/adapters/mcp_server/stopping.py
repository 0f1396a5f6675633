"""How the servers stop: stdio's graceful stop on a signal, and the process's end.

Every server ends with os._exit once the database is closed and output flushed, never in
interpreter shutdown, which stops daemon threads by unwinding them wherever they are: one
inside onnxruntime's C++ model loading dies with "terminate called without an active
exception" (SIGABRT).
"""

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import anyio
from mcp.server import MCPServer

from memory_mcp.adapters.mcp_server.drain import Replies
from memory_mcp.adapters.mcp_server.stdio import restore_blocking, run_stdio

if TYPE_CHECKING:
    from memory_mcp.service import MemoryService

logger = logging.getLogger("memory_mcp.adapters.mcp_server.server")


def exit_at_once(signum: int, _frame: object) -> None:
    """A signal while starting, or a second one while stopping: end now. Nothing is lost:
    every write is one transaction, and an interrupted migration finishes on the next start."""
    os._exit(128 + signum)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_WAIT_S = 1.0  # for a model load about to finish; clients signal after ~2 s of waiting
STOP_GRACE_S = 10.0  # after a stop signal, for the requests under way to be answered


async def serve_until_signal(server: MCPServer[Any], stop: Callable[[int], None]) -> None:
    """Serve stdio (stdio.py) until stdin ends or a stop signal has been dealt with: the first
    SIGINT/SIGTERM stops reading new requests (each is refused, drain.py), lets the requests
    read be answered, then calls `stop(0)` (which ends the process); if they are not answered
    within STOP_GRACE_S the process ends without them. A second signal ends it at once."""
    if sys.platform == "win32":  # pragma: no cover - no signal receiver; Ctrl-C raises
        await run_stdio(server)
        return
    replies = Replies()
    async with anyio.create_task_group() as tg:

        async def finish(signum: int) -> None:
            with anyio.move_on_after(STOP_GRACE_S):
                await replies.drained()
                stop(0)
            logger.warning(
                "%d request(s) still unanswered %.0f s after %s: stopping without their "
                "replies (a write not committed by now is rolled back)",
                replies.unanswered, STOP_GRACE_S, signal.Signals(signum).name,
            )  # fmt: skip
            end_now(128 + signum)

        async def watch() -> None:
            with anyio.open_signal_receiver(*STOP_SIGNALS) as received:
                async for signum in received:
                    name = signal.Signals(signum).name
                    if replies.stopping is not None:
                        logger.warning("Stopping at once (a second signal, %s)", name)
                        end_now(128 + signum)
                    logger.info(
                        "Stopping (%s): answering the %d request(s) under way first, for at "
                        "most %.0f s; a second signal stops at once",
                        name, replies.unanswered, STOP_GRACE_S,
                    )  # fmt: skip
                    replies.stop(name)
                    tg.start_soon(finish, signum)

        tg.start_soon(watch)
        await run_stdio(server, replies)
        tg.cancel_scope.cancel()


def end_now(code: int) -> NoReturn:
    """End the process with `code` without closing the database (a call may be using it):
    every write is one transaction, so one not committed is rolled back on the next open."""
    restore_blocking()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def stop_process(opened: list["MemoryService"], code: int) -> NoReturn:
    """Stop background work, close the database, flush, and end the process with `code`."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, exit_at_once)
    restore_blocking()  # the wire as whoever started us had it (os._exit skips stdio's exit)
    for service in opened:
        service.close(wait=STOP_WAIT_S)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
