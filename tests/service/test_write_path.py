"""What one `remember` sends to SQLite: the statements it needs and no more (counted with
the connection's trace callback, not timed: speed figures are in benchmarks/speed.py)."""

from collections.abc import Callable
from typing import Any

import pytest

from memory_mcp.service import MemoryService

BUDGET = 10  # was 16: three sqlite_master scans, a read of no ids, two reads of the new row


def sent(service: MemoryService, action: Callable[[], Any]) -> list[str]:
    """The statements `action` sent on the store's connection (statements run by triggers,
    which the callback reports as comments or as their statement again, left out)."""
    seen: list[str] = []
    conn = service.store.conn  # type: ignore[attr-defined]
    conn.set_trace_callback(seen.append)
    try:
        action()
    finally:
        conn.set_trace_callback(None)
    ours = [" ".join(s.split()) for s in seen if not s.lstrip().startswith("--")]
    return [s for i, s in enumerate(ours) if i == 0 or s != ours[i - 1]]


@pytest.mark.sqlite_only
def test_remember_sends_only_the_statements_it_needs(service: MemoryService) -> None:
    for n in range(5):
        service.remember(f"Deploy window number {n} is on Thursday at {n} pm")
    stored: list[Any] = []
    statements = sent(
        service, lambda: stored.append(service.remember("Billing runs at midnight UTC"))
    )
    assert stored[0].status == "created"
    assert not [s for s in statements if "sqlite_master" in s]  # the vector index is known
    assert not [s for s in statements if "json_each('[]')" in s]  # no near duplicate to read
    reads = [s for s in statements if s.startswith(("select * from memories where id",
                                                     "select m.*"))]  # fmt: skip
    assert len(reads) == 1, reads  # the exact-repeat check; the new row is never read back
    assert len(statements) <= BUDGET, "\n".join(statements)
    assert (
        stored[0].model_dump(exclude={"status"}).items()
        >= service.get(stored[0].id).model_dump().items()
    )


def test_a_keyed_remember_returns_the_row_as_stored(service: MemoryService) -> None:
    first = service.remember("Editor is Helix", key="user.editor")
    second = service.remember("Editor is Zed", key="user.editor", tags=["tools"])
    assert second.status == "superseded" and second.supersedes == [first.id]
    shown = service.get(second.id).model_dump()
    assert {k: v for k, v in second.model_dump().items() if k in shown} == shown
    assert service.get(first.id).superseded_by == second.id
