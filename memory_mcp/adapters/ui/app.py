"""The web UI as one Starlette app over the MemoryService: pages rendered on the server, a
little plain JavaScript and CSS shipped in the package, nothing from elsewhere.

`ui_app` is mounted at "/" by `memory-mcp ui` and under "/ui" by `serve --http`.
"""

from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memory_mcp.adapters.ui import data, find, fix, memory, overview
from memory_mcp.adapters.ui.common import Refused, base, checked_post, redirect, render
from memory_mcp.adapters.ui.html import button, field, form, tag
from memory_mcp.adapters.ui.security import HEADERS, SESSION_COOKIE, UiGuard
from memory_mcp.errors import MemoryMCPError, NotFound
from memory_mcp.service import MemoryService

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD = 512 * 1024 * 1024
OPEN_PATHS = ("/login", "/static/")  # reachable before logging in


class Guarded:
    """Outermost layer: the Host check (DNS rebinding), the login when a token is required,
    and the security headers on every response."""

    def __init__(self, app: ASGIApp, guard: UiGuard) -> None:
        self.app, self.guard = app, guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        if not self.guard.host_ok(request):
            response: Response = PlainTextResponse("Unknown Host header.", status_code=421)
        else:
            path = request.url.path[len(base(request)) :] or "/"
            if self.guard.authenticated(request) or path.startswith(OPEN_PATHS):
                await self.app(scope, receive, send_with_headers)
                return
            response = redirect(request, "/login")
        await response(scope, receive, send_with_headers)


async def login_page(request: Request) -> Response:
    body = form(
        f"{base(request)}/login",
        request.app.state.guard.login_csrf,
        tag("p", "This server asks for its token (see `memory-mcp token` on the server)."),
        field("Token", "token", "", type="password", autocomplete="current-password"),
        button("Log in"),
    )
    return render(request, "Log in", body)


async def _login(request: Request, data: FormData) -> Response:
    guard: UiGuard = request.app.state.guard
    token = data.get("token")
    if not isinstance(token, str) or not guard.token_ok(token):
        raise Refused(401, "That is not this server's token.")
    response = redirect(request, "/")
    response.set_cookie(
        SESSION_COOKIE,
        guard.session_value(),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=base(request) or "/",
    )
    return response


login = checked_post(_login, login=True)


async def refused(request: Request, exc: Exception) -> Response:
    if isinstance(exc, Refused):
        status, message = exc.status, exc.message
    else:
        status, message = (404 if isinstance(exc, NotFound) else 400), str(exc)
    body = tag("p", message, class_="error", role="alert")
    if request.app.state.guard.authenticated(request):
        return render(request, "Not done", body, status=status)
    return HTMLResponse(tag("p", message), status_code=status)


def routes() -> list[Route | Mount]:
    return [
        Route("/", find.find),
        Route("/m/{memory_id:int}", memory.memory_page),
        Route("/m/{memory_id:int}/edit", fix.edit, methods=["POST"]),
        Route("/m/{memory_id:int}/forget", fix.forget, methods=["POST"]),
        Route("/m/{memory_id:int}/restore", fix.restore, methods=["POST"]),
        Route("/bulk", fix.bulk, methods=["POST"]),
        Route("/purge", fix.confirm_purge, methods=["GET"]),
        Route("/purge", fix.purge, methods=["POST"]),
        Route("/overview", overview.overview),
        Route("/data", data.data_page),
        Route("/export.jsonl", data.export_jsonl),
        Route("/export.zip", data.export_zip),
        Route("/import", data.import_file, methods=["POST"]),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def ui_app(service: MemoryService, guard: UiGuard) -> ASGIApp:
    """The pages over `service`, behind `guard` (hosts, token, CSRF)."""
    app = Starlette(
        routes=routes(),
        exception_handlers={Refused: refused, MemoryMCPError: refused},
        max_body_size=MAX_UPLOAD,
    )
    app.state.service = service
    app.state.guard = guard
    return Guarded(app, guard)
