"""JSONL export and import: lossless (ids, timestamps, forgotten state), safe to re-run."""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple, TextIO

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator

from memory_mcp.errors import InvalidInput, nothing_imported
from memory_mcp.models import MAX_KEY_CHARS, NewMemory, clean_name
from memory_mcp.policies import inputs
from memory_mcp.policies.redact import redact_fields
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

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        return None if value is None else clean_name(value, "key") or None


class ImportReport(BaseModel):
    read: int = 0
    created: int = 0
    skipped_existing: int = Field(0, description="Same id and content already present.")
    renumbered: int = Field(0, description="Id taken by a different memory: got a new id.")
    redacted: int = Field(0, description="Lines whose secrets were masked before import.")


class Checked(NamedTuple):
    """What checking a JSONL file found: its records, and how many had secrets to mask."""

    lines: int
    redacted: int


@dataclass(frozen=True)
class Limits:
    content: int  # content and context, each
    metadata: int  # as JSON


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


def validate_jsonl(lines: Iterable[str], limits: Limits) -> Checked:
    """Check every line first, so a bad file is refused before anything is written."""
    errors: list[str] = []
    count = redacted = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        count += 1
        record, kinds = _parse(line, limits)
        if isinstance(record, str):
            errors.append(f"line {number}: {record}")
        redacted += bool(kinds)
    if errors:
        raise nothing_imported(errors, "invalid line(s)", MAX_REPORTED_ERRORS)
    return Checked(count, redacted)


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
    """(line number, record with its secrets masked, or error message), skipping blank lines."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, _parse(line)[0]


# Every text a line can carry into the database goes through redaction, as `remember` does.
REDACTED_FIELDS = ("content", "context", "tags", "key", "scope", "metadata", "forget_reason")


def _parse(line: str, limits: Limits | None = None) -> tuple[ExportedMemory | str, tuple[str, ...]]:
    """One line as a record with its secrets masked, and their kinds; or what is wrong with it.

    Text checks and sizes apply to the line as written, the model's checks to the masked record.
    """
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"not JSON ({exc.msg})", ()
    except RecursionError:
        return "not readable: JSON nested too deeply", ()
    if not isinstance(obj, dict):
        return "not a JSON object", ()
    try:
        inputs.check_text(**obj)
        if limits is not None:
            _check_sizes(obj, limits)
    except InvalidInput as exc:
        return str(exc), ()
    cleaned = redact_fields(**{name: obj[name] for name in REDACTED_FIELDS if name in obj})
    try:
        return ExportedMemory.model_validate(obj | cleaned.fields), cleaned.redacted
    except ValidationError as exc:
        return "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in exc.errors()
        ), ()


def _check_sizes(obj: dict[str, Any], limits: Limits) -> None:
    sizes = {"content": limits.content, "context": limits.content, "key": MAX_KEY_CHARS,
             "forget_reason": inputs.MAX_REASON_CHARS}  # fmt: skip
    for name, limit in sizes.items():
        if isinstance(obj.get(name), str):
            inputs.check_length(name, obj[name], limit)
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        inputs.check_metadata(metadata, limits.metadata)


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
