"""Helpers for team tests: `serve --http`'s app on a loopback port in this process (real
HTTP, the real SDK client), a JWKS served on loopback, and MCP calls as one principal."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from memory_mcp.adapters.mcp_server.http import http_app
from memory_mcp.adapters.mcp_server.listen import listening_socket
from memory_mcp.service import MemoryService

OWNER_TOKEN = "owner-token-" + "o" * 24


@contextmanager
def serving(
    service: MemoryService, token: str | None = OWNER_TOKEN, allow_hosts: list[str] | None = None
) -> Iterator[str]:
    """The HTTP app over `service` on loopback, on a port the system picks as it binds (the
    socket is bound here, then served); yields the MCP URL."""
    sock = listening_socket("127.0.0.1", 0)
    port = int(sock.getsockname()[1])
    app = http_app(service, "127.0.0.1", port, token, allow_hosts or [])
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class connect:  # noqa: N801 - used as `async with connect(url, token) as client`
    """An MCP SDK client over HTTP presenting `token`."""

    def __init__(self, url: str, token: str | None, mode: str = "auto") -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx2.AsyncClient(headers=headers, timeout=10)
        self._client = Client(streamable_http_client(url, http_client=self._http), mode=mode)

    async def __aenter__(self) -> Any:
        await self._http.__aenter__()
        return await self._client.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        await self._client.__aexit__(*exc)  # type: ignore[arg-type]
        await self._http.__aexit__(*exc)  # type: ignore[arg-type]


def ping(url: str, token: str | None) -> httpx2.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers |= {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version":
                "2025-11-25"}  # fmt: skip
    return httpx2.post(url, json=body, headers=headers, timeout=10)


class Issuer:
    """An authorization server's signing side: an RSA key, its JWKS on loopback, tokens."""

    def __init__(self, url: str = "https://login.example.test/realms/acme") -> None:
        self.url = url
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "k1"
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        body = json.dumps({"keys": [jwk | {"kid": self.kid, "use": "sig", "alg": "RS256"}]})

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                data = body.encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.jwks_url = f"http://127.0.0.1:{self.server.server_address[1]}/certs"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, key: Any = None, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": "memory", "sub": "alice", "iat": now, "exp": now + 300}
        body |= claims
        signing = self.key if key is None else key
        return jwt.encode(body, signing, algorithm="RS256", headers={"kid": self.kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
