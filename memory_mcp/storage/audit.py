"""What every backend's history (audit trail) holds, whatever stores it: the actions it
records, the fields a before/after snapshot keeps, and how scrub rewrites what it said
and the names a memory holds."""

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from memory_mcp.names import printed_name, tag_form
from memory_mcp.policies.keys import key_form
from memory_mcp.policies.keyword_text import IGNORED, bracket
from memory_mcp.storage.records import SCRUBBED

ACTIONS = (
    "create", "duplicate", "merge", "supersede", "edit", "move",
    "forget", "restore", "purge", "import", "expire", "scrub",
)  # fmt: skip

# `context` too: an edit of it alone was on record as an entry whose before and after were
# the same, the context it replaced lost.
SNAPSHOT_FIELDS = (
    "content", "kind", "tags", "scope", "key", "metadata", "occurred_at", "expires_at",
    "context",
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


class Erasure:
    """What scrub replaces with `[scrubbed]`, field by field: the text as typed, and in a
    field the product stores in its own spelling, that spelling of the text too. Keys and
    tags are folded (policies.keys, names.tag_form: `Hunter2XYZ` is stored `hunter2xyz`),
    and keys, tags and scopes lose their invisible format characters (names.printed_name);
    so a secret that reached a key is erased however it is typed now. Other fields hold what
    was typed, and only that is replaced in them, in any form that prints the same: composed or
    decomposed (NFC, NFD), with or without invisible characters (a zero-width space, a soft
    hyphen, a bidi mark) between its letters."""

    def __init__(self, text: str) -> None:
        bare = printed_name(text)
        self._typed = _pattern((text,))
        self._named = {
            "key": _pattern((text, key_form(bare))),
            "tags": _pattern((text, tag_form(bare))),
            "scope": _pattern((text, bare)),
        }

    def in_field(self, field: str, value: Any) -> Any:
        """`value` (decoded JSON) of the memory's `field`, with the text erased."""
        if field == "tags":
            return replace_in(value, self._in_tag)
        pattern = self._named.get(field, self._typed)
        return replace_in(value, lambda s: pattern.sub(SCRUBBED, s))

    def _in_tag(self, tag: str) -> str:
        """A tag in any spelling whose fold holds the text: the history keeps tags as an
        older memory-mcp stored them (lower-cased only, before schema step 18: full-width
        `ｈｕｎｔｅｒ２` for `hunter2`), erased then in their folded form."""
        pattern = self._named["tags"]
        if (erased := pattern.sub(SCRUBBED, tag)) != tag:
            return erased
        folded = tag_form(tag)
        return pattern.sub(SCRUBBED, folded) if pattern.search(folded) else tag

    def in_record(self, value: Any) -> Any:
        """A history column (a before/after snapshot, or a detail): each top-level entry
        erased as the field it names holds the text; the names themselves are the code's."""
        if isinstance(value, dict):
            return {name: self.in_field(_HELD.get(name) or name, v) for name, v in value.items()}
        return self.in_field("", value)


# A history detail holding a field's values in the spelling that field stores: a repeat's
# new tags (folded, as the memory's tags are).
_HELD = {"tags_added": "tags"}

_INVISIBLE = re.compile(f"[{bracket(IGNORED)}]")
_ANY_INVISIBLE = f"{_INVISIBLE.pattern}*"


def _pattern(forms: tuple[str, ...]) -> re.Pattern[str]:
    """One pass over every form, longest first: a form replaced is never matched again
    inside the marker that replaced another. Each form matches composed and decomposed,
    with any invisible characters between its letters."""
    shown = {_INVISIBLE.sub("", f) for f in forms}
    spelled = {unicodedata.normalize(n, f) for f in shown if f for n in ("NFC", "NFD")}
    ordered = sorted(spelled, key=len, reverse=True)
    if not ordered:  # nothing visible to look for: match nothing (never the empty string)
        return re.compile("(?!)")
    return re.compile("|".join(_ANY_INVISIBLE.join(map(re.escape, f)) for f in ordered))


def scrubbed_names(row: Any, erasure: Erasure) -> tuple[dict[str, str], str | None]:
    """What scrub changes of the text in a memory's names (`row`: key, scope,
    forget_reason): the key and scope it held it in, each with `[scrubbed]` in its place (a
    new slot: the backends move the memory there as an edit would), and the forget reason
    rewritten, or None if that did not hold it."""
    named = {k: (row[k], erasure.in_field(k, row[k])) for k in ("key", "scope") if row[k]}
    slot = {k: new for k, (old, new) in named.items() if new != old}
    reason = row["forget_reason"] or ""
    erased = erasure.in_field("forget_reason", reason)
    return slot, (erased if erased != reason else None)


def settled_keys(part: str, ids: list[int]) -> str:
    """How doctor --repair names the current-key index it made after settling the values
    that shared a key (both backends' currentkeys.py)."""
    if not ids:
        return part
    listed = ", ".join(str(i) for i in ids)
    return (
        f"{part} (first {len(ids)} current value(s) sharing a key with a newer one were "
        f"superseded by it, history kept: {listed})"
    )


def names_then(rows: Iterable[tuple[int, str | None]]) -> dict[int, tuple[str, str | None]]:
    """Storage.names_at from (memory id, the JSON `before` of its first change after the
    moment that holds a scope, or None): its scope and key then, by id; a memory with no
    such change is left out (its names then are its names now)."""
    found: dict[int, tuple[str, str | None]] = {}
    for memory_id, before in rows:
        snapshot = json.loads(before) if before else None
        if isinstance(snapshot, dict) and isinstance(snapshot.get("scope"), str):
            key = snapshot.get("key")
            found[memory_id] = (snapshot["scope"], key if isinstance(key, str) else None)
    return found
