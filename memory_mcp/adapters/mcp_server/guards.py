"""Keeping `serve --http` reachable under floods: bounded connections and sessions.

- A connection gets `read_timeout` seconds to send each request (headers and body); one that
  is silent or trickles is closed (slowloris). Uvicorn itself only times out idle keep-alive
  connections, so a half-open connection would otherwise hold a descriptor forever.
- At most `max_connections` are open (fewer if the process's descriptor limit is lower).
  When a new one arrives at the cap, the connection waiting longest for its client to send a
  request is closed to make room: a flood of half-open connections cannot lock out a client
  that sends its request promptly.
- At most `max_sessions` MCP sessions are kept. A client opening one more ends the least
  recently used session (idle ones first) rather than being refused; that client gets 404
  on its next request and starts a new session, as the MCP spec prescribes.
"""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from mcp.types import UNSUPPORTED_PROTOCOL_VERSION
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS
from starlette.requests import ClientDisconnect
from uvicorn.protocols.http.h11_impl import H11Protocol

from memory_mcp.adapters.mcp_server.refusals import (
    BAD_ID,
    INVALID_REQUEST,
    bears_id,
    error_line,
    number_too_long,
    refusal,
)

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FD_RESERVE = 64  # descriptors kept for the database, model, logs and the listening socket
BACKLOG = 128  # connections the kernel queues for accept(), and asyncio accepts in one go
ACCEPT_BATCHES = 3  # accepted batches that can be open before the cap closes their excess
SESSION_HEADER = b"mcp-session-id"
WARN_EVERY_S = 60.0  # a flood is logged once a minute, not once per connection


def connection_limits(wanted: int) -> tuple[int, int]:
    """(connection cap, listen backlog) that fit the descriptor limit, raising its soft value
    first (up to the hard one). asyncio accepts up to `backlog` connections at a time before
    the cap closes any, so room is kept for a few such batches beyond the cap: the process
    must never run out of descriptors (EMFILE stalls accept() and fails database opens)."""
    need = wanted + FD_RESERVE + ACCEPT_BATCHES * BACKLOG
    try:
        import resource
    except ImportError:  # Windows: no descriptor limit of this kind
        return wanted, BACKLOG
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        raised = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError) as exc:
            logger.info("Could not raise the descriptor limit: %s", exc)
    if soft == resource.RLIM_INFINITY or soft >= need:
        return wanted, BACKLOG
    budget = max(soft - FD_RESERVE, 4)
    backlog = max(budget // (2 * ACCEPT_BATCHES), 1)
    cap = max(budget - ACCEPT_BATCHES * backlog, 1)
    logger.warning(
        "Serving at most %d HTTP connections: the descriptor limit is %d (ulimit -n)", cap, soft
    )
    return min(cap, wanted), backlog


class PlainH11Protocol(H11Protocol):
    """Uvicorn's HTTP/1.1 protocol answering an Upgrade request (h2c, websocket) as plain
    HTTP/1.1, as the protocol allows, without uvicorn's two warnings a request (one advising
    `uvicorn[standard]`) for what this server does not offer on purpose: anyone reaching the
    port (for `memory-mcp ui`, any web page its owner visits) could fill the log. Never a
    websocket, even where a websocket library is installed: the access gate and the UI's
    guard check HTTP requests, and nothing here serves a websocket."""

    def _should_upgrade_to_ws(self) -> bool:
        return False

    def _unsupported_upgrade_warning(self) -> None:
        logger.debug("Answered a request asking to upgrade its protocol over HTTP/1.1")


class GuardedH11Protocol(PlainH11Protocol):
    """Uvicorn's HTTP/1.1 protocol with a read timeout and a connection cap; the limits are
    set on a subclass made by `guarded_protocol`."""

    read_timeout: ClassVar[float] = 10.0
    max_connections: ClassVar[int] = 256
    last_warning: ClassVar[list[float]] = [-WARN_EVERY_S]
    _deadline: asyncio.TimerHandle | None = None
    _waiting_since = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._await_request()
        if len(self.connections) > self.max_connections:
            self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_request()

    def _await_request(self) -> None:
        """Start the clock on the client's next request."""
        if self._deadline is not None:
            self._deadline.cancel()
        self._waiting_since = self.loop.time()
        self._deadline = self.loop.call_later(self.read_timeout, self._on_deadline)

    def waiting(self) -> bool:
        """Whether the client owes us (part of) a request: none started, or its body
        unfinished, or the previous response is sent and the next request not begun."""
        cycle = self.cycle
        return cycle is None or cycle.response_complete or cycle.more_body

    def _on_deadline(self) -> None:
        self._deadline = None
        if self.waiting() and not self.transport.is_closing():
            logger.debug("Closing a connection that sent no complete request in time")
            self.transport.close()

    def _make_room(self) -> None:
        others = [
            c
            for c in self.connections
            if isinstance(c, GuardedH11Protocol)
            and c is not self
            and c.waiting()
            and not c.transport.is_closing()  # closed, but its connection_lost is pending
        ]
        victim = min(others, key=lambda c: c._waiting_since, default=self)
        victim.transport.close()
        if self.loop.time() - self.last_warning[0] >= WARN_EVERY_S:
            self.last_warning[0] = self.loop.time()
            logger.warning(
                "%d HTTP connections open (MEMORY_MCP_HTTP_MAX_CONNECTIONS): closing those "
                "waiting longest for a request",
                self.max_connections,
            )


def guarded_protocol(read_timeout: float, max_connections: int) -> type[GuardedH11Protocol]:
    """The protocol class uvicorn should use (its `http=`), with these limits."""
    limits = {"read_timeout": read_timeout, "max_connections": max_connections,
              "last_warning": [-WARN_EVERY_S]}  # fmt: skip
    return type("GuardedH11Protocol", (GuardedH11Protocol,), limits)


@dataclass
class _Use:
    in_flight: int = 0
    last: float = 0.0


class BySession:
    """ASGI middleware in front of the SDK's MCP app that treats a request by the session id
    it bears (`in_session`) or its lack of one (`sessionless`); other traffic passes."""

    app: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = header(scope, SESSION_HEADER)
        if given is None:
            await self.sessionless(scope, receive, send)
        else:
            await self.in_session(given, scope, receive, send)

    async def sessionless(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    async def in_session(self, given: str, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class SessionLimit(BySession):
    """ASGI middleware in front of the SDK's session manager: keeps at most `limit` MCP
    sessions by ending the least recently used (with an HTTP DELETE, the way a client ends
    its own) whenever a new one has just opened past the limit."""

    def __init__(self, app: ASGIApp, limit: int, idle_timeout: float) -> None:
        self.app = app
        self.limit = limit
        self.idle_timeout = idle_timeout
        self._sessions: dict[str, _Use] = {}
        self._warned = -WARN_EVERY_S

    async def sessionless(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._maybe_open(scope, receive, send)

    async def in_session(self, given: str, scope: Scope, receive: Receive, send: Send) -> None:
        use = self._sessions.get(given)
        if use is None:  # unknown or ended: the SDK answers 404
            await self.app(scope, receive, send)
            return
        use.in_flight += 1
        use.last = time.monotonic()
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            use.in_flight -= 1
            use.last = time.monotonic()
            ended = scope.get("method") == "DELETE" and status[:1] == [200]
            if ended or status[:1] == [404]:  # the client ended it, or the SDK expired it
                self._sessions.pop(given, None)

    async def _maybe_open(self, scope: Scope, receive: Receive, send: Send) -> None:
        opened: list[str] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                new = header(message, SESSION_HEADER)
                if new is not None and new not in self._sessions:
                    self._sessions[new] = _Use(last=time.monotonic())
                    opened.append(new)
            await send(message)

        await self.app(scope, receive, watch)
        if opened:
            await self._trim(scope, keep=opened[0])

    async def _trim(self, scope: Scope, keep: str) -> None:
        now = time.monotonic()
        for sid, use in list(self._sessions.items()):
            if not use.in_flight and now - use.last > self.idle_timeout:
                self._sessions.pop(sid, None)  # the SDK has ended it by now
        while len(self._sessions) > self.limit:
            candidates = [(u.in_flight > 0, u.last, s) for s, u in self._sessions.items()]
            _, _, victim = min(c for c in candidates if c[2] != keep)
            del self._sessions[victim]
            if now - self._warned >= WARN_EVERY_S:
                self._warned = now
                logger.warning(
                    "%d MCP sessions open (MEMORY_MCP_HTTP_MAX_SESSIONS): ending the least "
                    "recently used for each new one",
                    self.limit,
                )
            await self._end(scope, victim)

    async def _end(self, scope: Scope, session_id: str) -> None:
        """DELETE `session_id` through the SDK, as its client would."""
        skip = (SESSION_HEADER, b"content-length", b"content-type", b"mcp-protocol-version")
        headers = [(k, v) for k, v in scope["headers"] if k not in skip]
        headers.append((SESSION_HEADER, session_id.encode("latin-1")))
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def discard(_: Message) -> None:
            pass

        await self.app(dict(scope, method="DELETE", headers=headers), receive, discard)


def origins(hosts: list[str]) -> list[str]:
    """The Origin values of a page served from one of `hosts` (Host header values)."""
    return [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]


def header(holder: Scope | Message, name: bytes) -> str | None:
    for key, value in cast(list[tuple[bytes, bytes]], holder.get("headers") or []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class JsonTooLarge:
    """The SDK refuses a body over its limit with a plain-text 413, which MCP clients can
    only report as "Server returned an error response": the same 413 as a JSON-RPC error
    (which the SDK's client and the Inspector show) saying what the limit is and what to do."""

    def __init__(self, app: ASGIApp, message: str) -> None:
        self.app = app
        body = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": message}}
        self.body = json.dumps(body).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def relay(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                replaced = True
                headers = [(b"content-type", b"application/json"),
                           (b"content-length", str(len(self.body)).encode())]  # fmt: skip
                await send({"type": "http.response.start", "status": 413, "headers": headers})
                await send({"type": "http.response.body", "body": self.body})
            elif not replaced:  # the SDK's text body is dropped
                await send(message)

        await self.app(scope, receive, relay)


class SdkRefusals:
    """What the SDK does with a POSTed body it cannot take as a message, made JSON-RPC's
    answer (refusals.py), as stdio gives it: a batch or an invalid request got 400 with
    pydantic's report under -32602 (Invalid params) rather than -32600 (Invalid Request); a
    request whose id is null, a fraction or a boolean was taken for a notification and got
    202 Accepted, and never an answer. The request body is kept (the SDK reads it whole
    anyway) and looked at only when one of those two replies starts.

    An `MCP-Protocol-Version` header naming no version this server speaks got the right
    400, but the SDK's words were about something else (a missing `params._meta` envelope,
    or a header that does not match it): the answer names the versions it supports."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        body: list[bytes] = []
        held: list[Message] = []  # a 202 or 400 reply's start, until its body shows which
        asked = next((v for k, v in scope["headers"] if k == _VERSION_HEADER), None)
        unknown = None if asked is None or asked in _VERSIONS else asked.decode("latin-1")

        async def tee() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.append(message.get("body", b""))
            return message

        async def relay(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (202, 400):
                held.append(message)
                return
            answer = None
            if held and message["type"] == "http.response.body" and not message.get("more_body"):
                reply = message.get("body", b"")
                answer = (
                    _unsupported(unknown, reply)
                    if unknown is not None and held[0]["status"] == 400
                    else _refusal(held[0]["status"], b"".join(body), reply)
                )
            if answer is not None:
                kept = [(k, v) for k, v in held[0].get("headers", []) if k.lower() not in _BODY]
                headers = [*kept, (b"content-type", b"application/json"),
                           (b"content-length", str(len(answer)).encode())]  # fmt: skip
                await send({"type": "http.response.start", "status": 400, "headers": headers})
                await send({"type": "http.response.body", "body": answer})
            else:
                for start in held:
                    await send(start)
                await send(message)
            held.clear()

        await self.app(scope, tee, relay)


_BODY = (b"content-type", b"content-length")
_VERSION_HEADER = b"mcp-protocol-version"
_VERSIONS = {v.encode() for v in (*HANDSHAKE_PROTOCOL_VERSIONS, *MODERN_PROTOCOL_VERSIONS)}


def _unsupported(asked: str, reply: bytes) -> bytes:
    """The 400 for a protocol version this server does not speak, with the request's id
    (from the SDK's reply) and the versions it does, as the 2026-07-28 error's data."""
    try:
        message_id = json.loads(reply).get("id")
    except (ValueError, AttributeError):
        message_id = None
    handshake, modern = ", ".join(HANDSHAKE_PROTOCOL_VERSIONS), ", ".join(MODERN_PROTOCOL_VERSIONS)
    shown = asked if len(asked) <= 40 else asked[:39] + "…"
    text = (
        f"Unsupported MCP-Protocol-Version {shown!r}: this server speaks {handshake} (after "
        f"initialize) and {modern} (no initialize: each request carries its _meta). Send one "
        "of these, or no MCP-Protocol-Version header on initialize."
    )
    data = {"supported": [*HANDSHAKE_PROTOCOL_VERSIONS, *MODERN_PROTOCOL_VERSIONS],
            "requested": asked}  # fmt: skip
    error = {"code": UNSUPPORTED_PROTOCOL_VERSION, "message": text, "data": data}
    return json.dumps({"jsonrpc": "2.0", "id": message_id, "error": error}).encode()


def _refusal(status: int, request: bytes, reply: bytes) -> bytes | None:
    """JSON-RPC's error for a request the SDK refused (400) or took for a notification (202)
    although it is neither, or None to keep the SDK's reply."""
    text = request.decode("utf-8", "replace")
    if status == 202:
        answer = error_line(None, INVALID_REQUEST, BAD_ID) if bears_id(text) else None
    elif b'"Validation error: ' in reply or b"recursion limit exceeded" in reply:
        answer = refusal(text, too_deep=b"recursion limit exceeded" in reply)
    elif b'"Parse error: ' in reply:  # valid JSON the SDK's parser could not read?
        answer = number_too_long(text)
    else:
        return None
    return None if answer is None else answer.encode()


class ClientGone(logging.Filter):
    """The SDK logs a client that disconnects before its request body is read (a killed
    client, a timeout, a flood) as an ERROR with a traceback; nothing was done and nothing
    is wrong here, so it is one INFO line (a filter on the SDK's `streamable_http` logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], ClientDisconnect):
            record.msg, record.args = "A client disconnected before its request was read", ()
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def quiet_client_disconnects() -> None:
    """Install ClientGone once on the SDK's HTTP transport logger."""
    sdk = logging.getLogger("mcp.server.streamable_http")
    if not any(isinstance(f, ClientGone) for f in sdk.filters):
        sdk.addFilter(ClientGone())
