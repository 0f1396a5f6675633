"""Where a tool call runs on the stdio server (one client, `inline_reads`): a recall that is
the only call under way on the event loop (no thread hop there and back), writes and calls
overlapping another one on worker threads, through the real SDK client."""

import functools
import threading
from typing import Any

import anyio
import pytest
from mcp import Client

from memory_mcp.adapters.mcp_server.offload import Offload
from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.service import MemoryService
from tests.conftest import call_tool as call

pytestmark = pytest.mark.anyio


class Where:
    """The thread each service method of interest runs on, and the calls handed to threads."""

    def __init__(self, service: MemoryService, monkeypatch: pytest.MonkeyPatch) -> None:
        self.threads: list[tuple[str, int]] = []
        self.hops = 0
        real_run = Offload.run

        async def counted(offload: Offload, func: Any) -> Any:
            self.hops += 1
            return await real_run(offload, func)

        monkeypatch.setattr(Offload, "run", counted)
        for method in ("recall", "remember"):
            real = getattr(service, method)

            def noted(*args: Any, _real: Any = real, _name: str = method, **kwargs: Any) -> Any:
                self.threads.append((_name, threading.get_ident()))
                return _real(*args, **kwargs)

            monkeypatch.setattr(service, method, noted)


async def test_a_lone_recall_runs_on_the_loop_and_a_write_on_a_thread(
    service: MemoryService, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite with its vector copy loaded; PostgreSQL answers over the network, and a
    stalled connection must not hold the loop: there a recall goes to a thread too."""
    if backend == "sqlite":
        service.semantic.load_cache()  # as a server loads it at start
    where = Where(service, monkeypatch)
    loop = threading.get_ident()
    async with Client(build_server(service, load_model=False, inline_reads=True)) as client:
        await call(client, "remember", content="The user codes in Rust")
        found = await call(client, "recall", query="rust")
    assert [hit["content"] for hit in found["hits"]] == ["The user codes in Rust"]
    (_, wrote), (_, read) = where.threads
    if backend == "sqlite":
        assert where.hops == 1  # the remember's
        assert wrote != loop and read == loop
    else:
        assert where.hops == 2 and loop not in (wrote, read)


@pytest.mark.sqlite_only
async def test_a_recall_that_would_scan_the_vector_table_runs_on_a_thread(
    service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the vector copy has loaded, a recall searches sqlite-vec's table (seconds at a
    million memories): the loop must stay free for the client and for signals meanwhile."""
    assert service.semantic.copy.cache is None
    where = Where(service, monkeypatch)
    loop = threading.get_ident()
    async with Client(build_server(service, load_model=False, inline_reads=True)) as client:
        await call(client, "recall", query="rust")
        service.semantic.load_cache()
        await call(client, "recall", query="rust")
    (_, before), (_, after) = where.threads
    assert before != loop and after == loop
    assert where.hops == 1


async def test_a_recall_while_another_call_runs_overlaps_it_on_a_thread(
    service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop is not held by a recall while a remember it would otherwise wait for runs."""
    await anyio.to_thread.run_sync(lambda: service.remember("Deploys happen on Fridays"))
    entered, release = threading.Event(), threading.Event()
    real_remember = service.remember

    def held(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        release.wait(60)
        return real_remember(*args, **kwargs)

    monkeypatch.setattr(service, "remember", held)
    where = Where(service, monkeypatch)
    loop = threading.get_ident()
    server = build_server(service, load_model=False, inline_reads=True)
    async with Client(server) as client, anyio.create_task_group() as tg:
        tg.start_soon(functools.partial(call, client, "remember", content="CI uses make"))
        await anyio.to_thread.run_sync(entered.wait, 60)
        found = await call(client, "recall", query="deploys")
        release.set()
    assert [hit["content"] for hit in found["hits"]] == ["Deploys happen on Fridays"]
    assert where.hops == 2
    assert all(thread != loop for _, thread in where.threads)


async def test_without_inline_reads_every_call_runs_on_a_thread(
    service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over HTTP (and in memory by default) clients share the loop: no call is made on it."""
    where = Where(service, monkeypatch)
    loop = threading.get_ident()
    async with Client(build_server(service, load_model=False)) as client:
        await call(client, "recall", query="anything")
    assert where.hops == 1 and all(thread != loop for _, thread in where.threads)
