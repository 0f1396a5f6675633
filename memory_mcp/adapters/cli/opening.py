"""What a CLI command opens: its settings (root options under its own) and the service, with
the model loaded on the command's first need and a backlog of vectors filled first."""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from memory_mcp.adapters.cli.quick import setting_errors
from memory_mcp.adapters.cli.render import err, inert
from memory_mcp.errors import InvalidInput, MemoryMCPError, StorageError, of_one_batch
from memory_mcp.names import clean_scope, invisible_note, no_such_scope

# The settings, the service and what they import (pydantic-settings, the storage and search
# layers) are imported when a command opens a database, not by `--help`.
if TYPE_CHECKING:
    from rich.progress import Progress

    from memory_mcp.config import Settings
    from memory_mcp.policies.access import Access
    from memory_mcp.service import MemoryService


def root_options(ctx: typer.Context) -> dict[str, Any]:
    """The settings given to the root command (--db, --model...), only those given."""
    return dict(ctx.obj.overrides) if ctx.obj else {}


def settings_for(ctx: typer.Context, **options: Any) -> "Settings":
    """Settings from the root options with this command's own (those given) on top; a bad
    value is a MemoryMCPError, shown as one line like any other."""
    from pydantic import ValidationError

    from memory_mcp.config import Settings

    overrides = root_options(ctx) | {k: v for k, v in options.items() if v is not None}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise MemoryMCPError(setting_errors(exc)) from exc


@contextmanager
def open_service(
    ctx: typer.Context,
    db: str | None,
    semantic: bool = False,
    create: bool = False,
    connect_timeout_s: int | None = None,
    damaged: bool = False,
) -> "Iterator[MemoryService]":
    """Open the service; `semantic` loads the model when the command first needs it (the
    CLI can wait for it), which is after the service has checked the command's input: a bad
    option is refused at once, not after the seconds a load takes.

    Only commands that store new memories pass `create`: the others refuse a database that
    does not exist, so a mistyped --db is an error rather than a new, empty database.
    Only doctor passes `damaged`: it opens a database whose keyword index was dropped.
    """
    from memory_mcp.config import default_db_path, is_database_url
    from memory_mcp.service import MemoryService

    settings = settings_for(ctx, db=db)
    path = Path(settings.db).expanduser()
    if (
        create
        and not is_database_url(settings.db)
        and not path.exists()
        and not path.parent.is_dir()
        and path != default_db_path()
    ):
        raise InvalidInput(
            f"No folder {path.parent} for the database {path}: check --db (or "
            "MEMORY_MCP_DB), or create the folder first."
        )
    service = MemoryService.open(  # lazy: a command builds (and imports) the parts it uses
        settings, create=create, connect_timeout_s=connect_timeout_s, damaged=damaged, lazy=True
    )
    try:
        if semantic:
            service.semantic.load_on_demand = functools.partial(_load_model, service)
        principal = ctx.obj.principal if ctx.obj else None
        yield service if principal is None else service.as_principal(_acting(service, principal))
    finally:
        service.close()


def _acting(service: "MemoryService", principal: str) -> "Access":
    """`--as NAME`'s access; a name no token or grant knows is said (a typo would otherwise
    act, and write, as a principal nobody has), though a JWT caller may be one."""
    access = service.team.access_for(principal)
    if all(known.name != access.principal for known in service.team.list()):
        err.print(
            f"No principal named {access.principal!r} has a token or grants (memory-mcp "
            f"token list): acting with its own scope {access.home} only.",
            style="yellow",
            markup=False,
            soft_wrap=True,
        )
    return access


def _load_model(service: "MemoryService") -> None:
    from memory_mcp.search.embed import waits_for_it

    waits_for_it(service.semantic.embedder)  # (not for a network that failed it lately)
    with err.status("Loading the embedding model…"):
        ready = service.semantic.ensure(backlog=False)
    if ready:
        _embed_backlog(service)
    elif service.semantic.state != "off":  # why, and what to do (the loader logs nothing);
        # turned off by choice, it is said where it informs (recall, stats)
        err.print(service.semantic.note, style="yellow", markup=False, soft_wrap=True)


def _embed_backlog(service: "MemoryService") -> None:
    """Memories stored without a vector (semantic search off, offline, a hook's quick store)
    get one before the command runs, so its recall is hybrid over all of them. At a few
    hundred a second a large backlog takes a while, once: a bar shows it, from its first batch
    on (nothing shows when there is none)."""
    shown: list[tuple[Progress, Any]] = []

    def report(done: int, total: int) -> None:
        if not shown:
            bar = progress_bar()
            bar.start()
            shown.append((bar, bar.add_task("Embedding memories stored without a vector")))
        bar, task = shown[0]
        bar.update(task, completed=done, total=total)

    try:
        service.semantic.fill_pending(report)
    except StorageError as exc:
        # Best effort, each batch its own transaction: the command goes on (a full disk
        # must not refuse a recall), over the vectors stored so far.
        reason = of_one_batch(exc)
        err.print(
            "Not every memory stored without a vector got one now; the others are found by "
            f"keyword only until a later command or a server embeds them. {reason}",
            style="yellow",
            markup=False,
            soft_wrap=True,
        )
    finally:
        for bar, _ in shown:
            bar.stop()


def progress_bar() -> "Progress":
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def scope_hint(service: "MemoryService", scope: str | None) -> str:
    """After "no match": a --scope that names no scope holding a visible memory (a typo, most
    often) is said to be one, with the nearest name, instead of leaving an empty answer."""
    if scope is None or "*" in scope:
        return ""
    try:
        scope = clean_scope(scope)
    except ValueError:  # the command itself said what is wrong with it
        return ""
    said = no_such_scope(scope, list(service.scopes()))
    return "" if said is None else f" {said}; `memory-mcp scopes` lists them."


def noted_scope(value: str | None) -> str | None:
    """The callback of every option naming a scope: invisible characters in it (scope names
    never keep them, so `te<U+202E>am` is `team`) are said on stderr, not dropped unseen."""
    if value is not None and (note := invisible_note(value)) is not None:
        err.print(inert(f"Note: {note}."))
    return value
