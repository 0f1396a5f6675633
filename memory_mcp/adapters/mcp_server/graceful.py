"""`serve --http`'s stop on SIGINT/SIGTERM: stop accepting, let the requests under way be
answered, then return (the caller closes the database and exits 0).

uvicorn's own graceful shutdown waits, with no limit, for every open connection to finish its
response, so a client holding the stream for the server's messages (an MCP GET, which never
ends by itself; the SDK's client opens one) kept a stopped server running until that client
went away, and a second SIGTERM did nothing (only a second SIGINT forced the exit). Here such
event streams are closed at once (they carry no reply to any call), the requests under way get
STOP_GRACE_S to finish, after which the process ends without them (said on stderr), and a
second signal of either kind ends it at once. The signal is not raised again afterwards, as
uvicorn does, so the process exits 0 once every reply is sent.

sse-starlette (the SDK's event streams) ends every event stream of a server that is shutting
down, reply streams included: a call under way whose reply was to come in its stream (a
2025-11-25 session's POST) lost it. Its automatic drain is turned off for this process; the
streams that never end by themselves are the GET streams, closed here.
"""

import asyncio
import logging
import signal
import socket
from types import FrameType

import uvicorn
from sse_starlette.sse import AppStatus

from memory_mcp.adapters.mcp_server.stopping import STOP_GRACE_S, end_now

logger = logging.getLogger("memory_mcp.adapters.mcp_server.http")


class GracefulServer(uvicorn.Server):
    """uvicorn's server, stopping as described above."""

    stop_signal: int | None = None

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        AppStatus.disable_automatic_graceful_drain()  # type: ignore[no-untyped-call]

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        name = signal.Signals(sig).name
        if self.stop_signal is not None:
            logger.warning("Stopping at once (a second signal, %s)", name)
            end_now(128 + sig)
        self.stop_signal = sig
        logger.info(
            "Stopping (%s): answering the requests under way first, for at most %.0f s; a "
            "second signal stops at once", name, STOP_GRACE_S,
        )  # fmt: skip
        self.should_exit = True  # not super(): it would raise the signal again at the end

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for connection in list(self.server_state.connections):
            if _event_stream(connection):
                connection.transport.close()
        try:
            await asyncio.wait_for(super().shutdown(sockets), STOP_GRACE_S)
        except TimeoutError:
            sig = self.stop_signal or signal.SIGTERM
            logger.warning(
                "%d request(s) still unanswered %.0f s after %s: stopping without their "
                "replies (a write not committed by now is rolled back)",
                len(self.server_state.tasks), STOP_GRACE_S, signal.Signals(sig).name,
            )  # fmt: skip
            end_now(128 + sig)


def _event_stream(connection: object) -> bool:
    """Whether `connection` is serving a GET for an event stream (the MCP stream a client
    opens for the server's own messages): it only ends when the client goes."""
    cycle = getattr(connection, "cycle", None)
    if cycle is None or cycle.response_complete:
        return False
    scope = cycle.scope
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    return bool(scope.get("method") == "GET" and b"text/event-stream" in accept)
