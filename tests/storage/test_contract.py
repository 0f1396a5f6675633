"""The storage contract, checked through `Storage` alone, for every backend.

Each test uses only the methods of memory_mcp.storage.contract, opened the way the service
opens storage (`open_storage`), so a new backend is checked by adding its name to BACKENDS
and its fresh database to `settings`. SQLite-only behaviour (triggers, layouts, pragmas)
is tested in test_store.py, PostgreSQL-only behaviour in test_postgres.py.
"""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput, NotFound, SchemaMismatch, StorageError
from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.storage import open_storage
from memory_mcp.storage.contract import SCRUBBED, Inserted, Restored, Storage, VectorRows
from memory_mcp.timestamps import format_time
from tests import pg
from tests.storage.rows import row, vec

BACKENDS = ["sqlite", pytest.param("postgres", marks=pg.needs_postgres)]
MODEL, DIM = "test-model", 4


def settings(backend: str, tmp_path: Path, **kw: Any) -> Settings:
    """Settings for a fresh database of `backend`: a file in tmp_path, or a new schema."""
    if backend == "postgres":
        return Settings(db=pg.url(), pg_schema=pg.fresh_schema(tmp_path), semantic=False, **kw)
    return Settings(db=tmp_path / "contract.db", semantic=False, **kw)


@pytest.fixture(params=BACKENDS)
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    store = open_storage(settings(request.param, tmp_path))
    store.ensure_vector_index(MODEL, DIM)
    yield store
    store.close()


def ids(ranked: list[tuple[int, float]]) -> list[int]:
    return [memory_id for memory_id, _ in ranked]


def assert_in_step(store: Storage, memories: int, vectors: int) -> None:
    counts = store.counts()
    assert (counts["memories"], counts["fts"], counts["vec"]) == (memories, memories, vectors)
    assert counts["orphan_vec"] == 0
    assert store.keyword_index_ok()
    assert store.vector_metadata_drift() == 0


EVERYTHING = MemoryFilter(include_forgotten=True, include_superseded=True, include_expired=True)


# -- writes: one transaction each, indexes in step --------------------------------------------


def test_every_write_keeps_the_indexes_in_step_with_the_memories(storage: Storage) -> None:
    a = storage.insert(row("alpha apples", vec(1, 0, 0, 0))).id
    b = storage.insert(row("beta bananas", vec(0, 1, 0, 0))).id
    assert_in_step(storage, 2, 2)
    storage.update(a, {"content": "alpha avocados"}, vector=vec(0, 0, 1, 0))
    assert_in_step(storage, 2, 2)
    assert ids(storage.search_keywords("avocados", MemoryFilter(), 5)) == [a]
    assert storage.search_keywords("apples", MemoryFilter(), 5) == []
    assert ids(storage.search_vectors(vec(0, 0, 1, 0), MemoryFilter(), 1)) == [a]
    storage.update(b, {"content": "beta, no vector"}, drop_vector=True)
    assert_in_step(storage, 2, 1)
    assert storage.pending_embeddings(10) == [(b, "beta, no vector")]
    storage.set_forgotten([b], "obsolete")
    assert_in_step(storage, 2, 1)
    assert storage.purge([b]) == [b]
    assert_in_step(storage, 1, 1)
    with pytest.raises(NotFound):
        storage.get(b)


def test_a_failed_vector_write_stores_nothing(storage: Storage) -> None:
    with pytest.raises(StorageError):
        storage.insert(row("wrong dimension", np.ones(DIM + 3, dtype=np.float32)))
    assert_in_step(storage, 0, 0)
    assert storage.history() == []


def test_a_batch_is_one_transaction(storage: Storage) -> None:
    good = row("fine", vec(1, 0, 0, 0))
    bad = row("broken", np.ones(DIM - 1, dtype=np.float32))
    with pytest.raises(StorageError):
        storage.insert_many([good, good, bad])
    assert_in_step(storage, 0, 0)
    made = [stored.id for stored in storage.insert_many([good, row("also fine")])]
    assert [m.content for m in storage.get_many(made)] == ["fine", "also fine"]
    assert_in_step(storage, 2, 1)


def test_superseding_is_part_of_the_insert(storage: Storage) -> None:
    old = storage.insert(row("Editor is Helix", key="user.editor")).id
    stored = storage.insert(row("Editor is Neovim", key="user.editor"))
    new = stored.id
    assert (stored.status, stored.supersedes) == ("created", (old,))
    assert storage.get(old).superseded_by == new
    assert storage.get(old).superseded_at is not None
    assert [m.id for m in storage.current_for_key("global", "user.editor")] == [new]
    assert ids(storage.search_keywords("editor", MemoryFilter(), 5)) == [new]
    shown = storage.search_keywords("editor", MemoryFilter(include_superseded=True), 5)
    assert sorted(ids(shown)) == [old, new]
    assert storage.history(old)[0].action == "supersede"


def test_keyed_lists_the_keys_of_a_scope_current_or_with_their_history(storage: Storage) -> None:
    old = storage.insert(row("Editor is Helix", key="user.editor")).id
    new = storage.insert(row("Editor is Neovim", key="user.editor")).id
    shell = storage.insert(row("Shell is fish", key="user.shell")).id
    storage.insert(row("no key at all"))
    storage.insert(replace(row("Elsewhere", key="user.editor"), scope="other"))
    current = storage.keyed(MemoryFilter(scopes=["global"]))
    assert [m.id for m in current] == [new, shell]
    every = storage.keyed(MemoryFilter(scopes=["global"], include_superseded=True))
    assert [m.id for m in every] == [new, old, shell]


def test_unknown_ids_raise_not_found_and_change_nothing(storage: Storage) -> None:
    a = storage.insert(row("keep me", vec(1, 0, 0, 0))).id
    calls = [
        lambda: storage.get(999),
        lambda: storage.set_forgotten([a, 999], None),
        lambda: storage.restore([999]),
        lambda: storage.purge([a, 999]),
        lambda: storage.update(999, {"content": "x"}),
        lambda: storage.move([a, 999], "elsewhere"),
        lambda: storage.record_repeat(999, None, "duplicate"),
        lambda: storage.insert(row("new"), replaces=999),
    ]
    for call in calls:
        with pytest.raises(NotFound, match="No memory with id 999"):
            call()
    assert storage.get(a).forgotten_at is None and storage.get(a).scope == "global"
    assert_in_step(storage, 1, 1)


def test_move_takes_every_id_in_one_transaction(storage: Storage) -> None:
    # Two values of one key moved into a scope together: one current value there, the later.
    old = storage.insert(row("Port 8080", vec(1, 0, 0, 0), key="port", scope="p1")).id
    new = storage.insert(row("Port 9090", vec(0, 1, 0, 0), key="port", scope="p2")).id
    here = storage.insert(row("Already there", vec(0, 0, 1, 0), scope="p3")).id

    assert storage.move([new, old, here, old], "p3", client="cli") == [new, old]

    assert [m.id for m in storage.current_for_key("p3", "port")] == [new]
    assert storage.get(old).superseded_by == new
    assert [e.action for e in storage.history(here)] == ["create"]  # nothing to record
    assert [e.action for e in storage.history(old)][:2] == ["move", "supersede"]
    assert {m.scope for m in storage.get_many([old, new, here])} == {"p3"}
    assert storage.search_vectors(vec(0, 1, 0, 0), MemoryFilter(scopes=["p2"]), 5) == []
    assert_in_step(storage, 3, 3)


def test_forget_and_restore_report_what_changed(storage: Storage) -> None:
    a = storage.insert(row("hide me", vec(1, 0, 0, 0))).id
    b = storage.insert(row("already hidden", vec(0, 1, 0, 0))).id
    storage.set_forgotten([b], None)
    assert storage.set_forgotten([a, b, a], "wrong") == ([a], [b])
    assert storage.get(a).forget_reason == "wrong"
    assert storage.search_keywords("hide", MemoryFilter(), 5) == []
    assert storage.search_vectors(vec(1, 0, 0, 0), MemoryFilter(), 5) == []
    assert storage.count(MemoryFilter()) == 0
    assert storage.count(MemoryFilter(include_forgotten=True)) == 2
    assert storage.restore([a]) == Restored([a], [], {})
    assert storage.restore([a]) == Restored([], [a], {})
    assert ids(storage.search_vectors(vec(1, 0, 0, 0), MemoryFilter(), 5)) == [a]


def test_a_source_item_is_stored_or_counted_once(storage: Storage) -> None:
    """`once` / `source`: whether an import item was taken is decided inside the write, so
    two runs over one item (a capture twice at the same instant) take it once."""
    src = {"format": "claude-code-session", "id": "s1:u1:s0"}
    first = storage.insert(row("Use uv.", metadata={"imported_from": src}), once=True, dedup=True)
    assert first.status == "created"
    again = storage.insert(row("Use uv.", metadata={"imported_from": src}), once=True, dedup=True)
    assert (again.id, again.status) == (first.id, "present")
    assert storage.record_repeat(first.id, None, "duplicate", source=src)  # held: not counted
    assert storage.get(first.id).repeat_count == 1
    # A sighting counted for another item (a later session) is counted once for it.
    later = {"format": "claude-code-session", "id": "s2:u1:s0"}
    assert storage.record_repeat(first.id, None, "merge", source=later, text="Use uv!")
    assert storage.record_repeat(first.id, None, "merge", source=later, text="Use uv!")
    repeat = storage.insert(row("use uv.", metadata={"imported_from": later}), once=True,
                            dedup=True)  # fmt: skip
    assert (repeat.id, repeat.status) == (first.id, "present")
    third = {"format": "claude-code-session", "id": "s3:u1:s0"}
    counted = storage.insert(row("Use uv.", metadata={"imported_from": third}), once=True,
                             dedup=True)  # fmt: skip
    assert (counted.id, counted.status) == (first.id, "duplicate")
    assert storage.insert(row("Use uv.", metadata={"imported_from": third}), once=True,
                          dedup=True).status == "present"  # fmt: skip
    assert storage.get(first.id).repeat_count == 3  # said in three sessions, counted thrice
    assert storage.record_repeat(first.id, None, "duplicate")  # no source: always counted
    assert storage.get(first.id).repeat_count == 4
    # The same item however the caller spells it (an int id, extra keys) is the same item.
    fourth: dict[str, Any] = {"format": "jsonl", "id": 7, "line": 3}
    assert storage.record_repeat(first.id, None, "duplicate", source=fourth)
    assert storage.record_repeat(first.id, None, "duplicate", source=fourth)
    spelt = storage.insert(row("Use uv.", metadata={"imported_from": {"format": "jsonl",
                           "id": "7"}}), once=True, dedup=True)  # fmt: skip
    assert spelt.status == "present" and storage.get(first.id).repeat_count == 5


def test_repeats_are_counted_on_the_memory_they_repeat(storage: Storage) -> None:
    a = storage.insert(row("Deploys  run on Fridays.", tags=["ops"])).id
    found = storage.find_exact("global", "deploys run on fridays")
    assert found is not None and found.id == a
    assert storage.find_exact("elsewhere", "Deploys run on Fridays.") is None
    storage.record_repeat(a, "client-x", "duplicate", ["ops", "release"])
    again = storage.get(a)
    assert again.repeat_count == 2
    assert again.tags == ["ops", "release"]
    assert again.last_seen_at is not None
    storage.set_forgotten([a], None)
    assert storage.find_exact("global", "Deploys run on Fridays.") is None
    assert storage.record_repeat(a, "client-x", "duplicate") is False  # hidden: not counted
    assert storage.get(a).repeat_count == 2


def test_held_texts_is_find_exact_for_many(storage: Storage) -> None:
    """One read answers, for many (scope, text, occurred_at), what find_exact answers for one."""
    storage.insert(row("Deploys  run on Fridays."))
    storage.insert(row("Tests use pytest", scope="work"))
    gone = storage.insert(row("Logs go to Loki")).id
    storage.set_forgotten([gone], None)
    old = storage.insert(row("The port is 8080", key="port")).id
    storage.insert(row("The port is 8081", key="port"))  # supersedes `old`
    assert storage.get(old).superseded_by is not None
    storage.insert(row("Went to the dentist", kind="event", occurred_at="2026-03-02T09:00:00Z"))
    storage.insert(row("The office is in Lyon", occurred_at="2026-03-02T09:00:00Z"))  # a fact
    asked = [
        ("global", "deploys run on fridays", None),
        ("global", "DEPLOYS RUN ON FRIDAYS.", None),  # the same text spelt otherwise: both held
        ("global", "Deploys run on Fridays.", "2026-01-01T00:00:00Z"),  # undated memory: held
        ("elsewhere", "Deploys run on Fridays.", None),
        ("work", "Tests use pytest", None),
        ("global", "Tests use pytest", None),
        ("global", "Logs go to Loki", None),  # forgotten
        ("global", "The port is 8080", None),  # superseded
        ("global", "The port is 8081", None),  # held under a key: find_exact finds it too
        ("global", "Went to the dentist", "2026-03-02T18:30:00Z"),  # the same day
        ("global", "Went to the dentist", "2026-03-09T09:00:00Z"),  # another day's event
        ("global", "went to the dentist", None),  # undated: the dated memory repeats it
        ("global", "The office is in Lyon", "2026-05-01T09:00:00Z"),  # lasting: any day
    ]
    held = storage.held_texts(asked)
    found = {text: storage.find_exact(*text) for text in asked}
    assert held == {text: memory.id for text, memory in found.items() if memory is not None}
    assert set(held) == {asked[i] for i in (0, 1, 2, 4, 8, 9, 11, 12)}
    assert storage.held_texts([]) == {}
    # The id is the memory find_exact names: of the event's day before an undated copy.
    undated = storage.insert(row("Went to the dentist", kind="event")).id
    dated = storage.find_exact("global", "went to the dentist", "2026-03-02T20:00:00Z")
    assert dated is not None and dated.id != undated
    assert storage.held_texts([("global", "went to the dentist", "2026-03-02T20:00:00Z")]) == {
        ("global", "went to the dentist", "2026-03-02T20:00:00Z"): dated.id
    }


def test_back_to_back_repeats_share_one_history_entry(storage: Storage) -> None:
    a = storage.insert(row("Standup is at ten")).id
    for n in range(60):
        assert storage.record_repeat(a, f"client-{n % 3}", "duplicate")
    storage.record_repeat(a, "client-0", "duplicate", ["meetings"])  # a new tag: an entry
    storage.record_repeat(a, "client-0", "duplicate")
    trail = storage.history(a)
    assert [e.action for e in trail] == ["duplicate", "duplicate", "duplicate", "create"]
    assert trail[2].detail["count"] == 60
    assert trail[2].detail["clients"] == ["client-0", "client-1", "client-2"]
    assert trail[1].detail["tags_added"] == ["meetings"]
    assert storage.get(a).repeat_count == 63


# -- decisions taken inside the write -----------------------------------------------------------


def test_insert_counts_a_repeat_or_supersedes_inside_its_transaction(storage: Storage) -> None:
    a = storage.insert(row("Deploys run on Fridays", tags=["ops"])).id
    assert storage.insert(row("deploys  RUN on fridays.", tags=["x"]), dedup=True) == Inserted(
        a, "duplicate"
    )
    assert (storage.get(a).repeat_count, storage.get(a).tags) == (2, ["ops", "x"])
    keyed = storage.insert(row("Deploys run on Fridays", key="deploy.day"), dedup=True)
    assert keyed == Inserted(a, "duplicate")  # the repeat gives the memory its key
    assert storage.get(a).key == "deploy.day"
    other_key = storage.insert(row("Deploys run on Fridays", key="ops.day"), dedup=True)
    assert other_key.status == "created"  # a memory of another key is no repeat of it
    assert storage.insert(row("Deploys run on Fridays"), dedup=False).status == "created"
    fixed = storage.insert(row("Deploys run on Thursdays"), dedup=True, replaces=a)
    assert (fixed.status, fixed.supersedes) == ("created", (a,))
    with pytest.raises(InvalidInput, match=f"Memory {a} was already replaced by {fixed.id};"):
        storage.insert(row("Deploys run on Mondays"), replaces=a)
    with pytest.raises(InvalidInput, match="in scope 'global', not 'other'"):
        storage.insert(row("Deploys run on Mondays", scope="other"), replaces=fixed.id)
    assert storage.counts()["memories"] == 4  # the refused corrections stored nothing
    assert storage.get(fixed.id).superseded_by is None


def test_a_key_has_one_current_value_whatever_the_write(storage: Storage) -> None:
    def current() -> list[int]:
        return [m.id for m in storage.current_for_key("global", "user.editor")]

    helix = storage.insert(row("Editor is Helix", key="user.editor")).id
    storage.set_forgotten([helix], None)
    zed = storage.insert(row("Editor is Zed", key="user.editor"))
    assert zed.supersedes == ()  # a forgotten value is not current
    storage.restore([helix])  # older than the current value: back, but superseded by it
    assert current() == [zed.id] and storage.get(helix).superseded_by == zed.id
    vim = storage.insert(row("Editor is Vim", key="user.editor", scope="other")).id
    storage.update(vim, {"scope": "global"})  # moved in, and later-created: it is current
    assert current() == [vim] and storage.get(zed.id).superseded_by == vim
    month_ago = format_time(datetime.now(UTC) - timedelta(days=30))
    [old] = storage.insert_many([row("Editor is Emacs", key="user.editor", created_at=month_ago)])
    # older than every value: superseded by the one created next (as_of then finds one)
    assert current() == [vim] and storage.get(old.id).superseded_by == helix
    nano = storage.insert(row("Editor is nano")).id
    storage.update(nano, {"key": "user.editor"})  # given the key, and the newest
    assert current() == [nano] and storage.get(vim).superseded_by == nano
    assert [e.action for e in storage.history(vim)][0] == "supersede"


def test_insert_many_decides_each_row_against_what_is_stored(storage: Storage) -> None:
    tea = storage.insert(row("Tea at four")).id
    counted = storage.insert_many(
        [row("tea at four."), row("Coffee at nine"), row("coffee at NINE")], repeats="count"
    )
    coffee = counted[1].id
    assert counted == [
        Inserted(tea, "duplicate"), Inserted(coffee, "created"), Inserted(coffee, "duplicate")
    ]  # fmt: skip
    assert [storage.get(i).repeat_count for i in (tea, coffee)] == [2, 2]
    source = {"imported_from": {"format": "mem0", "id": "m-1"}}
    [mem0] = storage.insert_many([row("From mem0", metadata=source)], repeats="skip")
    storage.set_forgotten([mem0.id], None)
    skipped = storage.insert_many(
        [row("From mem0, edited there", metadata=source), row("Tea at four")], repeats="skip"
    )
    assert skipped == [Inserted(mem0.id, "present"), Inserted(tea, "duplicate")]
    assert storage.get(tea).repeat_count == 2  # left out, not counted


def test_a_mixed_batch_is_decided_and_logged_row_by_row(storage: Storage) -> None:
    """Plain rows, a repeat of an earlier row of the batch, keyed rows superseding each
    other and rows without a vector: each outcome, id order, history order and index entry
    as if the rows had come one by one (SQLite writes runs of plain rows together)."""
    batch = [
        row("alpha note", vec(1, 0, 0, 0)), row("beta note"), row("Alpha note."),
        row("Editor is Helix", vec(0, 1, 0, 0), key="user.editor"), row("gamma note"),
        row("Editor is Zed", vec(0, 0, 1, 0), key="user.editor"), row("beta note", vec(0, 0, 0, 1)),
    ]  # fmt: skip
    out = storage.insert_many(batch, client="bulk", repeats="count")
    alpha, beta, helix, gamma, zed = (out[i].id for i in (0, 1, 3, 4, 5))
    assert [(s.id, s.status) for s in out] == [
        (alpha, "created"), (beta, "created"), (alpha, "duplicate"), (helix, "created"),
        (gamma, "created"), (zed, "created"), (beta, "duplicate"),
    ]  # fmt: skip
    assert alpha < beta < helix < gamma < zed
    assert storage.get(helix).superseded_by == zed
    assert [storage.get(i).repeat_count for i in (alpha, beta)] == [2, 2]
    trail = [(h.memory_id, h.action) for h in reversed(storage.history(limit=20))]
    assert trail == [
        (alpha, "create"), (beta, "create"), (alpha, "duplicate"), (helix, "create"),
        (gamma, "create"), (helix, "supersede"), (zed, "create"), (beta, "duplicate"),
    ]  # fmt: skip
    assert_in_step(storage, 5, 3)
    assert ids(storage.search_keywords("gamma", MemoryFilter(), 5)) == [gamma]
    assert ids(storage.search_keywords("helix", EVERYTHING, 5)) == [helix]
    assert storage.search_keywords("helix", MemoryFilter(), 5) == []


def test_a_batch_stores_each_value_as_given(storage: Storage) -> None:
    """SQLite writes a run of new rows as one JSON array of rows: every text and value comes
    back as it went in (astral characters, escapes, quotes, line separators, numbers)."""
    texts = [
        "emoji \U0001f389 and \U0001f468\u200d\U0001f469\u200d\U0001f467 family",
        'quotes " and \\ backslash \\u0041 not an escape', "line\u2028sep\u2029para\ttab",
        "日本語のメモ", "café ÇA ß İ ı", "plain ascii note",
    ]  # fmt: skip
    batch = [
        row(text, vec(1, i, 0, 0), tags=["t\u00e9st", f"n{i}"], scope=f"sc\u00f6pe{i % 2}",
            metadata={"n": i, "big": 2**62 + i, "f": 0.1 * i, "yes": True, "none": None,
                      "deep": {"list": [text, -i]}},
            context=f"ctx {text}", occurred_at="2026-01-02T03:04:05.123456Z",
            expires_at="2099-01-01T00:00:00.000000Z", client="bulk \U0001f916")
        for i, text in enumerate(texts)
    ]  # fmt: skip
    out = storage.insert_many(batch, repeats="count")
    assert [s.status for s in out] == ["created"] * len(texts)
    for given, stored in zip(batch, storage.get_many([s.id for s in out]), strict=True):
        assert (stored.content, stored.tags, stored.scope, stored.metadata, stored.context) == (
            given.content, given.tags, given.scope, given.metadata, given.context
        )  # fmt: skip
        assert format_time(stored.occurred_at) == given.occurred_at  # type: ignore[arg-type]
        assert format_time(stored.expires_at) == given.expires_at  # type: ignore[arg-type]
    assert_in_step(storage, len(texts), len(texts))


def _stored_for_batch_tests(store: Storage) -> None:
    """Memories a batch may repeat, or must not: visible, forgotten, superseded, keyed,
    dated events and lasting kinds, in two scopes."""
    store.insert(row("Deploys  run on Fridays."))
    store.insert(row("Tests use pytest", scope="work"))
    gone = store.insert(row("Logs go to Loki")).id
    store.set_forgotten([gone], None)
    store.insert(row("The port is 8080", key="port"))
    store.insert(row("The port is 8081", key="port"))  # supersedes 8080
    store.insert(row("Went to the dentist", kind="event", occurred_at="2026-03-02T09:00:00Z"))
    store.insert(row("The office is in Lyon", occurred_at="2026-03-02T09:00:00Z"))
    store.insert(row("Editor is Helix"))


_BATCH = [
    row("deploys run on FRIDAYS"),  # a stored memory, spelt otherwise
    row("Tests use pytest"),  # another scope's text: new here
    row("Logs go to Loki"),  # forgotten: new
    row("The port is 8080"),  # superseded: new
    row("the port is 8081", key="port"),  # its key's memory
    row("Went to the dentist", kind="event", occurred_at="2026-03-09T09:00:00Z"),  # other day
    row("went to the dentist.", kind="event", occurred_at="2026-03-09T18:00:00Z"),  # the row above
    row("Went to the dentist", kind="event", occurred_at="2026-03-02T20:00:00Z"),  # stored day
    row("The office is in Lyon", occurred_at="2026-05-01T09:00:00Z"),  # lasting: any day
    row("Editor is Helix", key="user.editor", kind="preference"),  # takes the key and kind
    row("editor is helix"),  # now keyed: still its repeat
    row("Tea at four"), row("Coffee at nine"), row("tea at four."),  # new, then repeated
    row("Coffee at nine", scope="work"), row("coffee at nine", scope="work"),
    row("A key first", key="first"), row("a key first"),  # a keyed new row, then unkeyed
    row("From mem0", metadata={"imported_from": {"format": "mem0", "id": "m-1"}}),
    row("From mem0 again", metadata={"imported_from": {"format": "mem0", "id": "m-1"}}),
]  # fmt: skip


def _state(store: Storage) -> list[tuple[Any, ...]]:
    """Every memory as stored, but for the times a write sets to its own clock."""
    return [
        (m.id, m.content, m.scope, m.kind, m.key, m.tags, m.metadata, m.occurred_at,
         m.repeat_count, m.superseded_by, m.forgotten_at is None)
        for m in store.iter_all()
    ]  # fmt: skip


@pytest.mark.parametrize("repeats", ["count", "skip"])
def test_a_batch_decides_repeats_as_its_rows_one_by_one(
    storage: Storage, tmp_path: Path, repeats: str
) -> None:
    """insert_many reads which texts are held once a batch, then looks a row up only when
    its text is held or an earlier row of the batch inserted it: every outcome and every
    memory as when each row is sent alone."""
    backend = "postgres" if type(storage).__module__.startswith("memory_mcp.storage.postgres") \
        else "sqlite"  # fmt: skip
    alone = open_storage(settings(backend, tmp_path / "alone"))
    try:
        alone.ensure_vector_index(MODEL, DIM)
        for store in (storage, alone):
            _stored_for_batch_tests(store)
        together = storage.insert_many(_BATCH, repeats=repeats)  # type: ignore[arg-type]
        one_by_one = [alone.insert_many([r], repeats=repeats)[0] for r in _BATCH]  # type: ignore[arg-type]
        assert together == one_by_one
        assert _state(storage) == _state(alone)
        d, c = "duplicate", "created"
        assert [s.status for s in together] == [
            d, c, c, c, d, c, d, d, d, d, d, c, c, d, c, d, c, d, c,
            "present" if repeats == "skip" else c,
        ]  # fmt: skip
    finally:
        alone.close()


def test_each_row_of_a_batch_keeps_its_own_vector_and_log_entry(storage: Storage) -> None:
    """Runs of new rows are written together (SQLite: their vectors by one statement, each
    cut out of one blob by its place): every row holds its own vector with its own metadata,
    a row without one holds none, and the vector feed names each embedded row once."""
    rng = np.random.default_rng(7)
    given = [vec(*rng.standard_normal(DIM)) for _ in range(9)]
    _, start = storage.vector_log_head()
    batch = [
        row("one", given[0], scope="a"), row("two", given[1], kind="decision"),
        row("three"), row("four", given[3], scope="b"), row("ONE.", given[4], scope="a"),
        row("five", given[5], key="k.five"), row("six", given[6]), row("seven", given[7]),
        row("eight", given[8], scope="b", occurred_at="2024-02-03T04:05:06.000000Z"),
    ]  # fmt: skip
    out = storage.insert_many(batch, repeats="count")
    assert [s.status for s in out] == ["created"] * 4 + ["duplicate"] + ["created"] * 4
    embedded = {out[i].id: i for i in (0, 1, 3, 5, 6, 7, 8)}
    streamed: list[VectorRows] = []
    storage.vector_snapshot(DIM, streamed.append)
    held = {
        int(i): (rows.vectors[at], rows.scopes[at], rows.kinds[at])
        for rows in streamed for at, i in enumerate(rows.ids.tolist())
    }  # fmt: skip
    assert set(held) == set(embedded)
    for memory_id, i in embedded.items():
        vector, scope, kind = held[memory_id]
        assert np.allclose(vector, given[i], atol=1e-6), (memory_id, i)
        assert (scope, kind) == (batch[i].scope, batch[i].kind)
    delta = storage.vector_changes(start, DIM)
    assert delta is not None and sorted(delta.ids) == sorted(embedded)
    assert_in_step(storage, 8, 7)


def test_restored_rows_keep_free_ids_and_are_found_again(storage: Storage) -> None:
    mine = storage.insert(row("Mine")).id
    when = "2024-05-06T07:08:09.000000Z"
    restored = storage.insert_many(
        [
            row("Mine", id=mine),  # same id, same text: already here
            row("Theirs", id=mine, created_at=when),  # id taken: renumbered
            row("Kept id", id=500),
        ],
        repeats="restore",
    )
    theirs = restored[1].id
    assert restored == [
        Inserted(mine, "present"), Inserted(theirs, "created"), Inserted(500, "created")
    ]  # fmt: skip
    assert theirs not in (mine, 500)
    again = storage.insert_many(
        [row("Theirs", id=mine, created_at=when), row("Kept id", id=500)], repeats="restore"
    )
    assert again == [Inserted(theirs, "present"), Inserted(500, "present")]
    other_time = storage.insert_many(
        [row("Theirs", id=mine, created_at="2025-01-01T00:00:00.000000Z")], repeats="restore"
    )
    assert other_time[0].status == "created"  # same text, another memory
    assert storage.counts()["memories"] == 4


def test_a_later_copy_folds_into_the_earlier_one(storage: Storage) -> None:
    first = storage.insert(row("The user prefers dark mode", vec(1, 0, 0, 0), tags=["ui"])).id
    later = storage.insert(row("User prefers dark mode.", vec(1, 0.01, 0, 0), tags=["theme"])).id
    assert storage.merge_into(later, first, "client-x", cosine=0.99)
    merged = storage.get(first)
    assert merged.repeat_count == 2 and merged.tags == ["ui", "theme"]
    assert storage.get_many([later]) == []
    assert ids(storage.search_vectors(vec(1, 0, 0, 0), MemoryFilter(), 5)) == [first]
    trail = storage.history(first)[0]
    assert (trail.action, trail.client) == ("merge", "client-x")
    assert trail.detail == {"text": "User prefers dark mode.", "merged": later, "cosine": 0.99}
    gone = storage.history(later)[0]
    assert gone.action == "merge" and gone.detail == {"into": first}
    assert gone.before is not None and gone.before["content"] == "User prefers dark mode."
    assert_in_step(storage, 1, 1)


def test_a_fold_takes_the_later_copys_kind_and_metadata(storage: Storage) -> None:
    """A rewording merged into an earlier memory lost its explicit kind and its metadata
    (a counted repeat kept them): the fold now takes them as the repeat does, and a context
    the memory lacked; the merge's history entry shows the memory before and after."""
    first = storage.insert(row("Ship on Fridays", vec(1, 0, 0, 0), metadata={"a": 1})).id
    later = storage.insert(
        row("We ship on Fridays.", vec(1, 0.01, 0, 0), kind="decision",
            metadata={"a": 2, "b": 3}, context="From the retro")
    ).id  # fmt: skip
    assert storage.merge_into(later, first, "client-x", cosine=0.99)
    kept = storage.get(first)
    assert (kept.kind, kept.metadata, kept.context) == (
        "decision", {"a": 2, "b": 3}, "From the retro"
    )  # fmt: skip
    entry = storage.history(first)[0]
    assert entry.action == "merge" and entry.detail["changed"] == ["context", "kind", "metadata"]
    assert entry.before is not None and entry.after is not None
    assert (entry.before["kind"], entry.after["kind"]) == ("fact", "decision")
    # A copy saying nothing new changes nothing (the default kind `note` says nothing).
    plain = storage.insert(row("Ship Fridays", vec(1, 0.02, 0, 0), kind="note")).id
    assert storage.merge_into(plain, first)
    assert storage.get(first).kind == "decision"
    assert "changed" not in storage.history(first)[0].detail


def test_a_fold_or_a_repeat_keeps_the_longer_life(storage: Storage) -> None:
    """A memory said again, or a rewording folded into it, expires no sooner than the new
    statement asked (None: never); the vector index follows (it filters on expiry)."""
    soon, far = "2099-01-01T00:00:00.000000Z", "2199-01-01T00:00:00.000000Z"
    past = "2000-01-01T00:00:00.000000Z"
    first = storage.insert(row("Parking is on level 2", vec(1, 0, 0, 0), expires_at=soon)).id
    later = storage.insert(row("Parking: level 2", vec(1, 0.01, 0, 0))).id
    assert storage.merge_into(later, first)
    assert storage.get(first).expires_at is None
    assert storage.history(first)[0].detail["expires"] == "never"
    gone = storage.insert(row("Standup at ten", vec(0, 1, 0, 0), expires_at=past)).id
    assert gone not in ids(storage.search_vectors(vec(0, 1, 0, 0), MemoryFilter(), 5))
    assert storage.record_repeat(gone, None, "duplicate", expires_at=far)
    assert storage.get(gone).expires_at == datetime(2199, 1, 1, tzinfo=UTC)
    assert ids(storage.search_vectors(vec(0, 1, 0, 0), MemoryFilter(), 5))[0] == gone
    assert storage.record_repeat(gone, None, "duplicate", expires_at=soon)  # never shortened
    assert storage.insert(row("standup at ten."), dedup=True).status == "duplicate"
    assert storage.get(gone).expires_at is None
    assert_in_step(storage, 2, 2)


def test_hidden_memories_and_corrections_are_never_folded(storage: Storage) -> None:
    first = storage.insert(row("Editor is Helix")).id
    correction = storage.insert(row("Editor is Neovim"), replaces=first).id
    other = storage.insert(row("Editor is Neovim!")).id
    assert not storage.merge_into(correction, other)  # it replaced a memory: kept
    hidden = storage.insert(row("Editor is Neovim.")).id
    storage.set_forgotten([hidden], None)
    assert not storage.merge_into(hidden, other) and not storage.merge_into(other, hidden)
    assert storage.count(EVERYTHING) == 4
    with pytest.raises(NotFound):
        storage.merge_into(999, other)


# -- reads --------------------------------------------------------------------------------------


def test_reads_filter_page_and_stream(storage: Storage) -> None:
    made = [storage.insert(row(f"memory {i}", scope="a" if i % 2 else "b")).id for i in range(5)]
    storage.set_forgotten([made[0]], None)
    assert [m.id for m in storage.find(MemoryFilter(), limit=2)] == [made[4], made[3]]
    assert [m.id for m in storage.find(MemoryFilter(), limit=2, offset=2)] == [made[2], made[1]]
    assert [m.id for m in storage.find(MemoryFilter(scopes=["a"]))] == [made[3], made[1]]
    assert [m.id for m in storage.iter_all(batch=2)] == made
    assert [m.id for m in storage.get_many([made[2], 999, made[1]])] == [made[2], made[1]]
    assert storage.group_counts("scope") == {"a": 2, "b": 2}
    assert storage.count(EVERYTHING) == 5


def test_tally_counts_every_match_per_scope_and_kind_with_its_span(storage: Storage) -> None:
    """One grouped read: counts and the first and last time (occurred, else recorded) of
    every memory the filter matches, however many, with the filter applied inside it."""

    def at(day: int) -> str:
        return format_time(datetime(2025, 1, day, tzinfo=UTC))

    storage.insert(row("a", scope="w", kind="fact", created_at=at(5)))
    storage.insert(row("b", scope="w", kind="fact", created_at=at(20), occurred_at=at(2)))
    storage.insert(row("c", scope="w", kind="event", created_at=at(9)))
    storage.insert(row("d", scope="p", kind="fact", created_at=at(12)))
    gone = storage.insert(row("e", scope="p", kind="fact", created_at=at(1))).id
    storage.set_forgotten([gone], None)
    tallies = storage.tally(MemoryFilter())
    assert [(t.scope, t.kind, t.count) for t in tallies] == [
        ("p", "fact", 1),
        ("w", "event", 1),
        ("w", "fact", 2),
    ]
    spans = {(t.scope, t.kind): (t.first_at, t.last_at) for t in tallies}
    assert spans[("w", "fact")] == (
        datetime(2025, 1, 2, tzinfo=UTC),
        datetime(2025, 1, 5, tzinfo=UTC),
    )
    assert [(t.scope, t.count) for t in storage.tally(MemoryFilter(scopes=["p"]))] == [("p", 1)]
    assert sum(t.count for t in storage.tally(EVERYTHING)) == storage.count(EVERYTHING) == 5
    assert storage.tally(MemoryFilter(kind="preference")) == []


def test_keyset_pages_cover_every_row_once_even_with_equal_times(storage: Storage) -> None:
    """Paging by (created_at, id) after the last row shown: rows sharing a time are neither
    skipped nor repeated, and filters still apply."""
    same = format_time(datetime(2026, 1, 1, tzinfo=UTC))
    made = [storage.insert(row(f"memory {i}", created_at=same)).id for i in range(5)]
    made.append(storage.insert(row("newer")).id)
    seen: list[int] = []
    after = None
    while page := storage.find(MemoryFilter(), limit=2, after=after):
        seen += [m.id for m in page]
        after = (page[-1].created_at, page[-1].id)
    assert seen == [made[5], *reversed(made[:5])]
    first = storage.find(MemoryFilter(), limit=3)
    rest = storage.find(
        MemoryFilter(scopes=["nowhere"]), after=(first[-1].created_at, first[-1].id)
    )
    assert rest == []


def test_a_rows_place_in_either_order_is_the_count_of_those_ahead_of_it(storage: Storage) -> None:
    """count(before=) is where a keyset page starts (the web UI's "Rows 201–250"): rows
    sharing a time are ordered by id, as find() orders them, and filters still apply."""
    same = format_time(datetime(2026, 1, 1, tzinfo=UTC))
    storage.insert(row("other scope", scope="elsewhere", created_at=same))
    for i in range(5):
        storage.insert(row(f"memory {i}", created_at=same))
    storage.insert(row("newer"))
    flt = MemoryFilter(scopes=["global"])
    for newest_first in (True, False):
        listed = storage.find(flt, newest_first=newest_first)
        assert len(listed) == 6
        places = [
            storage.count(flt, before=(m.created_at, m.id), newest_first=newest_first)
            for m in listed
        ]
        assert places == list(range(6)), (newest_first, places)
    assert storage.count(EVERYTHING, before=(datetime(2000, 1, 1, tzinfo=UTC), 1)) == 7


def test_superseded_ids_name_what_a_memory_replaced(storage: Storage) -> None:
    first = storage.insert(row("Editor is Vim.", key="editor")).id
    second = storage.insert(row("Editor is Emacs.", key="editor")).id
    third = storage.insert(row("Editor is Helix.", key="editor")).id
    assert storage.superseded_ids(second) == [first]
    assert storage.superseded_ids(third) == [second]
    assert storage.superseded_ids(first) == []


def test_expiry_and_imports_are_found(storage: Storage) -> None:
    past = format_time(datetime.now(UTC) - timedelta(hours=1))
    gone = storage.insert(row("expired", expires_at=past)).id
    storage.insert(row("imported", metadata={"imported_from": {"format": "mem0", "id": "m-7"}}))
    assert storage.expired_ids() == [gone]
    assert storage.count(MemoryFilter()) == 1
    assert storage.imported_ids("mem0") == {"m-7"}
    assert storage.imported_ids("kg-jsonl") == set()


def test_history_records_every_change_with_its_client(storage: Storage) -> None:
    a = storage.insert(row("tracked"), client="cli").id
    storage.update(a, {"content": "tracked, edited"}, client="ui")
    storage.update(a, {"scope": "elsewhere"}, client="ui")
    storage.set_forgotten([a], "why", client="cli")
    storage.restore([a], client="cli")
    trail = storage.history(a)
    assert [e.action for e in trail] == ["restore", "forget", "move", "edit", "create"]
    assert trail[3].client == "ui"
    assert trail[3].before is not None and trail[3].before["content"] == "tracked"
    assert trail[3].after is not None and trail[3].after["content"] == "tracked, edited"
    assert trail[1].detail == {"reason": "why"}
    storage.purge([a], client="cli")
    assert [e.action for e in storage.history(limit=2)] == ["purge", "restore"]


def test_scopes_after_tells_where_the_next_snapshot_found_a_memory(storage: Storage) -> None:
    a = storage.insert(row("moved twice", scope="vault"), client="cli").id
    b = storage.insert(row("never moved", scope="team"), client="cli").id
    storage.set_forgotten([a], "why", client="cli")
    storage.restore([a], client="cli")
    storage.update(a, {"scope": "team"}, client="cli")
    storage.update(a, {"content": "moved twice, edited"}, client="cli")
    storage.update(a, {"scope": "public"}, client="cli")
    trail = {e.action: e.id for e in reversed(storage.history(a))}  # the first of each
    created, forget, restore = trail["create"], trail["forget"], trail["restore"]
    edit, newest = trail["edit"], storage.history(a, limit=1)[0].id
    asked = [(a, created), (a, forget), (a, restore), (a, edit), (a, newest)]
    asked.append((b, storage.history(b)[0].id))
    assert storage.scopes_after(asked) == {created: "vault", forget: "vault", restore: "vault",
                                           edit: "team"}  # fmt: skip
    assert storage.scopes_after([]) == {}


def test_scrub_also_erases_a_string_from_the_key_scope_and_forget_reason(
    storage: Storage,
) -> None:
    # Scrub left these alone and erased the history only: `show`, recall and exports still
    # held the secret, while the history said the memory never had it.
    secret = "quasar7731"
    key, scope = f"db.pw.{secret}", f"team/{secret}"
    old = storage.insert(row("Database password v1", key=key, scope=scope)).id
    new = storage.insert(row("Database password v2", key=key, scope=scope)).id
    storage.set_forgotten([old], f"rotated {secret}")
    assert storage.scrub([new, old], secret, client="cli") == {new: (True, 2), old: (True, 4)}
    for memory in (storage.get(new), storage.get(old)):
        assert (memory.key, memory.scope) == (f"db.pw.{SCRUBBED}", f"team/{SCRUBBED}")
        assert secret not in str(storage.history(memory.id))
    assert storage.get(old).forget_reason == f"rotated {SCRUBBED}"
    assert [m.id for m in storage.current_for_key(f"team/{SCRUBBED}", f"db.pw.{SCRUBBED}")] == [new]
    assert storage.current_for_key(scope, key) == []
    every = storage.find(EVERYTHING, limit=100)
    assert secret not in str(every)
    assert_in_step(storage, len(every), 0)


def test_a_purge_keeps_who_and_when_in_the_history_but_no_text(storage: Storage) -> None:
    a = storage.insert(row("The vault code is Quasar-7731"), client="cli").id
    storage.update(a, {"content": "The vault code was rotated"}, client="ui")
    storage.record_repeat(a, "ui", "merge", text="vault code Quasar-7731 (reworded)")
    storage.set_forgotten([a], "leaked Quasar-7731", client="cli")
    kept = [(e.id, e.action, e.at, e.client) for e in storage.history(a)]
    assert storage.purge([a], client="cli") == [a]
    trail = storage.history(a)
    assert [(e.id, e.action, e.at, e.client) for e in trail[1:]] == kept
    assert (trail[0].action, trail[0].client, trail[0].detail) == ("purge", "cli", {})
    assert all(e.before is None and e.after is None for e in trail)
    assert all(e.detail == {"erased": "purge"} for e in trail[1:])
    assert "Quasar" not in str(storage.history())


def test_scrub_removes_a_string_from_a_memory_and_its_history(storage: Storage) -> None:
    secret = "sk-live-Quasar7731"
    a = storage.insert(row(f"token {secret} for deploys", vec(1, 0, 0, 0), tags=[secret])).id
    storage.update(a, {"context": f"pasted {secret} by mistake"}, client="ui")
    storage.set_forgotten([a], f"contains {secret}")
    storage.restore([a])
    other = storage.insert(row(f"unrelated {secret} stays", vec(0, 1, 0, 0))).id
    assert storage.scrub([a], secret, client="cli") == {a: (True, 3)}  # create, edit, forget
    memory = storage.get(a)
    assert memory.content == f"token {SCRUBBED} for deploys"
    assert (memory.tags, memory.context) == ([SCRUBBED], f"pasted {SCRUBBED} by mistake")
    assert not memory.embedded  # its text changed: embedded again later
    assert secret not in str(storage.history(a))
    assert storage.history(a)[0].action == "scrub"
    assert storage.history(a)[0].client == "cli"
    assert ids(storage.search_keywords(secret, MemoryFilter(), 5)) == [other]
    assert ids(storage.search_keywords("scrubbed", MemoryFilter(), 5)) == [a]
    assert storage.set_vectors([(a, memory.content, vec(1, 0, 0, 0))]) == 1
    assert_in_step(storage, 2, 2)
    assert storage.scrub([a], secret) == {a: (False, 0)}  # nothing left: no entry either
    assert storage.history(a)[0].action == "scrub" and len(storage.history(a)) == 5
    with pytest.raises(NotFound, match="No memory with id 999"):
        storage.scrub([other, 999], secret)  # one transaction: nothing changed
    assert secret in storage.get(other).content


def test_an_id_is_never_given_twice_not_even_after_a_purge(storage: Storage) -> None:
    storage.insert(row("First"))
    newest = storage.insert(row("Project Falcon", scope="private")).id
    storage.purge([newest])
    fresh = storage.insert(row("Unrelated", scope="other")).id
    [again] = storage.insert_many([row("Also unrelated")])
    assert newest < fresh < again.id  # a client's or a summary's "#newest" names no other memory
    assert [e.action for e in storage.history(fresh)] == ["create"]


def test_purging_a_replacement_brings_back_what_it_replaced(storage: Storage) -> None:
    def current(key: str = "user.editor") -> list[int]:
        return [m.id for m in storage.current_for_key("global", key)]

    vim = storage.insert(row("Editor is Vim", key="user.editor")).id
    helix = storage.insert(row("Editor is Helix", key="user.editor")).id
    zed = storage.insert(row("Editor is Zed", key="user.editor")).id
    storage.purge([zed])  # the current value: the one it replaced is current again
    assert current() == [helix] and storage.get(vim).superseded_by == helix
    assert storage.get(helix).superseded_at is None
    assert [(e.action, e.detail) for e in storage.history(helix)][0] == (
        "restore", {"replaced_by_purged": zed},
    )  # fmt: skip
    nano = storage.insert(row("Editor is nano", key="user.editor")).id
    storage.purge([helix])  # in the middle of a chain: what it replaced goes to the next
    assert current() == [nano] and storage.get(vim).superseded_by == nano
    port = storage.insert(row("Port is 8080")).id
    fixed = storage.insert(row("Port is 9090"), replaces=port).id
    storage.purge([fixed])  # a correction erased: the corrected memory shows again
    assert storage.get(port).superseded_by is None
    assert ids(storage.search_keywords("port", MemoryFilter(), 5)) == [port]
    shell = storage.insert(row("Shell is bash", key="user.shell")).id
    storage.set_forgotten([shell], None)
    zsh = storage.insert(row("Shell is zsh", key="user.shell")).id
    fish = storage.insert(row("Shell is fish", key="user.shell")).id
    storage.purge([zsh, fish])
    assert storage.get(shell).forgotten_at is not None  # still forgotten, no longer replaced
    assert storage.get(shell).superseded_by is None and current("user.shell") == []
    assert storage.restore([shell]).restored == [shell] and current("user.shell") == [shell]
    every = storage.find(EVERYTHING, limit=100)
    held = {m.id for m in every}
    assert all(m.superseded_by in held for m in every if m.superseded_by is not None)
    assert_in_step(storage, len(every), 0)


def test_purging_the_middle_of_a_chain_of_corrections_keeps_the_last_one_current(
    storage: Storage,
) -> None:
    # `replaces` corrected Monday to Tuesday, then Tuesday to Wednesday. Erasing the middle
    # correction must not bring Monday back as current beside Wednesday: the first value was
    # corrected twice, and the last correction still stands.
    monday = storage.insert(row("The release train leaves on Monday", scope="c")).id
    tuesday = storage.insert(row("The release train leaves on Tuesday", scope="c"), replaces=monday)
    wednesday = storage.insert(
        row("The release train leaves on Wednesday", scope="c"), replaces=tuesday.id
    ).id
    storage.purge([tuesday.id])
    assert storage.get(monday).superseded_by == wednesday
    assert ids(storage.search_keywords("release train", MemoryFilter(), 5)) == [wednesday]
    assert ("supersede", wednesday) in [
        (e.action, e.detail.get("by")) for e in storage.history(monday)
    ]
    forgotten = storage.insert(row("Standup is at 9", scope="c")).id
    later = storage.insert(row("Standup is at 10", scope="c"), replaces=forgotten).id
    last = storage.insert(row("Standup is at 11", scope="c"), replaces=later).id
    storage.set_forgotten([last], None)  # the last correction forgotten: none of them shows
    storage.purge([later])
    assert storage.get(forgotten).superseded_by == last
    assert ids(storage.search_keywords("standup", MemoryFilter(), 5)) == []
    storage.purge([last])  # no correction left: the first value is current again
    assert storage.get(forgotten).superseded_by is None
    assert ids(storage.search_keywords("standup", MemoryFilter(), 5)) == [forgotten]
    every = storage.find(EVERYTHING, limit=100)
    assert_in_step(storage, len(every), 0)


def test_a_key_value_leaving_its_scope_brings_back_what_it_replaced_there(
    storage: Storage,
) -> None:
    # A key has one current value per scope: when the current value is moved (or re-keyed)
    # away, what it superseded in the slot it left is that slot's value again, as for purge.
    def current(scope: str, key: str = "user.shell") -> list[int]:
        return [m.id for m in storage.current_for_key(scope, key)]

    bash = storage.insert(row("Shell is bash", key="user.shell", scope="p1")).id
    zsh = storage.insert(row("Shell is zsh", key="user.shell", scope="p1")).id
    assert storage.get(bash).superseded_by == zsh
    before = storage.get(bash)
    storage.set_forgotten([zsh], None)  # forget changes nothing else, so restore undoes it
    assert current("p1") == [] and storage.restore([zsh]).restored == [zsh]
    assert storage.get(bash) == before and current("p1") == [zsh]
    storage.update(zsh, {"scope": "p2"}, client="test")
    assert current("p1") == [bash] and current("p2") == [zsh]
    assert storage.get(bash).superseded_at is None
    # with the moment it was superseded: as_of reads it superseded until the move
    assert [(e.action, e.detail) for e in storage.history(bash)][0] == (
        "restore", {"replacement_moved": zsh, "was": format_time(before.superseded_at)},
    )  # fmt: skip
    # Re-keyed away: the same. Moved within a chain: the slot's later value takes over.
    vim = storage.insert(row("Editor is vim", key="user.editor", scope="p1")).id
    helix = storage.insert(row("Editor is helix", key="user.editor", scope="p1")).id
    storage.update(helix, {"key": "user.old_editor"})
    assert current("p1", "user.editor") == [vim]
    a = storage.insert(row("Port 1", key="port", scope="p1")).id
    b = storage.insert(row("Port 2", key="port", scope="p1")).id
    storage.set_forgotten([b], None)  # b hidden: the slot shows nothing (forget keeps a -> b)
    assert current("p1", "port") == [] and storage.get(a).superseded_by == b
    c = storage.insert(row("Port 3", key="port", scope="p1")).id
    storage.update(b, {"scope": "p3"})  # a is no longer behind b; c, later, supersedes it
    assert current("p1", "port") == [c] and storage.get(a).superseded_by == c
    # Only the slot it left: a correction (no key) and other keys stay as they were.
    old = storage.insert(row("Deploy on Fridays", scope="p1")).id
    fixed = storage.insert(row("Never deploy on Fridays", scope="p1"), replaces=old).id
    storage.update(fixed, {"scope": "p2"})
    assert storage.get(old).superseded_by == fixed
    every = storage.find(EVERYTHING, limit=100)
    held = {m.id for m in every}
    assert all(m.superseded_by in held for m in every if m.superseded_by is not None)


def test_an_old_value_leaving_its_slot_is_no_longer_hidden_by_the_one_that_stays(
    storage: Storage,
) -> None:
    # Moved (or re-keyed) alone, an old value stayed superseded by the value of the slot it
    # left: in its new scope nothing showed it (recall, profile), hidden by another scope's.
    def current(scope: str, key: str) -> list[int]:
        return [m.id for m in storage.current_for_key(scope, key)]

    bash = storage.insert(row("Shell is bash", key="user.shell", scope="p1")).id
    zsh = storage.insert(row("Shell is zsh", key="user.shell", scope="p1")).id
    was = format_time(storage.get(bash).superseded_at)
    assert storage.move([bash], "p2") == [bash]
    assert current("p1", "user.shell") == [zsh] and current("p2", "user.shell") == [bash]
    assert (storage.get(bash).superseded_by, storage.get(bash).superseded_at) == (None, None)
    assert [(e.action, e.detail) for e in storage.history(bash)][:2] == [
        ("restore", {"left_replacement": zsh, "was": was}), ("move", {}),
    ]  # fmt: skip
    # Re-keyed: the same; into a slot whose value is later, that value supersedes it.
    vim = storage.insert(row("Editor is vim", key="user.editor", scope="p1")).id
    helix = storage.insert(row("Editor is helix", key="user.editor", scope="p1")).id
    kitty = storage.insert(row("Term is kitty", key="user.term", scope="p1")).id
    storage.update(vim, {"key": "user.term"})
    assert current("p1", "user.editor") == [helix] and current("p1", "user.term") == [kitty]
    assert storage.get(vim).superseded_by == kitty
    # The middle of a chain leaving: the first is superseded by the slot's value.
    a, b, c = (storage.insert(row(f"Port {n}", key="port", scope="p1")).id for n in (1, 2, 3))
    assert storage.get(a).superseded_by == b and storage.get(b).superseded_by == c
    storage.move([b], "p3")
    assert current("p3", "port") == [b] and storage.get(a).superseded_by == c
    # Moved together, a chain stays as it was, whatever the order asked.
    x = storage.insert(row("Region is us-east-1", key="region", scope="p1")).id
    y = storage.insert(row("Region is eu-west-1", key="region", scope="p1")).id
    storage.move([x, y], "p4")
    assert storage.get(x).superseded_by == y and current("p4", "region") == [y]
    # A correction (replaces) from another slot is about that memory, wherever it goes.
    old = storage.insert(row("Deploy on Fridays", key="deploy", scope="p1")).id
    storage.insert(row("Never deploy on Fridays", scope="p1"), replaces=old)
    storage.move([old], "p2")
    assert storage.get(old).superseded_by is not None
    every = storage.find(EVERYTHING, limit=100)
    held = {m.id: m for m in every}
    for m in every:  # one key's values supersede each other only within their slot
        by = held[m.superseded_by] if m.superseded_by is not None else None
        if by is not None and by.key is not None and m.key is not None:
            assert (by.scope, by.key) == (m.scope, m.key), (m.id, by.id)


@pytest.mark.parametrize("backend", ["sqlite"])  # a size cap is a file's: a server has its own
def test_purge_and_forget_work_at_the_size_limit(backend: str, tmp_path: Path) -> None:
    store = open_storage(settings(backend, tmp_path, max_db_mb=1))
    store.ensure_vector_index(MODEL, DIM)
    made: list[int] = []
    with pytest.raises(StorageError, match="size limit"):
        for i in range(1000):
            made.append(store.insert(row(f"{i} " + "filler words " * 50, vec(1, 0, 0, i))).id)
    assert made
    with pytest.raises(StorageError, match="size limit"):  # still full
        store.insert(row("one more " * 200))
    assert store.set_forgotten(made[:1], "make room") == (made[:1], [])
    assert store.purge(made[: len(made) // 2]) == made[: len(made) // 2]
    store.insert(row("fits again " * 200))
    assert store.integrity_check() == "ok"
    store.close()


# -- search -------------------------------------------------------------------------------------


def test_filters_apply_inside_both_searches(storage: Storage) -> None:
    # Fifty close matches elsewhere and one weak match in the target scope: filtering the top
    # k afterwards would return nothing; filtering inside the search finds it.
    noise = [
        row(f"deploy deploy note {i}", vec(1, 0, 0, 0.01 * i), scope="noise") for i in range(50)
    ]
    storage.insert_many(noise)
    target = storage.insert(row("the deploy", vec(0, 0, 0, 1), scope="target", tags=["x"])).id
    for flt in (MemoryFilter(scopes=["target"]), MemoryFilter(tags=["x"])):
        assert ids(storage.search_vectors(vec(1, 0, 0, 0), flt, 3)) == [target]
        assert ids(storage.search_keywords("deploy", flt, 3)) == [target]


def test_matches_that_score_alike_come_newest_first(storage: Storage) -> None:
    """Memories a query scores alike (the same word, as long) are ranked newest first on
    every backend, so a cut at k keeps the same, most recent ones (SQLite gave the oldest)."""
    names = ("alpha", "bravo", "echo", "kilo", "lima")
    made = [storage.insert(row(f"deploy window {name}")).id for name in names]
    found = storage.search_keywords("deploy", MemoryFilter(), 3)
    assert len({score for _, score in found}) == 1
    assert ids(found) == made[::-1][:3]


def test_numbers_after_a_hyphen_are_words_of_their_own(storage: Storage) -> None:
    """A ticket, a date, a range: every number in them is found alone, on every backend
    (PostgreSQL's parser read `-004211` and `-05` as signed numbers, which 004211 never
    matched), and in tags and context too."""
    ticket = storage.insert(row("The billing team approved CR-004211 after review")).id
    dated = storage.insert(row("Cut over on 2023-05-08 at noon")).id
    ranged = storage.insert(row("Pages 12-34 cover the rate limiter")).id
    tagged = storage.insert(row("A tagged note", tags=["sprint-42"])).id
    said = storage.insert(row("A note with context", context="during incident INC-7781")).id
    for query, found in [
        ("004211", [ticket]), ("CR-004211", [ticket]), ("cr 004211", [ticket]),
        ("05", [dated]), ("2023-05-08", [dated]), ("34", [ranged]), ("42", [tagged]),
        ("7781", [said]),
    ]:  # fmt: skip
        assert ids(storage.search_keywords(query, MemoryFilter(), 5)) == found, query


def test_keyword_statistics_count_visible_memories_and_each_terms_documents(
    storage: Storage,
) -> None:
    assert storage.keyword_statistics("anything") == (0, [0])
    assert storage.keyword_statistics("?!") == (0, [])
    for i in range(5):
        storage.insert(row(f"note {i} about cats", vec(1, 0, 0, 0)))
    dog = storage.insert(row("dogs are loyal", vec(0, 1, 0, 0))).id
    # stopwords are not search terms; stemming counts "cat" and "cats" alike
    assert storage.keyword_statistics("the cat and the dogs?") == (6, [5, 1])
    storage.set_forgotten([dog], "test")
    assert storage.keyword_statistics("the cat and the dogs?") == (5, [5, 0])


def test_hidden_memories_never_change_keyword_scores_of_visible_ones(storage: Storage) -> None:
    shown = storage.insert(row("the editor is neovim")).id
    storage.insert_many([row(f"other note {i} about shells") for i in range(4)])
    before = storage.search_keywords("editor", MemoryFilter(), 5)
    old = [storage.insert(row("the editor is vim")).id]
    storage.set_forgotten(old, None)
    # emacs is superseded by helix, helix by nano (one key), and nano is forgotten: all hidden
    for name in ("emacs", "helix"):
        old.append(storage.insert(row(f"the editor is {name}", key="user.editor")).id)
    nano = storage.insert(row("the editor is nano", key="user.editor")).id
    storage.set_forgotten([nano], None)
    assert storage.search_keywords("editor", MemoryFilter(), 5) == before
    assert ids(before) == [shown]
    everything = ids(storage.search_keywords("editor", EVERYTHING, 10))
    assert set(everything) == {shown, nano, *old}
    storage.restore(old[:1])
    assert set(ids(storage.search_keywords("editor", MemoryFilter(), 5))) == {shown, old[0]}
    assert_in_step(storage, 9, 0)


def test_metadata_changes_reach_the_vector_index(storage: Storage) -> None:
    a = storage.insert(row("moving", vec(1, 0, 0, 0), scope="old")).id
    storage.update(a, {"scope": "new", "kind": "decision"})
    flt = MemoryFilter(scopes=["new"], kind="decision")
    assert ids(storage.search_vectors(vec(1, 0, 0, 0), flt, 3)) == [a]
    assert storage.search_vectors(vec(1, 0, 0, 0), MemoryFilter(scopes=["old"]), 3) == []


@pytest.mark.parametrize(
    "text",
    [
        "\" AND OR NEAR( * - : '",
        "NOT a OR b",
        "col:value ^start {x y}",
        "user.editor Kestrel-00042",
    ],
)
def test_keyword_search_takes_any_text(storage: Storage, text: str) -> None:
    a = storage.insert(row("user.editor is Kestrel-00042 and a value")).id
    found = storage.search_keywords(text, MemoryFilter(), 5)
    assert set(ids(found)) <= {a}


def test_keyword_search_without_words_finds_nothing(storage: Storage) -> None:
    storage.insert(row("anything"))
    assert storage.search_keywords("?! -- ...", MemoryFilter(), 5) == []


def test_vector_search_scores_are_cosine_similarities(storage: Storage) -> None:
    a = storage.insert(row("x axis", vec(1, 0, 0, 0))).id
    b = storage.insert(row("diagonal", vec(1, 1, 0, 0))).id
    ranked = storage.search_vectors(vec(1, 0, 0, 0), MemoryFilter(), 5)
    assert ids(ranked) == [a, b]
    assert ranked[0][1] == pytest.approx(1.0, abs=1e-5)
    assert ranked[1][1] == pytest.approx(2**-0.5, abs=1e-5)
    stored = storage.vectors_for([b, 999])
    assert list(stored) == [b]
    assert np.allclose(stored[b], vec(1, 1, 0, 0), atol=1e-6)


# -- the vector index and its feed --------------------------------------------------------------


def test_a_reindex_empties_the_index_until_it_is_refilled(storage: Storage) -> None:
    a = storage.insert(row("first", vec(1, 0, 0, 0))).id
    b = storage.insert(row("second", vec(0, 1, 0, 0))).id
    with pytest.raises(SchemaMismatch, match="memory-mcp reindex"):
        storage.ensure_vector_index("other-model", 8)
    storage.reset_vector_index("other-model", 8)
    assert storage.vector_index_info() == ("other-model", 8)
    assert storage.reindex_pending() == ("other-model", 8)
    assert storage.pending_embeddings(1) == [(a, "first")]
    assert storage.pending_embeddings(10, after_id=a) == [(b, "second")]
    storage.purge([b])
    ones = np.ones(8, np.float32)
    assert storage.set_vectors([(a, "first", ones), (b, "second", ones)]) == 1
    storage.finish_reindex()
    assert storage.reindex_pending() is None
    assert storage.get(a).embedded
    assert_in_step(storage, 1, 1)


def test_set_vectors_never_replaces_a_vector_nor_embeds_text_edited_since(
    two_processes: list[Storage],
) -> None:
    """Two servers embed the same backlog row, or a row is edited while its old text is
    embedded: the vector of its current text is never replaced by a stale one, and an edited
    row stays pending for its new text. last_memory_id: the highest id, deleted ones aside."""
    one, two = two_processes
    one.ensure_vector_index(MODEL, DIM)
    assert one.last_memory_id() == 0
    a = one.insert(row("first text")).id
    b = two.insert(row("second text")).id
    assert (one.last_memory_id(), two.last_memory_id()) == (b, b)
    assert one.set_vectors([(a, "first text", vec(1, 0, 0, 0))]) == 1
    assert two.set_vectors([(a, "first text", vec(0, 1, 0, 0))]) == 0
    assert np.allclose(one.vectors_for([a])[a], vec(1, 0, 0, 0))
    two.update(b, {"content": "second text, edited"})  # as a process without the model does
    assert one.set_vectors([(b, "second text", vec(0, 0, 1, 0))]) == 0
    assert one.pending_embeddings(10) == [(b, "second text, edited")]
    assert one.set_vectors([(b, "second text, edited", vec(0, 0, 0, 1))]) == 1
    two.update(a, {"content": "first text, edited"}, vector=vec(0, 0, 1, 0))
    assert one.set_vectors([(a, "first text", vec(1, 0, 0, 0))]) == 0
    assert np.allclose(two.vectors_for([a])[a], vec(0, 0, 1, 0))
    assert_in_step(one, 2, 2)
    two.purge([a])
    assert one.last_memory_id() == b


@pytest.fixture(params=BACKENDS)
def two_processes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Storage]]:
    """Two stores on one database, as two processes (or replicas) open it."""
    config = settings(request.param, tmp_path)
    stores = [open_storage(config), open_storage(config)]
    yield stores
    for store in stores:
        store.close()


def test_vectors_of_a_model_never_go_into_another_models_index(
    two_processes: list[Storage],
) -> None:
    """A server runs on with its model while another process reindexes with another: the
    server's vectors stay out of the new index (the rows wait for that model), decided
    inside each write, on both dimensions; a reindex back to its model takes them again."""
    server, other = two_processes
    server.ensure_vector_index(MODEL, DIM)
    kept = server.insert(row("stored before", vec(1, 0, 0, 0))).id
    for dim in (8, DIM):  # another width, then the same width of another model
        other.reset_vector_index(f"other-{dim}", dim)
        other.finish_reindex()
        one = server.insert(row(f"one {dim}", vec(0, 1, 0, 0)))
        assert one.status == "created" and not server.get(one.id).embedded
        many = server.insert_many([row(f"many {dim}", vec(0, 0, 1, 0))])[0].id
        assert not server.get(many).embedded
        server.update(kept, {"content": f"edited {dim}"}, vector=vec(0, 0, 0, 1))
        assert not server.get(kept).embedded  # its old vector went with its old text
        assert server.set_vectors([(kept, f"edited {dim}", vec(0, 0, 0, 1))]) == 0
        assert server.counts()["vec"] == 0
        assert {kept, one.id, many} <= {mid for mid, _ in other.pending_embeddings(100)}
        assert other.set_vectors([(one.id, f"one {dim}", np.ones(dim, np.float32))]) == 1
        assert other.get(one.id).embedded
    other.reset_vector_index(MODEL, DIM)  # back to the server's model
    other.finish_reindex()
    assert server.set_vectors([(kept, f"edited {DIM}", vec(0, 0, 0, 1))]) == 1
    after = server.insert(row("stored after", vec(0, 1, 0, 0))).id
    assert server.get(after).embedded


def test_the_vector_feed_follows_every_vector_write(storage: Storage) -> None:
    generation, start = storage.vector_log_head()
    a = storage.insert(row("fed", vec(1, 0, 0, 0), scope="s", kind="decision")).id
    b = storage.insert(row("also fed", vec(0, 1, 0, 0))).id
    storage.set_forgotten([a], None)
    head = storage.vector_log_head()
    assert head[0] == generation and head[1] > start
    delta = storage.vector_changes(start, DIM)
    assert delta is not None and delta.head == head[1]
    assert set(delta.ids) == {a, b}
    by_id = dict(zip(delta.rows.ids.tolist(), range(len(delta.rows.ids)), strict=True))
    assert delta.rows.scopes[by_id[a]] == "s" and delta.rows.kinds[by_id[a]] == "decision"
    assert bool(delta.rows.hidden[by_id[a]]) and not bool(delta.rows.hidden[by_id[b]])
    streamed: list[VectorRows] = []
    assert storage.vector_snapshot(DIM, streamed.append) == head
    assert sorted(i for rows in streamed for i in rows.ids.tolist()) == [a, b]
    storage.purge([b])
    after = storage.vector_changes(head[1], DIM)
    assert after is not None and after.ids == [b] and len(after.rows.ids) == 0
    still = storage.vector_changes(after.head, DIM)  # nothing since: the head, no rows
    assert still is not None and (still.generation, still.head) == (generation, after.head)
    assert still.ids == [] and len(still.rows.ids) == 0


def test_the_vector_feed_names_rows_left_without_a_vector(storage: Storage) -> None:
    """What a server's check for edits by processes without the model reads: the ids whose
    vector went since a log position, and not one vector."""
    _, start = storage.vector_log_head()
    edited = storage.insert(row("edited later", vec(1, 0, 0, 0))).id
    kept = storage.insert(row("kept as it is", vec(0, 1, 0, 0))).id
    purged = storage.insert(row("purged later", vec(0, 0, 1, 0))).id
    assert storage.vectors_lost(start) == []  # changed since, each with its vector
    storage.update(edited, {"content": "edited without a model"}, drop_vector=True)
    storage.update(purged, {"content": "edited, then purged"}, drop_vector=True)
    storage.purge([purged])
    assert storage.vectors_lost(start) == [edited]
    assert storage.vectors_lost(storage.vector_log_head()[1]) == []
    assert storage.set_vectors([(edited, "edited without a model", vec(1, 0, 0, 0))]) == 1
    assert storage.vectors_lost(start) == [] and storage.get(kept).embedded


# -- maintenance --------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_store_is_itself_however_it_is_reached(backend: str, tmp_path: Path) -> None:
    """`migrate` compared locations as written, so another spelling of the source
    (127.0.0.1 for localhost, another role, an option added, ...) passed for another one."""
    first = settings(backend, tmp_path)
    one = open_storage(first)
    if backend == "postgres":
        spellings = [first.model_copy(update={"db": db}) for db in pg.other_spellings()]
        elsewhere = first.model_copy(update={"pg_schema": pg.fresh_schema()})
    else:
        (tmp_path / "linked.db").symlink_to(tmp_path / "contract.db")
        (tmp_path / "folder").symlink_to(tmp_path)
        spellings = [
            first.model_copy(update={"db": db})
            for db in (tmp_path / "linked.db", tmp_path / "folder" / "contract.db")
        ]
        elsewhere = first.model_copy(update={"db": tmp_path / "other.db"})
    for spelled in spellings:
        again = open_storage(spelled)
        assert again.identity() == one.identity(), spelled.db
        again.close()
    other = open_storage(elsewhere)
    assert other.identity() != one.identity()
    other.close()
    one.close()


def test_a_healthy_store_says_so_and_backs_up(storage: Storage, tmp_path: Path) -> None:
    if storage.location.startswith("postgresql://"):
        pytest.skip("backup copies SQLite files; a PostgreSQL database uses pg_dump")
    storage.insert_many([row(f"kept {i}", vec(1, 0, 0, i)) for i in range(3)])
    assert storage.integrity_check() == "ok"
    assert storage.size_bytes() > 0
    assert storage.location
    assert storage.delete_orphan_vectors() == 0
    storage.resync_vector_metadata()
    storage.rebuild_keyword_index()
    assert_in_step(storage, 3, 3)
    seen: list[tuple[int, int]] = []
    copied = storage.backup(tmp_path / "copy.db", lambda done, total: seen.append((done, total)))
    assert copied == (3, "ok")
    assert seen


@pytest.mark.parametrize("backend", BACKENDS)
def test_opening_without_create_refuses_a_missing_database(backend: str, tmp_path: Path) -> None:
    where = settings(backend, tmp_path / "typo")
    with pytest.raises(StorageError, match="No database at"):
        open_storage(where, create=False)
    if backend == "sqlite":
        assert not (tmp_path / "typo").exists()
    open_storage(where).close()  # creating is the default
    store = open_storage(where, create=False)
    assert store.counts()["memories"] == 0
    store.close()


# -- principals: tokens by hash, grants, who made each change --------------------------------


def test_principals_keep_grants_and_a_hashed_token(storage: Storage) -> None:
    assert not storage.has_tokens() and storage.list_principals() == []
    made = storage.save_principal("alice", ["team/*=write"])
    assert (made.name, made.grants, made.has_token) == ("alice", ("team/*=write",), False)
    assert storage.save_principal("alice", ["team/*=read"]).grants == ("team/*=read",)
    with pytest.raises(NotFound):
        storage.set_token("nobody", "h")
    now, later = format_time(datetime.now(UTC)), "9999-01-01T00:00:00.000000Z"
    storage.set_token("alice", "hash-1", expires_at=later)
    assert storage.has_tokens()
    used = storage.use_token("hash-1", now, now)
    assert used is not None and used.name == "alice" and used.grants == ("team/*=read",)
    assert storage.get_principal("alice").last_used_at is not None  # type: ignore[union-attr]
    assert storage.use_token("hash-2", now, now) is None
    # A new token replaces the old one at once; revoking leaves no live token.
    storage.set_token("alice", "hash-2")
    assert storage.use_token("hash-1", now, now) is None
    assert storage.use_token("hash-2", now, now) is not None
    revoked = storage.set_token("alice", None)
    assert revoked.revoked_at is not None and not revoked.has_token
    assert storage.use_token("hash-2", now, now) is None and not storage.has_tokens()
    # An expired token is no token.
    storage.set_token("alice", "hash-3", expires_at=format_time(datetime.now(UTC) - timedelta(1)))
    assert storage.use_token("hash-3", now, now) is None
    assert [p.name for p in storage.list_principals()] == ["alice"]


def test_history_records_a_change_of_event_date_or_expiry(storage: Storage) -> None:
    a = storage.insert(row("sprint ends", expires_at="2030-01-01T00:00:00.000000Z")).id
    storage.update(a, {"occurred_at": "2026-01-06T00:00:00.000000Z", "expires_at": None})
    entry = storage.history(a)[0]
    assert entry.before is not None and entry.after is not None
    assert (entry.before["occurred_at"], entry.after["occurred_at"]) == (
        None,
        "2026-01-06T00:00:00.000000Z",
    )
    assert (entry.before["expires_at"], entry.after["expires_at"]) == (
        "2030-01-01T00:00:00.000000Z",
        None,
    )


def test_history_records_the_acting_principal(storage: Storage) -> None:
    from memory_mcp.storage.contract import acting_as

    with acting_as("alice"):
        a = storage.insert(row("alice's note", scope="user/alice")).id
    b = storage.insert(row("the owner's note", scope="global")).id
    with acting_as("bob"):
        storage.set_forgotten([a], "tidy")
    assert [e.principal for e in storage.history(a)] == ["bob", "alice"]
    assert storage.history(b)[0].principal is None
    assert {e.memory_id for e in storage.history(by="alice")} == {a}
    assert {e.memory_id for e in storage.history(scopes=["global"])} == {b}
    assert storage.history(scopes=[]) == []
    assert storage.scope_names() == ["global", "user/alice"]
    storage.purge([a])
    assert [e.principal for e in storage.history(a)][-2:] == ["bob", "alice"]
    assert storage.history(scopes=["user/alice"]) == []


def test_an_insert_hands_back_the_row_it_stored(storage: Storage) -> None:
    """The created row comes back with the insert, as a read of it then gives it (so the
    write path need not read it again), and its history records that row: plain, with a
    vector, superseding by key, and an older import the stored value of its key beats."""
    month_ago = format_time(datetime.now(UTC) - timedelta(days=30))

    def stored(inserted: Inserted, handed_back: bool = True) -> Memory:
        assert inserted.status == "created"
        memory = inserted.memory if handed_back else storage.get(inserted.id)
        assert memory is not None and memory == storage.get(inserted.id)
        after = storage.history(inserted.id)[-1].after
        assert after is not None and after["content"] == memory.content
        assert after["key"] == memory.key
        return memory

    stored(storage.insert(row("Tea at four", tags=["drinks"], metadata={"n": 1})))
    assert stored(storage.insert(row("Coffee at nine", vec(1, 0, 0, 0), context="am"))).embedded
    helix = stored(storage.insert(row("Editor is Helix", key="user.editor")))
    zed = stored(storage.insert(row("Editor is Zed", key="user.editor", occurred_at=month_ago)))
    assert zed.key == "user.editor"
    [emacs] = storage.insert_many([row("Editor is Emacs", key="user.editor", created_at=month_ago)])
    # insert_many: ids only; the older value gives way to the one created next after it
    assert stored(emacs, handed_back=False).superseded_by == helix.id


def test_compacting_the_keyword_index_changes_no_search(storage: Storage) -> None:
    """After a bulk write of many transactions, compact_keyword_index (whatever a backend
    folds) leaves every keyword search, statistic and count as it was."""
    words = ["apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "heron"]
    for batch in range(12):
        storage.insert_many(
            [row(f"{words[i % 8]} {words[(i + batch) % 8]} note {batch}-{i}") for i in range(40)]
        )
    storage.set_forgotten(list(range(1, 60, 3)), "old")
    queries = ["apple", "birch cedar", "note", "grove heron apple", "ember 7-3"]
    flt = [MemoryFilter(), EVERYTHING]
    before = [storage.search_keywords(q, f, 25) for q in queries for f in flt]
    stats = [storage.keyword_statistics(q) for q in queries]
    storage.compact_keyword_index(480)
    assert [storage.search_keywords(q, f, 25) for q in queries for f in flt] == before
    assert [storage.keyword_statistics(q) for q in queries] == stats
    assert_in_step(storage, 480, 0)
