"""Client hooks over HTTP: `serve --http` answers Claude Code's `http` hooks, which POST the
hook's JSON to a URL and read the same JSON a command hook prints.

`POST /hooks/capture`, `/hooks/session-start`, `/hooks/prompt`: the body is the hook input;
the reply is 200 with the client's output object, or `{}` when there is nothing to add. The
running server has its model and indexes loaded, so these answer in milliseconds. They sit
behind the same access gate (a principal's hooks act within its grants) and accept only the
Host and Origin names the MCP endpoint accepts (a web page cannot post to them).

A hook's `transcript_path` names a file on the client's machine. The server reads it only for
the owner (who owns the server's files too): a principal's capture is refused, or any
principal could have the server read, and store where it can recall, files of the server's
user (the owner's own transcripts included).

The owner's body may be of any size: as `memory-mcp hook` reads stdin, its first 1 MB is kept
and the rest read through (a pasted log in a prompt is no error: hook_input.py). From anyone
else a body is at most MEMORY_MCP_HTTP_MAX_BODY_KB (413 past it), as on the MCP endpoint and
the web UI.
"""

import json
from typing import Any

import anyio.to_thread

from memory_mcp.adapters.hook_input import MAX_INPUT_BYTES, bounded_body
from memory_mcp.adapters.hooks import HookProblem, answer
from memory_mcp.adapters.hooks.protocol import COMMANDS, decode
from memory_mcp.adapters.mcp_server.access import ACCESS_KEY
from memory_mcp.adapters.mcp_server.guards import (
    ASGIApp,
    Receive,
    Scope,
    Send,
    header,
    origins,
)
from memory_mcp.errors import MemoryMCPError
from memory_mcp.policies.access import Access
from memory_mcp.service import MemoryService

PREFIX = "/hooks/"
NOT_YOURS = (
    "Capture over HTTP reads the transcript file on the server's machine, which only the "
    "owner's token may do. Capture with `memory-mcp hook capture` where the transcript is."
)


class HookRoutes:
    """ASGI middleware: /hooks/<command> here, everything else to the MCP app."""

    def __init__(
        self, app: ASGIApp, service: MemoryService, hosts: list[str], max_body_kb: int
    ) -> None:
        self.app = app
        self.service = service
        self.max_body_kb = max_body_kb
        self.hosts = {h.lower().encode() for h in hosts}
        self.origins = {o.lower() for o in origins(hosts)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        command = path.removeprefix(PREFIX).strip("/")
        host = dict(scope.get("headers") or []).get(b"host", b"").lower()
        origin = header(scope, b"origin")
        if host not in self.hosts:
            await _reply(send, 421, {"error": "misdirected", "message": "Unknown Host."})
        elif origin is not None and origin.lower() not in self.origins:  # a web page's request
            await _reply(send, 403, {"error": "forbidden", "message": "Invalid Origin header."})
        elif command not in COMMANDS:
            await _reply(send, 404, {"error": "not_found", "message": f"Hooks: {COMMANDS}."})
        elif scope.get("method") != "POST":
            await _reply(send, 405, {"error": "method", "message": "POST the hook's JSON."})
        elif command == "capture" and not _is_owner(scope):
            await _reply(send, 403, {"error": "forbidden", "message": NOT_YOURS})
        else:
            service = _acting_for(self.service, scope)
            await self._hook(command, service, receive, send, self._body_limit(scope))

    def _body_limit(self, scope: Scope) -> tuple[int | None, str]:
        """The most bytes the caller may post (None: any, the first 1 MB kept), and what a
        larger body is told: for anyone but the owner, MEMORY_MCP_HTTP_MAX_BODY_KB."""
        if _is_owner(scope):
            return None, ""
        return self.max_body_kb * 1024, (
            f"Request body too large: this server takes at most {self.max_body_kb} KiB"
            " per request (MEMORY_MCP_HTTP_MAX_BODY_KB)."
        )

    async def _hook(
        self,
        command: str,
        service: MemoryService,
        receive: Receive,
        send: Send,
        limit: tuple[int | None, str],
    ) -> None:
        body = b""
        while True:
            message = await receive()
            if len(body) <= MAX_INPUT_BYTES:  # past it, read through and not kept
                body += message.get("body", b"")
            if limit[0] is not None and len(body) > limit[0]:
                await _reply(send, 413, {"error": "too_large", "message": limit[1]})
                return
            if not message.get("more_body"):
                break
        try:
            hook = decode(bounded_body(body))
            reply = await anyio.to_thread.run_sync(answer, service, command, hook)
        except (ValueError, HookProblem, MemoryMCPError) as exc:
            await _reply(send, 400, {"error": "bad_request", "message": str(exc)})
            return
        await _reply(send, 200, reply or {})


def _is_owner(scope: Scope) -> bool:
    """The caller may have the server read files: the owner (an open server's caller too)."""
    access = scope.get(ACCESS_KEY)
    return not isinstance(access, Access) or access.unrestricted


def _acting_for(service: MemoryService, scope: Scope) -> MemoryService:
    """The service as the caller the access gate identified: a principal's hooks capture into,
    and brief from, only the scopes its grants allow (the owner, or an open server: all)."""
    access = scope.get(ACCESS_KEY)
    return service if access is None else service.as_principal(access)


async def _reply(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
