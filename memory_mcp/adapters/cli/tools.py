"""The four MCP tools, by hand: remember, recall, forget/restore, summarize."""

import sys
from typing import Annotated

import typer

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
    settings_for,
)
from memory_mcp.adapters.cli.opening import noted_scope
from memory_mcp.adapters.cli.render import (
    as_json,
    err,
    fmt_ids,
    inert,
    memory_table,
    out,
    preview,
    safe,
)
from memory_mcp.errors import InvalidInput
from memory_mcp.names import WRITABLE_KINDS
from memory_mcp.remembered import RememberResult

# -- the four tools, by hand ------------------------------------------------------------------


@app.command(rich_help_panel="The four tools, by hand")
def remember(
    ctx: typer.Context,
    content: Annotated[str, typer.Argument(help="The memory text ('-' reads stdin).")],
    kind: Annotated[
        str, typer.Option("--kind", "-k", help=f"One of {', '.join(WRITABLE_KINDS)}.")
    ] = "note",
    tag: TagOpt = None,
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope",
            "-s",
            help="Store it in this scope (default: the project's, else global).",
            callback=noted_scope,
        ),
    ] = None,
    key: Annotated[
        str | None, typer.Option(help="Named slot (user.editor): supersedes its old value.")
    ] = None,
    replaces: Annotated[int | None, typer.Option(help="Id of a memory this corrects.")] = None,
    occurred: Annotated[
        str | None, typer.Option(help="When it happened (ISO, 'yesterday', '3 days ago').")
    ] = None,
    ttl: Annotated[str | None, typer.Option(help="Expire after 30m, 12h, 7d, 2w…")] = None,
    expires: Annotated[str | None, typer.Option(help="Expire at this date/time.")] = None,
    context: Annotated[
        str | None,
        typer.Option(help="Surrounding text (e.g. the conversation) searched but not shown."),
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Store a memory (repeats and rewordings are merged; a key or --replaces supersedes)."""
    if kind == "summary":  # as the MCP tool's schema: a summary records what it draws on
        raise InvalidInput(
            "A summary is made by `memory-mcp summarize --save`, which records the memories it"
            f" draws on; store this as one of {', '.join(WRITABLE_KINDS)}."
        )
    text = _stdin_text(settings_for(ctx, db=db).max_content_chars) if content == "-" else content
    with open_service(ctx, db, semantic=True, create=True) as service:
        result = service.remember(
            text, kind, tag, scope, key=key, replaces=replaces, occurred_at=occurred,
            ttl=ttl, expires_at=expires, client=CLI_CLIENT, context=context,
        )  # fmt: skip
    if json_:
        as_json(result)
        return
    _say_remembered(result)


def _say_remembered(result: RememberResult) -> None:
    """What happened, what was masked, and the close memories it may update."""
    message = {
        "created": f"Remembered [cyan]#{result.id}[/cyan] in scope {safe(result.scope)}.",
        "duplicate": f"Already known as [cyan]#{result.id}[/cyan]; counted the repeat"
        + (f"; it supersedes {fmt_ids(result.supersedes)}." if result.supersedes else "."),
        "merged": f"Same information as [cyan]#{result.id}[/cyan]; merged into it.",
        "superseded": f"Remembered [cyan]#{result.id}[/cyan]; it supersedes "
        f"{fmt_ids(result.supersedes)}.",
    }[result.status]
    err.print(message)
    if result.redacted:
        err.print(f"[yellow]Redacted before storing: {', '.join(result.redacted)}.[/yellow]")
    if result.similar:
        err.print("Close to, but not the same as:")
        for near in result.similar:
            err.print(f"  [cyan]#{near.id}[/cyan] {safe(preview(near.content))}")
        err.print("If it replaces one of them: memory-mcp remember TEXT --replaces ID")


def _stdin_text(most: int) -> str:
    """A memory's text from stdin, read no further than any memory can be (UTF-8 takes at
    most 4 bytes a character): `remember - < /dev/zero` held everything it read."""
    data = sys.stdin.buffer.read(4 * most + 1)
    if len(data) > 4 * most:
        raise InvalidInput(
            f"stdin holds more than a memory may ({most:,} characters, "
            "MEMORY_MCP_MAX_CONTENT_CHARS); nothing was stored."
        )
    from memory_mcp.policies.inputs import utf8  # (it loads the redaction rules)

    return utf8(data, "stdin")


@app.command(rich_help_panel="The four tools, by hand")
def recall(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="What to look for.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="Most hits.")] = None,
    max_tokens: Annotated[
        int | None, typer.Option(help="Fit the hits in this many tokens.")
    ] = None,
    scope: ScopeOpt = None,
    kind: KindOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    recorded: Annotated[
        bool,
        typer.Option("--recorded", help="--since/--until on when stored, not when it happened."),
    ] = False,
    superseded: Annotated[
        bool, typer.Option("--superseded", help="Include memories replaced by newer ones.")
    ] = False,
    as_of: Annotated[str | None, typer.Option(help="What was current at this time.")] = None,
    memory_id: Annotated[
        list[int] | None, typer.Option("--id", help="Fetch these ids in full (repeatable).")
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Search memory (hybrid keyword + semantic), or fetch memories by --id."""
    with open_service(ctx, db, semantic=not memory_id) as service:
        result = service.recall(
            query, limit, scope, kind, tag, since, until,
            time_field="recorded" if recorded else "occurred", include_superseded=superseded,
            as_of=as_of, max_tokens=max_tokens, ids=memory_id,
        )  # fmt: skip
        off = service.semantic.state == "off"  # open_service says why only when not chosen
        # with search off the note is printed, and it names an empty scope itself
        said_by_note = off and bool(result.note)
        hint = "" if result.hits or memory_id or said_by_note else scope_hint(service, scope)
    if off and result.note and not json_:
        err.print(result.note, style="yellow", markup=False, soft_wrap=True)
    if json_:
        as_json(result)
        return
    if not result.hits:
        err.print("No memory matches." + hint, markup=False)
        return
    out.print(memory_table(result.hits, title=f"recall ({result.mode})", score=True))


@app.command(rich_help_panel="The four tools, by hand")
def forget(
    ctx: typer.Context,
    ids: IdsArg,
    reason: Annotated[str | None, typer.Option(help="Why, kept for the record.")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Hide memories from recall (reversible with `restore`)."""
    with open_service(ctx, db) as service:
        result = service.forget(ids, reason, client=CLI_CLIENT)
    if json_:
        as_json(result)
        return
    if result.forgotten:
        err.print(f"Forgot {fmt_ids(result.forgotten)}. Undo with: {result.undo}")
    if result.already_forgotten:
        err.print(f"Already forgotten: {fmt_ids(result.already_forgotten)}.")


@app.command(rich_help_panel="The four tools, by hand")
def restore(
    ctx: typer.Context,
    ids: IdsArg,
    replacement: Annotated[
        bool,
        typer.Option(
            "--replacement",
            help="Also undo a replacement (`replace`, --replaces): the memory current again "
            "beside what replaced it.",
        ),
    ] = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Bring forgotten memories back (--replacement: undo a replacement too).

    Without --replacement a replaced memory stays replaced, so running a forget's undo twice
    never brings an old value back beside its correction."""
    with open_service(ctx, db) as service:
        result = service.restore(ids, client=CLI_CLIENT, replaced=replacement)
    if json_:
        as_json(result.memories)
        return
    if result.restored:
        err.print(f"Restored {fmt_ids(result.restored)}.")
    replaced = {m.id: m.superseded_by for m in result.memories if m.superseded_by}
    if result.not_forgotten:
        err.print(f"Not forgotten, nothing to restore: {fmt_ids(result.not_forgotten)}.")
    for mid in [] if replacement else [i for i in result.not_forgotten if i in replaced]:
        err.print(
            f"#{mid} stays replaced by #{replaced[mid]}: "
            f"`memory-mcp restore {mid} --replacement` makes it current again beside it."
        )
    for kept, copies in result.merged.items():  # its text, stored again while it was forgotten
        err.print(
            f"{fmt_ids(copies)}, the same text stored again meanwhile, merged into #{kept} "
            f"(`memory-mcp history {kept}`)."
        )
    for back, into in result.folded_into.items():  # a correction says the same now
        err.print(
            f"#{back} says what #{into} says (a correction stored meanwhile): merged into it "
            f"(`memory-mcp history {into}`)."
        )
    for old, new in result.still_superseded.items():  # back, or never gone, but replaced
        newer = "a newer memory" if new is None else f"#{new}"  # None: one you may not read
        err.print(
            f"#{old} stays superseded by {newer}: recall shows {newer} instead "
            "(`recall --superseded` shows both)."
        )


@app.command(rich_help_panel="The four tools, by hand")
def summarize(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="Topic; omit for everything.")] = None,
    scope: ScopeOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Most themes shown.")] = 10,
    max_tokens: Annotated[int | None, typer.Option(help="Keep within this many tokens.")] = None,
    save: Annotated[bool, typer.Option("--save", help="Store it as a `summary` memory.")] = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """A themed, extractive summary of what memory holds (no LLM)."""
    with open_service(ctx, db, semantic=query is not None or save) as service:
        summary = service.summarize(
            query, scope, kind, since, until, limit, max_tokens=max_tokens, save=save,
            client=CLI_CLIENT,
        )  # fmt: skip
    if json_:
        as_json(summary)
        return
    out.print(inert(summary.text))
    if summary.saved_id is not None:
        err.print(f"Saved as summary #{summary.saved_id}.")
