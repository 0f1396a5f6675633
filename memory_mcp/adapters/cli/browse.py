"""Seeing and fixing what memory holds: list, show, edit, purge, scrub, stats."""

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from memory_mcp.adapters.cli import editing
from memory_mcp.adapters.cli.app import (
    CLI_CLIENT,
    DbOpt,
    IdsArg,
    JsonOpt,
    KindOpt,
    ScopeOpt,
    SinceOpt,
    TagOpt,
    UntilOpt,
    app,
    open_service,
    scope_hint,
)
from memory_mcp.adapters.cli.longlist import LONG_LISTING, print_rows
from memory_mcp.adapters.cli.opening import noted_scope
from memory_mcp.adapters.cli.render import (
    as_json,
    err,
    fmt_ids,
    history_cell,
    history_table,
    inert,
    json_array,
    key_values,
    memory_cell,
    memory_fields,
    memory_table,
    out,
    preview,
    readable,
    safe,
    size,
)
from memory_mcp.errors import InvalidInput

if TYPE_CHECKING:  # the service is imported when a command opens it (app.open_service)
    from memory_mcp.models import HistoryEntry, Memory, MemoryFilter
    from memory_mcp.service import MemoryService

LIST_PAGE = 500  # memories or history entries `list`, `log` and `history` read at a time
T = TypeVar("T")
K = TypeVar("K")

# -- inspecting and editing -------------------------------------------------------------------


NewScopeOpt = Annotated[
    str | None, typer.Option("--scope", "-s", help="New scope.", callback=noted_scope)
]


@app.command("list", rich_help_panel="Inspect and fix")
def list_(
    ctx: typer.Context,
    scope: ScopeOpt = None,
    kind: KindOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    forgotten: Annotated[bool, typer.Option("--forgotten", help="Include forgotten ones.")] = False,
    superseded: Annotated[
        bool, typer.Option("--superseded", help="Include superseded ones.")
    ] = False,
    expired: Annotated[bool, typer.Option("--expired", help="Include expired ones.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Page size (at least 1).")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many (paging).")] = 0,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List memories, newest first."""
    with open_service(ctx, db) as service:
        flt = service.make_filter(
            scope, kind, tag, since, until, include_forgotten=forgotten,
            include_superseded=superseded, include_expired=expired,
        )  # fmt: skip
        total = service.count(flt)
        pages = _pages(service, flt, limit, offset)
        if json_:
            json_array(memory for page in pages for memory in page)
            return
        shown = 0
        for page in pages:  # one table a page: a long listing is printed as it is read
            if limit > LONG_LISTING:  # plain: a table costs ~1 ms a row (longlist.py)
                print_rows(out, ((str(m.id), memory_cell(m)) for m in page))
            else:
                out.print(memory_table(page))
            shown += len(page)
        hint = "" if total else scope_hint(service, scope)
    if not shown:
        said = f"No memories here (of {total} matching)." if total else "No memories match."
        err.print(said + hint, markup=False)
        return
    err.print(f"{offset + 1}-{offset + shown} of {total}")


def _keyset_pages(
    read: Callable[[int, K | None], list[T]], key: Callable[[T], K], limit: int
) -> Iterator[list[T]]:
    """`limit` items, LIST_PAGE at a time: `read(size, None)` reads the first page and
    `read(size, key(last item))` each one after, so memory holds one page however many are
    asked for."""
    after: K | None = None
    while True:
        size = min(limit, LIST_PAGE)  # a limit below 1 is refused by the first read
        page = read(size, after)
        if page:
            yield page
        limit -= len(page)
        if len(page) < size or limit <= 0:
            return
        after = key(page[-1])


def _pages(
    service: "MemoryService", flt: "MemoryFilter", limit: int, offset: int
) -> "Iterator[list[Memory]]":
    """`limit` memories from `offset`, newest first, each page after the last by keyset."""
    return _keyset_pages(
        lambda size, after: service.list_memories(flt, size, 0 if after else offset, after=after),
        lambda memory: (memory.created_at, memory.id),
        limit,
    )


@app.command(rich_help_panel="Inspect and fix")
def show(ctx: typer.Context, memory_id: int, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Show one memory in full."""
    with open_service(ctx, db) as service:
        memory = service.get(memory_id)
        if json_:
            as_json(memory)
            return
        out.print(key_values(f"memory #{memory.id}", memory_fields(memory)))
        out.print(inert(memory.content))
        from memory_mcp.adapters.cli.replacing import say_later  # (main registers it)

        say_later(service, memory)


@app.command(rich_help_panel="Inspect and fix")
def edit(
    ctx: typer.Context,
    memory_id: int,
    content: Annotated[str | None, typer.Option(help="New text (skips the editor).")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="New kind.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Replace tags.")] = None,
    scope: NewScopeOpt = None,
    key: Annotated[str | None, typer.Option(help="New key ('' removes it).")] = None,
    occurred: Annotated[
        str | None, typer.Option(help="When it happened ('' removes the date).")
    ] = None,
    expires: Annotated[
        str | None, typer.Option(help="Expire at this date/time ('' keeps it for good).")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Save an edited file (as the editor holds it).")
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Edit a memory in $VISUAL/$EDITOR (or with options); changed text is re-embedded.

    Saved only over the version the editor opened: if it changed meanwhile, nothing is
    written and what you wrote is kept in a file (--file saves it later)."""
    slots: dict[str, Any] = {"key": key, "occurred_at": occurred, "expires_at": expires}
    with open_service(ctx, db, semantic=True) as service:
        memory = service.get(memory_id)
        options = (content, kind, tag, scope, *slots.values())
        if file or all(option is None for option in options):
            written = editing.to_text(memory)
            edited = editing.read_kept(file, options) if file else editing.run_editor(written)
            with editing.kept_on_error(edited, memory_id):  # a refused edit is not lost
                fields = editing.from_text(edited, written)
                if fields is None:
                    err.print("Content emptied: edit cancelled, nothing changed.")
                    raise typer.Exit(1)
                seen = memory.changed_at  # what the editor opened: nothing changed since
                updated = (
                    service.update(memory_id, **fields, client=CLI_CLIENT, unchanged_since=seen)
                    if fields
                    else None
                )
        else:
            fields = {"content": content, "kind": kind, "tags": tag, "scope": scope}
            updated = service.update(memory_id, **fields, client=CLI_CLIENT, **slots)
    if json_:
        as_json(updated or memory)
    else:
        if updated is None or updated.updated_at == memory.updated_at:
            err.print("No change.")
        else:
            masked = ", ".join(updated.redacted)
            saved = (
                f"Saved #{updated.id}."
                if updated.id == memory_id
                else (
                    f"Saved: #{memory_id} now says what #{updated.id} says, and was merged into it."
                )
            )
            err.print(saved + (f" Secrets masked: {masked}." if masked else ""))


@app.command(rich_help_panel="Inspect and fix")
def purge(
    ctx: typer.Context,
    ids: Annotated[list[int] | None, typer.Argument(help="Memory ids.")] = None,
    expired: Annotated[bool, typer.Option("--expired", help="Purge every expired memory.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    db: DbOpt = None,
) -> None:
    """Delete memories permanently (unlike forget, this cannot be undone)."""
    with open_service(ctx, db) as service:
        targets = service.purge_candidates(ids or [], expired)
        if not targets:
            err.print("Nothing to purge.")
            return
        # everything that goes: with --expired, what the purge brings back already expired too
        going = service.purge_preview(targets, expired) if expired else targets
        shown = service.get_many(going)
        for memory in shown:
            behind = "" if memory.id in targets else " (behind an expired one, expired with it)"
            line = f"  #{memory.id} [{memory.scope}] {preview(memory.content, 80)}{behind}"
            err.print(inert(line))
        if not yes:
            what = "this memory" if len(going) == 1 else f"these {len(going)} memories"
            typer.confirm(f"Permanently delete {what}?", abort=True, err=True)
        # as listed above, each one: one changed while the question waited (a memory behind
        # an expired one too), or one more to go, deletes none
        seen = {m.id: m.changed_at for m in shown}
        purged = service.purge(
            targets, client=CLI_CLIENT, unchanged_since=seen, expired=expired, listed=going
        )
    their = "Its history keeps" if len(purged) == 1 else "Their history keeps"
    held = "it" if len(purged) == 1 else "them"
    err.print(
        f"Purged {fmt_ids(purged)}. {their} when and by whom, not what "
        f"(memory-mcp history ID); backups made before still hold {held}."
    )


@app.command(rich_help_panel="Inspect and fix")
def scrub(
    ctx: typer.Context,
    ids: IdsArg,
    text: Annotated[
        str | None,
        typer.Option(
            help="The text to remove (if not given: asked for, unechoed, or read from stdin)."
        ),
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Erase a string (a secret) from memories and their history; it becomes [scrubbed]."""
    if text is None:
        text = _secret_text()
    with open_service(ctx, db, semantic=True) as service:
        result = service.scrub(ids, text, client=CLI_CLIENT)
    if json_:
        as_json({str(i): {"memory": m, "history_entries": n} for i, (m, n) in result.items()})
        return
    for memory_id, (memory, entries) in result.items():
        where = ["the memory"] if memory else []
        where += [f"{entries} history entr{'y' if entries == 1 else 'ies'}"] if entries else []
        found = f"scrubbed from {' and '.join(where)}." if where else "the text is not there."
        err.print(f"#{memory_id}: {found}")


SCRUB_STDIN_CHARS = 100_000  # more than any memory holds


def _secret_text() -> str:
    """What scrub removes when --text is not given: asked for, unechoed, in a terminal; else
    read from stdin (`pass show token | memory-mcp scrub 7`: no secret on a command line),
    its one final line end dropped. getpass warned and aborted there."""
    if sys.stdin.isatty():
        return str(typer.prompt("Text to scrub", hide_input=True, err=True))
    data = sys.stdin.buffer.read(4 * SCRUB_STDIN_CHARS + 1)  # UTF-8: 4 bytes a character
    try:  # strict: text read with its bytes escaped matched nothing ("not there", exit 0)
        text = "" if len(data) > 4 * SCRUB_STDIN_CHARS else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # the message names a byte's place, not the text
        raise InvalidInput(
            f"The text on stdin is not UTF-8 (byte {exc.start + 1:,} is not): convert it "
            "first (iconv -f latin1 -t utf-8), or give --text TEXT."
        ) from None
    if len(text) > SCRUB_STDIN_CHARS or len(data) > 4 * SCRUB_STDIN_CHARS:
        raise InvalidInput(
            f"stdin holds more than {SCRUB_STDIN_CHARS:,} characters: no memory is that long."
        )
    text = text.removesuffix("\n").removesuffix("\r")
    if not text:
        raise InvalidInput("No text to scrub: give --text TEXT, or the text on stdin.")
    return text


@app.command(rich_help_panel="Inspect and fix")
def history(
    ctx: typer.Context,
    memory_id: int,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Most entries.")] = 50,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """The audit trail of one memory: every change, when, and by which client."""
    with open_service(ctx, db) as service:
        pages = _history_pages(service, memory_id, limit)
        long = limit > LONG_LISTING
        _show_history(pages, json_, f"history of #{memory_id}", with_memory=False, plain=long)


@app.command(rich_help_panel="Inspect and fix")
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Most entries.")] = 50,
    by: Annotated[
        str | None, typer.Option("--by", help="Only changes made by this principal.")
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Recent changes to any memory, newest first."""
    with open_service(ctx, db) as service:
        pages = _history_pages(service, None, limit, by)
        _show_history(pages, json_, "log", plain=limit > LONG_LISTING)


def _history_pages(
    service: "MemoryService", memory_id: int | None, limit: int, by: str | None = None
) -> "Iterator[list[HistoryEntry]]":
    """`limit` entries, newest first, each page before the last one's id."""
    return _keyset_pages(
        lambda size, before: service.history(memory_id, size, by, before),
        lambda entry: entry.id,
        limit,
    )


def _show_history(
    pages: "Iterator[list[HistoryEntry]]",
    json_: bool,
    title: str,
    with_memory: bool = True,
    plain: bool = False,
) -> None:
    """`plain`: a long listing, printed line by line (longlist.py)."""
    if json_:
        json_array(entry for page in pages for entry in page)
        return
    shown = 0
    for page in pages:
        if plain:
            rows = ((f"#{e.memory_id}" if with_memory else "", history_cell(e)) for e in page)
            print_rows(out, rows)
        else:
            out.print(history_table(page, title if not shown else None, with_memory))
        shown += len(page)
    if not shown:
        err.print("No changes recorded.")


@app.command(rich_help_panel="Inspect and fix")
def scopes(ctx: typer.Context, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Every scope with its count of visible memories."""
    with open_service(ctx, db) as service:
        counts = service.scopes()
        project = service.project_scope()
    if json_:
        as_json({"scopes": counts, "project": project})
        return
    if counts:
        out.print(key_values("scopes", counts.items()))
    else:
        err.print("No memories yet.")
    if project:
        err.print(f"Project scope in context: {safe(project)}")


@app.command(rich_help_panel="Inspect and fix")
def move(
    ctx: typer.Context,
    ids: IdsArg,
    to: Annotated[
        str, typer.Option("--to", help="The scope to move them to.", callback=noted_scope)
    ],
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Move memories to another scope."""
    with open_service(ctx, db, semantic=True) as service:
        moved = service.move(ids, to, client=CLI_CLIENT)
    if json_:
        as_json(moved)
    else:
        err.print(f"Moved {fmt_ids([m.id for m in moved])} to {safe(to)}.")


@app.command(rich_help_panel="Inspect and fix")
def stats(ctx: typer.Context, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Counts by scope and kind, database size, model and search mode."""
    with open_service(ctx, db) as service:  # reads the database only: no model load
        result = service.stats()
    if json_:
        as_json(result)
        return
    # What a principal is not shown (stats: None) is left out, not printed as "size —".
    fields = {name: value for name, value in result.model_dump().items()
              if value is not None or name not in ("db_path", "db_bytes", "embedded")}  # fmt: skip
    if result.db_bytes is not None:
        fields["db_bytes"] = size(result.db_bytes)
    labels = {"db_path": "database", "db_bytes": "size", "total": "memories"}
    out.print(key_values("memory-mcp", readable(fields, labels)))
