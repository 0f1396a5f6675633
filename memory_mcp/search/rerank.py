"""The optional second stage of recall: a cross-encoder (fastembed TextCrossEncoder) that reads
the query and each of the best fused candidates together and reorders them. Off unless
MEMORY_MCP_RERANKER names a model; loaded on first use; if it cannot load, recall goes on
without it (logged once)."""

import logging
import threading
from pathlib import Path
from typing import Any, Protocol

from memory_mcp.search.model_files import EmbedderUnavailable, import_fastembed

logger = logging.getLogger(__name__)


class Reranker(Protocol):
    model_name: str

    def score(self, query: str, texts: list[str]) -> list[float] | None:
        """One relevance score per text (higher is better); None when the model is unusable."""
        ...


def import_cross_encoder() -> Any:
    """fastembed's TextCrossEncoder, imported as import_fastembed does (telemetry off)."""
    import_fastembed()
    try:
        from fastembed.rerank.cross_encoder import TextCrossEncoder
    except ImportError as exc:  # pragma: no cover - fastembed is a hard dependency
        raise EmbedderUnavailable(f"fastembed has no TextCrossEncoder: {exc}") from exc
    return TextCrossEncoder


class FastEmbedReranker:
    """fastembed TextCrossEncoder; `model_dir` loads a local ONNX copy (specific_model_path),
    else fastembed's copy in `cache_dir`, downloaded there once if missing."""

    def __init__(self, model_name: str, model_dir: Path | None, cache_dir: Path) -> None:
        self.model_name = model_name
        self.model_dir = model_dir
        self.cache_dir = cache_dir
        self._model: Any = None
        self._failed = False
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None and not self._failed:
                try:
                    encoder = import_cross_encoder()
                    where = {"cache_dir": str(self.cache_dir)}
                    if self.model_dir is not None:
                        where["specific_model_path"] = str(self.model_dir)
                    model = encoder(self.model_name, **where)
                    list(model.rerank("probe", ["probe"]))  # a model that cannot score fails here
                    self._model = model
                    logger.info("Reranker %s ready", self.model_name)
                except Exception as exc:  # noqa: BLE001 - fastembed/onnxruntime raise many types
                    self._failed = True
                    reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
                    logger.warning(
                        "The reranker %s did not load (%s); recall runs without it. Unset "
                        "MEMORY_MCP_RERANKER or point MEMORY_MCP_RERANKER_DIR at its ONNX folder.",
                        self.model_name,
                        reason,
                    )
            return self._model

    def score(self, query: str, texts: list[str]) -> list[float] | None:
        model = self._load()
        if model is None:
            return None
        return [float(s) for s in model.rerank(query, texts)]
