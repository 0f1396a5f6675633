"""What keeps the pages to the person at the keyboard: the Host must be one this server is
reachable under (DNS rebinding), a change (POST) must come from these pages (same origin and
the visitor's CSRF token), and, where the tools need a token, the visitor must be one of
their callers.

`UiGuard` is the one seam: `memory-mcp ui` builds it without an authenticator (loopback
only, the owner), `serve --http` with the tools' own `Authenticator` and rate limit, so the
owner's token, a principal's token (or an organisation's JWT) logs in, and the pages then act
for that caller exactly as the tools do. The login cookie holds the credential sealed
(AES-GCM) under a key derived from the server's secret, with the login's expiry: only this
server can open it, every worker of `serve --http --workers N` can (they share the secret),
and the credential is checked again on every request, so a revoked, rotated or expired token
ends its logins at once. A restart makes a new secret: everyone logs in again.

A browser sends a host's cookies to every port of it, so any program listening on another
port of 127.0.0.1 that the browser visits receives the login cookie and could replay it here.
The cookie alone is therefore not a login: each login's pages live under a path of their own,
`/s/MARK/`, MARK signed from the credential it holds (`page_mark`: a login again with the
same token keeps the address, so a form sent after the login ended can be sent again), and a
request carrying the cookie without its mark is a visitor who has not logged in. Browsers
send a page's address only to its own origin (`referrer-policy: same-origin`), and the
links are plain links: the pages still work with JavaScript off.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.requests import Request

from memory_mcp.adapters.mcp_server.access import Authenticator, RateLimit, Refusal
from memory_mcp.policies import access as policy
from memory_mcp.policies.access import Access

SESSION_COOKIE = "memory_mcp_ui"
SESSION_AGE_S = 12 * 3600  # a login lasts this long at most (the token is re-checked always)
MAX_COOKIE_CHARS = 3_800  # browsers keep cookies of up to 4 KB, name and attributes included
NONCE_BYTES = 12
MARKED = "/s/"  # a login's pages: /s/MARK/... (`UiGuard.page_mark`)
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


class RunKey(Authenticator):
    """`memory-mcp ui`'s login: only the key made for this run, which makes the visitor the
    owner (as the CLI is). Its address (`/login?token=KEY`) logs in with one click: nobody
    else can know the key, so no one can log a browser in with a key of their own."""

    def _check(self, credentials: bytes) -> Access | None:
        assert self.owner_token is not None
        return policy.OWNER if hmac.compare_digest(credentials, self.owner_token) else None


@dataclass(frozen=True)
class Visitor:
    """Who is looking at the pages, and the CSRF token their forms carry."""

    access: Access
    csrf: str
    # the path mark a cookie login's requests must carry ("" for a bearer header or an open
    # server: nothing a browser sends to another port logs in there)
    mark: str = ""

    @property
    def who(self) -> str:
        return self.access.principal or policy.OWNER_NAME


@dataclass
class UiGuard:
    hosts: list[str]  # Host header values accepted, e.g. "127.0.0.1:8766"
    authenticator: Authenticator | None = None  # None: loopback, the owner, no login
    limit: RateLimit | None = None  # the tools' per-principal rate limit, shared
    # the server's secret: random per run, the same in every worker of one server
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    # the largest body from anyone but the owner (serve --http: MEMORY_MCP_HTTP_MAX_BODY_KB)
    max_body: int | None = None
    csrf: str = field(init=False)
    # the login form's own token: a visitor's is only ever shown to that visitor
    login_csrf: str = field(init=False)

    def __post_init__(self) -> None:
        self._mac = _derive(self.secret, "ui signing")
        self._seal_key = _derive(self.secret, "ui sealing")
        self.csrf = self._sign("csrf", "")
        self.login_csrf = self._sign("login", "")

    @property
    def link_login(self) -> bool:
        """Whether an address carrying the token logs in (only `memory-mcp ui`'s run key: a
        page elsewhere could otherwise log a browser into a principal of its choosing)."""
        return isinstance(self.authenticator, RunKey)

    @staticmethod
    def cookie_name(request: Request) -> str:
        """The login cookie's name on this server: a browser sends a host's cookies to every
        port of it, so two servers on one machine (`memory-mcp ui` beside `serve --http`, or
        two of those) would otherwise each read the other's cookie and log out."""
        return f"{SESSION_COOKIE}_{request.url.port or request.url.scheme}"

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

    def undo_mark(self, visitor: Visitor, ids: Iterable[int | str]) -> str:
        """What an undo link carries: only a forget this visitor just made offers to restore
        exactly those ids (a crafted `?undo=5` shows no button)."""
        return self._sign("undo", f"{visitor.csrf}\0{','.join(str(i) for i in ids)}")

    def undo_ok(self, visitor: Visitor, ids: Iterable[int | str], mark: str | None) -> bool:
        return mark is not None and hmac.compare_digest(
            mark.encode(), self.undo_mark(visitor, ids).encode()
        )

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
        name = self.cookie_name(request)
        session = self._session(request.cookies.get(name, ""), name)
        if session is not None and "authorization" not in request.headers:
            sid, credential = session
            found = await self._identify(credential)
            if isinstance(found, Access):
                return Visitor(found, self._sign("csrf", sid), self._mark(credential))
            if found.status == 401:  # revoked, rotated or expired: the login no longer holds
                return None
            return found
        found = await self.authenticator.identify(request.scope)
        if isinstance(found, Access):
            return Visitor(found, self._sign("bearer", found.principal or ""))
        return None if found.status == 401 else found

    async def login(self, token: str, name: str) -> str | None:
        """The value of the session cookie `name` for a valid token, else None: sealed with
        its name (the port's), so no other cookie's value, however got, opens as this one."""
        credential = token.strip().encode()
        if self.authenticator is None or not credential or b"\n" in credential:
            return None
        if not isinstance(await self._identify(credential), Access):
            return None
        return self._seal(credential, time.time() + SESSION_AGE_S, name)

    def page_mark(self, cookie: str, name: str) -> str:
        """The path mark of the login whose cookie `name` holds `cookie` ("" if none)."""
        session = self._session(cookie, name)
        return self._mark(session[1]) if session else ""

    def _mark(self, credential: bytes) -> str:
        return self._sign("pages", credential.decode("latin-1"))[:32]

    def body_limit(self, visitor: Visitor | None, owners: int) -> int:
        """The largest request body `visitor` may send: `owners` for the owner (imports),
        `max_body` for a team member or someone not logged in."""
        if self.max_body is None or (visitor is not None and visitor.access.unrestricted):
            return owners
        return self.max_body

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

    def _seal(self, credential: bytes, expires: float, name: str) -> str | None:
        """The cookie's value: a random nonce and the sealed credential and expiry; None if
        it would not fit in a cookie (a very large JWT)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = secrets.token_bytes(NONCE_BYTES)
        plain = json.dumps({"c": credential.decode("latin-1"), "e": expires}).encode()
        sealed = AESGCM(self._seal_key).encrypt(nonce, plain, name.encode())
        value = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
        return value if len(value) <= MAX_COOKIE_CHARS else None

    def _session(self, cookie: str, name: str) -> tuple[str, bytes] | None:
        """(the login's id, its credential) from a cookie this server sealed and that has not
        expired, else None."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if not cookie or len(cookie) > MAX_COOKIE_CHARS:
            return None
        try:
            raw = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
            nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
            plain = AESGCM(self._seal_key).decrypt(nonce, sealed, name.encode())
            found = json.loads(plain)
            credential, expires = found["c"].encode("latin-1"), float(found["e"])
        except (ValueError, InvalidTag, KeyError, TypeError, AttributeError):
            return None
        if time.time() > expires:
            return None
        return base64.urlsafe_b64encode(nonce).decode(), credential

    def _sign(self, purpose: str, value: str) -> str:
        message = f"memory-mcp ui {purpose}\0{value}".encode()
        return hmac.new(self._mac, message, hashlib.sha256).hexdigest()


def _derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"memory-mcp {purpose}".encode(), hashlib.sha256).digest()
