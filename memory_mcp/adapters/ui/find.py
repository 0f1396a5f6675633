"""Find: one search box running the real recall (mode shown, paged), or, without a query,
every memory newest first, paged by keyset both ways; both filtered; a selection takes bulk
actions."""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from memory_mcp.adapters.ui.clock import local_time, page_zone, reference, when, zone_label
from memory_mcp.adapters.ui.common import TAGS_LABEL, Refused, base, render, run, service, tags_of
from memory_mcp.adapters.ui.html import Html, button, checkbox, field, join, select, tag
from memory_mcp.adapters.ui.listing import Picked, count, marks, name, preview, results, row
from memory_mcp.errors import MemoryMCPError
from memory_mcp.models import KINDS, Memory, MemoryFilter, RecallResult
from memory_mcp.names import invisible_note, printed_name
from memory_mcp.policies.inputs import MAX_ID
from memory_mcp.service import MemoryService

PAGE = 50
MAX_START = 10_000  # recall ranks a few hundred candidates at most: past this is past them all
# not carried to another page ("mode": the recall mode the page before was ranked in)
PAGING = ("after", "before", "start", "mode", "done", "undo", "mark")

Cursor = tuple[datetime, int]


def _cursor(value: str) -> Cursor | None:
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


def _start(value: str) -> int:
    if not value:
        return 0
    # ASCII digits only: str.isdigit() takes a superscript "²" too, which int() cannot read
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_START:
        raise Refused(400, "That page link is damaged; start from the first page.")
    return int(value)


async def find(request: Request, picked: Picked | None = None) -> Response:
    """`picked`: a refused bulk action, shown again over the page it came from (its
    filters ride along in the bulk form's address)."""
    request.state.picked = picked or Picked()
    q = request.query_params
    zone = page_zone(request)
    args: dict[str, Any] = {
        "scope": q.get("scope") or "*",  # every scope, whatever project is configured
        "kind": q.get("kind") or None,
        "tags": tags_of(q.get("tags")),
        "since": local_time(q.get("since"), zone),
        "until": local_time(q.get("until"), zone, end=True),
        "reference_time": reference(zone),  # "yesterday" on the visitor's calendar
    }
    time_field = "recorded" if q.get("time") == "recorded" else "occurred"
    forgotten, superseded = q.get("forgotten") == "on", q.get("superseded") == "on"
    query = (q.get("q") or "").strip()
    tab = f"{preview(query, 60)} – Find" if query else None  # tabs and history apart
    svc = service(request)
    scopes = await run(svc.scopes)
    filters = _filters(request, scopes, time_field, forgotten, superseded)
    dated = (q.get("since") or "").strip() or (q.get("until") or "").strip()
    said = f"Since and Until read in {zone_label(zone)}." if dated else None
    zone_note = tag("p", said, class_="zone", data_zone=zone_label(zone)) if said else None
    try:
        results = await _results_for(request, svc, query, args, time_field, forgotten, superseded)
    except (Refused, MemoryMCPError) as exc:  # a filter it cannot read: say so above them
        message = exc.message if isinstance(exc, Refused) else str(exc)
        alert = tag("p", message, class_="error", role="alert")
        body = join([alert, filters, zone_note])
        return render(request, "Find", body, nav="find", status=400, tab=tab)
    status = 200 if picked is None or picked.problem is None else picked.status
    body = join([filters, zone_note, results])
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
        start = _start(request.query_params.get("start", ""))
        ask = dict(args, time_field=time_field, include_superseded=superseded, max_tokens=None)
        found = await run(svc.recall, query, PAGE, **ask, offset=start)
        onward = start + len(found.hits)
        more = found.omitted > 0  # left out to fit the reply: the next page starts there
        if not more and len(found.hits) == PAGE and onward <= MAX_START:
            more = bool((await run(svc.recall, query, PAGE, **ask, offset=onward)).hits)
        return _hits(request, found, forgotten, start, more)
    flt = await run(
        svc.make_filter,
        **args,
        include_forgotten=forgotten,
        include_superseded=superseded,
        time_field=time_field,
    )
    total = await run(svc.count, flt)
    everything = total
    if total == 0:  # why nothing shows: an empty store, or the filters
        every = await run(
            svc.make_filter, scope="*", include_forgotten=True, include_superseded=True
        )
        everything = await run(svc.count, every)
    page, earlier, later = await _page(request, svc, flt)
    first = 1  # the place of the page's first row: those ahead of it in the list's order
    if earlier and page:
        newest = request.query_params.get("order") != "oldest"
        key = (page[0].created_at, page[0].id)
        first += await run(svc.count, flt, before=key, newest_first=newest)
    return _browse(request, page, total, everything, earlier, later, first)


async def _page(
    request: Request, svc: MemoryService, flt: MemoryFilter
) -> tuple[list[Memory], bool, bool]:
    """The page a link asks for (`after` the last one shown, or `before` the first), in the
    list's order, and whether rows come before it and after it. Keyset both ways: a memory
    recorded meanwhile neither repeats nor skips a row in either direction."""
    q = request.query_params
    newest = q.get("order") != "oldest"
    after, before = _cursor(q.get("after", "")), _cursor(q.get("before", ""))
    if before is not None and after is None:
        got = await run(svc.list_memories, flt, PAGE + 1, after=before, newest_first=not newest)
        if len(got) > PAGE:
            page = list(reversed(got[:PAGE]))
            return page, True, await _any(svc, flt, page[-1], newest)
        after = None  # back at the start: the first page, full
    got = await run(svc.list_memories, flt, PAGE + 1, after=after, newest_first=newest)
    page = got[:PAGE]
    earlier = after is not None and bool(page) and await _any(svc, flt, page[0], not newest)
    return page, earlier or (after is not None and not page), len(got) > PAGE


async def _any(svc: MemoryService, flt: MemoryFilter, past: Memory, newest: bool) -> bool:
    """Whether a memory comes after `past` in that order."""
    key = (past.created_at, past.id)
    return bool(await run(svc.list_memories, flt, 1, after=key, newest_first=newest))


def _filters(
    request: Request, scopes: dict[str, int], time_field: str, forgotten: bool, sup: bool
) -> Html:
    q = request.query_params
    chosen = q.get("scope", "")
    # invisible characters, which scope names never keep, said, not dropped unseen (the
    # filter reads `te<U+202E>am` as `team`): the box shows the scope it reads
    said = invisible_note(chosen)
    chosen = printed_name(chosen) if said else chosen
    # a scope with no current memory (all forgotten, say) is still the one filtered on: left
    # out, the box would read "every scope" and the next search would drop the filter
    if chosen and chosen not in scopes:
        scopes = {**scopes, chosen: 0}
    scope_options = [("", "every scope"), *((s, f"{s} ({n})") for s, n in scopes.items())]
    return tag(
        "form",
        tag(
            "div",
            # focused by ui.js only where typing is the next step (not on every page load)
            field(
                "Search (recall)",
                "q",
                q.get("q", ""),
                type="search",
                placeholder="what do you want to find?",
            ),
            button("Search"),
            class_="searchbar",
        ),
        tag(
            "details",
            # ui.js folds it on a phone-wide screen: the results, not the filters, first
            tag("summary", f"Filters ({_set(q)} set)" if _set(q) else "Filters"),
            _fieldset(q, scope_options, chosen, time_field, forgotten, sup),
            open=True,
            class_="filters-box",
        ),
        tag("p", f"The {said}.", class_="error", role="status") if said else None,
        _clear(request) if _set(q) else None,
        method="get",
        action=f"{base(request)}/",
        role="search",
    )


def _clear(request: Request) -> Html:
    """Back to no filter, the query kept (folded on a phone, they took a tap each)."""
    query = request.query_params.get("q", "")
    here = f"{base(request)}/" + (f"?{urlencode({'q': query})}" if query else "")
    return tag("p", tag("a", "Clear filters", href=here), class_="clear")


def _set(q: QueryParams) -> int:
    """How many filters differ from a fresh Find's (said on the folded filters)."""
    named = ["scope", "kind", "tags", "since", "until", "forgotten", "superseded", "exact"]
    given = sum(1 for k in named if (q.get(k) or "").strip())
    return given + (q.get("time") == "recorded") + (q.get("order") == "oldest")


def _fieldset(
    q: QueryParams,
    scope_options: list[tuple[str, str]],
    chosen: str,
    time_field: str,
    forgotten: bool,
    sup: bool,
) -> Html:
    return tag(
        "fieldset",
        tag("legend", "Filters"),
        select("Scope", "scope", scope_options, chosen),
        select("Kind", "kind", [("", "any kind"), *((k, k) for k in KINDS)], q.get("kind", "")),
        field(TAGS_LABEL, "tags", q.get("tags", "")),
        field("Since", "since", q.get("since", ""), placeholder="2026-01-01 or 7d"),
        field("Until", "until", q.get("until", ""), placeholder="2026-02-01"),
        # ui.js names the browser's timezone here when a date is sent (see clock.py)
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
        checkbox("Exact times (to the second, and in UTC)", "exact", q.get("exact") == "on"),
        class_="filters",
    )


def _exact(request: Request) -> bool:
    return request.query_params.get("exact") == "on"


def _hits(request: Request, found: RecallResult, forgotten: bool, start: int, more: bool) -> Html:
    shown = len(found.hits)
    if start or more:
        what = f"results {start + 1:,}–{start + shown:,}" if shown else f"no results past {start:,}"
        what += ", more on the next page" if more else ", the last"
    else:
        what = f"{count(shown, 'memory', 'memories')} found"
    head = tag(
        "p",
        f"Recall, {found.mode} mode: {what}.",
        f" {found.note}" if found.note else "",
        " (Recall never returns forgotten memories; clear the query to browse them.)"
        if forgotten
        else "",
        class_="mode",
        role="status",
    )
    before = request.query_params.get("mode")
    if start and before in ("keyword", "hybrid") and before != found.mode:
        # the model finished loading (or failed) between two pages: a new ranking
        changed = (
            f"The page before was ranked in {before} mode, this one in {found.mode} mode: "
            "results may repeat or be missed between them. "
        )
        again = tag("a", "Start again from the first results", href=_link(request))
        head = join([head, tag("p", changed, again, class_="error", role="alert")])
    exact = _exact(request)
    rows = [
        row(
            request,
            h.id,
            h.content,
            [
                ("kind", h.kind),
                ("scope", name(h.scope)),
                ("score", f"{h.score:.2f}"),
                ("recorded", when(h.created_at, exact)),
            ],
            ["superseded"] if h.superseded else [],
            _later(request, h.newer),
        )
        for h in found.hits
    ]
    empty = (
        "Nothing found. Recall matches words and meaning (words only while the model loads): "
        "try other words, or clear a filter."
    )
    nav = []
    if start:
        nav.append(tag("a", "First results", href=_link(request)))
        back = {"start": str(max(0, start - PAGE)), "mode": found.mode} if start > PAGE else {}
        nav.append(tag("a", "← Previous results", href=_link(request, back), rel="prev"))
    if more:
        onward = {"start": str(start + shown), "mode": found.mode}
        nav.append(tag("a", "Next results →", href=_link(request, onward), rel="next"))
    table = results(request, ["kind", "scope", "score", "recorded"], rows, empty)
    return join([head, _pager(nav, "top"), table, _pager(nav)])


def _later(request: Request, newer: int | None) -> Html | None:
    """A hit that a later hit may update links to it (recall's `newer`)."""
    if newer is None:
        return None
    later = tag("a", f"later: #{newer}", href=f"{base(request)}/m/{newer}")
    return tag("span", later, class_="badge newer", title="A later memory may update this one")


def _pager(links: list[Html], where: str = "") -> Html | None:
    """The page links, above the list too (else 100 checkboxes and links away by Tab)."""
    if not links:
        return None
    label = "Pages (above the list)" if where else "Pages"
    return tag("nav", links, aria_label=label, class_=f"pager {where}".strip())


def _browse(
    request: Request,
    page: list[Memory],
    total: int,
    everything: int,
    earlier: bool,
    later: bool,
    first: int = 1,
) -> Html:
    """`first`: the place of the page's first row in the whole list."""
    exact = _exact(request)
    rows = [
        row(
            request,
            m.id,
            m.content,
            [("kind", m.kind), ("scope", name(m.scope)), ("recorded", when(m.created_at, exact))],
            marks(m),
        )
        for m in page
    ]
    newest = request.query_params.get("order") != "oldest"
    order = "newest" if newest else "oldest"
    where = _whereabouts(page, total, first, earlier or later)
    said = f" {'memory' if total == 1 else 'memories'}, {order} first (by when recorded)."
    head = tag("p", where, said, class_="mode", role="status")
    back, onward = ("Newer", "Older") if newest else ("Older", "Newer")
    nav = []
    if earlier:
        nav.append(tag("a", "First page", href=_link(request)))
        if page:
            before = {"before": _key(page[0])}
            nav.append(tag("a", f"← {back}", href=_link(request, before), rel="prev"))
    if later:
        after = {"after": _key(page[-1])}
        nav.append(tag("a", f"{onward} →", href=_link(request, after), rel="next"))
    if everything == 0:
        empty = (
            "No memories yet. Your assistant stores them as you work (its remember tool); "
            "to bring some in from a file, use Data."
        )
    else:
        empty = (
            f"Nothing matches these filters ({count(everything, 'memory', 'memories')} in "
            "all). Clear a filter, or tick Forgotten too and Superseded too."
        )
    table = results(request, ["kind", "scope", "recorded"], rows, empty)
    return join([head, _pager(nav, "top"), table, _pager(nav)])


def _whereabouts(page: list[Memory], total: int, first: int, paged: bool) -> Html:
    """Which rows of the list this page shows ("Rows 201–250 of 3,140"), counted when the
    page is read: a memory recorded meanwhile moves the rows after it, and the page says so;
    a list on one page: its count alone."""
    if not page or not paged:
        return tag("span", f"{total:,}", class_="rows")
    last = first + len(page) - 1
    # counted a moment apart: one recorded in between is in the place, not yet in the total
    return tag("span", f"Rows {first:,}–{last:,} of {max(total, last):,}", class_="rows")


def _key(memory: Memory) -> str:
    return f"{memory.created_at.isoformat()}~{memory.id}"


def _link(request: Request, paging: dict[str, str] | None = None) -> str:
    """This list with every filter kept, at another page (`paging`; none: the first)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in PAGING]
    params += list((paging or {}).items())
    return f"{base(request)}/?{urlencode(params)}"
