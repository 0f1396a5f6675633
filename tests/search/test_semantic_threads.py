"""The model's background thread against stop() and ensure() called from other threads."""

import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace

import numpy as np
import pytest

from memory_mcp.config import Settings
from memory_mcp.search import semantic
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder


class _SlowToStart(threading.Thread):
    """A thread whose start() takes a while to return, as on a loaded machine."""

    starting = threading.Event()

    def start(self) -> None:
        _SlowToStart.starting.set()
        time.sleep(0.3)
        super().start()


@pytest.fixture
def slow_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _SlowToStart.starting = threading.Event()
    shim = SimpleNamespace(**{n: getattr(threading, n) for n in dir(threading) if n[0] != "_"})
    shim.Thread = _SlowToStart
    monkeypatch.setattr(semantic, "threading", shim)
    yield


@pytest.mark.parametrize("call", ["stop", "ensure"])
def test_stop_and_ensure_during_the_model_threads_start(
    settings: Settings, slow_threads: None, call: str
) -> None:
    """stop() (closing the service) joined a model thread that was published but not yet
    started, and raised "cannot join thread before it is started"; ensure() too."""
    svc = MemoryService.open(settings, embedder=FakeEmbedder())
    starter = threading.Thread(target=svc.semantic.start_background)
    starter.start()
    try:
        assert _SlowToStart.starting.wait(60)
        if call == "stop":
            assert svc.semantic.stop(wait=5.0) in (True, False)
        else:
            assert svc.semantic.ensure()
    finally:
        starter.join()
        svc.close()


class _HeldEmbedder(FakeEmbedder):
    """Embeds one batch, then waits to be let go: the backlog a start embeds, caught midway."""

    def __init__(self) -> None:
        super().__init__()
        self.first_done = threading.Event()
        self.go_on = threading.Event()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if self.first_done.is_set():
            assert self.go_on.wait(60)
        vectors = super().embed_documents(texts)
        self.first_done.set()
        return vectors


def test_recall_says_the_backlog_is_being_embedded_not_that_the_model_is_loading(
    settings: Settings,
) -> None:
    """While a starting server embeds the memories stored without a vector, recall is
    keyword-only: its note said "The embedding model is still loading" for those minutes,
    though the model had loaded (the log said so)."""
    first = MemoryService.open(settings.model_copy(update={"semantic": False}))
    first.remember_many([{"content": f"note {i} about the harbour"} for i in range(150)])
    first.close()
    embedder = _HeldEmbedder()
    svc = MemoryService.open(settings, embedder=embedder)
    try:
        svc.semantic.start_background()
        assert embedder.first_done.wait(60)
        # The first batch's vectors are stored and counted just after it is embedded.
        deadline = time.monotonic() + 60
        while "left)" not in (note := svc.recall("harbour").note or ""):
            assert time.monotonic() < deadline, note
            time.sleep(0.05)
        assert "is loaded and is embedding the memories stored without a vector" in note
        assert "(149 left)" in note  # the first batch is one row
        assert "still loading" not in note
        embedder.go_on.set()
        assert svc.semantic.ensure()
        assert svc.recall("harbour").note is None
    finally:
        embedder.go_on.set()
        svc.close()
