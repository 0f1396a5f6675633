"""Changes to stored rows inside a write's transaction, shared by writes and removals: edit
fields (the key slots a row leaves and enters), fold a copy into another, fold the copies of
a memory made current again."""

import json
from collections.abc import Collection
from typing import Any

from memory_mcp.policies import folding
from memory_mcp.policies.dedup import content_hash
from memory_mcp.storage.sqlite import decisions, history
from memory_mcp.storage.sqlite.base import require_row
from memory_mcp.storage.sqlite.db import Connection
from memory_mcp.timestamps import utc_now

EDITABLE = {
    "content", "kind", "tags", "scope", "metadata", "key", "occurred_at", "expires_at", "context",
}  # fmt: skip
EDITABLE_COLUMNS = sorted(EDITABLE | {"content_hash"})

_UPDATE = f"""
    update memories set
        {", ".join(f"{c} = case when :set_{c} then :{c} else {c} end" for c in EDITABLE_COLUMNS)},
        updated_at = :now
    where id = :id
"""


def update_row(
    c: Connection, row: Any, fields: dict[str, Any], client: str | None, along: Collection[int] = ()
) -> None:
    """`update` within its transaction, but for the vector: the fields, the key slots the row
    leaves and enters, and the history entry. `along`: the ids moved with it."""
    memory_id = row["id"]
    before = history.snapshot(row)
    moved = {k: v for k, v in fields.items() if k in ("scope", "key")}
    now = utc_now()  # the move's moment: its history entry's, and a slot it enters settles then
    if moved:
        decisions.settle_key(c, dict(row) | moved, client, since=now)
    set_fields(c, memory_id, fields)
    left = row["key"] is not None and any(row[k] != v for k, v in moved.items())
    if left:  # it left its key's slot: what it superseded there is that slot's value again
        for back in decisions.reinstate_replaced(c, memory_id, client, (row["scope"], row["key"])):
            fold_edited(c, back, client)  # or into a correction saying the same
    after = history.snapshot(require_row(c, memory_id))
    action = "move" if set(fields) == {"scope"} else "edit"
    history.record(c, memory_id, action, client, before, after, when=now)
    if left:
        decisions.leave_replacer(c, row, along, client)  # superseded in the slot it left
    if action == "move":  # an edit folds in update (contract.py), unless a batch defers it
        fold_edited(c, memory_id, client)  # or into a correction saying the same


def fold(c: Connection, later: Any, into: Any, client: str | None, **detail: Any) -> None:
    """Fold row `later` into row `into`: what `into` keeps and takes of it
    (policies.folding), both histories, and `later` deleted with its index entries (triggers)."""
    adopt = folding.taken_over(
        into, json.loads(into["metadata"]), later, json.loads(later["metadata"])
    )
    if adopt:  # what the later copy says explicitly wins, as a repeat's would
        set_fields(c, into["id"], adopt)
        detail["changed"] = sorted(adopt)
    kept = folding.keep(
        json.loads(into["tags"]),
        into["expires_at"],
        json.loads(later["tags"]),
        later["expires_at"],
        later["repeat_count"],
    )
    keep(c, into["id"], kept, utc_now())
    detail.update(kept.detail)
    before = history.snapshot(into) if adopt else None
    after = history.snapshot(require_row(c, into["id"])) if adopt else None
    history.record(
        c, into["id"], "merge", client, before, after,
        text=later["content"], merged=later["id"], **detail,
    )  # fmt: skip
    history.record(c, later["id"], "merge", client, history.snapshot(later), into=into["id"])
    c.execute("delete from memories where id = :id", {"id": later["id"]})


def fold_repeats(c: Connection, memory_id: int, client: str | None) -> list[int]:
    """A memory just made current again (restored, moved, reinstated) stays the one memory
    of its text in its scope: the copies policies.folding picks fold into it (their ids)."""
    row = c.execute("select * from memories where id = :id", {"id": memory_id}).fetchone()
    if row is None:  # folded already into another one made current beside it
        return []
    same_text = _same_text(c, row)
    folded = folding.folded_into(
        memory_id, [folding.Copy.of_row(r, r["replaced"]) for r in same_text.values()]
    )
    for other in folded:
        fold(c, same_text[other], require_row(c, memory_id), client)
    return folded


def fold_edited(c: Connection, memory_id: int, client: str | None) -> tuple[int, list[int]]:
    """An edited memory made the one memory of its text in its scope: the copies fold into
    it (fold_repeats), or, when one left is a correction saying the same, it folds into that
    one (policies.folding.edited_into). (The id of the memory that holds it now, the ids
    folded away.)"""
    folded = fold_repeats(c, memory_id, client)
    row = c.execute("select * from memories where id = :id", {"id": memory_id}).fetchone()
    if row is None:  # folded already into another edited beside it (a Markdown import)
        return memory_id, folded
    same_text = _same_text(c, row)
    copies = [folding.Copy.of_row(r, r["replaced"]) for r in same_text.values()]
    into = folding.edited_into(memory_id, copies)
    if into is None:
        return memory_id, folded
    fold(c, same_text[memory_id], same_text[into], client)
    return into, [*folded, memory_id]


def _same_text(c: Connection, row: Any) -> dict[int, Any]:
    """Every memory of `row`'s scope with its text (itself too), by id, with `replaced`:
    whether it superseded another."""
    return {
        r["id"]: r
        for r in c.execute(
            """select m.*, exists (select 1 from memories r where r.superseded_by = m.id)
                   as replaced
               from memories m where scope = :scope and content_hash = :hash""",
            {"scope": row["scope"], "hash": row["content_hash"]},
        ).fetchall()
    }


def keep(c: Connection, memory_id: int, kept: folding.Kept, now: str) -> None:
    """Write what a memory keeps of a sighting. Its expiry only when it changes: the vector
    index's trigger logs every write of it."""
    if kept.expires_changed:
        c.execute(
            "update memories set expires_at = :expires where id = :id",
            {"expires": kept.expires_at, "id": memory_id},
        )
    c.execute(
        """
        update memories set repeat_count = repeat_count + :n, last_seen_at = :now, tags = :tags
        where id = :id
        """,
        {"id": memory_id, "n": kept.repeats, "now": now, "tags": json.dumps(kept.tags)},
    )


def set_fields(c: Connection, memory_id: int, fields: dict[str, Any]) -> None:
    """Update editable fields (tags and metadata as values, encoded here)."""
    params = {k: json.dumps(v) if k in ("tags", "metadata") else v for k, v in fields.items()}
    if "content" in params:
        params["content_hash"] = content_hash(params["content"])
    c.execute(
        _UPDATE,
        {
            "id": memory_id,
            "now": utc_now(),
            **{f"set_{k}": 1 if k in params else 0 for k in EDITABLE_COLUMNS},
            **{k: params.get(k) for k in EDITABLE_COLUMNS},
        },
    )
