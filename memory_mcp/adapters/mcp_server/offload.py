"""Blocking service calls off the event loop on threads of our own, which wait for work on
their own queue and answer through the loop (`call_soon_threadsafe`): about half the cost of
`anyio.to_thread.run_sync` per call (its capacity limiter, cancel scopes and pool
bookkeeping), which every tool call paid. As with anyio, a call runs in a copy of the
caller's context (contextvars: the HTTP caller), and a cancelled caller still waits for its
call to finish (nothing closes the database under a running call); calls beyond MOST_THREADS
at once wait in anyio's pool instead."""

import asyncio
import contextlib
import contextvars
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.lowlevel
import anyio.to_thread

T = TypeVar("T")
MOST_THREADS = 8  # concurrent calls on our threads; HTTP clients beyond share anyio's pool

_Job = tuple[
    asyncio.AbstractEventLoop, "asyncio.Future[Any]", contextvars.Context, Callable[[], Any]
]


class _Worker:
    def __init__(self, idle: list["_Worker"]) -> None:
        self._idle = idle
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="memory-mcp call", daemon=True).start()

    def _serve(self) -> None:
        while True:
            loop, future, context, call = self.jobs.get()
            try:
                result, error = context.run(call), None
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                result, error = None, exc
            self._idle.append(self)  # idle before the answer: the caller's next call finds it
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for it
                loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: "asyncio.Future[Any]", result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class Offload:
    """`await offload.run(call)`: `call()` on one of our threads, the loop free meanwhile."""

    def __init__(self, most: int = MOST_THREADS) -> None:
        self._idle: list[_Worker] = []
        self._started = 0
        self._most = most
        self._lock = threading.Lock()
        if hasattr(os, "register_at_fork"):  # a forked child has none of these threads
            os.register_at_fork(after_in_child=self._forget_threads)

    def _forget_threads(self) -> None:
        self._idle.clear()
        self._started = 0
        self._lock = threading.Lock()

    async def run(self, call: Callable[[], T]) -> T:
        await anyio.lowlevel.checkpoint_if_cancelled()  # as anyio: a cancelled caller starts none
        worker = self._worker()
        if worker is None:  # every thread of ours busy (HTTP, many clients)
            return await anyio.to_thread.run_sync(call)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        worker.jobs.put((loop, future, contextvars.copy_context(), call))
        with anyio.CancelScope(shield=True):  # a cancellation lands once the call is done
            result = await future
        return result

    def _worker(self) -> _Worker | None:
        try:
            return self._idle.pop()
        except IndexError:
            pass
        with self._lock:
            if self._started >= self._most:
                return None
            self._started += 1
        return _Worker(self._idle)


OFFLOAD = Offload()
