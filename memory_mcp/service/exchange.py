"""Moving data in and out: JSONL and Markdown exports and imports, other systems' files, and
labelled queries run through recall."""

import io
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TextIO

from memory_mcp import formats, regular_files
from memory_mcp.config import is_database_url
from memory_mcp.errors import InvalidInput
from memory_mcp.formats import claude_code_memory, files, markdown, markdown_import, mem0
from memory_mcp.formats.ingest import ingest
from memory_mcp.models import Memory, MemoryFilter, NewMemory
from memory_mcp.policies import inputs
from memory_mcp.policies.dedup import Written
from memory_mcp.policies.redact import redact_fields
from memory_mcp.policies.repeats import event_time
from memory_mcp.policies.times import parse_time
from memory_mcp.search import evaluation
from memory_mcp.service import grants, masking, projects, transfer
from memory_mcp.service.context import Context, Part, validated
from memory_mcp.service.lifecycle import Lifecycle
from memory_mcp.service.recalling import Recaller
from memory_mcp.service.writing import Writer
from memory_mcp.storage.contract import Progress
from memory_mcp.timestamps import format_time

MARKDOWN_CLIENT = "import:markdown"  # how the history names edits made in Markdown files
MARKDOWN_PAGE = 500  # stored memories a Markdown import reads at a time


class Exchange(Part):
    def __init__(
        self, ctx: Context, writer: Writer, lifecycle: Lifecycle, recaller: Recaller
    ) -> None:
        super().__init__(ctx)
        self.writer = writer
        self.lifecycle = lifecycle
        self.recaller = recaller

    def export_count(self, scope: str | None = None) -> int:
        inputs.check_scope(scope)
        every = MemoryFilter(
            scopes=[] if scope is None else [scope], include_forgotten=True,
            include_superseded=True, include_expired=True,
        )  # fmt: skip
        allowed = grants.restrict(self.ctx, every)
        return 0 if allowed is None else self.store.count(allowed)

    def export_jsonl(
        self,
        out: TextIO | Path,
        progress: Progress | None = None,
        scope: str | None = None,
        overwrite: bool = False,
    ) -> int:
        inputs.check_scope(scope)  # before a file is made
        if isinstance(out, Path):  # a private file, never through a link, replaced if asked
            database = None if is_database_url(self.settings.db) else Path(self.store.location)
            files.refuse_database(out, database, "Export to another file.")
            with files.private_file(out.expanduser(), overwrite) as fh:
                return self.export_jsonl(fh, progress, scope)
        total = self.export_count(scope) if progress is not None else 0
        each = None if progress is None else (lambda done: progress(done, max(total, done)))
        return transfer.export_jsonl(self._exported(scope), out, each)

    def _exported(self, scope: str | None) -> Iterator[Memory]:
        """Every memory an export holds (of `scope`, if named), as the caller is shown it."""
        access = self.ctx.access
        found = (
            m
            for m in self.store.iter_all()
            if (scope is None or m.scope == scope) and access.can_read(m.scope)
        )
        return masking.streamed(self.ctx, found)

    def import_jsonl(self, path: Path, progress: Progress | None = None) -> transfer.ImportReport:
        # An export restores ids, times and history links across scopes: the owner's job.
        grants.owner_only(self.ctx, "import a JSONL export")
        try:
            limits = transfer.Limits(
                self.settings.max_content_chars, self.settings.max_metadata_chars
            )
            longest = longest_line(limits)
            why = "no memory's line in an export is that long (is this a JSONL export?)"
            with _text(path) as fh:
                lines = files.bounded_lines(fh, longest, f"{why}; nothing was imported")
                total, redacted = transfer.validate_jsonl(lines, limits)
            each = None if progress is None else (lambda done: progress(done, total))
            with _text(path) as fh:
                lines = files.bounded_lines(fh, longest, why)
                embed = self.semantic.embed_documents
                report = transfer.import_jsonl(self.store, embed, lines, each, limits.metadata)
            report.redacted = redacted
            return report
        except UnicodeDecodeError:
            raise files.not_utf8_file(path) from None
        except regular_files.NotRegular as exc:
            raise InvalidInput(f"{exc}.") from None
        except OSError as exc:
            raise InvalidInput(f"Cannot read {path}: {exc}") from exc

    def export_markdown(
        self,
        directory: Path,
        progress: Progress | None = None,
        scope: str | None = None,
        overwrite: bool = False,
    ) -> tuple[list[Path], int]:
        inputs.check_scope(scope)
        count = self.export_count(scope)
        memories = self._exported(scope)
        return markdown.export(memories, directory.expanduser(), progress, count, overwrite)

    def import_markdown(
        self, path: Path, progress: Progress | None = None
    ) -> markdown_import.MarkdownImportReport:
        grants.owner_only(self.ctx, "import Markdown files")
        documents, skipped = markdown_import.read(path, self.settings.max_content_chars)
        entries = [e for d in documents for e in d.entries]
        listed = {e.id for e in entries if e.id is not None}
        report = markdown_import.MarkdownImportReport(
            files=len(documents), entries=len(entries), skipped=skipped
        )
        # The stored memories are read a page at a time: a folder of 200k entries held them
        # all at once (twice), 1.9 GB where the files themselves take 0.2.
        for start in range(0, len(entries), MARKDOWN_PAGE):
            page = entries[start : start + MARKDOWN_PAGE]
            ids = [e.id for e in page if e.id is not None]
            current = {m.id: m for m in self.store.get_many(ids, with_embedded=False)}
            masked = [_masked(e) for e in page]
            # The new entries' texts stored already, asked once a page (one find_exact an
            # entry was a statement each).
            held = self.store.held_texts([_said(e) for e, _ in masked if e.id is None])
            for done, (entry, changed) in enumerate(masked, start=start + 1):
                self._apply_entry(entry, changed, current, report, held)
                if progress is not None:
                    progress(done, len(entries))
        # Edits fold copies of their text once all are applied: folding as each was made
        # could delete a memory a later entry edits. A page a transaction: writers wait little.
        for start in range(0, len(report.updated), MARKDOWN_PAGE):
            edited = report.updated[start : start + MARKDOWN_PAGE]
            report.merged += self.store.fold_copies(edited, MARKDOWN_CLIENT)
        every = MemoryFilter(
            scopes=sorted({d.scope for d in documents}), include_forgotten=True,
            include_superseded=True, include_expired=True,
        )  # fmt: skip
        accounted = listed | set(report.created) | set(report.already_present)
        report.removed = sorted(i for i in self._ids(every) if i not in accounted)
        return report

    def _ids(self, flt: MemoryFilter) -> Iterator[int]:
        """The ids a filter matches, read a page at a time (keyset)."""
        after: tuple[datetime, int] | None = None
        while page := self.store.find(flt, MARKDOWN_PAGE, with_embedded=False, after=after):
            yield from (m.id for m in page)
            after = (page[-1].created_at, page[-1].id)

    def _apply_entry(
        self,
        entry: markdown_import.Entry,
        changed: bool,
        current: dict[int, Memory],
        report: markdown_import.MarkdownImportReport,
        held: dict[Written, int],
    ) -> None:
        """`entry` with its secrets masked (`changed`: some were), as remember and update mask
        them, so an entry that differs from its memory only by them is unchanged, and a
        re-import changes nothing. `held`: the memory each new entry's text is stored as
        (held_texts), kept up to date as entries are created."""
        if entry.id is None:
            said = _said(entry)
            held_id = held.get(said)
            # An entry that gives its stored text a key is not present yet: remember gives
            # the key to the unkeyed memory, or stores the text as that key's value.
            held_key = None if held_id is None or entry.key is None else self.store.get(held_id).key
            if held_id is not None and entry.key in (None, held_key):
                report.already_present.append(held_id)
                return
            made = self.writer.remember(
                entry.content, entry.kind, entry.tags, entry.scope,
                key=entry.key, occurred_at=entry.occurred, client=MARKDOWN_CLIENT,
            )  # fmt: skip
            held.setdefault(said, made.id)  # the same text later in the page repeats it
            new = made.status in ("created", "superseded")
            keyed = made.status == "duplicate" and held_id is not None and held_key is None
            (report.created if new else report.updated if keyed else report.already_present).append(
                made.id
            )
            if new and changed:
                report.redacted.append(made.id)
        elif entry.id not in current:
            report.unknown.append(entry.id)
        elif fields := markdown_import.changes(entry, current[entry.id]):
            self.lifecycle.update(entry.id, **fields, client=MARKDOWN_CLIENT, fold=False)
            report.updated.append(entry.id)
            if changed:
                report.redacted.append(entry.id)
        else:
            report.unchanged += 1

    def import_from(
        self,
        fmt: str,
        path: Path,
        scope: str | None = None,
        progress: Progress | None = None,
    ) -> formats.ImportSummary:
        reader = formats.READERS.get(fmt)
        if reader is None:
            raise InvalidInput(
                f"Unknown format {fmt!r}; import reads {', '.join(formats.IMPORT_FORMATS)}."
            )
        inputs.check_scope(scope)
        files.refuse_device(path)
        bounded = formats.BOUNDED_READERS.get(fmt)
        if bounded is not None:  # held to what a line can carry, as stdin is (the CLI)
            limits = transfer.Limits(
                self.settings.max_content_chars, self.settings.max_metadata_chars
            )
            items = bounded(path, source_bound(fmt, limits))
        else:
            items = reader(path)  # the whole source is read before anything is written
        project_formats = (claude_code_memory.FORMAT, claude_code_memory.CODEX_FORMAT)
        if scope is None and fmt in project_formats and path.is_dir():
            scope = _folder_scope(path)  # a project's memory files belong to its scope
        target = validated(
            NewMemory, content="-", scope=scope or self.ctx.write_scope(),
        ).scope  # fmt: skip
        assert target is not None
        grants.check_write(self.ctx, target)
        summary = formats.ImportSummary(format=fmt, source=str(path), scope=target)
        return ingest(
            self.store, self.semantic.embed_documents, items, summary,
            self.settings.max_content_chars, progress,
            max_metadata=self.settings.max_metadata_chars,
        )  # fmt: skip

    def evaluate(self, path: Path) -> evaluation.EvalReport:
        try:
            with _text(path) as fh:
                lines = files.bounded_lines(fh, evaluation.LONGEST_LINE, "no query is that long")
                queries = evaluation.parse_queries(lines)
        except UnicodeDecodeError:
            raise files.not_utf8_file(path) from None
        except regular_files.NotRegular as exc:
            raise InvalidInput(f"{exc}.") from None
        except OSError as exc:
            raise InvalidInput(f"Cannot read {path}: {exc}") from exc
        results = []
        mode = "hybrid"
        for query in queries:
            started = time.perf_counter()
            found = self.recaller.recall(**evaluation.recall_arguments(query))
            elapsed = (time.perf_counter() - started) * 1000
            results.append(evaluation.result(query, [h.id for h in found.hits], elapsed))
            mode = found.mode if found.mode == "keyword" else mode
        return evaluation.report(results, mode)


def _masked(entry: markdown_import.Entry) -> tuple[markdown_import.Entry, bool]:
    """The entry with its secrets masked, and whether any were."""
    cleaned = redact_fields(
        content=entry.content, tags=entry.tags, key=entry.key, scope=entry.scope
    )
    return replace(entry, **cleaned.fields), cleaned.changed


def _said(entry: markdown_import.Entry) -> Written:
    """A new entry's text as a repeat check reads it (an event's day keeps it apart)."""
    occurred = parse_time(entry.occurred, "occurred")
    when = None if occurred is None else event_time(entry.kind, format_time(occurred))
    return entry.scope, entry.content, when


def _folder_scope(path: Path) -> str | None:
    try:
        return projects.project_scope(path.parent if (path / "MEMORY.md").is_file() else path)
    except InvalidInput:
        return None


def _text(path: Path) -> io.TextIOWrapper:
    """A file to read as text (a BOM, as Windows editors write, is no text); a FIFO or a
    device is refused (regular_files.NotRegular), not waited on or read without end."""
    return io.TextIOWrapper(regular_files.open_regular(path), encoding="utf-8-sig")


# A mem0 export is one JSON document, which json.dump writes on one line: its line holds
# every memory, not one, so it is held to this many memories' worth of a line.
MEM0_LINE_MEMORIES = 64


def source_bound(fmt: str, limits: transfer.Limits) -> int:
    """The longest line, in bytes, of a kg-jsonl or mem0 source (a file, stdin or a pipe):
    what a JSONL line can carry (4 bytes a character), or for a mem0 export saved on one line
    MEM0_LINE_MEMORIES times that (410 MB at the default limits). Past it a source is no such
    file, and is refused as soon as it is read that far."""
    longest = 4 * longest_line(limits)  # UTF-8: at most 4 bytes a character
    return longest * MEM0_LINE_MEMORIES if fmt == mem0.FORMAT else longest


def longest_line(limits: transfer.Limits) -> int:
    """More characters than a valid line can hold: content, context and metadata at their
    limits, each character a `[REDACTED:kind]` marker (one character to the limits, up to 32
    written), and room for the rest."""
    return 32 * (2 * limits.content + limits.metadata) + 65_536
