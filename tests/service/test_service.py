"""MemoryService with the fake embedder on a real SQLite file."""

import io
import json
from pathlib import Path

import pytest

from memory_mcp.errors import InvalidInput, NotFound
from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder


def ids(result: object) -> list[int]:
    return [h.id for h in result.hits]  # type: ignore[attr-defined]


def test_remember_returns_the_stored_memory(service: MemoryService) -> None:
    m = service.remember("  The user prefers dark mode  ", "preference", ["UI", "ui", " Theme "])
    assert m.id >= 1
    assert m.content == "The user prefers dark mode"
    assert m.kind == "preference"
    assert m.tags == ["ui", "theme"]
    assert m.scope == "global"
    assert m.embedded and m.status == "created"
    assert service.get(m.id) == Memory(**m.model_dump())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"content": ""}, "content"),
        ({"content": "   \n"}, "content"),
        ({"content": "x", "kind": "gossip"}, "kind"),
        ({"content": "x", "scope": "  "}, "scope"),
        ({"content": "x" * 20_001}, "limit is 20000"),
    ],
)
def test_remember_rejects_bad_input_clearly(
    service: MemoryService, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        service.remember(**kwargs)
    assert service.store.counts()["memories"] == 0


def test_recall_is_hybrid_and_ranks_the_match_first(service: MemoryService) -> None:
    service.remember("Deploys go out through the Kestrel-00042 pipeline")
    target = service.remember("The staging database lives on db-staging.internal")
    service.remember("Lunch is at noon on Fridays")
    result = service.recall("where is the staging database?")
    assert result.mode == "hybrid"
    assert result.note is None
    assert ids(result)[0] == target.id


def test_recall_exact_identifier_beats_a_near_miss(service: MemoryService) -> None:
    near = service.remember("Incident Kestrel-00058 was closed")
    exact = service.remember("Incident Kestrel-00042 is open")
    assert ids(service.recall("Kestrel-00042"))[0] == exact.id
    assert ids(service.recall("Kestrel-00058"))[0] == near.id


@pytest.mark.parametrize(
    "query",
    ['"', "AND", "OR NEAR(", "col:umn", "a-b-c", "it's", "*", "NOT", "(", "😀 ü", "\x00x"],
)
def test_recall_survives_fts_syntax(service: MemoryService, query: str) -> None:
    service.remember("something about columns and it's syntax")
    assert service.recall(query).mode == "hybrid"


def test_recall_filters(service: MemoryService) -> None:
    a = service.remember("python testing with pytest", "fact", ["python"], "repo-a")
    b = service.remember("python testing with unittest", "decision", ["python", "legacy"], "repo-b")
    assert ids(service.recall("python testing", scope="repo-a")) == [a.id]
    assert ids(service.recall("python testing", kind="decision")) == [b.id]
    assert ids(service.recall("python testing", tags=["legacy"])) == [b.id]
    assert set(ids(service.recall("python testing", tags=["python"]))) == {a.id, b.id}
    assert ids(service.recall("python testing", since="2999-01-01")) == []
    assert set(ids(service.recall("python testing", until="2999-01-01"))) == {a.id, b.id}


def test_until_a_day_includes_that_day(service: MemoryService) -> None:
    """`until` a date without a time ends where that day does (it stopped at its 00:00, so
    the day named was left out, and since = until = that day was refused)."""
    made = {
        day: service.remember(
            f"standup notes, day {day}", "event", occurred_at=f"2026-11-{day}T15:00Z"
        )
        for day in (19, 20, 21)
    }

    def found(**kw: str) -> set[int]:
        return set(ids(service.recall("standup notes", **kw)))

    assert found(until="2026-11-20") == {made[19].id, made[20].id}
    assert found(since="2026-11-20", until="20 Nov 2026") == {made[20].id}
    ref = "2026-11-21T09:00:00Z"
    assert found(since="yesterday", until="yesterday", reference_time=ref) == {made[20].id}
    assert found(until="2026-11-20T15:00Z") == {made[19].id}  # a time of day: just before it
    assert found(until="9999-12-31") == set(made_id.id for made_id in made.values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": ""}, "query must not be empty"),
        ({"query": "x", "limit": 0}, "between 1 and 50"),
        ({"query": "x", "limit": 51}, "between 1 and 50"),
        ({"query": "x", "since": "last tuesdayish"}, "ISO-8601"),
        ({"query": "x", "since": "2026-02-01", "until": "2026-01-01"}, "earlier"),
    ],
)
def test_recall_rejects_bad_input_clearly(
    service: MemoryService, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        service.recall(**kwargs)  # type: ignore[arg-type]


def test_forget_hides_and_restore_brings_back(service: MemoryService) -> None:
    m = service.remember("The office wifi password is hunter2")
    result = service.forget([m.id], reason="user asked")
    assert result.forgotten == [m.id]
    assert ids(service.recall("wifi password")) == []
    assert service.forget([m.id]).already_forgotten == [m.id]
    assert service.get(m.id).forget_reason == "user asked"
    service.restore([m.id])
    assert ids(service.recall("wifi password")) == [m.id]


def test_forget_unknown_id_changes_nothing(service: MemoryService) -> None:
    m = service.remember("keep this")
    with pytest.raises(NotFound, match="No memory with id 424242"):
        service.forget([m.id, 424242])
    assert service.get(m.id).forgotten_at is None
    with pytest.raises(InvalidInput):
        service.forget([])


def test_keyword_mode_when_semantic_is_off(keyword_service: MemoryService) -> None:
    m = keyword_service.remember("Backups run nightly at 02:00")
    assert not m.embedded
    result = keyword_service.recall("when do backups run")
    assert result.mode == "keyword"
    assert "keyword-only" in (result.note or "")
    assert ids(result) == [m.id]


def test_memories_stored_before_the_model_loads_get_vectors(settings: object) -> None:
    svc = MemoryService.open(settings, embedder=FakeEmbedder())  # type: ignore[arg-type]
    early = svc.remember("stored while the model was loading")
    assert not early.embedded
    assert svc.recall("loading").mode == "keyword"
    assert svc.semantic.ensure()
    assert svc.get(early.id).embedded
    assert svc.recall("loading").mode == "hybrid"
    svc.close()


def test_update_reembeds_changed_content(service: MemoryService, embedder: FakeEmbedder) -> None:
    m = service.remember("The API runs on port 8080")
    calls = embedder.calls
    same = service.update(m.id, tags=["ops"])
    assert embedder.calls == calls  # tags only: no re-embedding
    assert same.tags == ["ops"]
    changed = service.update(m.id, content="The API runs on port 9090")
    assert embedder.calls == calls + 1
    assert ids(service.recall("9090")) == [changed.id]
    assert service.store.search_keywords("8080", MemoryFilter(), 5) == []
    assert service.store.counts()["vec"] == 1


def test_remember_many_batches(service: MemoryService) -> None:
    new_ids = service.remember_many(
        [{"content": f"note number {i}", "tags": ["bulk"]} for i in range(300)], batch_size=128
    )
    assert len(new_ids) == 300
    counts = service.store.counts()
    assert counts["memories"] == counts["vec"] == counts["fts"] == 300
    with pytest.raises(InvalidInput):
        service.remember_many([{"content": "ok"}, {"content": ""}])
    assert service.store.counts()["memories"] == 300


def test_summarize_clusters_themes_deterministically(keyword_service: MemoryService) -> None:
    svc = keyword_service  # no vectors: themes come from shared words (bag of words)
    svc.remember("We decided to use Postgres for the main database", "decision")
    svc.remember("The main database runs Postgres 16 on db-1", "fact")
    svc.remember("The user prefers short answers", "preference")
    svc.remember("Sprint review is every second Thursday", "event")
    first = svc.summarize(limit=3)
    assert first == svc.summarize(limit=3)
    assert first.total == 4
    assert first.by_kind == {"decision": 1, "fact": 1, "preference": 1, "event": 1}
    assert first.clusters[0].ids == [1, 2] and first.clusters[0].count == 2
    assert "database" in first.clusters[0].label
    assert len(first.clusters) == 3 and first.omitted == 0
    for cluster in first.clusters:
        assert f"#{cluster.representative_id}" in first.text
    assert "Postgres" in svc.summarize("database").clusters[0].statement
    small = svc.summarize(max_tokens=200)
    assert len(small.clusters) < 3 and small.omitted >= 1


def test_summarize_save_links_sources_and_hides_nothing(keyword_service: MemoryService) -> None:
    svc = keyword_service
    a = svc.remember("Deploys go out on Fridays")
    b = svc.remember("Deploys use the blue-green strategy")
    saved = svc.summarize(save=True, client="cli")
    assert saved.saved_id is not None
    stored = svc.get(saved.saved_id)
    assert stored.kind == "summary" and stored.metadata["sources"] == [a.id, b.id]
    assert stored.content == saved.text
    assert {m.id for m in svc.list_memories()} == {a.id, b.id, saved.saved_id}
    again = svc.summarize()
    assert again.total == 2  # a summary is never summarized again


def test_the_same_summary_saved_again_is_stored_once(service: MemoryService) -> None:
    """A model that saves a summary each session must not pile up identical copies."""
    service.remember("Deploys go out on Fridays")
    service.remember("Tests run with pytest")
    first = service.summarize(save=True).saved_id
    assert service.summarize(save=True).saved_id == first
    assert [m.id for m in service.list_memories(MemoryFilter(kind="summary"))] == [first]
    service.remember("Logs go to Loki")
    changed = service.summarize(save=True).saved_id
    assert changed not in (None, first)


def test_summarize_empty(service: MemoryService) -> None:
    empty = service.summarize()
    assert empty.total == 0 and empty.ids == [] and "nothing" in empty.text


def test_export_import_round_trip_is_lossless(service: MemoryService, tmp_path: Path) -> None:
    a = service.remember("alpha", "fact", ["t1"], "s1", {"source": "chat"})
    b = service.remember("beta", "decision")
    service.forget([b.id], "obsolete")
    buf = io.StringIO()
    assert service.export_jsonl(buf) == 2
    path = tmp_path / "export.jsonl"
    path.write_text(buf.getvalue())

    other = MemoryService.open(
        service.settings.model_copy(update={"db": tmp_path / "other.db"}), FakeEmbedder()
    )
    other.semantic.ensure()
    report = other.import_jsonl(path)
    assert (report.read, report.created) == (2, 2)
    assert other.get(a.id) == service.get(a.id)
    assert other.get(b.id).forget_reason == "obsolete"
    again = other.import_jsonl(path)
    assert (again.created, again.skipped_existing) == (0, 2)
    out = io.StringIO()
    other.export_jsonl(out)
    assert out.getvalue() == buf.getvalue()
    other.close()


def test_import_refuses_a_bad_file_before_writing(service: MemoryService, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"content": "fine"}) + "\nnot json\n" + json.dumps({"content": ""}) + "\n"
    )
    with pytest.raises(InvalidInput, match=r"2 invalid line\(s\)[\s\S]*line 2[\s\S]*line 3"):
        service.import_jsonl(path)
    assert service.store.counts()["memories"] == 0


def test_import_renumbers_ids_taken_by_other_memories(
    service: MemoryService, tmp_path: Path
) -> None:
    mine = service.remember("mine")
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": mine.id, "content": "theirs"}) + "\n")
    report = service.import_jsonl(path)
    assert report.renumbered == 1
    assert service.get(mine.id).content == "mine"
    assert service.store.counts()["memories"] == 2


def test_stats_and_doctor(service: MemoryService) -> None:
    service.remember("one", scope="a")
    service.remember("two", kind="fact", scope="b")
    stats = service.stats()
    assert (stats.total, stats.active, stats.embedded) == (2, 2, 2)
    assert stats.by_scope == {"a": 1, "b": 1}
    assert stats.indexed_model == "fake/hashed-words"
    assert stats.mode == "hybrid"
    assert stats.db_bytes > 0
    assert service.doctor().healthy


@pytest.mark.sqlite_only
def test_doctor_repairs_drift(service: MemoryService) -> None:
    m = service.remember("drifting memory")
    conn = service.store.conn
    conn.execute("insert into memories_fts (memories_fts) values ('delete-all')")
    conn.execute("delete from memories_vec where memory_id = :id", {"id": m.id})
    report = service.doctor()
    assert not report.healthy and report.missing_vectors == 1
    fixed = service.doctor(repair=True)
    assert fixed.healthy, fixed
    assert fixed.missing_vectors == 0
    assert ids(service.recall("drifting")) == [m.id]


def test_reindex_with_another_model(service: MemoryService) -> None:
    service.remember("first")
    service.remember("second")
    service.semantic.embedder = FakeEmbedder(dim=16, model_name="fake/bigger")
    assert service.reindex() == 2
    assert service.store.vector_index_info() == ("fake/bigger", 16)
    assert service.recall("first").mode == "hybrid"


def test_paging_past_any_sql_integer_takes_nothing_or_everything(service: MemoryService) -> None:
    """An offset or a limit no SQL integer holds was an OverflowError (SQLite) or a driver
    error (PostgreSQL) out of list_memories."""
    service.remember("Paging note one")
    service.remember("Paging note two")
    assert service.list_memories(offset=10**22) == []
    assert len(service.list_memories(limit=10**22)) == 2
    assert [m.content for m in service.list_memories(limit=10**22, offset=1)] == ["Paging note one"]
    assert len(service.history(limit=10**22)) == len(service.history(before_id=10**22)) == 2


def test_a_scope_or_tag_is_one_whichever_unicode_form_it_is_typed_in(
    service: MemoryService,
) -> None:
    """macOS names a folder "café" with "e" and a combining accent (Korean ones in separate
    jamo), a keyboard types the composed "é": they printed alike and were two scopes (and
    two tags), so a filter typed one way missed what a hook stored the other way."""
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    hangul, jamo = "\ud55c\uae00", "\u1112\u1161\u11ab\u1100\u1173\u11af"
    service.remember("Deploys go out on Fridays", scope=decomposed, tags=[jamo])
    service.remember("Tests run with pytest", scope=composed, tags=[hangul])
    assert service.scopes() == {composed: 2}
    found = service.list_memories(MemoryFilter(scopes=[decomposed], tags=[hangul]))
    said = sorted(m.content for m in found)
    assert said == ["Deploys go out on Fridays", "Tests run with pytest"]
    assert {tuple(m.tags) for m in found} == {(hangul,)}


def test_list_memories_pages_oldest_first_by_keyset(service: MemoryService) -> None:
    made = [service.remember(f"Fact number {n} about the garden.").id for n in range(7)]
    seen: list[int] = []
    after = None
    while page := service.list_memories(limit=3, after=after, newest_first=False):
        seen += [m.id for m in page]
        after = (page[-1].created_at, page[-1].id)
        if len(seen) == 3:  # recorded while paging: it comes last, once
            made.append(service.remember("A late fact about the shed.").id)
    assert seen == made
    assert [m.id for m in service.list_memories(limit=2)] == made[::-1][:2]  # default: newest
