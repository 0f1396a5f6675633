"""MemoryService: the one object the MCP server and the CLI call. Reads like the feature list."""

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

from pydantic import BaseModel, ValidationError

from memory_mcp import db, summarize, transfer
from memory_mcp.config import MAX_RECALL_LIMIT, Settings
from memory_mcp.embed import Embedder, FastEmbedEmbedder
from memory_mcp.errors import InvalidInput
from memory_mcp.models import (
    DoctorReport,
    ForgetResult,
    Hit,
    Memory,
    MemoryFilter,
    NewMemory,
    RecallResult,
    Stats,
    Summary,
)
from memory_mcp.search import fts_query, fuse
from memory_mcp.semantic import Progress, SemanticIndex
from memory_mcp.store import MemoryStore, NewRow
from memory_mcp.times import parse_time

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

CANDIDATES_PER_HIT = 4  # each leg of hybrid recall proposes 4 x limit candidates
SUMMARY_POOL = 500  # newest memories a query-less summary considers


class MemoryService:
    def __init__(self, store: MemoryStore, embedder: Embedder | None, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.semantic = SemanticIndex(store, embedder)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> "MemoryService":
        """Open (creating and migrating) the database; the model is not loaded yet."""
        path = Path(settings.db).expanduser()
        conn = db.connect(path, settings.busy_timeout_ms)
        db.migrate(conn, path)
        if embedder is None and settings.semantic:
            embedder = FastEmbedEmbedder(settings.model, settings.model_dir, settings.cache_dir)
        return cls(MemoryStore(conn, path), embedder, settings)

    def close(self) -> None:
        self.store.close()

    # -- the four tools ---------------------------------------------------------------------

    def remember(
        self,
        content: str,
        kind: str | None = None,
        tags: list[str] | None = None,
        scope: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Memory:
        new = _validated(
            NewMemory,
            content=content,
            kind=kind or "note",
            tags=tags or [],
            scope=scope,
            metadata=metadata or {},
        )
        self._check_size(new.content)
        vectors = self.semantic.embed_documents([new.content])
        row = NewRow(
            content=new.content,
            kind=new.kind,
            tags=new.tags,
            scope=new.scope or self.settings.default_scope,
            metadata=new.metadata,
            vector=None if vectors is None else vectors[0],
        )
        memory_id = self.store.insert(row)
        if vectors is None and self.semantic.ready:
            self.semantic.fill_pending()  # the model finished loading while we stored
        return self.store.get(memory_id)

    def remember_many(self, items: Sequence[dict[str, Any]], batch_size: int = 256) -> list[int]:
        """Store many memories fast: validated first, embedded in batches, one transaction
        per batch. Each item takes the keyword arguments of `remember`."""
        rows: list[NewRow] = []
        for item in items:
            new = _validated(NewMemory, **item)
            self._check_size(new.content)
            rows.append(
                NewRow(
                    content=new.content,
                    kind=new.kind,
                    tags=new.tags,
                    scope=new.scope or self.settings.default_scope,
                    metadata=new.metadata,
                )
            )
        ids: list[int] = []
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            vectors = self.semantic.embed_documents([r.content for r in batch])
            if vectors is not None:
                batch = [replace(r, vector=v) for r, v in zip(batch, vectors, strict=True)]
            ids.extend(self.store.insert_many(batch))
        return ids

    def recall(
        self,
        query: str,
        limit: int | None = None,
        scope: str | None = None,
        kind: str | None = None,
        tags: list[str] | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
    ) -> RecallResult:
        if not query or not query.strip():
            raise InvalidInput("query must not be empty: say what to look for.")
        limit = self._limit(limit)
        flt = self.make_filter(scope=scope, kind=kind, tags=tags, since=since, until=until)
        pool = limit * CANDIDATES_PER_HIT
        match = fts_query(query)
        keyword = self.store.search_fts(match, flt, pool) if match else []
        qvec = self.semantic.embed_query(query)
        semantic = [] if qvec is None else self.store.search_vec(qvec, flt, pool)
        ranked = fuse(keyword, semantic)[:limit]
        found = self.store.get_many([mid for mid, _ in ranked], with_embedded=False)
        memories = {m.id: m for m in found}
        hits = [
            Hit(
                id=mid,
                content=memories[mid].content,
                kind=memories[mid].kind,
                tags=memories[mid].tags,
                scope=memories[mid].scope,
                created_at=memories[mid].created_at,
                score=round(score, 6),
            )
            for mid, score in ranked
            if mid in memories
        ]
        return RecallResult(
            mode="keyword" if qvec is None else "hybrid", hits=hits, note=self.semantic.note
        )

    def forget(self, ids: Sequence[int], reason: str | None = None) -> ForgetResult:
        if not ids:
            raise InvalidInput("ids must name at least one memory to forget.")
        forgotten, already = self.store.set_forgotten(ids, reason)
        return ForgetResult(forgotten=forgotten, already_forgotten=already, reason=reason)

    def summarize(
        self,
        query: str | None = None,
        scope: str | None = None,
        kind: str | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        limit: int | None = None,
    ) -> Summary:
        limit = self._limit(limit or 10)
        flt = self.make_filter(scope=scope, kind=kind, since=since, until=until)
        relevance: dict[int, float] | None = None
        if query and query.strip():
            result = self.recall(query, MAX_RECALL_LIMIT, scope, kind, None, since, until)
            pool = self.store.get_many([h.id for h in result.hits], with_embedded=False)
            relevance = {h.id: h.score for h in result.hits}
            total = len(pool)
        else:
            pool = self.store.find(flt, limit=SUMMARY_POOL, with_embedded=False)
            total = self.store.count(flt)
        chosen = summarize.select(
            pool, self.store.vectors_for([m.id for m in pool]), limit, relevance
        )
        kinds: dict[str, int] = {}
        scopes: dict[str, int] = {}
        for memory in pool:
            kinds[memory.kind] = kinds.get(memory.kind, 0) + 1
            scopes[memory.scope] = scopes.get(memory.scope, 0) + 1
        dates = [m.created_at for m in pool]
        return summarize.build(
            chosen, total, kinds, scopes, min(dates, default=None), max(dates, default=None)
        )

    # -- the rest of the CLI surface ----------------------------------------------------------

    def get(self, memory_id: int) -> Memory:
        return self.store.get(memory_id)

    def list_memories(
        self, flt: MemoryFilter | None = None, limit: int | None = 50, offset: int = 0
    ) -> list[Memory]:
        return self.store.find(flt or MemoryFilter(), limit=limit, offset=offset)

    def update(
        self,
        memory_id: int,
        content: str | None = None,
        kind: str | None = None,
        tags: list[str] | None = None,
        scope: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Memory:
        """Edit fields in place; changed content is re-embedded (or queued for it)."""
        current = self.store.get(memory_id)
        merged = _validated(
            NewMemory,
            content=current.content if content is None else content,
            kind=current.kind if kind is None else kind,
            tags=current.tags if tags is None else tags,
            scope=current.scope if scope is None else scope,
            metadata=current.metadata if metadata is None else metadata,
        )
        self._check_size(merged.content)
        fields = {
            key: value
            for key, value in merged.model_dump().items()
            if value != getattr(current, key)
        }
        if not fields:
            return current
        text_changed = "content" in fields
        vectors = self.semantic.embed_documents([merged.content]) if text_changed else None
        self.store.update(
            memory_id,
            fields,
            vector=None if vectors is None else vectors[0],
            drop_vector=text_changed and vectors is None,
        )
        return self.store.get(memory_id)

    def restore(self, ids: Sequence[int]) -> list[Memory]:
        if not ids:
            raise InvalidInput("Name at least one memory id to restore.")
        self.store.restore(ids)
        return self.store.get_many(list(ids))

    def purge(self, ids: Sequence[int]) -> list[int]:
        """Permanent deletion, for the CLI only."""
        return self.store.purge(ids)

    def stats(self) -> Stats:
        counts = self.store.counts()
        info = self.store.vector_index_info()
        return Stats(
            db_path=str(self.store.path),
            db_bytes=self.store.file_bytes(),
            total=counts["memories"],
            active=counts["memories"] - counts["forgotten"],
            forgotten=counts["forgotten"],
            embedded=counts["vec"],
            by_scope=self.store.group_counts("scope"),
            by_kind=self.store.group_counts("kind"),
            model=self.settings.model,
            indexed_model=info[0] if info else None,
            indexed_dim=info[1] if info else None,
            mode="hybrid" if self.semantic.ready else "keyword",
            note=self.semantic.note,
        )

    def export_jsonl(self, out: TextIO, progress: Callable[[int], None] | None = None) -> int:
        """Every memory (forgotten ones too) as JSON lines: a lossless backup."""
        return transfer.export_jsonl(self.store, out, progress)

    def import_jsonl(
        self, path: Path, progress: Callable[[int], None] | None = None
    ) -> transfer.ImportReport:
        """Import a JSONL export: the whole file is validated before anything is written."""
        try:
            with path.open(encoding="utf-8") as fh:
                transfer.validate_jsonl(fh, self.settings.max_content_chars)
            with path.open(encoding="utf-8") as fh:
                return transfer.import_jsonl(
                    self.store, self.semantic.embed_documents, fh, progress
                )
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"Cannot read {path}: {exc}") from exc

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the full-text index and re-embed every memory with the configured model."""
        self.store.rebuild_fts()
        return self.semantic.reindex(progress)

    def doctor(self, repair: bool = False) -> DoctorReport:
        """Check integrity and index drift; with repair, rebuild what drifted."""
        report = self._diagnose()
        if not repair:
            return report
        repaired: list[str] = []
        if not report.fts_ok or report.fts_rows != report.memories:
            self.store.rebuild_fts()
            repaired.append("rebuilt the full-text index")
        if report.orphan_vectors:
            self.store.delete_orphan_vectors()
            repaired.append(f"removed {report.orphan_vectors} orphaned vectors")
        self.store.resync_vector_metadata()
        if report.missing_vectors and self.semantic.ensure():
            filled = self.semantic.fill_pending()
            repaired.append(f"embedded {filled} memories that had no vector")
        after = self._diagnose()
        after.repaired = repaired
        return after

    def _diagnose(self) -> DoctorReport:
        counts = self.store.counts()
        has_index = self.store.has_vector_index()
        return DoctorReport(
            integrity=self.store.integrity_check(),
            memories=counts["memories"],
            fts_rows=counts["fts"],
            vec_rows=counts["vec"],
            missing_vectors=(counts["memories"] - counts["vec"] + counts["orphan_vec"])
            if has_index
            else counts["memories"],
            orphan_vectors=counts["orphan_vec"],
            fts_ok=self.store.fts_integrity_ok(),
        )

    # -- helpers ------------------------------------------------------------------------------

    def make_filter(
        self,
        scope: str | None = None,
        kind: str | None = None,
        tags: list[str] | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        include_forgotten: bool = False,
    ) -> MemoryFilter:
        start, end = parse_time(since, "since"), parse_time(until, "until")
        if start and end and start >= end:
            raise InvalidInput(f"since ({since}) must be earlier than until ({until}).")
        return _validated(
            MemoryFilter,
            scope=scope,
            kind=kind,
            tags=tags or [],
            since=start,
            until=end,
            include_forgotten=include_forgotten,
        )

    def _limit(self, limit: int | None) -> int:
        limit = self.settings.recall_limit if limit is None else limit
        if not 1 <= limit <= MAX_RECALL_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_RECALL_LIMIT}, not {limit}.")
        return limit

    def _check_size(self, content: str) -> None:
        if len(content) > self.settings.max_content_chars:
            raise InvalidInput(
                f"content is {len(content)} characters; the limit is "
                f"{self.settings.max_content_chars}. Store a shorter, self-contained memory."
            )


def _validated(model: type[M], **fields: Any) -> M:
    """Build a pydantic model, turning validation errors into one readable InvalidInput."""
    try:
        return model(**fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}"
            for err in exc.errors()
        )
        raise InvalidInput(f"Invalid input: {problems}.") from None
