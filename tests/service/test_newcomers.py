"""A running server embeds what other processes store without a vector (a hook's capture,
a keyword-only command), on both backends: noticed by the highest id, embedded off the request
path; never with a model that is not the index's."""

import time

import pytest

from memory_mcp.config import Settings
from memory_mcp.search import backlog
from memory_mcp.service import MemoryService
from memory_mcp.storage.contract import VectorDelta
from tests.conftest import FakeEmbedder

WAIT_S = 30.0


@pytest.fixture(autouse=True)
def check_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backlog, "CHECK_EVERY_S", 0.0)


def serving(settings: Settings, embedder: FakeEmbedder | None = None) -> MemoryService:
    """A service as `memory-mcp serve` runs it: the model loaded in the background."""
    svc = MemoryService.open(settings, embedder=embedder or FakeEmbedder())
    svc.semantic.start_background()
    assert svc.semantic.ensure()  # waits for the background load and its backlog
    return svc


def keyword_only(settings: Settings) -> MemoryService:
    return MemoryService.open(settings.model_copy(update={"semantic": False}))


def recall_until_embedded(svc: MemoryService, memory_id: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while not svc.get(memory_id).embedded:
        assert time.monotonic() < deadline, f"memory {memory_id} was never embedded"
        svc.recall("anything at all")
        time.sleep(0.05)


def settle(svc: MemoryService) -> None:
    """One check, and its background embedding if it started one, to the end. A round
    already running (a write's embedding checks too: remember_many embeds on a thread
    between its batches) ends first, or the check would find it busy and start nothing."""
    running = svc.semantic.newcomers.thread
    if running is not None:
        running.join(WAIT_S)
    svc.semantic.newcomers.check()
    thread = svc.semantic.newcomers.thread
    if thread is not None:
        thread.join(WAIT_S)


def test_a_server_embeds_rows_other_processes_store_without_a_vector(
    settings: Settings,
) -> None:
    server = serving(settings)
    before = server.remember("Deploys go out on Fridays").id
    other = keyword_only(settings)
    stored = [other.remember(f"Newcomer fact number {n} about caching").id for n in range(3)]
    assert not any(other.get(mid).embedded for mid in stored)
    for memory_id in stored:
        recall_until_embedded(server, memory_id)
    hits = server.recall("caching fact newcomer")
    assert hits.mode == "hybrid" and set(stored) <= {h.id for h in hits.hits}
    counts = server.store.counts()
    assert counts["memories"] == counts["vec"] == 4 and server.get(before).embedded
    # Nothing new: a check reads the highest id and starts no work. (The last recall's
    # check may still be running a round, started by the vectors it stored itself: it
    # ends first, or `known` is read while it moves on.)
    settle(server)
    known = server.semantic.newcomers.known
    settle(server)
    assert server.semantic.newcomers.known == known and known is not None
    assert known[0] == stored[-1]
    other.close()
    server.close()


def test_a_server_embeds_again_what_a_process_without_the_model_edits(
    settings: Settings,
) -> None:
    """An old row (far below the newest id) edited by a keyword-only process loses its
    vector; the vector change log names it, and the server embeds its new text."""
    server = serving(settings)
    old = server.remember("Deploys go out on Fridays").id
    server.remember_many([{"content": f"Filler memory number {n}"} for n in range(400)])
    settle(server)
    other = keyword_only(settings)
    other.update(old, content="Deploys go out on Thursdays now")
    assert not server.get(old).embedded
    recall_until_embedded(server, old)
    hits = server.recall("thursdays deploys")
    assert hits.hits[0].id == old and hits.mode == "hybrid"
    counts = server.store.counts()
    assert counts["memories"] == counts["vec"] == 401
    other.close()
    server.close()


def test_a_servers_check_after_its_own_writes_reads_no_vector_back(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its own writes move the highest id and the vector log on: the check that follows
    looks for rows left without a vector by their ids alone (each write's vector was read
    back every CHECK_EVERY_S before), and still embeds one another process edited."""
    server = serving(settings)
    settle(server)
    old = server.remember("Deploys go out on Fridays").id
    server.remember_many([{"content": f"Own memory number {n}"} for n in range(50)])
    read_back: list[int] = []
    real = server.store.vector_changes

    def watched(after: int, dim: int) -> VectorDelta | None:
        delta = real(after, dim)
        read_back.extend([] if delta is None else delta.rows.ids.tolist())
        return delta

    monkeypatch.setattr(server.store, "vector_changes", watched)
    settle(server)
    assert read_back == []
    assert server.semantic.newcomers.known == server_position(server)
    other = keyword_only(settings)
    other.update(old, content="Deploys go out on Thursdays now")
    settle(server)
    assert server.get(old).embedded and read_back == []
    other.close()
    server.close()


def server_position(svc: MemoryService) -> tuple[int, int]:
    return svc.store.last_memory_id(), svc.store.vector_log_head()[1]


def test_two_servers_embed_each_newcomer_once(settings: Settings) -> None:
    first, second = serving(settings), serving(settings)
    other = keyword_only(settings)
    stored = [other.remember(f"Shared newcomer number {n}").id for n in range(5)]
    for server in (first, second):  # both see the same rows; the second finds them done
        settle(server)
    assert all(first.get(mid).embedded for mid in stored)
    counts = first.store.counts()
    assert counts["memories"] == counts["vec"] == 5 and counts["orphan_vec"] == 0
    for svc in (other, second, first):
        svc.close()


def test_a_server_whose_model_is_not_the_indexs_never_embeds(settings: Settings) -> None:
    embedder = FakeEmbedder(model_name="fake/one")
    server = serving(settings, embedder)
    other_model = MemoryService.open(settings, embedder=FakeEmbedder(model_name="fake/two"))
    other_model.reindex()  # the index is now fake/two's
    other = keyword_only(settings)
    newcomer = other.remember("Stored while the server runs another model").id
    calls = embedder.calls
    settle(server)
    assert not server.get(newcomer).embedded and embedder.calls == calls  # not even tried
    assert server.semantic.state == "mismatch"
    assert other_model.semantic.ensure() and other_model.semantic.fill_pending() == 1
    for svc in (other, other_model, server):
        svc.close()
