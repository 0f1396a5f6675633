"""Find: one search box running the real recall (mode shown), or, without a query, every
memory newest first, paged by keyset; both filtered; a selection takes bulk actions."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import Response

from memory_mcp.adapters.ui.common import (
    TAGS_LABEL,
    Refused,
    base,
    csrf,
    list_path,
    render,
    run,
    service,
    tags_of,
)
from memory_mcp.adapters.ui.html import (
    Html,
    button,
    checkbox,
    field,
    form,
    join,
    select,
    tag,
)
from memory_mcp.errors import MemoryMCPError
from memory_mcp.models import KINDS, Memory, RecallResult
from memory_mcp.policies.inputs import MAX_ID
from memory_mcp.service import MemoryService
from memory_mcp.timestamps import format_time

PAGE = 50
PREVIEW = 240
MAX_ZONE_CHARS = 64  # the longest IANA zone name is 32


@dataclass(frozen=True)
class Picked:
    """A refused bulk action as it was sent: shown again, selected and typed as it was,
    with why beside it."""

    ids: frozenset[int] = frozenset()
    action: str = "forget"
    to: str = ""
    problem: str | None = None
    status: int = 400


def _picked(request: Request) -> Picked:
    found = getattr(request.state, "picked", None)
    return found if isinstance(found, Picked) else Picked()


def preview(text: str, limit: int = PREVIEW) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def when(moment: datetime | None, exact: bool = False) -> Html | str:
    """A moment as a <time>: written in UTC (to the minute, to the second where `exact`),
    which ui.js shows in the browser's timezone, the exact moment in its tooltip."""
    if moment is None:
        return ""
    iso = format_time(moment)
    shown = iso[: 19 if exact else 16].replace("T", " ") + " UTC"
    return tag("time", shown, datetime=iso, title=iso, data_exact=exact or None)


def local_time(value: str | None, zone_name: str | None, end: bool = False) -> str | None:
    """A date or date and time typed without an offset, read in the browser's timezone (its
    name sent by ui.js as `tz`), as the page shows times: "until 2026-03-02" ends where that
    day ends there. Other phrases ("7d", "yesterday"), an offset, or no known zone: as typed
    (UTC)."""
    text = (value or "").strip()
    if not text or not zone_name or len(zone_name) > MAX_ZONE_CHARS:
        return text or None
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name no file can have
        return text
    try:
        day = date.fromisoformat(text)
        moment = datetime(day.year, day.month, day.day, tzinfo=zone)
        if end:
            moment += timedelta(days=1)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        if moment.tzinfo is not None:
            return text
        moment = moment.replace(tzinfo=zone)
    except OverflowError:  # the last day there is
        return text
    try:
        return moment.astimezone(UTC).isoformat()
    except OverflowError:  # before year 1 or past 9999 in UTC: as typed, read in UTC
        return text


def _cursor(value: str) -> tuple[datetime, int] | None:
    if not value:
        return None
    at, _, ident = value.rpartition("~")
    damaged = Refused(400, "That page link is damaged; start from the first page.")
    try:
        moment, last = datetime.fromisoformat(at), int(ident)
        if moment.tzinfo is not None:  # as the store compares it: one past year 1 or 9999
            moment = moment.astimezone(UTC)  # in UTC is no time a memory has
    except (ValueError, OverflowError):
        raise damaged from None
    if not 1 <= last <= MAX_ID:  # else the database cannot take the number: a server error
        raise damaged
    return moment, last


async def find(request: Request, picked: Picked | None = None) -> Response:
    """`picked`: a refused bulk action, shown again over the page it came from (its
    filters ride along in the bulk form's address)."""
    request.state.picked = picked or Picked()
    q = request.query_params
    args: dict[str, Any] = {
        "scope": q.get("scope") or "*",  # every scope, whatever project is configured
        "kind": q.get("kind") or None,
        "tags": tags_of(q.get("tags")),
        "since": local_time(q.get("since"), q.get("tz")),
        "until": local_time(q.get("until"), q.get("tz"), end=True),
    }
    time_field = "recorded" if q.get("time") == "recorded" else "occurred"
    forgotten, superseded = q.get("forgotten") == "on", q.get("superseded") == "on"
    query = (q.get("q") or "").strip()
    tab = f"{preview(query, 60)} – Find" if query else None  # tabs and history apart
    svc = service(request)
    scopes = await run(svc.scopes)
    filters = _filters(request, scopes, time_field, forgotten, superseded)
    try:
        results = await _results_for(request, svc, query, args, time_field, forgotten, superseded)
    except (Refused, MemoryMCPError) as exc:  # a filter it cannot read: say so above them
        message = exc.message if isinstance(exc, Refused) else str(exc)
        alert = tag("p", message, class_="error", role="alert")
        return render(request, "Find", join([alert, filters]), nav="find", status=400, tab=tab)
    status = 200 if picked is None or picked.problem is None else picked.status
    body = join([filters, results])
    return render(request, "Find", body, nav="find", status=status, tab=tab)


async def _results_for(
    request: Request,
    svc: MemoryService,
    query: str,
    args: dict[str, Any],
    time_field: str,
    forgotten: bool,
    superseded: bool,
) -> Html:
    """Recall's hits for a query, else a page of every memory the filters match."""
    if query:
        found = await run(
            svc.recall,
            query,
            PAGE,
            **args,
            time_field=time_field,
            include_superseded=superseded,
            max_tokens=None,
        )
        return _hits(request, found, forgotten)
    flt = await run(
        svc.make_filter,
        **args,
        include_forgotten=forgotten,
        include_superseded=superseded,
        time_field=time_field,
    )
    after = _cursor(request.query_params.get("after", ""))
    newest = request.query_params.get("order") != "oldest"
    page = await run(svc.list_memories, flt, PAGE + 1, after=after, newest_first=newest)
    total = await run(svc.count, flt)
    everything = total
    if total == 0:  # why nothing shows: an empty store, or the filters
        every = await run(
            svc.make_filter, scope="*", include_forgotten=True, include_superseded=True
        )
        everything = await run(svc.count, every)
    return _browse(request, page, total, after is not None, everything)


def _filters(
    request: Request, scopes: dict[str, int], time_field: str, forgotten: bool, sup: bool
) -> Html:
    q = request.query_params
    chosen = q.get("scope", "")
    # a scope with no current memory (all forgotten, say) is still the one filtered on: left
    # out, the box would read "every scope" and the next search would drop the filter
    if chosen and chosen not in scopes:
        scopes = {**scopes, chosen: 0}
    scope_options = [("", "every scope"), *((s, f"{s} ({n})") for s, n in scopes.items())]
    return tag(
        "form",
        tag(
            "div",
            field(
                "Search (recall)",
                "q",
                q.get("q", ""),
                type="search",
                autofocus=True,
                placeholder="what do you want to find?",
            ),
            button("Search"),
            class_="searchbar",
        ),
        tag(
            "fieldset",
            tag("legend", "Filters"),
            select("Scope", "scope", scope_options, chosen),
            select("Kind", "kind", [("", "any kind"), *((k, k) for k in KINDS)], q.get("kind", "")),
            field(TAGS_LABEL, "tags", q.get("tags", "")),
            field("Since", "since", q.get("since", ""), placeholder="2026-01-01 or 7d"),
            field("Until", "until", q.get("until", ""), placeholder="2026-02-01"),
            # ui.js names the browser's timezone here when a date is sent (see local_time)
            tag("input", type="hidden", name="tz", value=q.get("tz", ""), disabled=True),
            select(
                "Time",
                "time",
                [("occurred", "when it happened"), ("recorded", "when recorded")],
                time_field,
            ),
            select(
                "Order (without a query)",
                "order",
                [("newest", "newest first"), ("oldest", "oldest first")],
                "oldest" if q.get("order") == "oldest" else "newest",
            ),
            checkbox("Forgotten too", "forgotten", forgotten),
            checkbox("Superseded too", "superseded", sup),
            class_="filters",
        ),
        method="get",
        action=f"{base(request)}/",
        role="search",
    )


def _row(request: Request, ident: int, text: str, cells: list[Any], marks: list[str]) -> Html:
    link = tag("a", f"#{ident}", href=f"{base(request)}/m/{ident}")
    pick = tag(
        "input",
        type="checkbox",
        name="id",
        value=ident,
        checked=ident in _picked(request).ids,
        form="bulk",
        aria_label=f"select memory {ident}",
        class_="pick",
    )
    badges = [tag("span", m, class_=f"badge {m}") for m in marks]
    return tag(
        "tr",
        tag("td", pick),
        tag("td", link),
        tag("td", tag("span", preview(text), class_="memtext"), badges),
        [tag("td", c) for c in cells],
    )


def _name(scope: str) -> Html:
    """A scope in a cell: it wraps where the short cells (kind, score, time) do not."""
    return tag("span", scope, class_="name")


def _marks(memory: Memory) -> list[str]:
    marks = ["forgotten"] if memory.forgotten_at else []
    return marks + (["superseded"] if memory.superseded else [])


def _hits(request: Request, found: RecallResult, forgotten: bool) -> Html:
    head = tag(
        "p",
        f"Recall, {found.mode} mode: {_count(len(found.hits), 'memory', 'memories')} found.",
        f" Recall shows the best {PAGE} at most: add words or filters to narrow it, or clear "
        "the query to page through every memory."
        if len(found.hits) >= PAGE
        else "",
        f" {found.note}" if found.note else "",
        " (Recall never returns forgotten memories; clear the query to browse them.)"
        if forgotten
        else "",
        class_="mode",
        role="status",
    )
    rows = [
        _row(
            request,
            h.id,
            h.content,
            [h.kind, _name(h.scope), f"{h.score:.2f}", when(h.created_at)],
            ["superseded"] if h.superseded else [],
        )
        for h in found.hits
    ]
    empty = (
        "Nothing found. Recall matches words and meaning (words only while the model loads): "
        "try other words, or clear a filter."
    )
    return join([head, _results(request, ["kind", "scope", "score", "recorded"], rows, empty)])


def _browse(
    request: Request, page: list[Memory], total: int, deeper: bool, everything: int
) -> Html:
    more = len(page) > PAGE
    page = page[:PAGE]
    rows = [
        _row(request, m.id, m.content, [m.kind, _name(m.scope), when(m.created_at)], _marks(m))
        for m in page
    ]
    order = "newest" if request.query_params.get("order") != "oldest" else "oldest"
    said = f"{_count(total, 'memory', 'memories')}, {order} first (by when recorded)."
    head = tag("p", said, class_="mode", role="status")
    nav = []
    if deeper:
        nav.append(tag("a", "First page", href=_page_link(request, None)))
    if more:
        last = page[-1]
        onward = "Older →" if order == "newest" else "Newer →"
        nav.append(tag("a", onward, href=_page_link(request, last), rel="next"))
    pager = tag("nav", nav, aria_label="Pages", class_="pager")
    if everything == 0:
        empty = (
            "No memories yet. Your assistant stores them as you work (its remember tool); "
            "to bring some in from a file, use Data."
        )
    else:
        empty = (
            f"Nothing matches these filters ({_count(everything, 'memory', 'memories')} in "
            "all). Clear a filter, or tick Forgotten too and Superseded too."
        )
    return join([head, _results(request, ["kind", "scope", "recorded"], rows, empty), pager])


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _page_link(request: Request, last: Memory | None) -> str:
    params = {k: v for k, v in request.query_params.items() if k not in ("after", "done")}
    if last is not None:
        params["after"] = f"{last.created_at.isoformat()}~{last.id}"
    return f"{base(request)}/?{urlencode(params)}"


def _results(request: Request, headers: list[str], rows: list[Html], empty: str) -> Html:
    if not rows:  # a refused action (an undo, from a page left empty) still says why
        problem = _picked(request).problem
        alert = tag("p", problem, class_="error", role="alert") if problem else None
        return join([alert, tag("p", empty, class_="empty")])
    actions = [
        ("forget", "Forget"),
        ("restore", "Restore"),
        ("move", "Move to scope…"),
        ("purge", "Purge (asks first)"),
    ]
    picked = _picked(request)
    here = list_path(request)[2:]
    bulk = form(
        f"{base(request)}/bulk" + (f"?{here}" if here else ""),
        csrf(request),
        tag("p", picked.problem, class_="error", role="alert") if picked.problem else None,
        tag("span", "With the selected:", class_="label"),
        select("Action", "action", actions, picked.action),
        tag(
            "div",
            tag("label", "Scope to move to", for_="f-to"),
            tag("input", id="f-to", name="to", value=picked.to),
            class_="field",
        ),
        button("Apply"),
        id="bulk",
        class_="bulk",
    )
    table = tag(
        "table",
        tag(
            "thead",
            tag(
                "tr",
                tag(
                    "th",
                    tag("input", type="checkbox", class_="pick-all", aria_label="select all shown"),
                    scope="col",
                ),
                tag("th", "id", scope="col"),
                tag("th", "memory", scope="col"),
                [tag("th", h, scope="col") for h in headers],
            ),
        ),
        tag("tbody", rows),
        class_="results",
    )
    return join([bulk, table])
