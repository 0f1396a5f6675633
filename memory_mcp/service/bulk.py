"""remember_many: many memories validated first, then embedded and stored batch by batch, the
next batch embedding while the last one is stored."""

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

import numpy as np

from memory_mcp.errors import InvalidInput
from memory_mcp.formats.ahead import embedding_thread, one_ahead
from memory_mcp.models import NewMemory
from memory_mcp.names import strip_invisible
from memory_mcp.policies import dedup as dedup_module
from memory_mcp.policies import inputs
from memory_mcp.policies.redact import redact_fields
from memory_mcp.policies.repeats import event_day, event_time
from memory_mcp.policies.times import parse_reference, parse_time
from memory_mcp.service import grants
from memory_mcp.service.context import Part, validated
from memory_mcp.storage.contract import Inserted, NewRow, Repeats
from memory_mcp.timestamps import format_time

NEW_MEMORY_FIELDS = {"content", "kind", "tags", "scope", "metadata", "context"}
BULK_FIELDS = NEW_MEMORY_FIELDS | {"occurred_at", "reference_time"}


EDGE_SHARE = 8  # the first batch's first 1/8 and the last's last 1/8 go alone: batch_sizes


def batch_sizes(count: int, batch_size: int) -> list[int]:
    """How many rows each batch of `count` takes: `batch_size` each, but the first batch's
    first eighth and the last batch's last eighth are batches of their own. The model waits
    for the first batch to be checked (redacted) before it starts, and the last batch is
    stored with nothing left to embed (a core idle either way); cut so, only a few rows
    are checked with the model idle, and only a few stored: the model embeds the rest of
    the first batch while they are stored, and the last rows while the rest of theirs is."""
    if batch_size < 1:
        raise InvalidInput(f"batch_size must be at least 1, not {batch_size}.")
    sizes = [batch_size] * (count // batch_size) + (
        [count % batch_size] if count % batch_size else []
    )
    last = sizes.pop()
    tail = last // EDGE_SHARE
    sizes += [last - tail, tail] if tail else [last]
    head = sizes[0] // EDGE_SHARE
    return [head, sizes[0] - head, *sizes[1:]] if head else sizes


class BulkWriter(Part):
    def remember_many(
        self,
        items: Sequence[dict[str, Any]],
        batch_size: int = 256,
        dedup: bool = True,
        client: str | None = None,
    ) -> list[int]:
        """Validate every item before anything is stored, then embed and insert batch by
        batch. The model starts on the first rows as soon as they are checked (batch_sizes),
        while the rest are checked; while a batch is stored (Python and SQLite), the next one is
        embedded (the model runs outside the GIL), so a long import costs about what
        embedding it does."""
        if not items:
            return []
        stored: list[Inserted] = []
        with embedding_thread() as ahead:

            def take(batch: list[NewRow]) -> Future[list[NewRow]]:
                # Read before the batch ahead is stored: a row repeating one of it is then
                # embedded for nothing, but still counted as a repeat (insert_many).
                return ahead.submit(self._embedded, batch, self._to_embed(batch, dedup))

            def store(embedded: Future[list[NewRow]]) -> None:
                stored.extend(self._insert_batch(embedded.result(), dedup, client))

            # Redacted before it is embedded; a later item refused stores nothing (the first
            # batch's vectors are then dropped, and the thread's exit cancels nothing more).
            sizes = batch_sizes(len(items), batch_size)
            first = take([self._bulk_row(item, client) for item in items[: sizes[0]]])
            rest = [self._bulk_row(item, client) for item in items[sizes[0] :]]
            batches, at = [], 0
            for size in sizes[1:]:
                batches.append(rest[at : at + size])
                at += size
            one_ahead(batches, take, store, taken=first)
        # Its transactions left the keyword index in pieces a search visits one by one.
        self.store.compact_keyword_index(sum(s.status == "created" for s in stored))
        return [s.id for s in stored]

    def _bulk_row(self, item: dict[str, Any], client: str | None) -> NewRow:
        unknown = set(item) - BULK_FIELDS
        if unknown:
            raise InvalidInput(
                f"remember_many items take {sorted(BULK_FIELDS)}, not {sorted(unknown)}."
            )
        inputs.check_text(**item)
        texts = {k: v for k, v in item.items() if k in NEW_MEMORY_FIELDS - {"kind"}}
        content = texts["content"] = str(item.get("content", ""))
        context = texts.get("context")
        context = context if isinstance(context, str) else None  # else validation says why
        self.check_sizes(content, context, texts.get("metadata"))
        cleaned = redact_fields(**texts)
        if not strip_invisible(cleaned.fields["content"]) and cleaned.changed:
            raise InvalidInput("Nothing left to store: an item was entirely private or secret.")
        new = validated(NewMemory, **{k: v for k, v in item.items() if k in NEW_MEMORY_FIELDS}
                        | cleaned.fields)  # fmt: skip
        reference = parse_reference(item.get("reference_time"))
        occurred = parse_time(item.get("occurred_at"), "occurred_at", reference=reference)
        scope = new.scope or self.ctx.write_scope()
        grants.check_write(self.ctx, scope)
        return NewRow(
            content=new.content,
            content_hash=dedup_module.content_hash(new.content),  # once: see NewRow
            kind=new.kind,
            tags=new.tags,
            scope=scope,
            metadata=new.metadata,
            occurred_at=None if occurred is None else format_time(occurred),
            client=client,
            context=new.context,
        )

    def _to_embed(self, batch: list[NewRow], dedup: bool) -> list[int]:
        """Which rows need a vector: with dedup, the first of each text in the batch that is
        not stored already (one read a batch, only to spare the model: insert_many decides
        repeats)."""
        if not dedup:
            return list(range(len(batch)))
        first: dict[tuple[str, str, str | None], int] = {}
        for i, r in enumerate(batch):  # events of other days are other memories
            first.setdefault((r.scope, r.hashed(), event_day(r.occurred_at, r.kind)), i)
        said = {
            i: (batch[i].scope, batch[i].content, event_time(batch[i].kind, batch[i].occurred_at))
            for i in first.values()
        }
        hashes = [batch[i].hashed() for i in said]
        held = self.store.held_texts(list(said.values()), hashes)
        return [i for i, text in said.items() if text not in held]

    def _embedded(self, batch: list[NewRow], todo: list[int]) -> list[NewRow]:
        """The batch with the rows in `todo` carrying their vectors (none: the model is not
        ready; they are embedded once it is)."""
        vectors: np.ndarray | None = None
        if todo:
            vectors = self.semantic.embed_documents([batch[i].content for i in todo])
        rows = list(batch)
        if vectors is not None:
            for i, vector in zip(todo, vectors, strict=True):
                rows[i] = replace(rows[i], vector=vector)
        return rows

    def _insert_batch(self, rows: list[NewRow], dedup: bool, client: str | None) -> list[Inserted]:
        """Insert one batch; with dedup, a repeat (of a stored memory or of an earlier row)
        is counted on the memory that holds it, decided inside the batch's transaction."""
        repeats: Repeats = "count" if dedup else "insert"
        stored = self.store.insert_many(rows, client=client, repeats=repeats)
        unembedded = any(
            s.status == "created" and r.vector is None for s, r in zip(stored, rows, strict=True)
        )
        if unembedded and self.semantic.ready:
            self.semantic.fill_pending()  # a row thought stored was not (or the model loaded)
        return stored
