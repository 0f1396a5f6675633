"""The one spelling of a key: what `remember(key=...)` names is a slot, and a slot is the same
whichever way it was typed.

"User.Editor", "user.editor" and "USER.EDITOR" are one slot; so are "café" typed with a
composed "é" (U+00E9) and with "e" plus a combining accent (U+0065 U+0301), and "ｕｓｅｒ" typed
on a full-width keyboard. Keys are stored, compared and shown in this form (Unicode's
NFKC_Casefold recipe for caseless identifiers): comparing one form while showing another
would let two spellings of one slot look like two slots.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from memory_mcp.names import MAX_KEY_CHARS, caseless, name_form

# A secret masked in a key (policies.redact) keeps its marker as written.
_MARKER = re.compile(r"(\[REDACTED:[a-z_]+\])")


def key_form(key: str) -> str:
    """NFKC, case-folded, NFKC again (case folding can leave a text no longer normalised:
    "ǰ" folds to "j" plus a combining caron); masked secrets' markers as they are."""
    parts = _MARKER.split(key)  # text, marker, text, ...
    parts[::2] = [_folded(part) for part in parts[::2]]
    return "".join(parts)


def fitted_form(key: str) -> str:
    """The key's form cut to the longest a key may be (MAX_KEY_CHARS): keys written before
    they had one spelling were measured as typed, and folding lengthens some ("ß" is "ss"),
    but a key longer than that is refused by every write, so its export would not import
    again. The cut is in its form again (a cut may leave a letter a mark no longer follows)."""
    form = key_form(key)
    cut = MAX_KEY_CHARS
    while len(key_form(form[:cut])) > MAX_KEY_CHARS:
        cut -= 1
    return form if len(form) <= MAX_KEY_CHARS else key_form(form[:cut])


def _folded(text: str) -> str:
    return caseless(text)


def settle_spellings(
    rows: Iterable[Mapping[str, Any]],
) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    """How keys stored before they had one spelling take it: (superseded id, by id) for the
    values of one slot that were each current under another spelling (the later-created
    stays current, as a later remember of the key leaves it), and (id, key) for every row
    whose key is spelled otherwise. A form longer than a key may be is cut (fitted_form):
    keys that are one slot once cut are settled as one. `rows`: the keyed rows."""
    slots: dict[tuple[str, str], list[int]] = {}
    renamed = []
    for row in sorted(rows, key=lambda r: (r["created_at"], r["id"])):
        form = fitted_form(row["key"])
        if row["forgotten_at"] is None and row["superseded_by"] is None:
            slots.setdefault((row["scope"], form), []).append(row["id"])
        if form != row["key"]:
            renamed.append((row["id"], form))
    superseded = [(old, held[-1]) for held in slots.values() for old in held[:-1]]
    return superseded, renamed


def settle_names(
    rows: Iterable[Mapping[str, Any]],
) -> tuple[list[tuple[int, int]], list[tuple[int, str, list[str]]]]:
    """How scopes and tags stored before they had one Unicode form (names.name_form) take it:
    (superseded id, by id) for the values of one key that were each current in a scope
    spelled two ways, now one scope (the later-created stays current, as a later remember of
    the key leaves it), and (id, scope, tags) for every row whose scope or tags are spelled
    otherwise (tags that become one are kept once). `rows`: every row (id, scope, tags as a
    list, key, created_at, forgotten_at, superseded_by)."""
    slots: dict[tuple[str, str], list[int]] = {}
    renamed = []
    for row in sorted(rows, key=lambda r: (r["created_at"], r["id"])):
        scope = name_form(row["scope"])
        tags = list(dict.fromkeys(name_form(tag) for tag in row["tags"]))
        if row["key"] is not None and row["forgotten_at"] is None and row["superseded_by"] is None:
            slots.setdefault((scope, row["key"]), []).append(row["id"])
        if scope != row["scope"] or tags != row["tags"]:
            renamed.append((row["id"], scope, tags))
    superseded = [(old, held[-1]) for held in slots.values() for old in held[:-1]]
    return superseded, renamed


def rejoin_left_slots(
    rows: Iterable[Mapping[str, Any]], stranded: Iterable[int]
) -> tuple[list[tuple[int, int]], list[tuple[int, int | None]]]:
    """How values superseded by a memory that no longer holds their slot (scope, key) take
    their place, as a move settles one today: each joins its own slot as a restored memory
    does (the later-created of it and the slot's current value stays current; a forgotten
    one stays forgotten, superseded by nothing). Returns (superseded id, by id) for each
    new supersession, in order, and (id, its superseded_by in the end) for each stranded id.
    `rows`: the keyed rows of those slots (id, scope, key, created_at, forgotten_at,
    superseded_by)."""
    state = {int(r["id"]): dict(r) for r in rows}
    slots: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in state.values():
        slots.setdefault((r["scope"], r["key"]), []).append(r)

    def order(r: Mapping[str, Any]) -> tuple[Any, int]:
        return (r["created_at"], int(r["id"]))

    superseded: list[tuple[int, int]] = []
    settling = sorted(stranded, key=lambda i: order(state[i]))
    for memory_id in settling:
        row = state[memory_id]
        row["superseded_by"] = None
        if row["forgotten_at"] is None:
            holders = sorted(
                (
                    r
                    for r in slots[(row["scope"], row["key"])]
                    if r["id"] != memory_id
                    and r["forgotten_at"] is None
                    and r["superseded_by"] is None
                ),
                key=order,
            )
            if holders and order(holders[-1]) > order(row):
                row["superseded_by"] = holders[-1]["id"]
                superseded.append((memory_id, int(holders[-1]["id"])))
            else:
                for holder in holders:
                    holder["superseded_by"] = memory_id
                    superseded.append((int(holder["id"]), memory_id))
    return superseded, [(i, state[i]["superseded_by"]) for i in settling]
