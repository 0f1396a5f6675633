"""as_of across a value that became current again because what replaced it left its key's
slot (re-keyed or moved): the rejoin clears the old value's superseded_at, and as_of a moment
when the replacement was in effect read the old value as current beside it."""

from datetime import UTC, datetime

import pytest

from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService


def current_then(service: MemoryService, moment: datetime) -> set[int]:
    return {m.id for m in service.list_memories(MemoryFilter(as_of=moment))}


@pytest.mark.parametrize("leaves", ["rekeyed", "moved"])
def test_as_of_while_a_replacement_held_the_slot_shows_it_alone(
    service: MemoryService, leaves: str
) -> None:
    helix = service.remember("Editor is Helix", key="user.editor")
    zed = service.remember("Editor is Zed", key="user.editor")
    assert service.get(helix.id).superseded_by == zed.id
    held = datetime.now(UTC)
    if leaves == "rekeyed":
        service.update(zed.id, key="user.editor.work")
    else:
        service.move([zed.id], "elsewhere")
    after = datetime.now(UTC)
    assert service.get(helix.id).superseded_by is None  # the slot's value again
    assert current_then(service, held) == {zed.id}
    assert current_then(service, after) == {helix.id, zed.id}
    hits = service.recall("Editor", as_of=held).hits
    assert {h.id for h in hits} == {zed.id}
