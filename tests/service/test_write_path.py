"""What one `remember` sends to SQLite: the statements it needs and no more (counted with
the connection's trace callback, not timed: speed figures are in benchmarks/speed.py)."""

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput
from memory_mcp.models import MemoryFilter
from memory_mcp.search.vecindex import VectorCache
from memory_mcp.service import MemoryService
from memory_mcp.storage.contract import NewRow
from tests.conftest import FakeEmbedder
from tests.overlap import watch_overlap
from tests.statements import sent

# was 16: three sqlite_master scans, a read of no ids, two reads of the new row; 10: the
# change log's trim (now every vectors.TRIM_EVERY changes); 9, + 1: the schema's version
# read in the write's transaction (a search index part another connection dropped, base.py)
BUDGET = 10
# Far, for the 8-d fake embedder, from the deploy windows the tests store first (cosine 0.63,
# under rewordings.SIMILAR_COSINE): nothing close to read.
FAR = "Backups rotate nightly"


@pytest.mark.sqlite_only
def test_remember_sends_only_the_statements_it_needs(service: MemoryService) -> None:
    for n in range(5):
        service.remember(f"Deploy window number {n} is on Thursday at {n} pm")
    stored: list[Any] = []
    statements = sent(service, lambda: stored.append(service.remember(FAR)))
    assert (stored[0].status, stored[0].similar) == ("created", [])
    assert not [s for s in statements if "sqlite_master" in s]  # the vector index is known
    assert not [s for s in statements if "json_each('[]')" in s]  # no near duplicate to read
    assert not [s for s in statements if s.startswith("delete from vec_log")]
    reads = [s for s in statements if s.startswith(("select * from memories where id",
                                                     "select m.*"))]  # fmt: skip
    assert len(reads) == 1, reads  # the exact-repeat check; the new row is never read back
    # + 1 without the in-memory copy: the vector log's head before the near-duplicate search,
    # so a rewording another writer stores before our insert is merged (test_races.py)
    assert len(statements) <= BUDGET + 1, "\n".join(statements)
    assert (
        stored[0].model_dump(exclude={"status"}).items()
        >= service.get(stored[0].id).model_dump().items()
    )


@pytest.mark.sqlite_only
def test_memories_close_to_a_new_one_cost_one_read_of_their_rows(service: MemoryService) -> None:
    first = [
        service.remember(f"Deploy window number {n} is on Thursday at {n} pm") for n in range(5)
    ]
    stored: list[Any] = []
    statements = sent(service, lambda: stored.append(service.remember("Lunch is in the kitchen")))
    assert stored[0].status == "created" and stored[0].similar
    assert {near.id for near in stored[0].similar} <= {m.id for m in first}
    reads = [s for s in statements if s.startswith(("select * from memories where id",
                                                     "select m.*"))]  # fmt: skip
    assert len(reads) == 2, reads  # the exact-repeat check, the close memories' rows
    assert len(statements) <= BUDGET + 2, "\n".join(statements)


def test_a_keyed_remember_returns_the_row_as_stored(service: MemoryService) -> None:
    first = service.remember("Editor is Helix", key="user.editor")
    second = service.remember("Editor is Zed", key="user.editor", tags=["tools"])
    assert second.status == "superseded" and second.supersedes == [first.id]
    shown = service.get(second.id).model_dump()
    assert {k: v for k, v in second.model_dump().items() if k in shown} == shown
    assert service.get(first.id).superseded_by == second.id


@pytest.mark.sqlite_only
def test_remember_with_the_vector_copy_loaded_reads_no_change_log(
    service: MemoryService,
) -> None:
    """The copy adds the row remember just stored itself: the next remember finds it
    current in the one read that checks the log's head, instead of reading its own write
    back (it took a head read, then BEGIN, three reads of the log and COMMIT)."""
    service.semantic.load_cache()
    for n in range(3):
        service.remember(f"Deploy window number {n} is on Thursday at {n} pm")
    stored: list[Any] = []
    statements = sent(service, lambda: stored.append(service.remember(FAR)))
    assert stored[0].similar == []
    assert statements.count("begin") == 0  # no read snapshot: only the write's transaction
    assert len(statements) <= BUDGET, "\n".join(statements)  # the copy knows its position
    cache = service.semantic.copy.cache
    assert cache is not None
    assert (cache.generation, cache.head) == service.store.vector_log_head()
    q = service.semantic.embed_query("when does billing run")
    assert q is not None
    flt = MemoryFilter()
    mine = [(i, round(s, 4)) for i, s in service.semantic.search(q, flt, 10)]
    theirs = [(i, round(s, 4)) for i, s in service.store.search_vectors(q, flt, 10)]
    assert mine == theirs


@pytest.mark.sqlite_only
def test_a_scope_holding_most_memories_reads_the_change_log_once_a_remember(
    service: MemoryService,
) -> None:
    """Its near-duplicate search is a full pass over the copy (no rows to gather ahead):
    the copy brought up to date while the model embedded is searched as it is, not read
    up to date a second time after the embedding (it was, one statement a remember)."""
    service.semantic.load_cache()
    first = service.remember("Dentist visit went fine").id
    for n in range(4):
        service.remember(f"Billing run number {n} is at midnight UTC")
    statements: list[str] = []  # every one: sent() takes two alike in a row for a trigger's
    service.store.conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
    try:
        again = service.remember("Went fine, dentist visit")
    finally:
        service.store.conn.set_trace_callback(None)  # type: ignore[attr-defined]
    assert (again.status, again.merged_into) == ("merged", first)
    assert len([s for s in statements if "from vec_log" in s]) == 1, "\n".join(statements)


@pytest.mark.sqlite_only
def test_the_copy_reads_another_writers_change_in_one_statement(
    service: MemoryService, embedder: Any
) -> None:
    """Another server on the same file wrote: the copy reads the log's head and the changed
    row in one statement (it took a head read, then BEGIN, three reads and COMMIT)."""
    service.semantic.load_cache()
    service.remember("Deploy window is on Thursday at 3 pm")
    other = MemoryService.open(service.settings, embedder=embedder)
    try:
        assert other.semantic.ensure()
        theirs = other.remember("Billing runs at midnight UTC", scope="ops").id
    finally:
        other.close()
    q = service.semantic.embed_query("when does billing run")
    assert q is not None
    found: list[Any] = []
    statements = sent(service, lambda: found.extend(service.semantic.search(q, MemoryFilter(), 5)))
    assert len(statements) == 1, "\n".join(statements)
    assert theirs in [memory_id for memory_id, _ in found]


@pytest.mark.sqlite_only
def test_rows_the_copy_adds_itself_filter_as_the_database_does(service: MemoryService) -> None:
    """The copy builds remember's own row from the stored memory (resident.vector_rows)
    instead of reading it back: its scope, kind, visibility, time and expiry must filter
    exactly as the vec0 metadata the change log would have given."""
    service.semantic.load_cache()
    service.remember(
        "Deploy window is Thursday", scope="ops", kind="fact", occurred_at="2024-03-01"
    )
    service.remember("Billing runs at midnight", scope="billing", kind="decision",
                     occurred_at="2023-01-05")  # fmt: skip
    service.remember("Freeze until the release", ttl="2h")
    service.remember("Old freeze notice", expires_at="2999-01-01T00:00:00Z")
    service.remember("Editor is Helix", key="user.editor")
    service.remember("Editor is Zed", key="user.editor")  # logs two rows: read back from the log
    q = service.semantic.embed_query("what happens when")
    assert q is not None
    filters = [
        MemoryFilter(),
        service.make_filter(scope="ops"),
        service.make_filter(kind="decision"),
        service.make_filter(since="2024-01-01"),
        service.make_filter(until="2024-01-01"),
        service.make_filter(include_forgotten=True),
    ]
    for flt in filters:
        mine = [(i, round(s, 4)) for i, s in service.semantic.search(q, flt, 10)]
        theirs = [(i, round(s, 4)) for i, s in service.store.search_vectors(q, flt, 10)]
        assert mine == theirs, flt


def test_the_next_batch_is_embedded_while_one_is_stored(
    service: MemoryService, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """remember_many embeds batch k+1 while batch k is stored: the insert of the first batch
    sees the second batch's embedding begin (it waits for it, bounded)."""
    overlapped = watch_overlap(embedder, service.store, monkeypatch)
    items = [
        {"content": f"{which} batch note {i}"} for which in ("first", "second") for i in (1, 2)
    ]
    ids = service.remember_many(items, batch_size=2)
    assert overlapped == [True]
    assert len(set(ids)) == 4 and all(m.embedded for m in service.store.get_many(ids, True))


def test_the_first_batch_is_embedded_while_the_rest_is_checked(
    service: MemoryService, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every item is checked before anything is stored, but the model need not wait for
    that: it starts on the first batch (redacted) while the later items are checked. A later
    item refused still stores nothing."""
    embedded: list[list[str]] = []
    embed = embedder.embed_documents
    monkeypatch.setattr(embedder, "embed_documents", lambda t: embedded.append(t) or embed(t))
    items = [{"content": f"note {i} password=hunter2xyz"} for i in range(3)]
    with pytest.raises(InvalidInput, match="remember_many items take"):
        service.remember_many([*items, {"content": "late", "colour": "red"}], batch_size=3)
    assert embedded == [[f"note {i} password=[REDACTED:password]" for i in range(3)]]
    assert service.store.count(MemoryFilter()) == 0


def test_the_model_starts_once_the_first_rows_are_checked(
    service: MemoryService, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model waited for the whole first batch to be checked (and redacted); the first
    batch's first eighth now goes alone, embedded while the rest of its batch is checked.
    An item refused in that batch still stores nothing."""
    embedded: list[list[str]] = []
    embed = embedder.embed_documents
    monkeypatch.setattr(embedder, "embed_documents", lambda t: embedded.append(t) or embed(t))
    items = [{"content": f"note {i} password=hunter2xyz"} for i in range(24)]
    items[10] = {"content": "late", "colour": "red"}
    with pytest.raises(InvalidInput, match="remember_many items take"):
        service.remember_many(items, batch_size=24)
    assert embedded == [[f"note {i} password=[REDACTED:password]" for i in range(2)]]
    assert service.store.count(MemoryFilter()) == 0


def test_the_last_rows_are_embedded_while_the_rest_of_their_batch_is_stored(
    service: MemoryService, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last batch of a bulk write had nothing to overlap: it was stored once all was
    embedded (and a write of one batch overlapped nothing at all). Its last eighth now goes
    alone, embedded while the rest of its batch is stored."""
    overlapped = watch_overlap(embedder, service.store, monkeypatch)
    stored: list[list[str]] = []
    insert_many = service.store.insert_many
    monkeypatch.setattr(
        service.store,
        "insert_many",
        lambda rows, **kw: stored.append([r.content for r in rows]) or insert_many(rows, **kw),
    )
    items = [{"content": f"first batch note {i}"} for i in range(7)]
    ids = service.remember_many([*items, {"content": "second batch note"}], batch_size=8)
    assert overlapped == [True]
    assert stored == [[i["content"] for i in items], ["second batch note"]]
    assert len(set(ids)) == 8 and all(m.embedded for m in service.store.get_many(ids, True))


def test_a_row_repeating_the_batch_before_is_counted_not_stored_twice(
    service: MemoryService,
) -> None:
    """The next batch's stored rows are looked up before this batch is stored (so that it
    can embed meanwhile): a repeat across the two is still decided inside the insert."""
    items = [{"content": c} for c in ("alpha note", "beta note", "alpha note", "gamma note")]
    ids = service.remember_many(items, batch_size=2)
    assert ids[2] == ids[0] and len(set(ids)) == 3
    assert service.store.get(ids[0]).repeat_count == 2


@pytest.mark.sqlite_only
@pytest.mark.parametrize("path", ["remember_many", "import", "import --format mem0"])
def test_a_bulk_write_leaves_the_keyword_index_in_one_segment(
    service: MemoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """Each batch's transaction adds an FTS5 segment that every search then visits; a bulk
    write large for its index merges them once it is stored. A remember does not."""
    from memory_mcp.formats import ingest
    from memory_mcp.service import transfer
    from memory_mcp.storage.sqlite import ftsmerge

    monkeypatch.setattr(transfer, "IMPORT_BATCH", 16)
    monkeypatch.setattr(ingest, "BATCH", 16)
    texts = [f"bulk note {i} about {i % 7} things" for i in range(300)]
    if path == "remember_many":
        service.remember_many([{"content": t} for t in texts], batch_size=16)
    elif path == "import":
        dump = tmp_path / "dump.jsonl"
        dump.write_text("".join(json.dumps({"content": t}) + "\n" for t in texts))
        assert service.import_jsonl(dump).created == 300
    else:
        results = [{"id": f"m{i}", "memory": t, "user_id": "u"} for i, t in enumerate(texts)]
        dump = tmp_path / "mem0.json"
        dump.write_text(json.dumps({"results": results}))
        assert service.import_from("mem0", dump).created == 300
    assert ftsmerge.segments(service.store.conn, "memories_fts") == 1  # type: ignore[attr-defined]
    service.remember("one more note")
    assert ftsmerge.segments(service.store.conn, "memories_fts") == 2  # type: ignore[attr-defined]


def _statements(service: MemoryService, backend: str, action: Callable[[], Any]) -> list[str]:
    """What `action` sent: SQLite's trace callback, or each psycopg round trip."""
    if backend == "sqlite":
        return sent(service, action)
    import psycopg

    seen: list[str] = []
    execute = psycopg.Cursor.execute

    def counted(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(" ".join(str(query).split()))
        return execute(cursor, query, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(psycopg.Cursor, "execute", counted)
        action()
    return seen


def test_a_bulk_batch_checks_for_repeats_in_one_statement(
    service: MemoryService, backend: str
) -> None:
    """Which texts of a batch a visible memory holds is one read inside its transaction; a
    row is looked up alone only when its text is held or an earlier row inserted it, to pick
    the memory it counts on (it looked every row up). On PostgreSQL a new row then costs
    three round trips: the insert (which returns the row as stored), its vector and its
    history entry; the transaction two more (its lock on `memories` and its look for
    dropped index parts: base.PgBase._refuse_unsafe_schema)."""
    stored = [service.remember(t).id for t in ("Deploys run on Fridays", "Logs go to Loki")]
    texts = [f"bulk row {i} about topic {i}" for i in range(40)]
    vectors = service.semantic.embed_documents(texts)
    assert vectors is not None
    rows = [
        NewRow(content=t, kind="note", tags=[], scope="global", metadata={}, vector=v)
        for t, v in zip(texts, vectors, strict=True)
    ]
    repeats = [NewRow(content=t, kind="note", tags=[], scope="global", metadata={})
               for t in ("deploys run on fridays", "LOGS GO TO LOKI.", texts[3])]  # fmt: skip
    out: list[Any] = []
    statements = _statements(
        service, backend, lambda: out.extend(service.store.insert_many([*rows, *repeats],
                                                                       repeats="count"))
    )  # fmt: skip
    assert [s.status for s in out] == ["created"] * 40 + ["duplicate"] * 3
    assert [s.id for s in out[40:]] == [*stored, out[3].id]
    assert all(m.embedded for m in service.store.get_many([s.id for s in out[:40]], True))
    lookups = [s for s in statements if s.startswith("select * from memories where scope")]
    assert len(lookups) == 3, "\n".join(lookups[:5])
    assert len([s for s in statements if "content_hash = p." in s]) == 1
    if backend == "postgres":
        assert len(statements) <= 3 * 40 + 5 * 3 + 5 + 2, "\n".join(statements[:12])


def test_a_bulk_write_embeds_only_texts_not_stored_yet(
    service: MemoryService, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before a batch is embedded, one read finds which of its texts a visible memory in the
    same scope already holds: those are counted, not embedded (a forgotten one, another
    scope's, a text repeated inside the batch is embedded once)."""
    held = service.remember("Deploys run on Fridays").id
    gone = service.remember("Logs go to Loki").id
    service.forget([gone])
    embedded: list[str] = []
    embed = embedder.embed_documents
    monkeypatch.setattr(embedder, "embed_documents", lambda t: embedded.extend(t) or embed(t))
    items = [
        {"content": "deploys  run on FRIDAYS"},
        {"content": "Logs go to Loki"},
        {"content": "Deploys run on Fridays", "scope": "other"},
        {"content": "Tests use pytest"},
        {"content": "tests use pytest"},
    ]
    ids = service.remember_many(items, batch_size=8)
    assert embedded == ["Logs go to Loki", "Deploys run on Fridays", "Tests use pytest"]
    assert ids[0] == held and ids[3] == ids[4]
    assert service.get(held).repeat_count == 2
    assert len(set(ids)) == 4 and all(m.embedded for m in service.store.get_many(ids))


@pytest.mark.sqlite_only
def test_a_bulk_batch_writes_its_keyword_entries_to_the_index_once(
    service: MemoryService,
) -> None:
    """A memory goes in through the triggers that fill the keyword indexes, so each insert
    ran in a statement savepoint, where FTS5 writes its pending entries to disk: a batch
    inserted a row at a time left a segment per row (and merged them as it went). A run of
    new rows is inserted by one statement; FTS5 writes one segment for the batch."""
    service.remember("warm up the vector index")
    texts = [f"bulk row {i} about topic {i}" for i in range(40)]
    vectors = service.semantic.embed_documents(texts)
    assert vectors is not None
    rows = [
        NewRow(content=t, kind="note", tags=[], scope="global", metadata={}, vector=v)
        for t, v in zip(texts, vectors, strict=True)
    ]
    seen: list[str] = []
    conn = service.store.conn  # type: ignore[attr-defined]
    conn.set_trace_callback(seen.append)
    try:
        stored = service.store.insert_many(rows, repeats="count")
    finally:
        conn.set_trace_callback(None)
    assert [s.status for s in stored] == ["created"] * 40
    segments = [s for s in seen if s.startswith("-- INSERT INTO 'main'.'memories_fts_idx'")]
    assert len(segments) == 1, len(segments)
    found = service.store.search_keywords("topic", MemoryFilter(), 50)
    assert {memory_id for memory_id, _ in found} == {s.id for s in stored}


class _WaitingEmbedder(FakeEmbedder):
    """Embeds as FakeEmbedder, but a text in `hold` waits (bounded) until the copy has
    gathered a write's rows, then runs `meanwhile`: what happens while the model runs."""

    def __init__(self, hold: str, meanwhile: Callable[[], Any] = lambda: None) -> None:
        super().__init__()
        self.hold, self.meanwhile = hold, meanwhile
        self.gathered = threading.Event()
        self.gathered_first: list[bool] = []

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if texts == [self.hold]:
            self.gathered_first.append(self.gathered.wait(60))
            self.meanwhile()
        return super().embed_documents(texts)


@pytest.fixture
def watched_rows(monkeypatch: pytest.MonkeyPatch) -> list[threading.Event]:
    """Set the events of embedders waiting for it when the copy gathers a write's rows."""
    waiting: list[threading.Event] = []
    near_rows = VectorCache.near_rows

    def gathering(cache: VectorCache, *args: Any) -> Any:
        found = near_rows(cache, *args)
        for event in waiting:
            event.set()
        return found

    monkeypatch.setattr(VectorCache, "near_rows", gathering)
    return waiting


def test_the_near_duplicate_check_reads_its_rows_while_the_model_embeds(
    settings: Settings, watched_rows: list[threading.Event]
) -> None:
    """With the vector copy loaded (a server), a rewording is merged, and one in another
    scope or of a forgotten memory is not, as before; the rows it is compared with were
    gathered from the copy while the model embedded it, not after."""
    embedder = _WaitingEmbedder("Went fine, dentist visit")
    watched_rows.append(embedder.gathered)
    service = MemoryService.open(settings, embedder=embedder)
    try:
        service.semantic.ensure()
        service.semantic.load_cache()
        first = service.remember("Dentist visit went fine", scope="health")
        again = service.remember("Went fine, dentist visit", scope="health")
        assert (again.status, again.id) == ("merged", first.id)
        assert embedder.gathered_first == [True]
        elsewhere = service.remember("Went fine, dentist visit", scope="work")
        assert elsewhere.status == "created"
        service.forget([first.id])
        after = service.remember("Went fine, dentist visit", scope="health")
        assert after.status == "created" and after.id != first.id
    finally:
        service.close()


def test_a_rewording_another_writer_stores_while_ours_is_embedded_is_merged(
    settings: Settings, watched_rows: list[threading.Event]
) -> None:
    """The rows were read before the model finished: a rewording another server stores on
    the same file after that read is not among them. Ours is stored, then folded into it
    (the earlier one), as if the two had been stored one after the other."""
    other = MemoryService.open(settings, embedder=FakeEmbedder())
    theirs: list[int] = []
    embedder = _WaitingEmbedder(
        "Went fine, dentist visit",
        lambda: theirs.append(other.remember("Dentist visit went fine", scope="health").id),
    )
    watched_rows.append(embedder.gathered)
    service = MemoryService.open(settings, embedder=embedder)
    try:
        assert other.semantic.ensure() and service.semantic.ensure()
        deploys = service.remember("Deploys run on Fridays", scope="health").id
        service.semantic.load_cache()
        ours = service.remember("Went fine, dentist visit", scope="health")
        assert embedder.gathered_first == [True]
        assert (ours.status, ours.merged_into) == ("merged", theirs[0])
        assert service.get(theirs[0]).repeat_count == 2
        visible = service.store.find(MemoryFilter(scopes=["health"]), limit=10)
        assert sorted(m.id for m in visible) == [deploys, theirs[0]]
    finally:
        service.close()
        other.close()
