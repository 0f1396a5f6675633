"""policies.keys.rejoin_left_slots: values hidden by a slot they left, settled in order."""

from typing import Any

from memory_mcp.policies.keys import rejoin_left_slots


def _row(mid: int, scope: str, at: int, by: int | None = None, gone: bool = False) -> Any:
    return {
        "id": mid, "scope": scope, "key": "k", "created_at": f"2026-01-01T00:00:{at:02d}Z",
        "forgotten_at": "2026-01-02T00:00Z" if gone else None, "superseded_by": by,
    }  # fmt: skip


def test_each_joins_its_own_slot_the_later_created_staying_current() -> None:
    rows = [
        _row(1, "a", 1, by=9), _row(2, "a", 2, by=9),  # two stranded in one empty slot
        _row(3, "b", 3), _row(4, "b", 4, by=9),  # later than b's value: takes it over
        _row(5, "c", 9), _row(6, "c", 5, by=9),  # older than c's value: superseded by it
        _row(7, "d", 6, by=9, gone=True), _row(8, "d", 7),  # forgotten: stays forgotten
        _row(9, "z", 8),
    ]  # fmt: skip
    superseded, settled = rejoin_left_slots(rows, [1, 2, 4, 6, 7])
    assert superseded == [(1, 2), (3, 4), (6, 5)]
    assert dict(settled) == {1: 2, 2: None, 4: None, 6: 5, 7: None}
