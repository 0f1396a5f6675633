"""A clock stepped back (NTP, a VM restored from a snapshot, a replica's host behind the
others) between two writes of one key, on both backends: the value written last stays the
value whatever the clock said, through every later decision that keeps "the later-created
value" current."""

from datetime import timedelta

import pytest

from memory_mcp import timestamps
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService
from tests.clock import behind


def _current(svc: MemoryService, scope: str) -> list[str]:
    return [m.content for m in svc.store.current_for_key(scope, "user.shell")]


def test_a_value_written_after_the_clock_stepped_back_stays_the_later_one(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It was dated an hour before the value it superseded, so moving it away and back
    (or restoring the old one) made the old value current again: recall said bash."""
    svc = keyword_service
    svc.remember("Shell is bash", key="user.shell", scope="p1")
    monkeypatch.setattr(timestamps, "datetime", behind(1))
    zsh = svc.remember("Shell is zsh", key="user.shell", scope="p1")
    assert zsh.status == "superseded" and _current(svc, "p1") == ["Shell is zsh"]
    svc.move([zsh.id], "p2")
    assert _current(svc, "p1") == ["Shell is bash"]  # the slot it left has its value back
    svc.move([zsh.id], "p1")
    assert _current(svc, "p1") == ["Shell is zsh"]
    assert [h.content for h in svc.recall("shell", scope="p1").hits] == ["Shell is zsh"]
    # A forgotten value restored after a newer one was written meanwhile stays superseded.
    fish = svc.remember("Shell is fish", key="user.shell", scope="p1").id
    svc.forget([fish])
    monkeypatch.setattr(timestamps, "datetime", behind(2))  # back again
    svc.remember("Shell is nu", key="user.shell", scope="p1")
    svc.restore([fish])
    assert _current(svc, "p1") == ["Shell is nu"]
    # A correction is dated after what it corrects too.
    old = svc.remember("Standup is at 9", scope="p1")
    fix = svc.remember("Standup is at 10", scope="p1", replaces=old.id)
    assert svc.get(fix.id).created_at > svc.get(old.id).created_at


def test_as_of_finds_one_value_current_at_every_moment_after_the_clock_stepped_back(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new value was dated after the old one, but the old one's superseded_at was the
    clock's (an hour before): an as_of between the two times found neither current, one
    at the old value's own time found nothing."""
    svc = keyword_service
    bash = svc.remember("Shell is bash", key="user.shell", scope="p1").id
    old = svc.remember("Standup is at 9", scope="p1").id
    monkeypatch.setattr(timestamps, "datetime", behind(1))
    zsh = svc.remember("Shell is zsh", key="user.shell", scope="p1").id
    fix = svc.remember("Standup is at 10", scope="p1", replaces=old).id
    monkeypatch.undo()
    for before, after in ((bash, zsh), (old, fix)):
        successor = svc.get(after).created_at
        assert svc.get(before).superseded_at == successor
        for moment, current in (
            (svc.get(before).created_at, before),
            (successor - timedelta(microseconds=1), before),
            (successor, after),
        ):
            flt = MemoryFilter(scopes=["p1"], as_of=moment)
            found = {m.id for m in svc.list_memories(flt)} & {before, after}
            assert found == {current}, (moment, before, after)


def test_later_than_reads_times_not_text() -> None:
    """Compared as text, an unpadded year an older version wrote ("999-…") sorted after
    "2026-…": a new value would have been dated in the year 999."""
    now = "2026-12-07T07:00:00.000000Z"
    assert timestamps.later_than(now, []) == now
    assert timestamps.later_than(now, ["999-01-01T00:00:00.000000Z"]) == now
    later = ["2026-12-07T08:00:00.000000Z", "2026-12-07T06:00:00.000000Z"]
    assert timestamps.later_than(now, later) == "2026-12-07T08:00:00.000001Z"
    last = "9999-12-31T23:59:59.999999Z"  # no later time to give: the same, the id decides
    assert timestamps.later_than(now, [last]) == last


def test_a_value_is_never_superseded_before_it_was_written(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repeat that takes a key supersedes the slot's value (so do a move, a restore) at the
    clock's time: after a step back, an hour before that value was written, so as_of never
    found it current, at any moment."""
    svc = keyword_service
    monkeypatch.setattr(timestamps, "datetime", behind(1))
    vim = svc.remember("Editor is vim", scope="p1").id
    monkeypatch.undo()
    emacs = svc.remember("Editor is emacs", key="user.editor", scope="p1").id
    monkeypatch.setattr(timestamps, "datetime", behind(1))
    assert svc.remember("Editor is vim", key="user.editor", scope="p1").id == vim
    gone = svc.get(emacs)
    assert gone.superseded_by == vim and gone.superseded_at is not None
    assert gone.superseded_at > gone.created_at
    flt = MemoryFilter(scopes=["p1"], as_of=gone.created_at)
    assert emacs in {m.id for m in svc.list_memories(flt)}
