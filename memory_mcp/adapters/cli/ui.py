"""`memory-mcp ui`: see and fix memory in a browser (the pages live in adapters/ui)."""

from typing import Annotated

import typer

from memory_mcp.adapters.cli.app import DbOpt, app, settings_for


@app.command(rich_help_panel="Inspect and fix")
def ui(
    ctx: typer.Context,
    port: Annotated[
        int,
        typer.Option(help="Port on 127.0.0.1; 0: a free one, named at start.", min=0, max=65535),
    ] = 8766,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Only print the address; open nothing.")
    ] = False,
    db: DbOpt = None,
) -> None:
    """Open the web UI on this machine: find, fix, forget, overview, export and import."""
    from memory_mcp.adapters.ui.server import serve_ui

    serve_ui(settings_for(ctx, db=db), port, open_browser=not no_browser)
