"""Recall with the real model: the findings a user saw, replayed end to end."""

from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.search.embed import FastEmbedEmbedder
from memory_mcp.service import MemoryService

pytestmark = pytest.mark.model

UNRELATED = [
    "The user prefers tabs over spaces",
    "The user uses fish as their shell",
    "The project deploys on Fridays",
    "The user works in Berlin",
]


@pytest.fixture
def svc(tmp_path: Path, real_embedder: FastEmbedEmbedder) -> MemoryService:
    service = MemoryService.open(Settings(db=tmp_path / "recall.db"), embedder=real_embedder)
    assert service.semantic.ensure()
    return service


def test_after_corrections_the_current_value_ranks_first(svc: MemoryService) -> None:
    for text in UNRELATED:
        svc.remember(text)
    for editor in ("Vim", "Emacs", "Helix", "Neovim"):
        current = svc.remember(f"Editor is {editor}", key="user.editor")
    assert [h.id for h in svc.recall("which editor does the user use?").hits][0] == current.id
