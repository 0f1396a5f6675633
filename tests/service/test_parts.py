"""The service's parts built on first use (service/parts.py, MemoryService.open(lazy=True)):
threads asking for a part at once get one part, built once, and a principal's view built
lazily works in its own grants while sharing the owner's parts' state."""

import sys
import threading
from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import Forbidden
from memory_mcp.models import MemoryFilter
from memory_mcp.policies import access
from memory_mcp.service import MemoryService
from memory_mcp.service.parts import NAMES

THREADS = 8


def test_threads_asking_at_once_get_one_part_each(tmp_path: Path) -> None:
    """A server's threads (serve --http with workers, the UI) may first need a part
    together: each part is built once, and the writer that folds what the backlog embeds
    is the one every thread writes with."""
    settings = Settings(db=tmp_path / "memory.db", semantic=False)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch between bytecodes: a race shows
    try:
        _ask_together(settings)
    finally:
        sys.setswitchinterval(interval)


def _ask_together(settings: Settings) -> None:
    for _ in range(20):  # fresh parts each round: the race is on the first use
        svc = MemoryService.open(settings, lazy=True)
        try:
            seen = _parts_seen(svc)
            assert len(seen) == THREADS
            for name in NAMES:
                assert len({id(parts[name]) for parts in seen}) == 1, name
            writer = seen[0]["writer"]
            assert svc.semantic.on_embedded is not None
            svc.semantic.on_embedded([])  # the backlog's callback builds nothing new
            assert svc._parts.writer is writer
        finally:
            svc.close()


def _parts_seen(svc: MemoryService) -> list[dict[str, object]]:
    """Every part, as each of THREADS threads started together first got it."""
    start = threading.Barrier(THREADS)
    seen: list[dict[str, object]] = []

    def ask() -> None:
        start.wait()
        seen.append({name: getattr(svc._parts, name) for name in NAMES})

    threads = [threading.Thread(target=ask) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return seen


def test_a_principals_view_of_a_lazy_service_works_in_its_own_grants(tmp_path: Path) -> None:
    """`--as NAME` on the CLI (a lazy service): the view's parts are built on first use,
    bound to its grants, while the owner's parts are built once and shared."""
    svc = MemoryService.open(Settings(db=tmp_path / "memory.db", semantic=False), lazy=True)
    try:
        alice = svc.as_principal(access.principal("alice", access.parse_grants(["team=write"])))
        kept = alice.remember("The team deploys on Tuesdays.", scope="team").id
        with pytest.raises(Forbidden):
            alice.remember("Not hers to write.", scope="elsewhere")
        assert alice._parts.writer is not svc._parts.writer  # bound to her context
        assert alice._parts.writer.ctx.access.principal == "alice"
        again = svc.as_principal(access.principal("alice", access.parse_grants(["team=write"])))
        assert again._parts._owner is svc._parts  # views share the owner's parts
        assert [m.id for m in svc.list_memories(MemoryFilter(scopes=["team"]))] == [kept]
        assert svc.history(kept)[0].principal == "alice"
    finally:
        svc.close()
