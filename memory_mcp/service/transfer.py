"""JSONL export and import: lossless (ids, timestamps, forgotten state), safe to re-run.

A line keeps its id when it is free, else it is renumbered; every id a line names
(`superseded_by`, a summary's `sources` and its text's citations) follows its memory. A line
waits for the memories it names (in a batch after theirs), so a reference is always written
translated, never as the file had it. While one batch is stored the next is embedded; its
names are translated once the batches before it are stored. Whether a line is already stored
is decided inside its batch's transaction (`Storage.insert_many`, "restore"), so two imports
of one file at once add it once.
"""

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple, TextIO

import numpy as np
from pydantic import BaseModel, Field

from memory_mcp.errors import StorageError, nothing_imported, stopped_partway
from memory_mcp.formats.ahead import embedding_thread
from memory_mcp.models import Memory
from memory_mcp.policies import summarize
from memory_mcp.policies.controls import json_escaped
from memory_mcp.service.jsonl_lines import ExportedMemory, parse, records
from memory_mcp.service.jsonl_lines import Limits as Limits  # (exchange.py names it here)
from memory_mcp.storage.contract import NewRow, Storage
from memory_mcp.timestamps import format_time

IMPORT_BATCH = 256
IMPORT_CLIENT = "import"  # the history's client for rows a file brought in
MAX_REPORTED_ERRORS = 10
Progress = Callable[[int], None]
Embed = Callable[[list[str]], np.ndarray | None]


class ImportReport(BaseModel):
    read: int = 0
    created: int = 0
    skipped_existing: int = Field(0, description="Same id and content already present.")
    renumbered: int = Field(0, description="Id taken by a different memory: got a new id.")
    folded: int = Field(
        0,
        description="Keyed lines saying what a stored value of their key says, at another "
        "time: folded into that memory (earliest time kept, fields merged).",
    )
    metadata_kept: int = Field(
        0,
        description="Folded lines whose merged metadata was still past the metadata limit "
        "once every extra tag was cut: the stored memory kept its own metadata (the file's "
        "line holds the rest).",
    )
    redacted: int = Field(0, description="Lines whose secrets were masked before import.")
    unlinked: int = Field(
        0,
        description="References (superseded_by, summary sources) to memories not in the "
        "file: dropped, as they would name other memories here.",
    )


class Checked(NamedTuple):
    """What checking a JSONL file found: its records, and how many had secrets to mask."""

    lines: int
    redacted: int


def export_jsonl(memories: Iterable[Memory], out: TextIO, progress: Progress | None = None) -> int:
    """Write the memories (the service picks them: every one, forgotten ones included, or
    one scope's, or what a principal may read), one JSON object a line."""
    written = 0
    for memory in memories:
        out.write(json_escaped(memory.model_dump_json(exclude={"embedded"})) + "\n")
        written += 1
        if progress is not None:
            progress(written)
    return written


def validate_jsonl(lines: Iterable[str], limits: Limits) -> Checked:
    """Check every line first, so a bad file is refused before anything is written."""
    errors: list[str] = []
    count = redacted = 0
    line_of: dict[int, int] = {}  # id -> the line that has it
    links: dict[int, int] = {}  # id -> the id that superseded it
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        count += 1
        record, kinds = parse(line, limits)
        if isinstance(record, str):
            errors.append(f"line {number}: {record}")
            continue
        redacted += bool(kinds)
        if record.id is not None:
            if record.id in line_of:
                errors.append(f"line {number}: id {record.id} is on line {line_of[record.id]} too")
            line_of.setdefault(record.id, number)
            if record.superseded_by is not None:
                links[record.id] = record.superseded_by
    errors += [f"line {line_of[loop[0]]}: {_loop(loop)}" for loop in _loops(links)]
    if errors:
        raise nothing_imported(errors, "invalid line(s)", MAX_REPORTED_ERRORS)
    return Checked(count, redacted)


def _loops(links: dict[int, int]) -> list[list[int]]:
    """Chains of superseded_by that come back to where they started (a file error)."""
    loops: list[list[int]] = []
    done: set[int] = set()
    for start in links:
        path: list[int] = []
        node: int | None = start
        while node is not None and node not in done and node not in path:
            path.append(node)
            node = links.get(node)
        if node is not None and node in path:
            loops.append(path[path.index(node) :])
        done.update(path)
    return loops


def _loop(ids: list[int]) -> str:
    chain = " -> ".join(map(str, [*ids, ids[0]]))
    return f"superseded_by goes round in a loop ({chain}); a memory cannot outlive itself"


def import_jsonl(
    store: Storage,
    embed: Embed,
    lines: Iterable[str],
    progress: Progress | None = None,
    max_metadata: int | None = None,
) -> ImportReport:
    """Import validated lines in batches (one transaction each); re-running adds nothing.
    While a batch is stored, the next one is embedded on a thread (the model runs outside
    the GIL). `max_metadata`: what a line folded into a stored memory may leave it holding."""
    with embedding_thread() as ahead:
        run = _Import(store, embed, progress, ahead)
        run.max_metadata = max_metadata
        try:
            for _, record in records(lines):
                assert not isinstance(record, str), "call validate_jsonl first"
                run.add(record)
            run.finish()
        except StorageError as exc:
            if run.report.created + run.report.skipped_existing == 0:
                raise
            done = f"The {run.report.created} memories the earlier batches created"
            raise stopped_partway(exc, done) from exc
    store.compact_keyword_index(run.report.created)
    return run.report


@dataclass
class _Batch:
    """A batch taken from the ready lines, its texts embedding, until it is stored."""

    records: list[ExportedMemory]
    todo: list[int]  # which of them are embedded (not stored before with the same text)
    vectors: "Future[np.ndarray | None] | None"
    read: int  # lines read when it was taken: the progress it reports once stored


class _Import:
    """One JSONL import: a line waits until the memories it names are in an earlier batch.
    A batch is taken (its lines' ids then count as placed, which routes the lines waiting for
    them) and embedded on a thread, then stored once the next batch is taken: the names a
    line gives are translated only then, when the batches before it are stored. Routing only
    asks whether a name is placed, never which id it got here."""

    def __init__(
        self, store: Storage, embed: Embed, progress: Progress | None, ahead: ThreadPoolExecutor
    ) -> None:
        self.store = store
        self.embed = embed
        self.progress = progress
        self.ahead = ahead
        self.report = ImportReport()
        self.ids: dict[int, int] = {}  # the file's id -> the id that memory has here (stored)
        self.placed: set[int] = set()  # file ids of the lines in batches taken so far
        self.seen: set[int] = set()  # every id the file has
        self.gone: set[int] = set()  # ids lines name that the file does not have
        self.ready: list[ExportedMemory] = []
        self.waiting: dict[int, list[ExportedMemory]] = {}  # file id -> lines naming it
        self.taken: _Batch | None = None  # the batch embedding, stored when the next is taken
        self.max_metadata: int | None = None  # for a line folded into a stored memory

    def add(self, record: ExportedMemory) -> None:
        self.report.read += 1
        if record.id is not None:
            self.seen.add(record.id)
        self._route(record)
        if len(self.ready) >= IMPORT_BATCH:
            self._flush(whole_batches=True)

    def finish(self) -> None:
        """Store the rest. Lines still waiting then name memories the file does not have
        (a loop is refused by validate_jsonl): those names are dropped, and the lines go."""
        self._flush()
        while self.waiting:
            gone = [ref for ref in self.waiting if ref not in self.seen] or list(self.waiting)
            self.gone.update(gone)
            for ref in gone:
                for record in self.waiting.pop(ref):
                    self._route(record)
            self._flush()
        if self.taken is not None:
            self._store(self.taken)
            self.taken = None

    def _route(self, record: ExportedMemory) -> None:
        names = _references(record)
        missing = [ref for ref in names if ref not in self.placed and ref not in self.gone]
        if missing:
            self.waiting.setdefault(missing[0], []).append(record)
        else:
            self.ready.append(record)

    def _flush(self, whole_batches: bool = False) -> None:
        while len(self.ready) >= (IMPORT_BATCH if whole_batches else 1):
            batch, self.ready = self.ready[:IMPORT_BATCH], self.ready[IMPORT_BATCH:]
            taken, self.taken = self.taken, self._take(batch)
            if taken is not None:
                self._store(taken)

    def _take(self, batch: list[ExportedMemory]) -> _Batch:
        """Start embedding a batch; the lines waiting for its memories are routed now.

        Lines stored before (same id, same text) are not embedded: looked up now, before the
        batch ahead of it is stored, only to spare the model (insert_many decides)."""
        ids = [r.id for r in batch if r.id is not None]
        known = {m.id: m.content for m in self.store.get_many(ids)}
        todo = [
            i for i, r in enumerate(batch) if r.id is None or known.get(r.id) != r.content.strip()
        ]
        texts = [batch[i].content.strip() for i in todo]
        vectors = self.ahead.submit(self.embed, texts) if texts else None
        for record in batch:
            if record.id is not None:
                self.placed.add(record.id)
                for waiting in self.waiting.pop(record.id, []):
                    self._route(waiting)
        return _Batch(batch, todo, vectors, self.report.read)

    def _store(self, taken: _Batch) -> None:
        limit = self.max_metadata
        rows = [self._link(r, replace(_to_row(r), metadata_limit=limit)) for r in taken.records]
        vectors = None if taken.vectors is None else taken.vectors.result()
        if vectors is not None:
            for i, vector in zip(taken.todo, vectors, strict=True):
                rows[i] = replace(rows[i], vector=vector)
        stored = self.store.insert_many(
            rows, client=IMPORT_CLIENT, action="import", repeats="restore"
        )
        for record, outcome in zip(taken.records, stored, strict=True):
            if outcome.status == "created":
                self.report.created += 1
                self.report.renumbered += record.id is not None and outcome.id != record.id
            elif outcome.status == "duplicate":  # the same belief: folded into that memory
                self.report.folded += 1
                self.report.metadata_kept += outcome.metadata_kept
            else:
                self.report.skipped_existing += 1
            if record.id is not None:
                self.ids[record.id] = outcome.id
        if self.progress is not None:
            self.progress(taken.read)

    def _link(self, record: ExportedMemory, row: NewRow) -> NewRow:
        """The row with every id it names translated; names the file lacks are dropped."""
        updates: dict[str, Any] = {}
        if record.superseded_by is not None:
            by = self.ids.get(record.superseded_by)
            updates["superseded_by"] = by
            if by is None:
                self.report.unlinked += 1
                updates["superseded_at"] = None
        sources = _summary_sources(record)
        if sources is not None:
            kept = [self.ids[i] for i in sources if i in self.ids]
            self.report.unlinked += len(sources) - len(kept)
            updates["metadata"] = {**row.metadata, "sources": kept}
            here = {i: self.ids.get(i, 0) for i in sources}  # its text cites them too
            updates["content"] = summarize.recite(
                row.content, lambda i: here.get(i, i), inert_quotes=True
            )
        return replace(row, **updates) if updates else row


def _references(record: ExportedMemory) -> list[int]:
    """The file ids a line names: who superseded it, and a summary's sources."""
    named = [] if record.superseded_by is None else [record.superseded_by]
    return named + (_summary_sources(record) or [])


def _summary_sources(record: ExportedMemory) -> list[int] | None:
    sources = record.metadata.get("sources") if record.kind == "summary" else None
    if not isinstance(sources, list):
        return None
    return [i for i in sources if isinstance(i, int) and not isinstance(i, bool)]


def _to_row(record: ExportedMemory) -> NewRow:
    def when(moment: datetime | None) -> str | None:
        return None if moment is None else format_time(moment)

    return NewRow(
        id=record.id,  # kept when free; insert_many renumbers it otherwise
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
        superseded_at=None if record.superseded_by is None else when(record.superseded_at),
        client=record.client,
        repeat_count=record.repeat_count,
        last_seen_at=when(record.last_seen_at),
        context=record.context,
    )
