"""A memory's optional context and event date: searched with it, never shown, always in sync."""

import io
from pathlib import Path

from memory_mcp.service import MemoryService
from memory_mcp.storage.sqlite import db
from memory_mcp.storage.sqlite.migrations import MIGRATIONS


def ids(service: MemoryService, query: str) -> list[int]:
    return [h.id for h in service.recall(query, scope="*").hits]


def test_context_is_searched_but_not_shown(keyword_service: MemoryService) -> None:
    m = keyword_service.remember(
        "Sure, I'll take the Tuesday slot", context="Who can present the quarterly roadmap?"
    )
    keyword_service.remember("The roadmap wiki page is out of date")
    hits = keyword_service.recall("who presents the quarterly roadmap", scope="*").hits
    assert m.id in [h.id for h in hits]
    assert "context" not in hits[0].model_dump()
    assert keyword_service.get(m.id).context == "Who can present the quarterly roadmap?"


def test_own_words_outrank_the_same_words_in_context(keyword_service: MemoryService) -> None:
    in_context = keyword_service.remember("Sounds good to me", context="Lunch at the ramen place?")
    own = keyword_service.remember("We had lunch at the ramen place")
    assert ids(keyword_service, "ramen lunch")[:2] == [own.id, in_context.id]


def test_event_date_words_are_searchable(keyword_service: MemoryService) -> None:
    m = keyword_service.remember("Signed the lease", occurred_at="2023-05-08T13:56:00Z")
    keyword_service.remember("Renewed the passport")
    assert ids(keyword_service, "what happened in May 2023?") == [m.id]
    keyword_service.update(m.id, content="Signed the lease for the flat")
    assert ids(keyword_service, "May 2023") == [m.id]


def test_editing_context_reindexes_it(keyword_service: MemoryService) -> None:
    m = keyword_service.remember("Yes, book it", context="Should we fly to Porto?")
    keyword_service.update(m.id, context="Should we take the train to Seville?")
    assert ids(keyword_service, "Porto") == []
    assert ids(keyword_service, "Seville") == [m.id]
    keyword_service.update(m.id, context="")
    assert keyword_service.get(m.id).context is None
    assert ids(keyword_service, "Seville") == []


def test_secrets_in_context_are_redacted(keyword_service: MemoryService) -> None:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    m = keyword_service.remember("Rotated the CI token", context=f"the old one was {token}")
    stored = keyword_service.get(m.id).context or ""
    assert token not in stored and "[REDACTED" in stored


def test_remember_many_takes_context_and_occurred_at(keyword_service: MemoryService) -> None:
    [a, b] = keyword_service.remember_many(
        [
            {"content": "Agreed", "context": "Shall we adopt Ruff?", "occurred_at": "2024-03-02"},
            {"content": "Standup is at ten"},
        ]
    )
    assert keyword_service.get(a).occurred_at is not None
    assert ids(keyword_service, "adopt ruff") == [a]
    assert ids(keyword_service, "March 2024") == [a]
    assert keyword_service.get(b).context is None


def test_indexes_stay_in_sync_and_rebuild(service: MemoryService) -> None:
    m = service.remember("Yes", context="Is the staging box on Debian?", occurred_at="2024-01-05")
    service.remember("Plain fact without context")
    service.update(m.id, context="Is the staging box on Alpine?")
    service.purge([m.id])
    keep = service.remember("Fine by me", context="Rename the repo to widgets?")
    counts = service.store.counts()
    assert counts["memories"] == counts["fts"] == counts["vec"] == 2
    service.reindex()
    report = service.doctor()
    assert report.fts_ok and report.fts_rows == report.memories == 2
    assert ids(service, "rename repo widgets")[0] == keep.id


def test_export_import_keeps_context(service: MemoryService, tmp_path: Path) -> None:
    service.remember("Agreed", context="Move the retro to Thursday?")
    buffer = io.StringIO()
    service.export_jsonl(buffer)
    path = tmp_path / "backup.jsonl"
    path.write_text(buffer.getvalue())
    other = MemoryService.open(service.settings.model_copy(update={"db": tmp_path / "b.db"}))
    other.import_jsonl(path)
    [memory] = other.list_memories()
    assert memory.context == "Move the retro to Thursday?"
    assert [h.id for h in other.recall("retro thursday", scope="*").hits] == [memory.id]
    other.close()


def test_migration_indexes_existing_event_dates(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = db.connect(path)
    for version, step in enumerate(MIGRATIONS[:2], start=1):
        step(conn)
        conn.execute(f"pragma user_version = {version}")
    conn.execute(
        """insert into memories (content, created_at, updated_at, occurred_at)
           values ('Launched the beta', '2024-01-01T00:00:00.000000Z',
                   '2024-01-01T00:00:00.000000Z', '2023-11-20T09:00:00.000000Z')"""
    )
    db.migrate(conn, path)
    rows = conn.execute(
        "select rowid from memories_fts where memories_fts match '\"november\"'"
    ).fetchall()
    assert [r[0] for r in rows] == [1]
    assert conn.execute("select context from memories").fetchone()[0] is None
    conn.close()
