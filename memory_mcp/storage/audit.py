"""What every backend's history (audit trail) holds, whatever stores it: the actions it
records, the fields a before/after snapshot keeps, and how scrub rewrites what it said
and the names a memory holds."""

from collections.abc import Callable
from typing import Any

from memory_mcp.storage.records import SCRUBBED

ACTIONS = (
    "create", "duplicate", "merge", "supersede", "edit", "move",
    "forget", "restore", "purge", "import", "expire", "scrub",
)  # fmt: skip

SNAPSHOT_FIELDS = (
    "content", "kind", "tags", "scope", "key", "metadata", "occurred_at", "expires_at",
)  # fmt: skip
SCRUBBED_COLUMNS = ("before", "after", "detail")


def replace_in(value: Any, fix: Callable[[str], str]) -> Any:
    """`value` (decoded JSON) with `fix` applied to every string in it, keys included."""
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, list):
        return [replace_in(v, fix) for v in value]
    if isinstance(value, dict):
        return {fix(k): replace_in(v, fix) for k, v in value.items()}
    return value


def scrubbed_names(row: Any, text: str) -> tuple[dict[str, str], str | None]:
    """What scrub changes of `text` in a memory's names (`row`: key, scope, forget_reason):
    the key and scope it held it in, each with `[scrubbed]` in its place (a new slot: the
    backends move the memory there as an edit would), and the forget reason rewritten, or
    None if that did not hold it."""
    slot = {k: row[k].replace(text, SCRUBBED) for k in ("key", "scope") if text in (row[k] or "")}
    reason = row["forget_reason"] or ""
    return slot, (reason.replace(text, SCRUBBED) if text in reason else None)
