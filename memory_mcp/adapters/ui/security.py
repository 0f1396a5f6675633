"""What keeps the pages to the person at the keyboard: the Host must be one this server is
reachable under (DNS rebinding), a change (POST) must come from these pages (same origin and
the page's CSRF token), and off loopback the visitor must hold the server's token.

`UiGuard` is the one seam: `memory-mcp ui` builds it without a token (loopback only), `serve
--http` with the same token as the tools. Team access can replace `authenticated`.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.requests import Request

SESSION_COOKIE = "memory_mcp_ui"
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


@dataclass
class UiGuard:
    hosts: list[str]  # Host header values accepted, e.g. "127.0.0.1:8766"
    token: str | None = None  # required (as a login) when set
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # the login form's own token: the one above is only ever shown to a logged-in visitor
    login_csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

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

    def csrf_ok(self, sent: str | None, login: bool = False) -> bool:
        expected = self.login_csrf if login else self.csrf
        return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())

    # -- who may see the pages ------------------------------------------------------------

    def session_value(self) -> str:
        assert self.token is not None
        return hmac.new(self.token.encode(), b"memory-mcp ui session", hashlib.sha256).hexdigest()

    def authenticated(self, request: Request) -> bool:
        """No token: anyone who reaches loopback. Else the login cookie or a bearer token."""
        if self.token is None:
            return True
        cookie = request.cookies.get(SESSION_COOKIE, "")
        if cookie and hmac.compare_digest(cookie.encode(), self.session_value().encode()):
            return True
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        )

    def token_ok(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        )
