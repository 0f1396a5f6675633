"""CLI commands: each builds the service, makes one call, renders. Errors are handled once."""

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from typer.core import TyperGroup

from memory_mcp import __version__
from memory_mcp.cli import editing
from memory_mcp.cli.render import as_json, err, key_values, memory_table, out
from memory_mcp.config import Settings
from memory_mcp.errors import MemoryMCPError
from memory_mcp.models import KINDS
from memory_mcp.service import MemoryService


class _Group(TyperGroup):
    """Shows a MemoryMCPError as one red line on stderr and exits 1; anything else is a bug."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except MemoryMCPError as exc:
            err.print(f"[red]Error:[/red] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from exc


app = typer.Typer(
    cls=_Group,
    name="memory-mcp",
    help="Persistent memory for MCP clients: run the server, or inspect and edit memory.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@dataclass
class _Options:
    overrides: dict[str, Any] = field(default_factory=dict)


# Only the root option reads MEMORY_MCP_DB: a subcommand's --db must come from the command
# line, or the environment would override `memory-mcp --db X COMMAND`.
RootDbOpt = Annotated[
    Path | None,
    typer.Option("--db", envvar="MEMORY_MCP_DB", help="Database file.", show_default=False),
]
DbOpt = Annotated[Path | None, typer.Option("--db", help="Database file.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ScopeOpt = Annotated[str | None, typer.Option("--scope", "-s", help="Only this scope.")]
KindOpt = Annotated[str | None, typer.Option("--kind", "-k", help=f"One of {', '.join(KINDS)}.")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag (repeat for several).")]
SinceOpt = Annotated[str | None, typer.Option(help="From this ISO date/time.")]
UntilOpt = Annotated[str | None, typer.Option(help="Before this ISO date/time.")]
IdsArg = Annotated[list[int], typer.Argument(help="Memory ids.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"memory-mcp {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: RootDbOpt = None,
    model: Annotated[
        str | None, typer.Option(envvar="MEMORY_MCP_MODEL", help="fastembed model name.")
    ] = None,
    model_dir: Annotated[
        Path | None,
        typer.Option(envvar="MEMORY_MCP_MODEL_DIR", help="Local ONNX model directory."),
    ] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More logs.")] = 0,
    version: Annotated[
        bool,
        typer.Option("--version", help="Show the version.", is_eager=True, callback=_version),
    ] = False,
) -> None:
    """Persistent memory for MCP clients."""
    level = logging.WARNING - 10 * verbose
    _configure_logging(level if ctx.invoked_subcommand != "serve" else min(level, logging.INFO))
    overrides = {"db": db, "model": model, "model_dir": model_dir}
    ctx.obj = _Options({k: v for k, v in overrides.items() if v is not None})


def _configure_logging(level: int) -> None:
    handler = RichHandler(console=err, show_path=False, rich_tracebacks=True)
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)


@contextmanager
def _service(
    ctx: typer.Context, db: Path | None, semantic: bool = False
) -> Iterator[MemoryService]:
    """Open the service; `semantic` loads the model now (the CLI can wait for it)."""
    overrides = dict(ctx.obj.overrides) if ctx.obj else {}
    if db is not None:
        overrides["db"] = db
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise MemoryMCPError(f"Invalid setting: {exc.errors()[0]['msg']}") from exc
    service = MemoryService.open(settings)
    try:
        if semantic:
            with err.status("Loading the embedding model…"):
                ready = service.semantic.ensure()
            if not ready:
                err.print(f"[yellow]{service.semantic.note}[/yellow]")
        yield service
    finally:
        service.close()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


# -- serving -----------------------------------------------------------------------------------


@app.command()
def serve(ctx: typer.Context, db: DbOpt = None) -> None:
    """Run the MCP server on stdio (what MCP clients launch)."""
    from memory_mcp.server import serve as run

    overrides = dict(ctx.obj.overrides) if ctx.obj else {}
    if db is not None:
        overrides["db"] = db
    run(Settings(**overrides))


# -- the four tools, by hand ------------------------------------------------------------------


@app.command()
def remember(
    ctx: typer.Context,
    content: Annotated[str, typer.Argument(help="The memory text ('-' reads stdin).")],
    kind: Annotated[str, typer.Option("--kind", "-k", help=f"One of {', '.join(KINDS)}.")] = "note",
    tag: TagOpt = None,
    scope: ScopeOpt = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Store a memory."""
    text = sys.stdin.read() if content == "-" else content
    with _service(ctx, db, semantic=True) as service:
        memory = service.remember(text, kind, tag, scope)
    if json_:
        as_json(memory)
    else:
        err.print(f"Remembered [cyan]#{memory.id}[/cyan] in scope {memory.scope}.")


@app.command()
def recall(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for.")],
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="Most hits.")] = None,
    scope: ScopeOpt = None,
    kind: KindOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Search memory (hybrid keyword + semantic)."""
    with _service(ctx, db, semantic=True) as service:
        result = service.recall(query, limit, scope, kind, tag, since, until)
    if json_:
        as_json(result)
        return
    out.print(memory_table(result.hits, title=f"recall ({result.mode})", score=True))
    if not result.hits:
        err.print("No memory matches.")


@app.command()
def forget(
    ctx: typer.Context,
    ids: IdsArg,
    reason: Annotated[str | None, typer.Option(help="Why, kept for the record.")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Hide memories from recall (reversible with `restore`)."""
    with _service(ctx, db) as service:
        result = service.forget(ids, reason)
    if json_:
        as_json(result)
        return
    if result.forgotten:
        err.print(f"Forgot {_ids(result.forgotten)}. Undo with: memory-mcp restore ...")
    if result.already_forgotten:
        err.print(f"Already forgotten: {_ids(result.already_forgotten)}.")


@app.command()
def restore(ctx: typer.Context, ids: IdsArg, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Bring forgotten memories back."""
    with _service(ctx, db) as service:
        memories = service.restore(ids)
    if json_:
        as_json(memories)
    else:
        err.print(f"Restored {_ids([m.id for m in memories])}.")


@app.command()
def summarize(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="Topic; omit for everything.")] = None,
    scope: ScopeOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Most memories shown.")] = 10,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """An extractive summary of what memory holds."""
    with _service(ctx, db, semantic=query is not None) as service:
        summary = service.summarize(query, scope, kind, since, until, limit)
    if json_:
        as_json(summary)
    else:
        out.print(summary.text, markup=False, highlight=False)


# -- inspecting and editing -------------------------------------------------------------------


@app.command("list")
def list_(
    ctx: typer.Context,
    scope: ScopeOpt = None,
    kind: KindOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    forgotten: Annotated[bool, typer.Option(help="Include forgotten memories.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Page size.")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many (paging).")] = 0,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List memories, newest first."""
    with _service(ctx, db) as service:
        flt = service.make_filter(scope, kind, tag, since, until, include_forgotten=forgotten)
        memories = service.list_memories(flt, limit=limit, offset=offset)
        total = service.store.count(flt)
    if json_:
        as_json(memories)
        return
    out.print(memory_table(memories))
    err.print(f"{offset + 1 if memories else 0}-{offset + len(memories)} of {total}")


@app.command()
def show(ctx: typer.Context, memory_id: int, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Show one memory in full."""
    with _service(ctx, db) as service:
        memory = service.get(memory_id)
    if json_:
        as_json(memory)
        return
    fields = memory.model_dump(exclude={"content"})
    out.print(key_values(f"memory {memory.id}", list(fields.items())))
    out.print(memory.content, markup=False, highlight=False)


@app.command()
def edit(
    ctx: typer.Context,
    memory_id: int,
    content: Annotated[str | None, typer.Option(help="New text (skips the editor).")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="New kind.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Replace tags.")] = None,
    scope: Annotated[str | None, typer.Option("--scope", "-s", help="New scope.")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Edit a memory in $VISUAL/$EDITOR (or with options); changed text is re-embedded."""
    with _service(ctx, db, semantic=True) as service:
        memory = service.get(memory_id)
        if content is None and kind is None and tag is None and scope is None:
            fields = editing.from_text(editing.run_editor(editing.to_text(memory)))
            if fields is None:
                err.print("Content emptied: edit cancelled, nothing changed.")
                raise typer.Exit(1)
        else:
            fields = {"content": content, "kind": kind, "tags": tag, "scope": scope}
        updated = service.update(memory_id, **fields)
    if json_:
        as_json(updated)
    else:
        changed = updated.updated_at != memory.updated_at
        err.print(f"Saved #{updated.id}." if changed else "No change.")


@app.command()
def purge(
    ctx: typer.Context,
    ids: IdsArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    db: DbOpt = None,
) -> None:
    """Delete memories permanently (unlike forget, this cannot be undone)."""
    if not yes:
        typer.confirm(f"Permanently delete {_ids(ids)}?", abort=True, err=True)
    with _service(ctx, db) as service:
        purged = service.purge(ids)
    err.print(f"Purged {_ids(purged)}.")


@app.command()
def stats(ctx: typer.Context, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Counts by scope and kind, database size, model and search mode."""
    with _service(ctx, db, semantic=True) as service:
        result = service.stats()
    if json_:
        as_json(result)
        return
    out.print(key_values("memory-mcp", list(result.model_dump().items())))


# -- moving data and maintenance ---------------------------------------------------------------


@app.command()
def export(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="JSONL file to write ('-' for stdout).")],
    db: DbOpt = None,
) -> None:
    """Write every memory (forgotten ones too) as JSON lines: a lossless backup."""
    with _service(ctx, db) as service:
        if str(path) == "-":
            count = service.export_jsonl(sys.stdout)
        else:
            total = service.store.counts()["memories"]
            with _progress() as bar, path.open("w", encoding="utf-8") as fh:
                task = bar.add_task("export", total=total)
                count = service.export_jsonl(fh, lambda n: bar.update(task, completed=n))
    err.print(f"Exported {count} memories.")


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="JSONL file (from `export` or hand-written).")],
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Import memories from JSON lines; safe to re-run (existing ids are skipped)."""
    with _service(ctx, db, semantic=True) as service, _progress() as bar:
        task = bar.add_task("import", total=None)
        report = service.import_jsonl(path, lambda n: bar.update(task, completed=n))
    if json_:
        as_json(report)
    else:
        err.print(
            f"Read {report.read}: created {report.created}, skipped {report.skipped_existing} "
            f"already present, renumbered {report.renumbered} whose id was taken."
        )


@app.command()
def reindex(ctx: typer.Context, db: DbOpt = None) -> None:
    """Rebuild the full-text index and re-embed every memory with the configured model."""
    with _service(ctx, db) as service, _progress() as bar:
        task = bar.add_task("reindex", total=service.store.counts()["memories"])
        count = service.reindex(lambda done, total: bar.update(task, completed=done, total=total))
    err.print(f"Re-embedded {count} memories with {service.settings.model}.")


@app.command()
def doctor(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option(help="Rebuild indexes that drifted.")] = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Check integrity and index drift; --repair fixes drift."""
    with _service(ctx, db) as service:
        report = service.doctor(repair=repair)
    if json_:
        as_json(report.model_dump() | {"healthy": report.healthy})
    else:
        out.print(key_values("doctor", list(report.model_dump().items())))
        verdict = "[green]healthy[/green]" if report.healthy else "[red]problems found[/red]"
        err.print(f"Database is {verdict}." + ("" if repair else " (--repair to fix drift)"))
    if not report.healthy:
        raise typer.Exit(1)


def _ids(ids: list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids) or "nothing"


def main() -> None:
    app()
