"""Recall ranking: what may and may not move a visible memory up or down the hits."""

from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.models import RecallResult
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder

VISIBLE = [
    "The user prefers tabs over spaces",
    "The user uses fish as their shell",
    "The project deploys on Fridays",
    "The user works in Berlin",
    "Editor settings live in the dotfiles repository",
]


def open_service(path: Path) -> MemoryService:
    svc = MemoryService.open(Settings(db=path), embedder=FakeEmbedder())
    assert svc.semantic.ensure()
    return svc


def ranking(result: RecallResult) -> list[tuple[str, float]]:
    return [(h.content, h.score) for h in result.hits]


@pytest.mark.parametrize(
    "query", ["which editor does the user use?", "user shell", "editor dotfiles"]
)
def test_hidden_memories_do_not_change_the_ranking_of_visible_ones(
    tmp_path: Path, query: str
) -> None:
    plain = open_service(tmp_path / "plain.db")
    with_hidden = open_service(tmp_path / "hidden.db")
    for text in VISIBLE:
        plain.remember(text)
    for editor in ("Vim", "Emacs", "Helix"):  # superseded by the next value of the key
        with_hidden.remember(f"The user's editor is {editor}", key="user.editor")
    gone = with_hidden.remember("The user edits with nano in the user shell on the editor")
    with_hidden.forget([gone.id])
    for text in VISIBLE:
        with_hidden.remember(text)
    current = "The user's editor is Neovim"
    plain.remember(current)
    with_hidden.remember(current, key="user.editor")
    assert ranking(with_hidden.recall(query)) == ranking(plain.recall(query))
    plain.close()
    with_hidden.close()


def test_after_a_correction_the_current_value_ranks_first(
    keyword_service: MemoryService,
) -> None:
    # Keyword-only, so the keyword leg alone decides (test_recall_real.py: with the model).
    for text in VISIBLE[:4]:
        keyword_service.remember(text)
    for editor in ("Vim", "Emacs", "Helix", "Neovim"):
        current = keyword_service.remember(f"Editor is {editor}", key="user.editor")
    found = keyword_service.recall("which editor does the user use?")
    assert [h.id for h in found.hits][0] == current.id


def test_hidden_memories_are_still_found_when_asked_for(service: MemoryService) -> None:
    old = service.remember("Editor is Helix", key="user.editor")
    new = service.remember("Editor is Neovim", key="user.editor")
    gone = service.remember("Editor theme is solarized")
    service.forget([gone.id])
    assert [h.id for h in service.recall("editor").hits] == [new.id]
    both = [h.id for h in service.recall("editor helix", include_superseded=True).hits]
    assert both[0] == old.id and new.id in both
    assert [h.id for h in service.recall("helix", as_of=old.created_at).hits] == [old.id]
    service.restore([gone.id])
    assert gone.id in [h.id for h in service.recall("solarized theme").hits]
    counts = service.store.counts()
    assert counts["fts"] == counts["memories"] == 3 and service.store.keyword_index_ok()


PROJECT_NOISE = [
    "Write tests before fixing a bug",
    "Error messages go through the translation catalog",
    "Write the changelog entry in the pull request",
    "Log messages are structured JSON",
    "Write migrations by hand, never autogenerate them",
    "Validation messages name the field that failed",
    "Write small functions with one purpose",
    "Warning messages are shown in yellow",
]


def project_service(tmp_path: Path) -> MemoryService:
    repo = tmp_path / "widgets"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text('[remote "origin"]\n\turl = https://x.org/widgets\n')
    svc = MemoryService.open(Settings(db=tmp_path / "p.db", project=repo, semantic=False))
    return svc


def test_a_better_global_answer_is_not_hidden_by_project_hits(tmp_path: Path) -> None:
    svc = project_service(tmp_path)
    for text in PROJECT_NOISE:
        svc.remember(text)
    answer = svc.remember(
        "Commit messages use the imperative mood, under 72 characters", scope="global"
    )
    found = svc.recall("how should I write commit messages?", limit=8)
    assert found.hits[0].id == answer.id
    assert svc.recall("how should I write commit messages?", scope="*", limit=8).hits[0].id == (
        answer.id
    )
    svc.close()


def test_the_project_wins_a_tie_with_global(tmp_path: Path) -> None:
    svc = project_service(tmp_path)
    everywhere = svc.remember("Indent with four spaces", scope="global")
    here = svc.remember("Indent with four spaces")
    assert here.scope == "x.org/widgets" and here.id != everywhere.id
    # the same text in both is shown once: the project's copy
    assert [h.id for h in svc.recall("indent").hits] == [here.id]
    tabs = svc.remember("Indent with tabs in Makefiles", scope="global")
    assert [h.id for h in svc.recall("indent").hits] == [here.id, tabs.id]
    svc.close()


def test_keyword_matches_on_common_words_alone_are_not_returned(
    keyword_service: MemoryService,
) -> None:
    svc = keyword_service
    answer = svc.remember("The project stores everything in a Postgres database")
    for text in ("The project deploys on Fridays", "The project has three maintainers",
                 "The project logo is blue", "The project started in 2019"):  # fmt: skip
        svc.remember(text)
    found = svc.recall("which database does the project use?")
    assert [h.id for h in found.hits] == [answer.id]
    assert len(svc.recall("project").hits) == 5  # nothing stands out: all of them


def test_a_keyword_match_on_a_small_part_of_the_question_scores_low(
    keyword_service: MemoryService,
) -> None:
    """Without the model, a lone memory matching one word of a longer question was shown as a
    perfect match (1.000); its score now says how much of the question it matched."""
    for text in VISIBLE:
        keyword_service.remember(text)
    keyword_service.remember("Flights to Rome are cheapest in February")
    [weak] = keyword_service.recall("which restaurants in Rome serve the best carbonara?").hits
    assert "Rome" in weak.content and 0 < weak.score < 0.5
    keyword_service.remember("Carbonara at Roscioli in Rome: the best restaurant we tried")
    best = keyword_service.recall("which restaurants in Rome serve the best carbonara?").hits[0]
    assert "Roscioli" in best.content and best.score == 1.0
