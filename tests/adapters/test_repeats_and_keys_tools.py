"""What a model meets through the MCP tools, on both backends, when it says a thing again:
one slot per key however it is spelled, the later explicit kind and metadata kept, events of
other days kept apart, and relative dates read on the calendar of the reference time."""

from typing import Any

import pytest

from memory_mcp.service import MemoryService
from tests.conftest import call_tool as call

pytestmark = pytest.mark.anyio


async def found(client: Any, query: str, **args: Any) -> list[int]:
    return [h["id"] for h in (await call(client, "recall", query=query, **args))["hits"]]


async def test_a_key_is_one_slot_however_it_is_spelled(client: Any, service: MemoryService) -> None:
    """ "User.Editor" then "user.editor" gave one fact two current values; so did "café" typed
    with a composed "é" and with "e" plus a combining accent."""
    vim = await call(client, "remember", content="The editor is Vim", key="User.Editor")
    helix = await call(client, "remember", content="The editor is Helix", key="user.editor")
    assert (vim["key"], helix["key"]) == ("user.editor", "user.editor")  # shown as compared
    assert helix["status"] == "superseded" and helix["supersedes"] == [vim["id"]]
    assert await found(client, "editor") == [helix["id"]]

    composed = await call(client, "remember", content="Lunch at Rosa's", key="lunch.caf\u00e9")
    decomposed = await call(client, "remember", content="Lunch at Nico's", key="LUNCH.CAFE\u0301")
    assert decomposed["supersedes"] == [composed["id"]]
    assert [m.id for m in service.store.current_for_key("global", "Lunch.Caf\u00e9")] == [
        decomposed["id"]
    ]

    # An edit that gives another memory the key in another spelling takes the same slot.
    other = await call(client, "remember", content="The editor is Zed")
    service.update(other["id"], key="USER.EDITOR")
    assert service.get(helix["id"]).superseded_by == other["id"]
    assert await found(client, "editor") == [other["id"]]


async def test_a_repeat_keeps_what_it_says_explicitly(client: Any, service: MemoryService) -> None:
    """The same text said again as a `preference` stayed a `fact`, and its new metadata was
    dropped: the later explicit kind and metadata values now win, recorded in the history;
    a repeat that names no kind (the default `note`) changes none."""
    text = "Deploys happen on Fridays"
    first = await call(
        client, "remember", content=text, kind="fact", metadata={"from": "chat", "sure": "no"}
    )
    again = await call(
        client, "remember", content=text, kind="preference", metadata={"sure": "yes"}
    )
    assert again["status"] == "duplicate" and again["id"] == first["id"]
    assert again["kind"] == "preference"
    kept = service.get(first["id"])
    assert (kept.kind, kept.metadata) == ("preference", {"from": "chat", "sure": "yes"})
    entry = service.history(first["id"])[0]
    assert entry.action == "duplicate" and entry.detail["changed"] == ["kind", "metadata"]
    assert entry.before is not None and entry.after is not None
    assert (entry.before["kind"], entry.after["kind"]) == ("fact", "preference")

    plain = await call(client, "remember", content=text)
    assert plain["kind"] == "preference" and service.get(first["id"]).repeat_count == 3


async def test_events_on_other_days_are_other_memories(client: Any, service: MemoryService) -> None:
    """ "I went to the dentist" on two days was one memory with the first date; the second
    visit was lost. A repeat without a date, or on the same day, is still a repeat, and a
    date said for an undated memory is kept."""
    text = "I went to the dentist"
    march = await call(client, "remember", content=text, kind="event", occurred_at="2026-03-03")
    june = await call(
        client, "remember", content=text, kind="event", occurred_at="2026-06-09T15:00:00Z"
    )
    assert june["status"] == "created" and june["id"] != march["id"]
    later_that_day = await call(client, "remember", content=text, occurred_at="2026-06-09T18:00Z")
    assert later_that_day["status"] == "duplicate" and later_that_day["id"] == june["id"]
    undated = await call(client, "remember", content=text)
    assert undated["status"] == "duplicate" and undated["id"] == march["id"]
    assert await found(client, "dentist", since="2026-06-01") == [june["id"]]
    assert sorted(await found(client, "dentist")) == [march["id"], june["id"]]

    offsite = await call(client, "remember", content="Team offsite in Lisbon")
    dated = await call(
        client, "remember", content="Team offsite in Lisbon", occurred_at="2026-05-04"
    )
    assert dated["status"] == "duplicate" and dated["occurred_at"] == "2026-05-04T00:00:00Z"
    assert service.history(offsite["id"])[0].detail["changed"] == ["occurred_at"]


@pytest.mark.parametrize(
    ("reference", "yesterday"),
    [
        ("2026-11-25T21:00:00-08:00", "2026-11-24T08:00:00Z"),  # 05:00 on the 26th in UTC
        ("2026-11-26T01:00:00+09:00", "2026-11-24T15:00:00Z"),  # 16:00 on the 25th in UTC
    ],
)
async def test_relative_dates_are_read_where_the_reference_was_said(
    client: Any, reference: str, yesterday: str
) -> None:
    """ "Yesterday" said at 21:00 in California is the 24th there; the UTC calendar made it
    the 25th (and in Tokyo at 01:00 the 25th, which UTC made the 24th)."""
    said = await call(
        client, "remember", content="Shipped the beta", kind="event", occurred_at="yesterday",
        reference_time=reference,
    )  # fmt: skip
    assert said["occurred_at"] == yesterday
    day_before = await call(
        client, "recall", query="shipped beta", since="yesterday", reference_time=reference
    )
    assert [h["id"] for h in day_before["hits"]] == [said["id"]]


async def test_a_repeat_with_a_key_gives_the_memory_that_key(
    client: Any, service: MemoryService
) -> None:
    """The same text said first without a key, then with one, was two memories: the keyed
    copy and the unkeyed one beside it. The repeat now gives the stored memory the key; when
    the key held another value, that value is superseded by it, as by a new value."""
    vim = await call(client, "remember", content="The editor is Vim")
    keyed = await call(client, "remember", content="the editor is vim.", key="User.Editor")
    assert (keyed["status"], keyed["id"], keyed["key"]) == ("duplicate", vim["id"], "user.editor")
    assert [m.id for m in service.store.current_for_key("global", "user.editor")] == [vim["id"]]
    entry = service.history(vim["id"])[0]
    assert entry.detail["changed"] == ["key"] and entry.after is not None
    assert entry.after["key"] == "user.editor"

    helix = await call(client, "remember", content="The editor is Helix", key="user.editor")
    assert helix["supersedes"] == [vim["id"]]
    emacs = await call(client, "remember", content="The editor is Emacs", tags=["later"])
    again = await call(client, "remember", content="The editor is Emacs", key="user.editor")
    assert (again["status"], again["id"]) == ("duplicate", emacs["id"])
    assert again["supersedes"] == [helix["id"]]
    assert service.get(helix["id"]).superseded_by == emacs["id"]
    assert [m.id for m in service.store.current_for_key("global", "user.editor")] == [emacs["id"]]
    assert await found(client, "Emacs") == [emacs["id"]]  # one memory of it, not two

    # A memory of another key is not a repeat of this one: each key keeps its own.
    other = await call(client, "remember", content="The editor is Emacs", key="team.editor")
    assert other["status"] == "created" and other["id"] != emacs["id"]
    said_again = await call(client, "remember", content="The editor is Emacs", key="team.editor")
    assert said_again["id"] == other["id"] and not said_again.get("supersedes")


async def test_a_repeat_keeps_its_context(client: Any, service: MemoryService) -> None:
    """A repeat's context was dropped: now a memory stored without one takes it, and one
    that has its own keeps it while the repeat's history entry records the new one."""
    text = "The staging database is read-only on Sundays"
    first = await call(client, "remember", content=text)
    with_context = await call(client, "remember", content=text, context="Asked while planning")
    assert with_context["id"] == first["id"]
    assert service.get(first["id"]).context == "Asked while planning"
    later = await call(client, "remember", content=text, context="Said in the incident review")
    assert later["id"] == first["id"]
    assert service.get(first["id"]).context == "Asked while planning"
    entry = service.history(first["id"])[0]
    assert entry.detail["heard_context"] == "Said in the incident review"

    # remember_many (the Python API) does the same: its repeats are decided in the batch's
    # own transaction (storage's insert_many).
    service.remember_many(
        [{"content": "Backups run at 02:00"},
         {"content": "Backups run at 02:00", "context": "From the ops handbook"}]
    )  # fmt: skip
    backups = service.store.find_exact("global", "Backups run at 02:00")
    assert backups is not None and backups.context == "From the ops handbook"


async def test_a_restored_memory_takes_what_its_later_copy_said(
    client: Any, service: MemoryService
) -> None:
    """Restoring a memory whose text was said again meanwhile folds the later copy into it;
    the fold kept the first kind and dropped the later metadata that a counted repeat keeps.
    (`restore` is a CLI command and Python call, one call on the service.)"""
    text = "Releases are cut from the main branch"
    first = await call(client, "remember", content=text, kind="fact", metadata={"by": "ann"})
    await call(client, "forget", ids=[first["id"]])
    later = await call(
        client, "remember", content=text, kind="decision", metadata={"by": "bob", "pr": 7}
    )
    assert later["status"] == "created"
    service.restore([first["id"]])
    kept = service.get(first["id"])
    assert (kept.kind, kept.metadata) == ("decision", {"by": "bob", "pr": 7})
    assert service.store.get_many([later["id"]]) == []
