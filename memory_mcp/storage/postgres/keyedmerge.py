"""SQLite's keyedmerge on PostgreSQL: an exported keyed row saying what a stored value of
its key says, at another time, folded into that memory inside the import's transaction."""

from typing import Any

from memory_mcp.names import MAX_TAGS
from memory_mcp.storage.contract import NewRow
from memory_mcp.storage.postgres import decisions, history
from memory_mcp.storage.postgres.base import as_json, as_jsonb, require_row
from memory_mcp.storage.postgres.db import Connection
from memory_mcp.storage.records import Inserted
from memory_mcp.storage.sources import merged_row
from memory_mcp.timestamps import parse_stored_time

_SAME = """select * from memories where scope = %(scope)s and key = %(key)s
           and content_hash = %(hash)s and forgotten_at is null
           order by created_at, id limit 1 for update"""
_BETWEEN = """select 1 from memories where scope = %(scope)s and key = %(key)s
              and forgotten_at is null and content_hash <> %(hash)s
              and created_at > %(low)s and created_at < %(high)s limit 1"""


def fold_keyed(c: Connection, item: NewRow, client: str | None) -> Inserted | None:
    """The stored memory `item` (a current keyed row of an export) was folded into, if one
    says the same (`metadata_kept`: the merged metadata did not fit the limit); None to
    insert it."""
    if item.key is None or item.superseded_by is not None or item.forgotten_at is not None:
        return None
    found: dict[str, Any] = {"scope": item.scope, "key": item.key, "hash": item.hashed()}
    row = c.execute(_SAME, found).fetchone()
    if row is None or item.created_at is None or row["created_at"] == item.created_at:
        return None
    low, high = sorted((row["created_at"], item.created_at), key=parse_stored_time)
    if c.execute(_BETWEEN, found | {"low": low, "high": high}).fetchone() is not None:
        return None
    fields, kept = merged_row(dict(row), item, MAX_TAGS)
    if fields["created_at"] != row["created_at"] and (
        before := decisions.previous_value(c, item.scope, item.key, low)
    ):
        decisions.gave_way_at(c, before["id"], low, int(row["id"]), client)
    encoded = fields | {"tags": as_jsonb(fields["tags"]), "metadata": as_json(fields["metadata"])}
    sets = ", ".join(f"{name} = %({name})s" for name in encoded)
    c.execute(f"update memories set {sets} where id = %(id)s", encoded | {"id": row["id"]})
    after = history.snapshot(require_row(c, int(row["id"])))
    history.record(
        c, int(row["id"]), "import", client, history.snapshot(row), after,
        folded={"created_at": item.created_at, "id": item.id},
    )  # fmt: skip
    return Inserted(int(row["id"]), "duplicate", metadata_kept=kept)
