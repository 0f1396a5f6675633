"""What every page handler shares: the service call off the event loop, the page frame,
redirects with a notice, and the checked POST."""

import csv
import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

import anyio.to_thread
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from memory_mcp.adapters.ui.html import Child, Html, page, tag
from memory_mcp.adapters.ui.security import UiGuard, Visitor
from memory_mcp.service import MemoryService

UI_CLIENT = "ui"  # how the history names changes made in these pages
# A selection posts one field a memory: Starlette's default of 1,000 fields capped a purge
# at about 1,000 memories, refused with its own "Too many fields".
MAX_SELECTED = 10_000
MAX_FORM_FIELDS = MAX_SELECTED + 16  # and the form's own fields
TAGS_LABEL = 'Tags (comma separated): "a, b" in quotes is one tag'
VISITOR_KEY = "memory_mcp.ui.visitor"  # set in the request's scope by the guard

# Notices a redirect may ask for, by code: a URL never carries text to show.
NOTICES = {
    "saved": "Saved.",
    "nochange": "Nothing changed.",
    "savedmerged": "Saved: the memory you edited now says what this one says, and was merged "
    "into it (this one's history names it).",
    "forgotten": "Forgotten: hidden from recall.",
    "restored": "Restored: back in recall.",
    "restoredsuperseded": "Restored, but superseded by a newer value: recall shows that one "
    "instead.",
    "restoredmerged": "The same text, stored again while it was forgotten, was merged into it "
    "(its history names the copy).",
    "restoredfolded": "Restored: a correction says the same, so it was merged into this one "
    "(its history names the memory you restored).",
    "replaced": "Replaced: superseded by the later memory you chose, which recall shows "
    "instead (Restore undoes it).",
    "notforgotten": "Not forgotten: nothing to restore.",
    "stillsuperseded": "Not forgotten, and superseded by a newer value: recall shows that one "
    "instead.",
    "moved": "Moved.",
    "purged": "Deleted permanently.",
    "invisible": "The scope typed held invisible characters (zero-width or bidi ones), which "
    "scope names never keep: they were left out.",
}

NOTICE_PARAMS = ("done", "undo", "mark")  # a notice's, not the page's own

T = TypeVar("T")


class Refused(Exception):
    """A request these pages will not act on (status, message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def visitor(request: Request) -> Visitor | None:
    """Who is logged in (None on the login page before logging in)."""
    found: Visitor | None = request.scope.get(VISITOR_KEY)
    return found


def csrf(request: Request) -> str:
    """The token this visitor's forms carry ("" before logging in)."""
    found = visitor(request)
    return found.csrf if found else ""


def service(request: Request) -> MemoryService:
    """The service acting for the visitor, as the tools do for their caller: a team member's
    grants bound everything the pages read and change; the owner gets the service itself."""
    svc: MemoryService = request.app.state.service
    found = visitor(request)
    if found is None:
        raise Refused(401, "Log in first.")
    return svc.as_principal(found.access)


def guard(request: Request) -> UiGuard:
    g: UiGuard = request.app.state.guard
    return g


def base(request: Request) -> str:
    """The prefix the pages are served under ("" or "/ui")."""
    return str(request.scope.get("root_path", "")).rstrip("/")


async def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A blocking service call on a worker thread (the service is synchronous)."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


def render(
    request: Request,
    title: str,
    body: Child,
    nav: str = "",
    status: int = 200,
    tab: str | None = None,
) -> HTMLResponse:
    said = [NOTICES[code] for code in request.query_params.getlist("done") if code in NOTICES]
    notice = " ".join(said)
    flash = (
        tag("div", tag("p", notice), _undo(request), class_="notice", role="status")
        if notice
        else None
    )
    html: Html = page(
        title, [flash, body], base=base(request), csrf=csrf(request), nav=nav, tab=tab
    )
    return HTMLResponse(html, status_code=status)


def forget_batch(value: str | None) -> tuple[int, int] | None:
    """A forget named by the history entries it wrote ("LOW-HIGH", their first and last id:
    one a memory, one after the other in its transaction); None if it is not that."""
    low, _, high = (value or "").partition("-")
    if not (low.isdigit() and high.isdigit()) or int(low) > int(high):
        return None
    return int(low), int(high)


def _undo(request: Request) -> Html | None:
    """After forgetting a selection: one button that restores exactly those. The address
    names the forget, not its memories (it listed every id: ~600 characters for a page of 50);
    its mark says this visitor just made it (a crafted `?undo=` shows no button)."""
    batch, mark = request.query_params.get("undo"), request.query_params.get("mark")
    found, span = visitor(request), forget_batch(batch)
    if span is None or found is None or not guard(request).undo_ok(found, [batch or ""], mark):
        return None
    count = span[1] - span[0] + 1
    what = "the memory" if count == 1 else f"the {count} memories"
    return tag(
        "form",
        tag("input", type="hidden", name="csrf", value=csrf(request)),
        tag("input", type="hidden", name="action", value="undo"),
        tag("input", type="hidden", name="batch", value=batch),
        tag("input", type="hidden", name="mark", value=mark),
        tag("button", f"Undo: restore {what} just forgotten", type="submit"),
        method="post",
        action=f"{base(request)}/bulk" + list_path(request)[1:],
    )


def list_path(request: Request) -> str:
    """The list a bulk action was sent from (its parameters ride in the action's address),
    its query, filters and page as they were, without a notice's parameters: where the
    action's notice is shown."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in NOTICE_PARAMS]
    return "/?" + urlencode(kept) if kept else "/"


def redirect(request: Request, path: str, done: str | list[str] | None = None) -> Response:
    """303 See Other after a change, so reloading the page does not repeat it; `done`: the
    codes of the notices it shows (NOTICES)."""
    codes = [done] if isinstance(done, str) else done or []
    sep = "&" if "?" in path else "?"
    url = base(request) + path + (sep + "&".join(f"done={c}" for c in codes) if codes else "")
    return RedirectResponse(url, status_code=303)


def checked_post(
    handler: Callable[[Request, FormData], Awaitable[Response]], login: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """A POST handler that only runs for a same-origin request carrying the page's token
    (for the login form, its own)."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        g = guard(request)
        if not g.same_origin(request):
            raise Refused(403, "Refused: this request came from another site.")
        longest = request.app.state.service.settings.max_content_chars
        try:
            form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=_part(longest))
        except HTTPException as exc:  # Starlette's own words name no way out
            raise _too_much(str(exc.detail), longest) from None
        try:
            token = form.get("csrf")
            sent = token if isinstance(token, str) else None
            if not g.csrf_ok(visitor(request), sent, login):
                raise Refused(403, "Refused: the form's security token is missing or stale.")
            return await handler(request, form)
        finally:
            await form.close()  # uploaded files are closed (and deleted)

    return wrapped


def _part(longest: int) -> int:
    """The largest field a form may carry, in bytes: a memory's longest text, each character
    up to 4 bytes of UTF-8 and a line break sent as two (Starlette's 1 MB default refused the
    edit of a long memory the server had been configured to take)."""
    return max(1024 * 1024, longest * 4 + longest + 64 * 1024)


def _too_much(detail: str, longest: int) -> Refused:
    """What was too much in a form, in words naming the way out."""
    if "fields" in detail.lower():
        return Refused(
            413,
            f"Too much in one form ({detail}): a selection takes at most {MAX_SELECTED:,} "
            "memories at once. Select fewer and apply the action again, or use the command "
            "line (`memory-mcp forget`, `purge`, `move` take ids).",
        )
    return Refused(
        413,
        f"Too much in one form ({detail}): a memory's text may be at most {longest:,} "
        "characters (MEMORY_MCP_MAX_CONTENT_CHARS). Shorten it, or split it into memories "
        "that each say one thing.",
    )


def ids_of(form: FormData, name: str = "id") -> list[int]:
    values = form.getlist(name)
    try:
        return [int(str(v)) for v in values]
    except ValueError:
        raise Refused(400, "Memory ids are whole numbers.") from None


def text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def tags_of(value: str | None) -> list[str]:
    """The tags a form field lists, comma separated; a tag holding a comma is in double
    quotes (`"a, b", c`), a quote in it doubled, as in a CSV line."""
    line = " ".join((value or "").splitlines())
    rows = csv.reader([line], skipinitialspace=True)
    return [t.strip() for row in rows for t in row if t.strip()]


def tags_text(tags: list[str]) -> str:
    """Tags as a form field lists them (read back by tags_of)."""
    quoted = (
        '"' + t.replace('"', '""') + '"' if "," in t or t.startswith('"') else t for t in tags
    )
    return ", ".join(quoted)
