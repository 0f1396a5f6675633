"""A memory's page: every field, its links (superseded by, merged into it), its history as
readable before/after differences, and the forms that fix it."""

import difflib
import json
import re
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from memory_mcp.adapters.ui.common import base, csrf, render, run, service
from memory_mcp.adapters.ui.find import when
from memory_mcp.adapters.ui.html import Html, button, dl, field, form, join, select, tag
from memory_mcp.models import KINDS, HistoryEntry, Memory
from memory_mcp.timestamps import format_time

HISTORY = 100
WORDS = re.compile(r"\s+|[^\s]+")


async def memory_page(request: Request) -> Response:
    memory_id = int(request.path_params["memory_id"])
    svc = service(request)
    memory = await run(svc.get, memory_id)
    entries = await run(svc.history, memory_id, HISTORY)
    replaced = await run(svc.superseded, memory_id)
    body = join(
        [
            _status(memory),
            tag("h2", "Text"),
            tag("pre", memory.content, class_="content", id="content"),
            tag("h2", "Details"),
            dl(_fields(request, memory)),
            _links(request, entries, replaced),
            tag("h2", "Fix it"),
            _fix_forms(request, memory),
            tag("h2", "History"),
            _history(entries),
        ]
    )
    return render(request, f"Memory #{memory.id}", body)


def link(request: Request, memory_id: int) -> Html:
    return tag("a", f"#{memory_id}", href=f"{base(request)}/m/{memory_id}")


def _status(memory: Memory) -> Html:
    states = []
    if memory.forgotten_at:
        why = f" ({memory.forget_reason})" if memory.forget_reason else ""
        states.append(f"Forgotten {when(memory.forgotten_at)}{why}: recall does not see it.")
    if memory.superseded_by:
        states.append(f"Superseded {when(memory.superseded_at)}: recall shows the newer one.")
    if not states:
        return tag("p", "Current: recall sees it.", class_="state ok")
    return join(tag("p", s, class_="state off") for s in states)


def _fields(request: Request, m: Memory) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        ("kind", m.kind),
        ("scope", m.scope),
        ("tags", ", ".join(m.tags) or "—"),
        ("key", m.key or "—"),
        ("happened", when(m.occurred_at) or "—"),
        ("recorded", when(m.created_at)),
        ("last changed", when(m.updated_at)),
        ("expires", when(m.expires_at) or "never"),
        ("written by", m.client or "—"),
        ("remembered", f"{m.repeat_count} time{'s' if m.repeat_count != 1 else ''}"),
        ("searchable by meaning", "yes" if m.embedded else "not yet (keyword only)"),
    ]
    if m.superseded_by:
        rows.append(("superseded by", link(request, m.superseded_by)))
    if m.context:
        rows.append(("context", m.context))
    if m.metadata:
        rows.append(("metadata", tag("code", json.dumps(m.metadata, ensure_ascii=False))))
    return rows


def _links(request: Request, entries: list[HistoryEntry], replaced: list[int]) -> Html | None:
    """What it replaced, near-duplicates folded into it, and what it was replaced by."""
    items = [join(["Replaced ", link(request, i), " (superseded by this one)"]) for i in replaced]
    for e in entries:
        if e.action == "merge" and "merged" in e.detail:
            items.append(
                join(
                    [
                        "Merged near-duplicate ",
                        link(request, e.detail["merged"]),
                        ": ",
                        tag("q", str(e.detail.get("text", ""))),
                    ]
                )
            )
        elif e.action == "merge" and "into" in e.detail:
            items.append(join(["Merged into ", link(request, e.detail["into"])]))
        elif e.action == "supersede" and "by" in e.detail:
            items.append(join(["Superseded by ", link(request, e.detail["by"])]))
    if not items:
        return None
    return join([tag("h2", "Links"), tag("ul", [tag("li", i) for i in items])])


def _fix_forms(request: Request, m: Memory) -> Html:
    token, at = csrf(request), f"{base(request)}/m/{m.id}"
    edit = form(
        f"{at}/edit",
        token,
        tag(
            "div",
            tag("label", "Text", for_="f-content"),
            tag("textarea", m.content, id="f-content", name="content", rows=6),
            class_="field",
        ),
        select("Kind", "kind", [(k, k) for k in KINDS], m.kind),
        field("Tags (comma separated)", "tags", ", ".join(m.tags)),
        field("Scope (changing it moves the memory)", "scope", m.scope),
        field("Key (a named slot, e.g. user.editor; empty for none)", "key", m.key or ""),
        field("Happened (ISO date/time; empty for none)", "occurred_at", _iso(m.occurred_at)),
        field("Expires (ISO date/time; empty for never)", "expires_at", _iso(m.expires_at)),
        button("Save changes"),
        class_="edit",
        aria_label="Edit",
    )
    if m.forgotten_at:
        toggle = form(f"{at}/restore", token, button("Restore"), class_="inline")
    else:
        toggle = form(
            f"{at}/forget",
            token,
            field("Reason (optional)", "reason", ""),
            button("Forget"),
            class_="inline",
        )
    purge = tag("a", "Purge permanently…", href=f"{base(request)}/purge?id={m.id}", class_="danger")
    return join([edit, tag("div", toggle, purge, class_="actions")])


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else format_time(moment)


def _history(entries: list[HistoryEntry]) -> Html:
    if not entries:
        return tag("p", "No changes recorded.")
    return tag("ol", [tag("li", _entry(e)) for e in entries], class_="history")


def _entry(e: HistoryEntry) -> Html:
    head = tag(
        "p", tag("strong", e.action), f" {when(e.at)} by {e.client or 'unknown'}", class_="what"
    )
    changes = []
    before, after = e.before or {}, e.after or {}
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name == "content" and isinstance(old, str) and isinstance(new, str):
            changes.append(
                tag("div", tag("span", "text: ", class_="label"), diff(old, new), class_="diff")
            )
        elif e.before is not None:
            changes.append(
                tag("div", f"{name}: ", tag("del", _show(old)), " → ", tag("ins", _show(new)))
            )
    if e.before is None and e.after is not None and "content" in e.after:
        changes = [tag("div", tag("span", "text: ", class_="label"), str(e.after["content"]))]
    extra = {k: v for k, v in e.detail.items() if k not in ("text",)}
    detail = tag("p", ", ".join(f"{k}: {v}" for k, v in extra.items()), class_="detail")
    return join([head, changes, detail if extra else None])


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def diff(old: str, new: str) -> Html:
    """Word by word: removed words struck through (<del>), added ones marked (<ins>)."""
    a, b = WORDS.findall(old), WORDS.findall(new)
    parts: list[Html] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            parts.append(tag("del", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(tag("ins", "".join(b[j1:j2])))
        if op == "equal":
            parts.append(tag("span", "".join(a[i1:i2])))
    return join(parts)
