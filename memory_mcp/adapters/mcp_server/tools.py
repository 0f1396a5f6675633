"""The four MCP tools: each is one call on MemoryService plus translation (calls.py)."""

import functools
from typing import Annotated, Any, Literal

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import BeforeValidator, Field

from memory_mcp.adapters.mcp_server.calls import CallContext
from memory_mcp.config import MAX_RECALL_LIMIT
from memory_mcp.models import (
    ForgetResult,
    Kind,
    RecallResult,
    RememberResult,
    Summary,
    WritableKind,
)
from memory_mcp.service import MemoryService


def _whole_number(value: object) -> object:
    """JSON `true` or `7.0` is not the id 7 (pydantic would take both as one)."""
    if isinstance(value, bool | float):
        raise ValueError(f"a memory id is a whole number such as 7, not {value!r}")
    return value


MemoryId = Annotated[int, BeforeValidator(_whole_number)]
Scope = Annotated[
    str | None,
    Field(description="Scope (project or repo name, `global`); omit for the project in context."),
]
Tags = Annotated[list[str] | None, Field(description="Short labels; recall can filter on them.")]
When = "ISO-8601 date/time or a relative expression like `yesterday`, `3 days ago`."
Since = Annotated[str | None, Field(description=f"Only memories from this time on. {When}")]
Until = Annotated[str | None, Field(description=f"Only memories before this time. {When}")]
KindFilter = Annotated[Kind | None, Field(description="Only memories of this kind.")]
Reference = Annotated[
    str | None, Field(description="The 'now' that relative times are resolved against.")
]

ANNOTATIONS = {
    "remember": ToolAnnotations(
        title="Remember", read_only_hint=False, destructive_hint=False, idempotent_hint=False
    ),
    "recall": ToolAnnotations(title="Recall", read_only_hint=True),
    "forget": ToolAnnotations(title="Forget", destructive_hint=True, idempotent_hint=True),
    # Not read-only: save=true stores the summary (never touching its sources).
    "summarize": ToolAnnotations(title="Summarize", destructive_hint=False),
}


class Tools:
    """Bound methods registered as tools: their signatures are the tools' input schemas and
    their docstrings what the model reads about when to call them."""

    def __init__(self, calls: CallContext) -> None:
        self._calls = calls

    def register(self, mcp: MCPServer[Any]) -> None:
        for handler, annotations in (
            (self.remember, ANNOTATIONS["remember"]),
            (self.recall, ANNOTATIONS["recall"]),
            (self.forget, ANNOTATIONS["forget"]),
            (self.summarize, ANNOTATIONS["summarize"]),
        ):
            mcp.tool(annotations=annotations)(handler)

    async def remember(
        self,
        ctx: Context,
        content: Annotated[
            str, Field(description="One self-contained fact, preference, decision or event.")
        ],
        kind: Annotated[
            WritableKind, Field(description="fact, preference, decision, event or note.")
        ] = "note",
        tags: Tags = None,
        scope: Scope = None,
        key: Annotated[
            str | None,
            Field(description="Named slot, e.g. user.editor: a new value supersedes the old."),
        ] = None,
        replaces: Annotated[
            MemoryId | None,
            Field(description="Id of a memory this one corrects (supersedes), in its scope."),
        ] = None,
        occurred_at: Annotated[
            str | None, Field(description=f"When the thing happened. {When}")
        ] = None,
        ttl: Annotated[
            str | None, Field(description="Forget after this long: 30m, 12h, 7d, 2w.")
        ] = None,
        expires_at: Annotated[str | None, Field(description=f"Forget after this. {When}")] = None,
        reference_time: Reference = None,
        metadata: Annotated[
            dict[str, Any] | None, Field(description="Any JSON object kept with the memory.")
        ] = None,
        context: Annotated[
            str | None,
            Field(
                description="What was being discussed when this came up (e.g. the surrounding "
                "messages): searched with the memory, never shown in recall."
            ),
        ] = None,
    ) -> RememberResult:
        """Store something worth knowing in a later session: a preference the user states, a
        decision made, a durable fact about the user or project. Returns the memory and
        whether it was created, a duplicate, merged into an existing one, or superseded one."""
        call = functools.partial(
            MemoryService.remember, content=content, kind=kind, tags=tags, scope=scope,
            metadata=metadata, key=key, replaces=replaces, occurred_at=occurred_at, ttl=ttl,
            expires_at=expires_at, reference_time=reference_time, context=context,
        )  # fmt: skip
        return await self._calls.run(ctx, call, scope=scope, client=True)

    async def recall(
        self,
        ctx: Context,
        query: Annotated[
            str | None, Field(description="What you want to know, in plain words.")
        ] = None,
        limit: Annotated[
            int | None, Field(ge=1, le=MAX_RECALL_LIMIT, description="Most hits to return.")
        ] = None,
        max_tokens: Annotated[
            int | None,
            Field(ge=1, description="Fit the hits in this many tokens (diverse, snippets)."),
        ] = None,
        scope: Annotated[
            str | None,
            Field(description="Only this scope (`*` = all); default: project + global."),
        ] = None,
        kind: KindFilter = None,
        tags: Annotated[
            list[str] | None, Field(description="Only memories carrying all of these tags.")
        ] = None,
        since: Since = None,
        until: Until = None,
        time_field: Annotated[
            Literal["occurred", "recorded"],
            Field(description="since/until on when it happened (default) or was stored."),
        ] = "occurred",
        include_superseded: Annotated[
            bool, Field(description="Also return memories replaced by newer ones.")
        ] = False,
        as_of: Annotated[
            str | None, Field(description=f"Return what was current at this time. {When}")
        ] = None,
        ids: Annotated[
            list[MemoryId] | None, Field(description="Fetch these memories in full instead.")
        ] = None,
        reference_time: Reference = None,
    ) -> RecallResult:
        """Search memory by meaning and keywords. Call it at the start of a task and whenever
        the user refers to something from an earlier session."""
        call = functools.partial(
            MemoryService.recall, query=query, limit=limit, scope=scope, kind=kind, tags=tags,
            since=since, until=until, time_field=time_field,
            include_superseded=include_superseded, as_of=as_of, max_tokens=max_tokens, ids=ids,
            reference_time=reference_time,
        )  # fmt: skip
        return await self._calls.run(ctx, call, scope=scope)

    async def forget(
        self,
        ctx: Context,
        ids: Annotated[list[MemoryId], Field(min_length=1, description="Ids of memories to hide.")],
        reason: Annotated[str | None, Field(description="Why, kept for the record.")] = None,
    ) -> ForgetResult:
        """Hide memories that are wrong or no longer wanted (for example when the user asks you
        to forget something). Reversible: the user can restore them from the CLI."""
        call = functools.partial(MemoryService.forget, ids=ids, reason=reason)
        return await self._calls.run(ctx, call, project=False, client=True)

    async def summarize(
        self,
        ctx: Context,
        query: Annotated[
            str | None, Field(description="Topic to summarize; omit for everything.")
        ] = None,
        scope: Scope = None,
        kind: KindFilter = None,
        since: Since = None,
        until: Until = None,
        limit: Annotated[
            int, Field(ge=1, le=MAX_RECALL_LIMIT, description="Most themes to show.")
        ] = 10,
        max_tokens: Annotated[
            int | None, Field(ge=1, description="Keep the summary within this many tokens.")
        ] = None,
        save: Annotated[
            bool, Field(description="Also store it as a `summary` memory linked to sources.")
        ] = False,
    ) -> Summary:
        """Get an overview of what memory holds on a topic, scope or period: themes, each with
        its most representative current memory, supporting ids, counts and dates."""
        call = functools.partial(
            MemoryService.summarize, query=query, scope=scope, kind=kind, since=since,
            until=until, limit=limit, max_tokens=max_tokens, save=save,
        )  # fmt: skip
        return await self._calls.run(ctx, call, scope=scope, client=True)
