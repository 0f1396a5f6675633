"""MCP resources: read-only views a client can attach to a conversation without a tool call."""

import functools
import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from memory_mcp.errors import MemoryMCPError, NotFound
from memory_mcp.policies.controls import shown_values

if TYPE_CHECKING:  # imported after the first replies (server.py)
    from memory_mcp.models import Memory
    from memory_mcp.service import MemoryService

RECENT = 20
JSON = "application/json"
OTHER_FIELDS_TOKENS = 400  # what stats holds besides its scopes, with room to spare
MIN_SNIPPET_TOKENS = 50


def _not_an_id(memory_id: str) -> ResourceNotFoundError:
    """The refusal of `memory://<not a number>`, the address's secrets masked: the SDK logs
    a failed read with it."""
    from memory_mcp.policies.inputs import shown  # only on this refusal: not at start-up

    return ResourceNotFoundError(f"Memory ids are whole numbers such as 7, not {shown(memory_id)}.")


def register_resources(
    mcp: MCPServer[Any], service: "MemoryService", cap: Callable[[], int]
) -> None:
    """`cap`: the tokens a reply may take (MEMORY_MCP_MAX_REPLY_TOKENS), resources' too."""

    @mcp.resource(
        "memory://{memory_id}",
        name="memory",
        title="One memory",
        description="A memory's full text and metadata, by id (e.g. memory://12).",
        mime_type=JSON,
    )
    async def one(memory_id: str) -> str:
        if not (memory_id.isascii() and memory_id.isdigit()):  # "²".isdigit() is True
            raise _not_an_id(memory_id)
        return await _json(functools.partial(service.get, int(memory_id)))

    @mcp.resource(
        "memory://recent",
        name="recent",
        title="Recent memories",
        description=f"The {RECENT} newest visible memories.",
        mime_type=JSON,
    )
    async def recent() -> str:
        from memory_mcp.models import MemoryFilter  # not imported before the first replies

        return await _json(lambda: _snippets(service.list_memories(MemoryFilter(), RECENT), cap()))

    @mcp.resource(
        "memory://stats",
        name="stats",
        title="Memory statistics",
        description="Counts by scope and kind, database size, model and search mode.",
        mime_type=JSON,
    )
    async def stats() -> str:
        return await _json(lambda: _fitted(service.stats().model_dump(), "by_scope", cap()))

    @mcp.resource(
        "memory://scopes",
        name="scopes",
        title="Scopes",
        description="Every scope with its count of visible memories, and the project in context.",
        mime_type=JSON,
    )
    async def scopes() -> str:
        return await _json(lambda: _fitted(_scopes(service), "scopes", cap()))

    @mcp.resource(
        "memory://profile",
        name="profile",
        title="Profile",
        description="Every current keyed fact (user.*, project.*, any key) grouped by prefix, with"
        " when it was set and how often it changed.",
        mime_type=JSON,
    )
    async def profile() -> str:
        return await _json(service.profile)


def _scopes(service: "MemoryService") -> dict[str, Any]:
    return {"scopes": service.scopes(), "project": service.project_scope()}


def _fitted(found: dict[str, Any], field: str, reply_tokens: int) -> dict[str, Any]:
    """`found` with only the largest scopes of `field` that fit in the reply cap (less room
    for the other fields), and how many were left out, if any."""
    budget = max(reply_tokens - OTHER_FIELDS_TOKENS, OTHER_FIELDS_TOKENS)
    found[field], omitted = _largest(found[field], budget)
    return found | ({"scopes_omitted": omitted} if omitted else {})


def _largest(counts: dict[str, int], tokens: int) -> tuple[dict[str, int], int]:
    """The largest scopes that fit in `tokens`, and how many were left out: a resource is
    read into a model's context as a tool reply is, and 10k scopes took 195 KB."""
    from memory_mcp.policies.budget import estimate_tokens

    kept: dict[str, int] = {}
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        tokens -= estimate_tokens(json.dumps({name: count}, ensure_ascii=False))
        if tokens < 0:
            break
        kept[name] = count
    return kept, len(counts) - len(kept)


def _snippets(memories: "list[Memory]", tokens: int) -> list[dict[str, Any]]:
    """The memories as JSON objects, their contents cut to snippets (marked `truncated`) when
    together they would take more than `tokens` (20 long memories took 400 KB), and the
    oldest left out while even their snippets do not fit."""
    from memory_mcp.policies.budget import estimate_tokens, snippet

    def cost(memory: dict[str, Any]) -> int:
        return estimate_tokens(json.dumps(memory, indent=2, default=_plain)) + 1

    found = [m.model_dump() for m in memories]
    if sum(map(cost, found)) <= tokens:
        return found
    share = tokens // max(len(found), 1)
    for memory in found:
        room = max(share - cost(memory | {"content": ""}), MIN_SNIPPET_TOKENS)
        cut = snippet(memory["content"], room)
        if cut != memory["content"]:
            memory.update(content=cut, truncated=True)
    while len(found) > 1 and sum(map(cost, found)) > tokens:
        found.pop()
    return found


async def _json(read: Callable[[], Any]) -> str:
    """Run a blocking read off the event loop and serialise its result."""
    try:
        value = await anyio.to_thread.run_sync(read)
    except NotFound as exc:
        raise ResourceNotFoundError(str(exc)) from exc
    except MemoryMCPError as exc:
        raise ResourceError(str(exc)) from exc
    # Memory text as the tools send it: what prints as nothing written out (shown_values).
    plain = json.loads(json.dumps(value, default=_plain))
    return json.dumps(shown_values(plain), indent=2, ensure_ascii=False)


def _plain(value: Any) -> Any:
    """JSON for what json.dumps cannot write itself: times to the second in UTC, as tool
    replies send them (models.ShortTime), not with microseconds."""
    if isinstance(value, datetime):
        from memory_mcp.models import short_time  # not imported before the first replies

        return short_time(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python")  # its times stay datetimes, for the above
    return to_jsonable_python(value)
