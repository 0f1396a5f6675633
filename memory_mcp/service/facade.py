"""MemoryService: the one object the MCP server and the CLI call. Reads like the feature list;
each method hands over to the part of the service that does the work."""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from memory_mcp.config import Settings
from memory_mcp.models import (
    BackupReport,
    DoctorReport,
    EditResult,
    ForgetResult,
    HistoryEntry,
    Memory,
    MemoryFilter,
    RecallResult,
    ReindexStatus,
    RestoreResult,
    Stats,
    Summary,
)
from memory_mcp.remembered import LaterMemories, RememberResult
from memory_mcp.search.embed import Embedder
from memory_mcp.service import filters
from memory_mcp.service.automatic import AutomaticMemory
from memory_mcp.service.context import Context
from memory_mcp.service.erasing import Erasing
from memory_mcp.service.numbers import refuse_booleans
from memory_mcp.service.parts import Parts
from memory_mcp.storage import open_storage
from memory_mcp.storage.contract import Progress, Storage

# What only some methods use is imported by the part that does the work, when first used
# (parts.py): `memory-mcp list` imports neither the writer, recall, the importers nor numpy.
if TYPE_CHECKING:
    from memory_mcp import formats
    from memory_mcp.formats import markdown_import
    from memory_mcp.search import evaluation
    from memory_mcp.search.rerank import Reranker
    from memory_mcp.service import transfer
    from memory_mcp.service.migration import MigrationReport


@refuse_booleans
class MemoryService(AutomaticMemory, Erasing):
    def __init__(
        self,
        store: Storage,
        embedder: Embedder | None,
        settings: Settings,
        reranker: "Reranker | None" = None,
        *,
        lazy: bool = False,
    ) -> None:
        """`lazy`: build each part on first use (a CLI command uses one or two); otherwise
        all of them now, as a server does on the thread that opens the service."""
        self._ctx = Context.build(store, embedder, settings, reranker)
        self.store = self._ctx.store
        self.settings = self._ctx.settings
        self.semantic = self._ctx.semantic
        self._parts = Parts(self._ctx)
        if not lazy:
            self._parts.build_all()

    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        create: bool = True,
        reranker: "Reranker | None" = None,
        connect_timeout_s: int | None = None,
        damaged: bool = False,
        lazy: bool = False,
    ) -> "MemoryService":
        """Open (and migrate) the database, creating it unless `create` is False (then a
        missing database is a StorageError); the models are not loaded yet (see open_storage).
        `lazy`: the parts are built on first use (see __init__)."""
        from memory_mcp.search.embed import FastEmbedEmbedder

        store = open_storage(settings, create, connect_timeout_s, damaged)
        if embedder is None and settings.semantic:
            embedder = FastEmbedEmbedder(settings.model, settings.model_dir, settings.cache_dir)
        if reranker is None and settings.reranker:
            from memory_mcp.search.rerank import FastEmbedReranker

            reranker = FastEmbedReranker(
                settings.reranker, settings.reranker_dir, settings.cache_dir
            )
        return cls(store, embedder, settings, reranker, lazy=lazy)

    def close(self, wait: float = 5.0) -> None:
        """Stop background work (model loading, backlog embedding; waiting up to `wait`
        seconds for it), then close the database."""
        self.semantic.stop(wait)
        self.store.close()

    # -- the four tools (and remember in bulk) ------------------------------------------------

    def remember(
        self,
        content: str,
        kind: str | None = None,
        tags: list[str] | None = None,
        scope: str | None = None,
        metadata: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        replaces: int | None = None,
        occurred_at: str | datetime | None = None,
        ttl: str | None = None,
        expires_at: str | datetime | None = None,
        reference_time: str | datetime | None = None,
        project: str | None = None,
        client: str | None = None,
        context: str | None = None,
    ) -> RememberResult:
        """Store a memory unless it is already known; a key or `replaces` supersedes.

        `context` (e.g. the conversation around it) is searched with the memory, not shown."""
        return self._writer.remember(
            content, kind, tags, scope, metadata, key=key, replaces=replaces,
            occurred_at=occurred_at, ttl=ttl, expires_at=expires_at,
            reference_time=reference_time, project=project, client=client, context=context,
        )  # fmt: skip

    def remember_many(
        self,
        items: Sequence[dict[str, Any]],
        batch_size: int = 256,
        dedup: bool = True,
        client: str | None = None,
    ) -> list[int]:
        """Store many memories fast: all validated first, embedded in batches, one transaction
        per batch. Items take remember's content, kind, tags, scope, metadata, context,
        occurred_at and reference_time. Exact repeats (in the file or already stored) are
        counted on the existing memory unless `dedup` is off; near-duplicate merging and keys
        are `remember`'s. Returns one id per item."""
        return self._bulk.remember_many(items, batch_size, dedup, client)

    def recall(
        self,
        query: str | None = None,
        limit: int | None = None,
        scope: str | None = None,
        kind: str | None = None,
        tags: list[str] | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        *,
        time_field: str = "occurred",
        include_superseded: bool = False,
        as_of: str | datetime | None = None,
        max_tokens: int | None = None,
        ids: Sequence[int] | None = None,
        reference_time: str | datetime | None = None,
        project: str | None = None,
        offset: int = 0,
    ) -> RecallResult:
        """Hybrid search (or fetch by ids), filtered, fused, and fitted to a token budget;
        `offset` skips the best that many of the same ranking (a further page)."""
        return self._recaller.recall(
            query, limit, scope, kind, tags, since, until, time_field=time_field,
            include_superseded=include_superseded, as_of=as_of, max_tokens=max_tokens, ids=ids,
            reference_time=reference_time, project=project, offset=offset,
        )  # fmt: skip

    def forget(
        self, ids: Sequence[int], reason: str | None = None, client: str | None = None
    ) -> ForgetResult:
        """Hide memories from recall (undone by restore)."""
        return self._lifecycle.forget(ids, reason, client)

    def summarize(
        self,
        query: str | None = None,
        scope: str | None = None,
        kind: str | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        limit: int | None = None,
        *,
        max_tokens: int | None = None,
        save: bool = False,
        project: str | None = None,
        client: str | None = None,
    ) -> Summary:
        """Cluster the current memories on a topic/scope/window into themes (no LLM)."""
        return self._summarizer.summarize(
            query, scope, kind, since, until, limit, max_tokens=max_tokens, save=save,
            project=project, client=client,
        )  # fmt: skip

    # -- editing and lifecycle ----------------------------------------------------------------

    def get(self, memory_id: int) -> Memory:
        """One memory by id, whatever its state."""
        return self._lifecycle.get(memory_id)

    def get_many(self, ids: Sequence[int]) -> list[Memory]:
        """The memories among `ids` that exist, in that order (for previews)."""
        return self._lifecycle.get_many(ids)

    def list_memories(
        self,
        flt: MemoryFilter | None = None,
        limit: int | None = 50,
        offset: int = 0,
        *,
        after: tuple[datetime, int] | None = None,
        newest_first: bool = True,
    ) -> list[Memory]:
        """A page of what a filter matches (default: the visible ones), newest first unless
        `newest_first` is off; `after`, the last one shown (created_at, id), pages on by keyset."""
        return self._lifecycle.list_memories(flt, limit, offset, after, newest_first)

    def count(
        self,
        flt: MemoryFilter | None = None,
        *,
        before: tuple[datetime, int] | None = None,
        newest_first: bool = True,
    ) -> int:
        """How many memories match a filter (by default: the visible ones); with `before` (a
        memory's created_at and id), those ahead of it in list_memories' order: its place."""
        return self._lifecycle.count(flt, before, newest_first)

    def update(
        self,
        memory_id: int,
        content: str | None = None,
        kind: str | None = None,
        tags: list[str] | None = None,
        scope: str | None = None,
        metadata: dict[str, Any] | None = None,
        client: str | None = None,
        context: str | None = None,
        *,
        key: str | None = None,
        occurred_at: str | datetime | None = None,
        expires_at: str | datetime | None = None,
        unchanged_since: datetime | None = None,
    ) -> EditResult:
        """Edit fields in place; changed content is re-embedded (or queued for it).

        Secrets in what is sent are masked as `remember` masks them (`redacted` lists the
        kinds). An empty `context`, `key`, `occurred_at` or `expires_at` clears it; None
        leaves it as it is. A new key supersedes its current holder as `remember` would.
        `unchanged_since`: the `changed_at` of the memory as the caller saw it (an editor, a
        form): if it changed since, nothing is written (Changed), checked inside the write.
        """
        return self._lifecycle.update(
            memory_id, content, kind, tags, scope, metadata, client, context,
            key=key, occurred_at=occurred_at, expires_at=expires_at,
            unchanged_since=unchanged_since,
        )  # fmt: skip

    def move(self, ids: Sequence[int], scope: str, client: str | None = None) -> list[EditResult]:
        """Move memories to another scope (recorded in their history)."""
        return self._lifecycle.move(ids, scope, client)

    def restore(
        self, ids: Sequence[int], client: str | None = None, replaced: bool = True
    ) -> RestoreResult:
        """Bring forgotten memories back, or undo a replacement (not a key's: its slot keeps
        one current value; `replaced` False: forgotten ones only, the undo of a forget, so
        that a second one leaves a replaced memory replaced); says which were not, and
        which stay superseded."""
        return self._lifecycle.restore(ids, client, replaced)

    def history(self, memory_id: int | None = None, limit: int = 50, by: str | None = None,
                before_id: int | None = None) -> list[HistoryEntry]:  # fmt: skip
        """A memory's trail (it may be gone) or the whole log, by `by`, older than `before_id`."""
        return self._lifecycle.history(memory_id, limit, by, before_id)

    def superseded(self, memory_id: int) -> list[int]:
        """The memories this one replaced (by key or `replaces`), in the order it did."""
        return self._lifecycle.superseded(memory_id)

    def later_memories(self, memory_id: int) -> LaterMemories:
        """The later current memories that may update this one (remember's `similar`
        reversed), closest first: for a person looking by hand (CLI show, web UI)."""
        return self._later.later_memories(memory_id)

    def replace_with(self, old_id: int, new_id: int, client: str | None = None) -> Memory:
        """Make stored `new_id` the replacement of `old_id` (superseded; restore undoes it)."""
        return self._later.replace_with(old_id, new_id, client)

    def scopes(self) -> dict[str, int]:
        """Every scope with its count of visible memories."""
        return self._lifecycle.scopes()

    # -- moving data --------------------------------------------------------------------------

    def export_count(self, scope: str | None = None) -> int:
        """How many memories an export writes (forgotten, superseded and expired included)."""
        return self._exchange.export_count(scope)

    def export_jsonl(
        self,
        out: TextIO | Path,
        progress: Progress | None = None,
        scope: str | None = None,
        overwrite: bool = False,
    ) -> int:
        """Every memory (forgotten ones too), or one scope's, as JSON lines: a lossless backup.
        A path is written as a private file and only replaces an existing one if `overwrite`."""
        return self._exchange.export_jsonl(out, progress, scope, overwrite)

    def import_jsonl(self, path: Path, progress: Progress | None = None) -> "transfer.ImportReport":
        """Import a JSONL export: the whole file is validated before anything is written."""
        return self._exchange.import_jsonl(path, progress)

    def export_markdown(
        self,
        directory: Path,
        progress: Progress | None = None,
        scope: str | None = None,
        overwrite: bool = False,
    ) -> tuple[list[Path], int]:
        """One readable Markdown file per scope (forgotten and superseded memories marked),
        private, replacing existing files only if `overwrite`; returns the files written and
        how many memories they hold."""
        return self._exchange.export_markdown(directory, progress, scope, overwrite)

    def import_markdown(
        self, path: Path, progress: Progress | None = None
    ) -> "markdown_import.MarkdownImportReport":
        """Apply edited Markdown files back by id: edits update (re-embedded, in history),
        `#new` entries are remembered, missing entries are only reported. All files are
        checked before anything is written; unedited files change nothing."""
        return self._exchange.import_markdown(path, progress)

    def import_from(
        self, fmt: str, path: Path, scope: str | None = None, progress: Progress | None = None
    ) -> "formats.ImportSummary":
        """Import another memory system's file into one scope; re-running adds nothing.

        Formats: kg-jsonl (the official MCP knowledge-graph server), mem0 (a get_all() export),
        mcp-memory-service (its SQLite database, opened read-only). See memory_mcp/formats.
        """
        return self._exchange.import_from(fmt, path, scope, progress)

    # -- maintenance --------------------------------------------------------------------------

    def stats(self) -> Stats:
        """Counts, sizes and the search mode in use."""
        return self._maintenance.stats()

    def reindex_status(self) -> ReindexStatus:
        """How far the vector index is, and whether an earlier reindex was interrupted."""
        return self._maintenance.reindex_status()

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the full-text index and re-embed every memory with the configured model."""
        return self._maintenance.reindex(progress)

    def backup(
        self, dest: Path, overwrite: bool = False, progress: Progress | None = None
    ) -> BackupReport:
        """A consistent copy of the database (online backup API: others may keep writing)."""
        return self._maintenance.backup(dest, overwrite, progress)

    def migrate_to(self, db: str | Path, progress: Progress | None = None,
                   schema: str | None = None) -> "MigrationReport":  # fmt: skip
        """Copy this database exactly into another (a URL, in `schema`; a file); resumable."""
        return self._maintenance.migrate_to(db, progress, schema)

    def doctor(self, repair: bool = False, mask_secrets: bool = False) -> DoctorReport:
        """Check integrity and index drift; repair fixes drift; mask_secrets scrubs old secrets."""
        return self._maintenance.doctor(repair, mask_secrets)

    def evaluate(self, path: Path) -> "evaluation.EvalReport":
        """Run labelled queries (JSONL: query, expected_ids) through recall and score them."""
        return self._exchange.evaluate(path)

    # -- filters and scopes, for the adapters -------------------------------------------------

    # Validate filter arguments; dates may be relative to `reference_time` (or now).
    make_filter = staticmethod(filters.make_filter)

    def project_scope(self, project: str | None = None) -> str | None:
        """The project in context: one given per call (e.g. from MCP roots), else configured."""
        return self._ctx.project_scope(project)
