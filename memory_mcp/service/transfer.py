"""JSONL export and import: lossless (ids, timestamps, forgotten state), safe to re-run."""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import TextIO

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from memory_mcp.errors import nothing_imported
from memory_mcp.models import NewMemory
from memory_mcp.storage.contract import NewRow, Storage
from memory_mcp.timestamps import format_time

IMPORT_BATCH = 256
IMPORT_CLIENT = "import"  # the history's client for rows a file brought in
MAX_REPORTED_ERRORS = 10
Progress = Callable[[int], None]
Embed = Callable[[list[str]], np.ndarray | None]


class ExportedMemory(NewMemory):
    """One JSONL line; only content is required, so hand-written files import too."""

    id: int | None = Field(None, ge=1)
    scope: str = "global"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    forgotten_at: datetime | None = None
    forget_reason: str | None = None
    key: str | None = None
    occurred_at: datetime | None = None
    expires_at: datetime | None = None
    superseded_by: int | None = Field(None, ge=1)
    superseded_at: datetime | None = None
    client: str | None = None
    repeat_count: int = Field(1, ge=1)
    last_seen_at: datetime | None = None


class ImportReport(BaseModel):
    read: int = 0
    created: int = 0
    skipped_existing: int = Field(0, description="Same id and content already present.")
    renumbered: int = Field(0, description="Id taken by a different memory: got a new id.")


def export_jsonl(
    store: Storage, out: TextIO, progress: Progress | None = None, scope: str | None = None
) -> int:
    """Write every memory (or one scope's), forgotten ones included, one JSON object a line."""
    written = 0
    for memory in store.iter_all():
        if scope is not None and memory.scope != scope:
            continue
        out.write(memory.model_dump_json(exclude={"embedded"}) + "\n")
        written += 1
        if progress is not None:
            progress(written)
    return written


def validate_jsonl(lines: Iterable[str], max_chars: int) -> int:
    """Check every line first, so a bad file is refused before anything is written."""
    errors: list[str] = []
    count = 0
    for number, record in _records(lines):
        count += 1
        if isinstance(record, str):
            errors.append(f"line {number}: {record}")
        elif len(record.content) > max_chars:
            errors.append(f"line {number}: content is longer than {max_chars} characters")
    if errors:
        raise nothing_imported(errors, "invalid line(s)", MAX_REPORTED_ERRORS)
    return count


def import_jsonl(
    store: Storage, embed: Embed, lines: Iterable[str], progress: Progress | None = None
) -> ImportReport:
    """Import validated lines in batches (one transaction each); re-running adds nothing."""
    report = ImportReport()
    batch: list[ExportedMemory] = []
    for _, record in _records(lines):
        assert not isinstance(record, str), "call validate_jsonl first"
        batch.append(record)
        if len(batch) >= IMPORT_BATCH:
            _import_batch(store, embed, batch, report)
            batch = []
            if progress is not None:
                progress(report.read)
    if batch:
        _import_batch(store, embed, batch, report)
        if progress is not None:
            progress(report.read)
    return report


def _records(lines: Iterable[str]) -> Iterator[tuple[int, ExportedMemory | str]]:
    """(line number, parsed record or error message), skipping blank lines."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, ExportedMemory.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            yield number, f"not JSON ({exc.msg})"
        except ValidationError as exc:
            yield (
                number,
                "; ".join(
                    f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in exc.errors()
                ),
            )


def _import_batch(
    store: Storage, embed: Embed, batch: list[ExportedMemory], report: ImportReport
) -> None:
    report.read += len(batch)
    existing = {m.id: m for m in store.get_many([r.id for r in batch if r.id])}
    rows: list[NewRow] = []
    for record in batch:
        same = existing.get(record.id) if record.id else None
        if same is not None and same.content == record.content.strip():
            report.skipped_existing += 1
            continue
        if same is not None:
            report.renumbered += 1
        rows.append(_to_row(record, keep_id=same is None))
    if not rows:
        return
    vectors = embed([r.content for r in rows])
    if vectors is not None:
        rows = [replace(r, vector=v) for r, v in zip(rows, vectors, strict=True)]
    store.insert_many(rows, client=IMPORT_CLIENT, action="import")
    report.created += len(rows)


def _to_row(record: ExportedMemory, keep_id: bool) -> NewRow:
    def when(moment: datetime | None) -> str | None:
        return None if moment is None else format_time(moment)

    return NewRow(
        id=record.id if keep_id else None,
        content=record.content.strip(),
        kind=record.kind,
        tags=record.tags,
        scope=record.scope,
        metadata=record.metadata,
        created_at=when(record.created_at),
        updated_at=when(record.updated_at),
        forgotten_at=when(record.forgotten_at),
        forget_reason=record.forget_reason,
        key=record.key,
        occurred_at=when(record.occurred_at),
        expires_at=when(record.expires_at),
        superseded_by=record.superseded_by,
        superseded_at=when(record.superseded_at),
        client=record.client,
        repeat_count=record.repeat_count,
        last_seen_at=when(record.last_seen_at),
        context=record.context,
    )
