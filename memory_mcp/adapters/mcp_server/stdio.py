"""The stdio transport: MCP messages as lines on stdin and stdout, read and written by the
event loop itself rather than by worker threads.

The SDK's transport (`mcp.server.stdio.stdio_server`) wraps the standard streams with
`anyio.wrap_file`: every line read, every write and every flush is a hop to a worker thread
and back. When stdin and stdout are pipes or sockets (how MCP clients start a server), the
loop waits for them here instead (`add_reader`/`add_writer` on non-blocking private
duplicates) and the SDK's transport only parses and serialises (`stdio_server(stdin=...,
stdout=...)`), so messages and invalid lines (handed to the server as an exception, which
logs it and serves on) behave as with the SDK's own streams. End of input, on either
transport, ends the read stream only once every request read is answered (drain.py).
Anything else (Windows, a file or a terminal, a loop other than asyncio) is served by the
SDK's transport unchanged: a terminal's open file is the shell's too, and must not turn
non-blocking.

While serving, fd 0 reads /dev/null and fd 1 writes to stderr, so a stray print or a child
process never writes on the wire; both point back at the wire on exit, as with the SDK, and
the wire's O_NONBLOCK is cleared on every exit (restore_blocking).
"""

import asyncio
import logging
import os
import re
import stat
import sys
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager, suppress
from typing import Any, TextIO

import anyio
from mcp import types
from mcp.server import MCPServer
from mcp.server._otel import OpenTelemetryMiddleware
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from opentelemetry import trace

from memory_mcp.adapters.mcp_server.drain import CountingWriter, DrainingReader, Replies
from memory_mcp.adapters.mcp_server.refusals import (
    BAD_ID,
    INVALID_REQUEST,
    bears_id,
    error_line,
    nested_too_deep,
    refusal,
)

if sys.platform != "win32":  # pragma: no branch
    import fcntl

logger = logging.getLogger(__name__)

READ_CHUNK = 256 * 1024  # as asyncio's pipe transports; a pipe gives at most what it holds
# JSON escapes, left to right (so `\\` is one escape and never starts another): a
# surrogate pair (an emoji as ASCII-only JSON writes it), a lone half of one, anything else.
_ESCAPES = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|(\\u[dD][89a-fA-F][0-9a-fA-F]{2})|\\."
)
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


async def run_stdio(server: MCPServer[Any], replies: Replies | None = None) -> None:
    """`server.run_stdio_async()`, with the loop-driven streams where the platform allows.
    `replies`: what was read and answered, for a graceful stop (drain.py)."""
    replies = replies or Replies()
    lowlevel: Any = getattr(server, "_lowlevel_server", None)  # as run_stdio_async uses it
    wire = None if lowlevel is None else _claim_wire()
    if wire is None:
        if lowlevel is None:
            await server.run_stdio_async()
            return
        async with stdio_server() as (read_stream, write_stream):  # as run_stdio_async
            options = lowlevel.create_initialization_options()
            draining = DrainingReader(read_stream, replies, write_stream)
            await lowlevel.run(draining, CountingWriter(write_stream, replies), options)
        return
    untraced(lowlevel)
    with wire as (reader, writer):
        async with message_streams(reader, writer, replies) as (read_stream, write_stream):
            options = lowlevel.create_initialization_options()
            await lowlevel.run(read_stream, write_stream, options)


def untraced(lowlevel: Any) -> None:
    """Without an OpenTelemetry tracer provider (none is installed unless the server runs
    under an OpenTelemetry launcher, which installs it first), the SDK's tracing middleware
    makes a span per request that nothing records, at ~20-60 us a request (its attributes,
    the context attached and detached): the SDK lets a server leave it out."""
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        lowlevel.middleware[:] = [
            m for m in lowlevel.middleware if not isinstance(m, OpenTelemetryMiddleware)
        ]


@asynccontextmanager
async def message_streams(
    reader: "LineReader", writer: "LineWriter", replies: Replies | None = None
) -> AsyncIterator[tuple["WireIn", "WireOut"]]:
    """The SDK's `stdio_server(stdin=reader, stdout=writer)`, as streams that read, parse and
    write in the task that asks: no reader and writer tasks handing each message over a
    memory stream (two task switches a call). A line that is not a JSON-RPC message is
    answered with JSON-RPC's error (`refusal`) rather than handed to the server, which only
    logs it: the client would wait for a reply until its timeout."""
    replies = replies or Replies()  # drain.py: every request read is answered before the end
    out = WireOut(writer, replies)
    async with WireIn(reader, out, replies) as wire_in, out:
        yield wire_in, out


class WireOut:
    """The server's write stream: `send` writes the message's line on the wire, one line at a
    time, so replies and refusals never interleave. A line begun is finished even if its
    request is cancelled meanwhile (a cut line would garble the next message), as with the
    SDK's transport, whose writes are threads no cancellation stops."""

    def __init__(self, writer: "LineWriter", replies: Replies) -> None:
        self._writer = writer
        self._lock = anyio.Lock(fast_acquire=True)  # free: taken without a loop pass
        self._closed = False
        self._replies = replies

    async def send(self, item: SessionMessage, /) -> None:
        if self._closed:
            raise anyio.ClosedResourceError
        try:
            await self.write_line(item.message.model_dump_json(by_alias=True, exclude_unset=True))
        finally:  # written, or never to be: a client that reads no more is not waited for
            self._replies.written(item.message)

    async def write_line(self, text: str) -> None:
        async with self._lock:  # a request cancelled while it waits for the wire sends nothing
            try:
                rest = self._writer.write_now(text + "\n")  # usually all: no await
                if rest:  # the client reads slowly: the rest as the pipe drains
                    with anyio.CancelScope(shield=True):
                        await self._writer.write(rest)
            except OSError as exc:  # the client closed its end: the SDK drops the reply
                raise anyio.BrokenResourceError from exc

    async def aclose(self) -> None:
        self._closed = True

    async def __aenter__(self) -> "WireOut":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class WireIn:
    """The server's read stream: `receive` reads the wire's next line and parses it. The SDK
    reads it from one task at a time (its relay, then its dispatcher's loop)."""

    last_context = None  # no sender's context to hand on (the SDK then copies its own)

    def __init__(self, reader: "LineReader", out: WireOut, replies: Replies) -> None:
        self._reader = reader
        self._out = out
        self._closed = False
        self._replies = replies

    async def receive(self) -> SessionMessage:
        while True:
            if self._closed:
                raise anyio.ClosedResourceError
            try:
                line = await anext(self._reader)
            except StopAsyncIteration:
                return await self._replies.after_end()  # stdin ended: finish what was read
            try:
                message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
            except Exception as exc:
                await self._refuse(refusal(line, too_deep=nested_too_deep(exc)))
                continue
            if isinstance(message, types.JSONRPCNotification) and bears_id(line):
                await self._refuse(error_line(None, INVALID_REQUEST, BAD_ID))
                continue
            if self._replies.stopping is not None and (no := self._replies.refused(message)):
                await self._refuse(no.model_dump_json(by_alias=True, exclude_unset=True))
                continue
            return self._replies.read(message)

    async def _refuse(self, answer: str | None) -> None:
        """Answer a line that is no message; a client that reads no more gets nothing (as the
        SDK drops a reply it cannot send), and serving goes on until stdin closes."""
        if answer is not None:
            with suppress(anyio.BrokenResourceError):
                await self._out.write_line(answer)

    def __aiter__(self) -> "WireIn":
        return self

    async def __anext__(self) -> SessionMessage:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        self._closed = True

    async def __aenter__(self) -> "WireIn":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class LineReader:
    """`async for line in reader`: the lines of a non-blocking fd as text (UTF-8, undecodable
    bytes replaced), each with its newline, a last one without; read only when the loop
    reports the fd readable, and only when every line read so far has been taken."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lines: deque[str] = deque()
        self._partial: list[bytes] = []  # a line's start, over as many reads as it takes
        self._eof = False
        self._waiter: asyncio.Future[None] | None = None
        self._watching: asyncio.AbstractEventLoop | None = None  # the loop watching the fd
        self._unwaited = False  # the fd was reported readable while nobody waited

    def __aiter__(self) -> "LineReader":
        return self

    async def __anext__(self) -> str:
        while not self._lines:
            if self._eof:  # WireIn then waits for every reply (drain.py)
                raise StopAsyncIteration
            self._take(await self._read())
        return self._lines.popleft()

    async def _read(self) -> bytes:
        while True:
            try:
                return os.read(self._fd, READ_CHUNK)
            except BlockingIOError:
                await self._readable()

    async def _readable(self) -> None:
        """Wait until the fd is readable. The loop keeps watching it from one wait to the
        next (a client's next request usually comes while we wait for it), rather than an
        add_reader and a remove_reader per message."""
        loop = asyncio.get_running_loop()
        self._waiter = loop.create_future()
        if self._watching is None:
            loop.add_reader(self._fd, self._wake)
            self._watching = loop
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        if self._waiter is not None:
            if not self._waiter.done():
                self._waiter.set_result(None)
            self._unwaited = False
        elif self._unwaited:  # twice with nobody waiting: stop watching, or it fires each pass
            self.close()
        else:  # once may be the report of the line just read, made before the read
            self._unwaited = True

    def close(self) -> None:
        """Stop watching the fd (before it is closed)."""
        if self._watching is not None:
            self._watching.remove_reader(self._fd)
            self._watching = None
            self._unwaited = False

    def _take(self, data: bytes) -> None:
        if not data:
            self._eof = True
            if self._partial:
                self._lines.append(self._line(b""))
            return
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            self._lines.append(self._line(data[start : end + 1]))
            start = end + 1
        if start < len(data):
            self._partial.append(data[start:])

    def _line(self, tail: bytes) -> str:
        if self._partial:  # joined once: a message of many MB costs one copy, not one per read
            tail = b"".join([*self._partial, tail])
            self._partial.clear()
        # a newline never splits a UTF-8 character
        return lone_surrogates_replaced(tail.decode("utf-8", "replace"))


def lone_surrogates_replaced(line: str) -> str:
    """`line` with every JSON escape of a lone UTF-16 surrogate (half an emoji, cut by a
    client: JavaScript's JSON.stringify writes one as `\\ud83d`) made U+FFFD, as invalid
    UTF-8 bytes are. The SDK's parser refuses such a line whole, and a request refused on
    stdio is never answered: the client waits until it times out."""
    if not _SURROGATE.search(line):
        return line
    return _ESCAPES.sub(lambda m: "\\ufffd" if m.group(1) else m.group(0), line)


class LineWriter:
    """`writer.write_now(text)` puts in the pipe what it takes at once and returns the rest;
    `await writer.write(rest)` returns once every byte is in, waiting for the loop to report
    the pipe writable while the reader is slow. Callers keep the order (WireOut's lock)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def write_now(self, text: str) -> memoryview:
        return self._written(memoryview(text.encode("utf-8")))

    async def write(self, rest: memoryview) -> None:
        while rest:
            await _ready(self._fd, "writer")
            rest = self._written(rest)

    def _written(self, data: memoryview) -> memoryview:
        try:
            return data[os.write(self._fd, data) :]
        except BlockingIOError:
            return data


async def _ready(fd: int, which: str) -> None:
    """Wait until the loop reports `fd` readable ("reader") or writable ("writer")."""
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()
    getattr(loop, f"add_{which}")(fd, _wake, waiter)
    try:
        await waiter
    finally:
        getattr(loop, f"remove_{which}")(fd)


def _wake(waiter: "asyncio.Future[None]") -> None:
    if not waiter.done():
        waiter.set_result(None)


def _claim_wire() -> AbstractContextManager[tuple[LineReader, LineWriter]] | None:
    """fd 0 and 1 diverted (/dev/null, stderr) and the wire on private non-blocking
    duplicates, as a context manager yielding (reader, writer) and restoring everything on
    exit; None (serve with the SDK's transport) where the loop cannot drive the wire."""
    if sys.platform == "win32" or not _loop_drives_fds():
        return None
    if not (_backed_by(sys.stdin, 0) and _backed_by(sys.stdout, 1)) or not _pipes_apart():
        return None
    private: list[int] = []
    try:
        for fd in (0, 1):
            private.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3))
        _divert(0, lambda: os.open(os.devnull, os.O_RDONLY))
        try:
            _divert(1, lambda: os.dup(2))
        except OSError:
            os.dup2(private[0], 0)
            raise
    except OSError:
        for fd in private:
            os.close(fd)
        return None
    return _serving(private[0], private[1])


@contextmanager
def _serving(wire_in: int, wire_out: int) -> Iterator[tuple[LineReader, LineWriter]]:
    _blocking.update({fd: fcntl.fcntl(fd, fcntl.F_GETFL) for fd in (wire_in, wire_out)})
    reader = LineReader(wire_in)
    try:
        for fd, was in _blocking.items():
            fcntl.fcntl(fd, fcntl.F_SETFL, was | os.O_NONBLOCK)
        yield reader, LineWriter(wire_out)
    finally:
        reader.close()
        restore_blocking()
        with suppress(Exception):  # a stray print still buffered goes to stderr, not the wire
            sys.stdout.flush()
        for private, fd in ((wire_out, 1), (wire_in, 0)):
            with suppress(OSError):
                os.dup2(private, fd)
            os.close(private)


# The wire's file flags before serving: O_NONBLOCK belongs to the open file, which whoever
# started the server may share (a shell running it and then more commands), so it is put
# back on every way out, os._exit included (stopping.stop_process calls restore_blocking).
_blocking: dict[int, int] = {}


def restore_blocking() -> None:
    """Put the wire's file flags back as they were before serving (idempotent)."""
    while _blocking:
        fd, was = _blocking.popitem()
        with suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETFL, was)


def _divert(fd: int, open_diversion: Callable[[], int]) -> None:
    diversion = open_diversion()
    try:
        os.dup2(diversion, fd)
    finally:
        os.close(diversion)


def _loop_drives_fds() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # not asyncio (trio)
        return False
    return True


def _backed_by(stream: TextIO | None, fd: int) -> bool:
    try:
        return stream is not None and stream.buffer.fileno() == fd
    except (AttributeError, OSError, ValueError):
        return False


def _pipes_apart() -> bool:
    """stdin and stdout are pipes or sockets, and stdout is not stderr's pipe: O_NONBLOCK
    belongs to the open file, which a shared stderr would get too (and lose log lines)."""
    try:
        found = [os.fstat(fd) for fd in (0, 1)]
        err = os.fstat(2)
    except OSError:
        return False
    if not all(stat.S_ISFIFO(s.st_mode) or stat.S_ISSOCK(s.st_mode) for s in found):
        return False
    return (found[1].st_dev, found[1].st_ino) != (err.st_dev, err.st_ino)
