"""Moving memories in and out: export and import in every format, with progress bars."""

import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer
from rich.table import Table
from rich.text import Text

from memory_mcp.adapters.cli.app import (
    DbOpt,
    JsonOpt,
    ScopeOpt,
    app,
    open_service,
    progress_bar,
    settings_for,
)
from memory_mcp.adapters.cli.opening import noted_scope
from memory_mcp.adapters.cli.render import as_json, count, err, fmt_ids, inert
from memory_mcp.errors import InvalidInput

if TYPE_CHECKING:  # the formats and the service are imported by the commands that use them
    from memory_mcp.formats import ImportSummary, Skipped
    from memory_mcp.formats.markdown_import import MarkdownImportReport
    from memory_mcp.service.transfer import ImportReport

SHOWN_SKIPS = 20
PANEL = "Serve, move data, maintain"  # the help panel export and import are listed in


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    markdown = "markdown"


class ImportFormat(StrEnum):
    jsonl = "jsonl"
    markdown = "markdown"
    kg_jsonl = "kg-jsonl"
    mem0 = "mem0"
    mcp_memory_service = "mcp-memory-service"
    claude_code = "claude-code"
    codex = "codex"


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar on stderr, fed (done, total) by the service."""
    with progress_bar() as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@app.command(rich_help_panel=PANEL)
def export(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(help="JSONL file ('-' for stdout), or a folder for Markdown files."),
    ],
    format_: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="jsonl: lossless backup; markdown: one file a scope."),
    ] = ExportFormat.jsonl,
    scope: ScopeOpt = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace existing files (Markdown: edits not imported are lost)."
        ),
    ] = False,
    db: DbOpt = None,
) -> None:
    """Write every memory (forgotten ones too): JSON lines, or editable Markdown per scope.

    Files are created readable by you only; an existing file is only replaced with --force."""
    if format_ is ExportFormat.markdown and str(path) == "-":
        raise InvalidInput("A Markdown export is a folder of files: give the folder's path.")
    with open_service(ctx, db) as service:
        if format_ is ExportFormat.markdown:
            with _bar("export") as progress:
                files, n = service.export_markdown(path, progress, scope=scope, overwrite=force)
            where = f"{count(len(files), 'file')} in {path}"
            err.print(f"Exported {count(n, 'memory', 'memories')} to {where}.", markup=False)
            return
        if str(path) == "-":
            n = service.export_jsonl(sys.stdout, scope=scope)
        else:
            with _bar("export") as progress:
                n = service.export_jsonl(path, progress, scope=scope, overwrite=force)
    err.print(f"Exported {count(n, 'memory', 'memories')}.")


@app.command("import", rich_help_panel=PANEL)
def import_(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="The file (or, for markdown, folder) to import; '-' reads stdin "
            "(jsonl, kg-jsonl, mem0)."
        ),
    ],
    format_: Annotated[
        ImportFormat,
        typer.Option(
            "--format",
            "-f",
            help="jsonl or markdown (our exports); kg-jsonl, mem0 or mcp-memory-service "
            "(other memory servers' files); claude-code (a project's CLAUDE.md and auto memory),"
            " codex (its AGENTS.md).",
        ),
    ] = ImportFormat.jsonl,
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope",
            "-s",
            help="Scope for memories from another server (default: global).",
            callback=noted_scope,
        ),
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Import our JSONL or edited Markdown, or another memory server's file (safe to re-run).

    '-' reads a JSONL, kg-jsonl or mem0 file from stdin."""
    if scope is not None and format_ in (ImportFormat.jsonl, ImportFormat.markdown):
        raise InvalidInput(
            f"--scope is for other servers' files; {format_} files carry their own scopes."
        )
    from memory_mcp.formats import ImportSummary
    from memory_mcp.service.exchange import source_bound
    from memory_mcp.service.transfer import Limits

    longest = None
    if format_ in STDIN_FORMATS:  # a line no export can hold stops the copy of a pipe
        # as the service holds a file given by its path (exchange.source_bound)
        settings = settings_for(ctx, db=db)
        limits = Limits(settings.max_content_chars, settings.max_metadata_chars)
        longest = source_bound(format_.value, limits)
    with _source(path, format_, longest) as source:
        report = _import(ctx, db, source, format_, scope)
    if str(path) == "-" and isinstance(report, ImportSummary):
        report.source = "-"
    _show(report, json_)


def _import(
    ctx: typer.Context, db: str | None, path: Path, format_: ImportFormat, scope: str | None
) -> "ImportReport | MarkdownImportReport | ImportSummary":
    stored = [0, 0]  # (done, total) as the last stored batch reported it
    try:
        with open_service(ctx, db, semantic=True, create=True) as service, _bar("import") as bar:

            def progress(done: int, total: int) -> None:
                stored[:] = [done, total]
                bar(done, total)

            if format_ is ImportFormat.jsonl:
                report: ImportReport | MarkdownImportReport | ImportSummary = service.import_jsonl(
                    path, progress
                )
            elif format_ is ImportFormat.markdown:
                report = service.import_markdown(path, progress)
            else:
                report = service.import_from(format_.value, path, scope, progress)
    except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C, SIGTERM, SIGHUP (cli/main.py)
        if not isinstance(exc, SystemExit) or exc.code not in (0, None):
            _say_interrupted(*stored)
        raise
    return report


def _say_interrupted(done: int, total: int) -> None:
    """An import stopped by a signal rolls back the batch under way; those before stay.
    `done` lags what is stored (a batch reports once the next is under way): a floor."""
    so_far = f" (at least {done:,} of {total:,} items)" if done else ""
    err.print(
        f"The import was interrupted: the batches it had stored stay{so_far}, the one under way"
        " was rolled back. Run the same import again to finish it; nothing is stored twice.",
        markup=False,
    )


STDIN_FORMATS = (ImportFormat.jsonl, ImportFormat.kg_jsonl, ImportFormat.mem0)
_WHAT = {  # what a file of each format is, for the refusal of a line too long
    ImportFormat.jsonl: "a JSONL export",
    ImportFormat.kg_jsonl: "a knowledge-graph memory file",
    ImportFormat.mem0: "a mem0 export",
}
FILE_FORMATS = (*STDIN_FORMATS, ImportFormat.mcp_memory_service)  # one file, never a folder


@contextmanager
def _source(path: Path, format_: ImportFormat, longest: int | None) -> Iterator[Path]:
    """The file to import: `-` is stdin and a FIFO is a pipe (`import <(command)`), each
    copied to a private temporary file (a JSONL import reads it twice: checked whole, then
    stored; a pipe read twice is empty the second time), named as given in what is said."""
    piped = str(path) == "-"
    if piped and format_ not in STDIN_FORMATS:
        raise InvalidInput(
            f"'-' (stdin) is for {', '.join(STDIN_FORMATS)} files; --format {format_} reads "
            "a folder or a file by its path: give the path."
        )
    if not piped:
        if format_ in FILE_FORMATS and path.is_dir():
            raise InvalidInput(
                f"{path} is a folder; --format {format_} reads one file. A folder written by "
                "`export --format markdown` imports with `--format markdown`."
            )
        if not _is_pipe(path):
            yield path
            return
    with tempfile.TemporaryDirectory(prefix="memory-mcp-import-") as folder:
        spooled = Path(folder) / "stdin"
        named = "stdin" if piped else str(path)
        with spooled.open("wb") as fh:  # the folder is the owner's only (700)
            if piped:
                _spool(sys.stdin.buffer, fh, longest, named, _WHAT.get(format_, ""))
            else:
                with path.open("rb") as pipe:
                    _spool(pipe, fh, longest, named, _WHAT.get(format_, ""))
        try:
            yield spooled
        except InvalidInput as exc:
            raise InvalidInput(str(exc).replace(str(spooled), named)) from exc


def _spool(source: BinaryIO, into: BinaryIO, longest: int | None, name: str, what: str) -> None:
    """Copy a pipe into the spool file, stopping at a line longer than `longest` bytes (an
    endless or newline-free stream would fill the disk before the import refused it)."""
    from memory_mcp.formats import files

    bound = None if longest is None else files.LineBound(longest, name, what)
    while chunk := source.read(1 << 20):
        into.write(chunk)
        if bound is not None:
            bound.check(chunk)


def _is_pipe(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(path.stat().st_mode)
    except OSError:
        return False  # what reading it says is the clearer message


def _show(report: "ImportReport | MarkdownImportReport | ImportSummary", json_: bool) -> None:
    from memory_mcp.formats.markdown_import import MarkdownImportReport
    from memory_mcp.service.transfer import ImportReport

    if json_:
        as_json(report)
    elif isinstance(report, ImportReport):
        err.print(
            f"Read {count(report.read, 'memory', 'memories')}: created {report.created}, "
            f"skipped {report.skipped_existing} already present, renumbered "
            f"{report.renumbered} whose id was taken"
            + (f", folded {report.folded} into the same keyed value" if report.folded else "")
            + (f"; {report.redacted} with secrets masked." if report.redacted else ".")
            + (
                f" Kept the stored metadata of {report.metadata_kept} folded: merged, it was "
                "past the metadata limit even with every extra tag cut (the file holds the rest)."
                if report.metadata_kept
                else ""
            )
            + (
                f" Dropped {count(report.unlinked, 'link', 'links')} to memories not in the file."
                if report.unlinked
                else ""
            )
        )
    elif isinstance(report, MarkdownImportReport):
        _show_markdown(report)
    else:
        _show_summary(report)


def _show_markdown(report: "MarkdownImportReport") -> None:
    for skipped in report.skipped:
        err.print(Text.assemble(("Skipped ", "yellow"), inert(skipped)))
    err.print(
        f"Read {count(report.entries, 'entry', 'entries')} in {count(report.files, 'file')}: "
        f"{report.unchanged} unchanged, {len(report.updated)} updated, "
        f"{len(report.created)} created."
    )
    if report.updated or report.created:
        err.print(f"Updated: {fmt_ids(report.updated)}; created: {fmt_ids(report.created)}.")
    if report.already_present:
        err.print(f"Already stored (#new entries): {fmt_ids(report.already_present)}.")
    if report.redacted:
        err.print(f"Secrets masked in: {fmt_ids(report.redacted)}.")
    if report.merged:
        err.print(f"Merged into a memory an edit gave their text: {fmt_ids(report.merged)}.")
    if report.unknown:
        err.print(f"[yellow]Not in this database (left alone):[/yellow] {fmt_ids(report.unknown)}.")
    if report.removed:
        ids = " ".join(map(str, report.removed))
        err.print(
            f"[yellow]In no file, not deleted:[/yellow] {fmt_ids(report.removed)}. "
            f"To hide them: memory-mcp forget {ids}"
        )


def _show_summary(report: "ImportSummary") -> None:
    from memory_mcp.formats.common import more_tags_said

    err.print(
        inert(
            f"Read {count(report.read, 'record')} from {report.format} into scope "
            f"{report.scope}: created {report.created}, {report.already_imported} already "
            f"imported, {count(report.duplicates, 'duplicate')}, {len(report.skipped)} skipped"
            + (f", {report.redacted} with secrets masked" if report.redacted else "")
            + (f", {more_tags_said(report)}." if report.more_tags else ".")
        )
    )
    if report.skipped:
        err.print(_skips_table(report.skipped))


def _skips_table(skipped: "Sequence[Skipped]") -> Table:
    table = Table(title="skipped", expand=False)
    table.add_column("record", no_wrap=True)
    table.add_column("reason", overflow="fold")
    for skip in skipped[:SHOWN_SKIPS]:
        table.add_row(inert(skip.where), inert(skip.reason))
    if len(skipped) > SHOWN_SKIPS:
        table.add_row("…", f"and {len(skipped) - SHOWN_SKIPS} more (--json lists them all)")
    return table
