"""Serving, moving data in and out, and keeping the file healthy."""

import sys
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
from memory_mcp.cli.render import as_json, err, key_values, miss_table, out
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


# -- moving data and maintenance ---------------------------------------------------------------


@app.command()
def export(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="JSONL file to write ('-' for stdout).")],
    db: DbOpt = None,
) -> None:
    """Write every memory (forgotten ones too) as JSON lines: a lossless backup."""
    with open_service(ctx, db) as service:
        if str(path) == "-":
            count = service.export_jsonl(sys.stdout)
        else:
            total = service.store.counts()["memories"]
            with progress_bar() as bar, path.open("w", encoding="utf-8") as fh:
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
    with open_service(ctx, db, semantic=True) as service, progress_bar() as bar:
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


@app.command("eval")
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
