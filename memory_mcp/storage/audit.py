"""What every backend's history (audit trail) holds, whatever stores it: the actions it
records, the fields a before/after snapshot keeps, and how scrub rewrites what it said."""

from collections.abc import Callable
from typing import Any

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
