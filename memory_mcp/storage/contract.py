"""The storage contract: exactly what the service and the semantic leg need from a backend.

`Storage` is the whole of it, as small protocols grouped by purpose, satisfied structurally
(no base class) by `sqlite/` and `postgres/`; the records crossing it are in records.py, the
upkeep protocols (vector index, maintenance, transfer) in upkeep.py.
Rules every backend keeps:

- Every public write is one transaction: a memory, its keyword entry, its vector (when
  given), its history entry and any rows it supersedes land together or not at all.
- `memories` is the source of truth; the keyword and vector indexes are derived from it,
  never drift from it, and can be rebuilt from it (`rebuild_keyword_index`, reindex).
- Unknown ids raise `NotFound("No memory with id N.")`; storage failures raise
  `StorageError` with a sentence the reader can act on. Nothing is returned as an error.
- Times cross the contract as `memory_mcp.timestamps` text (fixed-width ISO-8601 UTC).
- Deleting is erasing: after `purge` or `scrub` the removed text is in no row, index, log,
  history entry or free space of the store (a copy made earlier still holds it).
- Filters (`MemoryFilter`) are applied inside each search, never after it, so a selective
  filter cannot starve the top k.
- Decisions that depend on stored rows (is this a repeat, who holds this key, was that memory
  already replaced, was this item imported before) are taken inside the transaction of the
  write they decide, so processes writing at once cannot both act on the same stale read.
- A key (one spelling: policies.keys) has at most one current value per scope: a write that
  would make two visible, unsuperseded rows hold one leaves one current, the other superseded
  by it (an insert's row wins, else the later-created). A memory is superseded at most once.
- A repeat (policies.repeats) is never an event of another day; it sets what it says.
- Hidden memories (forgotten or superseded) never change the keyword scores of visible ones:
  a search that leaves them out scores as if they did not exist.
"""

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from memory_mcp.models import HistoryEntry, Memory, MemoryFilter
from memory_mcp.policies.dedup import Written
from memory_mcp.policies.repeats import Said
from memory_mcp.storage.principals import PrincipalRecord as PrincipalRecord
from memory_mcp.storage.principals import Principals
from memory_mcp.storage.principals import acting_as as acting_as
from memory_mcp.storage.principals import acting_principal as acting_principal

# The records crossing the contract live in records.py; importers name them from here.
from memory_mcp.storage.records import SCRUBBED as SCRUBBED
from memory_mcp.storage.records import ColumnWeights as ColumnWeights
from memory_mcp.storage.records import Counts as Counts
from memory_mcp.storage.records import Inserted as Inserted
from memory_mcp.storage.records import NewRow as NewRow
from memory_mcp.storage.records import Progress as Progress
from memory_mcp.storage.records import Ranked as Ranked
from memory_mcp.storage.records import Repeats as Repeats
from memory_mcp.storage.records import Restored as Restored
from memory_mcp.storage.records import Tally as Tally
from memory_mcp.storage.records import VectorDelta as VectorDelta
from memory_mcp.storage.records import VectorRows as VectorRows
from memory_mcp.storage.records import beyond_vector_metadata as beyond_vector_metadata
from memory_mcp.storage.records import log_reaches as log_reaches
from memory_mcp.storage.upkeep import Maintenance, Transfer, VectorFeed, VectorIndex

if TYPE_CHECKING:
    import numpy as np


# The history details whose value is another memory's id, as every backend writes them: what
# superseded this one (`by`), the copy folded into it (`merged`) or it was folded into
# (`into`), the replacement whose purge or move brought it back, and the older value
# imported later that it gave way to first (`gave_way_to`).
HISTORY_LINKS = (
    "by", "merged", "into", "replaced_by_purged", "replacement_moved", "left_replacement",
    "gave_way_to",
)  # fmt: skip


class MemoryWrites(Protocol):
    def insert(
        self,
        item: NewRow,
        client: str | None = None,
        *,
        dedup: bool = False,
        replaces: int | None = None,
        once: bool = False,
    ) -> Inserted:
        """Insert one memory, deciding against the stored rows in the same transaction.

        With `dedup`, a visible memory the item repeats (its key's, if it has one, else one
        without a key, which takes it) is counted instead: "duplicate", with what the repeat
        superseded (policies.repeats.adopted), and with `replaces`, the memory it names, which
        the repeated one then supersedes (unless it is that one, or superseded it already: the
        same correction again is a repeat, not refused). A keyed item supersedes
        the current value of (scope, key); so does `replaces` (NotFound if missing;
        InvalidInput if superseded or in another scope). `once`: "present" if its
        `imported_from` is held or was counted."""
        ...

    def insert_many(
        self,
        items: Sequence[NewRow],
        client: str | None = None,
        action: str = "create",
        *,
        repeats: Repeats = "insert",
    ) -> list[Inserted]:
        """Insert rows (and their vectors, where given) in one transaction; one outcome each.

        Each row is decided against what is stored, earlier rows of the batch included:
        - "insert": every row is inserted.
        - "count": a visible memory in the row's scope with the same normalised content is
          counted as repeated ("duplicate", like `insert` with dedup).
        - "skip": a row whose `metadata.imported_from` names a source item (format, id)
          already stored, forgotten ones too, is left out ("present"); so is an exact
          visible repeat ("duplicate", not counted, unless it gives that memory a key).
        - "restore" (rows from an export): "present" when a row with its id has the same
          content, or a memory in its scope has the same normalised content and creation
          time (any content-equal one, if the row gives no time); "duplicate" when it is a
          current keyed row saying what its key's stored value says at another time, with
          no other value of the key between the two (folded into that memory: the earlier
          creation, both statements, both tags and metadata; keyedmerge.py); otherwise the
          row is inserted under its id when that is free, else under a new one.
        """
        ...

    def record_repeat(
        self,
        memory_id: int,
        client: str | None,
        action: str,
        add_tags: Sequence[str] = (),
        source: dict[str, str] | None = None,
        expires_at: str | None = None,
        sighting: Said | None = None,
        **detail: Any,
    ) -> bool:
        """Count another sighting (exact repeat or merged rewording), set what `sighting`
        sets, expire no sooner than `expires_at` (None: never); False if hidden; `source`: once."""
        ...

    def merge_into(
        self, memory_id: int, into_id: int, client: str | None = None, **detail: Any
    ) -> bool:
        """Fold a memory into an earlier one that says the same: the earlier counts its
        repeats, gains its tags and lives as long, both histories record it, and `memory_id`
        is deleted with its index entries. Does nothing and returns False unless both are
        visible and `memory_id` replaced no other memory (a correction is never folded away)."""
        ...

    def update(
        self,
        memory_id: int,
        fields: dict[str, Any],
        vector: "np.ndarray | None" = None,
        drop_vector: bool = False,
        client: str | None = None,
        fold: bool = True,
        unchanged_since: datetime | None = None,
    ) -> int:
        """Update editable fields; replace or drop the vector in step; record the edit. The
        other current copies of its text in its scope then fold into it, or it into one
        that is a correction (never folded away), as `fold_copies` does, so an edit never
        leaves two memories saying the same: the id of the memory holding it now (another
        only then). `fold=False` leaves that to a batch of edits (a Markdown import), which
        calls `fold_copies` at its end. `unchanged_since`: the `Memory.changed_at` the caller
        saw; checked inside the transaction, a memory changed or deleted since is refused
        (Changed) and nothing is written."""
        ...

    def fold_copies(self, ids: Sequence[int], client: str | None = None) -> list[int]:
        """In one transaction, each memory of `ids` still there made the one memory of its
        text in its scope: the copies policies.folding picks (same key and event day,
        visible, replacing nothing) fold into it, as a moved one's do, or it into the oldest
        such copy that replaced another (folding.edited_into). The ids folded away."""
        ...

    def move(self, ids: Sequence[int], scope: str, client: str | None = None) -> list[int]:
        """`update` of each id's scope, in one transaction (NotFound: none moved); ids moved."""
        ...

    def set_forgotten(
        self, ids: Iterable[int], reason: str | None, client: str | None = None
    ) -> tuple[list[int], list[int]]:
        """Soft-delete: returns (newly forgotten, already forgotten)."""
        ...

    def restore(
        self, ids: Iterable[int], client: str | None = None, replaced: bool = True
    ) -> Restored:
        """Undo forget, or, for a memory not forgotten but superseded (and `replaced`), the
        replacement: current again beside what replaced it, unless its key's slot holds
        another current value (history: `restore` with `by`). `replaced` False: an undo of a
        forget only, which done twice (a retry, a second tab) leaves a replaced memory
        replaced. What was restored, what was not (forgotten nor reinstated), and what each
        restored memory took in (copies of its text merged into it), all as its transaction
        saw it."""
        ...

    def replace_with(self, old_id: int, new_id: int, client: str | None = None) -> bool:
        """Make stored `new_id` the replacement of `old_id`: `old_id` superseded by it, as
        `insert(replaces=)` does (keys untouched; history: `supersede` with `by`), decided in
        one transaction. InvalidInput (storage/replacement.py) unless both are current, in
        one scope, and two memories (being current, `new_id` has no successor: no cycle);
        NotFound for an unknown id. False, and nothing written, when it replaced it already."""
        ...

    def purge(
        self,
        ids: Iterable[int],
        client: str | None = None,
        action: str = "purge",
        unchanged_since: Mapping[int, datetime] | None = None,
        follow: Callable[[str], bool] | None = None,
        listed: Collection[int] | None = None,
        rehearse: bool = False,
    ) -> list[int]:
        """Hard delete (index entries, vector; works when full); history keeps when, which
        client, `action` (detail {"erased": action}), no text. What it superseded is restored
        (or superseded by its key's later value), as update does in a key slot a row leaves.
        `unchanged_since`: per id, as update's (Changed: none deleted), every id of it checked
        before any is deleted (a chain's member a confirmation listed, not given, too).
        `follow` (purge --expired): a memory the purge brought back already expired, in a
        scope `follow` accepts, is purged too, in the same transaction, and so on down the
        chain.
        `rehearse`: the ids it would delete, the transaction rolled back (what a confirmation
        lists); `listed`: those confirmed: one more (the chain grew since) deletes none
        (Changed, naming it)."""
        ...

    def scrub(
        self, ids: Iterable[int], text: str, client: str | None = None
    ) -> dict[int, tuple[bool, int]]:
        """Replace every occurrence of `text` with SCRUBBED in the memories (content, context,
        tags, metadata, key, scope, forget reason) and in every string of their history, in
        each spelling a field stores it in (audit.Erasure: a key's folded case), and record a
        "scrub" entry that does not contain it, in one transaction; per id, (memory changed,
        history entries changed). Changed content loses its vector until `set_vectors` gives
        it one."""
        ...


class MemoryReads(Protocol):
    def get(self, memory_id: int) -> Memory: ...

    def get_many(self, ids: Sequence[int], with_embedded: bool = True) -> list[Memory]:
        """Memories for the ids that exist, in the order given (`embedded` False if not asked)."""
        ...

    def unembedded_at_creation(self, ids: Sequence[int]) -> list[int]:
        """Those of `ids` still visible whose create entry says `remember` stored them
        without a vector (NewRow.check_when_embedded): due a rewording check once embedded."""
        ...

    def find(
        self,
        flt: MemoryFilter,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = True,
        with_embedded: bool = True,
        *,
        after: tuple[datetime, int] | None = None,
    ) -> list[Memory]:
        """A page in (created_at, id) order; `after` is the last row of the previous page
        (keyset paging: as fast on the thousandth page as on the first)."""
        ...

    def kinds(self, ids: Sequence[int]) -> dict[int, str]:
        """The kind of each of `ids` that exists, in one statement reading no text (which of
        a search's candidates are saved summaries)."""
        ...

    def count(
        self,
        flt: MemoryFilter,
        *,
        before: tuple[datetime, int] | None = None,
        newest_first: bool = True,
    ) -> int:
        """How many match; with `before` (a row's created_at and id), only those ahead of it
        in find()'s order: that row's place in the list, from 0 (a keyset page's rows)."""
        ...

    def last_memory_id(self) -> int: ...  # max(id), 0 if none: one index lookup at any size

    def iter_all(self, batch: int = 500) -> Iterator[Memory]:
        """Every memory (forgotten too) in id order, streamed in batches."""
        ...

    def find_exact(self, scope: str, content: str, occurred_at: str | None = None) -> Memory | None:
        """A visible memory in `scope` that `content` (an event at `occurred_at`) repeats."""
        ...

    def held_texts(
        self, texts: Sequence[Written], hashes: Sequence[str] | None = None
    ) -> dict[Written, int]:
        """The (scope, content, occurred_at) of `texts` for which `find_exact` finds a
        memory, each with that memory's id, in one statement (a bulk write's check of what
        it need not embed; an import's of what it leaves out, naming the memory). `hashes`:
        each content's policies.dedup.content_hash, if the caller has them."""
        ...

    def current_for_key(self, scope: str, key: str) -> list[Memory]:
        """The visible, not superseded memories holding `key` in `scope`."""
        ...

    def keyed(self, flt: MemoryFilter, limit: int = 1000) -> list[Memory]:
        """Memories holding a key that match `flt` (superseded ones only if it says so),
        by key, then newest first: the profile of a scope."""
        ...

    def imported_ids(self, source: str) -> set[str]:
        """Source ids of the memories an importer brought in from `source` (forgotten too)."""
        ...

    def expired_ids(self) -> list[int]: ...

    def superseded_ids(self, by: int) -> list[int]:
        """The memories `by` superseded (whatever their state now), in the order it did."""
        ...

    def group_counts(self, column: Literal["scope", "kind"]) -> dict[str, int]:
        """Visible memories (not forgotten, superseded or expired) per scope or kind."""
        ...

    def tally(self, flt: MemoryFilter) -> list[Tally]:
        """Every memory matching `flt`, counted per (scope, kind) with its time span, by
        (scope, kind); one query, whatever the number of matches."""
        ...

    def history(
        self,
        memory_id: int | None = None,
        limit: int = 50,
        before_id: int | None = None,
        *,
        by: str | None = None,
        scopes: Sequence[str] | None = None,
    ) -> list[HistoryEntry]:
        """Newest first: one memory's trail, or the whole log; `by`: only changes made by
        that principal; `scopes`: only entries of memories now in one of those scopes (so a
        purged memory's entries are left out)."""
        ...

    def scopes_after(self, entries: Sequence[tuple[int, int]]) -> dict[int, str]:
        """For each (memory id, history entry id), the scope the memory's first later entry
        holding a scope in a snapshot found it in (its `before`'s, else its `after`'s), by
        entry id; an entry with no such later one is left out (the memory is where it is
        now). One query over the memory's history index, however long its history."""
        ...

    def names_at(self, ids: Sequence[int], at: datetime) -> dict[int, tuple[str, str | None]]:
        """The (scope, key) each memory had at `at`, as its history recorded them: those of
        the `before` snapshot of its first change after `at` holding a scope (a move, an
        edit, a re-key), by id; a memory with none is left out (its names are unchanged)."""
        ...


class Search(Protocol):
    def search_keywords(
        self, query: str, flt: MemoryFilter, k: int, weights: ColumnWeights = (1.0, 1.0, 1.0)
    ) -> Ranked:
        """Keyword relevance (higher is better) for the words of `query`, any text accepted;
        [] when it has no searchable word."""
        ...

    def keyword_statistics(self, query: str) -> tuple[int, list[int]]:
        """How many visible memories the keyword index holds, and how many of them contain
        each search term of `query` (the terms search_keywords forms from it; a count may
        stop once past a few thousand). With them policies/fusion.py measures a keyword score
        against what the query could score: the sum of its terms' IDF (BM25's), which is
        about what a memory of average length matching every term once scores. A backend's
        search_keywords scores must be on that BM25 scale. (0, []) when nothing is
        searchable."""
        ...

    def search_vectors(self, query: "np.ndarray", flt: MemoryFilter, k: int) -> Ranked:
        """(id, cosine similarity) best first."""
        ...

    def vectors_for(self, ids: Sequence[int]) -> "dict[int, np.ndarray]": ...


class Storage(
    MemoryWrites,
    MemoryReads,
    Search,
    VectorIndex,
    VectorFeed,
    Maintenance,
    Transfer,
    Principals,
    Protocol,
):
    """Everything MemoryService and the semantic leg use; adapters never reach past it."""
