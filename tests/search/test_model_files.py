"""Finding the embedding model's files without loading it or touching the network."""

from pathlib import Path

import pytest

from memory_mcp.search.embed import EmbedderUnavailable, FastEmbedEmbedder
from memory_mcp.search.model_files import find_cached, model_spec, model_status

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
FILES = ("model.onnx", "config.json", "tokenizer.json", "tokenizer_config.json",
         "special_tokens_map.json")  # fmt: skip


def cache_with(cache: Path, files: tuple[str, ...]) -> Path:
    """The layout `memory-mcp model download` leaves (Hugging Face's cache), with `files`."""
    repo = cache / "models--Qdrant--all-MiniLM-L6-v2-onnx"
    snapshot = repo / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123abcd")
    for name in files:
        (snapshot / name).write_text("{}")
    return snapshot


def test_the_spec_names_where_fastembed_downloads_from() -> None:
    spec = model_spec(MODEL)
    assert (spec.repo, spec.files, spec.dim) == (
        "Qdrant/all-MiniLM-L6-v2-onnx",
        ("model.onnx",),
        384,
    )
    with pytest.raises(EmbedderUnavailable, match="MEMORY_MCP_MODEL"):
        model_spec("acme/no-such-model")


def test_a_complete_cached_copy_is_found_and_an_incomplete_one_is_not(tmp_path: Path) -> None:
    spec = model_spec(MODEL)
    assert find_cached(spec, tmp_path / "nothing-here") is None
    snapshot = cache_with(tmp_path / "full", FILES)
    assert find_cached(spec, tmp_path / "full") == snapshot
    cache_with(tmp_path / "partial", FILES[1:])  # interrupted before model.onnx
    assert find_cached(spec, tmp_path / "partial") is None
    status = model_status(MODEL, None, tmp_path / "partial")
    assert not status.present and "memory-mcp model download" in (status.problem or "")


def test_a_model_dir_without_model_onnx_is_reported_not_loaded(tmp_path: Path) -> None:
    status = model_status(MODEL, tmp_path, tmp_path / "cache")
    assert (status.present, status.source) == (False, "MEMORY_MCP_MODEL_DIR")
    assert "no model.onnx" in (status.problem or "")
    embedder = FastEmbedEmbedder(MODEL, tmp_path, download=False)
    with pytest.raises(EmbedderUnavailable, match="no model.onnx"):
        embedder.load()


def test_without_a_cached_copy_and_downloads_off_nothing_is_fetched(tmp_path: Path) -> None:
    embedder = FastEmbedEmbedder(MODEL, None, tmp_path / "cache", download=False)
    with pytest.raises(EmbedderUnavailable, match="not downloaded") as caught:
        embedder.load()
    assert "memory-mcp model download" in str(caught.value)
    assert not any((tmp_path / "cache").rglob("*.onnx"))
