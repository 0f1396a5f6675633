"""Serving and keeping the file healthy."""

from pathlib import Path
from typing import Annotated

import typer

from memory_mcp.adapters.cli.app import (
    DbOpt,
    JsonOpt,
    app,
    open_service,
    progress_bar,
    settings_for,
)
from memory_mcp.adapters.cli.render import as_json, err, key_values, miss_table, out, readable, size
from memory_mcp.adapters.cli.render import count as plural
from memory_mcp.errors import InvalidInput, Refused, StorageError

# -- serving -----------------------------------------------------------------------------------


@app.command(rich_help_panel="Serve, move data, maintain")
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
    http: Annotated[bool, typer.Option("--http", help="Serve MCP over HTTP, not stdio.")] = False,
    host: Annotated[str, typer.Option(help="HTTP address; not loopback needs a token.")] = (
        "127.0.0.1"
    ),
    port: Annotated[
        int,
        typer.Option(
            help="HTTP port; 0: a free one, named in the start-up line.", min=0, max=65535
        ),
    ] = 8765,
    allow_host: Annotated[
        list[str] | None,
        typer.Option("--allow-host", help="Extra Host name clients use (repeatable)."),
    ] = None,
    workers: Annotated[
        str | None,
        typer.Option(
            help="With --http: server processes on the port, or auto (one per core); "
            "MEMORY_MCP_HTTP_WORKERS. Default 1.",
        ),
    ] = None,
) -> None:
    """Run the MCP server: stdio (what MCP clients launch) or --http for shared use."""
    if workers is not None and not http:
        raise InvalidInput("--workers is for serve --http; a stdio server has one client.")
    settings = settings_for(ctx, db=db, project=project, http_workers=workers)
    principal = ctx.obj.principal if ctx.obj else None
    if http:
        from memory_mcp.adapters.mcp_server.http import serve_http

        if principal is not None:
            raise InvalidInput(
                "serve --http knows each caller by its token; --as is for stdio and commands."
            )
        serve_http(settings, host, port, list(allow_host or []))
    else:
        from memory_mcp.adapters.mcp_server.server import serve as run

        run(settings, principal)


# -- maintenance -------------------------------------------------------------------------------


@app.command(rich_help_panel="Serve, move data, maintain")
def reindex(ctx: typer.Context, db: DbOpt = None) -> None:
    """Rebuild the full-text index and re-embed every memory with the configured model."""
    with open_service(ctx, db) as service, progress_bar() as bar:
        status = service.reindex_status()
        if status.interrupted:
            err.print(
                f"Resuming an interrupted reindex ({status.embedded} of {status.memories} "
                "embedded); it restarts from scratch if the model changed."
            )
        task = bar.add_task("reindex", total=status.memories)
        count = service.reindex(lambda done, total: bar.update(task, completed=done, total=total))
    err.print(f"Re-embedded {plural(count, 'memory', 'memories')} with {service.settings.model}.")


@app.command(rich_help_panel="Serve, move data, maintain")
def backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The backup file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Copy the database consistently while servers keep writing (one read snapshot)."""
    with open_service(ctx, db) as service, progress_bar() as bar:
        task = bar.add_task("backup (pages)", total=None)
        report = service.backup(
            path, force, lambda done, total: bar.update(task, completed=done, total=total)
        )
    if json_:
        as_json(report)
        return
    err.print(
        f"Backed up {plural(report.memories, 'memory', 'memories')} ({size(report.bytes)}) to "
        f"{report.path}; "
        f"integrity {report.integrity}. To restore: stop every server, delete the database's "
        "-wal and -shm files, copy the backup over it."
    )


@app.command(rich_help_panel="Serve, move data, maintain")
def migrate(
    ctx: typer.Context,
    to: Annotated[
        str, typer.Option("--to", help="Target: a postgresql:// URL (or an SQLite file).")
    ],
    to_schema: Annotated[
        str | None,
        typer.Option(
            "--to-schema",
            help="The target URL's schema (default: MEMORY_MCP_PG_SCHEMA, as the source's).",
        ),
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Copy the whole database into another and verify it; re-run to resume a cut copy.

    Every memory in every state is copied with its history, id, times and vector."""
    with open_service(ctx, db) as service, progress_bar() as bar:
        task = bar.add_task("migrate (memories)", total=None)
        try:
            report = service.migrate_to(
                to, lambda done, total: bar.update(task, completed=done, total=total), to_schema
            )
        except Refused:  # nothing was cut short: there is no copy to resume
            raise
        except StorageError as exc:
            raise StorageError(
                f"{exc} What was copied before stopping is intact; run the same command "
                "again to resume."
            ) from exc
    if json_:
        as_json(report.model_dump())
    else:
        out.print(key_values("migrated", readable(report.model_dump())))


SHOWN_IDS = 20  # doctor's table names this many memories holding unmasked secrets


@app.command(rich_help_panel="Serve, move data, maintain")
def doctor(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help="Rebuild indexes that drifted.")] = False,
    mask_secrets: Annotated[
        bool,
        typer.Option(
            "--mask-secrets",
            help="Erase (as scrub does) the secrets memories kept from before a rule caught them.",
        ),
    ] = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Check integrity and index drift; --repair fixes drift."""
    with open_service(ctx, db, damaged=True) as service:
        report = service.doctor(repair=repair, mask_secrets=mask_secrets)
    if json_:
        as_json(report.model_dump() | {"healthy": report.healthy})
    else:
        fields = report.model_dump()
        if len(ids := report.unmasked_secrets) > SHOWN_IDS:  # all of them with --json
            shown = ", ".join(map(str, ids[:SHOWN_IDS]))
            fields["unmasked_secrets"] = f"{shown}, … ({len(ids)} in all)"
        out.print(key_values("doctor", readable(fields)))
        verdict = (
            "Database is [green]healthy[/green]."
            if report.healthy
            else "[red]Problems found.[/red]" + ("" if repair else " (--repair to fix drift)")
        )
        err.print(verdict)
        if report.wildcard_scopes:
            err.print(
                f"{len(report.wildcard_scopes)} scope(s) have `*` in their names, which no "
                "grant can name alone (`team/*` grants every scope starting with `team/`): "
                "move their memories to another name (`memory-mcp list --scope NAME`, then "
                "`memory-mcp move IDS --to NEW`).",
                markup=False,
            )
        if report.unmasked_secrets:
            err.print(
                f"{len(report.unmasked_secrets)} memories hold text that secret masking now "
                "catches, stored before it could (an older version, a newer rule): "
                "`memory-mcp doctor --mask-secrets` erases it from them and their history.",
                markup=False,
            )
    if not report.healthy:
        raise typer.Exit(1)


@app.command("eval", rich_help_panel="Serve, move data, maintain")
def eval_(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(help='JSONL: {"query": ..., "expected_ids": [...]}, scope etc. optional.'),
    ],
    show: Annotated[int, typer.Option(help="List this many queries that missed most.")] = 10,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Score recall on your own labelled queries: R@1/5/10/20, NDCG@10 and latency."""
    with open_service(ctx, db, semantic=True) as service:
        report = service.evaluate(path)
    if json_:
        as_json(report)
        return
    metrics = [(name, f"{value:.3f}") for name, value in report.metrics.items()]
    latency = f"p50 {report.latency_p50_ms:.1f} ms, p95 {report.latency_p95_ms:.1f} ms"
    pairs = [("queries", report.queries), ("mode", report.mode), *metrics, ("latency", latency)]
    out.print(key_values("recall quality", pairs))
    misses = sorted(
        (r for r in report.results if r.scores["R@10"] < 1),
        key=lambda r: (r.scores["R@10"], r.scores["NDCG@10"]),
    )[:show]
    if misses:
        out.print(miss_table(misses))
