"""Embedder protocol and the fastembed implementation (model loaded lazily, thread-safe)."""

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from memory_mcp.config import default_cache_dir
from memory_mcp.search.model_files import (
    OFFLINE_HINT,
    RETRY_DOWNLOAD_AFTER_S,
    EmbedderUnavailable,
    ModelSpec,
    download,
    failed_lately,
    import_fastembed,
    local_dir_problem,
    model_spec,
    recent_failure,
)

if TYPE_CHECKING:
    import numpy as np


__all__ = ["Embedder", "EmbedderUnavailable", "FastEmbedEmbedder", "prefixes"]

logger = logging.getLogger(__name__)

# Texts some models were trained to see in front of queries and of passages (their model
# cards); fastembed adds none. (query prefix, passage prefix) by model name, lowercase. A
# passage prefix is part of the stored vectors, so changing one needs `memory-mcp reindex`.
_BGE_QUERY = "Represent this sentence for searching relevant passages: "
PREFIXES: dict[str, tuple[str, str]] = {
    "baai/bge-small-en-v1.5": (_BGE_QUERY, ""),
    "baai/bge-base-en-v1.5": (_BGE_QUERY, ""),
    "baai/bge-large-en-v1.5": (_BGE_QUERY, ""),
    "intfloat/multilingual-e5-large": ("query: ", "passage: "),
    "nomic-ai/nomic-embed-text-v1.5": ("search_query: ", "search_document: "),
    "nomic-ai/nomic-embed-text-v1.5-q": ("search_query: ", "search_document: "),
}


# One thread per inference (onnxruntime's intra-op pool off). Its default pool spins a thread
# per core for each run: on a 2-core machine one query took 12.8 ms of CPU instead of 5.3, and
# concurrent requests (serve --http) queued behind each other's spinning threads instead of
# running side by side. Parallelism comes from the callers instead: each request's run on its
# own thread, and embed_documents' batches on one worker per core.
SESSION_OPTIONS: dict[str, Any] = {"threads": 1}


def prefixes(model_name: str) -> tuple[str, str]:
    """(query prefix, passage prefix) for `model_name`; none for models that need none."""
    return PREFIXES.get(model_name.lower(), ("", ""))


class Embedder(Protocol):
    model_name: str

    @property
    def dim(self) -> int:
        """Vector dimension; loads the model if needed."""
        ...

    def load(self) -> None:
        """Load the model now (blocking); raises EmbedderUnavailable."""
        ...

    def embed_documents(self, texts: list[str]) -> "np.ndarray":
        """(len(texts), dim) float32, unit-normalised."""
        ...

    def embed_query(self, text: str) -> "np.ndarray":
        """(dim,) float32, unit-normalised."""
        ...


class FastEmbedEmbedder:
    """fastembed TextEmbedding; `model_dir` loads a local ONNX copy with no download. Without
    one, a copy in `cache_dir` loads with no network, and a model not there yet is downloaded
    once, in one attempt, unless `download` is False."""

    def __init__(
        self,
        model_name: str,
        model_dir: Path | None = None,
        cache_dir: Path | None = None,
        batch_size: int = 64,
        download: bool = True,
    ) -> None:
        self.model_name = model_name
        self.model_dir = model_dir
        self.cache_dir = cache_dir or default_cache_dir()
        self.batch_size = batch_size
        self.download = download
        # None: a download is tried whenever the model is missing (a server loads it in the
        # background). Set (a CLI command, which waits): not again this long after one failed.
        self.retry_download_after_s: float | None = None
        self._model: Any = None
        self._dim: int | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        import numpy as np

        with self._lock:
            if self._model is not None:
                return
            started = time.perf_counter()
            model = self._construct()
            try:
                probe = next(iter(model.query_embed(["dimension probe"])))
            except Exception as exc:  # noqa: BLE001 - onnxruntime raises many types
                raise self._cannot_load(exc) from exc
            self._dim = int(np.asarray(probe).shape[-1])
            self._model = model
            logger.info(
                "Embedding model %s ready (%d-d) in %.1fs",
                self.model_name,
                self._dim,
                time.perf_counter() - started,
            )

    def _construct(self) -> Any:
        if self.model_dir is not None:
            problem = local_dir_problem(self.model_dir)
            if problem:
                raise EmbedderUnavailable(
                    f"{problem}: point it at a folder with the ONNX export of {self.model_name}"
                    ", or unset it to use the downloaded copy."
                )
            return self._fastembed(specific_model_path=str(self.model_dir), **SESSION_OPTIONS)
        cache = str(self.cache_dir)
        try:  # fastembed's own lookup of a cached copy: no network, at once
            return import_fastembed()(
                self.model_name, cache_dir=cache, local_files_only=True, **SESSION_OPTIONS
            )
        except EmbedderUnavailable:
            raise
        except Exception:  # noqa: BLE001 - not cached (yet): download it, or say why not
            pass
        if not self.download:
            raise EmbedderUnavailable(
                f"The embedding model {self.model_name} is not downloaded (in {cache}): "
                f"{OFFLINE_HINT}."
            )
        spec = model_spec(self.model_name)
        self._refuse_if_failed_lately(spec)
        logger.info(
            "Downloading the embedding model %s (~%d MB, once) into %s",
            spec.name,
            spec.size_mb,
            cache,
        )
        download(spec, self.cache_dir)
        return self._fastembed(cache_dir=cache, local_files_only=True, **SESSION_OPTIONS)

    def _refuse_if_failed_lately(self, spec: ModelSpec) -> None:
        within = self.retry_download_after_s
        failed = None if within is None else recent_failure(spec.name, self.cache_dir, within)
        if failed is not None:
            raise EmbedderUnavailable(
                f"The embedding model {spec.name} is not downloaded, and {failed_lately(*failed)}"
                f". Commands try again {round((within or 0) / 60)} min after it, `memory-mcp "
                "model download` at once; or set MEMORY_MCP_MODEL_DIR to a copy of the model "
                "folder (README: Offline machines)."
            )

    def _fastembed(self, **kwargs: Any) -> Any:
        text_embedding = import_fastembed()
        where = self.model_dir or self.cache_dir
        logger.info("Loading the embedding model %s from %s", self.model_name, where)
        try:
            return text_embedding(self.model_name, **kwargs)
        except EmbedderUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - fastembed/onnxruntime raise many types
            raise self._cannot_load(exc) from exc

    def _cannot_load(self, exc: Exception) -> EmbedderUnavailable:
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        fix = (
            "point MEMORY_MCP_MODEL_DIR at a complete copy"
            if self.model_dir
            else "run `memory-mcp model download` again"
        )
        return EmbedderUnavailable(
            f"Cannot load embedding model {self.model_name} from "
            f"{self.model_dir or self.cache_dir} ({reason}): the copy may be incomplete; {fix}."
        )

    @property
    def dim(self) -> int:
        self.load()
        assert self._dim is not None
        return self._dim

    def embed_documents(self, texts: list[str]) -> "np.ndarray":
        import numpy as np

        self.load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        passage = prefixes(self.model_name)[1]
        # The tokenizer pads each batch to its longest text, and the model runs on the pads
        # too: batches of texts of like length (longest first, so the slowest batch starts
        # first) waste none on a mix of one-liners and paragraphs. Each text's vector is the
        # same in any batch (the pads are masked out).
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        ordered = [passage + texts[i] for i in order]
        cores = os.cpu_count() or 1
        # Batches of one size, as many as a multiple of the cores (at most batch_size texts
        # each), so the workers finish together: cut batch_size by batch_size, 224 texts went
        # 64, 64, 64, 32 on 2 cores, one idle while the other ran a whole batch, at the end of
        # every call (remember_many makes a call a batch).
        count = -(-len(ordered) // self.batch_size)
        count = min(len(ordered), -(-count // cores) * cores)
        cuts = [len(ordered) * k // count for k in range(count + 1)]
        batches = [ordered[start:end] for start, end in pairwise(cuts)]
        workers = min(len(batches), cores)
        if workers == 1:
            vectors = self._embed_batch(ordered)
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="embed") as pool:
                vectors = np.concatenate(list(pool.map(self._embed_batch, batches)))
        placed = np.empty_like(vectors)
        placed[order] = vectors
        return placed

    def _embed_batch(self, texts: list[str]) -> "np.ndarray":
        import numpy as np

        vectors = self._model.passage_embed(texts, batch_size=self.batch_size)
        return np.asarray(list(vectors), dtype=np.float32)

    def embed_query(self, text: str) -> "np.ndarray":
        import numpy as np

        self.load()
        query = prefixes(self.model_name)[0] + text
        return np.asarray(next(iter(self._model.query_embed([query]))), dtype=np.float32)


def waits_for_it(embedder: object) -> None:
    """The caller waits for the model to load (a CLI command, not a server's background
    load): a download that failed within RETRY_DOWNLOAD_AFTER_S is not tried again."""
    if isinstance(embedder, FastEmbedEmbedder):
        embedder.retry_download_after_s = RETRY_DOWNLOAD_AFTER_S
