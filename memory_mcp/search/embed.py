"""Embedder protocol and the fastembed implementation (model loaded lazily, thread-safe)."""

import logging
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from memory_mcp.errors import MemoryMCPError

logger = logging.getLogger(__name__)


class EmbedderUnavailable(MemoryMCPError):
    """The model could not be loaded; semantic search stays off."""


class Embedder(Protocol):
    model_name: str

    @property
    def dim(self) -> int:
        """Vector dimension; loads the model if needed."""
        ...

    def load(self) -> None:
        """Load the model now (blocking); raises EmbedderUnavailable."""
        ...

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32, unit-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, unit-normalised."""
        ...


class FastEmbedEmbedder:
    """fastembed TextEmbedding; `model_dir` loads a local ONNX copy with no download."""

    def __init__(
        self,
        model_name: str,
        model_dir: Path | None = None,
        cache_dir: Path | None = None,
        batch_size: int = 64,
    ) -> None:
        self.model_name = model_name
        self.model_dir = model_dir
        self.cache_dir = cache_dir
        self.batch_size = batch_size
        self._model: Any = None
        self._dim: int | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            started = time.perf_counter()
            self._model = self._construct()
            probe = next(iter(self._model.query_embed(["dimension probe"])))
            self._dim = int(np.asarray(probe).shape[-1])
            logger.info(
                "Embedding model %s ready (%d-d) in %.1fs",
                self.model_name,
                self._dim,
                time.perf_counter() - started,
            )

    def _construct(self) -> Any:
        if self.model_dir is not None and not (Path(self.model_dir) / "model.onnx").is_file():
            raise EmbedderUnavailable(
                f"MEMORY_MCP_MODEL_DIR={self.model_dir} holds no model.onnx: point it at a "
                f"folder with the ONNX export of {self.model_name}, or unset it to download."
            )
        try:
            from fastembed import TextEmbedding
        except ImportError as exc:  # pragma: no cover - fastembed is a hard dependency
            raise EmbedderUnavailable(f"fastembed is not installed: {exc}") from exc
        kwargs: dict[str, Any] = {"model_name": self.model_name}
        if self.model_dir is not None:
            kwargs["specific_model_path"] = str(self.model_dir)
        if self.cache_dir is not None:
            kwargs["cache_dir"] = str(self.cache_dir)
        if self.model_dir is None:
            # A cached copy loads at once; only without one do we pay for a download (which
            # fastembed retries for ~40 s when offline).
            try:
                return TextEmbedding(**kwargs, local_files_only=True)
            except Exception:  # noqa: BLE001 - not cached yet: fall through to the download
                logger.info("Downloading embedding model %s (first use)", self.model_name)
        try:
            return TextEmbedding(**kwargs)
        except Exception as exc:  # noqa: BLE001 - fastembed/onnxruntime raise many types
            where = f"from {self.model_dir}" if self.model_dir else "(download or cache)"
            raise EmbedderUnavailable(
                f"Cannot load embedding model {self.model_name} {where}: "
                f"{type(exc).__name__}: {exc}. Set MEMORY_MCP_MODEL_DIR to a local copy "
                "of the model on offline machines."
            ) from exc

    @property
    def dim(self) -> int:
        self.load()
        assert self._dim is not None
        return self._dim

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.passage_embed(texts, batch_size=self.batch_size)
        return np.asarray(list(vectors), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        self.load()
        return np.asarray(next(iter(self._model.query_embed([text]))), dtype=np.float32)
