"""End of input on stdio: the server answers every request it has read, then stops.

The SDK's dispatcher treats the end of its read stream as the end of the connection: it
cancels the handlers still running and refuses the requests it has not started ("Connection
closed"), while a tool call already in its worker thread commits anyway, unanswered. A script
that pipes a batch into `memory-mcp serve` and closes stdin (`cat requests.jsonl | memory-mcp
serve`) lost most of its replies. MCP's stdio shutdown has the client close the server's
stdin and wait for it to exit (sending SIGTERM only if it does not), so there is room to
finish: the read stream reports its end only once every request read has been answered.

A stop signal (SIGTERM, SIGINT) ends serving the same way, without waiting for stdin: from
`stop` on, a new request is refused at once (`refused`), while the client's answers and
notifications still go in, so a call waiting on the client's roots gets them; the server
stops once `drained`.

`Replies` counts, per id, the requests read and the replies written (whether or not the
write reached the client: one that stopped reading gets nothing, and is not waited for). A
request the dispatcher settles without a reply (the client cancelled it) is counted through
the SDK's `on_request_unanswered` hook. A handler waiting on the client itself (the server's
own `roots/list`) would wait forever once stdin has ended, so each such request is answered,
on the client's behalf, with "Connection closed", as the SDK answers it when the connection
ends, and the handler goes on without it.
"""

from collections import Counter
from collections.abc import Hashable
from contextlib import suppress
from functools import partial
from typing import Any

import anyio
from mcp import types
from mcp.shared.message import ServerMessageMetadata, SessionMessage

_ENDED = "Connection closed: the client closed the server's stdin"
_STOPPING = (
    "The server is stopping ({}): it answers the requests it had read and takes no new "
    "ones. Start it again (or let the client restart it) and send this request there."
)


class Replies:
    """The requests read and not yet answered, and the server's own requests to the client
    not yet answered; `after_end` is what the read stream gives once stdin has ended."""

    def __init__(self) -> None:
        self._open: Counter[Hashable] = Counter()
        self._asked: dict[Hashable, types.RequestId] = {}
        self._changed = anyio.Event()
        self.stopping: str | None = None  # the stop signal's name, once one arrived

    def stop(self, why: str) -> None:
        """A stop signal (`why`, e.g. SIGTERM): new requests are refused from now on."""
        self.stopping = why
        self._wake()

    @property
    def unanswered(self) -> int:
        """The requests read and not yet answered."""
        return self._open.total()

    async def drained(self) -> None:
        """Return once every request read is answered."""
        while self._open:
            await self._changed.wait()

    def refused(self, message: types.JSONRPCMessage) -> types.JSONRPCError | None:
        """The answer to a request read while stopping (None: not one, let it in)."""
        if self.stopping is None or not isinstance(message, types.JSONRPCRequest):
            return None
        text = _STOPPING.format(self.stopping)
        error = types.ErrorData(code=types.CONNECTION_CLOSED, message=text)
        return types.JSONRPCError(jsonrpc="2.0", id=message.id, error=error)

    def read(self, message: types.JSONRPCMessage) -> SessionMessage:
        """A message read from the client, noted, as the server is to see it."""
        if isinstance(message, types.JSONRPCRequest):
            key = _key(message.id)
            self._open[key] += 1
            settled = ServerMessageMetadata(on_request_unanswered=partial(self._unanswered, key))
            return SessionMessage(message, metadata=settled)
        if isinstance(message, types.JSONRPCResponse | types.JSONRPCError):
            self._asked.pop(_key(message.id), None)
        return SessionMessage(message)

    def written(self, message: types.JSONRPCMessage) -> None:
        """Note a message the server wrote (or tried to: a client that reads no more)."""
        if isinstance(message, types.JSONRPCResponse | types.JSONRPCError):
            if message.id is not None:
                self._settle(_key(message.id))
        elif isinstance(message, types.JSONRPCRequest):
            self._asked[_key(message.id)] = message.id
            self._wake()

    async def after_end(self) -> SessionMessage:
        """Once stdin has ended, what the read stream gives next: the client's answer,
        "Connection closed", to a request the server is waiting on; anyio.EndOfStream once
        every request read is answered."""
        while True:
            if self._asked:
                _, request_id = self._asked.popitem()
                error = types.ErrorData(code=types.CONNECTION_CLOSED, message=_ENDED)
                return SessionMessage(types.JSONRPCError(jsonrpc="2.0", id=request_id, error=error))
            if not self._open:
                raise anyio.EndOfStream
            await self._changed.wait()

    async def _unanswered(self, key: Hashable) -> None:
        self._settle(key)

    def _settle(self, key: Hashable) -> None:
        if self._open[key] > 1:
            self._open[key] -= 1
        else:
            self._open.pop(key, None)
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()


def _key(request_id: types.RequestId | None) -> Hashable:
    """An id as JSON tells it: 1 and "1" are two requests."""
    return (type(request_id).__name__, request_id)


class DrainingReader:
    """A read stream of the SDK's own stdio transport (stdin from a file or a terminal) that
    ends only once every request read from it is answered (`Replies.after_end`)."""

    def __init__(self, inner: Any, replies: Replies, out: Any) -> None:
        self._inner = inner
        self._replies = replies
        self._out = out  # the transport's write stream, for refusals while stopping
        self._ended = False

    async def receive(self) -> SessionMessage | Exception:
        while not self._ended:
            try:
                item = await self._inner.receive()
            except anyio.EndOfStream:
                self._ended = True
                break
            if not isinstance(item, SessionMessage):
                return item  # type: ignore[no-any-return]  # a line that is no message: logged
            refusal = self._replies.refused(item.message)
            if refusal is None:
                return self._replies.read(item.message)
            with suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await self._out.send(SessionMessage(refusal))
        return await self._replies.after_end()

    def __aiter__(self) -> "DrainingReader":
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> "DrainingReader":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class CountingWriter:
    """The SDK transport's write stream, telling `Replies` of every message sent."""

    def __init__(self, inner: Any, replies: Replies) -> None:
        self._inner = inner
        self._replies = replies

    async def send(self, item: SessionMessage, /) -> None:
        try:
            await self._inner.send(item)
        finally:
            self._replies.written(item.message)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> "CountingWriter":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()
