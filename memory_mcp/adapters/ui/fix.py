"""Fixing memory: edit (re-embedded, in history as `ui`), forget and restore (undoable),
move, purge after a confirmation page naming what goes, and the same on a selection."""

import hashlib

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from memory_mcp.adapters.ui import memory
from memory_mcp.adapters.ui.clock import local_time, page_zone, when
from memory_mcp.adapters.ui.common import (
    UI_CLIENT,
    Refused,
    base,
    checked_post,
    csrf,
    forget_batch,
    guard,
    ids_of,
    list_path,
    redirect,
    render,
    run,
    service,
    tags_of,
    text,
    visitor,
)
from memory_mcp.adapters.ui.find import find
from memory_mcp.adapters.ui.html import button, form, join, tag
from memory_mcp.adapters.ui.listing import Picked, preview
from memory_mcp.errors import Changed, Forbidden, InvalidInput, MemoryMCPError, NotFound
from memory_mcp.models import Memory, RestoreResult
from memory_mcp.names import invisible_note
from memory_mcp.service import MemoryService


def _id(request: Request) -> int:
    return int(request.path_params["memory_id"])


NAMED_ON_BUTTON = 5  # a purge's button names the memories by id up to this many
UNDO_LOOKBACK = 64  # newest history entries read past a forget's own to find them
EDITED = ("content", "kind", "tags", "scope", "key", "occurred_at", "expires_at")


@checked_post
async def edit(request: Request, data: FormData) -> Response:
    """Saves the form only over the version it was made from: if the memory changed since
    the page was opened, nothing is written and the page shows the current memory with the
    form still holding what was typed (saving that again then replaces it). A refused value
    likewise comes back in the form with the reason. The form's fields are compared with
    the memory as read here, and the write is made only over that read (unchanged_since,
    checked in its transaction): a change landing between the two is caught as well."""
    memory_id, svc = _id(request), service(request)
    sent = {name: value for name in EDITED if (value := text(data, name)) is not None}
    if "content" in sent:
        sent["content"] = sent["content"].replace("\r\n", "\n")  # browsers send CRLF
    before = await run(svc.get, memory_id)
    seen = text(data, "base") or text(data, "version")  # base: see memory._fix_forms
    if seen is not None and seen != memory.version(before):
        return await _changed_meanwhile(request, memory_id, sent)
    shown = memory.form_values(before)  # what the form held: the fields not touched
    changed = {name: value for name, value in sent.items() if value != shown[name]}
    for name in ("occurred_at", "expires_at"):  # typed without an offset: the browser's time
        if changed.get(name, "").strip():
            changed[name] = (
                local_time(changed[name], page_zone(request, text(data, "tz"))) or changed[name]
            )
    try:
        after = await run(
            svc.update,
            memory_id,
            content=changed.get("content"),
            kind=changed.get("kind") or None,
            tags=tags_of(changed["tags"]) if "tags" in changed else None,
            scope=changed.get("scope"),  # a cleared field is refused, not left as it was
            client=UI_CLIENT,
            key=changed.get("key"),
            occurred_at=changed.get("occurred_at"),
            expires_at=changed.get("expires_at"),
            unchanged_since=None if seen is None else before.changed_at,
        )
    except Changed:
        return await _changed_meanwhile(request, memory_id, sent)
    except MemoryMCPError as exc:
        return await memory.show(request, memory_id, f"Not saved: {exc}", sent, refusal(exc))
    if after.id != memory_id:  # folded into a correction saying the same: that one holds it
        return redirect(request, f"/m/{after.id}", "savedmerged")
    done = "nochange" if after.updated_at == before.updated_at else "saved"
    return redirect(request, f"/m/{memory_id}", [done, *_read_past(changed.get("scope"))])


async def _changed_meanwhile(request: Request, memory_id: int, sent: dict[str, str]) -> Response:
    """The memory's page as it now reads (409), the form holding what was typed."""
    entries = await run(service(request).history, memory_id, 1)
    by = [" by ", entries[0].client or "unknown", " at ", when(entries[0].at)] if entries else []
    problem = [
        "Not saved: this memory was changed",
        *by,
        " after you opened this page. It now reads as shown below; the form still holds "
        "your version: save it again to replace the current one.",
    ]
    return await memory.show(request, memory_id, problem, sent, status=409)


def refusal(exc: MemoryMCPError) -> int:
    """The status of a page that shows a refused form again."""
    return 403 if isinstance(exc, Forbidden) else 404 if isinstance(exc, NotFound) else 400


@checked_post
async def forget(request: Request, data: FormData) -> Response:
    """A refused forget (a reason too long, no right to change it) is the memory's page
    again, the reason typed still in the form and why it was refused beside it."""
    memory_id, typed = _id(request), text(data, "reason") or ""
    try:
        await run(service(request).forget, [memory_id], typed.strip() or None, UI_CLIENT)
    except NotFound:
        raise  # no page of it to show the form on
    except MemoryMCPError as exc:
        said, sent = f"Not forgotten: {exc}", {"reason": typed}
        return await memory.show(request, memory_id, said, sent, refusal(exc), "forget")
    return redirect(request, f"/m/{memory_id}", "forgotten")


@checked_post
async def replace(request: Request, data: FormData) -> Response:
    """The later memory chosen on this memory's page (`by`) becomes its replacement; a
    refusal (no longer current, another scope) is the page again, saying why."""
    memory_id, by = _id(request), text(data, "by") or ""
    try:
        if not by.strip().isdigit():
            raise InvalidInput("Choose the later memory that replaces this one.")
        await run(service(request).replace_with, memory_id, int(by), UI_CLIENT)
    except NotFound:
        raise  # no page of it to show
    except MemoryMCPError as exc:
        return await memory.show(request, memory_id, f"Not replaced: {exc}", status=refusal(exc))
    return redirect(request, f"/m/{memory_id}", "replaced")


@checked_post
async def restore(request: Request, data: FormData) -> Response:
    memory_id = _id(request)
    # The button of a replaced memory undoes the replacement; a forgotten one's brings it
    # back only: sent twice (a second tab, Back and again), it leaves the replacement be.
    replaced = text(data, "undo") == "replacement"
    result = await run(service(request).restore, [memory_id], UI_CLIENT, replaced)
    into = result.folded_into.get(memory_id)
    if into is not None:  # a correction says the same: this id is gone, that one holds it
        return redirect(request, f"/m/{into}", "restoredfolded")
    return redirect(request, f"/m/{memory_id}", _restore_notices(result))


def _restore_notices(result: RestoreResult) -> list[str]:
    """What the restore did, as the service saw it in its transaction (as the CLI says it):
    back in recall, not forgotten, or still superseded by a newer value."""
    replaced = result.still_superseded
    back = set(result.restored)
    facts = {
        "restored": bool(back - set(replaced)),
        "restoredsuperseded": bool(back & set(replaced)),
        "restoredmerged": bool(result.merged),
        "notforgotten": bool(set(result.not_forgotten) - set(replaced)),
        "stillsuperseded": bool(set(result.not_forgotten) & set(replaced)),
    }
    return [code for code, true in facts.items() if true]


@checked_post
async def bulk(request: Request, data: FormData) -> Response:
    """A refused action is the page it was sent from again (its filters are in this
    address), the selection, action and scope as they were sent, and why beside them."""
    try:
        return await _bulk(request, data)
    except (Refused, MemoryMCPError) as exc:
        problem = exc.message if isinstance(exc, Refused) else f"Not done: {exc}"
        status = exc.status if isinstance(exc, Refused) else refusal(exc)
        try:
            ids = frozenset(ids_of(data))
        except Refused:
            ids = frozenset()  # ids that are not numbers: nothing to keep selected
        action, to = chosen(data, strict=False)
        typed = Picked(ids, action or "forget", to or "", problem, status)
        return await find(request, typed)


def chosen(data: FormData, strict: bool = True) -> tuple[str | None, str | None]:
    """The action and the scope to move to, from the set of controls whose Apply was pressed:
    above the list, or below it (listing._actions). Enter in a scope field presses neither
    (`at=enter`, the form's first button): the set whose scope was typed, or both when they
    say the same (the script keeps them alike); two that differ are refused (`strict`)."""
    top = text(data, "action"), text(data, "to")
    end = text(data, "action_end"), text(data, "to_end")
    at = text(data, "at")
    if at != "enter" or top == end:
        return end if at == "end" else top
    typed = [one for one in (top, end) if (one[1] or "").strip()]
    if len(typed) == 1 or not strict:
        return (typed or [top])[0]
    raise Refused(
        400,
        "The actions above and below the list differ: press the Apply beside the one you mean.",
    )


async def _bulk(request: Request, data: FormData) -> Response:
    (action, to_typed), ids, svc = chosen(data), ids_of(data), service(request)
    if action == "undo":
        return await _undo_forget(request, data)
    if not ids:
        raise Refused(400, "Select at least one memory first.")
    if action == "forget":
        result = await run(svc.forget, ids, None, UI_CLIENT)
        # The notice offers to undo this forget, named by the history entries it wrote (not
        # by its ids: the address grew with the selection), marked so no other link can.
        batch, found = await run(_written, svc, result.forgotten), visitor(request)
        back = list_path(request)
        if batch is None or found is None:
            return redirect(request, back, "forgotten")
        mark = guard(request).undo_mark(found, [batch])
        sep = "&" if "?" in back else "?"
        return redirect(request, f"{back}{sep}undo={batch}&mark={mark}", "forgotten")
    elif action == "restore":
        # the Forgotten list's action: back from forgetting, replacements left as they are
        restored = await run(svc.restore, ids, UI_CLIENT, False)
        return redirect(request, list_path(request), _restore_notices(restored))
    elif action == "move":
        to = (to_typed or "").strip()
        if not to:
            raise Refused(400, "Name the scope to move the selected memories to.")
        await run(svc.move, ids, to, UI_CLIENT)
        return redirect(request, list_path(request), ["moved", *_read_past(to)])
    elif action == "purge":
        # The confirmation page is this POST's answer, the ids in its form: a redirect put
        # every id in the address (past what browsers and proxies take for a large
        # selection, and into the history and access logs).
        return await _confirm_page(request, ids)
    else:
        raise Refused(400, "Choose forget, restore, move or purge.")
    return redirect(request, list_path(request), "moved")


def _written(svc: MemoryService, forgotten: list[int]) -> str | None:
    """The history entries a UI forget of `forgotten` just wrote, as "LOW-HIGH" (one a
    memory, one after the other: its transaction held the write lock); None if none were
    written or they are not found among the newest entries (a burst of other writes)."""
    if not forgotten:
        return None
    wanted, found = set(forgotten), dict[int, int]()
    for entry in svc.history(limit=len(forgotten) + UNDO_LOOKBACK):
        if entry.action == "forget" and entry.client == UI_CLIENT and entry.memory_id in wanted:
            found.setdefault(entry.memory_id, entry.id)  # newest first: this forget's
    low, high = min(found.values(), default=0), max(found.values(), default=-1)
    return f"{low}-{high}" if len(found) == len(wanted) == high - low + 1 else None


async def _undo_forget(request: Request, data: FormData) -> Response:
    """Restore what one forget of this visitor hid: the memories its history entries name."""
    batch, found = text(data, "batch"), visitor(request)
    span = forget_batch(batch)
    if (
        span is None
        or found is None
        or not guard(request).undo_ok(found, [batch or ""], text(data, "mark"))
    ):
        raise Refused(400, "This undo is not one of your forgets: restore from the Forgotten list.")
    low, high = span
    svc = service(request)
    entries = await run(svc.history, None, high - low + 1, None, high + 1)
    ids = [e.memory_id for e in entries if e.id >= low and e.action == "forget"]
    restored = await run(svc.restore, ids, UI_CLIENT, False)  # the forget's undo, no more
    return redirect(request, list_path(request), _restore_notices(restored))


async def confirm_purge(request: Request) -> Response:
    """The confirmation page of the memory's own "Purge permanently…" link (one id)."""
    try:
        ids = [int(v) for v in request.query_params.getlist("id")]
    except ValueError:
        raise Refused(400, "Memory ids are whole numbers.") from None
    return await _confirm_page(request, ids)


def _seen(memories: list[Memory]) -> str:
    """A fingerprint of the memories as a confirmation page shows them: a purge confirmed on
    a page that showed an older version of one (edited meanwhile, from another tab, MCP or
    the CLI) deletes nothing and asks again."""
    digest = hashlib.sha256()
    for m in memories:
        digest.update(f"{m.id}\0{m.updated_at.isoformat()}\0{m.scope}\0{m.content}\0".encode())
    return digest.hexdigest()[:32]


def _read_past(scope: str | None) -> list[str]:
    """The notice for a typed scope with invisible characters (removed, and said so)."""
    return ["invisible"] if scope and invisible_note(scope) else []


async def _confirm_page(request: Request, ids: list[int], problem: str | None = None) -> Response:
    """The confirmation page: each memory that would be deleted, by id, scope and text."""
    memories = await run(service(request).get_many, ids)
    if not memories:
        raise Refused(404, "None of those memories exists (any more).")
    return _confirming(request, memories, problem)


def _confirming(request: Request, memories: list[Memory], problem: str | None) -> Response:
    what = "this memory" if len(memories) == 1 else f"these {len(memories)} memories"
    listing = tag(
        "ul",
        [
            tag("li", tag("strong", f"#{m.id}"), f" [{m.scope}] ", preview(m.content, 160))
            for m in memories
        ],
        class_="doomed",
    )
    # from a list (a selection's POST): back to it, its filters and page as they were
    back = list_path(request) if request.method == "POST" else "/"
    names = (  # the list above names them all; a button of thousands of ids helps no one
        ", ".join(f"#{m.id}" for m in memories)
        if len(memories) <= NAMED_ON_BUTTON
        else f"these {len(memories)} memories"
    )
    body = join(
        [
            tag("p", problem, class_="error", role="alert") if problem else None,
            tag(
                "p",
                f"Permanently delete {what}? Unlike forget, this cannot be undone: the "
                "history keeps when and by whom, not what; backups made before still hold it.",
            ),
            listing,
            form(
                f"{base(request)}/purge" + (back[1:] if back != "/" else ""),
                csrf(request),
                [tag("input", type="hidden", name="id", value=m.id) for m in memories],
                tag("input", type="hidden", name="confirm", value="yes"),
                tag("input", type="hidden", name="seen", value=_seen(memories)),
                button(f"Delete {names} permanently", class_="danger"),
                " ",
                tag(
                    "a",
                    "Cancel",
                    href=base(request)
                    + (f"/m/{memories[0].id}" if back == "/" and len(memories) == 1 else back),
                ),
            ),
        ]
    )
    return render(request, "Purge permanently?", body, status=409 if problem else 200)


@checked_post
async def purge(request: Request, data: FormData) -> Response:
    if text(data, "confirm") != "yes":
        raise Refused(400, "A purge needs the confirmation page; nothing was deleted.")
    ids, svc = ids_of(data), service(request)
    if not ids:
        raise Refused(400, "Nothing to purge.")
    seen = text(data, "seen")
    unchanged_since = None
    if seen is not None:  # (a client of its own may purge without the page's fingerprint)
        now = await run(svc.get_many, ids)
        if _seen(now) != seen:
            return await _purge_refused(request, ids)
        unchanged_since = {m.id: m.changed_at for m in now}  # checked again in the write
    try:
        await run(svc.purge, ids, UI_CLIENT, unchanged_since)
    except Changed:
        return await _purge_refused(request, ids)
    return redirect(request, list_path(request), "purged")


async def _purge_refused(request: Request, ids: list[int]) -> Response:
    """The confirmation page again, as the memories now read: one changed or deleted since
    it was shown (another tab, MCP, the CLI), and nothing was deleted."""
    now = await run(service(request).get_many, ids)
    if not now:
        raise Refused(404, "None of those memories exists (any more).")
    changed = (
        "Nothing deleted: since this page was shown, a memory on it was changed or "
        "deleted (from another tab, MCP or the CLI). Here they are as they now read: "
        "delete again if they should still go."
    )
    return _confirming(request, now, changed)
