"""MemoryService: the one object the MCP server and the CLI call. Reads like the feature list."""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

import numpy as np
from pydantic import BaseModel, ValidationError

from memory_mcp import formats
from memory_mcp.config import MAX_RECALL_LIMIT, Settings
from memory_mcp.errors import InvalidInput, NotFound
from memory_mcp.formats import markdown, markdown_import
from memory_mcp.formats.ingest import ingest
from memory_mcp.models import (
    MAX_KEY_CHARS,
    BackupReport,
    DoctorReport,
    ForgetResult,
    HistoryEntry,
    Hit,
    Memory,
    MemoryFilter,
    NewMemory,
    RecallResult,
    ReindexStatus,
    RememberResult,
    Stats,
    Summary,
)
from memory_mcp.policies import budget, inputs, scopes, summarize
from memory_mcp.policies import dedup as dedup_module
from memory_mcp.policies.fusion import FTS_WEIGHTS, fuse
from memory_mcp.policies.redact import redact
from memory_mcp.policies.times import parse_duration, parse_time
from memory_mcp.search import evaluation
from memory_mcp.search.embed import Embedder, FastEmbedEmbedder
from memory_mcp.search.semantic import Progress, SemanticIndex
from memory_mcp.service import transfer
from memory_mcp.storage import open_storage
from memory_mcp.storage.contract import NewRow, Storage
from memory_mcp.timestamps import format_time

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

ALL_SCOPES = "*"
SHORTER = "Store a shorter, self-contained memory."
NEAR_DUPLICATE_CANDIDATES = 5
MIN_BUDGET = budget.HIT_OVERHEAD_TOKENS + budget.MIN_SNIPPET_TOKENS
CANDIDATES_PER_HIT = 4
NEW_MEMORY_FIELDS = {"content", "kind", "tags", "scope", "metadata", "context"}
BULK_FIELDS = NEW_MEMORY_FIELDS | {
    "occurred_at",
    "reference_time",
}  # each leg of hybrid recall proposes 4 x limit candidates
SUMMARY_POOL = 500  # newest memories a query-less summary considers
MARKDOWN_CLIENT = "import:markdown"  # how the history names edits made in Markdown files


class MemoryService:
    def __init__(self, store: Storage, embedder: Embedder | None, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.semantic = SemanticIndex(store, embedder)
        self._configured_project = (
            scopes.project_scope(settings.project) if settings.project else None
        )

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> "MemoryService":
        """Open (creating and migrating) the database; the model is not loaded yet."""
        store = open_storage(settings)
        if embedder is None and settings.semantic:
            embedder = FastEmbedEmbedder(settings.model, settings.model_dir, settings.cache_dir)
        return cls(store, embedder, settings)

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

        `context` (e.g. the conversation around it) is searched with the memory but not shown.
        """
        inputs.check_text(
            content=content, kind=kind, tags=tags, scope=scope, key=key, ttl=ttl,
            occurred_at=occurred_at, expires_at=expires_at, reference_time=reference_time,
            context=context,
        )  # fmt: skip
        # Early, before redaction's regexes run over a huge string.
        inputs.check_length("content", content, self.settings.max_content_chars, SHORTER)
        inputs.check_length("context", context, self.settings.max_content_chars, SHORTER)
        inputs.check_metadata(metadata, self.settings.max_metadata_chars)
        if replaces is not None:
            inputs.check_id_values([replaces])
        if scope is not None and scope.strip() == ALL_SCOPES:
            raise InvalidInput("scope `*` means every scope in recall; store into one scope.")
        cleaned = redact(content)
        clean_context = redact(context).text if context else None
        if not cleaned.text.strip():
            raise InvalidInput(
                "Nothing left to store: the content was entirely private or secret."
                if cleaned.changed
                else "content must not be empty or whitespace."
            )
        new = _validated(
            NewMemory,
            content=cleaned.text,
            kind=kind or "note",
            tags=tags or [],
            scope=scope or self.project_scope(project) or self.settings.default_scope,
            metadata=metadata or {},
            context=clean_context,
        )
        self._check_size(new)
        assert new.scope is not None
        key = _clean_key(key)
        reference = parse_time(reference_time, "reference_time")
        times = _Times(
            occurred=parse_time(occurred_at, "occurred_at", reference=reference),
            expires=self._expiry(ttl, expires_at, reference),
        )
        outcome = self._repeat_of(new, key, replaces, client, cleaned.redacted)
        if outcome is not None:
            return outcome
        vectors = self.semantic.embed_documents([new.content])
        vector = None if vectors is None else vectors[0]
        if key is None and replaces is None and vector is not None:
            merged = self._merge_near_duplicate(new, vector, client, cleaned.redacted)
            if merged is not None:
                return merged
        supersedes = self._superseded_by_new(new.scope, key, replaces)
        memory_id = self.store.insert(
            NewRow(
                content=new.content,
                kind=new.kind,
                tags=new.tags,
                scope=new.scope,
                metadata=new.metadata,
                vector=vector,
                key=key,
                occurred_at=times.occurred_at,
                expires_at=times.expires_at,
                client=client,
                context=new.context,
            ),
            client=client,
            supersedes=supersedes,
        )
        if vector is None and self.semantic.ready:
            self.semantic.fill_pending()  # the model finished loading while we stored
        return RememberResult(
            **self.store.get(memory_id).model_dump(),
            status="superseded" if supersedes else "created",
            supersedes=supersedes,
            redacted=list(cleaned.redacted),
        )

    def _repeat_of(
        self,
        new: NewMemory,
        key: str | None,
        replaces: int | None,
        client: str | None,
        redacted: Sequence[str],
    ) -> RememberResult | None:
        """An exact repeat of a visible memory is counted, not stored again."""
        assert new.scope is not None
        existing = self.store.find_exact(new.scope, new.content)
        if existing is None or replaces is not None or (key is not None and existing.key != key):
            return None
        self.store.record_repeat(existing.id, client, "duplicate", new.tags)
        return RememberResult(
            **self.store.get(existing.id).model_dump(),
            status="duplicate",
            duplicate_of=existing.id,
            redacted=list(redacted),
        )

    def _merge_near_duplicate(
        self, new: NewMemory, vector: np.ndarray, client: str | None, redacted: Sequence[str]
    ) -> RememberResult | None:
        """Fold a rewording into the memory it repeats, only when no fact differs."""
        flt = MemoryFilter(scopes=[new.scope or self.settings.default_scope])
        threshold = self.settings.near_duplicate
        nearest = self.semantic.search(vector, flt, NEAR_DUPLICATE_CANDIDATES, near_only=True)
        for memory_id, cosine in nearest:
            if cosine < threshold:
                break
            existing = self.store.get(memory_id)
            if dedup_module.is_near_duplicate(existing.content, new.content, cosine, threshold):
                self.store.record_repeat(
                    memory_id, client, "merge", new.tags, text=new.content, cosine=cosine
                )
                return RememberResult(
                    **self.store.get(memory_id).model_dump(),
                    status="merged",
                    merged_into=memory_id,
                    redacted=list(redacted),
                )
        return None

    def _superseded_by_new(self, scope: str, key: str | None, replaces: int | None) -> list[int]:
        ids = [m.id for m in self.store.current_for_key(scope, key)] if key else []
        if replaces is not None:
            old = self.store.get(replaces)  # NotFound names the id
            if old.superseded_by is not None:
                raise InvalidInput(
                    f"Memory {replaces} was already replaced by {old.superseded_by}; "
                    f"replace that one instead."
                )
            ids.append(replaces)
        return list(dict.fromkeys(ids))

    def _expiry(
        self, ttl: str | None, expires_at: str | datetime | None, reference: datetime | None
    ) -> datetime | None:
        if ttl is not None and expires_at is not None:
            raise InvalidInput("Give ttl or expires_at, not both.")
        if ttl:
            try:
                moment: datetime | None = (reference or datetime.now(UTC)) + parse_duration(ttl)
            except OverflowError:
                raise InvalidInput(f"ttl: {ttl!r} ends after the year 9999.") from None
        else:
            moment = parse_time(expires_at, "expires_at", reference=reference)
        if moment is not None and moment <= datetime.now(UTC):
            raise InvalidInput(f"expires_at ({moment:%Y-%m-%d %H:%M}Z) is in the past.")
        return moment

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
        rows = [self._bulk_row(item, client) for item in items]
        ids: list[int] = []
        seen: dict[tuple[str, str], int] = {}
        for start in range(0, len(rows), batch_size):
            ids.extend(self._insert_batch(rows[start : start + batch_size], dedup, seen, client))
        return ids

    def _bulk_row(self, item: dict[str, Any], client: str | None) -> NewRow:
        unknown = set(item) - BULK_FIELDS
        if unknown:
            raise InvalidInput(
                f"remember_many items take {sorted(BULK_FIELDS)}, not {sorted(unknown)}."
            )
        cleaned = redact(str(item.get("content", "")))
        context = redact(item["context"]).text if item.get("context") else None
        new = _validated(NewMemory, **{k: v for k, v in item.items() if k in NEW_MEMORY_FIELDS}
                         | {"content": cleaned.text, "context": context})  # fmt: skip
        self._check_size(new)
        reference = parse_time(item.get("reference_time"), "reference_time")
        occurred = parse_time(item.get("occurred_at"), "occurred_at", reference=reference)
        return NewRow(
            content=new.content,
            kind=new.kind,
            tags=new.tags,
            scope=new.scope or self.project_scope() or self.settings.default_scope,
            metadata=new.metadata,
            occurred_at=None if occurred is None else format_time(occurred),
            client=client,
            context=new.context,
        )

    def _insert_batch(
        self, batch: list[NewRow], dedup: bool, seen: dict[tuple[str, str], int], client: str | None
    ) -> list[int]:
        """Insert one batch; with dedup, repeats map to the id that holds (or will hold) them."""
        keys = [(row.scope, dedup_module.content_hash(row.content)) for row in batch]
        first_of: dict[tuple[str, str], int] = {}  # key -> index of its first row in this batch
        fresh: list[int] = []
        for i, (row, key) in enumerate(zip(batch, keys, strict=True)):
            if dedup and key not in seen and key not in first_of:
                existing = self.store.find_exact(row.scope, row.content)
                if existing is not None:
                    seen[key] = existing.id
            if not dedup or (key not in seen and key not in first_of):
                first_of.setdefault(key, i)
                fresh.append(i)
        todo = [batch[i] for i in fresh]
        vectors = self.semantic.embed_documents([r.content for r in todo]) if todo else None
        if vectors is not None:
            todo = [replace(r, vector=v) for r, v in zip(todo, vectors, strict=True)]
        inserted = dict(zip(fresh, self.store.insert_many(todo, client=client), strict=True))
        for i in fresh:
            seen.setdefault(keys[i], inserted[i])
        ids: list[int] = []
        for i, key in enumerate(keys):
            if i in inserted:
                ids.append(inserted[i])
            else:
                ids.append(seen[key])
                self.store.record_repeat(seen[key], client, "duplicate", batch[i].tags)
        return ids

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
    ) -> RecallResult:
        """Hybrid search (or fetch by ids), filtered, fused, and fitted to a token budget."""
        inputs.check_query(query=query)
        inputs.check_text(scope=scope, tags=tags, project=project)
        inputs.check_length("query", query, self.settings.max_query_chars)
        if ids:
            ids = inputs.check_ids(ids, self.settings.max_ids)
            return self._recall_ids(ids)
        if not query or not query.strip():
            raise InvalidInput("query must not be empty: say what to look for (or pass ids).")
        limit = self._limit(limit)
        project_scope = self.project_scope(project)
        flt = self.make_filter(
            scopes=self._recall_scopes(scope, project_scope),
            kind=kind, tags=tags, since=since, until=until, time_field=time_field,
            include_superseded=include_superseded, as_of=as_of, reference_time=reference_time,
        )  # fmt: skip
        pool = limit * CANDIDATES_PER_HIT
        keyword = self.store.search_keywords(query, flt, pool, FTS_WEIGHTS)
        qvec = self.semantic.embed_query(query)
        semantic = [] if qvec is None else self.semantic.search(qvec, flt, pool)
        ranked = fuse(keyword, semantic)
        weighted_scope = project_scope if scope is None else None
        if max_tokens is None and weighted_scope is None:
            ranked = ranked[:limit]  # nothing below can reorder: fetch only what is shown
        hits = self._hits(ranked, weighted_scope)
        if max_tokens is not None:
            if max_tokens < MIN_BUDGET:
                raise InvalidInput(f"max_tokens must be at least {MIN_BUDGET}.")
            hits = budget.fit(hits, self.store.vectors_for([h.id for h in hits]), max_tokens, limit)
        return RecallResult(
            mode="keyword" if qvec is None else "hybrid", hits=hits[:limit], note=self.semantic.note
        )

    def _recall_ids(self, ids: Sequence[int]) -> RecallResult:
        memories = self.store.get_many(list(ids), with_embedded=False)
        missing = sorted(set(ids) - {m.id for m in memories})
        if missing:
            raise NotFound(f"No memory with id {', '.join(map(str, missing))}.")
        hits = [_hit(m, 1.0) for m in memories]
        return RecallResult(mode="keyword" if not self.semantic.ready else "hybrid", hits=hits)

    def _recall_scopes(self, scope: str | None, project_scope: str | None) -> list[str]:
        """An explicit scope (`*` = all); else the project and global together; else all."""
        if scope is not None:
            return [] if scope.strip() == ALL_SCOPES else [scope]
        if project_scope is not None:
            return [project_scope, self.settings.default_scope]
        return []

    def _hits(self, ranked: list[tuple[int, float]], project_scope: str | None) -> list[Hit]:
        """Memories for ranked ids; with a project in context its hits come first (each group
        keeps its relevance order), as the project's own facts override global ones."""
        found = self.store.get_many([mid for mid, _ in ranked], with_embedded=False)
        memories = {m.id: m for m in found}
        hits = [_hit(memories[mid], score) for mid, score in ranked if mid in memories]
        if project_scope is not None:
            hits.sort(key=lambda h: h.scope != project_scope)  # stable: keeps score order
        return hits

    def forget(
        self, ids: Sequence[int], reason: str | None = None, client: str | None = None
    ) -> ForgetResult:
        if not ids:
            raise InvalidInput("ids must name at least one memory to forget.")
        ids = inputs.check_ids(ids, self.settings.max_ids)
        inputs.check_text(reason=reason)
        inputs.check_length("reason", reason, inputs.MAX_REASON_CHARS)
        forgotten, already = self.store.set_forgotten(ids, reason, client)
        return ForgetResult(
            forgotten=forgotten,
            already_forgotten=already,
            reason=reason,
            at=datetime.now(UTC),
            undo=f"memory-mcp restore {' '.join(map(str, forgotten or already))}",
        )

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
        inputs.check_query(query=query)
        inputs.check_text(scope=scope, project=project)
        inputs.check_length("query", query, self.settings.max_query_chars)
        limit = self._limit(limit or 10)
        if max_tokens is not None and max_tokens < MIN_BUDGET:
            raise InvalidInput(f"max_tokens must be at least {MIN_BUDGET}.")
        project_scope = self.project_scope(project)
        scopes_ = self._recall_scopes(scope, project_scope)
        flt = self.make_filter(scopes=scopes_, kind=kind, since=since, until=until)
        relevance: dict[int, float] | None = None
        if query and query.strip():
            result = self.recall(query, MAX_RECALL_LIMIT, scope, kind, None, since, until,
                                 project=project)  # fmt: skip
            pool = self.store.get_many([h.id for h in result.hits], with_embedded=False)
            relevance = {h.id: h.score for h in result.hits}
        else:
            pool = self.store.find(flt, limit=SUMMARY_POOL, with_embedded=False)
        if kind != "summary":  # summaries never summarize earlier summaries
            pool = [m for m in pool if m.kind != "summary"]
        total = len(pool) if relevance is not None else self._count_without_summaries(flt, kind)
        groups = summarize.clusters(pool, self.store.vectors_for([m.id for m in pool]), relevance)
        summary = summarize.build(groups, pool, total, limit, max_tokens)
        if save and summary.clusters:
            summary.saved_id = self._save_summary(summary, query, scopes_, project_scope, client)
        return summary

    def _count_without_summaries(self, flt: MemoryFilter, kind: str | None) -> int:
        total = self.store.count(flt)
        if kind is None:
            total -= self.store.count(flt.model_copy(update={"kind": "summary"}))
        return total

    def _save_summary(
        self,
        summary: Summary,
        query: str | None,
        scopes_: list[str],
        project_scope: str | None,
        client: str | None,
    ) -> int:
        """Store the summary as a `summary` memory linked to its sources (left untouched)."""
        sources = sorted({i for c in summary.clusters for i in c.ids})
        scope = scopes_[0] if len(scopes_) == 1 else project_scope or self.settings.default_scope
        vectors = self.semantic.embed_documents([summary.text])
        return self.store.insert(
            NewRow(
                content=summary.text,
                kind="summary",
                tags=["summary"],
                scope=scope,
                metadata={"sources": sources, "query": query, "scopes": scopes_},
                vector=None if vectors is None else vectors[0],
                client=client,
            ),
            client=client,
        )

    # -- the rest of the CLI surface ----------------------------------------------------------

    def get(self, memory_id: int) -> Memory:
        inputs.check_id_values([memory_id])
        return self.store.get(memory_id)

    def list_memories(
        self, flt: MemoryFilter | None = None, limit: int | None = 50, offset: int = 0
    ) -> list[Memory]:
        return self.store.find(flt or MemoryFilter(), limit=limit, offset=offset)

    def count(self, flt: MemoryFilter | None = None) -> int:
        """How many memories match a filter (by default: the visible ones)."""
        return self.store.count(flt or MemoryFilter())

    def purge_candidates(self, ids: Sequence[int], expired: bool = False) -> list[int]:
        """The ids a purge would delete: those given, plus every expired one if asked."""
        inputs.check_id_values(ids)
        return list(ids) + (self.store.expired_ids() if expired else [])

    def get_many(self, ids: Sequence[int]) -> list[Memory]:
        """The memories among `ids` that exist, in that order (for previews)."""
        inputs.check_id_values(ids)
        return self.store.get_many(list(ids), with_embedded=False)

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
    ) -> Memory:
        """Edit fields in place; changed content is re-embedded (or queued for it).

        An empty `context` clears it; None leaves it as it is.
        """
        inputs.check_text(content=content, kind=kind, tags=tags, scope=scope, context=context)
        inputs.check_length("context", context, self.settings.max_content_chars, SHORTER)
        inputs.check_length("content", content, self.settings.max_content_chars, SHORTER)
        inputs.check_metadata(metadata, self.settings.max_metadata_chars)
        inputs.check_id_values([memory_id])
        current = self.store.get(memory_id)
        merged = _validated(
            NewMemory,
            content=current.content if content is None else content,
            kind=current.kind if kind is None else kind,
            tags=current.tags if tags is None else tags,
            scope=current.scope if scope is None else scope,
            metadata=current.metadata if metadata is None else metadata,
            context=current.context if context is None else context,
        )
        self._check_size(merged)
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
            client=client,
        )
        return self.store.get(memory_id)

    def restore(self, ids: Sequence[int], client: str | None = None) -> list[Memory]:
        if not ids:
            raise InvalidInput("Name at least one memory id to restore.")
        ids = inputs.check_ids(ids, self.settings.max_ids)
        self.store.restore(ids, client)
        return self.store.get_many(list(ids))

    def purge(self, ids: Sequence[int], client: str | None = None) -> list[int]:
        """Permanent deletion, for the CLI only (history keeps a record of what it was)."""
        inputs.check_id_values(ids)
        return self.store.purge(ids, client)

    def purge_expired(self, client: str | None = None) -> list[int]:
        """Permanently delete memories whose expiry has passed."""
        return self.store.purge(self.store.expired_ids(), client, action="expire")

    def move(self, ids: Sequence[int], scope: str, client: str | None = None) -> list[Memory]:
        """Move memories to another scope (recorded in their history)."""
        return [self.update(memory_id, scope=scope, client=client) for memory_id in ids]

    def history(self, memory_id: int | None = None, limit: int = 50) -> list[HistoryEntry]:
        """One memory's audit trail (it need not exist any more), or the whole log."""
        if memory_id is not None:
            inputs.check_id_values([memory_id])
        return self.store.history(memory_id, limit)

    def scopes(self) -> dict[str, int]:
        """Every scope with its count of visible memories."""
        return self.store.group_counts("scope")

    def stats(self) -> Stats:
        counts = self.store.counts()
        info = self.store.vector_index_info()
        return Stats(
            db_path=self.store.location,
            db_bytes=self.store.size_bytes(),
            total=counts["memories"],
            active=self.store.count(MemoryFilter()),
            forgotten=counts["forgotten"],
            superseded=counts["superseded"],
            embedded=counts["vec"],
            by_scope=self.store.group_counts("scope"),
            by_kind=self.store.group_counts("kind"),
            model=self.settings.model,
            indexed_model=info[0] if info else None,
            indexed_dim=info[1] if info else None,
            mode="hybrid" if self.semantic.ready else "keyword",
            note=self.semantic.note,
        )

    def export_count(self, scope: str | None = None) -> int:
        """How many memories an export writes (forgotten, superseded and expired included)."""
        if scope is None:
            return self.store.counts()["memories"]
        return self.store.count(
            MemoryFilter(
                scopes=[scope],
                include_forgotten=True,
                include_superseded=True,
                include_expired=True,
            )  # fmt: skip
        )

    def export_jsonl(
        self, out: TextIO, progress: Progress | None = None, scope: str | None = None
    ) -> int:
        """Every memory (forgotten ones too), or one scope's, as JSON lines: a lossless backup."""
        total = self.export_count(scope) if progress is not None else 0
        each = None if progress is None else (lambda done: progress(done, max(total, done)))
        return transfer.export_jsonl(self.store, out, each, scope)

    def import_jsonl(self, path: Path, progress: Progress | None = None) -> transfer.ImportReport:
        """Import a JSONL export: the whole file is validated before anything is written."""
        try:
            with path.open(encoding="utf-8") as fh:
                total = transfer.validate_jsonl(fh, self.settings.max_content_chars)
            each = None if progress is None else (lambda done: progress(done, total))
            with path.open(encoding="utf-8") as fh:
                return transfer.import_jsonl(self.store, self.semantic.embed_documents, fh, each)
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"Cannot read {path}: {exc}") from exc

    def evaluate(self, path: Path) -> evaluation.EvalReport:
        """Run labelled queries (JSONL: query, expected_ids) through recall and score them."""
        try:
            with path.open(encoding="utf-8") as fh:
                queries = evaluation.parse_queries(fh)
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"Cannot read {path}: {exc}") from exc
        results = []
        mode = "hybrid"
        for query in queries:
            started = time.perf_counter()
            found = self.recall(**evaluation.recall_arguments(query))
            elapsed = (time.perf_counter() - started) * 1000
            results.append(evaluation.result(query, [h.id for h in found.hits], elapsed))
            mode = found.mode if found.mode == "keyword" else mode
        return evaluation.report(results, mode)

    def export_markdown(
        self, directory: Path, progress: Progress | None = None, scope: str | None = None
    ) -> tuple[list[Path], int]:
        """One readable Markdown file per scope (forgotten and superseded memories marked);
        returns the files written and how many memories they hold."""
        memories = (m for m in self.store.iter_all() if scope is None or m.scope == scope)
        return markdown.export(memories, directory, progress, self.export_count(scope))

    def import_markdown(
        self, path: Path, progress: Progress | None = None
    ) -> markdown_import.MarkdownImportReport:
        """Apply edited Markdown files back by id: edits update (re-embedded, in history),
        `#new` entries are remembered, missing entries are only reported. All files are
        checked before anything is written; unedited files change nothing."""
        documents = markdown_import.read(path, self.settings.max_content_chars)
        entries = [e for d in documents for e in d.entries]
        listed = {e.id for e in entries if e.id is not None}
        current = {m.id: m for m in self.store.get_many(sorted(listed))}
        report = markdown_import.MarkdownImportReport(files=len(documents), entries=len(entries))
        for done, entry in enumerate(entries, start=1):
            self._apply_entry(entry, current, report)
            if progress is not None:
                progress(done, len(entries))
        every = MemoryFilter(
            scopes=sorted({d.scope for d in documents}), include_forgotten=True,
            include_superseded=True, include_expired=True,
        )  # fmt: skip
        accounted = listed | set(report.created) | set(report.already_present)
        report.removed = sorted(m.id for m in self.store.find(every) if m.id not in accounted)
        return report

    def _apply_entry(
        self,
        entry: markdown_import.Entry,
        current: dict[int, Memory],
        report: markdown_import.MarkdownImportReport,
    ) -> None:
        if entry.id is None:
            existing = self.store.find_exact(entry.scope, entry.content)
            if existing is not None:
                report.already_present.append(existing.id)
                return
            made = self.remember(
                entry.content, entry.kind, entry.tags, entry.scope,
                key=entry.key, occurred_at=entry.occurred, client=MARKDOWN_CLIENT,
            )  # fmt: skip
            new = made.status in ("created", "superseded")
            (report.created if new else report.already_present).append(made.id)
        elif entry.id not in current:
            report.unknown.append(entry.id)
        elif fields := markdown_import.changes(entry, current[entry.id]):
            self.update(entry.id, **fields, client=MARKDOWN_CLIENT)
            report.updated.append(entry.id)
        else:
            report.unchanged += 1

    def import_from(
        self,
        fmt: str,
        path: Path,
        scope: str | None = None,
        progress: Progress | None = None,
    ) -> formats.ImportSummary:
        """Import another memory system's file into one scope; re-running adds nothing.

        Formats: kg-jsonl (the official MCP knowledge-graph server), mem0 (a get_all() export),
        mcp-memory-service (its SQLite database, opened read-only). See memory_mcp/formats.
        """
        reader = formats.READERS.get(fmt)
        if reader is None:
            raise InvalidInput(
                f"Unknown format {fmt!r}; import reads {', '.join(formats.IMPORT_FORMATS)}."
            )
        items = reader(path)  # the whole source is read before anything is written
        target = _validated(
            NewMemory, content="-", scope=scope or self.project_scope() or
            self.settings.default_scope,
        ).scope  # fmt: skip
        assert target is not None
        summary = formats.ImportSummary(format=fmt, source=str(path), scope=target)
        return ingest(
            self.store, self.semantic.embed_documents, items, summary,
            self.settings.max_content_chars, progress,
        )  # fmt: skip

    def reindex_status(self) -> ReindexStatus:
        """How far the vector index is, and whether an earlier reindex was interrupted."""
        counts = self.store.counts()
        return ReindexStatus(
            memories=counts["memories"],
            embedded=counts["vec"],
            interrupted=self.store.reindex_pending() is not None,
        )

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the full-text index and re-embed every memory with the configured model."""
        self.store.rebuild_keyword_index()
        return self.semantic.reindex(progress)

    def backup(
        self,
        dest: Path,
        overwrite: bool = False,
        progress: Progress | None = None,
    ) -> BackupReport:
        """A consistent copy of the database (online backup API: others may keep writing)."""
        dest = Path(dest).expanduser()
        if dest.resolve() == Path(self.store.location).expanduser().resolve():
            raise InvalidInput(f"{dest} is the database itself; back up to another file.")
        if dest.exists() and not overwrite:
            raise InvalidInput(f"{dest} already exists; pass --force to replace it.")
        if dest.is_dir():
            raise InvalidInput(f"{dest} is a folder; name the backup file.")
        try:
            memories, integrity = self.store.backup(dest, progress)
        except OSError as exc:
            raise InvalidInput(f"Cannot write the backup {dest}: {exc.strerror}.") from exc
        return BackupReport(
            path=str(dest), bytes=dest.stat().st_size, memories=memories, integrity=integrity
        )

    def doctor(self, repair: bool = False) -> DoctorReport:
        """Check integrity and index drift; with repair, rebuild what drifted."""
        report = self._diagnose()
        if not repair:
            return report
        repaired: list[str] = []
        if not report.fts_ok or report.fts_rows != report.memories:
            self.store.rebuild_keyword_index()
            repaired.append("rebuilt the full-text index")
        if report.orphan_vectors:
            self.store.delete_orphan_vectors()
            repaired.append(f"removed {report.orphan_vectors} orphaned vectors")
        if report.vector_metadata_drift:
            self.store.resync_vector_metadata()
            repaired.append(f"re-synced the metadata of {report.vector_metadata_drift} vectors")
        if report.reindex_interrupted and self.semantic.ensure():
            filled = self.semantic.reindex()
            repaired.append(f"finished the interrupted reindex ({filled} memories embedded)")
        elif report.missing_vectors and self.semantic.ensure():
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
            fts_ok=self.store.keyword_index_ok(),
            vector_metadata_drift=self.store.vector_metadata_drift(),
            reindex_interrupted=self.store.reindex_pending() is not None,
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
        *,
        scopes: list[str] | None = None,
        time_field: str = "occurred",
        include_superseded: bool = False,
        include_expired: bool = False,
        as_of: str | datetime | None = None,
        reference_time: str | datetime | None = None,
    ) -> MemoryFilter:
        """Validate filter arguments; dates may be relative to `reference_time` (or now)."""
        inputs.check_text(scope=scope, scopes=scopes, kind=kind, tags=tags)
        reference = parse_time(reference_time, "reference_time")
        start = parse_time(since, "since", reference=reference)
        end = parse_time(until, "until", reference=reference)
        if start and end and start >= end:
            raise InvalidInput(f"since ({since}) must be earlier than until ({until}).")
        if scopes is None:
            scopes = [] if scope is None or scope.strip() == ALL_SCOPES else [scope]
        return _validated(
            MemoryFilter,
            scopes=scopes,
            kind=kind,
            tags=tags or [],
            since=start,
            until=end,
            time_field=time_field,
            include_forgotten=include_forgotten,
            include_superseded=include_superseded,
            include_expired=include_expired,
            as_of=parse_time(as_of, "as_of", reference=reference),
        )

    def project_scope(self, project: str | None = None) -> str | None:
        """The project in context: one given per call (e.g. from MCP roots), else configured."""
        return project or self._configured_project

    def _limit(self, limit: int | None) -> int:
        limit = self.settings.recall_limit if limit is None else limit
        if not 1 <= limit <= MAX_RECALL_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_RECALL_LIMIT}, not {limit}.")
        return limit

    def _check_size(self, new: NewMemory) -> None:
        for name, text in (("content", new.content), ("context", new.context or "")):
            if len(text) > self.settings.max_content_chars:
                raise InvalidInput(
                    f"{name} is {len(text)} characters; the limit is "
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


@dataclass(frozen=True)
class _Times:
    occurred: datetime | None
    expires: datetime | None

    @property
    def occurred_at(self) -> str | None:
        return None if self.occurred is None else format_time(self.occurred)

    @property
    def expires_at(self) -> str | None:
        return None if self.expires is None else format_time(self.expires)


def _clean_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_CHARS:
        raise InvalidInput(f"key must be 1 to {MAX_KEY_CHARS} characters, e.g. user.editor.")
    return key


def _hit(memory: Memory, score: float) -> Hit:
    return Hit(
        id=memory.id,
        content=memory.content,
        kind=memory.kind,
        tags=memory.tags,
        scope=memory.scope,
        created_at=memory.created_at,
        occurred_at=memory.occurred_at,
        key=memory.key,
        client=memory.client,
        superseded_by=memory.superseded_by,
        score=round(score, 6),
    )
