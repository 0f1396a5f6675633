"""Who is calling `serve --http`, and how often: the bearer token of the owner, a principal's
token (hashed in the database), or an organisation's JWT; then each principal's rate limit.

`AccessGate` wraps any ASGI app (the MCP endpoint; a web UI route can be wrapped the same
way) and hands the caller on as an `Access` in `scope[ACCESS_KEY]` and in
`calls.current_access()`, which the service holder turns into a service acting for that
caller. What the caller may then read and write is decided by the service, never here.
"""

import functools
import hmac
import json
import math
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken

from memory_mcp.adapters.mcp_server.calls import CALLER
from memory_mcp.adapters.mcp_server.guards import ASGIApp, Receive, Scope, Send
from memory_mcp.adapters.mcp_server.oauth import JwtVerifier
from memory_mcp.adapters.mcp_server.offload import OFFLOAD
from memory_mcp.errors import MemoryMCPError, StorageError
from memory_mcp.policies import access as policy
from memory_mcp.policies.access import Access

if TYPE_CHECKING:  # imported after the first replies (server.py)
    from memory_mcp.service import MemoryService

ACCESS_KEY = "memory_mcp.access"
UNAUTHORIZED = "Send Authorization: Bearer <token>; see `memory-mcp token`."
AMBIGUOUS = "Send one Authorization header, not several."
SLOW_DOWN = "Too many requests from {who}: at most {limit} a minute. Retry in {wait} s."
OWNER_BY_TOKEN = policy.owner()  # the owner token's caller (an Access is immutable)


@dataclass
class Refusal:
    status: int
    error: str
    message: str


class Authenticator:
    """Decides who a request's bearer token makes the caller; reusable by any route."""

    def __init__(
        self,
        service: "MemoryService",
        owner_token: str | None,
        verifier: JwtVerifier | None = None,
    ) -> None:
        self.service = service
        self.owner_token = owner_token.encode() if owner_token else None
        self.verifier = verifier

    async def identify(self, scope: Scope) -> Access | Refusal:
        """The caller, or why not: 400 (two Authorization headers), 401 (no or no valid
        token), 503 (the database, which holds the tokens, cannot be read right now)."""
        try:
            return await self._identify(scope)
        except StorageError as exc:
            return Refusal(503, "unavailable", f"Cannot check the token now: {exc}")

    async def _identify(self, scope: Scope) -> Access | Refusal:
        given = [v for k, v in scope.get("headers") or [] if k.lower() == b"authorization"]
        if len(given) > 1:
            return Refusal(400, "bad_request", AMBIGUOUS)
        if not given:
            if await self._open():
                return policy.OWNER
            return Refusal(401, "invalid_token", UNAUTHORIZED)
        scheme, _, credentials = given[0].strip().partition(b" ")
        credentials = credentials.strip()
        if scheme.lower() != b"bearer" or not credentials:
            if await self._open():
                return policy.OWNER
            return Refusal(401, "invalid_token", UNAUTHORIZED)
        if self.owner_token is not None and hmac.compare_digest(credentials, self.owner_token):
            return OWNER_BY_TOKEN  # no database to ask: no thread hop for the common case
        found = await OFFLOAD.run(functools.partial(self._check, credentials))
        if found is None and await self._open():
            return policy.OWNER  # an open server ignores credentials, as it always did
        return found if found is not None else Refusal(401, "invalid_token", UNAUTHORIZED)

    async def _open(self) -> bool:
        """No token needed: loopback with no owner token, no OAuth and no principal tokens."""
        if self.owner_token is not None or self.verifier is not None:
            return False
        return not await OFFLOAD.run(self.service.store.has_tokens)

    def _check(self, credentials: bytes) -> Access | None:
        """Blocking: a database read for a principal's token, maybe a JWKS fetch."""
        try:
            token = credentials.decode("ascii")
        except UnicodeDecodeError:
            return None
        try:
            found = self.service.team.authenticate(token)
            if found is not None or self.verifier is None:
                return found
            claims = self.verifier.claims(token)
            if claims is None:
                return None
            name, claimed = self.verifier.principal(claims)
            return self.service.team.access_for(name, claimed)
        except StorageError:
            raise  # not the caller's fault: 503, not 401
        except MemoryMCPError:
            return None  # a bad name or grant in a token's claims


@dataclass
class RateLimit:
    """A token bucket per principal: `per_minute` requests a minute, in bursts of at most
    a sixth of that (ten seconds' worth)."""

    per_minute: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, who: str) -> float:
        """0 if `who` may go ahead now (and counts it), else the seconds to wait."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(who, (self.burst, now))
            tokens, wait = self.take(tokens, at, now)
            self._buckets[who] = (tokens, now)
            return wait

    @property
    def burst(self) -> float:
        return max(self.per_minute / 6.0, 1.0)

    def take(self, tokens: float, at: float, now: float) -> tuple[float, float]:
        """A bucket holding `tokens` at `at`, refilled up to `now`: what it holds after this
        request, and 0 (the request counted) or the seconds to wait (not counted)."""
        rate = self.per_minute / 60.0
        tokens = min(self.burst, tokens + (now - at) * rate)
        if tokens >= 1.0:
            return tokens - 1.0, 0.0
        return tokens, (1.0 - tokens) / rate


class AccessGate:
    """ASGI middleware: identify the caller, apply its rate limit, pass it on."""

    def __init__(
        self,
        app: ASGIApp,
        authenticator: Authenticator,
        limit: RateLimit,
        metadata_url: str | None = None,
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.limit = limit
        self.metadata_url = metadata_url

    def wrap(self, app: ASGIApp) -> "AccessGate":
        """Another app (a web UI route, a hook endpoint) behind the same identification and
        the same rate limits; it reads the caller from `current_access()`."""
        return AccessGate(app, self.authenticator, self.limit, self.metadata_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = await self.authenticator.identify(scope)
        if isinstance(found, Refusal):
            await self._refuse(send, found)
            return
        who = found.principal or policy.OWNER_NAME
        # A team member's rate is limited so one cannot starve the others; the owner's is
        # not (it owns the database, and single-user setups must not change).
        wait = 0.0 if found.unrestricted else self.limit.wait(who)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            message = SLOW_DOWN.format(who=who, limit=self.limit.per_minute, wait=seconds)
            await self._refuse(send, Refusal(429, "rate_limited", message), retry=seconds)
            return
        scope[ACCESS_KEY] = found
        if found.principal is not None:
            # The SDK binds an MCP session to the credential that opened it: another
            # principal presenting its id is answered as if it did not exist.
            scope["user"] = AuthenticatedUser(
                AccessToken(token="", client_id=found.principal, scopes=[], subject=who)
            )
        token = CALLER.set(found)
        try:
            await self.app(scope, receive, send)
        finally:
            CALLER.reset(token)

    async def _refuse(self, send: Send, refusal: Refusal, retry: int | None = None) -> None:
        body = json.dumps({"error": refusal.error, "message": refusal.message}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if refusal.status == 401:
            challenge = 'Bearer realm="memory-mcp", error="invalid_token"'
            if self.metadata_url:
                challenge += f', resource_metadata="{self.metadata_url}"'
            headers.append((b"www-authenticate", challenge.encode()))
        if retry is not None:
            headers.append((b"retry-after", str(retry).encode()))
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
