"""What the processes of one `serve --http --workers N` share, so that any of them can answer
any request: a secret, MCP session ids any worker can verify, and the rate limit.

- The secret (random per server run, handed to each worker by the parent over a pipe) signs
  the session ids below and seals the web UI's login cookies (ui/security.py).
- MCP sessions (2025-11-25 and older clients): the SDK runs stateless, so no worker keeps a
  session; `SignedSessions` hands the client a session id that carries what the session
  needs later (the client's name, for the label stored with its writes) and is bound to the
  caller that opened it, signed with the secret. A request may then land on any worker.
  2026-07-28 clients have no sessions at all (each request carries the client's identity).
- `SharedRateLimit`: one token bucket per principal for the whole server, in a small table of
  shared memory (a file mapped by every worker, locked with a POSIX record lock), so N
  workers do not multiply a principal's limit by N.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import mmap
import os
import secrets
import struct
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from memory_mcp.adapters.mcp_server.access import ACCESS_KEY, RateLimit
from memory_mcp.adapters.mcp_server.calls import SESSION_CLIENT
from memory_mcp.adapters.mcp_server.guards import (
    SESSION_HEADER,
    ASGIApp,
    BySession,
    Message,
    Receive,
    Scope,
    Send,
    header,
)

VERSION_HEADER = b"mcp-protocol-version"
MAX_INITIALIZE_BYTES = 64 * 1024  # an initialize request is small; a larger one is not read
MAX_LABEL_CHARS = 200  # the client's name and version, each, as the session id carries them


def derive(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose from the server's secret (HMAC-SHA256 as the derivation)."""
    return hmac.new(secret, f"memory-mcp {purpose}".encode(), hashlib.sha256).digest()


# -- MCP session ids any worker verifies --------------------------------------------------------


class SignedSessions(BySession):
    """ASGI middleware in front of the SDK's stateless streamable-HTTP app.

    An initialize (2025-11-25 and older) answered with success gets an `Mcp-Session-Id`:
    `<payload>.<signature>`, the payload holding the client's declared name and version and a
    random nonce, the signature covering it and the principal that opened it. A request
    bearing an id that does not verify, or that another principal opened, is answered 404 as
    an unknown session is (the client then starts a new one). GET (a stream for messages the
    server starts) is 405: this server starts none, and none could reach a client's stream
    held open by another worker. DELETE is 405 as well: nothing is kept to end."""

    def __init__(self, app: ASGIApp, secret: bytes) -> None:
        self.app = app
        self.key = derive(secret, "session")

    async def sessionless(self, scope: Scope, receive: Receive, send: Send) -> None:
        # 2026-07-28 requests (named in this header) open no session: passed as they are.
        version = header(scope, VERSION_HEADER)
        if scope.get("method") == "POST" and version in (None, *HANDSHAKE_PROTOCOL_VERSIONS):
            await self._maybe_open(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def in_session(self, given: str, scope: Scope, receive: Receive, send: Send) -> None:
        client = self.verify(given, _principal(scope))
        if client is None:
            await _reply(send, 404, "Session not found")
        elif scope.get("method") in ("GET", "DELETE"):
            await _reply(send, 405, "Method Not Allowed", [(b"allow", b"POST")])
        else:
            token = SESSION_CLIENT.set(client)
            try:
                await self.app(scope, receive, send)
            finally:
                SESSION_CLIENT.reset(token)

    def issue(self, client: dict[str, Any], principal: str) -> str:
        body = {"n": str(client.get("name") or "")[:MAX_LABEL_CHARS],
                "v": str(client.get("version") or "")[:MAX_LABEL_CHARS],
                "r": secrets.token_urlsafe(12)}  # fmt: skip
        payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
        return f"{payload}.{self._sign(payload, principal)}"

    def verify(self, session_id: str, principal: str) -> tuple[str, str] | None:
        """(client name, version) of a session id this server issued to `principal`."""
        payload, _, signature = session_id.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(payload, principal).encode()):
            return None
        try:
            body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            return str(body["n"]), str(body["v"])
        except (ValueError, KeyError, TypeError):
            return None

    def _sign(self, payload: str, principal: str) -> str:
        message = f"{principal}\0{payload}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]

    async def _maybe_open(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, keeping a copy of a small body; if it was an initialize on a
        handshake protocol that succeeded, add the session id to the answer."""
        body: list[bytes] = []
        size = 0

        async def keep() -> Message:
            nonlocal size
            message = await receive()
            if message.get("type") == "http.request" and size <= MAX_INITIALIZE_BYTES:
                chunk = message.get("body", b"")
                size += len(chunk)
                body.append(chunk)
            return message

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                client = _initialize_client(b"".join(body) if size <= MAX_INITIALIZE_BYTES else b"")
                if client is not None and header(message, SESSION_HEADER) is None:
                    session_id = self.issue(client, _principal(scope))
                    headers = list(message.get("headers") or [])
                    headers.append((SESSION_HEADER, session_id.encode("latin-1")))
                    message = dict(message, headers=headers)
            await send(message)

        await self.app(scope, keep, answer)


def _initialize_client(body: bytes) -> dict[str, Any] | None:
    """The clientInfo of an initialize request on a handshake protocol version, else None."""
    if b"initialize" not in body:
        return None
    try:
        request = json.loads(body)
    except ValueError:
        return None
    if not isinstance(request, dict) or request.get("method") != "initialize":
        return None
    params = request.get("params")
    if (
        not isinstance(params, dict)
        or params.get("protocolVersion") not in HANDSHAKE_PROTOCOL_VERSIONS
    ):
        return None
    info = params.get("clientInfo")
    return info if isinstance(info, dict) else {}


def _principal(scope: Scope) -> str:
    access = scope.get(ACCESS_KEY)
    principal = getattr(access, "principal", None)
    return "" if principal is None else f"principal:{principal}"


async def _reply(
    send: Send, status: int, message: str, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    error = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": message}}
    body = json.dumps(error).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode()), *(extra or [])]  # fmt: skip
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# -- one rate limit for all workers ------------------------------------------------------------

SLOTS = 4096  # principals tracked at once; past it, the least recently used bucket is reused
PROBES = 32
_SLOT = struct.Struct("<Qdd")  # principal's key (0: free), tokens left, when (monotonic clock)
TABLE_BYTES = SLOTS * _SLOT.size


def limit_table() -> int:
    """A new zeroed table in an unlinked file; its descriptor is handed to the workers."""
    with tempfile.TemporaryFile(prefix="memory-mcp-rate-") as fh:
        fd = os.dup(fh.fileno())
    os.ftruncate(fd, TABLE_BYTES)
    return fd


class SharedRateLimit(RateLimit):
    """`RateLimit`'s token bucket per principal, kept in a table every worker maps: the
    limit holds for the server as a whole, whichever worker a request reaches. The
    monotonic clock is the system's, the same in every process."""

    def __init__(self, per_minute: int, fd: int) -> None:
        super().__init__(per_minute)
        self._fd = fd
        self._table = mmap.mmap(fd, TABLE_BYTES)

    def wait(self, who: str) -> float:
        if self.per_minute <= 0:
            return 0.0
        key = int.from_bytes(hashlib.blake2b(who.encode(), digest_size=8).digest(), "little")
        key = key or 1
        now = time.monotonic()
        with self._lock, self._locked():
            offset = self._slot(key, now)
            found, tokens, at = _SLOT.unpack_from(self._table, offset)
            if found != key:
                tokens, at = self.burst, now
            tokens, wait = self.take(tokens, at, now)
            _SLOT.pack_into(self._table, offset, key, tokens, now)
        return wait

    def _slot(self, key: int, now: float) -> int:
        """The offset of `key`'s bucket, or of the slot it should take: a free one, one whose
        bucket has refilled (as good as new), else the least recently used of its probes."""
        start = key % SLOTS
        free: int | None = None
        oldest, oldest_at = start * _SLOT.size, float("inf")
        for i in range(PROBES):
            offset = ((start + i) % SLOTS) * _SLOT.size
            found, tokens, at = _SLOT.unpack_from(self._table, offset)
            if found == key:
                return offset
            full = tokens + (now - at) * self.per_minute / 60.0 >= self.burst
            if free is None and (found == 0 or full):
                free = offset
            elif at < oldest_at:
                oldest, oldest_at = offset, at
        return oldest if free is None else free

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl  # POSIX only, as --workers is

        fcntl.lockf(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.lockf(self._fd, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Shared:
    """Handed to each worker by the parent: the server's secret and the rate-limit table."""

    secret: bytes = field(repr=False)
    limit_fd: int
