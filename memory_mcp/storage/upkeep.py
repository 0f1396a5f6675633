"""The storage contract's upkeep part: the vector index's life, what an in-memory copy of it
reads, the store's maintenance, and whole-database copies; contract.Storage combines them."""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from memory_mcp.models import HistoryEntry
from memory_mcp.storage.records import Counts, NewRow, Progress, VectorDelta, VectorRows

if TYPE_CHECKING:
    import numpy as np


class VectorIndex(Protocol):
    """The vector index's life: which model built it, filling it, rebuilding it."""

    def has_vector_index(self) -> bool: ...

    def vector_index_info(self) -> tuple[str, int] | None:
        """(model, dimension) the vector index was built for, or None if there is none."""
        ...

    def ensure_vector_index(self, model: str, dim: int) -> None:
        """Create for (model, dim) or check it (SchemaMismatch); only its model's vectors go in."""
        ...

    def reset_vector_index(self, model: str, dim: int) -> None:
        """An empty index, marked as a reindex in progress until finish_reindex."""
        ...

    def reindex_pending(self) -> tuple[str, int] | None: ...

    def finish_reindex(self) -> None: ...

    def pending_embeddings(self, limit: int, after_id: int = 0) -> list[tuple[int, str]]:
        """(id, content) of memories without a vector, in id order."""
        ...

    def set_vectors(self, rows: "Sequence[tuple[int, str, np.ndarray]]") -> int:
        """(id, text embedded, vector): stored where that row still has that text and no vector."""
        ...


class VectorFeed(Protocol):
    """What an in-memory copy of the vector index reads to load and to stay current; a
    copy one position behind an insert's `logged` adds the row itself (no log read)."""

    def wants_vector_copy(self) -> bool:
        """Whether an in-memory copy serves searches better than the backend's own index
        (SQLite: yes; a database server's index is shared by every replica: no)."""
        ...

    def vector_log_head(self) -> tuple[int, int]:
        """(generation, last logged change): whether a copy is still current."""
        ...

    def vector_changes(self, after: int, dim: int) -> VectorDelta | None:
        """Rows changed since log position `after`; None: reload in full."""
        ...

    def vectors_lost(self, after: int) -> list[int] | None:
        """Ids of memories changed since log position `after` that are still stored and
        now have no vector (their text was edited without a model), in id order; reads no
        vector. None: the log no longer reaches back that far."""
        ...

    def vector_snapshot(self, dim: int, consume: Callable[[VectorRows], None]) -> tuple[int, int]:
        """Stream every vector to `consume` from one snapshot; (generation, log position)."""
        ...


class Maintenance(Protocol):
    @property
    def location(self) -> str:
        """Where the data lives, for people (a file path; never a password)."""
        ...

    def identity(self) -> str:
        """What this store is, the same however it was reached: two stores are one exactly
        when their identities are equal (another spelling of a server's address, another
        role, another link or hard link to a file: still equal). Only for comparing."""
        ...

    def counts(self) -> Counts: ...
    def size_bytes(self) -> int: ...

    def integrity_check(self) -> str: ...  # 'ok', or what the backend found wrong
    def keyword_index_ok(self) -> bool: ...
    def rebuild_keyword_index(self) -> None: ...  # makes dropped parts again, too

    def missing_index_parts(self) -> list[str]:
        """The derived index's parts (tables, triggers, indexes) that were dropped by hand:
        opening refuses such a database unless asked for doctor, whose --repair makes them."""
        ...

    def lacking_privileges(self) -> list[str]:
        """What a role that may write `memories` lacks on the other tables a write changes
        ('INSERT, UPDATE, DELETE on memory_vectors'): its writes are refused, naming them.
        Always empty on SQLite (a file has no roles)."""
        ...

    def restore_index_parts(self) -> list[str]:
        """Make the dropped parts again (what `missing_index_parts` named), from `memories`
        or empty for the rebuilds and embeddings doctor --repair runs next."""
        ...

    def compact_keyword_index(self, written: int) -> None:
        """After a bulk write of `written` rows: tidy what its transactions left that slows
        keyword search, at a cost bounded by what was written; never raises."""
        ...

    def delete_orphan_vectors(self) -> int: ...
    def vector_metadata_drift(self) -> int: ...  # vectors whose filter metadata went stale

    def resync_vector_metadata(self) -> None: ...

    def backup(self, dest: Path, progress: Progress | None = None) -> tuple[int, str]:
        """A consistent copy at `dest` while others write; (memories, integrity) of the copy."""
        ...

    def close(self) -> None: ...


class Transfer(Protocol):
    """Copying a whole database into another store (`memory-mcp migrate`): rows exactly as
    they are, no decisions taken and no history added; re-running skips what is there."""

    def copy_rows(self, rows: Sequence[NewRow]) -> int:
        """Insert memories exactly as given (ids, times, states, keys, counts, vectors) in
        one transaction, leaving out a row whose id is already stored; rows inserted."""
        ...

    def copy_history(self, entries: Sequence[HistoryEntry]) -> int:
        """Insert history entries exactly as given (ids too) in one transaction, leaving
        out an id already stored; entries inserted."""
        ...
