"""Serving and keeping the file healthy."""

from pathlib import Path
from typing import Annotated

import typer

from memory_mcp.cli.app import (
    DbOpt,
    JsonOpt,
    app,
    open_service,
    progress_bar,
)
from memory_mcp.cli.render import as_json, err, key_values, out
from memory_mcp.config import Settings

# -- serving -----------------------------------------------------------------------------------


@app.command()
def serve(
    ctx: typer.Context,
    db: DbOpt = None,
    project: Annotated[
        Path | None,
        typer.Option(
            envvar="MEMORY_MCP_PROJECT",
            help="Project folder (e.g. ${workspaceFolder}): its scope is the default.",
        ),
    ] = None,
) -> None:
    """Run the MCP server on stdio (what MCP clients launch)."""
    from memory_mcp.server import serve as run

    overrides = dict(ctx.obj.overrides) if ctx.obj else {}
    if db is not None:
        overrides["db"] = db
    if project is not None:
        overrides["project"] = project
    run(Settings(**overrides))


# -- maintenance -------------------------------------------------------------------------------


@app.command()
def reindex(ctx: typer.Context, db: DbOpt = None) -> None:
    """Rebuild the full-text index and re-embed every memory with the configured model."""
    with open_service(ctx, db) as service, progress_bar() as bar:
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
    with open_service(ctx, db) as service:
        report = service.doctor(repair=repair)
    if json_:
        as_json(report.model_dump() | {"healthy": report.healthy})
    else:
        out.print(key_values("doctor", list(report.model_dump().items())))
        verdict = "[green]healthy[/green]" if report.healthy else "[red]problems found[/red]"
        err.print(f"Database is {verdict}." + ("" if repair else " (--repair to fix drift)"))
    if not report.healthy:
        raise typer.Exit(1)
