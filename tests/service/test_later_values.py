"""A memory already stored shows the later current memories that may update it (remember's
`similar` the other way round), and one of them can be made its replacement in one step;
restore undoes it. With the real model, on both backends."""

import threading
from datetime import UTC, datetime

import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput, NotFound
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService

pytestmark = pytest.mark.model

OLD = "The staging database is on port 5433"
NEW = "Staging DB moved to port 6543"


@pytest.fixture
def svc(real_service: MemoryService) -> MemoryService:
    return real_service


def later_ids(svc: MemoryService, memory_id: int) -> list[int]:
    return [m.id for m in svc.later_memories(memory_id).later]


def test_the_old_value_names_the_later_one_and_not_the_other_way(svc: MemoryService) -> None:
    svc.remember("The user likes green tea")
    old = svc.remember(OLD)
    new = svc.remember(NEW)
    found = svc.later_memories(old.id)
    assert [(m.id, m.content) for m in found.later] == [(new.id, NEW)]
    assert found.note is None
    assert later_ids(svc, new.id) == []  # nothing later than the newest value
    svc.forget([old.id])
    assert later_ids(svc, old.id) == []  # forgotten: nothing to replace


def test_other_scopes_events_and_hidden_memories_are_never_named(svc: MemoryService) -> None:
    old = svc.remember(OLD, scope="p1")
    svc.remember(NEW, scope="p2")
    forgotten = svc.remember("The staging database moved to port 6000", scope="p1")
    svc.forget([forgotten.id])
    svc.remember("Staging DB moved to port 6543", kind="event", occurred_at="2026-03-03",
                 scope="p1")  # fmt: skip
    assert later_ids(svc, old.id) == []


def test_replace_with_supersedes_and_restore_brings_it_back(svc: MemoryService) -> None:
    old = svc.remember(OLD)
    new = svc.remember(NEW)
    repeats = svc.get(new.id).repeat_count
    replaced = svc.replace_with(old.id, new.id, client="test")
    assert (replaced.superseded_by, svc.superseded(new.id)) == (new.id, [old.id])
    assert svc.get(new.id).repeat_count == repeats  # no repeat counted, unlike remember
    assert [h.id for h in svc.recall("which port is the staging database on?").hits] == [new.id]
    assert svc.later_memories(old.id).later == []  # replaced: nothing to show
    entry = svc.history(old.id, limit=1)[0]
    assert (entry.action, entry.detail.get("by")) == ("supersede", new.id)
    assert svc.replace_with(old.id, new.id).superseded_by == new.id  # a retry: done already
    result = svc.restore([old.id])
    assert result.restored == [old.id] and result.still_superseded == {}
    assert svc.get(old.id).superseded_by is None
    assert later_ids(svc, old.id) == [new.id]
    assert svc.history(old.id, limit=1)[0].action == "restore"


def test_replace_with_refuses_what_cannot_be(svc: MemoryService) -> None:
    old = svc.remember(OLD, scope="p1")
    new = svc.remember(NEW, scope="p1")
    other = svc.remember("The staging database is on port 7000", scope="p2")
    with pytest.raises(InvalidInput, match="cannot replace itself"):
        svc.replace_with(old.id, old.id)
    with pytest.raises(InvalidInput, match="in scope 'p1' and .* in 'p2'"):
        svc.replace_with(old.id, other.id)
    with pytest.raises(NotFound):
        svc.replace_with(old.id, 99999)
    svc.forget([new.id])
    with pytest.raises(InvalidInput, match=f"Memory {new.id} is forgotten"):
        svc.replace_with(old.id, new.id)
    svc.restore([new.id])
    svc.replace_with(old.id, new.id)
    newest = svc.remember("Staging database moved again, to port 6600", scope="p1")
    with pytest.raises(InvalidInput, match=f"already replaced by {new.id}"):
        svc.replace_with(old.id, newest.id)
    with pytest.raises(InvalidInput, match=f"{old.id} was itself replaced by {new.id}"):
        svc.replace_with(newest.id, old.id)  # the way back would be a cycle: old -> new -> old
    assert svc.get(old.id).superseded_by == new.id


def test_a_keyed_value_stays_behind_its_slot_on_restore(svc: MemoryService) -> None:
    """A key keeps one current value: restore does not undo a key's supersede."""
    vim = svc.remember("Editor is Vim", key="user.editor")
    svc.remember("Editor is Helix", key="user.editor")
    result = svc.restore([vim.id])
    assert result.restored == [] and vim.id in result.still_superseded


def test_an_undo_of_a_forget_done_twice_leaves_the_replacement(svc: MemoryService) -> None:
    """Restore undoes a replacement too: the undo of a forget (the web UI's Undo, its
    Forgotten list, a forgotten memory's Restore) asks for the forget only, so a second one
    (a retry, a second tab) does not bring a replaced value back beside its replacement."""
    old = svc.remember(OLD)
    new = svc.remember(NEW, replaces=old.id)
    svc.forget([old.id])
    for _ in range(2):
        result = svc.restore([old.id], replaced=False)
        assert svc.get(old.id).superseded_by == new.id and old.id in result.still_superseded
    assert result.restored == [] and result.not_forgotten == [old.id]
    assert svc.restore([old.id]).restored == [old.id]  # asked for: the replacement undone
    assert svc.get(old.id).superseded_by is None


def test_as_of_a_moment_a_replacement_since_undone_was_in_effect(svc: MemoryService) -> None:
    """Restore of a replaced memory clears its superseded_at: as_of a moment between the
    replacement and the undo read it as current then, beside what had replaced it. Its
    history's restore keeps the moment it was superseded (`was`); as_of reads it, on both
    legs (keyword only and by meaning) and in list."""
    old = svc.remember(OLD)
    new = svc.remember(NEW)
    before = datetime.now(UTC)
    svc.replace_with(old.id, new.id)
    between = datetime.now(UTC)
    svc.restore([old.id])
    after = datetime.now(UTC)
    question = "which port is the staging database on?"
    for moment, shown in [
        (before, {old.id, new.id}),
        (between, {new.id}),
        (after, {old.id, new.id}),
    ]:
        assert {h.id for h in svc.recall(question, as_of=moment).hits} == shown, moment
        listed = svc.list_memories(MemoryFilter(as_of=moment))
        assert {m.id for m in listed} == shown, moment


def test_keyword_only_says_why_none_are_shown(keyword_service: MemoryService) -> None:
    old = keyword_service.remember(OLD)
    keyword_service.remember(NEW)
    found = keyword_service.later_memories(old.id)
    assert found.later == [] and "found by meaning: none are shown now" in (found.note or "")


def test_replacements_racing_for_one_memory_leave_it_replaced_once(settings: Settings) -> None:
    """Four writers (each its own connection) make four later memories replace one at the
    same moment: the decision is taken inside each write's transaction, so one wins and the
    others are told what replaced it."""
    plain = settings.model_copy(update={"semantic": False})
    services = [MemoryService.open(plain) for _ in range(4)]
    try:
        old = services[0].remember("The build runs on Jenkins").id
        news = [services[0].remember(f"The build moved to runner {i}").id for i in range(4)]
        barrier = threading.Barrier(4)
        outcomes: list[str] = []

        def replace(svc: MemoryService, new: int) -> None:
            barrier.wait()
            try:
                svc.replace_with(old, new)
                outcomes.append("replaced")
            except InvalidInput as exc:
                outcomes.append("refused" if "already replaced by" in str(exc) else str(exc))

        threads = [
            threading.Thread(target=replace, args=pair) for pair in zip(services, news, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["refused", "refused", "refused", "replaced"]
        winner = services[0].get(old).superseded_by
        assert winner in news
        assert [e.action for e in services[0].history(old)].count("supersede") == 1
    finally:
        for svc in services:
            svc.close()
