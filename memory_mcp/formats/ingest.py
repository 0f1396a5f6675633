"""Store what an importer read: checked, deduplicated, in batches of one transaction each.

The tools' limits apply, and secrets are masked in content, tags and metadata as `remember`
masks them. A record is left out, and the report says why, when a run before already brought
in its source id, when its content is already stored in the scope (or came earlier in the same
source), or when it is empty, too long, has too much metadata or text no database can hold
(NUL, an unpaired surrogate).
"""

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np

from memory_mcp.errors import InvalidInput, StorageError, stopped_partway
from memory_mcp.formats.ahead import embedding_thread, one_ahead
from memory_mcp.formats.common import ImportSummary, Item, Record, Skipped, stored_tags
from memory_mcp.models import strip_invisible
from memory_mcp.policies import inputs
from memory_mcp.policies.dedup import content_hash
from memory_mcp.policies.redact import redact_fields
from memory_mcp.policies.repeats import event_day, event_time
from memory_mcp.storage.contract import NewRow, Progress, Storage
from memory_mcp.timestamps import format_time

BATCH = 256
Embed = Callable[[list[str]], np.ndarray | None]


@dataclass
class _Run:
    store: Storage
    summary: ImportSummary
    max_chars: int
    max_metadata: int  # characters of JSON
    before: set[str]  # source ids that earlier runs imported
    first: dict[str, str] = field(default_factory=dict)  # content hash or source id -> where
    by: str | None = None  # the client named in history (default import:<format>)

    @property
    def client(self) -> str:
        return self.by or f"import:{self.summary.format}"


def ingest(
    store: Storage,
    embed: Embed,
    items: Sequence[Item],
    summary: ImportSummary,
    max_chars: int,
    progress: Progress | None = None,
    *,
    max_metadata: int,
    client: str | None = None,
) -> ImportSummary:
    """Write the admissible records into `summary.scope`; fill in and return the summary.

    What earlier runs brought in is looked up first only to spare the model; each batch's
    transaction decides again (source id, then content), so two runs at once import once.
    """
    before = store.imported_ids(summary.format)
    run = _Run(store, summary, max_chars, max_metadata, before, by=client)
    # While one batch is stored, the next is admitted and embedded on a thread (ahead.py).
    # Admitting ahead is safe: what a batch brings is in `run.first` from its admission on,
    # and the insert still decides repeats inside its transaction.
    with embedding_thread() as ahead:

        def take(start: int) -> tuple[int, list[tuple[Item, NewRow]], Future[Any] | None]:
            admitted = [
                (it, row) for it in items[start : start + BATCH] if (row := _admit(run, it))
            ]
            texts = [row.content for _, row in admitted]
            return start, admitted, ahead.submit(embed, texts) if texts else None

        def stored(taken: tuple[int, list[tuple[Item, NewRow]], Future[Any] | None]) -> None:
            start, admitted, embedding = taken
            if embedding is not None:
                _store(run, embedding.result(), admitted)
            if progress is not None:
                progress(min(start + BATCH, len(items)), len(items))

        try:
            one_ahead(range(0, len(items), BATCH), take, stored)
        except StorageError as exc:
            if summary.created + summary.already_imported + summary.duplicates == 0:
                raise
            done = f"The {summary.created} memories the earlier batches created"
            raise stopped_partway(exc, done) from exc
    store.compact_keyword_index(summary.created)
    return summary


def _store(run: _Run, vectors: np.ndarray | None, admitted: list[tuple[Item, NewRow]]) -> None:
    rows = [row for _, row in admitted]
    if vectors is not None:
        rows = [replace(r, vector=v) for r, v in zip(rows, vectors, strict=True)]
    stored = run.store.insert_many(rows, client=run.client, action="import", repeats="skip")
    for (item, _), outcome in zip(admitted, stored, strict=True):
        if outcome.status == "created":
            run.summary.created += 1
        elif outcome.status == "present":  # another run brought it in meanwhile
            run.summary.already_imported += 1
        else:
            run.summary.duplicates += 1
            reason = f"same content as memory #{outcome.id}"
            run.summary.skipped.append(Skipped(where=item.where, reason=reason))


def _admit(run: _Run, item: Item) -> NewRow | None:
    """The row to insert for `item`, or None (counted or reported) when it is left out."""
    run.summary.read += 1
    if isinstance(item, Skipped):
        run.summary.skipped.append(item)
        return None
    if item.source_id in run.before:
        run.summary.already_imported += 1
        return None
    origin = {"format": run.summary.format, "id": item.source_id, **item.details}
    metadata = {**item.metadata, "imported_from": origin}
    problem = _unfit(run, item, metadata)
    when = event_time(item.kind, _when(item.occurred_at))  # what keeps it apart from repeats
    if problem is None:
        cleaned = redact_fields(
            content=item.content, tags=item.tags, metadata=metadata, context=item.context
        )
        content = strip_invisible(cleaned.fields["content"])
        redacted = cleaned.changed or item.redacted
        problem = _problem(run, item.source_id, content, redacted, when)
    if problem is not None:
        run.summary.skipped.append(Skipped(where=item.where, reason=problem))
        return None
    run.first[_seen(content, when)] = run.first[item.source_id] = item.where
    run.summary.redacted += cleaned.changed or item.redacted
    fields = cleaned.fields
    return _row(run, item, content, stored_tags(fields["tags"]), fields["metadata"], fields)


def _unfit(run: _Run, item: Record, metadata: dict[str, Any]) -> str | None:
    """What keeps the record, as read, out: the checks every tool applies to what it is sent."""
    try:
        inputs.check_text(content=item.content, tags=item.tags, metadata=metadata)
        inputs.check_length("content", item.content, run.max_chars)
        inputs.check_metadata(metadata, run.max_metadata)
    except InvalidInput as exc:
        return str(exc).removesuffix(" Send something shorter.")
    return None


def _problem(
    run: _Run, source_id: str, content: str, redacted: bool, occurred_at: str | None
) -> str | None:
    if not content:
        return "nothing left once secrets were removed" if redacted else "empty content"
    earlier = run.first.get(source_id) or run.first.get(_seen(content, occurred_at))
    if earlier is None and occurred_at is not None:  # an undated one of this run repeats it
        earlier = run.first.get(_seen(content, None))
    if earlier is None:
        existing = run.store.find_exact(run.summary.scope, content, occurred_at)
        earlier = None if existing is None else f"memory #{existing.id}"
    if earlier is not None:
        run.summary.duplicates += 1
        return f"same content as {earlier}"
    return None


def _seen(content: str, occurred_at: str | None) -> str:
    """What an item of this run is remembered by: its text, and the day of an event (the
    same text on another day is another event: policies.repeats)."""
    return f"{content_hash(content)} {event_day(occurred_at) or ''}"


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment)


def _row(
    run: _Run,
    item: Record,
    content: str,
    tags: list[str],
    metadata: dict[str, Any],
    fields: dict[str, Any],
) -> NewRow:
    def when(moment: datetime | None) -> str | None:
        return None if moment is None else format_time(moment)

    return NewRow(
        content=content,
        kind=item.kind,
        tags=tags,
        scope=run.summary.scope,
        metadata=metadata,
        created_at=when(item.created_at),
        updated_at=when(item.updated_at or item.created_at),
        expires_at=when(item.expires_at),
        client=run.client,
        occurred_at=when(item.occurred_at),
        context=fields.get("context"),
    )
