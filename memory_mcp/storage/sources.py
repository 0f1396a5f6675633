"""Import source items as both backends name and compare them: `insert(once=True)` and
`record_repeat(source=)` decide inside their transaction whether an item was taken already."""

from typing import Any

from memory_mcp.storage.contract import NewRow


def origin(item: NewRow) -> dict[str, str] | None:
    """The import source item (format, id) `metadata.imported_from` names, if any."""
    return source_of(item.metadata.get("imported_from"))


def source_of(found: Any) -> dict[str, str] | None:
    """A source item as insert(once=True) and record_repeat(source=) both compare it: its
    format and id as text, nothing else."""
    if not isinstance(found, dict) or found.get("format") is None or found.get("id") is None:
        return None
    return {"format": str(found["format"]), "id": str(found["id"])}
