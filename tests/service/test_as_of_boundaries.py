"""`as_of` at every boundary of a key's values on each path that supersedes one (restore,
move, re-key, a repeat that takes the key, a purge in a chain), with the clock as it is and
stepped back, on both backends: at every moment one value at most is current, and from the
first value's creation on exactly one."""

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from memory_mcp import timestamps
from memory_mcp.config import Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.service import MemoryService
from tests.clock import behind

US = timedelta(microseconds=1)


def _current_at(svc: MemoryService, scope: str, ids: Iterable[int], moment: datetime) -> set[int]:
    """Those of `ids` current at `moment` in the slot they share now (`scope`, their key),
    by the scope and key each had then (a memory moved or re-keyed in later was elsewhere)."""
    ids = set(ids)
    key = {m.key for m in svc.get_many(list(ids))}
    flt = MemoryFilter(scopes=[scope], as_of=moment)
    return {m.id for m in svc.list_memories(flt) if m.key in key} & ids


def _one_at_every_boundary(svc: MemoryService, scope: str, ids: list[int]) -> None:
    """Each boundary (a creation, a superseding), a microsecond before and after it: never
    two current; none only before the first value was created."""
    rows = [svc.get(i) for i in ids]
    first = min(m.created_at for m in rows)
    edges = {m.created_at for m in rows} | {m.superseded_at for m in rows if m.superseded_at}
    edges |= {e.at for i in ids for e in svc.history(i) if e.action in ("move", "edit")}
    for edge in sorted(edges):
        for moment in (edge - US, edge, edge + US):
            found = _current_at(svc, scope, ids, moment)
            expected = 0 if moment < first else 1
            assert len(found) == expected, (
                moment,
                found,
                [(m.id, m.created_at, m.superseded_at) for m in rows],
            )
    assert len(_current_at(svc, scope, ids, datetime.now(timestamps.UTC) + timedelta(days=1))) == 1


@pytest.mark.parametrize("hours_back", [0, 2])
def test_restore_into_a_slot_with_a_later_value(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch, hours_back: int
) -> None:
    """The restored bash was superseded at the restore's own time: as_of between zsh's
    creation and then found both (or, the clock stepped back, bash at no moment)."""
    svc = keyword_service
    bash = svc.remember("Shell is bash", key="user.shell", scope="p1").id
    svc.forget([bash])
    zsh = svc.remember("Shell is zsh", key="user.shell", scope="p1").id
    monkeypatch.setattr(timestamps, "datetime", behind(hours_back))
    svc.restore([bash])
    monkeypatch.undo()
    assert svc.get(bash).superseded_by == zsh
    assert svc.get(bash).superseded_at == svc.get(zsh).created_at
    _one_at_every_boundary(svc, "p1", [bash, zsh])


@pytest.mark.parametrize("hours_back", [0, 2])
def test_move_and_rekey_into_a_slot_with_an_older_value(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch, hours_back: int
) -> None:
    """The later value moved (or re-keyed) in supersedes the slot's older one as of when the
    two first shared the slot: the move (or, the clock stepped back before its creation, its
    creation). as_of reads the scope and key each had then: never two, never none."""
    svc = keyword_service
    old = svc.remember("Shell is bash", key="user.shell", scope="p2").id
    moved = svc.remember("Shell is zsh", key="user.shell", scope="p1").id
    held = svc.remember("Editor is emacs", key="user.editor", scope="p1").id
    rekeyed = svc.remember("Editor is vim", key="user.vi", scope="p1").id
    monkeypatch.setattr(timestamps, "datetime", behind(hours_back))
    svc.move([moved], "p2")
    svc.update(rekeyed, key="user.editor")
    monkeypatch.undo()
    for before, after, scope in ((old, moved, "p2"), (held, rekeyed, "p1")):
        assert svc.get(before).superseded_by == after
        entered = svc.history(after)[0]  # the move, the re-key
        assert entered.action in ("move", "edit")
        assert svc.get(before).superseded_at == max(svc.get(after).created_at, entered.at)
        _one_at_every_boundary(svc, scope, [before, after])


def test_a_value_moved_into_a_later_slot_is_superseded_as_of_that_value(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = keyword_service
    moved = svc.remember("Shell is bash", key="user.shell", scope="p1").id
    later = svc.remember("Shell is zsh", key="user.shell", scope="p2").id
    monkeypatch.setattr(timestamps, "datetime", behind(2))
    svc.move([moved], "p2")
    monkeypatch.undo()
    assert svc.get(moved).superseded_at == svc.get(later).created_at
    _one_at_every_boundary(svc, "p2", [moved, later])


@pytest.mark.parametrize("hours_back", [0, 2])
def test_purging_the_middle_of_a_chain(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch, hours_back: int
) -> None:
    """a -> b -> c by `replaces`, b purged: a is superseded by c as of c's creation (it was
    the purge's time: as_of found a and c both current in between)."""
    svc = keyword_service
    a = svc.remember("Standup is at 9", scope="p1").id
    b = svc.remember("Standup is at 10", scope="p1", replaces=a).id
    c = svc.remember("Standup is at 11", scope="p1", replaces=b).id
    monkeypatch.setattr(timestamps, "datetime", behind(hours_back))
    svc.purge([b])
    monkeypatch.undo()
    assert svc.get(a).superseded_by == c
    assert svc.get(a).superseded_at == svc.get(c).created_at
    _one_at_every_boundary(svc, "p1", [a, c])


def test_a_repeat_taking_a_key_after_the_clock_stepped_back(
    keyword_service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key's value was superseded at the clock's time, before its own creation."""
    svc = keyword_service
    emacs = svc.remember("Editor is emacs", key="user.editor", scope="p1").id
    monkeypatch.setattr(timestamps, "datetime", behind(2))
    vim = svc.remember("Editor is vim", scope="p1").id
    assert svc.remember("Editor is vim", key="user.editor", scope="p1").status == "duplicate"
    monkeypatch.undo()
    assert svc.get(emacs).superseded_by == vim
    assert svc.get(emacs).superseded_at >= svc.get(emacs).created_at


def test_a_value_a_repeat_gave_the_key_stays_the_value_when_moved_back(
    keyword_service: MemoryService,
) -> None:
    """ "Editor is vim", stored before "emacs" took the key, said again with the key: the
    key's value is vim (the later statement). Moved away and back, or forgotten and restored
    after emacs came back, it was compared by creation and emacs won again."""
    svc = keyword_service
    vim = svc.remember("Editor is vim", scope="p1").id
    emacs = svc.remember("Editor is emacs", key="user.editor", scope="p1").id
    assert svc.remember("Editor is vim", key="user.editor", scope="p1").status == "duplicate"

    def current() -> list[int]:
        return [m.id for m in svc.store.current_for_key("p1", "user.editor")]

    assert current() == [vim]
    svc.move([vim], "p2")
    assert current() == [emacs]  # the slot it left has its value back
    svc.move([vim], "p1")
    assert current() == [vim]
    assert svc.get(emacs).superseded_by == vim
    # Dated when vim came back to the slot (said with the key before: never before emacs
    # was created, nor before the move back, when as_of reads it in p1 again).
    back = svc.history(vim)[0]
    assert back.action == "move" and svc.get(emacs).superseded_at == back.at
    assert back.at >= svc.get(vim).last_seen_at
    assert [h.id for h in svc.recall("editor", scope="p1").hits] == [vim]


def _exported(tmp_path: Path, name: str, text: str) -> Path:
    """A JSONL export of another store holding `text` as p1's user.shell, made now."""
    source = MemoryService.open(Settings(db=tmp_path / f"{name}.db", semantic=False))
    try:
        source.remember(text, key="user.shell", scope="p1")
        source.export_jsonl(tmp_path / f"{name}.jsonl")
    finally:
        source.close()
    return tmp_path / f"{name}.jsonl"


@pytest.mark.parametrize("first", ["fish", "bash"])
def test_imported_older_values_take_their_place_in_the_chain(
    keyword_service: MemoryService, tmp_path: Path, first: str
) -> None:
    """Older values of a key imported into a store that holds a later one (zsh) stay
    superseded as of the next value's creation in time, not of the import, whichever comes
    in first: bash (oldest, from one export) gives way when fish (from another) was created,
    fish when zsh was. bash imported first gave way to zsh and keeps that successor (a memory
    is superseded once), dated fish's creation: as_of between fish and zsh found both."""
    exports = {name: _exported(tmp_path, name, f"Shell is {name}") for name in ("bash", "fish")}
    svc = keyword_service
    zsh = svc.remember("Shell is zsh", key="user.shell", scope="p1").id
    for name in (first, "bash" if first == "fish" else "fish"):
        svc.import_jsonl(exports[name])
    every = MemoryFilter(scopes=["p1"], include_superseded=True)
    by_text = {m.content: m for m in svc.list_memories(every)}
    bash, fish = by_text["Shell is bash"], by_text["Shell is fish"]
    assert (fish.superseded_by, fish.superseded_at) == (zsh, svc.get(zsh).created_at)
    assert bash.superseded_at == fish.created_at
    assert bash.superseded_by == (fish.id if first == "fish" else zsh)
    _one_at_every_boundary(svc, "p1", [bash.id, fish.id, zsh])
    if first == "bash":  # fish moved bash's end back: on record, as every change of it
        moved = svc.history(bash.id)[0]
        assert moved.action == "supersede" and moved.before is not None
        assert moved.detail == {
            "by": zsh,
            "why": "key",
            "gave_way_to": fish.id,
            "superseded_at": timestamps.format_time(fish.created_at),
            "was": timestamps.format_time(svc.get(zsh).created_at),
        }


@pytest.mark.parametrize("exported_first", [True, False])
def test_an_imported_keyed_value_the_store_holds_at_another_time_is_one_memory(
    keyword_service: MemoryService, tmp_path: Path, exported_first: bool
) -> None:
    """The same key and text is the same belief: a JSONL import holding the store's current
    value at another time used to keep both (two memories, one superseding the other). It
    is folded into the stored one, inside the import's transaction: the earliest time kept,
    both statements counted, the import's tags and metadata merged, nothing lost; the value
    before it gives way at the earlier time, on record."""
    svc = keyword_service
    bash = svc.remember("Shell is bash", key="user.shell", scope="p1").id

    def export() -> Path:
        source = MemoryService.open(Settings(db=tmp_path / "src.db", semantic=False))
        try:
            source.remember(
                "Shell is zsh", key="user.shell", scope="p1", tags=["laptop"],
                metadata={"origin": "laptop"},
            )  # fmt: skip
            source.export_jsonl(tmp_path / "src.jsonl")
        finally:
            source.close()
        return tmp_path / "src.jsonl"

    path = export() if exported_first else None
    zsh = svc.remember("Shell is zsh", key="user.shell", scope="p1", tags=["desk"]).id
    path = path or export()
    stored = svc.get(zsh).created_at
    line = json.loads(path.read_text().splitlines()[0])
    exported = datetime.fromisoformat(line["created_at"].replace("Z", "+00:00"))
    report = svc.import_jsonl(path)
    assert (report.created, report.folded) == (0, 1)
    every = MemoryFilter(scopes=["p1"], include_superseded=True)
    assert sorted(m.id for m in svc.list_memories(every)) == [bash, zsh]
    merged = svc.get(zsh)
    assert merged.created_at == min(exported, stored) and merged.repeat_count == 2
    assert merged.tags == ["desk", "laptop"] and merged.metadata["origin"] == "laptop"
    assert svc.get(bash).superseded_at == merged.created_at
    assert svc.history(zsh)[0].action == "import"
    _one_at_every_boundary(svc, "p1", [bash, zsh])


def test_a_folded_import_keeps_the_tags_past_32_in_metadata(
    keyword_service: MemoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A keyed line folded into the stored memory takes the line's tags: with the stored
    memory's, past 32 they were cut off and lost (an import keeps a line's tags past 32 in
    its metadata, nothing is lost). They are kept under metadata.imported_otherwise, in
    their order, and a second fold adds its own."""
    svc = keyword_service
    mine = [f"own{i}" for i in range(30)]
    svc.remember("Editor is vim", key="user.editor", scope="p1")  # (the lines are #1)
    held = svc.remember("Shell is zsh", key="user.shell", scope="p1", tags=mine).id
    for n, theirs in enumerate((["own3", "a1", "a2", "a3", "a4"], ["b1", "a1"])):
        source = MemoryService.open(Settings(db=tmp_path / f"src{n}.db", semantic=False))
        try:
            monkeypatch.setattr(timestamps, "datetime", behind(24 * (n + 1)))
            source.remember("Shell is zsh", key="user.shell", scope="p1", tags=theirs)
            monkeypatch.undo()
            source.export_jsonl(tmp_path / f"src{n}.jsonl")
        finally:
            source.close()
        assert svc.import_jsonl(tmp_path / f"src{n}.jsonl").folded == 1
    merged = svc.get(held)
    assert merged.tags == [*mine, "a1", "a2"] and merged.repeat_count == 3
    assert merged.metadata["imported_otherwise"]["more_tags"] == ["a3", "a4", "b1"]


def test_a_folded_import_keeps_metadata_within_its_limit(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tags past 32 a fold keeps in metadata went in unchecked against its size limit
    (64-character tags: 32 of them are ~2,200 characters, past a 2,000 limit). Now as many
    as fit are kept, the number left out noted; never past the limit."""
    limit = 2_000
    svc = MemoryService.open(
        settings.model_copy(update={"semantic": False, "max_metadata_chars": limit})
    )
    try:
        _fold_past_the_limit(svc, tmp_path, monkeypatch, limit)
    finally:
        svc.close()


def _fold_past_the_limit(
    svc: MemoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    mine = [f"own{i:02d}-" + "m" * 58 for i in range(32)]
    theirs = [f"new{i:02d}-" + "t" * 58 for i in range(32)]
    svc.remember("Editor is vim", key="user.editor", scope="p1")
    held = svc.remember("Shell is zsh", key="user.shell", scope="p1", tags=mine).id
    source = MemoryService.open(Settings(db=tmp_path / "src.db", semantic=False))
    try:
        monkeypatch.setattr(timestamps, "datetime", behind(24))
        source.remember("Shell is zsh", key="user.shell", scope="p1", tags=theirs)
        monkeypatch.undo()
        source.export_jsonl(tmp_path / "src.jsonl")
    finally:
        source.close()
    assert svc.import_jsonl(tmp_path / "src.jsonl").folded == 1
    merged = svc.get(held)
    assert len(json.dumps(merged.metadata)) <= limit
    otherwise = merged.metadata["imported_otherwise"]
    kept, left_out = otherwise["more_tags"], otherwise["more_tags_left_out"]
    assert kept == theirs[: len(kept)] and kept and len(kept) + left_out == 32
