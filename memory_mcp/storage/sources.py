"""Import source items as both backends name and compare them: `insert(once=True)` and
`record_repeat(source=)` decide inside their transaction whether an item was taken already."""

import json
from typing import Any, NamedTuple

from memory_mcp.storage.contract import NewRow
from memory_mcp.timestamps import parse_stored_time


def origin(item: NewRow) -> dict[str, str] | None:
    """The import source item (format, id) `metadata.imported_from` names, if any."""
    return source_of(item.metadata.get("imported_from"))


def source_of(found: Any) -> dict[str, str] | None:
    """A source item as insert(once=True) and record_repeat(source=) both compare it: its
    format and id as text, nothing else."""
    if not isinstance(found, dict) or found.get("format") is None or found.get("id") is None:
        return None
    return {"format": str(found["format"]), "id": str(found["id"])}


# -- a keyed exported row that says what a stored value says (insert_many's "restore") -----
#
# The same key and text in a scope is one belief: an export of another store (or of this
# one, before an edit of times) holding it at another time is that memory stated again, not
# a second value. It is folded into the stored one: the earliest creation kept, the latest
# statement and both counts, the tags and metadata of both (a metadata value the stored one
# holds otherwise kept under IMPORTED_OTHERWISE, as are the tags past MAX_TAGS), a context
# they do not share joined.

IMPORTED_OTHERWISE = "imported_otherwise"
MORE_TAGS = "more_tags"  # under IMPORTED_OTHERWISE: the tags past MAX_TAGS of both
TAGS_LEFT_OUT = "more_tags_left_out"  # how many of those the metadata's limit left out


def within(metadata: dict[str, Any], limit: int) -> dict[str, Any] | None:
    """Merged metadata kept within `limit` characters of JSON: the tags past MAX_TAGS it
    keeps (imported_otherwise.more_tags) cut from the end, their number left out noted
    (more_tags_left_out); None if that is not enough (merged_row then keeps the stored
    memory's own metadata, as it was, and says so: the export's line still holds the rest)."""

    def size(value: dict[str, Any]) -> int:
        return len(json.dumps(value, default=str))

    if size(metadata) <= limit:
        return metadata
    otherwise = dict(metadata.get(IMPORTED_OTHERWISE) or {})
    more = list(otherwise.get(MORE_TAGS) or [])
    total = len(more)
    while more:
        more.pop()
        otherwise[MORE_TAGS] = more
        otherwise[TAGS_LEFT_OUT] = total - len(more)
        cut = {**metadata, IMPORTED_OTHERWISE: otherwise}
        if size(cut) <= limit:
            return cut
    return None


class Merged(NamedTuple):
    """merged_row's answer: the fields, and whether the metadata merged stayed past the
    limit after every extra tag was cut (the stored metadata kept: the import counts it)."""

    fields: dict[str, Any]
    metadata_kept: bool


def merged_row(stored: dict[str, Any], item: NewRow, max_tags: int) -> Merged:
    """The stored row's fields (tags and metadata decoded) once `item` is folded into it."""
    times = [t for t in (stored["created_at"], item.created_at) if t is not None]
    created = min(times, key=parse_stored_time)
    said = [t for t in (stored["last_seen_at"], item.last_seen_at, *times) if t is not None]
    latest = max(said, key=parse_stored_time)
    tags = list(dict.fromkeys([*stored["tags"], *item.tags]))
    metadata = {**item.metadata, **stored["metadata"]}
    otherwise = {
        k: v
        for k, v in item.metadata.items()
        if k in stored["metadata"] and stored["metadata"][k] != v
    }
    kept = metadata.get(IMPORTED_OTHERWISE, {})
    if past := tags[max_tags:]:  # kept as an import keeps a line's (nothing is lost)
        otherwise[MORE_TAGS] = list(dict.fromkeys([*kept.get(MORE_TAGS, []), *past]))
    if otherwise:
        metadata[IMPORTED_OTHERWISE] = {**kept, **otherwise}
    fitted = metadata if item.metadata_limit is None else within(metadata, item.metadata_limit)
    metadata = stored["metadata"] if fitted is None else fitted
    context = stored["context"] or item.context
    if stored["context"] and item.context and item.context not in stored["context"]:
        context = f"{stored['context']}\n{item.context}"
    updated = [t for t in (stored["updated_at"], item.updated_at) if t is not None]
    fields = {
        "created_at": created,
        "last_seen_at": None if latest == created else latest,
        "repeat_count": int(stored["repeat_count"]) + int(item.repeat_count or 1),
        "tags": tags[:max_tags],
        "metadata": metadata,
        "context": context,
        "occurred_at": stored["occurred_at"] or item.occurred_at,
        "updated_at": max(updated, key=parse_stored_time),
    }
    return Merged(fields, fitted is None)
