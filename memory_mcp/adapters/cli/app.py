"""The CLI's app object and the options its commands share. Command modules import this one;
it imports none of them (main.py puts the two together). The command group is group.py's;
what a command opens (settings, the service) is opening.py's."""

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from memory_mcp import __version__
from memory_mcp.adapters.cli.group import Group as Group
from memory_mcp.adapters.cli.opening import noted_scope as noted_scope
from memory_mcp.adapters.cli.opening import open_service as open_service
from memory_mcp.adapters.cli.opening import progress_bar as progress_bar
from memory_mcp.adapters.cli.opening import root_options as root_options
from memory_mcp.adapters.cli.opening import scope_hint as scope_hint
from memory_mcp.adapters.cli.opening import settings_for as settings_for
from memory_mcp.adapters.cli.quick import plain_logging
from memory_mcp.adapters.cli.render import err, out
from memory_mcp.adapters.logs import masked
from memory_mcp.names import KINDS

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
ScopeOpt = Annotated[
    str | None, typer.Option("--scope", "-s", help="Only this scope.", callback=noted_scope)
]
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
    pg_schema: Annotated[
        str | None,
        typer.Option(
            envvar="MEMORY_MCP_PG_SCHEMA", help="PostgreSQL schema (default: memory_mcp)."
        ),
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
    overrides = {"db": db, "model": model, "model_dir": model_dir, "cache_dir": cache_dir,
                 "pg_schema": pg_schema}  # fmt: skip
    ctx.obj = _Options({k: v for k, v in overrides.items() if v is not None}, as_)


def _configure_logging(level: int) -> None:
    if not err.is_terminal:  # rich would wrap each record at 80 columns in a log file
        plain_logging(level)
        return
    from rich.logging import RichHandler

    handler = RichHandler(console=err, show_path=False, rich_tracebacks=True)
    logging.basicConfig(level=level, format="%(message)s", handlers=[masked(handler)], force=True)
