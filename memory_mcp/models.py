"""Pydantic models crossing the service boundary; validation only, no I/O."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

Kind = Literal["fact", "preference", "decision", "event", "note"]
KINDS: tuple[str, ...] = ("fact", "preference", "decision", "event", "note")
DEFAULT_KIND: Kind = "note"
MAX_TAGS = 32
MAX_TAG_CHARS = 64
MAX_SCOPE_CHARS = 200


def clean_tags(tags: list[str] | None) -> list[str]:
    """Strip, lowercase and de-duplicate tags, keeping their first-seen order."""
    seen: dict[str, None] = {}
    for tag in tags or []:
        tag = tag.strip().lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise ValueError(f"tag {tag[:20]!r}... is longer than {MAX_TAG_CHARS} characters")
        seen[tag] = None
    if len(seen) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags per memory")
    return list(seen)


def clean_scope(scope: str) -> str:
    scope = scope.strip()
    if not scope:
        raise ValueError("scope must not be empty")
    if len(scope) > MAX_SCOPE_CHARS:
        raise ValueError(f"scope is longer than {MAX_SCOPE_CHARS} characters")
    return scope


class NewMemory(BaseModel):
    """What a caller asks to store."""

    content: str = Field(min_length=1)
    kind: Kind = DEFAULT_KIND
    tags: list[str] = Field(default_factory=list)
    scope: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("content")
    @classmethod
    def _content_not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("content must not be empty or whitespace")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return clean_tags(value)

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str | None) -> str | None:
        return None if value is None else clean_scope(value)


class Memory(BaseModel):
    """One stored memory, as the store returns it."""

    id: int
    content: str
    kind: str
    tags: list[str]
    scope: str
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    forgotten_at: datetime | None = None
    forget_reason: str | None = None
    embedded: bool = Field(False, description="Whether the memory has a vector yet.")


class MemoryFilter(BaseModel):
    """Filters shared by recall, summarize and list; None means no constraint."""

    scope: str | None = None
    kind: Kind | None = None
    tags: list[str] = Field(default_factory=list, description="Memories carrying all of these.")
    since: datetime | None = None
    until: datetime | None = None
    include_forgotten: bool = False

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return clean_tags(value)

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str | None) -> str | None:
        return None if value is None else clean_scope(value)


class Hit(BaseModel):
    """A recalled memory with its fused relevance score (higher is better)."""

    id: int
    content: str
    kind: str
    tags: list[str]
    scope: str
    created_at: datetime
    score: float


class RecallResult(BaseModel):
    mode: Literal["hybrid", "keyword"] = Field(
        description="hybrid = keyword + semantic; keyword = semantic search unavailable."
    )
    hits: list[Hit]
    note: str | None = Field(None, description="Why semantic search was off, if it was.")


class ForgetResult(BaseModel):
    forgotten: list[int] = Field(description="Ids hidden from recall by this call.")
    already_forgotten: list[int] = Field(default_factory=list)
    reason: str | None = None
    hint: str = "Forgetting is reversible: `memory-mcp restore ID` brings a memory back."


class SummaryItem(BaseModel):
    id: int
    content: str
    created_at: datetime
    tags: list[str]


class SummaryGroup(BaseModel):
    kind: str
    count: int = Field(description="Matching memories of this kind, shown or not.")
    items: list[SummaryItem]


class Summary(BaseModel):
    """An extractive digest: representative, non-redundant memories grouped by kind."""

    total: int = Field(description="Matching memories the summary was drawn from.")
    first_at: datetime | None = None
    last_at: datetime | None = None
    scopes: dict[str, int] = Field(default_factory=dict)
    groups: list[SummaryGroup]
    ids: list[int] = Field(description="Ids of the memories shown, in the order shown.")
    text: str = Field(description="The summary as readable text.")


class Stats(BaseModel):
    db_path: str
    db_bytes: int
    total: int
    active: int
    forgotten: int
    embedded: int
    by_scope: dict[str, int]
    by_kind: dict[str, int]
    model: str
    indexed_model: str | None
    indexed_dim: int | None
    mode: Literal["hybrid", "keyword"]
    note: str | None = None


class DoctorReport(BaseModel):
    integrity: str
    memories: int
    fts_rows: int
    vec_rows: int
    missing_vectors: int
    orphan_vectors: int
    fts_ok: bool
    repaired: list[str] = Field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return (
            self.integrity == "ok"
            and self.fts_ok
            and self.orphan_vectors == 0
            and self.fts_rows == self.memories
        )
