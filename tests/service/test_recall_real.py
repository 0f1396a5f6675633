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


def test_a_rewording_stored_before_the_model_loaded_is_merged(
    tmp_path: Path, real_embedder: FastEmbedEmbedder
) -> None:
    loading = MemoryService.open(Settings(db=tmp_path / "early.db"), embedder=real_embedder)
    first = loading.remember("The user prefers dark mode")
    loading.remember("User prefers dark mode.")
    loading.remember("The user prefers light mode")  # a different fact: kept
    assert loading.store.counts()["vec"] == 0
    assert loading.semantic.ensure()
    assert loading.store.counts()["memories"] == 2
    assert [h.id for h in loading.recall("dark mode").hits][0] == first.id
    assert loading.get(first.id).repeat_count == 2
    loading.close()


PROJECT_NOTES = [
    "Run the test suite with uv run pytest",
    "The API server listens on port 8080",
    "Database migrations live in migrations/ and run on deploy",
    "The frontend is built with Vite",
    "Feature flags are read from flags.yaml",
    "Logs go to stderr as JSON lines",
    "The CI pipeline runs on every push to main",
    "Releases are tagged vX.Y.Z",
]


def test_in_a_project_the_global_answer_comes_first_and_noise_stays_out(
    tmp_path: Path, real_embedder: FastEmbedEmbedder
) -> None:
    repo = tmp_path / "widgets"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text('[remote "origin"]\n\turl = https://x.org/widgets\n')
    svc = MemoryService.open(Settings(db=tmp_path / "p.db", project=repo), real_embedder)
    assert svc.semantic.ensure()
    for text in PROJECT_NOTES:
        svc.remember(text)
    answer = svc.remember(
        "Commit messages: imperative mood, a short summary line, details in the body",
        scope="global",
    )
    found = svc.recall("how should I write commit messages?")
    assert found.hits[0].id == answer.id
    assert len(found.hits) < len(PROJECT_NOTES)  # the unrelated project notes are cut
    svc.close()


def test_summarize_with_a_query_covers_only_what_matches(svc: MemoryService) -> None:
    database = [
        svc.remember("We chose Postgres over MySQL for the main database").id,
        svc.remember("The main database runs Postgres 16 on db-1.internal").id,
    ]
    for text in ("The frontend is built with React", "The user likes short answers",
                 "Sprint review is every second Thursday", "Lunch is at noon"):  # fmt: skip
        svc.remember(text)
    summary = svc.summarize("database")
    assert summary.total == 2
    assert sorted(i for c in summary.clusters for i in c.ids) == database


def test_a_filter_that_leaves_only_an_unrelated_memory_shows_it_as_weak(
    svc: MemoryService,
) -> None:
    # The reported case: `recall release --since "last week"` printed an unrelated memory with
    # score 1.000 (MiniLM: cosine 0.18, the only candidate left by the filter).
    svc.remember("Version 2.3 shipped on 4 May with the new importer", occurred_at="2020-01-01")
    svc.remember("Fixed the memory leak in the image resizer")
    svc.remember("Customer X asked for single sign-on via Okta", kind="note")
    assert all(h.score < 0.2 for h in svc.recall("release", since="last week").hits)
    assert all(h.score < 0.2 for h in svc.recall("security incident", kind="note").hits)
    assert svc.recall("quantum chromodynamics on a lattice").hits == []  # nothing near it
    assert "Version 2.3" in svc.recall("release").hits[0].content  # its tag-free keyword match


def test_a_rewording_with_no_word_in_common_is_found(svc: MemoryService) -> None:
    """MiniLM puts it as low as some unrelated text (cosine 0.20): a semantic floor of 0.25
    lost it, so the floor stays under it and the score says how weak it is."""
    svc.remember("Deploys run on Kestrel")
    standup = svc.remember("Standup is at ten").id
    svc.remember("Alice is allergic to peanuts")
    hits = svc.recall("what time is the morning meeting").hits
    assert [h.id for h in hits][:1] == [standup]
    assert hits[0].score < 0.5  # found, and not shown as a perfect match


def test_a_lone_weak_candidate_does_not_score_as_a_perfect_match(svc: MemoryService) -> None:
    svc.remember("Changelog entries go under the Unreleased heading")
    svc.remember("Alice is allergic to peanuts", tags=["people"])
    [weak] = svc.recall("release").hits  # cosine 0.27, no keyword in common: scored 1.0
    assert 0 < weak.score < 0.5
    [strong] = svc.recall("who is allergic", tags=["people"]).hits  # cosine 0.60, also alone
    assert strong.score == 1.0
