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
from memory_mcp.formats.common import (
    MORE_TAGS,
    ImportSummary,
    Item,
    Record,
    Skipped,
    split_tags,
    with_more_tags,
)
from memory_mcp.names import strip_invisible
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
    left_out: dict[str, int] = field(default_factory=dict)  # source id -> tags past the limit

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
            admitted = _admit(run, items[start : start + BATCH])
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
    for (item, row), outcome in zip(admitted, stored, strict=True):
        if outcome.status == "created":
            run.summary.created += 1
            left_out = run.left_out.get(item.source_id, 0) if isinstance(item, Record) else 0
            run.summary.more_tags += MORE_TAGS in row.metadata["imported_from"] or left_out > 0
            run.summary.tags_left_out += left_out > 0
        elif outcome.status == "present":  # another run brought it in meanwhile
            run.summary.already_imported += 1
        else:
            run.summary.duplicates += 1
            reason = f"same content as memory #{outcome.id}"
            run.summary.skipped.append(Skipped(where=item.where, reason=reason))


@dataclass(frozen=True)
class _Cleaned:
    """A record as it would be stored (secrets masked), before the check for repeats."""

    item: Record
    content: str
    when: str | None  # what keeps it apart from repeats (an event's time)
    redacted: bool
    fields: dict[str, Any]


def _admit(run: _Run, batch: Sequence[Item]) -> list[tuple[Item, NewRow]]:
    """The rows to insert for a batch of items; the others are counted or reported. What is
    stored already is asked once for the batch (held_texts names the memory holding each)."""
    cleaned = [c for item in batch if (c := _clean(run, item)) is not None]
    scope = run.summary.scope
    held = run.store.held_texts([(scope, c.content, c.when) for c in cleaned if c.content])
    admitted: list[tuple[Item, NewRow]] = []
    for c in cleaned:
        problem = _problem(run, c, held.get((scope, c.content, c.when)))
        if problem is not None:
            run.summary.skipped.append(Skipped(where=c.item.where, reason=problem))
            continue
        run.first[_seen(c.content, c.when)] = run.first[c.item.source_id] = c.item.where
        run.summary.redacted += c.redacted
        tags, more = split_tags(c.fields["tags"])
        metadata = c.fields["metadata"]
        if more:  # past the tags a memory holds: kept where the source's details are, as
            metadata, left_out = with_more_tags(metadata, more, run.max_metadata)  # many as fit
            run.left_out[c.item.source_id] = left_out
        row = _row(run, c.item, c.content, tags, metadata, c.fields)
        admitted.append((c.item, row))
    return admitted


def _clean(run: _Run, item: Item) -> _Cleaned | None:
    """The record with its secrets masked, or None (counted or reported) when it is left out
    before any lookup."""
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
    if problem is not None:
        run.summary.skipped.append(Skipped(where=item.where, reason=problem))
        return None
    cleaned = redact_fields(
        content=item.content, tags=item.tags, metadata=metadata, context=item.context
    )
    content = strip_invisible(cleaned.fields["content"])
    when = event_time(item.kind, _when(item.occurred_at))
    return _Cleaned(item, content, when, bool(cleaned.changed or item.redacted), cleaned.fields)


def _unfit(run: _Run, item: Record, metadata: dict[str, Any]) -> str | None:
    """What keeps the record, as read, out: the checks every tool applies to what it is sent."""
    try:
        inputs.check_text(content=item.content, tags=item.tags, metadata=metadata)
        inputs.check_length("content", item.content, run.max_chars)
        inputs.check_metadata(metadata, run.max_metadata)
    except InvalidInput as exc:
        return str(exc).removesuffix(" Send something shorter.")
    return None


def _problem(run: _Run, c: _Cleaned, stored: int | None) -> str | None:
    """Why a cleaned record is left out, if it is: empty, or a repeat of one earlier in the
    run or of the memory `stored` (held_texts: the one find_exact names)."""
    if not c.content:
        return "nothing left once secrets were removed" if c.redacted else "empty content"
    earlier = run.first.get(c.item.source_id) or run.first.get(_seen(c.content, c.when))
    if earlier is None and c.when is not None:  # an undated one of this run repeats it
        earlier = run.first.get(_seen(c.content, None))
    if earlier is None and stored is not None:
        earlier = f"memory #{stored}"
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
