"""The records crossing the storage contract: the rows a write is given and what it did with
them, the vector columns an in-memory copy loads, the counts stats and drift checks read.

Plain values, read from a filter or a stored row at most; `contract.py` re-exports the
records, so the service and the semantic leg import them from the contract as before.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.policies.dedup import content_hash
from memory_mcp.timestamps import parse_stored_time

if TYPE_CHECKING:
    import numpy as np


def changed_at(row: Any) -> datetime:
    """`Memory.changed_at` of a stored row (both backends store times as text)."""
    superseded = None if row["superseded_by"] is None else row["superseded_at"]
    stamps = (row["updated_at"], row["forgotten_at"], superseded, row["last_seen_at"])
    return max(parse_stored_time(t) for t in stamps if t is not None)


Ranked = list[tuple[int, float]]  # (memory id, score) best first
# What insert_many does with a row that repeats something stored (see insert_many).
Repeats = Literal["insert", "count", "skip", "restore"]
ColumnWeights = tuple[float, float, float]  # keyword weights of content, tags and context
Progress = Callable[[int, int], None]  # (done, total)
SCRUBBED = "[scrubbed]"  # what `scrub` leaves where the text was


@dataclass(frozen=True)
class NewRow:
    """One memory to insert, already validated; vector may be None (embedded later). Ids,
    times and states are set only by imports that restore them, else by the backend."""

    content: str
    kind: str
    tags: list[str]
    scope: str
    metadata: dict[str, Any]
    vector: "np.ndarray | None" = None
    created_at: str | None = None
    updated_at: str | None = None
    id: int | None = None
    forgotten_at: str | None = None
    forget_reason: str | None = None
    key: str | None = None
    occurred_at: str | None = None
    expires_at: str | None = None
    client: str | None = None
    superseded_by: int | None = None
    superseded_at: str | None = None
    repeat_count: int = 1
    last_seen_at: str | None = None
    context: str | None = None
    # Stored by `remember` without a vector (the model was loading): whichever process
    # embeds it checks it for a rewording then (its create entry says so: `unembedded`).
    check_when_embedded: bool = False
    # policies.dedup.content_hash(content), when the caller has it already (a bulk write
    # reads it for its own checks, then the store for its decisions): None, computed there.
    content_hash: str | None = field(default=None, compare=False, repr=False)
    # The largest metadata (characters of JSON) the row's writer accepts: a row folded into
    # a stored one (insert_many's "restore") keeps the merged metadata within it (sources.py).
    metadata_limit: int | None = field(default=None, compare=False, repr=False)

    def hashed(self) -> str:
        """The content's exact-repeat hash (the one given, else computed)."""
        return self.content_hash or content_hash(self.content)


@dataclass(frozen=True)
class Inserted:
    """What a write did with one row, decided inside its transaction. created: a new memory
    (`supersedes`: what it superseded; `memory`: the row as created, by insert alone);
    duplicate: an exact visible repeat of memory `id` in the same scope (counted there or
    left out, as asked); present: already stored (an imported source item, a restored row).
    `logged`: the change-log position of a created row's vector (0: none), see VectorFeed.
    `metadata_kept`: an imported keyed row folded into `id` whose merged metadata stayed past
    the import's limit after every extra tag was cut: `id` kept its own (sources.merged_row)."""

    id: int
    status: Literal["created", "duplicate", "present"]
    supersedes: tuple[int, ...] = ()
    memory: Memory | None = field(default=None, compare=False)
    logged: int = field(default=0, compare=False)
    metadata_kept: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class VectorRows:
    """Vectors with the metadata recall filters on, as columns (for in-memory copies)."""

    ids: "np.ndarray"  # int64
    vectors: "np.ndarray"  # (n, dim) float32
    scopes: list[str]
    kinds: list[str]
    hidden: "np.ndarray"  # bool: forgotten or superseded
    at: "np.ndarray"  # int64 microseconds: occurred, else recorded
    expires: "np.ndarray"  # int64 microseconds; timestamps.NEVER when it never expires


@dataclass(frozen=True)
class VectorDelta:
    generation: int
    head: int
    ids: list[int]  # changed (inserted, updated or deleted) since the asked position
    rows: VectorRows  # the current rows of those ids that still have a vector


def log_reaches(after: int, oldest: int | None, head: int) -> bool:
    """Whether the vector log (its oldest kept change and its head) still holds every
    change since position `after`: else they were trimmed, and a reader reloads in full."""
    return head <= after or (oldest is not None and oldest <= after + 1)


@dataclass(frozen=True)
class Restored:
    """What a restore did, decided in its transaction: the memories back (`restored`), those
    that were not forgotten, and for each restored id the copies of its text stored
    meanwhile that were merged into it (policies.folding), in id order."""

    restored: list[int]
    not_forgotten: list[int]
    merged: dict[int, list[int]]
    # restored id -> the correction saying the same that it folded into (never folded away)
    folded_into: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Tally:
    """The memories matching a filter that share a scope and a kind: how many, and the first
    and last of their times (when it happened, else when it was recorded)."""

    scope: str
    kind: str
    count: int
    first_at: datetime
    last_at: datetime

    @classmethod
    def of_row(cls, row: Any) -> "Tally":
        """From a row of TALLY (either backend's: read by column name)."""
        first, last = parse_stored_time(row["first_at"]), parse_stored_time(row["last_at"])
        return cls(str(row["scope"]), str(row["kind"]), int(row["n"]), first, last)


# The columns of a tally: plain SQL both backends run, grouped by (m.scope, m.kind).
TALLY = """select m.scope, m.kind, count(*) as n,
    min(coalesce(m.occurred_at, m.created_at)) as first_at,
    max(coalesce(m.occurred_at, m.created_at)) as last_at"""


class Counts(TypedDict):
    """Row counts of the source table and both indexes (drift checks and stats)."""

    memories: int
    forgotten: int
    superseded: int
    fts: int  # keyword index entries
    vec: int  # vectors
    orphan_vec: int  # vectors whose memory no longer exists


def beyond_vector_metadata(flt: MemoryFilter) -> bool:
    """Whether a filter needs fields that VectorRows does not carry (tags, as_of, hidden
    rows, recorded-time windows): a vector search must then consult the memories too."""
    windowed = flt.since is not None or flt.until is not None
    return bool(
        flt.include_forgotten
        or flt.include_superseded
        or flt.as_of is not None
        or flt.tags
        or (windowed and flt.time_field == "recorded")
    )


class Rehearsed(Exception):
    """Raised in a purge's transaction to roll it back (Storage.purge's `rehearse`),
    carrying the ids it would have deleted."""

    def __init__(self, ids: list[int]) -> None:
        super().__init__(ids)
        self.ids = ids


def purge_ends(purged: list[int], listed: Collection[int] | None, rehearse: bool) -> list[int]:
    """The end of a purge's transaction: a rehearsal rolls back (Rehearsed); a purge that
    reached a memory its confirmation did not list deletes none (Changed, naming it)."""
    from memory_mcp.errors import Changed

    if rehearse:
        raise Rehearsed(purged)
    beyond = [i for i in purged if listed is not None and i not in listed]
    if beyond:
        raise Changed(f"Memory #{beyond[0]} would go too, and was not listed", beyond[0])
    return purged
