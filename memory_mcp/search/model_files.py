"""The embedding model's files: where they are, whether this machine has them, and fetching them
once (one attempt, no retry storm). fastembed is imported only here, lazily, after onnxruntime's
telemetry is switched off."""

import json
import logging
import os
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memory_mcp.errors import MemoryMCPError

logger = logging.getLogger(__name__)

# onnxruntime's PyPI builds (1.2x+) start a telemetry client when the module is imported: it
# writes a device id and an event database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime
# and queues events (Python path, OS, CPU, container type) for upload. Only this variable, set
# before the import, stops it; onnxruntime.disable_telemetry_events() comes too late.
TELEMETRY_OFF = {"ORT_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
OFFLINE_HINT = (
    "run `memory-mcp model download` where there is network, or set MEMORY_MCP_MODEL_DIR to a "
    "copy of the model folder (README: Offline machines)"
)


class EmbedderUnavailable(MemoryMCPError):
    """The model could not be loaded; semantic search stays off."""


@dataclass(frozen=True)
class ModelSpec:
    """What fastembed knows about a model: where it downloads it from, its files, its size."""

    name: str
    repo: str | None  # the Hugging Face repository fastembed downloads from
    files: tuple[str, ...]  # the model's own files, beyond the tokenizer and config files
    dim: int
    size_mb: int


def import_fastembed() -> Any:
    """fastembed's TextEmbedding, imported with onnxruntime's telemetry off and fastembed's own
    logger (loguru, which prints every download retry as an ERROR) silenced: we report."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)  # an explicit choice in the environment wins
    try:
        from loguru import logger as loguru_logger

        loguru_logger.disable("fastembed")
    except ImportError:  # pragma: no cover - fastembed depends on loguru today
        pass
    try:
        from fastembed import TextEmbedding
    except ImportError as exc:  # pragma: no cover - fastembed is a hard dependency
        raise EmbedderUnavailable(f"fastembed is not installed: {exc}") from exc
    return TextEmbedding


def model_spec(name: str) -> ModelSpec:
    """fastembed's description of `name`; raises EmbedderUnavailable for a name it lacks."""
    text_embedding = import_fastembed()
    for row in text_embedding.list_supported_models():
        if str(row.get("model", "")).lower() == name.lower():
            sources = row.get("sources") or {}
            files = (str(row["model_file"]), *map(str, row.get("additional_files") or ()))
            size_mb = round(float(row.get("size_in_GB") or 0) * 1000)
            return ModelSpec(row["model"], sources.get("hf"), files, int(row["dim"]), size_mb)
    raise EmbedderUnavailable(
        f"{name} is not a fastembed text embedding model: set MEMORY_MCP_MODEL to one of "
        "fastembed's models (TextEmbedding.list_supported_models())."
    )


def local_dir_problem(model_dir: Path) -> str | None:
    """Why a MEMORY_MCP_MODEL_DIR folder cannot be loaded, or None when it looks complete."""
    if not (Path(model_dir) / "model.onnx").is_file():
        return f"MEMORY_MCP_MODEL_DIR={model_dir} holds no model.onnx"
    return None


def find_cached(spec: ModelSpec, cache_dir: Path) -> Path | None:
    """The folder of a complete copy of the model in `cache_dir`, or None; no network."""
    if spec.repo is None or not Path(cache_dir).is_dir():
        return None
    text_embedding = import_fastembed()
    try:
        found = Path(
            text_embedding.download_files_from_huggingface(
                spec.repo, str(cache_dir), extra_patterns=list(spec.files), local_files_only=True
            )
        )
    except Exception:  # noqa: BLE001 - not cached, or cached incompletely
        return None
    return found if all((found / f).is_file() for f in spec.files) else None


# Where the last failed download is recorded (model, when, why): a command that waits for
# the model does not try again for an hour. Behind a network that swallows connections (a
# firewall or proxy that never answers) each try waits about 11 s for its timeouts.
FAILED_DOWNLOAD = "download-failed.json"
RETRY_DOWNLOAD_AFTER_S = 3600


def recent_failure(name: str, cache_dir: Path, within_s: float) -> tuple[str, float] | None:
    """(why, seconds ago) if a download of `name` into `cache_dir` failed less than
    `within_s` seconds ago; None otherwise, or when the record cannot be read."""
    try:
        record = json.loads((Path(cache_dir) / FAILED_DOWNLOAD).read_text(encoding="utf-8"))
        age = time.time() - float(record["at"])
        if record["model"] == name and 0 <= age < within_s:
            return str(record["reason"]), age
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return None


def failed_lately(reason: str, age_s: float, what: str = "try") -> str:
    """A recent failure (recent_failure's answer) in words."""
    return f"the last {what}, {max(1, round(age_s / 60))} min ago, failed ({reason})"


def _record_failure(name: str, cache_dir: Path, reason: str) -> None:
    record = {"model": name, "at": time.time(), "reason": reason}
    with suppress(OSError):  # a cache folder we cannot write: every command tries, as before
        (Path(cache_dir) / FAILED_DOWNLOAD).write_text(json.dumps(record), encoding="utf-8")


def download(spec: ModelSpec, cache_dir: Path) -> Path:
    """Fetch the model into `cache_dir` in one attempt; returns its folder.

    fastembed's own downloader retries three times and sleeps 3 + 9 + 27 s in between, so an
    offline machine waited ~40 s for every command; one attempt fails as soon as the network
    does (a missing DNS answer: at once), and the message says how to get the model anyway.
    """
    if spec.repo is None:
        raise EmbedderUnavailable(f"fastembed lists no download source for {spec.name}.")
    text_embedding = import_fastembed()
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    try:
        folder = text_embedding.download_files_from_huggingface(
            spec.repo, str(cache_dir), extra_patterns=list(spec.files)
        )
    except Exception as exc:  # noqa: BLE001 - httpx, OSError, hub errors: all mean "not here"
        reason = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"
        _record_failure(spec.name, cache_dir, reason[:200])
        raise EmbedderUnavailable(
            f"The embedding model {spec.name} is not downloaded and could not be fetched from "
            f"Hugging Face ({reason[:200]}): {OFFLINE_HINT}."
        ) from exc
    (Path(cache_dir) / FAILED_DOWNLOAD).unlink(missing_ok=True)
    return Path(folder)


@dataclass(frozen=True)
class ModelStatus:
    """Which model the settings name, where its files are looked for, and whether they are."""

    model: str
    dim: int
    size_mb: int
    source: str  # "MEMORY_MCP_MODEL_DIR" or "cache"
    folder: str | None  # the folder holding model.onnx, when present
    present: bool
    cache_dir: str
    problem: str | None = None  # why it would not load, and what to do


def model_status(name: str, model_dir: Path | None, cache_dir: Path) -> ModelStatus:
    """Where the model is (or would be) loaded from; looks at files only, loads nothing."""
    spec = model_spec(name)
    if model_dir is not None:
        problem = local_dir_problem(model_dir)
        folder = None if problem else str(Path(model_dir).absolute())
        return ModelStatus(
            spec.name, spec.dim, spec.size_mb, "MEMORY_MCP_MODEL_DIR", folder,
            problem is None, str(cache_dir), problem,
        )  # fmt: skip
    found = find_cached(spec, cache_dir)
    problem = None if found else f"not downloaded: {OFFLINE_HINT}"
    failed = None if found else recent_failure(spec.name, cache_dir, RETRY_DOWNLOAD_AFTER_S)
    if problem and failed:
        problem = (
            f"{problem}; {failed_lately(*failed).replace('the last try', 'the last download try')}"
        )
    return ModelStatus(
        spec.name, spec.dim, spec.size_mb, "cache", str(found) if found else None,
        found is not None, str(cache_dir), problem,
    )  # fmt: skip
