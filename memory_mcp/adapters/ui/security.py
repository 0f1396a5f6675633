"""What keeps the pages to the person at the keyboard: the Host must be one this server is
reachable under (DNS rebinding), a change (POST) must come from these pages (same origin and
the visitor's CSRF token), and, where the tools need a token, the visitor must be one of
their callers.

`UiGuard` is the one seam: `memory-mcp ui` builds it without an authenticator (loopback
only, the owner), `serve --http` with the tools' own `Authenticator` and rate limit, so the
owner's token, a principal's token (or an organisation's JWT) logs in, and the pages then act
for that caller exactly as the tools do. The login cookie holds a signed random session id;
the credential behind it stays in this process and is checked again on every request, so a
revoked, rotated or expired token ends its sessions at once.
"""

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.requests import Request

from memory_mcp.adapters.mcp_server.access import Authenticator, RateLimit, Refusal
from memory_mcp.policies import access as policy
from memory_mcp.policies.access import Access

SESSION_COOKIE = "memory_mcp_ui"
SESSION_AGE_S = 12 * 3600  # a login lasts this long at most (the token is re-checked always)
MAX_SESSIONS = 10_000  # the oldest login is dropped past this
# Pages, not an API: no CORS headers at all, nothing embeds them, scripts and styles only
# from this server, and forms only post back to it.
HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


def host_values(names: Iterable[str], port: int) -> list[str]:
    """Host header values accepted: each name with the port (IPv6 in brackets)."""
    return [f"[{n}]:{port}" if ":" in n else f"{n}:{port}" for n in dict.fromkeys(names)]


@dataclass(frozen=True)
class Visitor:
    """Who is looking at the pages, and the CSRF token their forms carry."""

    access: Access
    csrf: str

    @property
    def who(self) -> str:
        return self.access.principal or policy.OWNER_NAME


@dataclass
class UiGuard:
    hosts: list[str]  # Host header values accepted, e.g. "127.0.0.1:8766"
    authenticator: Authenticator | None = None  # None: loopback, the owner, no login
    limit: RateLimit | None = None  # the tools' per-principal rate limit, shared
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # the login form's own token: a visitor's is only ever shown to that visitor
    login_csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _sessions: "OrderedDict[str, tuple[bytes, float]]" = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def host_ok(self, request: Request) -> bool:
        return request.headers.get("host", "") in self.hosts

    def origins(self) -> list[str]:
        return [f"{scheme}://{h}" for h in self.hosts for scheme in ("http", "https")]

    def same_origin(self, request: Request) -> bool:
        """A POST from our own page: the browser says so (Sec-Fetch-Site), and the Origin (or,
        without one, the Referer) is this server's."""
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return False
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            referer = request.headers.get("referer")
            if referer is None:
                return origin is None  # a non-browser client; the CSRF token still decides
            parts = urlsplit(referer)
            origin = f"{parts.scheme}://{parts.netloc}"
        return origin in self.origins()

    def csrf_ok(self, visitor: Visitor | None, sent: str | None, login: bool = False) -> bool:
        expected = self.login_csrf if login else (visitor.csrf if visitor else None)
        return (
            sent is not None
            and expected is not None
            and hmac.compare_digest(sent.encode(), expected.encode())
        )

    # -- who is looking ---------------------------------------------------------------------

    async def visitor(self, request: Request) -> Visitor | Refusal | None:
        """The visitor (its login session, a bearer header, or an open server's owner); None
        when not logged in (or the login's token no longer holds); a Refusal when the
        tokens cannot be checked now (503) or the request is malformed (400)."""
        if self.authenticator is None:
            return Visitor(policy.OWNER, self.csrf)
        session = self._session(request.cookies.get(SESSION_COOKIE, ""))
        if session is not None and "authorization" not in request.headers:
            sid, credential = session
            found = await self._identify(credential)
            if isinstance(found, Access):
                return Visitor(found, self._sign("csrf", sid))
            if found.status == 401:  # revoked, rotated or expired: the session ends
                self._end(sid)
                return None
            return found
        found = await self.authenticator.identify(request.scope)
        if isinstance(found, Access):
            return Visitor(found, self._sign("bearer", found.principal or ""))
        return None if found.status == 401 else found

    async def login(self, token: str) -> str | None:
        """The session cookie's value for a valid token, else None."""
        credential = token.strip().encode()
        if self.authenticator is None or not credential or b"\n" in credential:
            return None
        if not isinstance(await self._identify(credential), Access):
            return None
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[sid] = (credential, time.monotonic())
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return f"{sid}.{self._sign('session', sid)}"

    def rate_wait(self, visitor: Visitor) -> float:
        """As for the tools: a team member's requests are limited, the owner's are not."""
        if self.limit is None or visitor.access.unrestricted:
            return 0.0
        return self.limit.wait(visitor.who)

    def limit_per_minute(self) -> int:
        return self.limit.per_minute if self.limit else 0

    async def _identify(self, credential: bytes) -> Access | Refusal:
        assert self.authenticator is not None
        scope = {"type": "http", "headers": [(b"authorization", b"Bearer " + credential)]}
        return await self.authenticator.identify(scope)

    def _session(self, cookie: str) -> tuple[str, bytes] | None:
        sid, _, signature = cookie.partition(".")
        if not sid or not hmac.compare_digest(
            signature.encode(), self._sign("session", sid).encode()
        ):
            return None
        with self._lock:
            found = self._sessions.get(sid)
        if found is None or time.monotonic() - found[1] > SESSION_AGE_S:
            self._end(sid)
            return None
        return sid, found[0]

    def _end(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)

    def _sign(self, purpose: str, value: str) -> str:
        message = f"memory-mcp ui {purpose}\0{value}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()
