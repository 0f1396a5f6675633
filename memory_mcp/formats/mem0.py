"""A mem0 export: what mem0's `get_all()` returns, saved as JSON.

Accepted shapes: a list of memories (platform v1 API), or {"results": [...]} (open-source
`Memory.get_all()` and platform v2). A memory: {"id", "memory", "hash", "metadata", "categories",
"created_at", "updated_at", "user_id", "agent_id", "app_id", "run_id", "expiration_date", ...}.

Mapping: `memory` -> content (kind fact, or preference when a category names preferences);
`categories` -> tags; `user_id` / `agent_id` / `app_id` -> tags `user:<id>`, `agent:<id>`,
`app:<id>` (mem0 ids name people and agents, not projects: the scope is chosen at import);
`metadata` -> metadata; `created_at` / `updated_at` kept; a future `expiration_date` ->
expires_at, a past one skips the memory. The mem0 id, hash and run_id go to
metadata.imported_from.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from memory_mcp.errors import InvalidInput, json_problem, read_json
from memory_mcp.formats.common import Item, Record, Skipped, instant, read_text, tags
from memory_mcp.timestamps import day_text

FORMAT = "mem0"
OWNERS = ("user_id", "agent_id", "app_id")  # each becomes a tag "user:<id>", ...
KEPT = ("hash", "run_id", "actor_id", "role")  # kept as they were, under imported_from


def read(path: Path, longest: int | None = None) -> list[Item]:
    """Every memory in the export as a record to import, or a skip with its reason; a line
    longer than `longest` bytes refuses the file."""
    try:
        data = read_json(read_text(path, longest, "a mem0 export"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path} is not JSON ({json_problem(exc)}).") from exc
    except RecursionError:
        raise InvalidInput(f"{path} is JSON nested too deeply to read.") from None
    memories = data.get("results", data.get("memories")) if isinstance(data, dict) else data
    if not isinstance(memories, list):
        raise InvalidInput(
            f'{path} is not a mem0 export: expected a JSON list of memories or {{"results": '
            f"[...]}} as mem0's get_all() returns."
        )
    now = datetime.now(UTC)
    return [_memory(index, item, now) for index, item in enumerate(memories, start=1)]


def _memory(index: int, item: object, now: datetime) -> Item:
    if not isinstance(item, dict):
        return Skipped(where=f"item {index}", reason="not a JSON object")
    memory_id, text = item.get("id"), item.get("memory")
    where = f"memory {memory_id}" if memory_id is not None else f"item {index}"
    if not isinstance(memory_id, str | int) or isinstance(memory_id, bool):
        return Skipped(where=where, reason="no id")
    if not isinstance(text, str) or not text.strip():
        return Skipped(where=where, reason="no memory text")
    expires = instant(item.get("expiration_date"))
    if expires is not None and expires <= now:
        return Skipped(where=where, reason=f"expired in mem0 on {day_text(expires)}")
    categories = _categories(item.get("categories"))
    owners = [f"{key.removesuffix('_id')}:{item[key]}" for key in OWNERS if item.get(key)]
    metadata = item.get("metadata")
    return Record(
        content=text.strip(),
        source_id=str(memory_id),
        where=where,
        kind="preference" if any("preference" in c.lower() for c in categories) else "fact",
        tags=tags([*categories, *owners]),
        created_at=instant(item.get("created_at")),
        updated_at=instant(item.get("updated_at")),
        expires_at=expires,
        metadata=dict(metadata) if isinstance(metadata, dict) else {},
        details=_details(item),
    )


def _categories(value: object) -> list[str]:
    """A list of names; a string is one name, or several separated by commas."""
    if isinstance(value, str):
        return [name for name in value.split(",") if name.strip()]
    return [name for name in value if isinstance(name, str)] if isinstance(value, list) else []


def _details(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in (*OWNERS, *KEPT) if item.get(key) is not None}
