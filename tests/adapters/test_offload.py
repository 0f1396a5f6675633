"""offload.py: blocking calls on our own threads, with anyio.to_thread.run_sync's guarantees
(off the loop, the caller's context, concurrent calls in parallel, a cancelled caller waits
for its call), on real threads and a real event loop."""

import os
import threading
import time
from contextvars import ContextVar

import anyio
import pytest

from memory_mcp.adapters.mcp_server.offload import Offload

pytestmark = pytest.mark.anyio

WHO: ContextVar[str] = ContextVar("who", default="nobody")


async def test_a_call_runs_off_the_loop_in_the_callers_context() -> None:
    offload = Offload()
    WHO.set("caller")
    loop_thread = threading.get_ident()
    where, who = await offload.run(lambda: (threading.get_ident(), WHO.get()))
    assert where != loop_thread and who == "caller"
    with pytest.raises(ZeroDivisionError):
        await offload.run(lambda: 1 / 0)
    assert await offload.run(lambda: "again") == "again"  # the thread survived the error


async def test_the_loop_keeps_serving_while_a_call_blocks() -> None:
    """The loop ticks five times while the call blocks, and only the loop releases it. (A
    ticker timed against a 0.2 s sleep counted on the loop waking twenty times in those
    0.2 s: a loaded machine that wakes it late makes fewer ticks of a loop that served.)"""
    offload, started, release, ticks = Offload(), threading.Event(), threading.Event(), []

    async def ticker() -> None:
        while len(ticks) < 5:
            if started.is_set():
                ticks.append(time.monotonic())
            await anyio.sleep(0.01)
        release.set()

    def blocked() -> bool:
        started.set()
        return release.wait(60)  # False: the loop never ticked while this call blocked

    async with anyio.create_task_group() as tg:
        tg.start_soon(ticker)
        assert await offload.run(blocked)


@pytest.mark.parametrize("most", [8, 1])  # 1: the second call goes to anyio's pool
async def test_concurrent_calls_run_in_parallel(most: int) -> None:
    offload, both = Offload(most), threading.Barrier(2, timeout=60)
    found: list[int] = []

    async def one() -> None:
        found.append(await offload.run(both.wait))

    async with anyio.create_task_group() as tg:
        tg.start_soon(one)
        tg.start_soon(one)
    assert sorted(found) == [0, 1]  # a BrokenBarrierError had each been alone


async def test_a_cancelled_caller_waits_until_its_call_has_finished() -> None:
    offload, started, finished = Offload(), threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        time.sleep(0.3)
        finished.set()

    with anyio.CancelScope() as scope:

        async def cancel_once_started() -> None:
            await anyio.to_thread.run_sync(started.wait, 60)
            scope.cancel()

        async with anyio.create_task_group() as tg:
            tg.start_soon(cancel_once_started)
            await offload.run(slow)  # returns (as anyio's does): the next checkpoint raises
            await anyio.sleep(60)  # the cancellation ends it at once
            pytest.fail("the cancellation was lost")
    assert scope.cancelled_caught and finished.is_set()


async def test_a_caller_cancelled_already_starts_no_call() -> None:
    offload, ran = Offload(), threading.Event()
    with anyio.CancelScope() as scope:
        scope.cancel()
        await offload.run(ran.set)
    assert scope.cancelled_caught and not ran.is_set()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_a_forked_child_starts_threads_of_its_own() -> None:
    offload = Offload()
    assert anyio.run(offload.run, lambda: "parent") == "parent"  # an idle thread of ours now
    pid = os.fork()
    if pid == 0:  # the child: the parent's idle thread does not exist here
        code = 1
        try:
            threading.Timer(60, os._exit, (2,)).start()  # a hang fails, not blocks, the test
            code = 0 if anyio.run(offload.run, lambda: "child") == "child" else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
