"""The model's background thread against stop() and ensure() called from other threads."""

import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace

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
