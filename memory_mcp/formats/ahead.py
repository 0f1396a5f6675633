"""Bulk writes embed the next batch while one is stored: the model runs outside the GIL, so
batch k's Python and SQLite work overlaps batch k+1's embedding (remember_many, the importers,
the JSONL import)."""

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

B = TypeVar("B")
T = TypeVar("T")


@contextmanager
def embedding_thread() -> Iterator[ThreadPoolExecutor]:
    """The one thread a bulk write embeds ahead on; what it has not started when the write
    ends (on an error) is cancelled rather than embedded for nothing."""
    with ThreadPoolExecutor(1, thread_name_prefix="embed-ahead") as ahead:
        try:
            yield ahead
        finally:
            ahead.shutdown(cancel_futures=True)


def one_ahead(
    batches: Iterable[B],
    take: Callable[[B], T],
    store: Callable[[T], None],
    taken: T | None = None,
) -> None:
    """`take` each batch in order (it starts the batch's embedding), and `store` what a batch
    gave once the next one is taken, the last at the end. `taken`: a batch before `batches`,
    taken already."""
    pending: list[T] = [] if taken is None else [taken]
    for batch in batches:
        pending.append(take(batch))
        if len(pending) == 2:
            store(pending.pop(0))
    for result in pending:
        store(result)
