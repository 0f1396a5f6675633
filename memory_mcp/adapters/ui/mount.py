"""The pages under a path prefix of another ASGI app (`serve --http` puts them at /ui)."""

from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "/ui"


def with_ui(other: ASGIApp, ui: ASGIApp, prefix: str = PREFIX) -> ASGIApp:
    """Requests under `prefix` go to `ui` (which sees the prefix as its root path and does its
    own Host, login and CSRF checks: browsers send no bearer header); the rest to `other`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path == prefix:
            await RedirectResponse(prefix + "/", status_code=307)(scope, receive, send)
        elif scope["type"] == "http" and path.startswith(prefix + "/"):
            root = scope.get("root_path", "") + prefix
            await ui(dict(scope, root_path=root), receive, send)
        else:
            await other(scope, receive, send)

    return app
