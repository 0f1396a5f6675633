"""The web UI as one Starlette app over the MemoryService: pages rendered on the server, a
little plain JavaScript and CSS shipped in the package, nothing from elsewhere.

`ui_app` is mounted at "/" by `memory-mcp ui` and under "/ui" by `serve --http`.
"""

import hmac
import math
import re
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memory_mcp.adapters.mcp_server.access import SLOW_DOWN, Refusal
from memory_mcp.adapters.ui import data, find, fix, memory, overview
from memory_mcp.adapters.ui.common import (
    VISITOR_KEY,
    Refused,
    base,
    checked_post,
    redirect,
    render,
    visitor,
)
from memory_mcp.adapters.ui.html import button, field, form, join, tag
from memory_mcp.adapters.ui.security import HEADERS, MARKED, UiGuard
from memory_mcp.errors import Forbidden, MemoryMCPError, NotFound
from memory_mcp.service import MemoryService

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD = 512 * 1024 * 1024  # the owner's imports; others get the guard's `max_body`
OPEN_PATHS = ("/login",)  # reachable before logging in (and /static/)


class Guarded:
    """Outermost layer: the Host check (DNS rebinding), who the visitor is (a login when the
    tools need a token), its rate limit and the size of body it may send, and the security
    headers on every response."""

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
            wrong_host = PlainTextResponse("Unknown Host header.", status_code=421)
            await wrong_host(scope, receive, send_with_headers)
            return
        path = request.url.path[len(base(request)) :] or "/"
        if path.startswith("/static/"):  # the same files for everyone, before logging in too
            await self.app(scope, receive, send_with_headers)
            return
        response = await self._admit(scope, request, *_marked(path))
        if response is None:
            # The body is read only after this: an upload past the visitor's limit gets 413,
            # and one who has not logged in cannot send more than a login form needs.
            limit = self.guard.body_limit(visitor(request), MAX_UPLOAD)
            limited = RequestBodyLimitMiddleware(self.app, max_body_size=limit)
            await limited(scope, receive, send_with_headers)
        else:
            await response(scope, receive, send_with_headers)

    async def _admit(self, scope: Scope, request: Request, mark: str, path: str) -> Response | None:
        """None to go ahead (with the visitor in the scope, and a login's pages under its
        mark as their root), else the answer instead. A login cookie without its path mark
        is no login: every port of this host gets the cookie (security.py)."""
        found = await self.guard.visitor(request)
        if isinstance(found, Refusal):
            return PlainTextResponse(found.message, status_code=found.status)
        if found is not None and found.mark:
            if not hmac.compare_digest(mark.encode(), found.mark.encode()):
                found = None
            else:
                scope["root_path"] = base(request) + MARKED + mark
                if not path:
                    return redirect(request, "/")
        if found is None:
            if not mark and path.startswith(OPEN_PATHS):
                return None
            if request.method == "POST" and self.guard.same_origin(request):
                return logged_out(request)  # from our own page: say so, keep the form
            wanted = onward_path(path + (f"?{request.url.query}" if request.url.query else ""))
            return redirect(
                request, "/login" + (f"?{urlencode({'next': wanted})}" * (wanted != "/"))
            )
        wait = self.guard.rate_wait(found)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            message = SLOW_DOWN.format(who=found.who, limit=self.guard.limit_per_minute(),
                                       wait=seconds)  # fmt: skip
            headers = {"retry-after": str(seconds)}
            return PlainTextResponse(message, status_code=429, headers=headers)
        scope[VISITOR_KEY] = found
        return None


# The pages a login may go on to (a bookmark's, the address a logged-out visitor asked for):
# pages that only show, never one that asks to confirm a change (a link to /login?next=/purge
# would land a person who logs in on a deletion's question).
_ONWARD = re.compile(r"/(?:m/[0-9]{1,18}|overview|data)?")


def onward_path(wanted: str | None) -> str:
    """The page (with its query) a login goes on to: `wanted` if it is one of this UI's pages
    that only show (`_ONWARD`), else the first page. The login's own path mark is put before
    it, so no address another site names can lead anywhere else."""
    if not wanted or len(wanted) > 2_000 or not wanted.isprintable():
        return "/"
    path, _, query = wanted.partition("?")
    return wanted if _ONWARD.fullmatch(path) and "#" not in query else "/"


def _marked(path: str) -> tuple[str, str]:
    """(the login's mark, the rest of the path) of a path under /s/MARK, else ("", path)."""
    if not path.startswith(MARKED):
        return "", path
    mark, slash, rest = path[len(MARKED) :].partition("/")
    return mark, slash + rest


def logged_out(request: Request) -> Response:
    """A change sent after the login ended (the server restarted, or the login expired): not
    a redirect to the login page, which would lose the form; Back returns to it, and the
    browser refills what was typed once the page opens again."""
    body = join(
        [
            tag(
                "p",
                "Not saved: this browser is no longer logged in (the server restarted, or "
                "the login ended). What you typed is still in the form you came from:",
                class_="error",
                role="alert",
            ),
            tag(
                "ol",
                tag(
                    "li",
                    tag("a", "Log in", href=f"{base(request)}/login", target="_blank"),
                    " in a new tab (for `memory-mcp ui`: the address it printed this run).",
                ),
                tag("li", "Come back here and go Back: the form holds your text; send it again."),
            ),
        ]
    )
    return render(request, "Not saved: logged out", body, status=401)


async def login_page(request: Request) -> Response:
    guard: UiGuard = request.app.state.guard
    given = request.query_params.get("token") if guard.link_login else None
    wanted = onward_path(request.query_params.get("next"))
    if given is not None:  # the address `memory-mcp ui` prints
        session = await guard.login(given, UiGuard.cookie_name(request))
        if session is not None:  # a page that goes on, not a redirect: see _logged_in
            return _logged_in(request, session, wanted, onward=True)
    body = form(
        f"{base(request)}/login",
        guard.login_csrf,
        tag("input", type="hidden", name="next", value=wanted) if wanted != "/" else None,
        tag("p", "That address's key is not this run's.") if given is not None else None,
        tag(
            "p",
            "Log in with a token. For `memory-mcp ui`: open the address it printed (the key "
            "is new each run). For `serve --http`: the owner's (`memory-mcp token`) or your "
            "own (`memory-mcp token add NAME` on the server); you see what its grants allow.",
        ),
        tag(
            "p",
            "Logging in here goes on to the page you asked for (the address `memory-mcp ui` "
            "printed goes to the first page: type its key, after `token=`, here instead).",
        )
        if wanted != "/"
        else None,
        # the one thing to do here: ui.js focuses it (on a wide screen with a mouse)
        field(
            "Token", "token", "", type="password", autocomplete="current-password", data_focus=True
        ),
        button("Log in"),
    )
    return render(request, "Log in", body)


async def _login(request: Request, data: FormData) -> Response:
    guard: UiGuard = request.app.state.guard
    token = data.get("token")
    name = UiGuard.cookie_name(request)
    session = await guard.login(token, name) if isinstance(token, str) else None
    if session is None:
        raise Refused(401, "That is not a valid token for this server.")
    wanted = data.get("next")
    return _logged_in(request, session, onward_path(wanted if isinstance(wanted, str) else None))


def _logged_in(request: Request, session: str, wanted: str = "/", onward: bool = False) -> Response:
    """The login cookie, and on to the pages. `onward`: with a page that goes on by itself,
    since the browser may have come from another site (the file `memory-mcp ui` opens),
    and a redirect would carry on that navigation, in which a SameSite=Strict cookie is not
    sent; the page's own navigation is same-site. Either way on to this login's pages, under
    its path mark (security.py), to the page `wanted` (onward_path's: a bookmark's page)."""
    name = UiGuard.cookie_name(request)
    mark = request.app.state.guard.page_mark(session, name)
    home = f"{base(request)}{MARKED}{mark}{wanted}"
    if onward:
        body = tag("p", tag("a", "Logged in: on to the pages", href=home))
        response: Response = render(request, "Logged in", body)
        response.headers["refresh"] = f"0;url={home}"
    else:
        response = RedirectResponse(home, status_code=303)
    response.set_cookie(
        name,
        session,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=base(request) or "/",
    )
    return response


login = checked_post(_login, login=True)


_STATUS: dict[type, int] = {NotFound: 404, Forbidden: 403}


async def refused(request: Request, exc: Exception) -> Response:
    if isinstance(exc, Refused):
        status, message = exc.status, exc.message
    else:
        status, message = _STATUS.get(type(exc), 400), str(exc)
    body = tag("p", message, class_="error", role="alert")
    if visitor(request) is not None:
        heading = {404: "Not found", 403: "Not allowed"}.get(status, "Not done")
        return render(request, heading, body, status=status)
    return HTMLResponse(tag("p", message), status_code=status)


async def failed(request: Request, exc: Exception) -> Response:
    """An unexpected error: the page frame and what to do, not a bare "Internal Server
    Error" (the traceback goes to the server's log, never to the page)."""
    message = (
        "Something went wrong on the server while answering this (its log has the details). "
        "If you were saving a change, go Back: the form still holds it."
    )
    body = tag("p", message, class_="error", role="alert")
    return render(request, "Server error", body, status=500)


def routes() -> list[Route | Mount]:
    return [
        Route("/", find.find),
        Route("/m/{memory_id:int}", memory.memory_page),
        Route("/m/{memory_id:int}/edit", fix.edit, methods=["POST"]),
        Route("/m/{memory_id:int}/forget", fix.forget, methods=["POST"]),
        Route("/m/{memory_id:int}/restore", fix.restore, methods=["POST"]),
        Route("/m/{memory_id:int}/replace", fix.replace, methods=["POST"]),
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
        exception_handlers={Refused: refused, MemoryMCPError: refused, 500: failed},
    )
    app.state.service = service
    app.state.guard = guard
    return Guarded(app, guard)
