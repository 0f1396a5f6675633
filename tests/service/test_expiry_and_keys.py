"""Expiry and a key's values, on both backends: when a key's value expires the key has no
value, and purging the expired value (`purge --expired`, or by id) does not bring back the
value it had replaced."""

import re
from datetime import datetime, timedelta, tzinfo

import pytest

from memory_mcp import timestamps
from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService


def _ahead(days: int) -> type[datetime]:
    class Ahead(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:
            return datetime.now(tz) + timedelta(days=days)

    return Ahead


def _at(svc: MemoryService, moment: datetime) -> list[int]:
    return [m.id for m in svc.list_memories(MemoryFilter(scopes=["p1"], as_of=moment))]


@pytest.mark.parametrize("by_id", [False, True])
def test_purging_an_expired_value_does_not_bring_back_the_one_it_replaced(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch, by_id: bool
) -> None:
    """ "Deploy freeze is off" (1 day) superseded "Deploy freeze is on"; once it expired the
    key showed nothing, and `purge --expired` made "on" current again, with no expiry. Now
    "on" comes back ended when "off" did; `purge --expired` removes it with "off"."""
    svc = keyword_service
    on = svc.remember("Deploy freeze is on", key="ops.freeze", scope="p1").id
    off = svc.remember("Deploy freeze is off", key="ops.freeze", scope="p1", ttl="1d").id
    ends = svc.get(off).expires_at
    assert ends is not None
    monkeypatch.setattr(timestamps, "datetime", _ahead(2))  # two days on
    purged = svc.purge([off]) if by_id else svc.purge_expired()
    if not by_id:  # "on", back and expired with "off", goes in the same run (below)
        assert purged == [off, on]
        return
    assert purged == [off]
    monkeypatch.undo()
    stale = svc.get(on)
    assert (stale.superseded_by, stale.expires_at) == (None, ends)  # back, and ended then
    assert _at(svc, stale.created_at) == [on]
    assert _at(svc, ends - timedelta(microseconds=1)) == [on]
    assert _at(svc, ends) == []  # as after the expiry, before the purge
    edit = svc.history(on)[0]
    assert (edit.action, edit.detail) == ("edit", {"expired_with": off})
    assert (edit.before["expires_at"], edit.after["expires_at"]) == (
        None, timestamps.format_time(ends)
    )  # fmt: skip


def test_purging_a_value_before_it_expires_brings_back_the_one_it_replaced(
    keyword_service: MemoryService,
) -> None:
    """As before: a purge (not an expiry) leaves nothing hidden behind a deleted memory."""
    svc = keyword_service
    on = svc.remember("Deploy freeze is on", key="ops.freeze", scope="p1").id
    off = svc.remember("Deploy freeze is off", key="ops.freeze", scope="p1", ttl="1d").id
    svc.purge([off])
    assert [m.id for m in svc.store.current_for_key("p1", "ops.freeze")] == [on]
    assert svc.get(on).expires_at is None


@pytest.mark.parametrize("listed", [False, True])
def test_purge_expired_removes_a_whole_chain_in_one_run(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch, listed: bool
) -> None:
    """A value superseded by an expired value superseded by an expired value: purging the
    expired ones brings the first back as current, expired with them, so it is purgeable
    too. One `purge --expired` used to remove one level a run (the first stayed until the
    next run); it now removes the whole chain, whatever its depth, in one transaction.
    `listed`: as the CLI does it, the candidates listed, then purged with expired=True."""
    svc = keyword_service
    first = svc.remember("Deploy freeze is on", key="ops.freeze", scope="p1").id
    chain = [
        svc.remember(f"Deploy freeze is {word}", key="ops.freeze", scope="p1", ttl="1d").id
        for word in ("off", "lifted", "over")
    ]
    plain = svc.remember("The lab opens at nine", scope="p1").id
    monkeypatch.setattr(timestamps, "datetime", _ahead(2))  # two days on
    if listed:
        purged = svc.purge(svc.purge_candidates([], expired=True), expired=True)
    else:
        purged = svc.purge_expired()
    assert sorted(purged) == sorted([first, *chain])
    assert svc.purge_expired() == []  # nothing left for a second run
    monkeypatch.undo()
    assert [m.id for m in svc.list_memories(MemoryFilter(scopes=["p1"]))] == [plain]
    for gone in [first, *chain]:  # kept as purge keeps it: when and what, no text
        entries = svc.history(gone)
        assert entries[0].action == ("purge" if listed else "expire")
        assert entries[0].before is None and entries[0].after is None


def _chain(svc: MemoryService) -> tuple[int, list[int]]:
    """A value (no expiry) behind three expiring values of its key: (first, the chain)."""
    first = svc.remember("Deploy freeze is on", key="ops.freeze", scope="p1").id
    chain = [
        svc.remember(f"Deploy freeze is {word}", key="ops.freeze", scope="p1", ttl="1d").id
        for word in ("off", "lifted", "over")
    ]
    return first, chain


def test_the_preview_of_purge_expired_lists_the_chain_behind_and_changes_nothing(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `purge --expired` confirms: the expired memories listed alone, the value behind
    them (which the purge brings back expired, and deletes) was not; a purge that would go
    past what was listed deletes nothing."""
    from memory_mcp.errors import Changed

    svc = keyword_service
    first, chain = _chain(svc)
    monkeypatch.setattr(timestamps, "datetime", _ahead(2))  # two days on
    candidates = svc.purge_candidates([], expired=True)
    assert sorted(candidates) == sorted(chain)
    going = svc.purge_preview(candidates, expired=True)
    assert sorted(going) == sorted([first, *chain])
    assert svc.get(first).superseded_by is not None  # a rehearsal: nothing changed
    assert [e.action for e in svc.history(first)] == ["supersede", "create"]
    with pytest.raises(Changed, match=f"#{first}"):
        svc.purge(candidates, expired=True, listed=candidates)
    assert {m.id for m in svc.get_many([first, *chain])} == {first, *chain}  # none deleted
    assert sorted(svc.purge(candidates, expired=True, listed=going)) == sorted(going)


def test_purge_expired_confirmation_lists_what_goes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's question names every memory that goes, the one behind the chain too."""
    from typer.testing import CliRunner

    from memory_mcp.adapters.cli import app

    svc = MemoryService.open(settings.model_copy(update={"semantic": False}))
    try:
        first, chain = _chain(svc)
    finally:
        svc.close()
    env = {"MEMORY_MCP_SEMANTIC": "false", "MEMORY_MCP_DB": str(settings.db)}
    if settings.pg_schema and str(settings.db).startswith("postgresql"):
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    monkeypatch.setattr(timestamps, "datetime", _ahead(2))
    asked = CliRunner().invoke(app, ["purge", "--expired"], input="n\n", env=env)
    assert asked.exit_code == 1, asked.output
    listed = [int(i) for i in re.findall(r"^  #(\d+) ", asked.stderr, re.MULTILINE)]
    assert sorted(listed) == sorted([first, *chain]), asked.stderr
    assert f"#{first} [p1] Deploy freeze is on (behind an expired one" in asked.stderr
    assert "Permanently delete these 4 memories?" in asked.stderr
    done = CliRunner().invoke(app, ["purge", "--expired", "--yes"], env=env)
    assert done.exit_code == 0, done.output
    assert all(f"#{i}" in done.stderr or str(i) in done.stderr for i in [first, *chain])
