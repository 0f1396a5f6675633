"""What a memory said again becomes: which repeats are one memory, and what a repeat changes.

The same text (dedup.normalize) in the same scope is one memory, with two exceptions and one
rule for what the later statement brings:
- Events on different days are different events: "I went to the dentist" on 3 March and on
  9 June are two memories. A repeat without a date, or on the same day (UTC), is a repeat.
  Facts, preferences and decisions hold until changed, whenever said: "I prefer tabs" on
  Monday and again on Thursday is one preference said twice (automatic capture dates every
  statement with its turn), so their dates never keep them apart.
- What the later statement says explicitly wins, as an edit would: another kind (but the
  default `note`, which says nothing), metadata values (but `imported_from`, which names
  where the memory itself came from), and a date, a key or a context for a memory that had
  none. Tags add up and the memory lives as long as the longer of the two (the backends do
  that). A key given to an unkeyed memory makes it that key's current value: the value held
  before is superseded by it, as a new value would be (the backends settle the slot). A
  context that differs from the one the memory has is not lost: the repeat's history entry
  records it (`heard_context`), the memory keeping the one it was first stored with.
Pure functions; the backends apply them inside the repeat's own transaction.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_KIND = "note"
# Where an imported memory came from (storage/sources.py): a repeat's source goes to the
# history entry of that sighting instead, so the memory still names its own.
IMPORTED_FROM = "imported_from"


@dataclass(frozen=True)
class Said:
    """The fields a repeat was said with (the texts already masked and checked)."""

    kind: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: str | None = None  # ISO-8601 UTC as stored (timestamps.format_time)
    key: str | None = None  # in its stored form (policies.keys.key_form)
    context: str | None = None

    @classmethod
    def of(cls, row: Any) -> "Said":
        """What a row to store (storage's NewRow: kind, metadata, occurred_at, key, context)
        says again."""
        return cls(row.kind, row.metadata, row.occurred_at, row.key, row.context)


LASTING_KINDS = ("fact", "preference", "decision")  # true until changed, whenever said


def event_time(kind: str | None, occurred_at: str | None) -> str | None:
    """The time that keeps a statement of `kind` apart from the same text on other days:
    its event time, but none for a lasting kind."""
    return None if kind in LASTING_KINDS else occurred_at


def event_day(occurred_at: str | None, kind: str | None = None) -> str | None:
    """The UTC day (YYYY-MM-DD) that keeps a statement of `kind` apart from the same text on
    other days: its stored event time's; None without one, or for a lasting kind."""
    at = event_time(kind, occurred_at)
    return None if at is None else at[:10]


def same_event(a: str | None, b: str | None) -> bool:
    """Whether two statements of one text can be one memory: not both dated on other days."""
    return a is None or b is None or event_day(a) == event_day(b)


def adopted(row: Mapping[str, Any], metadata: Mapping[str, Any], said: Said) -> dict[str, Any]:
    """The fields of a stored memory (`row`: its kind, event time, key and context, read by
    column name; `metadata` decoded) that a repeat changes."""
    kind, occurred_at = row["kind"], row["occurred_at"]
    changes: dict[str, Any] = {}
    if said.kind is not None and said.kind not in (DEFAULT_KIND, kind):
        changes["kind"] = said.kind
    added = {k: v for k, v in said.metadata.items() if k != IMPORTED_FROM}
    if any(k not in metadata or metadata[k] != v for k, v in added.items()):
        changes["metadata"] = {**metadata, **added}
    if occurred_at is None and said.occurred_at is not None:
        changes["occurred_at"] = said.occurred_at
    if row["key"] is None and said.key is not None:
        changes["key"] = said.key
    if not row["context"] and said.context:
        changes["context"] = said.context
    return changes


def heard_context(context: str | None, said: Said | None) -> str | None:
    """The context a repeat was said in, when the memory keeps another one (`context`): for
    its history entry, so the later situation is on record though the memory keeps its own."""
    if said is None or not said.context or not context or said.context == context:
        return None
    return said.context
