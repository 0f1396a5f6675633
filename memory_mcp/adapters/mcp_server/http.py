"""One server for several clients or machines: the same tools over MCP streamable HTTP.

Loopback needs no token unless one is configured; any other address requires a bearer token
(MEMORY_MCP_TOKEN, or one generated into an owner-only file). DNS-rebinding protection is on:
only the Host/Origin values this server is reachable under are accepted.
"""

import hmac
import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from mcp.server.transport_security import TransportSecuritySettings

from memory_mcp import __version__
from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput
from memory_mcp.service import MemoryService

logger = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MCP_PATH = "/mcp"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


def rotate_token(path: Path) -> str:
    """Write a new random token to an owner-only file (replacing any old one)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(32)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    os.replace(tmp, path)  # atomic: a reader sees the old token or the new, never half
    return token


def read_token(path: Path) -> str | None:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return token or None


def resolve_token(settings: Settings, host: str) -> str | None:
    """The token to require: configured, else the token file; created if the address is
    not loopback and none exists."""
    if settings.token:
        return settings.token
    token = read_token(settings.token_file)
    if token is None and not is_loopback(host):
        token = rotate_token(settings.token_file)
        logger.warning("Generated a bearer token in %s (owner-only)", settings.token_file)
    return token


class BearerAuth:
    """ASGI middleware: every HTTP request must carry `Authorization: Bearer <token>`."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                await _unauthorized(send)
                return
        await self.app(scope, receive, send)


async def _unauthorized(send: Send) -> None:
    body = json.dumps(
        {
            "error": "unauthorized",
            "message": "Send Authorization: Bearer <token>; see `memory-mcp token`.",
        }  # fmt: skip
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b'Bearer realm="memory-mcp"'),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def http_app(
    service: MemoryService, host: str, port: int, token: str | None, allow_hosts: list[str]
) -> ASGIApp:
    """The streamable-HTTP app at /mcp, behind DNS-rebinding protection and the token."""
    names = list(dict.fromkeys([host, *LOOPBACK, *allow_hosts]))
    hosts = [f"[{n}]:{port}" if ":" in n else f"{n}:{port}" for n in names]
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[f"http://{h}" for h in hosts] + [f"https://{h}" for h in hosts],
    )
    mcp = build_server(service, load_model=False)
    app: ASGIApp = mcp.streamable_http_app(
        streamable_http_path=MCP_PATH, transport_security=security, host=host
    )
    return BearerAuth(app, token) if token else app


def serve_http(settings: Settings, host: str, port: int, allow_hosts: list[str]) -> None:
    """Serve until interrupted; the model loads in the background meanwhile."""
    import uvicorn

    if not is_loopback(host) and not allow_hosts and host in ("0.0.0.0", "::"):
        raise InvalidInput(
            f"Binding {host} listens on every interface: name the host names clients will use "
            "with --allow-host (DNS-rebinding protection only accepts known names)."
        )
    token = resolve_token(settings, host)
    service = MemoryService.open(settings)
    service.semantic.start_background()
    app = http_app(service, host, port, token, allow_hosts)
    auth = "bearer token required" if token else "no token (loopback)"
    logger.warning("memory-mcp %s on http://%s:%d%s (%s)", __version__, host, port, MCP_PATH, auth)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        service.close()
