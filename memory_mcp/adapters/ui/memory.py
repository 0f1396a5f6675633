"""A memory's page: every field, its links (superseded by, merged into it), its history as
readable before/after differences, and the forms that fix it."""

import difflib
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from memory_mcp.adapters.ui.clock import when
from memory_mcp.adapters.ui.common import TAGS_LABEL, base, csrf, render, run, service, tags_text
from memory_mcp.adapters.ui.html import Child, Html, button, dl, field, form, join, select, tag
from memory_mcp.models import KINDS, HistoryEntry, Memory
from memory_mcp.policies.controls import UNSHOWN
from memory_mcp.remembered import LaterMemories
from memory_mcp.timestamps import format_time

HISTORY = 100
ZONED = "{} (ISO date/time, yours unless it ends in Z or an offset; empty for {})"
WORDS = re.compile(r"\s+|[^\s]+")
LINES = re.compile(r"[^\n]*\n|[^\n]+")
CONTEXT = 8  # unchanged words shown either side of a change in a history entry
DIFF_ITEMS = 300  # the most words (or lines) a side may have for one SequenceMatcher


async def memory_page(request: Request) -> Response:
    return await show(request, int(request.path_params["memory_id"]))


async def show(
    request: Request,
    memory_id: int,
    problem: Child = None,
    sent: dict[str, str] | None = None,
    status: int = 200,
    refused: str = "edit",
) -> Response:
    """The page; after a refused edit, `problem` says why above it and the form holds what
    was `sent`, so nothing typed is lost; after a refused forget (`refused="forget"`), it
    says why inside the forget form, which holds the reason typed."""
    svc = service(request)
    memory = await run(svc.get, memory_id)
    entries = await run(svc.history, memory_id, HISTORY)
    replaced = await run(svc.superseded, memory_id)
    later = await run(svc.later_memories, memory_id)  # none for a superseded one
    body = join(
        [
            _problem(problem) if refused == "edit" else None,
            _status(request, memory),
            tag("h2", "Text"),
            tag("pre", memory.content, class_="content", id="content", dir="auto"),
            tag("h2", "Details"),
            dl(_fields(request, memory)),
            _links(request, entries, replaced),
            _later(request, memory, later),
            tag("h2", "Fix it"),
            _fix_forms(request, memory, sent or {}, problem if refused == "forget" else None),
            tag("h2", "History"),
            await run(_history, entries),  # word diffs: off the event loop
        ]
    )
    return render(request, f"Memory #{memory.id}", body, status=status)


def version(m: Memory) -> str:
    """A fingerprint of the fields the edit form holds: an edit based on another version
    of them would overwrite a change made meanwhile (from MCP, the CLI, another tab)."""
    shown = json.dumps(form_values(m), sort_keys=True).encode()
    return hashlib.sha256(shown).hexdigest()[:32]


def form_values(m: Memory) -> dict[str, str]:
    """What the edit form shows of `m`, by field name: a field sent back unchanged is left
    alone, never parsed again (a tag holding a comma stays one tag)."""
    return {
        "content": m.content,
        "kind": m.kind,
        "tags": tags_text(m.tags),
        "scope": m.scope,
        "key": m.key or "",
        "occurred_at": _iso(m.occurred_at),
        "expires_at": _iso(m.expires_at),
    }


def link(request: Request, memory_id: int) -> Html:
    return tag("a", f"#{memory_id}", href=f"{base(request)}/m/{memory_id}")


def _status(request: Request, memory: Memory) -> Html:
    states: list[list[Child]] = []  # memory text a part of its own (see html.isolated)
    if memory.forgotten_at:
        why = [" (", memory.forget_reason, ")"] if memory.forget_reason else []
        states.append(
            ["Forgotten ", when(memory.forgotten_at, exact=True), *why, ": recall does not see it."]
        )
    if memory.superseded:
        # the newer one named here, at the top, not only at the end of the details
        newer = [" (", link(request, memory.superseded_by), ")"] if memory.superseded_by else []
        states.append(
            [
                "Superseded ",
                when(memory.superseded_at, exact=True),
                ": recall shows the newer one",
                *newer,
                ".",
            ]
        )
    if not states:
        return tag("p", "Current: recall sees it.", class_="state ok")
    return join(tag("p", s, class_="state off") for s in states)


def _fields(request: Request, m: Memory) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        ("kind", m.kind),
        ("scope", m.scope),
        ("tags", tags_text(m.tags) or "—"),
        ("key", m.key or "—"),
        ("happened", when(m.occurred_at, exact=True) or "—"),
        ("recorded", when(m.created_at, exact=True)),
        ("last changed", when(m.updated_at, exact=True)),
        ("expires", when(m.expires_at, exact=True) or "never"),
        ("written by", m.client or "—"),
        ("remembered", f"{m.repeat_count} time{'s' if m.repeat_count != 1 else ''}"),
        ("searchable by meaning", "yes" if m.embedded else "not yet (keyword only)"),
    ]
    if m.superseded_by:
        rows.append(("superseded by", link(request, m.superseded_by)))
    elif m.superseded:  # by a memory this caller may not read (service/masking.py)
        rows.append(("superseded by", "a newer memory"))
    if m.context:
        rows.append(("context", m.context))
    if m.metadata:
        rows.append(("metadata", tag("code", json.dumps(m.metadata, ensure_ascii=False))))
    return rows


def _links(request: Request, entries: list[HistoryEntry], replaced: list[int]) -> Html | None:
    """What it replaced, near-duplicates folded into it, and what it was replaced by."""
    items = [join(["Replaced ", link(request, i), " (superseded by this one)"]) for i in replaced]
    for e in entries:
        if e.action == "merge" and "text" in e.detail:  # its id only if the caller may read it
            copy = [" ", link(request, e.detail["merged"])] if "merged" in e.detail else []
            text = tag("q", str(e.detail["text"]))
            items.append(join(["Merged near-duplicate", *copy, ": ", text]))
        elif e.action == "merge" and "into" in e.detail:
            items.append(join(["Merged into ", link(request, e.detail["into"])]))
        elif e.action == "supersede" and "by" in e.detail:
            items.append(join(["Superseded by ", link(request, e.detail["by"])]))
    if not items:
        return None
    return join([tag("h2", "Links"), tag("ul", [tag("li", i) for i in items])])


def _later(request: Request, memory: Memory, found: LaterMemories) -> Html | None:
    """The later current memories that may update this one (their text as text), each
    with the button that makes it the replacement; or why none can be found now."""
    if not found.later:
        return tag("p", found.note, class_="mode") if found.note else None
    token, at = csrf(request), f"{base(request)}/m/{memory.id}/replace"
    items = [
        tag(
            "li",
            link(request, later.id),
            " ",
            tag("q", later.content, dir="auto"),
            form(
                at,
                token,
                tag("input", type="hidden", name="by", value=later.id),
                button(f"#{later.id} replaces this"),
                class_="inline",
            ),
        )
        for later in found.later
    ]
    return join([tag("h2", "Later memories that may update this"), tag("ul", items)])


def _problem(problem: Child) -> Html | None:
    return tag("p", problem, class_="error", role="alert") if problem else None


def _fix_forms(
    request: Request, m: Memory, sent: dict[str, str], forget_problem: Child = None
) -> Html:
    token, at = csrf(request), f"{base(request)}/m/{m.id}"
    shown = form_values(m) | sent
    edit = form(
        f"{at}/edit",
        token,
        tag("input", type="hidden", name="version", value=version(m)),
        # ui.js copies the version here at the first keystroke: a browser refills a visible
        # kind of input (not type=hidden) when Back returns to the form, so text typed on an
        # older version is still checked against that version, not the page's fresh one
        tag("input", type="text", hidden=True, name="base", value="", aria_label="typed on"),
        tag(
            "div",
            tag("label", "Text", for_="f-content"),
            _unseen_note(shown["content"]),
            tag(
                "textarea",
                shown["content"],
                id="f-content",
                name="content",
                rows=6,
                dir="auto",  # a right-to-left text reads and edits as one
                aria_describedby="f-content-unseen" if UNSHOWN.search(shown["content"]) else None,
            ),
            class_="field",
        ),
        select("Kind", "kind", [(k, k) for k in KINDS], shown["kind"]),
        field(TAGS_LABEL, "tags", shown["tags"]),
        field("Scope (changing it moves the memory)", "scope", shown["scope"]),
        field("Key (a named slot, e.g. user.editor; empty for none)", "key", shown["key"]),
        field(ZONED.format("Happened", "none"), "occurred_at", shown["occurred_at"]),
        field(ZONED.format("Expires", "never"), "expires_at", shown["expires_at"]),
        # ui.js names the browser's timezone here (fix.edit reads a time typed without an
        # offset in it, as the page shows times)
        tag("input", type="hidden", name="tz", value="", disabled=True),
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
            _problem(forget_problem),
            field("Reason (optional)", "reason", sent.get("reason", "")),
            button("Forget"),
            class_="inline",
        )
    if m.superseded and not m.forgotten_at:  # restore undoes the replacement
        replacement = tag("input", type="hidden", name="undo", value="replacement")
        undo = form(f"{at}/restore", token, replacement, button("Restore (undo the replacement)"))
        toggle = join([tag("div", undo, class_="inline"), toggle])
    purge = tag("a", "Purge permanently…", href=f"{base(request)}/purge?id={m.id}", class_="danger")
    return join([edit, tag("div", toggle, purge, class_="actions")])


def _unseen_note(text: str) -> Html | None:
    """A text box cannot mark characters: where the text holds some that print as nothing
    or reorder what follows (a Trojan Source override), the box shows their effect, so say
    so beside it."""
    if not UNSHOWN.search(text):
        return None
    return tag(
        "p",
        "This text holds characters that print as nothing or reorder the text around them "
        "(written out and marked under Text above). The box below holds the text exactly, "
        "so it shows their effect, not them: read the marked copy before saving.",
        id="f-content-unseen",
        class_="error",
    )


def _iso(moment: datetime | None) -> str:
    """A time as the form's field holds it: UTC, to the second unless it has a fraction."""
    if moment is None:
        return ""
    iso = format_time(moment)
    return iso.replace(".000000Z", "Z")


def _history(entries: list[HistoryEntry]) -> Html:
    if not entries:
        return tag("p", "No changes recorded.")
    return tag("ol", [tag("li", _entry(e)) for e in entries], class_="history")


def _entry(e: HistoryEntry) -> Html:
    head = tag(
        "p",
        tag("strong", e.action),
        " ",
        when(e.at, exact=True),
        " by ",
        e.client or "unknown",
        class_="what",
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
    if e.before is None and e.after is not None and e.after.get("content") is not None:
        changes = [tag("div", tag("span", "text: ", class_="label"), str(e.after["content"]))]
    extra = {k: v for k, v in e.detail.items() if k != "text" and v is not None}
    shown = [[", " if i else "", f"{k}: ", _show(v)] for i, (k, v) in enumerate(extra.items())]
    detail = tag("p", shown, class_="detail")
    return join([head, changes, detail if extra else None])


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def diff(old: str, new: str) -> Html:
    """Word by word: removed words struck through (<del>), added ones marked (<ins>); lines
    that changed are compared word by word, so an edit anywhere in a long text is shown."""
    parts: list[tuple[str, str]] = []  # ("same" | "del" | "ins", text)
    for same, a_lines, b_lines in _blocks(LINES.findall(old), LINES.findall(new)):
        if same:
            parts.append(("same", "".join(a_lines)))
            continue
        a_words, b_words = WORDS.findall("".join(a_lines)), WORDS.findall("".join(b_lines))
        for same_words, a, b in _blocks(a_words, b_words):
            if same_words:
                parts.append(("same", "".join(a)))
                continue
            if a:
                parts.append(("del", "".join(a)))
            if b:
                parts.append(("ins", "".join(b)))
    last = len(parts) - 1
    return join(
        _unchanged(text, i > 0, i < last) if kind == "same" else tag(kind, text)
        for i, (kind, text) in enumerate(parts)
    )


def _unchanged(text: str, after: bool, before: bool) -> Html:
    """Unchanged text, cut to the CONTEXT words next to a change (`after` one, `before`
    one), the words left out counted: a word added to a long memory showed all of it."""
    tokens = WORDS.findall(text)
    words = [i for i, t in enumerate(tokens) if not t.isspace()]
    if len(words) <= 2 * CONTEXT + 3:
        return tag("span", text)
    head = tokens[: words[CONTEXT - 1] + 1] if after else []
    tail = tokens[words[-CONTEXT] :] if before else []
    left = len(words) - (CONTEXT if after else 0) - (CONTEXT if before else 0)
    gap = tag("span", f" … {left:,} words unchanged … ", class_="elided")
    return join([tag("span", "".join(head)), gap, tag("span", "".join(tail))])


def _blocks(a: list[str], b: list[str]) -> Iterator[tuple[bool, list[str], list[str]]]:
    """(same, part of a, part of b) in order: the common start and end, and between them
    SequenceMatcher's matches when each side has at most DIFF_ITEMS items, else one change.
    Its work grows faster than the square of the lengths on repetitive text (minutes for a
    20,000-character memory), so it is only ever given short sequences."""
    shorter = min(len(a), len(b))
    start = 0
    while start < shorter and a[start] == b[start]:
        start += 1
    end = 0
    while end < shorter - start and a[-1 - end] == b[-1 - end]:
        end += 1
    if start:
        yield True, a[:start], b[:start]
    a_mid, b_mid = a[start : len(a) - end], b[start : len(b) - end]
    if len(a_mid) <= DIFF_ITEMS and len(b_mid) <= DIFF_ITEMS:
        matcher = difflib.SequenceMatcher(None, a_mid, b_mid, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            yield op == "equal", a_mid[i1:i2], b_mid[j1:j2]
    elif a_mid or b_mid:
        yield False, a_mid, b_mid
    if end:
        yield True, a[len(a) - end :], b[len(b) - end :]
