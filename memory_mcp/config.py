"""Settings (env prefix MEMORY_MCP_) and their named defaults."""

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from memory_mcp.names import WILDCARD, wildcard_scope

APP_NAME = "memory-mcp"
DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_SCOPE = "global"
DEFAULT_RECALL_LIMIT = 8
MAX_RECALL_LIMIT = 50
MIN_BUDGET = 200  # smallest max_tokens: the frame of a reply (40-70 tokens) and one hit
# Calibrated with benchmarks/dedup_pairs.py on all-MiniLM-L6-v2: the lowest threshold tried at
# which none of 83 must-keep pairs merge. It merges 15 of 42 rewordings; the rest are stored
# twice, which costs clutter, never a fact. At 0.95 "faster"/"slower" (0.951) merges.
DEFAULT_NEAR_DUPLICATE = 0.96
DEFAULT_MAX_CONTENT_CHARS = 20_000
DEFAULT_BUSY_TIMEOUT_MS = 5_000
DEFAULT_PG_POOL_SIZE = 10
DEFAULT_PG_STATEMENT_TIMEOUT_MS = 30_000
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
DEFAULT_MAX_QUERY_CHARS = 4_000
DEFAULT_MAX_METADATA_CHARS = 8_000
DEFAULT_MAX_IDS = 100
# "full" fsyncs every commit (survives power loss); "normal" only at checkpoints (survives
# the process dying, not the OS): see README, Settings. An fsync costs ~0.1-10 ms per write.
Durability = Literal["normal", "full"]
DEFAULT_DURABILITY: Durability = "full"
# Every tool reply stays within this many estimated tokens (policies/budget.py), whatever the
# arguments: a client's context and its transport (1 MB per server-sent event in the official
# SDK; the reply's JSON travels twice) both have limits. It holds one memory of the default
# maximum length (20,000 characters of English) whole.
DEFAULT_MAX_REPLY_TOKENS = 10_000
DEFAULT_HTTP_READ_TIMEOUT = 10.0
DEFAULT_HTTP_MAX_CONNECTIONS = 256
DEFAULT_HTTP_MAX_SESSIONS = 64
DEFAULT_HTTP_SESSION_IDLE = 1800.0
DEFAULT_HTTP_RATE_LIMIT = 600  # requests a minute per principal
DEFAULT_HTTP_MAX_BODY_KB = 1024  # the largest memory and metadata fit many times over
HttpWorkers = int | Literal["auto"]
DEFAULT_OAUTH_PRINCIPAL_CLAIM = "sub"
# Client hooks (README, Automatic memory): the session-start briefing and the per-prompt
# additions each stay within these many estimated tokens.
DEFAULT_BRIEFING_TOKENS = 1_200
DEFAULT_PROMPT_TOKENS = 400


def default_token_path() -> Path:
    """Where `memory-mcp token` keeps the HTTP bearer token (owner-only file)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "http-token"


def default_cache_dir() -> Path:
    """Where downloaded embedding models are kept: the platform's per-user cache folder, which
    survives a reboot (fastembed's own default is the temp folder)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "models"


def default_db_path() -> Path:
    """The database file in the platform's per-user data dir (created on first use)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "memory.db"


PG_SCHEMA_PATTERN = r"^[a-z_][a-z0-9_]{0,62}$"  # a schema name needing no quoting


class Settings(BaseSettings):
    """Every knob of the server and CLI; CLI flags override the environment."""

    # An empty variable is an unset one, as for the CLI's options: a client's config that
    # passes `"MEMORY_MCP_DB": "${env:MEMORY_MCP_DB}"` with it unset gives "", which was the
    # path "." (the server could not start) and for the model folder "." (no model).
    model_config = SettingsConfigDict(
        env_prefix="MEMORY_MCP_", extra="ignore", env_ignore_empty=True
    )

    db: Path | str = Field(
        default_factory=default_db_path,
        description="SQLite database file, or a postgresql:// URL (credentials from the URL, "
        "PG* environment variables or .pgpass).",
    )
    model: str = Field(DEFAULT_MODEL, description="fastembed text embedding model name.")
    model_dir: Path | None = Field(
        None, description="Local ONNX model directory (fastembed specific_model_path)."
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir, description="Where downloaded models are kept."
    )
    default_scope: str = Field(DEFAULT_SCOPE, min_length=1, description="Scope when none given.")
    recall_limit: int = Field(
        DEFAULT_RECALL_LIMIT, ge=1, le=MAX_RECALL_LIMIT, description="Hits when none asked."
    )
    max_content_chars: int = Field(
        DEFAULT_MAX_CONTENT_CHARS, ge=100, description="Longest memory content accepted."
    )
    max_query_chars: int = Field(
        DEFAULT_MAX_QUERY_CHARS, ge=100, description="Longest recall/summarize query accepted."
    )
    max_metadata_chars: int = Field(
        DEFAULT_MAX_METADATA_CHARS, ge=100, description="Largest metadata object (as JSON)."
    )
    max_ids: int = Field(
        DEFAULT_MAX_IDS, ge=1, description="Most ids one recall/forget/restore call may name."
    )
    max_reply_tokens: int = Field(
        DEFAULT_MAX_REPLY_TOKENS, ge=1_000, description="Cap on any tool reply, in tokens."
    )
    max_db_mb: int | None = Field(
        None, ge=1, description="Cap in MB on the database file and its write-ahead log together."
    )
    durability: Durability = Field(
        DEFAULT_DURABILITY,
        description="full: every acknowledged write survives power loss; normal: a crash only.",
    )
    busy_timeout_ms: int = Field(
        DEFAULT_BUSY_TIMEOUT_MS, ge=0, description="How long a writer waits for the file lock."
    )
    semantic: bool = Field(True, description="Load the embedding model (False: keyword-only).")
    project: Path | None = Field(
        None, description="Project folder: its scope is the default for writes and recall."
    )
    token: str | None = Field(None, description="Bearer token the HTTP server requires.")
    token_file: Path = Field(
        default_factory=default_token_path, description="Where a generated token is kept."
    )
    http_read_timeout: float = Field(
        DEFAULT_HTTP_READ_TIMEOUT, gt=0, description="Seconds a client may take to send a request."
    )
    http_max_connections: int = Field(
        DEFAULT_HTTP_MAX_CONNECTIONS, ge=2, description="Open HTTP connections at most."
    )
    http_max_sessions: int = Field(
        DEFAULT_HTTP_MAX_SESSIONS, ge=1, description="MCP sessions kept over HTTP at most."
    )
    http_session_idle: float = Field(
        DEFAULT_HTTP_SESSION_IDLE, gt=0, description="Seconds an unused HTTP session is kept."
    )
    http_rate_limit: int = Field(
        DEFAULT_HTTP_RATE_LIMIT, ge=0, description="Requests a minute per principal (0: no limit)."
    )
    http_max_body_kb: int = Field(
        DEFAULT_HTTP_MAX_BODY_KB, ge=64, description="Largest HTTP request body, in KiB."
    )
    http_workers: HttpWorkers = Field(
        1, description="serve --http processes answering on the port (auto: one per core)."
    )
    oauth_issuer: str | None = Field(
        None, description="Authorization server whose JWT access tokens serve --http accepts."
    )
    oauth_audience: str | None = Field(
        None, description="The `aud` those tokens must carry (default: oauth_resource)."
    )
    oauth_jwks_url: str | None = Field(
        None, description="The issuer's JWKS (default: found through its discovery document)."
    )
    oauth_resource: str | None = Field(
        None, description="This server's public MCP URL, as its protected-resource metadata says."
    )
    oauth_principal_claim: str = Field(
        DEFAULT_OAUTH_PRINCIPAL_CLAIM, min_length=1, description="JWT claim naming the principal."
    )
    oauth_grants_claim: str | None = Field(
        None, description="JWT claim listing grants (PATTERN=read|write); else the CLI's grants."
    )
    near_duplicate: float = Field(
        DEFAULT_NEAR_DUPLICATE, ge=0.5, le=1.0, description="Cosine for merging rewordings."
    )
    reranker: str | None = Field(
        None, description="fastembed TextCrossEncoder model reordering recall's best candidates."
    )
    reranker_dir: Path | None = Field(
        None, description="Local ONNX folder of the reranker (fastembed specific_model_path)."
    )
    capture: bool = Field(
        True, description="`memory-mcp hook capture` stores what sessions said and explored."
    )
    briefing_tokens: int = Field(
        DEFAULT_BRIEFING_TOKENS, ge=100, description="Budget of the session-start briefing."
    )
    prompt_tokens: int = Field(
        DEFAULT_PROMPT_TOKENS, ge=50, description="Budget of what the prompt hook adds."
    )
    pg_schema: str = Field(
        "memory_mcp",
        pattern=PG_SCHEMA_PATTERN,
        description="PostgreSQL: the schema holding memory-mcp's tables.",
    )
    pg_pool_size: int = Field(
        DEFAULT_PG_POOL_SIZE, ge=1, le=1000, description="PostgreSQL: connections at most."
    )
    pg_statement_timeout_ms: int = Field(
        DEFAULT_PG_STATEMENT_TIMEOUT_MS,
        ge=0,
        description="PostgreSQL: longest a statement may run (0: no limit).",
    )

    @field_validator("http_workers", mode="after")
    @classmethod
    def _workers_positive(cls, value: HttpWorkers) -> HttpWorkers:
        if value != "auto" and value < 1:
            raise ValueError("must be at least 1, or auto")
        return value

    @field_validator("default_scope", mode="after")
    @classmethod
    def _scope_without_wildcard(cls, value: str) -> str:
        if WILDCARD in value:
            raise ValueError(wildcard_scope(value))
        return value

    @field_validator("db", mode="after")
    @classmethod
    def _db_path_or_url(cls, value: Path | str) -> Path | str:
        """A postgresql:// or postgres:// URL stays text; anything else is a file path."""
        return str(value) if is_database_url(value) else Path(value)


def is_database_url(value: Path | str) -> bool:
    """Whether MEMORY_MCP_DB names a PostgreSQL server rather than an SQLite file."""
    return isinstance(value, str) and value.startswith(POSTGRES_SCHEMES)


def shown_db(value: Path | str) -> str:
    """MEMORY_MCP_DB for logs and people: a URL's password replaced by `***`."""
    if not is_database_url(value):
        return str(value)
    parts = urlsplit(str(value))
    if parts.password is None:
        return str(value)
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
