"""What every part of the service shares: the store, the semantic index, the settings, the
configured project, and the checks several parts apply the same way."""

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from memory_mcp.config import MAX_RECALL_LIMIT, MIN_BUDGET, Settings
from memory_mcp.errors import InvalidInput, validation_problems
from memory_mcp.models import Hit, Memory
from memory_mcp.names import strip_invisible
from memory_mcp.policies import inputs
from memory_mcp.policies.access import OWNER, Access
from memory_mcp.search.embed import Embedder
from memory_mcp.search.rerank import Reranker
from memory_mcp.search.semantic import SemanticIndex
from memory_mcp.service import projects
from memory_mcp.storage.contract import Storage

M = TypeVar("M", bound=BaseModel)
P = TypeVar("P", bound="Part")

ALL_SCOPES = "*"
SHORTER = "Store a shorter, self-contained memory."


@dataclass(frozen=True)
class Context:
    """Built once per service and handed to every part, so all of them see the same objects."""

    store: Storage
    semantic: SemanticIndex
    settings: Settings
    configured_project: str | None  # the project of the settings, as a scope
    reranker: Reranker | None = None  # recall's optional second stage (search/rerank.py)
    access: Access = OWNER  # who is calling, and what it may read and write (grants.py)

    @classmethod
    def build(
        cls,
        store: Storage,
        embedder: Embedder | None,
        settings: Settings,
        reranker: Reranker | None = None,
    ) -> "Context":
        semantic = SemanticIndex(store, embedder)
        project = projects.project_scope(settings.project) if settings.project else None
        return cls(store, semantic, settings, project, reranker)

    def project_scope(self, project: str | None = None) -> str | None:
        """The project in context: one given per call (e.g. from MCP roots), else configured:
        the server's, unless the caller may not read it (then it has none, as when none is
        configured: its name is not the caller's to know, and searching it finds nothing)."""
        if project:
            return project
        found = self.configured_project
        return found if found is None or self.access.can_read(found) else None

    @property
    def default_scope(self) -> str:
        """Where a memory goes when nothing else decides: a principal's personal scope."""
        return self.access.home or self.settings.default_scope

    def write_scope(self, project: str | None = None) -> str:
        """The scope of a write that names none: the project in context (for a principal,
        if it may write there), else the default."""
        found = self.project_scope(project)
        if found is not None and self.access.can_write(found):
            return found
        return self.default_scope

    def reply_tokens(self, max_tokens: int | None) -> int:
        """The tokens a reply may take: what the call asks for, within the configured cap."""
        if max_tokens is not None and max_tokens < MIN_BUDGET:
            raise InvalidInput(f"max_tokens must be at least {MIN_BUDGET}.")
        cap = self.settings.max_reply_tokens
        return cap if max_tokens is None else min(max_tokens, cap)

    def limit(self, limit: int | None) -> int:
        limit = self.settings.recall_limit if limit is None else limit
        if not 1 <= limit <= MAX_RECALL_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_RECALL_LIMIT}, not {limit}.")
        return limit


class Part:
    """One part of the service; the shared store, index and settings read as its own."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def bind(self: "P", ctx: Context) -> "P":
        """This part working for another caller (its state shared, its context `ctx`)."""
        part = copy.copy(self)
        part.ctx = ctx
        return part

    @property
    def store(self) -> Storage:
        return self.ctx.store

    @property
    def semantic(self) -> SemanticIndex:
        return self.ctx.semantic

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    def check_sizes(
        self, content: str | None, context: str | None, metadata: dict[str, Any] | None
    ) -> None:
        """The sizes of what the caller sent: early, before redaction's regexes run over a
        huge string (its markers may make the stored text longer, never too long)."""
        inputs.check_length("content", content, self.settings.max_content_chars, SHORTER)
        inputs.check_length("context", context, self.settings.max_content_chars, SHORTER)
        inputs.check_metadata(metadata, self.settings.max_metadata_chars)


def check_content_left(stored: str, sent: str) -> None:
    """Refuse content that is empty once redacted, saying whether redaction emptied it."""
    if not strip_invisible(stored):
        raise InvalidInput(
            "Nothing left to store: the content was entirely private or secret."
            if stored != sent
            else "content must not be empty, whitespace or invisible characters."
        )


def validated(model: type[M], **fields: Any) -> M:
    """Build a pydantic model, turning validation errors into one readable InvalidInput."""
    try:
        return model(**fields)
    except ValidationError as exc:
        raise InvalidInput(f"{validation_problems(exc.errors(), inputs.shown)}.") from None


N = TypeVar("N", Memory, Hit)


def named_then(store: Storage, items: list[N], at: datetime | None) -> list[N]:
    """Memories or hits (with `id`, `scope`, `key`) as `as_of` answers them: with the scope
    and key each had at `at` (Storage.names_at), not those a later move or re-key gave."""
    if at is None or not items:
        return items
    then = store.names_at([item.id for item in items], at)
    return [
        item.model_copy(update=dict(zip(("scope", "key"), then[item.id], strict=True)))
        if item.id in then
        else item
        for item in items
    ]
