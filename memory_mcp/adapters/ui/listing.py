"""A list of memories on Find: one row a memory (its own checkbox, its link, its text, the
columns), under the form that acts on the ones selected."""

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from memory_mcp.adapters.ui.common import base, csrf, list_path
from memory_mcp.adapters.ui.html import Child, Html, button, form, join, tag
from memory_mcp.models import Memory
from memory_mcp.policies import controls

PREVIEW = 240


@dataclass(frozen=True)
class Picked:
    """A refused bulk action as it was sent: shown again, selected and typed as it was,
    with why beside it."""

    ids: frozenset[int] = frozenset()
    action: str = "forget"
    to: str = ""
    problem: str | None = None
    status: int = 400


def picked(request: Request) -> Picked:
    found = getattr(request.state, "picked", None)
    return found if isinstance(found, Picked) else Picked()


def preview(text: str, limit: int = PREVIEW) -> str:
    flat = controls.one_line(text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def name(scope: str) -> Html:
    """A scope in a cell: it wraps where the short cells (kind, score, time) do not."""
    return tag("span", scope, class_="name")


def marks(memory: Memory) -> list[str]:
    found = ["forgotten"] if memory.forgotten_at else []
    return found + (["superseded"] if memory.superseded else [])


def row(
    request: Request,
    ident: int,
    text: str,
    cells: list[tuple[str, Any]],
    badges: list[str],
    after: Child = None,
) -> Html:
    """A memory's row; each cell (column name, value) carries its column's name, shown only
    where the column headers are not (a phone-wide window, where each row is a block).
    `after`: what follows its badges (a recall hit's later value)."""
    link = tag("a", f"#{ident}", href=f"{base(request)}/m/{ident}")
    pick = tag(
        "input",
        type="checkbox",
        name="id",
        value=ident,
        checked=ident in picked(request).ids,
        form="bulk",
        aria_label=f"select memory {ident}",
        class_="pick",
    )
    shown = [tag("span", m, class_=f"badge {m}") for m in badges]
    return tag(
        "tr",
        tag("td", pick),
        tag("td", link),
        # dir=auto: a right-to-left text reads as one, isolated from its badges
        tag("td", tag("span", preview(text), class_="memtext", dir="auto"), shown, after),
        [tag("td", tag("span", f"{h}: ", class_="cell-label"), c) for h, c in cells],
    )


def results(request: Request, headers: list[str], rows: list[Html], empty: str) -> Html:
    """The rows under the bulk form, or why there are none."""
    chosen = picked(request)
    if not rows:  # a refused action (an undo, from a page left empty) still says why
        alert = tag("p", chosen.problem, class_="error", role="alert") if chosen.problem else None
        return join([alert, tag("p", empty, class_="empty")])
    here = list_path(request)[2:]
    bulk = form(
        f"{base(request)}/bulk" + (f"?{here}" if here else ""),
        csrf(request),
        tag("p", chosen.problem, class_="error", role="alert") if chosen.problem else None,
        _actions(chosen),
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
                    tag(
                        "label",
                        tag(
                            "input",
                            type="checkbox",
                            class_="pick-all",
                            aria_label="select all shown",
                        ),
                        tag("span", " select all shown", class_="cell-label"),
                    ),
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
    # the same controls where a selection ends (a long list's rows, a keyboard's Tab, a
    # phone's thumb); they belong to the form above (form=), their own names say which
    # button was pressed (fix.chosen), and ui.js keeps both sets alike
    end = tag("div", _actions(chosen, end=True), class_="bulk bulk-end", role="group",
              aria_label="With the selected (below the list)")  # fmt: skip
    return join([bulk, table, end])


ACTIONS = [
    ("forget", "Forget"),
    ("restore", "Restore"),
    ("move", "Move to scope…"),
    ("purge", "Purge (asks first)"),
]


def _actions(chosen: Picked, end: bool = False) -> Html:
    """The action, the scope a move goes to, and Apply: above the list, or (`end`) below it,
    named apart (`action_end`, `to_end`, the button `at=end`) but in the same form."""
    suffix, owner = ("_end", "bulk") if end else ("", None)
    # Enter in a scope field submits with the form's first button: this one, which says so
    # (`at=enter`), not the Apply above, whose action would win over the one typed below
    enter = button("Apply", name="at", value="enter", class_="enter-submit", tabindex="-1",
                   aria_hidden="true")  # fmt: skip
    return join(
        [
            None if end else enter,
            tag("span", "With the selected:", class_="label"),
            tag(
                "div",
                tag(
                    "label",
                    "Action" + (" (below the list)" if end else ""),
                    for_=f"f-action{suffix}",
                ),
                tag(
                    "select",
                    [tag("option", t, value=v, selected=v == chosen.action) for v, t in ACTIONS],
                    id=f"f-action{suffix}",
                    name=f"action{suffix}",
                    form=owner,
                    class_="bulk-action",
                ),
                class_="field",
            ),
            tag(
                "div",
                tag(
                    "label",
                    "Scope to move to" + (" (below the list)" if end else ""),
                    for_=f"f-to{suffix}",
                ),  # fmt: skip
                tag(
                    "input",
                    id=f"f-to{suffix}",
                    name=f"to{suffix}",
                    value=chosen.to,
                    form=owner,
                    class_="bulk-to",
                ),  # fmt: skip
                class_="field",
            ),
            button(
                "Apply to the selected" if end else "Apply",
                form=owner,
                name="at",
                value="end" if end else "top",
            ),  # fmt: skip
        ]
    )
