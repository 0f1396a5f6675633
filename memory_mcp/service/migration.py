"""`memory-mcp migrate --to URL`: copy a whole database into another store (SQLite to
PostgreSQL, or back), exactly: every memory in every state with its id, times and vector
(no re-embedding), and the whole history. Then the counts of both are compared and a sample
of rows read back from both.

Each batch is one transaction in the target, and rows or entries whose id is already there
are left out: a copy that stopped halfway leaves a usable target, and running the same
command again resumes it (and a finished one re-run copies nothing).
"""

import random
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, Field

from memory_mcp.errors import InvalidInput, StorageError, stopped_partway
from memory_mcp.models import HistoryEntry, Memory, MemoryFilter
from memory_mcp.storage.contract import NewRow, Storage
from memory_mcp.timestamps import format_time

if TYPE_CHECKING:
    import numpy as np


BATCH = 500
SAMPLE = 200
EVERYTHING = MemoryFilter(include_forgotten=True, include_superseded=True, include_expired=True)
T = TypeVar("T")
Progress = Callable[[int, int], None]


class MigrationReport(BaseModel):
    target: str = Field(description="Where the copy went (no password).")
    memories: int = Field(description="Memories in the target, every state.")
    copied: int = Field(description="Memories this run copied (0: all were there already).")
    vectors: int
    history: int = Field(description="History entries in the target.")
    history_copied: int
    sampled: int = Field(description="Rows read back from both and found equal.")


def migrate(
    source: Storage, target: Storage, progress: Progress | None = None, seed: int = 0
) -> MigrationReport:
    """Copy everything from `source` into `target`, then verify (StorageError if not equal)."""
    # Compared as stores, not as locations: another spelling of the same server and
    # database (localhost or 127.0.0.1, another role, an option added) is still the source,
    # and a copy into it would skip every row as copied already and report success.
    if target.identity() == source.identity():
        reached = "" if target.location == source.location else f", reached as {target.location}"
        raise InvalidInput(
            f"The target is the source itself ({source.location}{reached}); copy into "
            "another database, file or schema (`migrate --to URL --to-schema NAME`)."
        )
    _check_target_is_ours(source, target)
    info = source.vector_index_info()
    if info is not None:
        target.ensure_vector_index(*info)  # SchemaMismatch: the target has another model
    total = source.count(EVERYTHING)
    copied = done = 0
    try:
        for chunk in _batches(source.iter_all(BATCH), BATCH):
            vectors = source.vectors_for([m.id for m in chunk]) if info is not None else {}
            copied += target.copy_rows([_row(m, vectors.get(m.id)) for m in chunk])
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    except StorageError as exc:
        if not done:
            raise
        stayed = f"The {done} memories of the earlier batches, now in {target.location},"
        raise stopped_partway(exc, stayed, "migrate") from exc
    history, history_copied = _copy_history(source, target)
    _check_counts(source, target, history)
    sampled = _check_sample(source, target, random.Random(seed))
    counts = target.counts()
    return MigrationReport(
        target=target.location,
        memories=counts["memories"],
        copied=copied,
        vectors=counts["vec"],
        history=history,
        history_copied=history_copied,
        sampled=sampled,
    )


def _check_target_is_ours(source: Storage, target: Storage) -> None:
    """Before copying: whatever the target holds must be an earlier run's copy. A memory of
    its own under an id the source uses would make the copy skip the source's one, and the
    sample read back afterwards catches that only when it happens to pick that id."""
    for chunk in _batches(target.iter_all(BATCH), BATCH):
        theirs = {m.id: m for m in source.get_many([m.id for m in chunk], with_embedded=False)}
        for memory in chunk:
            there = theirs.get(memory.id)
            if there is None or _facts(there) != _facts(memory):
                raise StorageError(
                    f"{target.location} already holds a memory #{memory.id} that is not the "
                    "source's (another database's, or the source changed it since an earlier "
                    "run): the copy would skip the source's one. Nothing was copied; migrate "
                    "into an empty database or schema (--to-schema)."
                )


def _facts(memory: Memory) -> dict[str, object]:
    return memory.model_dump(exclude={"embedded"})


def _copy_history(source: Storage, target: Storage) -> tuple[int, int]:
    total = copied = 0
    for page in _history_pages(source):
        copied += target.copy_history(page)
        total += len(page)
    return total, copied


def _history_pages(store: Storage) -> Iterator[list[HistoryEntry]]:
    before: int | None = None
    while page := store.history(limit=BATCH, before_id=before):
        yield page
        before = page[-1].id


def _check_counts(source: Storage, target: Storage, history: int) -> None:
    theirs, ours = source.counts(), target.counts()
    fields = ("memories", "forgotten", "superseded", "vec")
    differ = [f"{f}: {theirs[f]} there, {ours[f]} here" for f in fields if theirs[f] != ours[f]]  # type: ignore[literal-required]
    in_target = sum(len(page) for page in _history_pages(target))
    if in_target != history:
        differ.append(f"history: {history} there, {in_target} here")
    if differ:
        raise StorageError(
            f"The copy in {target.location} does not match the source ({'; '.join(differ)}). "
            "Was it written to meanwhile, or did it hold other memories? Nothing was deleted; "
            "run the same command again to resume, or migrate into an empty database."
        )


def _check_sample(source: Storage, target: Storage, rng: random.Random) -> int:
    import numpy as np

    ids = [m.id for m in source.iter_all(BATCH)]
    sample = rng.sample(ids, min(SAMPLE, len(ids)))
    theirs = source.get_many(sample)
    ours = {m.id: m for m in target.get_many(sample)}
    vectors_there = source.vectors_for(sample)
    vectors_here = target.vectors_for(sample)
    for memory in theirs:
        here = ours.get(memory.id)
        same_vector = (memory.id in vectors_there) == (memory.id in vectors_here) and (
            memory.id not in vectors_there
            or np.allclose(vectors_there[memory.id], vectors_here[memory.id], atol=1e-6)
        )
        if here is None or here.model_dump() != memory.model_dump() or not same_vector:
            raise StorageError(
                f"Memory {memory.id} differs between the source and {target.location}: the "
                "target held other memories under the same ids. Migrate into an empty database."
            )
    return len(theirs)


def _row(m: Memory, vector: "np.ndarray | None") -> NewRow:
    def when(value: object) -> str | None:
        return None if value is None else format_time(value)  # type: ignore[arg-type]

    return NewRow(
        content=m.content,
        kind=m.kind,
        tags=list(m.tags),
        scope=m.scope,
        metadata=dict(m.metadata),
        vector=vector,
        created_at=format_time(m.created_at),
        updated_at=format_time(m.updated_at),
        id=m.id,
        forgotten_at=when(m.forgotten_at),
        forget_reason=m.forget_reason,
        key=m.key,
        occurred_at=when(m.occurred_at),
        expires_at=when(m.expires_at),
        client=m.client,
        superseded_by=m.superseded_by,
        superseded_at=when(m.superseded_at),
        repeat_count=m.repeat_count,
        last_seen_at=when(m.last_seen_at),
        context=m.context,
    )


def _batches(items: Iterator[T], size: int) -> Iterator[Sequence[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
