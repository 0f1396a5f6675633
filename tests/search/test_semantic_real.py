"""The real embedding model: semantic recall by paraphrase, model changes, broken model dirs."""

from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.policies.text import STOPWORDS, tokens
from memory_mcp.search.embed import FastEmbedEmbedder
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder
from tests.memory_style import CHATTY, MEMORIES, QUERIES

pytestmark = pytest.mark.model

FACTS = [
    "The user's favourite editor is Neovim with the LazyVim distribution",
    "Deploys go out through the Kestrel-00042 pipeline on Fridays",
    "Our CI runs pytest on Python 3.12",
    "The office plants are watered on Mondays",
    "Invoices are due within thirty days",
]


def content_words(text: str) -> set[str]:
    return {t for t in tokens(text) if t not in STOPWORDS}


@pytest.fixture
def real_service(tmp_path: Path, real_embedder: FastEmbedEmbedder) -> MemoryService:
    svc = MemoryService.open(Settings(db=tmp_path / "real.db"), embedder=real_embedder)
    assert svc.semantic.ensure(), svc.semantic.note
    svc.remember_many([{"content": fact} for fact in FACTS])
    return svc


def test_paraphrase_with_no_shared_keyword_is_found(real_service: MemoryService) -> None:
    query = "which program do they prefer for writing source code?"
    target = real_service.recall("Neovim").hits[0]
    assert not content_words(query) & content_words(target.content)
    result = real_service.recall(query, limit=3)
    assert result.mode == "hybrid"
    assert result.hits[0].id == target.id


def test_exact_identifier_is_the_top_hit(real_service: MemoryService) -> None:
    hits = real_service.recall("Kestrel-00042").hits
    assert "Kestrel-00042" in hits[0].content


def test_model_change_is_detected_and_reindex_fixes_it(
    tmp_path: Path, real_service: MemoryService
) -> None:
    real_service.close()
    other = MemoryService.open(Settings(db=tmp_path / "real.db"), embedder=FakeEmbedder())
    assert not other.semantic.ensure()
    result = other.recall("editor")
    assert result.mode == "keyword"
    assert "memory-mcp reindex" in (result.note or "")
    assert "all-MiniLM-L6-v2" in (result.note or "")
    assert other.reindex() == len(FACTS)
    assert other.recall("editor").mode == "hybrid"
    assert other.stats().indexed_model == "fake/hashed-words"
    other.close()


@pytest.mark.parametrize("broken", ["missing", "empty", "truncated"])
def test_broken_model_dir_means_keyword_recall_not_a_crash(
    tmp_path: Path, model_dir: Path, broken: str
) -> None:
    bad = tmp_path / "model"
    if broken != "missing":
        bad.mkdir()
    if broken == "truncated":
        for f in model_dir.iterdir():
            (bad / f.name).write_bytes(f.read_bytes()[: 1000 if f.name == "model.onnx" else None])
    svc = MemoryService.open(Settings(db=tmp_path / "k.db", model_dir=bad))
    stored = svc.remember("The wifi is called Skynet")
    assert not svc.semantic.ensure()
    result = svc.recall("wifi")
    assert result.mode == "keyword"
    assert [h.id for h in result.hits] == [stored.id]
    assert "MEMORY_MCP_MODEL_DIR" in (result.note or "")
    svc.close()


def memory_style_recall(service: MemoryService, ids: list[int], k: int) -> float:
    found = 0
    for query, index in QUERIES:
        hits = [h.id for h in service.recall(query, limit=k, scope="*").hits]
        found += ids[index] in hits
    return found / len(QUERIES)


def test_ordinary_memories_are_found_with_chatty_context_memories_around(
    tmp_path: Path, real_embedder: FastEmbedEmbedder
) -> None:
    """Hand-written short facts and preferences: found at the top by plain questions, and
    still found when chat turns that carry their conversation as context share the words."""
    svc = MemoryService.open(Settings(db=tmp_path / "style.db"), embedder=real_embedder)
    assert svc.semantic.ensure()
    ids = svc.remember_many([{"content": text, "kind": kind} for text, kind in MEMORIES])
    alone = (memory_style_recall(svc, ids, 1), memory_style_recall(svc, ids, 3))
    svc.remember_many([{"content": turn, "context": ctx} for turn, ctx in CHATTY])
    mixed = (memory_style_recall(svc, ids, 1), memory_style_recall(svc, ids, 3))
    svc.close()
    # Before fusion measured the keyword leg against the query's IDF mass, a match on one
    # incidental word took first place for 5 of the 20 questions (R@1 0.75, R@3 0.9).
    assert alone[0] >= 0.9 and alone[1] == 1.0
    # Turns whose context repeats a question word for word may take first place (they are
    # relevant too) but never push the answer out of the top three.
    assert mixed[1] == alone[1] and mixed[0] >= alone[0] - 0.1


PREFERENCES = [
    "I am vegetarian and never eat meat or fish",
    "I prefer window seats on long flights",
    "My favourite colour for clothes is navy blue",
    "I only buy books as paperbacks, never e-books",
    "I go to bed early and avoid late-night events",
    "I am allergic to cats",
    "I listen to jazz while working",
    "Try to keep summaries under five bullet points",
]


def test_a_keyword_match_on_an_incidental_word_does_not_outrank_the_meaning(
    tmp_path: Path, real_embedder: FastEmbedEmbedder
) -> None:
    """Requests that share only an incidental word ("buy", "try") with an unrelated memory:
    that match covers a small part of what the query says, so it must not take first place
    from the memory the meaning points at (policies/fusion.py, KEYWORD_FULL_SHARE)."""
    svc = MemoryService.open(Settings(db=tmp_path / "prefs.db"), embedder=real_embedder)
    assert svc.semantic.ensure()
    ids = svc.remember_many([{"content": p, "kind": "preference"} for p in PREFERENCES])
    jacket = svc.recall("Any ideas for a new jacket to buy?", limit=3).hits
    rome = svc.recall("Which restaurants should I try while I'm in Rome?", limit=3).hits
    svc.close()
    assert jacket[0].id == ids[2]
    assert rome[0].id != ids[7]


def test_a_stronger_model_setting_works_end_to_end(
    tmp_path: Path, real_service: MemoryService, model_dir: Path
) -> None:
    """MEMORY_MCP_MODEL=BAAI/bge-small-en-v1.5 (no weights here: the MiniLM files stand in
    under the names fastembed expects for it): the index built with the old model is
    detected, `reindex` re-embeds with the new one, and queries carry the model's prefix."""
    real_service.close()
    stand_in = tmp_path / "bge-stand-in"
    stand_in.mkdir()
    for f in model_dir.iterdir():
        (stand_in / f.name).symlink_to(f)
    (stand_in / "model_optimized.onnx").symlink_to(model_dir / "model.onnx")
    settings = Settings(db=tmp_path / "real.db", model="BAAI/bge-small-en-v1.5", model_dir=stand_in)
    svc = MemoryService.open(settings)
    assert not svc.semantic.ensure()  # built by all-MiniLM-L6-v2: recall says to reindex
    assert "memory-mcp reindex" in (svc.recall("editor").note or "")
    assert svc.reindex() == len(FACTS)
    assert svc.stats().indexed_model == "BAAI/bge-small-en-v1.5"
    result = svc.recall("Neovim editor")
    assert result.mode == "hybrid" and "Neovim" in result.hits[0].content
    embedder = svc.semantic.embedder
    assert embedder is not None
    text = "which editor"
    query, passage = embedder.embed_query(text), embedder.embed_documents([text])[0]
    assert float(query @ passage) < 0.999  # the query went in with bge's instruction
    svc.close()


def test_each_inference_runs_on_its_callers_thread(real_embedder: FastEmbedEmbedder) -> None:
    """onnxruntime's default intra-op pool spun a thread per core for every run: a query cost
    2.4x the CPU, and concurrent requests (serve --http) queued behind each other's spinning
    threads. Now one thread per run; a large embed_documents runs its batches side by side,
    in order."""
    import numpy as np

    real_embedder.load()
    session = real_embedder._model.model.model  # fastembed's model, its onnxruntime session
    assert session.get_session_options().intra_op_num_threads == 1
    texts = [f"note {i} about the Kestrel-{i:05d} deploy" for i in range(200)]
    together = real_embedder.embed_documents(texts)
    alone = np.stack([real_embedder.embed_documents([t])[0] for t in texts[::37]])
    assert together.shape == (200, real_embedder.dim)
    np.testing.assert_allclose(together[::37], alone, atol=1e-5)


def test_a_batch_of_mixed_lengths_is_embedded_with_few_pads(model_dir: Path) -> None:
    """The tokenizer pads each batch to its longest text and the model runs on the pads: one-
    liners batched with paragraphs cost as much as paragraphs. Texts of like length now go
    together, and each vector still comes back in its text's place."""
    import numpy as np

    embedder, batches = _recording_batches(model_dir)
    long = "The nightly export of the billing tables to the warehouse " * 6
    texts = [f"deploy {i}" if i % 2 else f"{long} run {i}" for i in range(256)]
    vectors = embedder.embed_documents(texts)
    tokenizer = embedder._model.model.tokenizer
    real = sum(len(tokenizer.encode(t).ids) for t in texts)
    padded = sum(len(b) * max(len(tokenizer.encode(t).ids) for t in b) for b in batches)
    assert padded <= 1.05 * real
    alone = np.stack([embedder.embed_documents([t])[0] for t in texts[:6]])
    np.testing.assert_allclose(vectors[:6], alone, atol=1e-5)


def test_fewer_texts_than_a_batch_per_core_still_keep_every_core_busy(model_dir: Path) -> None:
    """64 texts were one batch on one thread, whatever the cores; they are now split so that
    each core has a batch (the last batch of every bulk write is this size)."""
    import os

    import numpy as np

    embedder, batches = _recording_batches(model_dir)
    texts = [f"note {i} about the Kestrel-{i:05d} deploy" for i in range(64)]
    vectors = embedder.embed_documents(texts)
    assert len(batches) == min(os.cpu_count() or 1, 64)
    assert sorted(t for b in batches for t in b) == sorted(texts)
    alone = np.stack([embedder.embed_documents([t])[0] for t in texts[::21]])
    np.testing.assert_allclose(vectors[::21], alone, atol=1e-5)


def test_a_call_is_cut_into_batches_of_one_size_for_the_cores(model_dir: Path) -> None:
    """224 texts (a bulk write's batch after its first) went 64, 64, 64, 32: at the end of
    the call one core ran the last full batch while the other, done, waited. The batches
    are now of one size (to a text), as many as a multiple of the cores, none over the
    embedder's batch size."""
    import os

    embedder, batches = _recording_batches(model_dir)
    texts = [f"note {i} about the Kestrel-{i:05d} deploy" for i in range(224)]
    embedder.embed_documents(texts)
    sizes = [len(b) for b in batches]
    assert max(sizes) - min(sizes) <= 1 and max(sizes) <= embedder.batch_size
    assert len(sizes) % (os.cpu_count() or 1) == 0
    assert sorted(t for b in batches for t in b) == sorted(texts)


def _recording_batches(model_dir: Path) -> tuple[FastEmbedEmbedder, list[list[str]]]:
    """The real embedder, and the batches it hands the model, as they are run."""
    import numpy as np

    batches: list[list[str]] = []

    class Recording(FastEmbedEmbedder):
        def _embed_batch(self, texts: list[str]) -> np.ndarray:
            batches.append(texts)
            return super()._embed_batch(texts)

    return Recording("sentence-transformers/all-MiniLM-L6-v2", model_dir=model_dir), batches
