"""Repeats folded into one memory: which stored copies of a text fold into the memory that
stays, and what that memory keeps of a copy or of another sighting.

Both backends read the rows inside the write transaction and apply what is decided here, so
SQLite and PostgreSQL cannot drift apart on the rules (they once held them in two dialects).
Pure functions, no I/O.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from memory_mcp.policies.repeats import DEFAULT_KIND, Said, adopted, event_day
from memory_mcp.timestamps import longer_life

MAX_REPEAT_CLIENTS = 16  # clients named on a coalesced repeat entry


@dataclass(frozen=True)
class Copy:
    """What a fold decision reads of a stored memory."""

    id: int
    key: str | None
    hidden: bool  # forgotten or superseded
    replaced_another: bool  # it superseded a memory: folding it away orphans that correction
    day: str | None = None  # its event's day (policies/repeats.py): None when undated or lasting
    # what superseded it, when that alone hides it (it is not forgotten)
    successor: int | None = None

    @classmethod
    def of_row(cls, row: Any, replaced_another: bool) -> "Copy":
        """From a stored row (either backend's: read by column name)."""
        hidden = row["forgotten_at"] is not None or row["superseded_by"] is not None
        day = event_day(row["occurred_at"], row["kind"])
        successor = row["superseded_by"] if row["forgotten_at"] is None else None
        return cls(int(row["id"]), row["key"], hidden, bool(replaced_another), day, successor)


@dataclass(frozen=True)
class Kept:
    """What the memory that stays holds after a sighting: `tags` (its own first, then the
    new ones), `expires_at` (the longer life; `expires_changed`: write it), and how many
    sightings to add to its repeat count."""

    tags: list[str]
    tags_added: list[str]
    expires_at: str | None
    expires_changed: bool
    repeats: int
    detail: dict[str, Any] = field(default_factory=dict)  # what its history entry adds


def can_fold(later: Copy, into: Copy) -> bool:
    """Whether `later` may fold into `into`: both visible, and `later` replaced nothing (a
    correction folded away would leave what it corrected pointing at nothing)."""
    return not (later.hidden or into.hidden or later.replaced_another)


def folded_into(kept_id: int, same_text: Iterable[Copy]) -> list[int]:
    """The ids, oldest first, of the memories that fold into `kept_id` when it becomes
    current again (restored, moved, reinstated), from `same_text`: every memory of its
    scope with its normalised text, itself included. The visible ones with its key and its
    event day (or both undated: a fold would lose a date) fold, except one that replaced
    another. A memory restored only to be superseded (its key has a later value) is the
    copy its text said again became, when that was superseded by the same memory: that copy
    folds (one statement with one fate, not two); one superseded by another memory is a
    value the key had again later and stays. None when it is forgotten (or not among them)."""
    copies = list(same_text)
    kept = next((copy for copy in copies if copy.id == kept_id), None)
    if kept is None or (kept.hidden and kept.successor is None):
        return []
    return sorted(
        copy.id
        for copy in copies
        if copy.id != kept.id
        and (copy.key, copy.day) == (kept.key, kept.day)
        and not copy.replaced_another
        and (copy.successor == kept.successor if kept.hidden else can_fold(copy, kept))
    )


def edited_into(edited_id: int, same_text: Iterable[Copy]) -> int | None:
    """Where a memory just edited to say what others in its scope say folds, once the copies
    folded_into picks folded into it: into the oldest one left visible with its key and event
    day (one that replaced another, which is never folded away), as a remember of the text
    counts on that one; None when there is none, or the edited one may not fold (hidden, or
    itself a correction)."""
    copies = sorted(same_text, key=lambda copy: copy.id)
    edited = next((copy for copy in copies if copy.id == edited_id), None)
    if edited is None:
        return None
    return next(
        (
            copy.id
            for copy in copies
            if copy.id != edited_id
            and (copy.key, copy.day) == (edited.key, edited.day)
            and can_fold(edited, copy)
        ),
        None,
    )


def keep(
    tags: Sequence[str],
    expires_at: str | None,
    new_tags: Sequence[str],
    new_expires_at: str | None,
    repeats: int = 1,
) -> Kept:
    """A memory (`tags`, `expires_at`) seen again with `new_tags`, `new_expires_at` (None:
    never expires) and `repeats` sightings: it gains the tags and lives as long as the later
    statement asked ("X" for good after "X" for a day must not vanish with the first)."""
    merged = list(dict.fromkeys([*tags, *new_tags]))
    expires = longer_life(expires_at, new_expires_at)
    changed = expires != expires_at
    detail = {"expires": expires or "never"} if changed else {}
    added = merged[len(tags) :] if merged != list(tags) else []
    return Kept(merged, added, expires, changed, repeats, detail)


def taken_over(
    into: Mapping[str, Any],
    into_metadata: Mapping[str, Any],
    later: Mapping[str, Any],
    later_metadata: Mapping[str, Any],
) -> dict[str, Any]:
    """The fields the memory that stays (`into`; rows read by column name, metadata decoded)
    takes of a copy folded into it, as of a counted repeat (policies.repeats.adopted): a
    copy created after it brings its explicit kind and its metadata values; one created
    before it (a memory restored over an older copy) only what it lacks, the later statement
    winning either way; and a date or a context it lacked. Never its key: copies of one key
    fold, and a keyed copy is never merged as a rewording."""
    kind: str | None = later["kind"]
    if (later["created_at"], later["id"]) < (into["created_at"], into["id"]):
        later_metadata = {k: v for k, v in later_metadata.items() if k not in into_metadata}
        kind = kind if into["kind"] == DEFAULT_KIND else None
    said = Said(kind, later_metadata, later["occurred_at"], context=later["context"])
    return adopted(into, into_metadata, said)


def coalesced_repeat(
    last_action: str,
    last_client: str | None,
    last_detail: dict[str, Any],
    client: str | None,
    now: str,
) -> dict[str, Any] | None:
    """The detail of the memory's newest history entry with one more plain repeat by
    `client` at `now` folded in, or None when that entry is not a plain repeat (then a new
    entry is written). So a memory said 20,000 times keeps a short history."""
    if last_action != "duplicate" or last_detail.get("tags_added"):
        return None
    detail = dict(last_detail)
    clients = list(detail.get("clients") or [last_client])
    if client not in clients and len(clients) < MAX_REPEAT_CLIENTS:
        clients.append(client)
    detail.update(count=int(detail.get("count", 1)) + 1, last_at=now, clients=clients)
    return detail
