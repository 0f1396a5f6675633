"""Recall's optional second stage: a reranker reorders the best fused candidates."""

from pathlib import Path

from memory_mcp.config import Settings
from memory_mcp.search.rerank import FastEmbedReranker
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder

NOTES = [
    "the cellar door sticks in winter",
    "the cellar light switch is behind the door",
    "wine in the cellar is sorted by year",
]


class WordReranker:
    """Scores a text by whether it holds `word`: a stand-in cross-encoder."""

    model_name = "test/word-reranker"

    def __init__(self, word: str | None) -> None:
        self.word = word
        self.calls = 0

    def score(self, query: str, texts: list[str]) -> list[float] | None:
        self.calls += 1
        if self.word is None:
            return None  # an unusable model
        return [1.0 if self.word in text else 0.0 for text in texts]


def open_with(tmp_path: Path, reranker: WordReranker | None) -> tuple[MemoryService, list[int]]:
    svc = MemoryService.open(
        Settings(db=tmp_path / "r.db"), embedder=FakeEmbedder(), reranker=reranker
    )
    assert svc.semantic.ensure()
    return svc, svc.remember_many([{"content": n} for n in NOTES], dedup=False)


def test_a_configured_reranker_orders_the_best_candidates(tmp_path: Path) -> None:
    reranker = WordReranker("wine")
    svc, ids = open_with(tmp_path, reranker)
    hits = svc.recall("cellar door", limit=3).hits
    svc.close()
    assert hits[0].id == ids[2] and reranker.calls == 1
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)  # scores stay best first


def test_without_a_usable_reranker_recall_keeps_the_fused_order(tmp_path: Path) -> None:
    plain, _ = open_with(tmp_path / "a", None)
    expected = [h.id for h in plain.recall("cellar door", limit=3).hits]
    plain.close()
    broken, _ = open_with(tmp_path / "b", WordReranker(None))
    assert [h.id for h in broken.recall("cellar door", limit=3).hits] == expected
    broken.close()


def test_the_reranker_setting_builds_a_fastembed_cross_encoder(tmp_path: Path) -> None:
    settings = Settings(
        db=tmp_path / "s.db", semantic=False, reranker="Xenova/ms-marco-MiniLM-L-6-v2"
    )
    svc = MemoryService.open(settings)
    assert isinstance(svc._ctx.reranker, FastEmbedReranker)
    svc.close()
    assert MemoryService.open(Settings(db=tmp_path / "t.db", semantic=False))._ctx.reranker is None


def test_a_reranker_that_cannot_load_leaves_recall_working(tmp_path: Path) -> None:
    """A folder that holds no cross-encoder: logged once, recall goes on without it."""
    settings = Settings(
        db=tmp_path / "u.db",
        semantic=False,
        reranker="Xenova/ms-marco-MiniLM-L-6-v2",
        reranker_dir=tmp_path / "no-such-model",
        cache_dir=tmp_path / "cache",
    )
    svc = MemoryService.open(settings)
    svc.remember_many([{"content": n} for n in NOTES], dedup=False)
    assert len(svc.recall("cellar", limit=3).hits) == 3
    assert svc._ctx.reranker is not None
    assert svc._ctx.reranker.score("cellar", ["x"]) is None
    svc.close()
