"""Whether a bulk write embeds its next batch while it stores one: the store's insert of the
batch whose texts say "first" waits (bounded) for the embedding of the texts that say
"second" to begin. Without the overlap that embedding only starts once the insert is done,
so the wait runs out."""

import threading
from typing import Any

import pytest

WAIT_S = 60.0  # a bound on what must happen (returns when it does): a loaded machine is slow


def watch_overlap(embedder: Any, store: Any, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Patch `embedder` and `store`; the list gets, per insert of the first batch, whether
    the second batch's embedding had begun by then."""
    second_started = threading.Event()
    embed, insert_many = embedder.embed_documents, store.insert_many
    overlapped: list[bool] = []

    def watched_embed(texts: list[str]) -> Any:
        if any("second" in t for t in texts):
            second_started.set()
        return embed(texts)

    def watched_insert(rows: Any, **kwargs: Any) -> Any:
        if any("first" in r.content for r in rows):
            overlapped.append(second_started.wait(timeout=WAIT_S))
        return insert_many(rows, **kwargs)

    monkeypatch.setattr(embedder, "embed_documents", watched_embed)
    monkeypatch.setattr(store, "insert_many", watched_insert)
    return overlapped
