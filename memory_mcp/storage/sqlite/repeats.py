"""A repeat counted on the memory it repeats: its count, last seen, tags and expiry, what
the sighting says explicitly (a key it takes supersedes the slot's value), and the history
entry (back-to-back plain repeats share one)."""

import json
from collections.abc import Sequence
from typing import Any

from memory_mcp.policies import folding
from memory_mcp.policies.repeats import Said, adopted, heard_context
from memory_mcp.storage.sqlite import decisions, history
from memory_mcp.storage.sqlite.base import require_row
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.storage.sqlite.rowchanges import keep, set_fields
from memory_mcp.timestamps import utc_now


def count_repeat(
    c: Connection,
    memory_id: int,
    client: str | None,
    action: str,
    add_tags: Sequence[str] = (),
    expires_at: str | None = None,
    sighting: Said | None = None,
    **detail: Any,
) -> list[int]:
    """Another sighting: repeat count, last seen, new tags, and the sighting's expiry
    (`expires_at`, None: never) when it outlives the memory's; what else the `sighting`
    says explicitly (policies.repeats.adopted: kind, metadata, a date, a key, a context) is
    set, the history entry showing it before and after; a key it takes supersedes the
    slot's current value (the repeat is the later statement). Back-to-back exact repeats
    with nothing new share one history entry (a count, the last time, the clients), so a
    memory said 20,000 times keeps a short history. Returns the ids it superseded."""
    row = require_row(c, memory_id)
    adopt = _adopted(row, sighting)
    superseded: list[int] = []
    if adopt:
        if "key" in adopt:
            holders = decisions.key_holders(c, row["scope"], adopt["key"], besides=memory_id)
            superseded = decisions.supersede(
                c, [h["id"] for h in holders], memory_id, client, why="key"
            )
        set_fields(c, memory_id, adopt)
        detail["changed"] = sorted(adopt)
    if (heard := heard_context(row["context"], sighting)) is not None:
        detail["heard_context"] = heard
    kept = folding.keep(json.loads(row["tags"]), row["expires_at"], add_tags, expires_at)
    now = utc_now()
    keep(c, memory_id, kept, now)
    detail.update(kept.detail)
    if kept.tags_added:
        detail["tags_added"] = kept.tags_added
    elif action == "duplicate" and not detail and _coalesce_repeat(c, memory_id, client, now):
        return superseded
    before = history.snapshot(row) if adopt else None
    after = history.snapshot(require_row(c, memory_id)) if adopt else None
    history.record(c, memory_id, action, client, before, after, **detail)
    return superseded


def _adopted(row: Any, sighting: Said | None) -> dict[str, Any]:
    if sighting is None:
        return {}
    return adopted(row, json.loads(row["metadata"]), sighting)


def _coalesce_repeat(c: Connection, memory_id: int, client: str | None, now: str) -> bool:
    """Fold a repeat into the memory's newest history entry if that is a plain repeat too."""
    last = c.execute(
        "select id, action, client, detail from history where memory_id = :id "
        "order by id desc limit 1",
        {"id": memory_id},
    ).fetchone()
    if last is None:
        return False
    detail = folding.coalesced_repeat(
        last["action"], last["client"], json.loads(last["detail"]), client, now
    )
    if detail is not None:
        c.execute(
            "update history set detail = :detail where id = :id",
            {"detail": json.dumps(detail), "id": last["id"]},
        )
    return detail is not None
