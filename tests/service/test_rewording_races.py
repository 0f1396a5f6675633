"""Rewordings written by two services on one database (two workers of `serve --http`, a hook
and a server) while one of them has no model yet: whichever process embeds a memory stored
without a vector checks it, and exactly one memory of the two remains."""

from collections.abc import Iterator
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder

# Same words, a colon more: the fake embedder gives them cosine 1.0, and no fact differs.
FIRST = "The shared team fact number 7"
REWORDED = "The shared team fact: number 7"


@pytest.fixture
def pair(settings: Settings) -> Iterator[tuple[MemoryService, MemoryService]]:
    """(loading, ready): one service whose model has not loaded (remember stores without a
    vector), one with the model, on the same database."""
    loading = MemoryService.open(settings, embedder=FakeEmbedder())
    ready = MemoryService.open(settings, embedder=FakeEmbedder())
    assert ready.semantic.ensure(backlog=False)
    yield loading, ready
    loading.close()
    ready.close()


def _visible(svc: MemoryService) -> list[int]:
    return sorted(m.id for m in svc.list_memories(limit=50))


def test_a_rewording_stored_without_a_vector_is_folded_by_the_process_that_embeds_it(
    pair: tuple[MemoryService, MemoryService],
) -> None:
    loading, ready = pair
    first = ready.remember(FIRST)
    later = loading.remember(REWORDED)
    assert later.status == "created" and not later.embedded
    ready.semantic.fill_pending()  # the other worker embeds it (the old code: not its own)
    assert loading.semantic.ensure()  # and the first gets nothing left to embed
    assert _visible(ready) == [first.id]
    assert ready.get(first.id).repeat_count == 2
    assert ready.history(later.id)[0].detail == {"into": first.id}


def test_an_earlier_memory_embedded_late_takes_a_later_rewording_stored_with_a_vector(
    pair: tuple[MemoryService, MemoryService],
) -> None:
    loading, ready = pair
    first = loading.remember(FIRST)  # no vector yet: the later write cannot find it
    later = ready.remember(REWORDED)
    assert later.status == "created" and later.embedded
    ready.semantic.fill_pending()
    assert _visible(ready) == [first.id]
    merge = ready.history(first.id)[0]
    assert merge.action == "merge" and merge.detail["merged"] == later.id


def test_a_write_folded_by_a_backlog_check_before_it_answers_says_where(
    pair: tuple[MemoryService, MemoryService], monkeypatch: pytest.MonkeyPatch
) -> None:
    loading, ready = pair
    first = loading.remember(FIRST)
    insert = ready.store.insert

    def insert_then_embed_backlog(*args: Any, **kwargs: Any) -> Any:
        stored = insert(*args, **kwargs)
        monkeypatch.setattr(ready.store, "insert", insert)
        ready.semantic.fill_pending()  # another thread embeds FIRST, finds this write
        return stored

    monkeypatch.setattr(ready.store, "insert", insert_then_embed_backlog)
    later = ready.remember(REWORDED)
    assert _visible(ready) == [first.id]
    # Folded into the earlier, visible memory: said in the answer when the write saw it
    # (PostgreSQL: it reads the log's head after its insert), else in the later's history.
    if later.status != "merged":
        assert ready.history(later.id)[0].detail == {"into": first.id}
    else:
        assert later.id == first.id


def test_two_writers_racing_keep_exactly_one(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each stores its rewording between the other's search and insert: both look again once
    stored; the unacknowledged one folds, never both, never into a hidden memory."""
    a = MemoryService.open(settings, embedder=FakeEmbedder())
    b = MemoryService.open(settings, embedder=FakeEmbedder())
    assert a.semantic.ensure() and b.semantic.ensure()
    insert = a.store.insert
    answers = []

    def insert_after_the_other(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(a.store, "insert", insert)
        answers.append(b.remember(REWORDED))  # searched, inserted and answered in between
        return insert(*args, **kwargs)

    monkeypatch.setattr(a.store, "insert", insert_after_the_other)
    answers.append(a.remember(FIRST))
    statuses = sorted(r.status for r in answers)
    assert statuses == ["created", "merged"], statuses
    assert _visible(a) == [answers[0].id] and answers[1].id == answers[0].id
    a.close()
    b.close()


class _WritesMeanwhile(FakeEmbedder):
    """Each embedding while its service is still starting, another process stores a memory
    without a vector (writes that keep coming, as clients do at a server's start)."""

    def __init__(self, other: MemoryService) -> None:
        super().__init__()
        self.other, self.service = other, None
        self.while_starting = 0

    def embed_documents(self, texts: list[str]) -> Any:
        if self.service is not None and not self.service.semantic.ready:
            self.while_starting += 1
            if self.while_starting <= 50:
                self.other.remember(f"Note {self.while_starting} about zebra{self.while_starting}")
        return super().embed_documents(texts)


def test_a_start_embeds_the_backlog_it_found_not_every_write_arriving_meanwhile(
    settings: Settings,
) -> None:
    """The first pass stops at the rows there when it began: "ready" (writes carrying their
    vectors, checked for rewordings at once) comes however fast others write; the rows
    stored meanwhile are embedded by the second pass."""
    writer = MemoryService.open(settings, embedder=FakeEmbedder())  # no model: no vectors
    for i in range(3):
        writer.remember(f"Backlog note {i}")
    embedder = _WritesMeanwhile(writer)
    svc = MemoryService.open(settings, embedder=embedder)
    embedder.service = svc
    assert svc.semantic.ensure()
    assert embedder.while_starting <= 3  # old code: 50, one more each pass
    counts = svc.store.counts()
    assert counts["memories"] == counts["vec"]  # the second pass took the rest
    svc.close()
    writer.close()
