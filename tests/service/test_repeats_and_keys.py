"""Every write path that decides "this is already stored" or "this key has a value" on both
backends: keys compared in one spelling, events of other days kept apart, and what a repeat
says explicitly kept (policies/keys.py, policies/repeats.py)."""

import io
import json
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput, NotFound
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder


def test_an_import_holding_one_slot_in_two_spellings_leaves_one_current_value(
    service: MemoryService, tmp_path: Path
) -> None:
    """An export written before keys had one spelling can hold "user.editor" and
    "User.Editor" both current: imported, the later-created stays current."""
    vim = service.remember("The editor is Vim", key="user.editor")
    helix = service.remember("The editor is Helix", key="user.editor2")
    buf = io.StringIO()
    service.export_jsonl(buf)
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    for line in lines:
        if line["id"] == helix.id:
            line["key"] = "User.Editor"
    path = tmp_path / "old.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    other = MemoryService.open(
        service.settings.model_copy(update={"db": tmp_path / "copy.db", "pg_schema": None}),
        FakeEmbedder(),
    )
    try:
        other.import_jsonl(path)
        assert [m.id for m in other.store.current_for_key("global", "USER.editor")] == [helix.id]
        assert other.get(vim.id).superseded_by == helix.id
        assert other.get(helix.id).key == "user.editor"
    finally:
        other.close()


def test_restoring_an_event_never_folds_another_days_event_into_it(
    service: MemoryService,
) -> None:
    """A restored memory takes in the other copies of its text, but not the same words
    about another day: that visit happened too."""
    monday = service.remember("Dentist appointment", kind="event", occurred_at="2026-03-02")
    service.forget([monday.id])
    tuesday = service.remember("Dentist appointment", kind="event", occurred_at="2026-03-03")
    assert tuesday.status == "created"
    service.restore([monday.id])
    assert service.get(tuesday.id).forgotten_at is None  # still there, not folded away
    undated = service.remember("Standup notes are in Notion")
    service.forget([undated.id])
    dated = service.remember("Standup notes are in Notion", occurred_at="2026-03-03")
    assert dated.status == "created"  # the undated copy is forgotten
    service.restore([undated.id])
    assert service.get(dated.id).occurred_at is not None  # folding it would lose its date


def test_a_rewording_about_another_day_is_not_merged(service: MemoryService) -> None:
    """A near duplicate merges only into a memory of the same event day (or none)."""
    first = service.remember("Dentist visit went fine", occurred_at="2026-03-02")
    again = service.remember("Went fine, dentist visit", occurred_at="2026-03-09")
    assert again.status == "created" and again.id != first.id
    same_day = service.remember("Went fine, dentist visit", occurred_at="2026-03-02T17:00Z")
    assert (same_day.status, same_day.id) == ("merged", first.id)


def test_bulk_writes_keep_other_days_and_take_the_later_kind(service: MemoryService) -> None:
    ids = service.remember_many(
        [
            {"content": "Ran the backup drill", "kind": "event", "occurred_at": "2026-01-05"},
            {"content": "Ran the backup drill", "kind": "event", "occurred_at": "2026-02-05"},
            {"content": "Ran the backup drill", "occurred_at": "2026-02-05T09:00:00Z"},
            {"content": "Backups are encrypted", "kind": "fact"},
            {"content": "Backups are encrypted", "kind": "decision"},
        ]
    )
    assert ids[0] != ids[1] and ids[2] == ids[1] and ids[3] == ids[4]
    assert service.get(ids[3]).kind == "decision"


@pytest.mark.parametrize("kind", ["fact", "preference", "decision"])
def test_a_lasting_statement_said_again_another_day_is_one_memory(
    service: MemoryService, kind: str
) -> None:
    """Facts, preferences and decisions hold until changed, whenever said: their dates keep
    nothing apart, on every path that decides a repeat (remember, a rewording, bulk)."""
    text = "The staging database is PostgreSQL 16"
    first = service.remember(text, kind, occurred_at="2026-03-02")
    again = service.remember(text, kind, occurred_at="2026-03-09")
    assert (again.status, again.id) == ("duplicate", first.id)
    note = service.remember(text, occurred_at="2026-03-20")
    assert (note.status, note.id) == ("duplicate", first.id)  # a note repeats it too
    reworded = service.remember(
        "PostgreSQL 16 is the staging database", kind, occurred_at="2026-04-01"
    )
    assert reworded.id == first.id and reworded.status in ("merged", "duplicate")
    ids = service.remember_many(
        [{"content": text, "kind": kind, "occurred_at": f"2026-05-0{day}"} for day in (1, 2)]
    )  # fmt: skip
    assert ids == [first.id, first.id]
    assert len(service.list_memories(limit=None)) == 1


def test_markdown_new_entries_on_another_day_are_remembered(
    service: MemoryService, tmp_path: Path
) -> None:
    first = service.remember("Deployed the API", kind="event", occurred_at="2026-04-01")
    (tmp_path / "global.md").write_text(
        "## #new · event\noccurred: 2026-04-08\n\nDeployed the API\n\n"
        "## #new · event\noccurred: 2026-04-01\n\nDeployed the API\n"
    )
    report = service.import_markdown(tmp_path)
    assert len(report.created) == 1 and report.already_present == [first.id]
    assert service.get(report.created[0]).occurred_at is not None


def test_a_key_is_measured_as_it_is_stored(service: MemoryService) -> None:
    """Case folding can lengthen a key ("ß" is "ss"): a key that would be stored longer than
    the limit is refused up front, or its export could not be imported again."""
    with pytest.raises(InvalidInput, match="key must be 1 to 100 characters"):
        service.remember("A long key", key="\u00df" * 60)
    stored = service.remember("The Straße is closed", key="Straße.Status")
    assert stored.key == "strasse.status"


def test_a_restored_memory_said_again_and_replaced_since_is_one_memory(
    service: MemoryService,
) -> None:
    """Forgotten, then said again, and that copy superseded by a later value: the restore
    left two copies of one statement, both superseded by the same memory, and purging that
    value brought both back as current. The copy folds into the restored id (counted, its
    history saying so), and the value once more current is one memory."""
    helix = service.remember("Editor is Helix", key="user.editor")
    service.forget([helix.id])
    again = service.remember("Editor is Helix", key="user.editor")
    zed = service.remember("Editor is Zed", key="user.editor")
    result = service.restore([helix.id])
    assert (result.restored, result.merged) == ([helix.id], {helix.id: [again.id]})
    restored = service.get(helix.id)
    assert (restored.superseded_by, restored.repeat_count) == (zed.id, 2)
    with pytest.raises(NotFound, match=f"#{again.id} was merged into #{helix.id}"):
        service.get(again.id)
    assert [e.action for e in service.history(helix.id)][:2] == ["merge", "restore"]
    service.purge([zed.id])
    assert [m.id for m in service.store.current_for_key("global", "user.editor")] == [helix.id]
    assert [h.id for h in service.recall("Editor is Helix").hits] == [helix.id]


def test_what_a_restore_merged_is_what_its_transaction_did_whatever_is_written_after(
    service: MemoryService, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copies a restore merged were read back from the memory's history after its
    transaction: another writer's change to the memory in between (a forget, an edit) hid
    them, and restore reported nothing merged. Now the transaction itself reports them."""
    helix = service.remember("Editor is Helix", key="user.editor")
    service.forget([helix.id])
    again = service.remember("Editor is Helix", key="user.editor")
    service.remember("Editor is Zed", key="user.editor")
    other = MemoryService.open(settings.model_copy(update={"semantic": False}))
    restore = service.store.restore

    def then_another_writer(ids: Any, client: str | None = None, replaced: bool = True) -> Any:
        done = restore(ids, client, replaced)  # committed: another process may write at once
        other.forget([helix.id], reason="changed my mind")
        return done

    monkeypatch.setattr(service.store, "restore", then_another_writer)
    try:
        result = service.restore([helix.id])
    finally:
        other.close()
    assert (result.restored, result.merged) == ([helix.id], {helix.id: [again.id]})
    assert [e.action for e in service.history(helix.id)][:3] == ["forget", "merge", "restore"]


def test_a_value_said_again_after_another_stays_two_memories_when_restored(
    service: MemoryService,
) -> None:
    """Helix, then Neovim, then Helix again, then Zed: the two Helix are two moments of
    the key's history, each superseded by its own next value; restoring the first (it was
    forgotten) keeps both."""
    first = service.remember("Editor is Helix", key="user.editor")
    service.remember("Editor is Neovim", key="user.editor")
    service.forget([first.id])
    later = service.remember("Editor is Helix", key="user.editor")
    service.remember("Editor is Zed", key="user.editor")
    assert service.restore([first.id]).merged == {}
    assert service.get(first.id).superseded_by != service.get(later.id).superseded_by


def test_purging_a_correction_leaves_one_current_copy_of_the_text(
    service: MemoryService,
) -> None:
    """A restored memory is current beside a copy of its text that a correction replaced;
    purging the correction reinstated that copy as current too: two current copies. The
    one reinstated takes the other in, as a restore does."""
    first = service.remember("The build runs on Jenkins")
    service.forget([first.id])
    again = service.remember("The build runs on Jenkins")
    fix = service.remember("The build runs on Buildkite", replaces=again.id)
    service.restore([first.id])
    assert service.get(first.id).forgotten_at is None  # restored, as asked
    assert service.get(again.id).superseded_by == fix.id
    service.purge([fix.id])
    kept = service.get(again.id)
    assert kept.superseded_by is None and kept.repeat_count == 2
    with pytest.raises(NotFound, match=f"#{first.id} was merged into #{again.id}"):
        service.get(first.id)
    assert [h.id for h in service.recall("build runs on Jenkins").hits] == [again.id]
