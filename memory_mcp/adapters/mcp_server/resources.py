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

if TYPE_CHECKING:  # imported after the first replies (server.py)
    from memory_mcp.service import MemoryService

RECENT = 20
JSON = "application/json"


def register_resources(mcp: MCPServer[Any], service: "MemoryService") -> None:
    @mcp.resource(
        "memory://{memory_id}",
        name="memory",
        title="One memory",
        description="A memory's full text and metadata, by id (e.g. memory://12).",
        mime_type=JSON,
    )
    async def one(memory_id: str) -> str:
        if not (memory_id.isascii() and memory_id.isdigit()):  # "²".isdigit() is True
            raise ResourceNotFoundError(f"memory://{memory_id}: ids are whole numbers.")
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

        return await _json(functools.partial(service.list_memories, MemoryFilter(), RECENT))

    @mcp.resource(
        "memory://stats",
        name="stats",
        title="Memory statistics",
        description="Counts by scope and kind, database size, model and search mode.",
        mime_type=JSON,
    )
    async def stats() -> str:
        return await _json(service.stats)

    @mcp.resource(
        "memory://scopes",
        name="scopes",
        title="Scopes",
        description="Every scope with its count of visible memories, and the project in context.",
        mime_type=JSON,
    )
    async def scopes() -> str:
        def listing() -> dict[str, Any]:
            return {"scopes": service.scopes(), "project": service.project_scope()}

        return await _json(listing)

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


async def _json(read: Callable[[], Any]) -> str:
    """Run a blocking read off the event loop and serialise its result."""
    try:
        value = await anyio.to_thread.run_sync(read)
    except NotFound as exc:
        raise ResourceNotFoundError(str(exc)) from exc
    except MemoryMCPError as exc:
        raise ResourceError(str(exc)) from exc
    return json.dumps(value, indent=2, ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    """JSON for what json.dumps cannot write itself: times to the second in UTC, as tool
    replies send them (models.ShortTime), not with microseconds."""
    if isinstance(value, datetime):
        from memory_mcp.models import short_time  # not imported before the first replies

        return short_time(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python")  # its times stay datetimes, for the above
    return to_jsonable_python(value)
