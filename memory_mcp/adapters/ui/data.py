"""Moving data: export (JSONL, or Markdown files in a zip) and import a file, through the same
service calls and with the same validation and report as `memory-mcp export` / `import`."""

import shutil
import tempfile
import zipfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from memory_mcp.adapters.ui.common import Refused, base, checked_post, csrf, render, run, service
from memory_mcp.adapters.ui.common import text as form_text
from memory_mcp.adapters.ui.html import Html, button, field, form, isolated, join, select, tag
from memory_mcp.errors import Forbidden, MemoryMCPError
from memory_mcp.formats import ImportSummary
from memory_mcp.formats.common import more_tags_said
from memory_mcp.formats.markdown_import import MarkdownImportReport
from memory_mcp.service.transfer import ImportReport

FORMATS = [
    ("jsonl", "JSONL (a memory-mcp export)"),
    ("markdown", "Markdown (an edited memory-mcp export file)"),
    ("kg-jsonl", "kg-jsonl (the MCP knowledge-graph server)"),
    ("mem0", "mem0 (a get_all() export)"),
    ("mcp-memory-service", "mcp-memory-service (its SQLite file)"),
]
SUFFIX = {
    "jsonl": ".jsonl",
    "markdown": ".md",
    "kg-jsonl": ".jsonl",
    "mem0": ".json",
    "mcp-memory-service": ".db",
}


async def data_page(
    request: Request,
    report: Html | None = None,
    typed: tuple[str, str] = ("jsonl", ""),
    problem: str | None = None,
    status: int = 200,
) -> Response:
    """The page; after a refused import, the form again with the format and scope `typed`
    and the `problem` beside them (a browser never refills a file field: chosen again)."""
    b, token = base(request), csrf(request)
    fmt, scope = typed
    export = tag(
        "ul",
        tag(
            "li",
            tag("a", "Download everything as JSONL", href=f"{b}/export.jsonl"),
            " (a lossless backup; forgotten memories too)",
        ),
        tag(
            "li",
            tag("a", "Download Markdown files (zip)", href=f"{b}/export.zip"),
            " (one readable, editable file per scope)",
        ),
    )
    upload = form(
        f"{b}/import",
        token,
        tag(
            "div",
            tag("label", "File to import", for_="f-file"),
            tag("input", type="file", id="f-file", name="file", required=True),
            class_="field",
        ),
        tag("p", problem, " Choose the file again.", class_="error", role="alert")
        if problem
        else None,
        select("Format", "format", FORMATS, fmt),
        field("Scope (only for other servers' files)", "scope", scope),
        button("Import"),
        enctype="multipart/form-data",
        class_="import",
    )
    body = join(
        [
            report,
            tag("h2", "Export"),
            export,
            tag("h2", "Import"),
            tag(
                "p",
                "The whole file is checked before anything is written; "
                "importing it again adds nothing.",
            ),
            upload,
        ]
    )
    return render(request, "Move data", body, nav="data", status=status)


async def export_jsonl(request: Request) -> Response:
    folder = Path(tempfile.mkdtemp(prefix="memory-mcp-ui-"))
    path = folder / "memories.jsonl"
    await run(service(request).export_jsonl, path)
    return FileResponse(
        path,
        media_type="application/x-ndjson",
        filename="memories.jsonl",
        background=BackgroundTask(shutil.rmtree, folder, True),
    )


async def export_zip(request: Request) -> Response:
    folder = Path(tempfile.mkdtemp(prefix="memory-mcp-ui-"))
    files, _ = await run(service(request).export_markdown, folder / "memories")
    archive = folder / "memories-markdown.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in files:
            zf.write(file, file.relative_to(folder))
    return FileResponse(
        archive,
        media_type="application/zip",
        filename=archive.name,
        background=BackgroundTask(shutil.rmtree, folder, True),
    )


@checked_post
async def import_file(request: Request, data: FormData) -> Response:
    """A refused import is this page again, its form holding what was chosen and typed."""
    try:
        return await _import_file(request, data)
    except (Refused, MemoryMCPError) as exc:
        typed = (form_text(data, "format") or "jsonl", form_text(data, "scope") or "")
        if isinstance(exc, Refused):
            return await data_page(request, None, typed, exc.message, exc.status)
        status = 403 if isinstance(exc, Forbidden) else 400
        return await data_page(request, None, typed, f"Not imported: {exc}", status)


async def _import_file(request: Request, data: FormData) -> Response:
    upload, fmt = data.get("file"), form_text(data, "format") or "jsonl"
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Refused(400, "Choose a file to import.")
    if fmt not in SUFFIX:
        raise Refused(400, "Choose one of the formats listed.")
    scope = (form_text(data, "scope") or "").strip() or None
    if scope is not None and fmt in ("jsonl", "markdown"):
        raise Refused(400, f"Scope is for other servers' files; {fmt} files carry their own.")
    folder = Path(tempfile.mkdtemp(prefix="memory-mcp-ui-"))
    try:
        path = folder / f"upload{SUFFIX[fmt]}"
        with path.open("wb") as fh:
            shutil.copyfileobj(upload.file, fh)
        svc = service(request)
        try:
            if fmt == "jsonl":
                report = describe(await run(svc.import_jsonl, path))
            elif fmt == "markdown":
                report = describe(await run(svc.import_markdown, path))
            else:
                report = describe(await run(svc.import_from, fmt, path, scope))
        except MemoryMCPError as exc:  # named by the file uploaded, not the server's copy
            status = 403 if isinstance(exc, Forbidden) else 400
            said = str(exc).replace(str(path), upload.filename)  # its path, or its name alone
            raise Refused(status, said.replace(path.name, upload.filename)) from None
        named = isolated(upload.filename)
        report = Html(report.replace(str(path), named).replace(path.name, named))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return await data_page(
        request, tag("section", tag("h2", "Imported"), report, class_="notice", role="status")
    )


def describe(report: ImportReport | MarkdownImportReport | ImportSummary) -> Html:
    """The CLI's import report, in the same words."""
    if isinstance(report, ImportReport):
        line = (
            f"Read {report.read} memories: created {report.created}, skipped "
            f"{report.skipped_existing} already present, renumbered {report.renumbered} whose "
            f"id was taken"
            + (f", folded {report.folded} into the same keyed value" if report.folded else "")
            + (f"; {report.redacted} with secrets masked." if report.redacted else ".")
            + (
                f" Kept the stored metadata of {report.metadata_kept} folded: merged, it was "
                "past the metadata limit even with every extra tag cut (the file holds the rest)."
                if report.metadata_kept
                else ""
            )
            + (
                f" Dropped {report.unlinked} links to memories not in the file."
                if report.unlinked
                else ""
            )
        )
        return tag("p", line)
    if isinstance(report, MarkdownImportReport):
        lines = [f"Skipped {s}" for s in report.skipped] + [
            f"Read {report.entries} entries in {report.files} files: {report.unchanged} "
            f"unchanged, {len(report.updated)} updated, {len(report.created)} created."
        ]
        if report.unknown:
            lines.append(f"Not in this database (left alone): {report.unknown}.")
        return join(tag("p", line) for line in lines)
    lines = [
        f"Read {report.read} records from {report.format} into scope {report.scope}: created "
        f"{report.created}, {report.already_imported} already imported, {report.duplicates} "
        f"duplicates, {len(report.skipped)} skipped"
        + (f", {report.redacted} with secrets masked" if report.redacted else "")
        + (f", {more_tags_said(report)}." if report.more_tags else ".")
    ]
    skipped = [["Skipped ", s.where, ": ", s.reason] for s in report.skipped[:20]]
    return join(tag("p", line) for line in [*lines, *skipped])
