"""Overview: the current keyed facts (the profile), the themes `summarize` finds, counts by
scope and kind, and memories recorded per month by kind as an inline SVG chart (no CDN)."""

from datetime import UTC, datetime, tzinfo

from starlette.requests import Request
from starlette.responses import Response

from memory_mcp.adapters.ui.clock import page_zone, zone_label
from memory_mcp.adapters.ui.common import base, render, run, service
from memory_mcp.adapters.ui.html import Html, join, table, tag
from memory_mcp.adapters.ui.listing import preview
from memory_mcp.models import KINDS
from memory_mcp.service import MemoryService
from memory_mcp.service.profile import Profile
from memory_mcp.timestamps import month_text

MONTHS = 12
COLORS = dict(
    zip(KINDS, ("#1f6feb", "#a0522d", "#2e8b57", "#b8860b", "#6a5acd", "#708090"), strict=True)
)


async def overview(request: Request) -> Response:
    svc = service(request)
    stats = await run(svc.stats)
    profile = await run(svc.profile, "*")  # every scope the visitor may read
    summary = await run(svc.summarize, None, "*", limit=8)  # every scope
    zone = page_zone(request)  # the visitor's months, as the pages show times
    months, series = await run(timeline, svc, [k for k in KINDS if k in stats.by_kind], zone)
    counts = table(
        ["", "memories"],
        [
            ("visible to recall", f"{stats.active:,}"),
            ("forgotten", f"{stats.forgotten:,}"),
            ("superseded", f"{stats.superseded:,}"),
            ("in all", f"{stats.total:,}"),
        ],
        caption=f"Search mode: {stats.mode}",
    )
    themes = [
        tag(
            "li",
            tag("strong", c.label),
            f" ({c.count}): ",
            preview(c.statement, 200),
            " ",
            tag("a", f"#{c.representative_id}", href=f"{base(request)}/m/{c.representative_id}"),
        )
        for c in summary.clusters
    ]
    body = join(
        [
            tag("h2", "Profile: current keyed facts"),
            _profile(request, profile),
            tag("h2", "Themes"),
            tag("ul", themes) if themes else tag("p", "Nothing to summarize yet."),
            tag("h2", "Counts"),
            tag(
                "div",
                counts,
                table(["scope", "visible"], _counted(stats.by_scope), caption="By scope"),
                table(["kind", "visible"], _counted(stats.by_kind), caption="By kind"),
                class_="counts",
            ),
            tag("h2", "Memories recorded per month"),
            tag("p", f"Months in {zone_label(zone)}.", class_="zone", data_zone=zone_label(zone)),
            chart(months, series),
        ]
    )
    return render(request, "Overview", body, nav="overview")


def _profile(request: Request, profile: Profile) -> Html:
    entries = sorted(
        (e for group in profile.groups.values() for e in group), key=lambda e: (e.scope, e.key)
    )
    if not entries:
        return tag("p", "No keyed facts yet (memories stored with a key, like editor or name).")
    # a key, a scope and an id break only between words (else "stagin" over "g-db-0" beside
    # a long value on a phone); the value anywhere; a key too long for the screen scrolls
    # its table, not the page
    rows = [
        (
            tag("span", e.key, class_="name"),
            tag("span", e.scope, class_="name"),
            tag("span", preview(e.value, 160), class_="memtext", dir="auto"),
            tag("a", f"#{e.id}", href=f"{base(request)}/m/{e.id}", class_="name"),
        )
        for e in entries
    ]
    return tag("div", table(["key", "scope", "value", ""], rows), class_="scroll")


def _counted(counts: dict[str, int]) -> list[tuple[str, str]]:
    return [(name, f"{n:,}") for name, n in counts.items()]


def month_starts(now: datetime, count: int = MONTHS) -> list[datetime]:
    """The first instant of each of the last `count` months, and of the next one, on the
    calendar of `now`'s timezone."""
    year, month = now.year, now.month
    starts = []
    for back in range(count - 1, -2, -1):
        y, m = divmod((year * 12 + month - 1) - back, 12)
        starts.append(datetime(y, m + 1, 1, tzinfo=now.tzinfo))
    return starts


def timeline(
    svc: MemoryService, kinds: list[str], zone: tzinfo | None = None
) -> tuple[list[datetime], dict[str, list[int]]]:
    """Visible memories recorded in each month of `zone`'s calendar (None: UTC's), per kind:
    service counts, one per cell."""
    starts = month_starts(datetime.now(zone or UTC))
    series = {
        kind: [
            svc.count(svc.make_filter(kind=kind, since=a, until=b, time_field="recorded"))
            for a, b in zip(starts, starts[1:], strict=False)
        ]
        for kind in kinds
    }
    return starts[:-1], series


def chart(months: list[datetime], series: dict[str, list[int]]) -> Html:
    """Stacked bars, one per month, a colour per kind; each bar segment titled with its count,
    and the same figures in a table for screen readers."""
    width, height, pad, axis = 720, 220, 30, 20
    totals = [sum(col) for col in zip(*series.values(), strict=True)] or [0] * len(months)
    if not any(totals):  # an axis and a "1" over nothing read as a broken picture
        return tag("p", f"None recorded in the last {len(months)} months.", class_="empty")
    top = max(totals, default=0) or 1
    slot = (width - pad) / max(len(months), 1)
    shapes: list[Html] = [
        tag("line", x1=pad, y1=height - axis, x2=width, y2=height - axis, stroke="#888")
    ]
    shapes.append(tag("text", str(top), x=2, y=12, font_size=11, fill="currentColor"))
    for i, month in enumerate(months):
        x, y = pad + i * slot + 4, float(height - axis)
        for kind, counts in series.items():
            h = (height - axis - 16) * counts[i] / top
            if counts[i]:
                y -= h
                shapes.append(
                    tag(
                        "rect",
                        tag("title", f"{month_text(month)} {kind}: {counts[i]}"),
                        x=f"{x:.1f}",
                        y=f"{y:.1f}",
                        width=f"{slot - 8:.1f}",
                        height=f"{h:.1f}",
                        fill=COLORS[kind],
                    )
                )
        shapes.append(
            tag(
                "text", f"{month:%b}", x=f"{x:.1f}", y=height - 5, font_size=11, fill="currentColor"
            )
        )
    svg = tag(
        "svg",
        shapes,
        viewBox=f"0 0 {width} {height}",
        role="img",
        class_="chart",
        aria_label="Memories recorded per month by kind (figures in the table below)",
    )
    return join([svg, _legend(months, series, totals)])


def _legend(months: list[datetime], series: dict[str, list[int]], totals: list[int]) -> Html:
    legend = tag(
        "ul",
        [
            tag(
                "li",
                tag(
                    "svg",
                    tag("rect", width=12, height=12, fill=COLORS[k]),
                    width=12,
                    height=12,
                    aria_hidden="true",
                ),
                f" {k}",
            )
            for k in series
        ],
        class_="legend",
    )
    figures = tag(
        "details",
        tag("summary", "The figures"),
        table(
            ["month", *series, "all"],
            [
                (month_text(m), *(series[k][i] for k in series), totals[i])
                for i, m in enumerate(months)
            ],
        ),
    )
    return join([legend, figures])
