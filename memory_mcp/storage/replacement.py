"""Making one stored memory the replacement of another (MemoryWrites.replace_with), and
restore's undo of a replacement: what both backends decide, inside the write's transaction,
from the two rows as read there."""

from typing import Any

from memory_mcp.errors import InvalidInput


def done_already(old: Any, new: Any) -> bool:
    """`new` replaced `old` already and is still current: the same request again (a retry,
    a second click) changes nothing and is not refused."""
    return bool(old["superseded_by"] == new["id"] and _current(new))


def check(old: Any, new: Any) -> None:
    """InvalidInput, saying what to do, unless current `new` may replace current `old` in
    their one scope. Both current: `new` has no successor, so the one cycle a replacement
    could make is a memory replacing itself."""
    old_id, new_id = old["id"], new["id"]
    if old_id == new_id:
        raise InvalidInput(f"Memory {old_id} cannot replace itself: name the later memory.")
    for row in (old, new):
        if row["forgotten_at"] is not None:
            raise InvalidInput(
                f"Memory {row['id']} is forgotten: restore it first (memory-mcp restore "
                f"{row['id']})."
            )
    if new["superseded_by"] is not None:
        raise InvalidInput(
            f"Memory {new_id} was itself replaced by {new['superseded_by']}: make that one "
            f"the replacement of {old_id} instead."
        )
    if old["superseded_by"] is not None:
        raise InvalidInput(
            f"Memory {old_id} was already replaced by {old['superseded_by']}; restore it "
            f"first (memory-mcp restore {old_id}) to have {new_id} replace it instead."
        )
    if old["scope"] != new["scope"]:
        raise InvalidInput(
            f"Memory {old_id} is in scope {old['scope']!r} and {new_id} in {new['scope']!r}: "
            f"a replacement lives in the scope of the memory it replaces; move one first."
        )


def reinstatable(row: Any, holders: list[Any]) -> bool:
    """Whether restore makes superseded `row` current again: not forgotten (restore
    brings that back first), and not a value its key's slot has another current value for
    (`holders`): a key keeps one current value, the later-stated."""
    return row["superseded_by"] is not None and row["forgotten_at"] is None and not holders


def _current(row: Any) -> bool:
    return row["superseded_by"] is None and row["forgotten_at"] is None
