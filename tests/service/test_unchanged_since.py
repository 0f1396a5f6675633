"""An edit or purge decided on what a caller saw (an editor, a form, a confirmation page) is
written only over that version: `unchanged_since` is checked inside the write's transaction,
so another writer's change landing after the caller's last read is never overwritten.

The race is real: a second service on the same file or database writes in the gap between
the edit's read and its write (the embedding of the new text, where a real model takes
tens of milliseconds), on both backends."""

from collections.abc import Callable, Iterator

import numpy as np
import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import Changed
from memory_mcp.policies import access
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder


class GapEmbedder(FakeEmbedder):
    """Runs `in_gap` once, the first time it embeds a document after it is set."""

    in_gap: Callable[[], None] | None = None

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if self.in_gap is not None:
            step, self.in_gap = self.in_gap, None
            step()
        return super().embed_documents(texts)


@pytest.fixture
def embedder() -> GapEmbedder:
    return GapEmbedder()


@pytest.fixture
def other(settings: Settings) -> Iterator[MemoryService]:
    """A second writer on the same file or database (the MCP server, the web UI)."""
    svc = MemoryService.open(settings, embedder=FakeEmbedder())
    yield svc
    svc.close()


# what the other writer does meanwhile, each a change the edit would silently undo
CHANGES: dict[str, Callable[[MemoryService, int], object]] = {
    "edit": lambda s, i: s.update(i, content="The deploy window is Friday 9:00", client="mcp"),
    "move": lambda s, i: s.move([i], "elsewhere", client="mcp"),
    "forget": lambda s, i: s.forget([i], "wrong", client="mcp"),
    "supersede": lambda s, i: s.remember("Deploys are on Mondays now", key="deploy.day"),
    "repeat": lambda s, i: s.remember("The deploy window is Thursday 9:00", tags=["ops"]),
    "purge": lambda s, i: s.purge([i], client="mcp"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_edit_landing_after_the_read_is_not_overwritten(
    service: MemoryService, other: MemoryService, embedder: GapEmbedder, change: str
) -> None:
    memory = service.remember("The deploy window is Thursday 9:00", key="deploy.day")
    seen = service.get(memory.id)
    embedder.in_gap = lambda: CHANGES[change](other, memory.id)  # after update's own read
    with pytest.raises(Changed) as refused:
        service.update(memory.id, content="The deploy window is Thursday 10:00",
                       client="cli", unchanged_since=seen.changed_at)  # fmt: skip
    message = str(refused.value)
    assert f"Memory #{memory.id}" in message and "nothing was written" in message
    assert "\n" not in message
    after = other.get_many([memory.id])
    assert all("10:00" not in m.content for m in after)  # the other writer's state stands
    if change != "purge":
        assert [e.action for e in service.history(memory.id, 1)] != ["edit"] or change == "edit"
        assert "by mcp" in message or change in ("supersede", "repeat")


def test_the_message_says_when_and_by_whom(service: MemoryService, other: MemoryService) -> None:
    memory = service.remember("The office opens at 8")
    seen = service.get(memory.id)
    other.update(memory.id, content="The office opens at 9", client="claude-desktop")
    with pytest.raises(Changed) as refused:
        service.update(memory.id, content="The office opens at 7", unchanged_since=seen.changed_at)
    last = service.history(memory.id, 1)[0]
    assert "edit by claude-desktop at " in str(refused.value)
    assert f"{last.at:%Y-%m-%d %H:%M}" in str(refused.value)
    assert service.get(memory.id).content == "The office opens at 9"


def test_an_edit_on_the_current_version_is_written(service: MemoryService) -> None:
    memory = service.remember("The office opens at 8")
    seen = service.get(memory.id)
    done = service.update(memory.id, content="The office opens at 9",
                          unchanged_since=seen.changed_at)  # fmt: skip
    assert done.content == "The office opens at 9"
    again = service.update(memory.id, tags=["office"], unchanged_since=done.changed_at)
    assert again.tags == ["office"]


def test_a_purge_confirmed_on_a_stale_view_deletes_none(
    service: MemoryService, other: MemoryService
) -> None:
    a = service.remember("Alpha note to delete")
    b = service.remember("Bravo note to delete")
    seen = {m.id: m.changed_at for m in service.get_many([a.id, b.id])}
    other.update(b.id, content="Bravo note, now worth keeping", client="mcp")
    with pytest.raises(Changed) as refused:
        service.purge([a.id, b.id], client="ui", unchanged_since=seen)
    assert f"Memory #{b.id} changed" in str(refused.value)
    assert [m.id for m in service.get_many([a.id, b.id])] == [a.id, b.id]  # none deleted
    fresh = {m.id: m.changed_at for m in service.get_many([a.id, b.id])}
    assert service.purge([a.id, b.id], client="ui", unchanged_since=fresh) == [a.id, b.id]


def test_a_purge_of_one_deleted_meanwhile_says_so(
    service: MemoryService, other: MemoryService
) -> None:
    a = service.remember("Alpha note to delete")
    seen = {a.id: service.get(a.id).changed_at}
    other.purge([a.id], client="mcp")
    with pytest.raises(Changed, match=rf"Memory #{a.id} was deleted since .*purge by mcp"):
        service.purge([a.id], client="ui", unchanged_since=seen)


def test_one_moved_where_the_caller_may_not_read_reads_as_deleted(
    service: MemoryService,
) -> None:
    """A memory the caller may not read is told as one that does not exist: moved out of
    its sight, it was said to have 'changed' (it still existed), a purge's 'was deleted'."""
    alice = service.as_principal(access.principal("alice", access.parse_grants(["team=write"])))
    moved = alice.remember("The team ferry leaves at nine", scope="team")
    purged = alice.remember("The team ferry leaves from pier 4", scope="team")
    seen = {m.id: m.changed_at for m in alice.get_many([moved.id, purged.id])}
    service.move([moved.id], "vault", client="mcp")
    service.purge([purged.id], client="mcp")
    said = []
    for memory_id in (moved.id, purged.id):
        with pytest.raises(Changed) as refused:
            alice.update(memory_id, content="At ten", unchanged_since=seen[memory_id])
        said.append(str(refused.value).replace(str(memory_id), "N"))
    assert said[0] == said[1] and "was deleted" in said[0]
    with pytest.raises(Changed) as refused:
        alice.purge([moved.id], unchanged_since={moved.id: seen[moved.id]})
    assert str(refused.value).replace(str(moved.id), "N") == said[1]
