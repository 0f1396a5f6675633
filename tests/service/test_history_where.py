"""Where a memory was when a history entry was made, however long its history since: an
entry made while the memory was in a scope the caller may not read has no details, even when
thousands of entries without a snapshot followed its move (the scan read only the newest
10,000). On both backends."""

from datetime import UTC, datetime

from memory_mcp.models import HistoryEntry
from memory_mcp.policies import access
from memory_mcp.service import MemoryService

LATER = 10_050  # entries after the move that say nothing of the memory's scope


def test_an_entry_made_in_an_unreadable_scope_stays_hidden_after_a_long_history(
    keyword_service: MemoryService,
) -> None:
    owner = keyword_service
    dave = owner.as_principal(access.principal("dave", access.parse_grants(["vault=write"])))
    bob = owner.as_principal(access.principal("bob", access.parse_grants(["team=read"])))
    memory = owner.remember("Badge readers log to the gatehouse", scope="vault").id
    dave.forget([memory], reason="dave read the vault badge log")
    dave.restore([memory])
    owner.move([memory], "team")
    head = owner.history(memory, limit=1)[0].id
    at = datetime.now(UTC)
    plain = [
        HistoryEntry(id=head + n, memory_id=memory, action="restore", at=at, client="test",
                     before=None, after=None, detail={"note": "no snapshot"})
        for n in range(1, LATER + 1)
    ]  # fmt: skip
    assert owner.store.copy_history(plain) == LATER

    by_dave = bob.history(by="dave")
    assert [(e.action, e.detail) for e in by_dave] == [("restore", {}), ("forget", {})]
    assert [e.detail for e in owner.history(by="dave")][1] == {
        "reason": "dave read the vault badge log"
    }
    newest = bob.history(memory, limit=3)
    assert [e.detail for e in newest] == [{"note": "no snapshot"}] * 3
