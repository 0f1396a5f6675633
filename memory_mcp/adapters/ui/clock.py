"""Times on the pages: a moment as a <time> the browser shows in its own timezone, and the
dates typed in a form read in that timezone (named by the page: the `tz` field or cookie)."""

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request

from memory_mcp.adapters.ui.html import Html, tag
from memory_mcp.policies.times import wall_time
from memory_mcp.timestamps import format_time

MAX_ZONE_CHARS = 64  # the longest IANA zone name is 32
ZONE_COOKIE = "memory_mcp_tz"  # ui.js names the browser's timezone in it on every page


def zone_cookie(request: Request) -> str:
    """The timezone cookie's name on this server: its port's, as ui.js names it (a browser
    sends a host's cookies to every port of it, so another UI there would set this one's)."""
    return f"{ZONE_COOKIE}_{request.url.port or request.url.scheme}"


def when(moment: datetime | None, exact: bool = False) -> Html | str:
    """A moment as a <time>: written in UTC (to the minute, to the second where `exact`),
    which ui.js shows in the browser's timezone; `exact` shows the UTC moment beside it too
    (on the page, not only in the tooltip, which no keyboard or finger can open)."""
    if moment is None:
        return ""
    iso = format_time(moment)
    shown = iso[: 19 if exact else 16].replace("T", " ") + " UTC"
    return tag("time", shown, datetime=iso, title=iso, data_exact=exact or None)


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA timezone `name` names, or None (none given, or not one)."""
    if not name or len(name) > MAX_ZONE_CHARS:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name no file can have
        return None


def page_zone(request: Request, sent: str | None = None) -> ZoneInfo | None:
    """The visitor's timezone: the one a form or link names (`sent`, else `tz` in the
    address), else the one the page named in its cookie; None: unknown (dates read in UTC)."""
    given = sent if sent is not None else request.query_params.get("tz")
    return zone_named(given) or zone_named(request.cookies.get(zone_cookie(request)))


def local_time(value: str | None, zone: tzinfo | None, end: bool = False) -> str | None:
    """A date or date and time typed without an offset, ISO-8601 or written ("2 Mar 2026",
    "March 2, 2026 8:30 am"), read in the visitor's timezone, as the page shows times:
    "until 2026-03-02" ends where that day ends there. Other phrases ("7d", "yesterday":
    read against now there, see reference), an offset, or no known zone: as typed."""
    text = (value or "").strip()
    if not text or zone is None:
        return text or None
    typed = wall_time(text)
    if typed is None:
        return text
    moment, whole_day = typed
    try:
        moment = moment.replace(tzinfo=zone)
        if whole_day and end:
            moment += timedelta(days=1)
        return moment.astimezone(UTC).isoformat()
    except OverflowError:  # past the last day, or before year 1 or past 9999 in UTC: as typed
        return text


def reference(zone: tzinfo | None) -> datetime | None:
    """Now on the visitor's calendar, which "yesterday" and "last week" are read against
    (policies/times.py); None: UTC's."""
    return None if zone is None else datetime.now(zone)


def zone_label(zone: ZoneInfo | None) -> str:
    return "UTC" if zone is None else zone.key
