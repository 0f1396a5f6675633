"""The CLI's app object, shared options and helpers. Command modules import this one; it
imports none of them (main.py puts the two together)."""

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from memory_mcp import __version__
from memory_mcp.adapters.cli.arguments import check_text
from memory_mcp.adapters.cli.pipes import ReaderGone
from memory_mcp.adapters.cli.quick import plain_logging, setting_errors
from memory_mcp.adapters.cli.render import err, out, safe
from memory_mcp.adapters.logs import masked
from memory_mcp.errors import (
    InvalidInput,
    MemoryMCPError,
    StorageError,
    of_one_batch,
    plain_wording,
)
from memory_mcp.names import KINDS, clean_scope, no_such_scope

# The settings, the service and what they import (pydantic-settings, numpy, the storage and
# search layers) are imported by the commands that open a database, not by `--help`.
if TYPE_CHECKING:
    from rich.progress import Progress

    from memory_mcp.config import Settings
    from memory_mcp.policies.access import Access
    from memory_mcp.service import MemoryService


class Group(TyperGroup):
    """Shows a MemoryMCPError as one red line on stderr and exits 1 (anything else is a bug),
    and its commands' help as written."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:  # the root's --help and --version print here
            return super().make_context(*args, **kwargs)
        except BrokenPipeError as exc:
            raise ReaderGone from exc

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        helped = not args and self.no_args_is_help  # (parsing consumes `args`)
        try:
            return list(super().parse_args(ctx, args))
        except ReaderGone as exc:
            if not helped:
                raise
            # typer prints the help of a group given no command while it makes the usage
            # error (exit 2): a closed pipe cut that help, and the command still failed
            raise ReaderGone(failing=2) from exc

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            check_text(ctx)
            return super().invoke(ctx)
        except BrokenPipeError as exc:  # typer would make it exit code 1
            raise ReaderGone from exc
        except MemoryMCPError as exc:
            # soft_wrap: one line however long, so scripts and logs see it whole; the message
            # may quote what a client stored, so it is shown inert
            err.print(f"[red]Error:[/red] {safe(exc)}", markup=True, soft_wrap=True)
            raise typer.Exit(1) from exc
        except typer.BadParameter as exc:  # typer words a value it cannot convert as pydantic
            exc.message = _id_wording(exc) or plain_wording(exc.message)
            raise

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:  # type: ignore[override]
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            # typer suggests only close spellings: not `session-start` for `start`
            near = _named_by(args[0], list(self.commands)) if args else []
            if near and "Did you mean" not in exc.message:
                shown = ", ".join(repr(n) for n in near)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {shown}?"
            raise

    def get_params(self, ctx: typer.Context) -> list[Any]:  # type: ignore[override]
        return _readable_types(super().get_params(ctx), ctx)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _readable_types(command.get_params(ctx), ctx)
            _literal_help(command, ctx)
            _checks_text(command)
        return command

    def get_help(self, ctx: typer.Context) -> str:  # type: ignore[override]
        _plain_if_narrow(self, ctx)
        return str(super().get_help(ctx))


ID_PARAMS = ("memory_id", "ids", "replaces")  # the arguments and options that take memory ids


def _id_wording(exc: Any) -> str | None:
    """A memory id that is not a whole number, in the words the tools use; None otherwise."""
    from pydantic import ValidationError

    cause = exc.__cause__
    if getattr(exc.param, "name", None) not in ID_PARAMS or not isinstance(cause, ValidationError):
        return None
    bad = [e["input"] for e in cause.errors() if str(e.get("type", "")).startswith("int")]
    return f"Memory ids are whole numbers such as 7, not {bad[0]!r}." if bad else None


# A client's hook event named where `memory-mcp hook` wants the command that serves it.
EVENT_COMMANDS = {"stop": "capture", "precompact": "capture", "precompress": "capture",
                  "sessionend": "capture", "userpromptsubmit": "prompt",
                  "beforeagent": "prompt"}  # fmt: skip


def _named_by(typed: str, names: list[str]) -> list[str]:
    """The commands a name that is no command's may mean: one word of theirs (`start`), or
    theirs spelt without its hyphens or in other case (`SessionStart`, `session_start`), or
    the hook command a client's event (`Stop`, `UserPromptSubmit`) runs."""
    bare = typed.lower().replace("_", "-")
    flat = bare.replace("-", "")
    return [
        n for n in names
        if bare in n.split("-") or flat == n.replace("-", "") or EVENT_COMMANDS.get(flat) == n
    ]  # fmt: skip


def _checks_text(command: Any) -> None:
    """A command refuses text arguments that are not UTF-8 before it runs (a group checks
    its own in `invoke`). Wrapped once per command object (typer keeps them)."""
    if isinstance(command, Group) or getattr(command, "_checks_text", False):
        return
    run = command.invoke

    def invoke(ctx: typer.Context) -> Any:
        check_text(ctx)
        return run(ctx)

    command.invoke = invoke
    command._checks_text = True


NARROW_COLUMNS = 60


def _plain_if_narrow(command: Any, ctx: typer.Context) -> bool:
    """Below 60 columns rich's boxed help cuts option names (`--max-tok…`) and wraps
    descriptions a word a line: click's plain help is used there instead, at the terminal's
    width (its own default never goes below 50). Commands inherit the width from `ctx`."""
    width = Console().width
    if width >= NARROW_COLUMNS:
        return False
    command.rich_markup_mode = None
    ctx.terminal_width = width
    return True


def _literal_help(command: Any, ctx: typer.Context) -> None:
    """Help is plain text: rich would take `[scrubbed]` in a docstring for a style tag and
    print nothing of it, and keeps a docstring's line breaks (`nothing is` / `written`, a
    summary cut in two in the command list): each paragraph is one line, which rich wraps at
    the terminal's width. Done once per command object (typer keeps them). In a narrow
    terminal click's plain help shows it, which reads no markup and rewraps itself."""
    if getattr(command, "_literal", False):
        return
    if _plain_if_narrow(command, ctx):
        command._literal = True
        return
    for item in [command, *command.get_params(ctx)]:
        for name in ("help", "short_help"):
            text = getattr(item, name, None)
            if text:
                paragraphs = (" ".join(p.split()) for p in text.split("\n\n"))
                setattr(item, name, escape("\n\n".join(paragraphs)))
    command._literal = True


def _readable_types(params: list[Any], ctx: typer.Context) -> list[Any]:
    """Typer's help prints a parameter's Python type: `<bool>` beside a flag, which takes no
    value, and `<list[str]>` beside a repeatable option. Show nothing for a flag and the type
    of one value for a list (the help says it repeats)."""
    for param in params:
        if getattr(param, "_readable", False) or not hasattr(param, "display_type_rich"):
            continue
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.display_type_rich = lambda ctx: None
        else:
            label = param.display_type_rich(ctx)
            if label is not None and label.startswith("<list["):
                label = "<" + label.removeprefix("<list[").replace("]>", ">", 1)
                param.display_type_rich = lambda ctx, label=label: label
        param._readable = True
    return params


app = typer.Typer(
    cls=Group,
    name="memory-mcp",
    help="Persistent memory for MCP clients: run the server, or inspect and edit memory.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},  # subcommands inherit it
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


CLI_CLIENT = "cli"  # how the history names changes made by hand


@dataclass
class _Options:
    overrides: dict[str, Any] = field(default_factory=dict)
    principal: str | None = None  # --as: the principal whose grants every command obeys


# Only the root option reads MEMORY_MCP_DB: a subcommand's --db must come from the command
# line, or the environment would override `memory-mcp --db X COMMAND`.
_DB_HELP = "Database file, or a postgresql:// URL."
RootDbOpt = Annotated[
    str | None,
    typer.Option("--db", envvar="MEMORY_MCP_DB", help=_DB_HELP, show_default=False),
]
DbOpt = Annotated[str | None, typer.Option("--db", help=_DB_HELP, show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ScopeOpt = Annotated[str | None, typer.Option("--scope", "-s", help="Only this scope.")]
KindOpt = Annotated[str | None, typer.Option("--kind", "-k", help=f"One of {', '.join(KINDS)}.")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag (repeat for several).")]
# The same dates the tools take (policies/times.py), not only ISO-8601 ones.
_WHEN = "date/time: ISO-8601, or e.g. 'yesterday', '3 days ago', 'last week'."
SinceOpt = Annotated[str | None, typer.Option(help=f"From this {_WHEN}")]
UntilOpt = Annotated[str | None, typer.Option(help=f"Before this {_WHEN}")]
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
    cache_dir: Annotated[
        Path | None,
        typer.Option(envvar="MEMORY_MCP_CACHE_DIR", help="Where downloaded models are kept."),
    ] = None,
    as_: Annotated[
        str | None,
        typer.Option(
            "--as", envvar="MEMORY_MCP_AS", help="Act as this principal, within its grants."
        ),
    ] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More logs.")] = 0,
    version: Annotated[
        bool,
        typer.Option("--version", help="Show the version.", is_eager=True, callback=_version),
    ] = False,
) -> None:
    """Persistent memory for MCP clients."""
    level = logging.WARNING - 10 * verbose
    serving = ctx.invoked_subcommand in ("serve", "ui")  # their startup lines are INFO
    _configure_logging(min(level, logging.INFO) if serving else level)
    overrides = {"db": db, "model": model, "model_dir": model_dir, "cache_dir": cache_dir}
    ctx.obj = _Options({k: v for k, v in overrides.items() if v is not None}, as_)


def _configure_logging(level: int) -> None:
    if not err.is_terminal:  # rich would wrap each record at 80 columns in a log file
        plain_logging(level)
        return
    from rich.logging import RichHandler

    handler = RichHandler(console=err, show_path=False, rich_tracebacks=True)
    logging.basicConfig(level=level, format="%(message)s", handlers=[masked(handler)], force=True)


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
    service = MemoryService.open(
        settings, create=create, connect_timeout_s=connect_timeout_s, damaged=damaged
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
