"""Memories stored while the model loads: embedded later, and then checked for near duplicates
exactly as `remember` checks a memory that arrives with a vector."""

from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder

# Same words in another order: the fake embedder gives them cosine 1.0, and no fact differs.
FIRST = "The user prefers dark mode"
REWORDED = "Dark mode the user prefers"


def loading_service(tmp_path: Path) -> MemoryService:
    """A service whose model has not loaded yet: remember stores without vectors."""
    return MemoryService.open(Settings(db=tmp_path / "backlog.db"), embedder=FakeEmbedder())


def test_a_rewording_stored_while_the_model_loads_is_merged_once_embedded(
    tmp_path: Path,
) -> None:
    svc = loading_service(tmp_path)
    first = svc.remember(FIRST, tags=["ui"], client="desktop")
    later = svc.remember(REWORDED, tags=["theme"], client="cursor")
    other = svc.remember("Deploys run on Fridays")
    assert later.status == "created" and not later.embedded
    assert svc.semantic.ensure()  # the model is ready: the backlog is embedded and checked
    assert [h.id for h in svc.recall("dark mode").hits] == [first.id]
    kept = svc.get(first.id)
    assert kept.repeat_count == 2 and kept.tags == ["ui", "theme"] and kept.embedded
    assert svc.get(other.id).repeat_count == 1
    merge = svc.history(first.id)[0]
    assert (merge.action, merge.client) == ("merge", "cursor")
    assert merge.detail["merged"] == later.id and merge.detail["text"] == REWORDED
    assert svc.history(later.id)[0].detail == {"into": first.id}
    counts = svc.store.counts()
    assert counts["memories"] == counts["vec"] == counts["fts"] == 2
    svc.close()


def test_keys_corrections_and_distinct_facts_are_not_merged(tmp_path: Path) -> None:
    svc = loading_service(tmp_path)
    svc.remember(FIRST)
    keyed = svc.remember(REWORDED, key="user.theme")
    svc.remember("The user prefers light mode")
    assert svc.semantic.ensure()
    assert svc.store.counts()["memories"] == 3 and svc.get(keyed.id).key == "user.theme"
    svc.close()


def test_the_model_finishing_during_remember_merges_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = loading_service(tmp_path)
    assert svc.semantic.ensure()
    first = svc.remember(FIRST)
    # As if embedding was tried a moment before the model was ready.
    monkeypatch.setattr(svc.semantic, "embed_documents", lambda texts: None)
    later = svc.remember(REWORDED)
    assert later.status == "merged" and later.id == first.id and later.repeat_count == 2
    assert svc.store.counts()["memories"] == 1
    svc.close()


def test_reindex_and_imports_never_merge(tmp_path: Path) -> None:
    svc = loading_service(tmp_path)
    svc.remember_many([{"content": FIRST}, {"content": REWORDED}])
    assert svc.semantic.ensure()
    svc.reindex()
    assert svc.store.counts()["memories"] == 2
    svc.close()
