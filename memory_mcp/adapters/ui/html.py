"""HTML built so memory text can only ever be text: every value is escaped unless it is already
`Html` made by these helpers. No template engine, no markup from strings a memory could hold."""

import html
from collections.abc import Iterable
from typing import Any

from memory_mcp.policies.controls import UNSHOWN, written_out


class Html(str):
    """Markup these helpers built (safe to join into a page as is)."""


Child = Any  # str (escaped), Html (kept), None/False (dropped), or an iterable of these


def esc(value: Any) -> Html:
    """`value` as text: <, >, &, and quotes escaped (Html passes through)."""
    return value if isinstance(value, Html) else Html(html.escape(str(value), quote=True))


def isolated(text: str) -> Html:
    """`text` escaped, with every control character and every one that prints as nothing
    written out and marked (`\\u202e`, `\\u200b`: policies.controls): a bidi override cannot
    reorder the memory or the page around it (a badge, the sentence it sits in, another
    row), and a zero-width space cannot pass `pay\\u200bpal` off as "paypal"."""
    if not UNSHOWN.search(text):
        return esc(text)
    parts, last = [], 0
    for found in UNSHOWN.finditer(text):
        char = found.group()
        mark = f'<span class="unseen" title="U+{ord(char):04X}">{esc(written_out(char))}</span>'
        parts += [esc(text[last : found.start()]), mark]
        last = found.end()
    return Html("".join([*parts, esc(text[last:])]))


def join(children: Iterable[Child], markup: bool = True) -> Html:
    """The children as markup; text escaped (and its unseen characters written out where
    `markup` allows tags inside: not in a textarea, whose text must come back exactly)."""
    parts: list[str] = []
    for child in children:
        if child is None or child is False:
            continue
        if isinstance(child, Html) or not isinstance(child, str | int | float):
            parts.append(child if isinstance(child, Html) else join(child, markup))
        else:
            parts.append(isolated(str(child)) if markup else esc(child))
    return Html("".join(parts))


VOID = {"input", "br", "meta", "link", "hr", "img"}
TEXT_ONLY = {"textarea", "title", "option", "script", "style"}  # no tags inside


def tag(name: str, /, *children: Child, **attrs: Any) -> Html:
    """<name attrs>children</name>: attribute names drop a trailing _ (class_) and turn _ into
    - (aria_label); True is a bare attribute, None and False leave it out."""
    rendered = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        attr = key.rstrip("_").replace("_", "-")
        rendered.append(f" {attr}" if value is True else f' {attr}="{esc(value)}"')
    start = f"<{name}{''.join(rendered)}>"
    if name in VOID:
        return Html(start)
    return Html(f"{start}{join(children, markup=name not in TEXT_ONLY)}</{name}>")


def page(
    title: str, body: Child, *, base: str, csrf: str, nav: str = "", tab: str | None = None
) -> Html:
    """The whole document: skip link, navigation, main content; CSS and JS from /static.
    `tab`: the browser tab's (and history's) title, when it says more than the heading."""
    links = [
        ("find", "/", "Find"),
        ("overview", "/overview", "Overview"),
        ("data", "/data", "Data"),
    ]
    menu = tag(
        "nav",
        tag(
            "ul",
            [
                tag(
                    "li",
                    tag("a", label, href=base + href, aria_current="page" if key == nav else None),
                )
                for key, href, label in links
            ],
        ),
        aria_label="Main",
    )
    head = tag(
        "head",
        tag("meta", charset="utf-8"),
        tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
        tag("meta", name="csrf-token", content=csrf),
        tag("title", f"{tab or title} · memory-mcp"),
        tag("link", rel="stylesheet", href=f"{base}/static/ui.css"),
        tag("script", src=f"{base}/static/ui.js", defer=True),
    )
    body_html = tag(
        "body",
        tag("a", "Skip to content", href="#main", class_="skip"),
        tag("header", tag("span", "memory-mcp", class_="brand"), menu),
        tag("main", tag("h1", title), body, id="main", tabindex="-1"),
    )
    return Html("<!doctype html>\n" + tag("html", head, body_html, lang="en"))


def csrf_field(csrf: str) -> Html:
    return tag("input", type="hidden", name="csrf", value=csrf)


def form(action: str, csrf: str, *children: Child, **attrs: Any) -> Html:
    """A POST form carrying the CSRF token."""
    return tag("form", csrf_field(csrf), *children, method="post", action=action, **attrs)


def field(label: str, name: str, value: Any = "", **attrs: Any) -> Html:
    """A labelled input (id = "f-" + name unless given)."""
    ident = attrs.pop("id", f"f-{name}")
    return tag(
        "div",
        tag("label", label, for_=ident),
        tag("input", id=ident, name=name, value="" if value is None else value, **attrs),
        class_="field",
    )


def select(label: str, name: str, options: Iterable[tuple[str, str]], chosen: str = "") -> Html:
    ident = f"f-{name}"
    return tag(
        "div",
        tag("label", label, for_=ident),
        tag(
            "select",
            [tag("option", text, value=value, selected=value == chosen) for value, text in options],
            id=ident,
            name=name,
        ),
        class_="field",
    )


def checkbox(label: str, name: str, checked: bool) -> Html:
    ident = f"f-{name}"
    return tag(
        "div",
        tag("input", type="checkbox", id=ident, name=name, value="on", checked=checked),
        tag("label", label, for_=ident),
        class_="field check",
    )


def button(text: str, **attrs: Any) -> Html:
    return tag("button", text, type=attrs.pop("type", "submit"), **attrs)


def dl(rows: Iterable[tuple[str, Child]]) -> Html:
    return tag("dl", [(tag("dt", k), tag("dd", v)) for k, v in rows])


def table(headers: Iterable[str], rows: Iterable[Iterable[Child]], caption: str = "") -> Html:
    return tag(
        "table",
        tag("caption", caption) if caption else None,
        tag("thead", tag("tr", [tag("th", h, scope="col") for h in headers])),
        tag("tbody", [tag("tr", [tag("td", cell) for cell in row]) for row in rows]),
    )
